"""Routes for the cell's meetings: schedule, publish the notice, reply, complete the record, draft, approve;
the month's figures per cell (JSON or CSV) and the periodic report from the stored records."""

from __future__ import annotations

import csv
import io
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.drafting import FORMAT_QUERY, MEDIA_TYPES, Format, as_download, respond
from api.errors import error_responses, links
from api.routes import get_assistant
from api.security import authorize, note
from assistant.auth import Principal
from assistant.errors import NotFound
from assistant.meeting import MeetingRecord, Organization, Person
from assistant.service import Assistant
from assistant.store.meetings import MeetingOut, MeetingPlan, MonthFigures, ReplyIn, ReplyOut, overseen_unit
from assistant.store.minutes_archive import RecordDraft
from assistant.tasks.cell_documents import FormalDraft
from assistant.tasks.report import ReportDraft, ReportPeriod, ReportRequest

router = APIRouter(prefix="/v1/meetings", tags=["meetings"], responses=error_responses(401, 403, 422, 429))
ONE = error_responses(404, 409)
Language = Literal["vi", "en"]
NUMBER_QUERY = Query(default=None, ge=1, le=999, description="the document's number (Số 05-TB/CB)")


class VersionIn(BaseModel):
    expected_version: int | None = Field(
        default=None, ge=1, description=("the meeting's version you saw: a meeting changed meanwhile is a 409")
    )


class RecordIn(VersionIn):
    record: MeetingRecord


class MeetingReportIn(BaseModel):
    organization: Organization = Field(description="the cell or ward the report is about")
    org_unit: str | None = Field(default=None, max_length=300, description="whose meetings; default: your unit")
    period: ReportPeriod
    language: Language = "vi"
    number: int | None = Field(default=None, ge=1, le=999)
    signer: Person | None = None


def _title(assistant: Assistant, caller: Principal):
    return lambda number: assistant.document_title(number, caller.scope())


@router.post(
    "",
    status_code=201,
    response_model=MeetingOut,
    responses=links(
        201,
        *(
            (name, operation, "meeting_id", "id")
            for name, operation in (
                ("Meeting", "get_meeting"),
                ("Publish", "publish_meeting"),
                ("Reply", "reply_to_meeting"),
                ("Record", "get_record"),
            )
        ),
    ),
    summary="Schedule a meeting of your cell (secretary) or of a cell under your unit (committee)",
)
def schedule_meeting(
    plan: MeetingPlan,
    request: Request,
    caller: Principal = Depends(authorize("meetings.schedule")),
    assistant: Assistant = Depends(get_assistant),
) -> MeetingOut:
    meeting = assistant.meetings.schedule(caller, plan)
    note(request, target=meeting.id, org_unit=meeting.org_unit, starts_at=str(meeting.starts_at))
    return meeting


@router.get("", response_model=list[MeetingOut], summary="Meetings you may see, soonest first")
def list_meetings(
    all: bool = Query(
        default=False,
        description="approved and cancelled meetings too (default: the coming ones and those waiting for minutes)",
    ),
    caller: Principal = Depends(authorize("meetings.read")),
    assistant: Assistant = Depends(get_assistant),
) -> list[MeetingOut]:
    return assistant.meetings.listing(caller, open_only=not all)


@router.get(
    "/figures",
    response_model=list[MonthFigures],
    responses={200: {"content": {"text/csv": {}}}},
    summary="Per cell under a unit, for one month: scheduled, held, replies, present of expected, decisions",
)
def month_figures(
    month: str = Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM"),
    org_unit: str | None = Query(default=None, max_length=300, description="default: your unit"),
    format: Literal["json", "csv"] = Query(default="json", description="csv: one row per cell"),
    caller: Principal = Depends(authorize("meetings.figures")),
    assistant: Assistant = Depends(get_assistant),
) -> list[MonthFigures] | Response:
    figures = assistant.meetings.month_figures(caller, month, org_unit)
    if format == "json":
        return figures
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(MonthFigures.model_fields))
    writer.writeheader()
    writer.writerows(f.model_dump() for f in figures)
    return Response(
        out.getvalue().encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",  # BOM: Excel reads UTF-8
        headers={"Content-Disposition": f'attachment; filename="meetings-{month}.csv"'},
    )


