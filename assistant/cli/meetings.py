"""Command line for the meeting cycle, acting with an API key on the local store (as the HTTP API does):

assistant meetings --key KEY list|schedule|publish|reply|record|draft|approve|figures|roster
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from assistant.auth import Principal
from assistant.cli.common import print_json, record_cli_action, settings_from
from assistant.errors import InvalidInput, Unauthenticated
from assistant.meeting import InvalidRecord, MeetingRecord, check_record, problems_of, read_data
from assistant.service import Assistant
from assistant.store.meetings import MeetingOut, MeetingPlan, ReplyIn


def _caller(assistant: Assistant, args: argparse.Namespace) -> Principal:
    key = args.key or os.environ.get("ASSISTANT_KEY", "")
    principal = assistant.keys.authenticate(key) if key else None
    if principal is None:
        raise Unauthenticated("give a valid API key with --key (or ASSISTANT_KEY)")
    return principal


def _validated(model: type[BaseModel], path: Path, what: str):
    try:
        return model.model_validate(read_data(path, what))
    except ValidationError as exc:
        raise InvalidRecord(problems_of(exc)) from exc


def _show(meeting: MeetingOut) -> None:
    where = meeting.place or "online"
    replies = f"{meeting.attending} attending, {meeting.not_attending} not"
    published = "" if meeting.published_at else "  (notice not published)"
    print(
        f"{meeting.id}  {meeting.starts_at:%Y-%m-%d %H:%M}  {meeting.status:9} {meeting.organization.name} — {where}"
        f"  [{replies}]{published}"
    )
    for document in meeting.documents:
        print(f"    {document.kind} r{document.revision}: {document.status} — {document.title}")


def cmd_meetings(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    assistant = Assistant(settings)
    try:
        caller = _caller(assistant, args)
        result = run(assistant, caller, args)
        record_cli_action(
            settings, f"meetings.{args.meetings_command}", getattr(args, "meeting_id", None), key_id=caller.key_id
        )
        return result
    finally:
        assistant.close()


def run(assistant: Assistant, caller: Principal, args: argparse.Namespace) -> int:
    command, cycle, meetings = args.meetings_command, assistant.cycle, assistant.meetings
    meeting: MeetingOut | None = None
    if command == "list":
        found = meetings.listing(caller, open_only=not args.all)
        if args.json:
            print_json([m.model_dump(mode="json") for m in found])
        for m in [] if args.json else found:
            _show(m)
        return 0
    if command == "schedule":
        meeting = meetings.schedule(caller, _validated(MeetingPlan, Path(args.file), "meeting plan"))
    elif command == "publish":
        meeting = cycle.publish(
            caller,
            args.meeting_id,
            args.number,
            args.language,
            lambda number: assistant.document_title(number, caller.scope()),
        )
    elif command == "reply":
        reply = meetings.reply(
            caller, args.meeting_id, ReplyIn(attending=args.absent is None, reason=args.absent or "")
        )
        print(
            f"replied: {'attending' if reply.attending else 'not attending — ' + reply.reason} "
            f"(version {reply.version})"
        )
        return 0
    elif command == "record" and args.save:
        record = check_record(_validated(MeetingRecord, Path(args.save), "meeting record"))
        meeting = cycle.minutes_archive.save_record(caller, args.meeting_id, record)
    elif command == "record":
        assistant.synced_roster()
        draft = cycle.minutes_archive.prefill(caller, args.meeting_id)
        yaml.safe_dump(draft.record, sys.stdout, allow_unicode=True, sort_keys=False)
        print("# " + "; ".join(f"{k}: {v}" for k, v in draft.sources.items()), file=sys.stderr)
        return 0
    elif command == "draft":
        meeting = cycle.draft_documents(caller, args.meeting_id)
    elif command == "approve":
        meeting = cycle.approve(caller, args.meeting_id)
    elif command == "figures":
        figures = meetings.month_figures(caller, args.month, args.org_unit)
        writer = csv.DictWriter(sys.stdout, fieldnames=list(figures[0].model_dump()) if figures else ["org_unit"])
        writer.writeheader()
        writer.writerows(f.model_dump() for f in figures)
        return 0
    elif command == "roster":
        for entry in assistant.synced_roster().listing(caller, args.org_unit):
            exempt = f"  exempt: {entry.exempt_reason}" if entry.exempt else ""
            print(f"{entry.key_id}  {entry.org_unit:50} {entry.membership:12} {entry.name}{exempt}")
        return 0
    if meeting is None:
        raise InvalidInput(f"unknown command {command}")
    _show(meeting)
    return 0


def add_commands(sub: argparse._SubParsersAction, evals: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "meetings",
        help="the meeting cycle with an API key: schedule, publish, reply, record, draft, approve, figures, roster",
    )
    p.add_argument("--key", help="the API key to act with (default: $ASSISTANT_KEY)")
    ms = p.add_subparsers(dest="meetings_command", required=True)
    m = ms.add_parser("list", help="the open meetings you may see (--all: every one)")
    m.add_argument("--all", action="store_true")
    m.add_argument("--json", action="store_true")
    m = ms.add_parser(
        "schedule",
        help="schedule a meeting from a plan file (JSON or YAML: organization, date, "
        "time_start, place, agenda, readings)",
    )
    m.add_argument("file")
    m = ms.add_parser("publish", help="draft the notice and send it to the cell's members")
    m.add_argument("meeting_id")
    m.add_argument("--number", type=int, help="the notice's number")
    m.add_argument("--language", choices=["vi", "en"], default="vi")
    m = ms.add_parser("reply", help="your reply: attending (default), or --absent REASON")
    m.add_argument("meeting_id")
    m.add_argument("--absent", metavar="REASON", help="you cannot attend, and why")
    m = ms.add_parser("record", help="print the pre-filled record (YAML) to complete; --save FILE keeps it")
    m.add_argument("meeting_id")
    m.add_argument("--save", metavar="FILE", help="the completed record (JSON or YAML)")
    m = ms.add_parser("draft", help="draft the minutes (and resolution) from the saved record")
    m.add_argument("meeting_id")
    m = ms.add_parser("approve", help="approve the drafts (the chair; not whoever drafted them)")
    m.add_argument("meeting_id")
    m = ms.add_parser("figures", help="a month's figures per cell, as CSV")
    m.add_argument("month", help="YYYY-MM")
    m.add_argument("--org-unit")
    m = ms.add_parser("roster", help="the members of your unit's cells")
    m.add_argument("--org-unit")
    p.set_defaults(func=cmd_meetings)
