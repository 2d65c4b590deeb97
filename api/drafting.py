"""Routes that draft the cycle's documents in the official form: minutes, the cell's resolution, the meeting
notice and periodic reports, as JSON, Markdown, DOCX or PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.downloads import attachment_headers
from api.errors import error_responses
from api.routes import get_assistant
from api.schemas import DraftMinutesRequest, DraftReportRequest, DraftResolutionRequest
from api.security import authorize, note
from assistant.auth import Principal
from assistant.meeting import InvalidRecord, MeetingNotice, MeetingRecord
from assistant.service import Assistant
from assistant.tasks.cell_documents import FormalDraft
from assistant.tasks.minutes import MinutesDraft
from assistant.tasks.report import ReportDraft
from assistant.text import slugify

router = APIRouter(prefix="/v1/draft", tags=["drafting"], responses=error_responses(401, 403, 422, 429))
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "markdown": "text/markdown; charset=utf-8",
}
Format = Literal["json", "markdown", "docx", "pdf"]
Draft = TypeVar("Draft", MinutesDraft, FormalDraft, ReportDraft)
FORMAT_QUERY = Query(
    default="json",
    description="json (with the Markdown inside), markdown, docx or pdf (a download "
    "in the official form; pdf needs LibreOffice on the server, else 503)",
)


def as_download(assistant: Assistant, markdown: str, title: str, fmt: Format) -> Response:
    """The draft as a file to save: Markdown text, or a Word document / PDF in the official form."""
    name = slugify(title, max_len=60)
    body = markdown.encode("utf-8") if fmt == "markdown" else assistant.document_file(markdown, fmt)
    suffix = "md" if fmt == "markdown" else fmt
    return Response(content=body, media_type=MEDIA_TYPES[fmt], headers=attachment_headers(f"{name}.{suffix}"))


def respond(assistant: Assistant, draft: Draft, fmt: Format) -> Draft | Response:
    """The draft as JSON, or as a file to save."""
    return draft if fmt == "json" else as_download(assistant, draft.markdown, draft.title, fmt)


def notice_response(
    assistant: Assistant, notice: MeetingNotice, caller: Principal, fmt: Format
) -> FormalDraft | Response:
    """A notice, its readings titled from the documents ``caller`` may open."""
    draft = assistant.notices.draft(notice, lambda number: assistant.document_title(number, caller.scope()))
    return respond(assistant, draft, fmt)


def from_record(
    request: Request, record: MeetingRecord, fmt: Format, assistant: Assistant, make: Callable[[], Draft]
) -> Draft | Response:
    """A document drafted from a meeting record: its problems located under ``record``, JSON or a download."""
    note(request, target=record.organization.name, meeting_date=str(record.date), format=fmt)
    try:
        draft = make()
    except InvalidRecord as exc:
        raise exc.under("record") from exc
    return respond(assistant, draft, fmt)


@router.post(
    "/minutes",
    summary="Draft meeting minutes from a meeting record",
    response_model=MinutesDraft,
    responses=error_responses(503),
)
def draft_minutes(
    body: DraftMinutesRequest,
    request: Request,
    format: Format = FORMAT_QUERY,
    caller: Principal = Depends(authorize("draft.minutes")),
    assistant: Assistant = Depends(get_assistant),
) -> MinutesDraft | Response:
    return from_record(
        request, body.record, format, assistant, lambda: assistant.minutes.draft(body.record, engine=body.engine)
    )


@router.post(
    "/resolution",
    summary="Draft the cell's monthly resolution (NGHỊ QUYẾT) from a meeting record",
    response_model=FormalDraft,
    responses=error_responses(503),
)
def draft_resolution(
    body: DraftResolutionRequest,
    request: Request,
    format: Format = FORMAT_QUERY,
    caller: Principal = Depends(authorize("draft.resolution")),
    assistant: Assistant = Depends(get_assistant),
) -> FormalDraft | Response:
    return from_record(
        request,
        body.record,
        format,
        assistant,
        lambda: assistant.resolutions.draft(body.record, number=body.number, recipients=body.recipients),
    )


@router.post(
    "/notice",
    summary="Draft the notice of a coming meeting (THÔNG BÁO): time, place, agenda, readings",
    response_model=FormalDraft,
    responses=error_responses(503),
)
def draft_notice(
    body: MeetingNotice,
    request: Request,
    format: Format = FORMAT_QUERY,
    caller: Principal = Depends(authorize("draft.notice")),
    assistant: Assistant = Depends(get_assistant),
) -> FormalDraft | Response:
    note(request, target=body.organization.name, meeting_date=str(body.date), format=format)
    return notice_response(assistant, body, caller, format)


@router.post(
    "/report", summary="Draft a monthly or quarterly activity report from meeting records", response_model=ReportDraft
)
def draft_report(
    body: DraftReportRequest,
    request: Request,
    format: Format = FORMAT_QUERY,
    caller: Principal = Depends(authorize("draft.report")),
    assistant: Assistant = Depends(get_assistant),
) -> ReportDraft | Response:
    draft = assistant.reporter.draft(body, scope=body.filters.to_filter(caller))
    note(request, target=draft.title, format=format, cited=sorted({c.doc_id for c in draft.citations}))
    return respond(assistant, draft, format)
