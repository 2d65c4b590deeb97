"""Command line: ``assistant ingest|delete|docs|search|ask|draft|summarize|bulletin|transcribe|serve|eval|keys|db|
audit|meetings``.
A thin layer over the library."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from assistant.config import PROJECT_ROOT, Settings
from assistant.domain import AccessLevel, DocType
from assistant.errors import AssistantError
from assistant.filters import SearchFilter
from assistant.meeting import InvalidRecord


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    return Settings(**overrides)


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from assistant.ingest.ocr import reporting_pages
    from assistant.ingest.pipeline import discover
    from assistant.service import Assistant

    assistant = Assistant(_settings(args))
    paths = [Path(p) for p in args.paths]
    total = len(discover(paths))
    with tqdm(total=total, unit="file", desc="ingest", disable=args.json or not sys.stderr.isatty() and total < 2,
              file=sys.stderr) as bar:
        def on_file(result) -> None:
            bar.set_postfix_str(Path(result.path).name[:30])
            bar.update(1)

        def on_page(done: int, total: int) -> None:  # a scan: seconds a page, so show the pages
            bar.set_postfix_str(f"OCR page {done} of {total}")

        with reporting_pages(on_page):
            report = assistant.pipeline.ingest_paths(paths, on_file=on_file)
    from assistant.cli_admin import record_cli_action
    record_cli_action(assistant.settings, "documents.ingest", ",".join(args.paths)[:200], **report.summary(),
                      doc_ids=sorted({r.doc_id for r in report.results if r.status in ("added", "updated") and r.doc_id}))
    if args.json:
        _print_json({"summary": report.summary(), "results": [vars(r) for r in report.results]})
    else:
        s = report.summary()
        print(f"added {s['added']}, updated {s['updated']}, unchanged {s['unchanged']}, "
              f"failed {s['failed']}, skipped {s['skipped']}")
        for r in report.results:
            if r.status in ("added", "updated"):
                print(f"  {r.status:9} {r.doc_id}  ({r.chunks} chunks)  {r.path}")
        for r in report.results:
            if r.status in ("failed", "skipped"):  # every file that was not indexed, with its reason
                print(f"  {r.status:9} {r.path}: {r.reason}")
    return 1 if report.failures else 0


def cmd_delete(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    from assistant.cli_admin import record_cli_action

    settings = _settings(args)
    if not Assistant(settings).pipeline.delete(args.doc_id):
        print(f"error: no document with id '{args.doc_id}'", file=sys.stderr)
        return 1
    record_cli_action(settings, "documents.delete", args.doc_id)
    print(f"deleted {args.doc_id}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    docs = Assistant(_settings(args)).index.catalog.list_documents()
    if args.json:
        _print_json(docs)
        return 0
    for d in docs:
        print(f"{d['doc_id']:40} {d.get('doc_number') or '-':16} {d['doc_type']:12} {d['access_level']:12} "
              f"{d['org_unit'] or '-':45} {d['n_chunks']:4} chunks  {d['title'][:60]}")
    return 0


def filter_from_args(args: argparse.Namespace) -> SearchFilter:
    return SearchFilter(
        viewer_org_unit=args.viewer,
        org_unit_prefix=args.org_unit,
        access_levels=SearchFilter.clearance(AccessLevel(args.clearance)) if args.clearance else None,
        doc_types={DocType(t) for t in args.type} if args.type else None,
        date_from=args.date_from,
        date_to=args.date_to,
    )


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    assistant = Assistant(_settings(args))
    result = assistant.retriever.search(args.query, k=args.k, search_filter=filter_from_args(args), mode=args.mode)
    if args.json:
        _print_json([{"rank": i + 1, "score": h.score, "dense_rank": h.dense_rank, "lexical_rank": h.lexical_rank,
                      "chunk_id": h.chunk.chunk_id, **h.citation().model_dump()} for i, h in enumerate(result.hits)])
        return 0
    if not result.hits:
        print("no matching passages")
    for i, hit in enumerate(result.hits, start=1):
        c = hit.citation()
        print(f"[{i}] {_where(c)} — {c.title}")
        snippet = " ".join(c.quote.split())
        print(f"    {snippet[:300]}{'…' if len(snippet) > 300 else ''}")
    return 0


def _where(citation) -> str:
    return ", ".join(p for p in (citation.doc_number or citation.doc_id, citation.structure_path, f"p. {citation.page}") if p)


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    answer = Assistant(_settings(args)).asker.ask(args.question, filter_from_args(args), engine=args.engine)
    if args.json:
        _print_json(answer.model_dump(mode="json"))
        return 0
    print(answer.answer)
    if answer.citations:
        print("\nSources:")
        for i, c in enumerate(answer.citations, start=1):
            print(f"  [{i}] {_where(c)} — {c.title}")
    for warning in answer.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    version = f", prompt {answer.prompt_version}" if answer.prompt_version else ""
    print(f"\n({answer.status}; engine: {answer.engine}{version}; evidence {answer.confidence:.2f})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from api.app import create_app

    settings = _settings(args)
    if args.no_seed:
        settings.seed_corpus = None
    host, port = args.host or settings.host, args.port or settings.port
    from assistant.store import database

    store = database.open_store(settings)
    try:  # the store's schema follows the code before any request (`assistant db upgrade`)
        database.upgrade(store)
    finally:
        store.dispose()
    if args.workers <= 1:
        uvicorn.run(create_app(settings), host=host, port=port)
        return 0
    if settings.chroma_mode != "http":
        print("error: several workers need Chroma in server mode: run `chroma run --path DIR --port 8001` and set "
              "ASSISTANT_CHROMA_MODE=http (embedded Chroma allows one process)", file=sys.stderr)
        return 2
    from assistant.service import Assistant

    assistant = Assistant(settings)  # seed (and make the dev key) once here, not in every worker at the same time
    try:
        assistant.seed_if_empty()
        if settings.auth_dev_key:
            assistant.keys.dev_admin_key(settings.dev_key_path)
    finally:
        assistant.close()
    # Each worker builds its own app from the environment: pass on what the command line changed.
    os.environ["ASSISTANT_DATA_DIR"] = str(settings.data_dir)
    os.environ["ASSISTANT_SEED_CORPUS"] = ""
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=args.workers)
    return 0


def _deliver(assistant, draft, args: argparse.Namespace) -> None:
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


def cmd_draft_minutes(args: argparse.Namespace) -> int:
    from assistant.meeting import load_record
    from assistant.service import Assistant

    record = load_record(Path(args.record))
    if args.transcript:
        record = record.model_copy(update={"transcript": Path(args.transcript).read_text(encoding="utf-8")})
    assistant = Assistant(_settings(args))
    draft = assistant.minutes.draft(record, engine=args.engine)
    _deliver(assistant, draft, args)
    print(f"(engine: {draft.engine}; facts checked: {draft.facts_checked}, coverage {draft.field_coverage:.0%})",
          file=sys.stderr)
    return 0


def cmd_draft_resolution(args: argparse.Namespace) -> int:
    from assistant.meeting import load_record
    from assistant.service import Assistant

    record = load_record(Path(args.record))
    assistant = Assistant(_settings(args))
    draft = assistant.resolutions.draft(record, number=args.number)
    _deliver(assistant, draft, args)
    return 0


def cmd_draft_notice(args: argparse.Namespace) -> int:
    from assistant.meeting import load_notice
    from assistant.service import Assistant

    notice = load_notice(Path(args.notice))
    assistant = Assistant(_settings(args))
    draft = assistant.notices.draft(notice, lambda number: assistant.document_title(number, filter_from_args(args)))
    _deliver(assistant, draft, args)
    return 0


def _period(text: str):
    """``2025-12`` (a month) or ``2025-Q4`` (a quarter)."""
    import re

    from assistant.tasks.report import ReportPeriod

    match = re.fullmatch(r"(\d{4})-(?:(\d{1,2})|[Qq]([1-4]))", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is not a period: use YYYY-MM or YYYY-Q1..Q4")
    year, month, quarter = match.groups()
    if month and not 1 <= int(month) <= 12:
        raise argparse.ArgumentTypeError(f"'{text}': the month must be 1-12")
    return ReportPeriod(kind="month" if month else "quarter", year=int(year), number=int(month or quarter))


def cmd_draft_report(args: argparse.Namespace) -> int:
    from assistant.meeting import Organization, load_record
    from assistant.service import Assistant
    from assistant.tasks.report import ReportRequest

    records = [load_record(Path(p)) for p in args.records]
    first = records[0].organization
    organization = Organization(name=args.organization or first.name, parent=args.parent or first.parent,
                                org_unit=args.unit if args.unit is not None else first.org_unit,
                                place_name=first.place_name)
    request = ReportRequest(organization=organization, period=args.period, records=records,
                            language=args.language or records[0].language, number=args.number)
    assistant = Assistant(_settings(args))
    draft = assistant.reporter.draft(request, scope=filter_from_args(args))
    _deliver(assistant, draft, args)
    return 0


def cmd_eval_minutes(args: argparse.Namespace) -> int:
    from evals.minutes import run_minutes_eval

    _print_json(run_minutes_eval(Path(args.dir), _settings(args), engine=args.engine, details=args.details))
    return 0


def _eval_settings(args: argparse.Namespace) -> Settings:
    """Settings for an evaluation: its indexes are temporary, its embeddings cached across runs (by text hash)."""
    settings = _settings(args)
    if getattr(args, "embedding_model", None):
        settings.embedding_model = args.embedding_model
    if settings.embedding_cache_path is None:
        settings.embedding_cache_path = PROJECT_ROOT / "artifacts" / "embedding-cache.sqlite3"
    return settings


def cmd_eval_retrieval(args: argparse.Namespace) -> int:
    from evals.retrieval import run_retrieval_eval

    _print_json(run_retrieval_eval(Path(args.dir), _eval_settings(args), baseline=not args.no_baseline, split=args.split,
                                   sweep=args.sweep))
    return 0


def cmd_eval_qa(args: argparse.Namespace) -> int:
    from evals.qa import run_qa_eval

    _print_json(run_qa_eval(Path(args.dir), _eval_settings(args), engine=args.engine, split=args.split, details=args.details))
    return 0


def cmd_eval_documents(args: argparse.Namespace) -> int:
    from evals.documents import run_documents_eval

    _print_json(run_documents_eval(Path(args.dir), _eval_settings(args), details=args.details))
    return 0


def cmd_eval_synthesis(args: argparse.Namespace) -> int:
    from evals.synthesis import run_synthesis_eval

    _print_json(run_synthesis_eval(Path(args.dir), _eval_settings(args), threshold=args.threshold, sweep=args.sweep))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="On-premises document assistant")
    parser.add_argument("--data-dir", help="index directory (default: $ASSISTANT_DATA_DIR or ./data)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="ingest files and folders (PDF, DOCX, TXT/Markdown, HTML)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true", help="(kept for compatibility: failed and skipped files "
                   "are always listed)")
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
    _add_filter_args(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with citations, or say the documents don't answer it")
    p.add_argument("question")
    p.add_argument("--engine", choices=["auto", "extractive", "llm"], default="auto",
                   help="auto: the LLM when one is configured, else extractive")
    p.add_argument("--json", action="store_true")
    _add_filter_args(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("draft", help="draft minutes or a periodic report from meeting records")
    dr = p.add_subparsers(dest="draft_kind", required=True)
    d = dr.add_parser("minutes", help="minutes of one meeting from its record (JSON or YAML)")
    d.add_argument("record")
    d.add_argument("--transcript", help="a transcript file ('Name: words' lines) to draft the discussion from")
    d.add_argument("--engine", choices=["auto", "extractive", "llm"], default="auto")
    _add_output_args(d)
    d.set_defaults(func=cmd_draft_minutes)
    d = dr.add_parser("resolution", help="the cell's monthly resolution (NGHỊ QUYẾT) from a meeting record")
    d.add_argument("record")
    d.add_argument("--number", type=int, help="its number (Số 05-NQ/CB); default: left blank to fill in by hand")
    _add_output_args(d)
    d.set_defaults(func=cmd_draft_resolution)
    d = dr.add_parser("notice", help="the notice of a coming meeting (THÔNG BÁO) from a notice file (JSON or YAML)")
    d.add_argument("notice")
    _add_output_args(d)
    _add_filter_args(d)
    d.set_defaults(func=cmd_draft_notice)
    d = dr.add_parser("report", help="monthly or quarterly report of a cell or ward from its meeting records")
    d.add_argument("records", nargs="+", help="meeting record files (JSON or YAML)")
    d.add_argument("--period", type=_period, required=True, help="YYYY-MM or YYYY-Q1..Q4")
    d.add_argument("--organization", help="name of the cell or ward (default: the first record's)")
    d.add_argument("--parent", help="the body above it, for the heading")
    d.add_argument("--unit", help="its org-unit path; records must be inside it (default: the first record's)")
    d.add_argument("--language", choices=["vi", "en"])
    d.add_argument("--number", type=int, help="its number (Số 03-BC/CB); default: left blank to fill in by hand")
    _add_output_args(d)
    _add_filter_args(d)
    d.set_defaults(func=cmd_draft_report)

    p = sub.add_parser("serve", help="run the HTTP API")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--no-seed", action="store_true", help="do not ingest the sample corpus into an empty index")
    p.add_argument("--workers", type=int, default=1, help="worker processes (more than 1 needs ASSISTANT_CHROMA_MODE=http)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("eval", help="evaluation harness")
    ev = p.add_subparsers(dest="eval_kind", required=True)
    e = ev.add_parser("documents", help="real files + manifest.jsonl (+ questions.jsonl): identity, structure, "
                      "text quality and answers")
    e.add_argument("dir")
    e.add_argument("--embedding-model")
    e.add_argument("--details", action="store_true", help="also list every file's detected metadata and every answer")
    e.set_defaults(func=cmd_eval_documents)
    e = ev.add_parser("synthesis", help="themes of comments (comments.jsonl with gold theme/topic): ARI, V-measure "
                                        "vs k-means, form letters merged, counts and quotes checked")
    e.add_argument("dir")
    e.add_argument("--threshold", type=float, help="cosine distance at which themes are cut (default: the setting)")
    e.add_argument("--sweep", action="store_true", help="also measure a range of thresholds")
    e.set_defaults(func=cmd_eval_synthesis)
    e = ev.add_parser("retrieval", help="BEIR-layout retrieval eval vs a naive baseline")
    e.add_argument("dir")
    e.add_argument("--split", default="test", help="qrels/<split>.tsv (default: test)")
    e.add_argument("--embedding-model")
    e.add_argument("--no-baseline", action="store_true")
    e.add_argument("--sweep", action="store_true", help="also measure every fusion setting of a grid on the same index")
    e.set_defaults(func=cmd_eval_retrieval)
    e = ev.add_parser("qa", help="citation precision and abstention accuracy of ask on a BEIR-layout set")
    e.add_argument("dir")
    e.add_argument("--split", default="test", help="qrels/<split>.tsv (default: test)")
    e.add_argument("--engine", choices=["auto", "extractive", "llm"], default="extractive")
    e.add_argument("--embedding-model")
    e.add_argument("--details", action="store_true", help="also list every question with its outcome")
    e.set_defaults(func=cmd_eval_qa)
    e = ev.add_parser("minutes", help="field coverage, invented facts and ROUGE of drafted minutes (JSONL set)")
    e.add_argument("dir")
    e.add_argument("--engine", choices=["auto", "extractive", "llm"], default="extractive")
    e.add_argument("--details", action="store_true", help="also list every record's figures and problems")
    e.set_defaults(func=cmd_eval_minutes)

    from assistant.cli_admin import add_commands as add_admin_commands
    from assistant.cli_meetings import add_commands as add_meeting_commands
    from assistant.cli_summaries import add_commands
    add_commands(sub, ev)
    add_admin_commands(sub)
    add_meeting_commands(sub)
    return parser


def _add_output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", help="write to this file (.md, .docx, .pdf or .json) instead of printing Markdown")
    p.add_argument("--format", choices=["markdown", "docx", "pdf", "json"], help="default: from the -o suffix, else markdown")


def _add_filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--viewer", help="caller's org unit: only what that unit may see")
    p.add_argument("--org-unit", help="only documents inside this org unit subtree")
    p.add_argument("--clearance", choices=[a.value for a in AccessLevel], help="highest access level to include")
    p.add_argument("--type", action="append", choices=[t.value for t in DocType], help="document type (repeatable)")
    p.add_argument("--from", dest="date_from", help="issued on or after YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", help="issued on or before YYYY-MM-DD")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InvalidRecord as exc:
        for problem in exc.problems:
            print(f"error: {problem.where()}: {problem.message}", file=sys.stderr)
        return 2
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
