"""Routes for the cells' rosters and each key's secret calendar feed of meetings."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.errors import error_responses
from api.routes import get_assistant
from api.security import authorize, note
from assistant.auth import Principal
from assistant.service import Assistant
from assistant.store.roster import RosterChange, RosterEntry

router = APIRouter(tags=["meetings"], responses=error_responses(401, 403, 422, 429))


class CalendarAddress(BaseModel):
    url: str = Field(description="the secret address to add to a phone's calendar; keep it private")


@router.get(
    "/v1/roster",
    response_model=list[RosterEntry],
    summary="The members of a cell (or of every cell under a unit): secretaries, committees, admins",
)
def list_roster(
    org_unit: str | None = Query(default=None, max_length=300, description="default: your unit"),
    all: bool = Query(default=False, description="members whose key was revoked too"),
    caller: Principal = Depends(authorize("roster.read")),
    assistant: Assistant = Depends(get_assistant),
) -> list[RosterEntry]:
    return assistant.synced_roster().listing(caller, org_unit, include_inactive=all)


@router.patch(
    "/v1/roster/{key_id}",
    response_model=RosterEntry,
    responses=error_responses(404, 409),
    summary="Change a member's entry: official or probationary, excused from meetings and why",
)
def change_roster_entry(
    change: RosterChange,
    request: Request,
    key_id: str = Path(max_length=64),
    caller: Principal = Depends(authorize("roster.update")),
    assistant: Assistant = Depends(get_assistant),
) -> RosterEntry:
    entry = assistant.synced_roster().update(caller, key_id, change)
    note(request, target=key_id, membership=entry.membership, exempt=entry.exempt)
    return entry


@router.post(
    "/v1/me/calendar",
    response_model=CalendarAddress,
    summary="A new secret calendar address (.ics) of the meetings you see; the previous one stops working",
)
def issue_calendar(
    request: Request,
    caller: Principal = Depends(authorize("calendar.issue")),
    assistant: Assistant = Depends(get_assistant),
) -> CalendarAddress:
    token = assistant.cycle.feeds.issue(caller.key_id)
    return CalendarAddress(url=str(request.url_for("calendar_feed", token=token)))


@router.get(
    "/v1/calendar/{token}.ics",
    name="calendar_feed",
    responses=error_responses(404),
    response_class=Response,
    summary="A calendar feed (iCalendar); the secret address is the key",
)
def calendar_feed(
    token: str = Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$"),
    lang: str = Query(default="vi", pattern="^(vi|en)$"),
    assistant: Assistant = Depends(get_assistant),
) -> Response:
    body = assistant.cycle.calendar(token, lang)
    return Response(body, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "private, max-age=300"})
