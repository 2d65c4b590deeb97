"""Meetings of a cell in the application store: scheduled by its secretary, seen by its members (and the
committees above), replied to by each member until the meeting starts, counted per cell and month.

Who sees what follows the org-unit tree, as for documents: a meeting belongs to one cell; its members (keys
of exactly that unit) reply; keys of the units above it (ward and province committees, admins) see it and its
figures; a sibling cell sees nothing of it (the same 404 as a missing one).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from assistant.auth import Permission, Principal
from assistant.errors import AccessDenied, Conflict, InvalidInput, NotFound
from assistant.filters import is_under
from assistant.meeting import ListItem, MeetingKind, Organization, wall_clock
from assistant.store.database import sessions
from assistant.store.schema import MeetingRow, ReplyRow

Clock = Callable[[], dt.datetime]


class MeetingPlan(BaseModel):
    """A meeting the secretary schedules."""

    org_unit: str | None = Field(default=None, max_length=300, description="the cell; default: your own unit")
    organization: Organization
    kind: MeetingKind = MeetingKind.regular
    topic: str = Field(default="", max_length=500)
    date: dt.date
    time_start: Annotated[dt.time, AfterValidator(wall_clock)]
    place: str = Field(default="", max_length=500)
    online: bool = False
    agenda: list[ListItem] = Field(min_length=1, max_length=30)
    readings: list[ListItem] = Field(default_factory=list, max_length=30,
                                     description="numbers of documents to read beforehand, e.g. '339-QĐ/TW'")

    @model_validator(mode="after")
    def _where(self) -> MeetingPlan:
        if not self.place.strip() and not self.online:
            raise ValueError("give the place of the meeting, or set online: true")
        if self.kind is MeetingKind.thematic and not self.topic.strip():
            raise ValueError("a thematic meeting needs its topic")
        return self

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.time_start)


class ReplyIn(BaseModel):
    attending: bool
    reason: str = Field(default="", max_length=500, description="why not, when not attending")
    expected_version: int | None = Field(default=None, ge=1, description=(
        "the version of your reply you are changing (from a previous answer): a reply changed meanwhile is a 409"))

    @model_validator(mode="after")
    def _reason(self) -> ReplyIn:
        if not self.attending and not self.reason.strip():
            raise ValueError("give the reason you cannot attend")
        return self


class ReplyOut(BaseModel):
    meeting_id: str
    member_name: str
    attending: bool
    reason: str
    replied_at: dt.datetime
    version: int


class MeetingOut(BaseModel):
    id: str
    org_unit: str
    organization: Organization
    kind: MeetingKind
    topic: str
    starts_at: dt.datetime
    place: str
    online: bool
    agenda: list[str]
    readings: list[str]
    status: Literal["scheduled", "held", "cancelled"]
    version: int
    attending: int = Field(description="members who replied they will attend")
    not_attending: int = Field(description="members who replied they cannot attend")
    my_reply: ReplyOut | None = None
    replies: list[ReplyOut] | None = Field(default=None, description="every reply (the cell's secretary and "
                                                                      "committees above only)")


class MonthFigures(BaseModel):
    org_unit: str
    month: str = Field(description="YYYY-MM")
    scheduled: int
    replies: int
    attending: int
    not_attending: int


def _reply_out(row: ReplyRow) -> ReplyOut:
    return ReplyOut(meeting_id=row.meeting_id, member_name=row.member_name, attending=row.attending,
                    reason=row.reason, replied_at=row.replied_at, version=row.version)


class MeetingsStore:
    """Schedules meetings and records replies; every check of who may do what is here."""

    def __init__(self, engine: Engine, clock: Clock = dt.datetime.now) -> None:
        self.sessions = sessions(engine)
        self.clock = clock

    # -- who sees what -------------------------------------------------------------------------------
    @staticmethod
    def _sees(caller: Principal, row: MeetingRow) -> bool:
        return not caller.org_unit or is_under(row.org_unit, caller.org_unit)

    @staticmethod
    def _oversees(caller: Principal, row: MeetingRow) -> bool:
        """The cell's secretary, committees above it and admins: they see every reply."""
        return caller.can(Permission.draft) and (not caller.org_unit or is_under(row.org_unit, caller.org_unit))

    def _visible(self, session: Session, caller: Principal, meeting_id: str) -> MeetingRow:
        row = session.get(MeetingRow, meeting_id, options=[selectinload(MeetingRow.replies)])
        if row is None or not self._sees(caller, row):
            raise NotFound(f"no meeting with id '{meeting_id}' that you may see")
        return row

    def _out(self, caller: Principal, row: MeetingRow) -> MeetingOut:
        mine = next((r for r in row.replies if r.member_key_id == caller.key_id), None)
        return MeetingOut(
            id=row.id, org_unit=row.org_unit, organization=Organization.model_validate(row.organization),
            kind=MeetingKind(row.kind), topic=row.topic, starts_at=row.starts_at, place=row.place, online=row.online,
            agenda=row.agenda, readings=row.readings, status=row.status, version=row.version,  # type: ignore[arg-type]
            attending=sum(r.attending for r in row.replies), not_attending=sum(not r.attending for r in row.replies),
            my_reply=_reply_out(mine) if mine else None,
            replies=[_reply_out(r) for r in row.replies] if self._oversees(caller, row) else None)

    # -- actions -------------------------------------------------------------------------------------
    def schedule(self, caller: Principal, plan: MeetingPlan) -> MeetingOut:
        """A new meeting of ``plan.org_unit`` (default the caller's own), which must be the caller's unit or
        below it, starting in the future."""
        caller.require(Permission.draft)
        unit = plan.org_unit if plan.org_unit is not None else caller.org_unit
        if caller.org_unit and not is_under(unit, caller.org_unit):
            raise AccessDenied(f"you schedule meetings of {caller.org_unit} and the units under it, not {unit or 'the whole organization'}")
        now = self.clock()
        if plan.starts_at <= now:
            raise InvalidInput(f"the meeting ({plan.starts_at:%Y-%m-%d %H:%M}) must start after now ({now:%Y-%m-%d %H:%M})")
        row = MeetingRow(id=uuid.uuid4().hex, org_unit=unit, organization=plan.organization.model_dump(mode="json"),
                         kind=plan.kind.value, topic=plan.topic, starts_at=plan.starts_at, place=plan.place,
                         online=plan.online, agenda=plan.agenda, readings=plan.readings, status="scheduled",
                         created_by=caller.key_id, created_at=now)
        with self.sessions.begin() as session:
            session.add(row)
            session.flush()
            session.refresh(row, attribute_names=["replies"])
            return self._out(caller, row)

    def get(self, caller: Principal, meeting_id: str) -> MeetingOut:
        with self.sessions() as session:
            return self._out(caller, self._visible(session, caller, meeting_id))

    def listing(self, caller: Principal, upcoming_only: bool = True) -> list[MeetingOut]:
        """The meetings the caller may see, soonest first (upcoming ones only by default)."""
        with self.sessions() as session:
            query = select(MeetingRow).options(selectinload(MeetingRow.replies)).order_by(MeetingRow.starts_at)
            if upcoming_only:
                query = query.where(MeetingRow.starts_at > self.clock(), MeetingRow.status == "scheduled")
            if caller.org_unit:
                query = query.where((MeetingRow.org_unit == caller.org_unit)
                                    | MeetingRow.org_unit.startswith(caller.org_unit.rstrip("/") + "/"))
            return [self._out(caller, row) for row in session.scalars(query) if self._sees(caller, row)]

    def reply(self, caller: Principal, meeting_id: str, answer: ReplyIn) -> ReplyOut:
        """The caller's reply (a member of the meeting's own cell), new or changed, until the meeting starts."""
        for _ in range(3):  # a concurrent first reply of the same member: read it back and change it
            try:
                return self._reply_once(caller, meeting_id, answer)
            except IntegrityError:
                continue
        raise Conflict("your reply is being changed from another device; try again")

    def _reply_once(self, caller: Principal, meeting_id: str, answer: ReplyIn) -> ReplyOut:
        with self.sessions.begin() as session:
            row = self._visible(session, caller, meeting_id)
            if caller.org_unit != row.org_unit:
                raise AccessDenied("only members of the meeting's own cell reply to it")
            if row.status != "scheduled":
                raise Conflict(f"the meeting is {row.status}: replies are closed")
            now = self.clock()
            if now >= row.starts_at:
                raise Conflict(f"the meeting started at {row.starts_at:%Y-%m-%d %H:%M}: replies are closed")
            mine = session.scalars(select(ReplyRow).where(ReplyRow.meeting_id == meeting_id,
                                                          ReplyRow.member_key_id == caller.key_id)).first()
            if mine is None:
                if answer.expected_version is not None:
                    raise Conflict("you have no reply to change yet: send it without expected_version")
                mine = ReplyRow(meeting_id=meeting_id, member_key_id=caller.key_id, member_name=caller.name,
                                attending=answer.attending, reason=answer.reason.strip(), replied_at=now)
                session.add(mine)
            else:
                if answer.expected_version is not None and answer.expected_version != mine.version:
                    raise Conflict(f"your reply was changed meanwhile (version {mine.version}, you sent "
                                   f"{answer.expected_version}): reload it and try again")
                mine.attending, mine.reason, mine.replied_at = answer.attending, answer.reason.strip(), now
            try:
                session.flush()
            except StaleDataError as exc:
                raise Conflict("your reply was changed meanwhile: reload it and try again") from exc
            return _reply_out(mine)

    def month_figures(self, caller: Principal, month: str, org_unit: str | None = None) -> list[MonthFigures]:
        """Per cell under ``org_unit`` (default the caller's unit), for ``month`` (YYYY-MM): meetings scheduled,
        replies, attending and not. Committees and secretaries only."""
        caller.require(Permission.draft)
        try:
            first = dt.datetime.strptime(month + "-01", "%Y-%m-%d")
            after = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
        except ValueError as exc:
            raise InvalidInput(f"'{month}' is not a month: use YYYY-MM (years 1-9998)") from exc
        unit = org_unit if org_unit is not None else caller.org_unit
        if caller.org_unit and not is_under(unit, caller.org_unit):
            raise AccessDenied(f"your key sees {caller.org_unit} and the units under it")
        figures: dict[str, MonthFigures] = {}
        with self.sessions() as session:
            rows = session.scalars(select(MeetingRow).options(selectinload(MeetingRow.replies))
                                   .where(MeetingRow.starts_at >= first, MeetingRow.starts_at < after))
            for row in rows:
                if unit and not is_under(row.org_unit, unit):
                    continue
                entry = figures.setdefault(row.org_unit, MonthFigures(org_unit=row.org_unit, month=month, scheduled=0,
                                                                      replies=0, attending=0, not_attending=0))
                entry.scheduled += row.status != "cancelled"
                entry.replies += len(row.replies)
                entry.attending += sum(r.attending for r in row.replies)
                entry.not_attending += sum(not r.attending for r in row.replies)
        return sorted(figures.values(), key=lambda f: f.org_unit)
