"""Drafting: ``assistant draft minutes|resolution|notice|report`` from meeting records."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli.common import add_filter_args, add_output_args, deliver, filter_from_args, settings_from


def cmd_draft_minutes(args: argparse.Namespace) -> int:
    from assistant.meeting import load_record
    from assistant.service import Assistant

    record = load_record(Path(args.record))
    if args.transcript:
        record = record.model_copy(update={"transcript": Path(args.transcript).read_text(encoding="utf-8")})
    assistant = Assistant(settings_from(args))
    draft = assistant.minutes.draft(record, engine=args.engine)
    deliver(assistant, draft, args)
    print(
        f"(engine: {draft.engine}; facts checked: {draft.facts_checked}, coverage {draft.field_coverage:.0%})",
        file=sys.stderr,
    )
    return 0


def cmd_draft_resolution(args: argparse.Namespace) -> int:
    from assistant.meeting import load_record
    from assistant.service import Assistant

    record = load_record(Path(args.record))
    assistant = Assistant(settings_from(args))
    draft = assistant.resolutions.draft(record, number=args.number)
    deliver(assistant, draft, args)
    return 0


def cmd_draft_notice(args: argparse.Namespace) -> int:
    from assistant.meeting import load_notice
    from assistant.service import Assistant

    notice = load_notice(Path(args.notice))
    assistant = Assistant(settings_from(args))
    draft = assistant.notices.draft(notice, lambda number: assistant.document_title(number, filter_from_args(args)))
    deliver(assistant, draft, args)
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
    organization = Organization(
        name=args.organization or first.name,
        parent=args.parent or first.parent,
        org_unit=args.unit if args.unit is not None else first.org_unit,
        place_name=first.place_name,
    )
    request = ReportRequest(
        organization=organization,
        period=args.period,
        records=records,
        language=args.language or records[0].language,
        number=args.number,
    )
    assistant = Assistant(settings_from(args))
    draft = assistant.reporter.draft(request, scope=filter_from_args(args))
    deliver(assistant, draft, args)
    return 0


def add_commands(sub: argparse._SubParsersAction, evals: argparse._SubParsersAction) -> None:
    p = sub.add_parser("draft", help="draft minutes or a periodic report from meeting records")
    dr = p.add_subparsers(dest="draft_kind", required=True)
    d = dr.add_parser("minutes", help="minutes of one meeting from its record (JSON or YAML)")
    d.add_argument("record")
    d.add_argument("--transcript", help="a transcript file ('Name: words' lines) to draft the discussion from")
    d.add_argument("--engine", choices=["auto", "extractive", "llm"], default="auto")
    add_output_args(d)
    d.set_defaults(func=cmd_draft_minutes)
    d = dr.add_parser("resolution", help="the cell's monthly resolution (NGHỊ QUYẾT) from a meeting record")
    d.add_argument("record")
    d.add_argument("--number", type=int, help="its number (Số 05-NQ/CB); default: left blank to fill in by hand")
    add_output_args(d)
    d.set_defaults(func=cmd_draft_resolution)
    d = dr.add_parser("notice", help="the notice of a coming meeting (THÔNG BÁO) from a notice file (JSON or YAML)")
    d.add_argument("notice")
    add_output_args(d)
    add_filter_args(d)
    d.set_defaults(func=cmd_draft_notice)
    d = dr.add_parser("report", help="monthly or quarterly report of a cell or ward from its meeting records")
    d.add_argument("records", nargs="+", help="meeting record files (JSON or YAML)")
    d.add_argument("--period", type=_period, required=True, help="YYYY-MM or YYYY-Q1..Q4")
    d.add_argument("--organization", help="name of the cell or ward (default: the first record's)")
    d.add_argument("--parent", help="the body above it, for the heading")
    d.add_argument("--unit", help="its org-unit path; records must be inside it (default: the first record's)")
    d.add_argument("--language", choices=["vi", "en"])
    d.add_argument("--number", type=int, help="its number (Số 03-BC/CB); default: left blank to fill in by hand")
    add_output_args(d)
    add_filter_args(d)
    d.set_defaults(func=cmd_draft_report)
