"""Routes for consultations on drafts: open, read article by article, comment (app or paper), synthesise, report."""

from __future__ import annotations

import csv
import io
from typing import Literal

from fastapi import APIRouter, Depends, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from api.drafting import FORMAT_QUERY, MEDIA_TYPES, Format, respond
from api.errors import error_responses, links
from api.routes import get_assistant, read_upload, upload_part
from api.security import authorize, note
from assistant.auth import Principal
from assistant.consultations import Article, ConsultationSynthesis, ReportIn
from assistant.service import Assistant
from assistant.store.consultations import CommentBody, CommentOut, ConsultationOut, ConsultationPlan
from assistant.tasks.cell_documents import FormalDraft

router = APIRouter(prefix="/v1/consultations", tags=["consultations"], responses=error_responses(401, 403, 422, 429))
ONE = error_responses(404, 409)
COMMENT_ID = Path(ge=1, le=2**31 - 1)


class Added(BaseModel):
    added: int


@router.post(
    "",
    status_code=201,
    response_model=ConsultationOut,
    responses={
        **error_responses(404),
        **links(
            201,
            *(
                (name, operation, "consultation_id", "id")
                for name, operation in (
                    ("Consultation", "get_consultation"),
                    ("Articles", "consultation_articles"),
                    ("Comment", "add_comment"),
                    ("Synthesis", "consultation_synthesis"),
                )
            ),
        ),
    },
    summary="Open a consultation on an indexed draft for some org units, until a deadline",
)
def open_consultation(
    plan: ConsultationPlan,
    request: Request,
    caller: Principal = Depends(authorize("consultations.open")),
    assistant: Assistant = Depends(get_assistant),
) -> ConsultationOut:
    opened = assistant.consultations.open(caller, plan)
    note(request, target=opened.id, doc_id=plan.doc_id, org_units=opened.org_units)
    return opened


@router.get("", response_model=list[ConsultationOut], summary="Consultations you take part in or oversee")
def list_consultations(
    caller: Principal = Depends(authorize("consultations.read")), assistant: Assistant = Depends(get_assistant)
) -> list[ConsultationOut]:
    return assistant.consultations.store.listing(caller)


@router.get(
    "/{consultation_id}",
    response_model=ConsultationOut,
    responses=error_responses(404),
    summary="One consultation, with your own comments",
)
def get_consultation(
    consultation_id: str,
    caller: Principal = Depends(authorize("consultations.read")),
    assistant: Assistant = Depends(get_assistant),
) -> ConsultationOut:
    return assistant.consultations.store.get(caller, consultation_id)


@router.get(
    "/{consultation_id}/articles",
    response_model=list[Article],
    responses=error_responses(404),
    summary="The draft article by article (each article's target is what a comment on it sends)",
)
def consultation_articles(
    consultation_id: str,
    caller: Principal = Depends(authorize("consultations.read")),
    assistant: Assistant = Depends(get_assistant),
) -> list[Article]:
    return assistant.consultations.articles(caller, consultation_id)


@router.post(
    "/{consultation_id}/comments",
    status_code=201,
    response_model=CommentOut,
    responses=ONE,
    summary="Comment on an article or clause (or the whole draft): agree, disagree or propose a change",
)
def add_comment(
    consultation_id: str,
    body: CommentBody,
    request: Request,
    caller: Principal = Depends(authorize("consultations.comment")),
    assistant: Assistant = Depends(get_assistant),
) -> CommentOut:
    comment = assistant.consultations.comment(caller, consultation_id, body)
    note(request, target=consultation_id, comment=comment.id, stance=comment.stance)
    return comment


@router.put(
    "/{consultation_id}/comments/{comment_id}",
    response_model=CommentOut,
    responses=ONE,
    summary="Change your comment (until the deadline)",
)
def edit_comment(
    consultation_id: str,
    body: CommentBody,
    request: Request,
    comment_id: int = COMMENT_ID,
    caller: Principal = Depends(authorize("consultations.comment")),
    assistant: Assistant = Depends(get_assistant),
) -> CommentOut:
    comment = assistant.consultations.edit(caller, consultation_id, comment_id, body)
    note(request, target=consultation_id, comment=comment_id, version=comment.version)
    return comment


