"""Documents: ``assistant ingest|delete|docs|search|ask``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli.common import add_filter_args, filter_from_args, print_json, record_cli_action, settings_from, where


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from assistant.ingest.ocr import reporting_pages
    from assistant.ingest.pipeline import discover
    from assistant.service import Assistant

    assistant = Assistant(settings_from(args))
    paths = [Path(p) for p in args.paths]
    total = len(discover(paths))
    with tqdm(
        total=total,
        unit="file",
        desc="ingest",
        disable=args.json or not sys.stderr.isatty() and total < 2,
        file=sys.stderr,
    ) as bar:

        def on_file(result) -> None:
            bar.set_postfix_str(Path(result.path).name[:30])
            bar.update(1)

        def on_page(done: int, total: int) -> None:  # a scan: seconds a page, so show the pages
            bar.set_postfix_str(f"OCR page {done} of {total}")

        with reporting_pages(on_page):
            report = assistant.pipeline.ingest_paths(paths, on_file=on_file)
    record_cli_action(
        assistant.settings,
        "documents.ingest",
        ",".join(args.paths)[:200],
        **report.summary(),
        doc_ids=sorted({r.doc_id for r in report.results if r.status in ("added", "updated") and r.doc_id}),
    )
    if args.json:
        print_json({"summary": report.summary(), "results": [vars(r) for r in report.results]})
    else:
        s = report.summary()
        print(
            f"added {s['added']}, updated {s['updated']}, unchanged {s['unchanged']}, "
            f"failed {s['failed']}, skipped {s['skipped']}"
        )
        for r in report.results:
            if r.status in ("added", "updated"):
                print(f"  {r.status:9} {r.doc_id}  ({r.chunks} chunks)  {r.path}")
        for r in report.results:
            if r.status in ("failed", "skipped"):  # every file that was not indexed, with its reason
                print(f"  {r.status:9} {r.path}: {r.reason}")
    return 1 if report.failures else 0


def cmd_delete(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    settings = settings_from(args)
    if not Assistant(settings).pipeline.delete(args.doc_id):
        print(f"error: no document with id '{args.doc_id}'", file=sys.stderr)
        return 1
    record_cli_action(settings, "documents.delete", args.doc_id)
    print(f"deleted {args.doc_id}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    docs = Assistant(settings_from(args)).index.catalog.list_documents()
    if args.json:
        print_json(docs)
        return 0
    for d in docs:
        print(
            f"{d['doc_id']:40} {d.get('doc_number') or '-':16} {d['doc_type']:12} {d['access_level']:12} "
            f"{d['org_unit'] or '-':45} {d['n_chunks']:4} chunks  {d['title'][:60]}"
        )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    assistant = Assistant(settings_from(args))
    result = assistant.retriever.search(args.query, k=args.k, search_filter=filter_from_args(args), mode=args.mode)
    if args.json:
        print_json(
            [
                {
                    "rank": i + 1,
                    "score": h.score,
                    "dense_rank": h.dense_rank,
                    "lexical_rank": h.lexical_rank,
                    "chunk_id": h.chunk.chunk_id,
                    **h.citation().model_dump(),
                }
                for i, h in enumerate(result.hits)
            ]
        )
        return 0
    if not result.hits:
        print("no matching passages")
    for i, hit in enumerate(result.hits, start=1):
        c = hit.citation()
        print(f"[{i}] {where(c)} — {c.title}")
        snippet = " ".join(c.quote.split())
        print(f"    {snippet[:300]}{'…' if len(snippet) > 300 else ''}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    answer = Assistant(settings_from(args)).asker.ask(args.question, filter_from_args(args), engine=args.engine)
    if args.json:
        print_json(answer.model_dump(mode="json"))
        return 0
    print(answer.answer)
    if answer.citations:
        print("\nSources:")
        for i, c in enumerate(answer.citations, start=1):
            print(f"  [{i}] {where(c)} — {c.title}")
    for warning in answer.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    version = f", prompt {answer.prompt_version}" if answer.prompt_version else ""
    print(f"\n({answer.status}; engine: {answer.engine}{version}; evidence {answer.confidence:.2f})")
    return 0


def add_commands(sub: argparse._SubParsersAction, evals: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="ingest files and folders (PDF, DOCX, TXT/Markdown, HTML)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="(kept for compatibility: failed and skipped files are always listed)",
    )
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("delete", help="remove a document from the index")
    p.add_argument("doc_id")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("docs", help="list indexed documents")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("search", help="ranked passages with citation fields")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    add_filter_args(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with citations, or say the documents don't answer it")
    p.add_argument("question")
    p.add_argument(
        "--engine",
        choices=["auto", "extractive", "llm"],
        default="auto",
        help="auto: the LLM when one is configured, else extractive",
    )
    p.add_argument("--json", action="store_true")
    add_filter_args(p)
    p.set_defaults(func=cmd_ask)
