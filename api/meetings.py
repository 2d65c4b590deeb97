"""Routes for the cell's meetings: schedule, see, reply, and the month's figures per cell."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.drafting import FORMAT_QUERY, Format, notice_response
from api.errors import error_responses
from api.routes import get_assistant
from api.security import authorize, note
from assistant.auth import Principal
from assistant.meeting import MeetingNotice, Person
from assistant.service import Assistant
from assistant.store.meetings import MeetingOut, MeetingPlan, MonthFigures, ReplyIn, ReplyOut
from assistant.tasks.cell_documents import FormalDraft

router = APIRouter(prefix="/v1/meetings", tags=["meetings"], responses=error_responses(401, 403, 422))


@router.post("", status_code=201, response_model=MeetingOut,
             summary="Schedule a meeting of your cell (secretary) or of a cell under your unit (committee)")
def schedule_meeting(plan: MeetingPlan, request: Request, caller: Principal = Depends(authorize("meetings.schedule")),
                     assistant: Assistant = Depends(get_assistant)) -> MeetingOut:
    meeting = assistant.meetings.schedule(caller, plan)
    note(request, target=meeting.id, org_unit=meeting.org_unit, starts_at=str(meeting.starts_at))
    return meeting


@router.get("", response_model=list[MeetingOut], summary="Meetings you may see, soonest first")
def list_meetings(all: bool = Query(default=False, description="past and cancelled meetings too"),
                  caller: Principal = Depends(authorize("meetings.read")),
                  assistant: Assistant = Depends(get_assistant)) -> list[MeetingOut]:
    return assistant.meetings.listing(caller, upcoming_only=not all)


@router.get("/figures", response_model=list[MonthFigures],
            summary="Per cell under a unit, for one month: meetings scheduled, replies, attending and not")
def month_figures(month: str = Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM"),
                  org_unit: str | None = Query(default=None, max_length=300, description="default: your unit"),
                  caller: Principal = Depends(authorize("meetings.figures")),
                  assistant: Assistant = Depends(get_assistant)) -> list[MonthFigures]:
    return assistant.meetings.month_figures(caller, month, org_unit)


@router.get("/{meeting_id}", response_model=MeetingOut, summary="One meeting (with every reply for its secretary "
                                                               "and the committees above)",
            responses=error_responses(404))
def get_meeting(meeting_id: str, caller: Principal = Depends(authorize("meetings.read")),
                assistant: Assistant = Depends(get_assistant)) -> MeetingOut:
    return assistant.meetings.get(caller, meeting_id)


@router.put("/{meeting_id}/reply", response_model=ReplyOut, responses=error_responses(404, 409),
            summary="Your reply (a member of the meeting's cell): attending, or not with the reason; until it starts")
def reply_to_meeting(meeting_id: str, answer: ReplyIn, request: Request,
                     caller: Principal = Depends(authorize("meetings.reply")),
                     assistant: Assistant = Depends(get_assistant)) -> ReplyOut:
    reply = assistant.meetings.reply(caller, meeting_id, answer)
    note(request, target=meeting_id, attending=reply.attending, version=reply.version)
    return reply


@router.post("/{meeting_id}/notice", response_model=FormalDraft, responses=error_responses(404, 503),
             summary="The notice (THÔNG BÁO) of a scheduled meeting in the official form, signed by you")
def meeting_notice(meeting_id: str, request: Request, format: Format = FORMAT_QUERY,
                   number: int | None = Query(default=None, ge=1, le=999, description="the notice's number"),
                   language: Literal["vi", "en"] = Query(default="vi"),
                   caller: Principal = Depends(authorize("meetings.schedule")),
                   assistant: Assistant = Depends(get_assistant)) -> FormalDraft | Response:
    meeting = assistant.meetings.get(caller, meeting_id)
    notice = MeetingNotice(
        organization=meeting.organization, kind=meeting.kind, topic=meeting.topic, language=language,
        date=meeting.starts_at.date(), time_start=meeting.starts_at.time(), place=meeting.place,
        online=meeting.online, agenda=meeting.agenda, readings=meeting.readings,
        issued_on=min(dt.date.today(), meeting.starts_at.date()), signer=Person(name=caller.name), number=number)
    note(request, target=meeting_id, format=format)
    return notice_response(assistant, notice, caller, format)
