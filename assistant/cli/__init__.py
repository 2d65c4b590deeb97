"""Command line: ``assistant ingest|delete|docs|search|ask|draft|summarize|bulletin|transcribe|serve|eval|keys|db|
audit|meetings``, a thin layer over the library. One module per command family (``documents``, ``drafting``,
``server``, ``summaries``, ``evals``, ``admin``, ``meetings``), shared helpers in ``common``."""

from assistant.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
