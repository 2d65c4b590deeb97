"""Routes that draft documents: minutes and periodic reports, as JSON, Markdown or DOCX."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from assistant.auth import Principal
from assistant.docx_writer import markdown_to_docx
from assistant.meeting import InvalidRecord
from assistant.service import Assistant
from assistant.tasks.minutes import MinutesDraft
from assistant.tasks.report import ReportDraft
from assistant.text import slugify

from api.routes import get_assistant
from api.schemas import DraftMinutesRequest, DraftReportRequest
from api.downloads import attachment_headers
from api.errors import error_responses
from api.security import authorize, note

router = APIRouter(prefix="/v1/draft", tags=["drafting"], responses=error_responses(401, 403, 422))
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Format = Literal["json", "markdown", "docx"]
FORMAT_QUERY = Query(default="json", description="json (with the Markdown inside), markdown or docx (a download)")


def as_download(markdown: str, title: str, fmt: Format) -> Response:
    """The draft as a file to save: Markdown text or a Word document."""
    name = slugify(title, max_len=60)
    if fmt == "docx":
        body, media_type, name = markdown_to_docx(markdown), DOCX_TYPE, f"{name}.docx"
    else:
        body, media_type, name = markdown.encode("utf-8"), "text/markdown; charset=utf-8", f"{name}.md"
    return Response(content=body, media_type=media_type, headers=attachment_headers(name))


@router.post("/minutes", summary="Draft meeting minutes from a meeting record", response_model=MinutesDraft,
             responses=error_responses(503))
def draft_minutes(body: DraftMinutesRequest, request: Request, format: Format = FORMAT_QUERY,
                  caller: Principal = Depends(authorize("draft.minutes")),
                  assistant: Assistant = Depends(get_assistant)) -> MinutesDraft | Response:
    note(request, target=body.record.organization.name, meeting_date=str(body.record.date), format=format)
    try:
        draft = assistant.minutes.draft(body.record, engine=body.engine)
    except InvalidRecord as exc:
        raise exc.under("record") from exc
    return draft if format == "json" else as_download(draft.markdown, draft.title, format)


@router.post("/report", summary="Draft a monthly or quarterly activity report from meeting records",
             response_model=ReportDraft)
def draft_report(body: DraftReportRequest, request: Request, format: Format = FORMAT_QUERY,
                 caller: Principal = Depends(authorize("draft.report")),
                 assistant: Assistant = Depends(get_assistant)) -> ReportDraft | Response:
    draft = assistant.reporter.draft(body, scope=body.filters.to_filter(caller))
    note(request, target=draft.title, format=format, cited=sorted({c.doc_id for c in draft.citations}))
    return draft if format == "json" else as_download(draft.markdown, draft.title, format)