@router.post(
    "/report",
    response_model=ReportDraft,
    responses=error_responses(404),
    summary="The periodic activity report of a unit, from the records of its held meetings",
)
def meetings_report(
    body: MeetingReportIn,
    request: Request,
    format: Format = FORMAT_QUERY,
    caller: Principal = Depends(authorize("meetings.figures")),
    assistant: Assistant = Depends(get_assistant),
) -> ReportDraft | Response:
    unit = overseen_unit(caller, body.org_unit)
    records = assistant.cycle.minutes_archive.records_in(caller, body.period.first_day, body.period.last_day, unit)
    if not records:
        raise NotFound(
            f"no held meeting of {unit or 'the organization'} in {body.period.label(body.language)} "
            "has its record completed"
        )
    report = ReportRequest(
        organization=body.organization,
        period=body.period,
        records=records,
        language=body.language,
        number=body.number,
        signer=body.signer,
    )
    draft = assistant.reporter.draft(report, scope=caller.scope())
    note(request, target=draft.title, meetings=len(records), format=format)
    return respond(assistant, draft, format)


@router.get(
    "/{meeting_id}",
    response_model=MeetingOut,
    summary="One meeting (with every reply and draft for its secretary and the committees above)",
    responses=error_responses(404),
)
def get_meeting(
    meeting_id: str,
    caller: Principal = Depends(authorize("meetings.read")),
    assistant: Assistant = Depends(get_assistant),
) -> MeetingOut:
    return assistant.meetings.get(caller, meeting_id)


@router.put(
    "/{meeting_id}/reply",
    response_model=ReplyOut,
    responses=ONE,
    summary="Your reply (a member of the meeting's cell): attending, or not with the reason; until it starts",
)
def reply_to_meeting(
    meeting_id: str,
    answer: ReplyIn,
    request: Request,
    caller: Principal = Depends(authorize("meetings.reply")),
    assistant: Assistant = Depends(get_assistant),
) -> ReplyOut:
    reply = assistant.meetings.reply(caller, meeting_id, answer)
    note(request, target=meeting_id, attending=reply.attending, version=reply.version)
    return reply


@router.post(
    "/{meeting_id}/notice",
    response_model=FormalDraft,
    responses=error_responses(404, 503),
    summary="The notice (THÔNG BÁO) of a scheduled meeting in the official form, signed by you",
)
def meeting_notice(
    meeting_id: str,
    request: Request,
    format: Format = FORMAT_QUERY,
    number: int | None = NUMBER_QUERY,
    language: Language = Query(default="vi"),
    caller: Principal = Depends(authorize("meetings.schedule")),
    assistant: Assistant = Depends(get_assistant),
) -> FormalDraft | Response:
    draft = assistant.cycle.notice(caller, meeting_id, number, language, _title(assistant, caller))
    note(request, target=meeting_id, format=format)
    return respond(assistant, draft, format)


@router.post(
    "/{meeting_id}/publish",
    response_model=MeetingOut,
    responses=ONE,
    summary="Send the notice to the cell's members: they see the meeting, its calendar entry, and reply",
)
def publish_meeting(
    meeting_id: str,
    request: Request,
    number: int | None = NUMBER_QUERY,
    language: Language = Query(default="vi"),
    caller: Principal = Depends(authorize("meetings.publish")),
    assistant: Assistant = Depends(get_assistant),
) -> MeetingOut:
    meeting = assistant.cycle.publish(caller, meeting_id, number, language, _title(assistant, caller))
    note(request, target=meeting_id, version=meeting.version)
    return meeting


