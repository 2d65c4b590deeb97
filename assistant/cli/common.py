"""What every command shares: settings from the arguments, JSON output, the audit of operator actions, the
filter, output and source arguments, and delivering a draft to stdout or a file."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

from assistant.audit import AuditEvent, AuditLog
from assistant.config import PROJECT_ROOT, Settings
from assistant.domain import AccessLevel, DocType
from assistant.filters import SearchFilter


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings (environment, ``.env``) with what the command line overrides."""
    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    return Settings(**overrides)


def eval_settings(args: argparse.Namespace) -> Settings:
    """Settings for an evaluation: its indexes are temporary, its embeddings cached across runs (by text hash)."""
    settings = settings_from(args)
    if getattr(args, "embedding_model", None):
        settings.embedding_model = args.embedding_model
    if settings.embedding_cache_path is None:
        settings.embedding_cache_path = PROJECT_ROOT / "artifacts" / "embedding-cache.sqlite3"
    return settings


def print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def record_cli_action(settings: Settings, action: str, target: str | None, **detail) -> None:
    """Audit what an operator did from the command line (there is no key: the OS user is recorded)."""
    with closing(AuditLog(settings.audit_path, settings.audit_store_questions)) as log:
        log.record(
            AuditEvent(action=action, target=target, status=0, key_name=f"cli:{getpass.getuser()}", detail=detail)
        )


def filter_from_args(args: argparse.Namespace) -> SearchFilter:
    return SearchFilter(
        viewer_org_unit=args.viewer,
        org_unit_prefix=args.org_unit,
        access_levels=SearchFilter.clearance(AccessLevel(args.clearance)) if args.clearance else None,
        doc_types={DocType(t) for t in args.type} if args.type else None,
        date_from=args.date_from,
        date_to=args.date_to,
    )


def where(citation) -> str:
    return ", ".join(
        p for p in (citation.doc_number or citation.doc_id, citation.structure_path, f"p. {citation.page}") if p
    )


def deliver(assistant, draft, args: argparse.Namespace) -> None:
    """Print or save a draft (anything with markdown, title and warnings): Markdown to stdout by default; DOCX
    and PDF (the official form) need ``-o``. Then its warnings on stderr."""
    suffix = Path(args.output).suffix.lower() if args.output else ""
    fmt = args.format or {".docx": "docx", ".pdf": "pdf", ".json": "json"}.get(suffix, "markdown")
    if fmt == "json":
        data = json.dumps(draft.model_dump(mode="json"), ensure_ascii=False, indent=2, default=str).encode("utf-8")
    elif fmt in ("docx", "pdf"):
        if not args.output:
            raise ValueError(f"{fmt.upper()} output needs a file: add -o document.{fmt}")
        data = assistant.document_file(draft.markdown, fmt)
    else:
        data = draft.markdown.encode("utf-8")
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output} ({draft.title})", file=sys.stderr)
    else:
        text = data.decode("utf-8")
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    for warning in draft.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def add_output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", help="write to this file (.md, .docx, .pdf or .json) instead of printing Markdown")
    p.add_argument(
        "--format", choices=["markdown", "docx", "pdf", "json"], help="default: from the -o suffix, else markdown"
    )


def add_filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--viewer", help="caller's org unit: only what that unit may see")
    p.add_argument("--org-unit", help="only documents inside this org unit subtree")
    p.add_argument("--clearance", choices=[a.value for a in AccessLevel], help="highest access level to include")
    p.add_argument("--type", action="append", choices=[t.value for t in DocType], help="document type (repeatable)")
    p.add_argument("--from", dest="date_from", help="issued on or after YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", help="issued on or before YYYY-MM-DD")