@router.delete(
    "/{consultation_id}/comments/{comment_id}",
    response_model=CommentOut,
    responses=ONE,
    summary="Withdraw your comment (until the deadline)",
)
def withdraw_comment(
    consultation_id: str,
    request: Request,
    comment_id: int = COMMENT_ID,
    caller: Principal = Depends(authorize("consultations.comment")),
    assistant: Assistant = Depends(get_assistant),
) -> CommentOut:
    comment = assistant.consultations.store.withdraw(caller, consultation_id, comment_id)
    note(request, target=consultation_id, comment=comment_id)
    return comment


@router.post(
    "/{consultation_id}/comments/upload",
    response_model=Added,
    responses={**ONE, **error_responses(413, 415)},
    summary="Comments gathered on paper (CSV or XLSX: noi_dung, dieu, y_kien, nguoi_gop_y); all rows or none",
)
async def upload_comments(
    consultation_id: str,
    request: Request,
    file: UploadFile = upload_part("the spreadsheet (.csv UTF-8 or .xlsx)"),
    caller: Principal = Depends(authorize("consultations.paper")),
    assistant: Assistant = Depends(get_assistant),
) -> Added:
    data = await read_upload(file, assistant.settings.max_file_bytes)
    added = assistant.consultations.import_paper(caller, consultation_id, data, file.filename or "comments.csv")
    note(request, target=consultation_id, added=added)
    return Added(added=added)


@router.get(
    "/{consultation_id}/comments",
    response_model=list[CommentOut],
    responses=error_responses(404),
    summary="Every comment of your unit's subtree (names hidden from the levels above a cell by default)",
)
def list_comments(
    consultation_id: str,
    caller: Principal = Depends(authorize("consultations.synthesis")),
    assistant: Assistant = Depends(get_assistant),
) -> list[CommentOut]:
    return assistant.consultations.store.comments(caller, consultation_id)[1]


@router.get(
    "/{consultation_id}/synthesis",
    response_model=ConsultationSynthesis,
    responses={**error_responses(404), 200: {"content": {"text/csv": {}}}},
    summary="Comments by article and theme, with counts that add up and verbatim quotes (JSON or CSV)",
)
def consultation_synthesis(
    consultation_id: str,
    request: Request,
    format: Literal["json", "csv"] = Query(default="json"),
    caller: Principal = Depends(authorize("consultations.synthesis")),
    assistant: Assistant = Depends(get_assistant),
) -> ConsultationSynthesis | Response:
    found = assistant.consultations.synthesis(caller, consultation_id)
    note(request, target=consultation_id, comments=found.synthesis.comments, unit=found.unit)
    if format == "json":
        return found
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "target",
            "theme",
            "comments",
            "agree",
            "disagree",
            "propose",
            "unmarked",
            "duplicates_merged",
            "title_comment_id",
            "comment_ids",
        ]
    )
    for t in found.synthesis.targets:
        for theme in [*t.themes, *([t.other] if t.other else [])]:
            writer.writerow(
                [
                    t.target,
                    theme.title,
                    theme.comments,
                    theme.agree,
                    theme.disagree,
                    theme.propose,
                    theme.unmarked,
                    theme.duplicates_merged,
                    theme.title_comment_id or "",
                    " ".join(theme.comment_ids),
                ]
            )
    return Response(
        out.getvalue().encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="synthesis-{consultation_id}.csv"'},
    )


@router.post(
    "/{consultation_id}/report",
    response_model=FormalDraft,
    responses={
        **error_responses(404, 503),
        200: {"content": {MEDIA_TYPES[f]: {} for f in ("markdown", "docx", "pdf")}},
    },
    summary="Báo cáo tổng hợp ý kiến góp ý dự thảo … in the official form (JSON, Markdown, DOCX or PDF)",
)
def consultation_report(
    consultation_id: str,
    body: ReportIn,
    request: Request,
    format: Format = FORMAT_QUERY,
    caller: Principal = Depends(authorize("consultations.synthesis")),
    assistant: Assistant = Depends(get_assistant),
) -> FormalDraft | Response:
    title, markdown = assistant.consultations.report(caller, consultation_id, body)
    note(request, target=consultation_id, format=format)
    return respond(assistant, FormalDraft(kind="report", title=title, language="vi", markdown=markdown), format)