@router.post(
    "/{meeting_id}/cancel",
    response_model=MeetingOut,
    responses=ONE,
    summary="Cancel a meeting before it starts (its members see it cancelled)",
)
def cancel_meeting(
    meeting_id: str,
    request: Request,
    body: VersionIn | None = None,
    caller: Principal = Depends(authorize("meetings.publish")),
    assistant: Assistant = Depends(get_assistant),
) -> MeetingOut:
    meeting = assistant.meetings.cancel(caller, meeting_id, body.expected_version if body else None)
    note(request, target=meeting_id)
    return meeting


@router.get(
    "/{meeting_id}/record",
    response_model=RecordDraft,
    responses=ONE,
    summary="The meeting's record: the saved one, or pre-filled from the roster, the replies and the agenda",
)
def get_record(
    meeting_id: str,
    caller: Principal = Depends(authorize("meetings.record")),
    assistant: Assistant = Depends(get_assistant),
) -> RecordDraft:
    assistant.synced_roster()
    return assistant.cycle.minutes_archive.prefill(caller, meeting_id)


@router.put(
    "/{meeting_id}/record",
    response_model=MeetingOut,
    responses=ONE,
    summary="Save the completed record after the meeting (the meeting is then held)",
)
def save_record(
    meeting_id: str,
    body: RecordIn,
    request: Request,
    caller: Principal = Depends(authorize("meetings.record")),
    assistant: Assistant = Depends(get_assistant),
) -> MeetingOut:
    meeting = assistant.cycle.minutes_archive.save_record(caller, meeting_id, body.record, body.expected_version)
    note(request, target=meeting_id, present=body.record.members_present, decisions=len(body.record.decisions))
    return meeting


@router.post(
    "/{meeting_id}/documents",
    response_model=MeetingOut,
    responses=ONE,
    summary="Draft the minutes (and the resolution, when it decided anything) from the saved record",
)
def draft_meeting_documents(
    meeting_id: str,
    request: Request,
    engine: Literal["auto", "extractive", "llm"] = Query(default="auto"),
    number: int | None = NUMBER_QUERY,
    caller: Principal = Depends(authorize("meetings.draft")),
    assistant: Assistant = Depends(get_assistant),
) -> MeetingOut:
    meeting = assistant.cycle.draft_documents(caller, meeting_id, engine, number)
    note(request, target=meeting_id, documents=[f"{d.kind} r{d.revision} {d.status}" for d in meeting.documents])
    return meeting


@router.get(
    "/{meeting_id}/documents/{kind}",
    responses={**ONE, 200: {"content": {MEDIA_TYPES[f]: {} for f in ("markdown", "docx", "pdf")}}},
    summary="The newest minutes or resolution you may see, to read or download in the official form",
)
def meeting_document(
    meeting_id: str,
    kind: Literal["minutes", "resolution"],
    format: Literal["markdown", "docx", "pdf"] = Query(default="markdown"),
    caller: Principal = Depends(authorize("meetings.read")),
    assistant: Assistant = Depends(get_assistant),
) -> Response:
    meeting = assistant.meetings.get(caller, meeting_id)
    revisions = [d for d in meeting.documents if d.kind == kind and d.status != "superseded"]
    if not revisions:
        raise NotFound(f"the meeting has no {kind} you may see yet")
    newest = max(revisions, key=lambda d: d.revision)
    return as_download(assistant, newest.markdown, newest.title, format)


@router.post(
    "/{meeting_id}/approve",
    response_model=MeetingOut,
    responses=ONE,
    summary="Approve the drafted minutes and resolution (the chair; not whoever drafted them): they "
    "become immutable and searchable by the cell",
)
def approve_meeting(
    meeting_id: str,
    request: Request,
    body: VersionIn | None = None,
    caller: Principal = Depends(authorize("meetings.approve")),
    assistant: Assistant = Depends(get_assistant),
) -> MeetingOut:
    meeting = assistant.cycle.approve(caller, meeting_id, body.expected_version if body else None)
    note(request, target=meeting_id, approved=[d.doc_id for d in meeting.documents if d.status == "approved"])
    return meeting
