"""Meetings of a cell in the application store: scheduled by its secretary, published to its members (with the
notice), replied to by each member until the meeting starts, cancelled, counted per cell and month.

Who sees what follows the org-unit tree, as for documents: a meeting belongs to one cell; its members (keys
of exactly that unit) see it once its notice is published and reply; the cell's secretary and the keys of the
units above it (ward and province committees, admins) see it from the start, with every reply; a sibling cell
sees nothing of it (the same 404 as a missing one).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Literal, cast

from pydantic import AfterValidator, BaseModel, Field, model_validator
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from assistant.auth import Permission, Principal
from assistant.errors import AccessDenied, Conflict, InvalidInput, NotFound
from assistant.filters import is_under
from assistant.meeting import ListItem, MeetingKind, MeetingRecord, Organization, wall_clock
from assistant.store.database import sessions
from assistant.store.schema import MeetingDocumentRow, MeetingRow, ReplyRow

Clock = Callable[[], dt.datetime]
MeetingStatus = Literal["scheduled", "held", "approved", "cancelled"]
DocumentKind = Literal["minutes", "resolution"]


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
    readings: list[ListItem] = Field(
        default_factory=list, max_length=30, description="numbers of documents to read beforehand, e.g. '339-QĐ/TW'"
    )

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
    expected_version: int | None = Field(
        default=None,
        ge=1,
        description=(
            "the version of your reply you are changing (from a previous answer): a reply changed meanwhile is a 409"
        ),
    )

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


class DocumentOut(BaseModel):
    """A revision of the meeting's minutes or resolution."""

    kind: DocumentKind
    revision: int
    title: str
    status: Literal["draft", "approving", "approved", "superseded"]
    engine: str
    drafted_at: dt.datetime
    approved_at: dt.datetime | None
    doc_id: str = Field(description="the id it is searchable under once approved")
    markdown: str


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
    status: MeetingStatus
    version: int = Field(description="changes with every change of the meeting (send it back as expected_version)")
    started: bool = Field(description="the meeting has started: replies are closed, its record may be completed")
    published_at: dt.datetime | None = Field(
        default=None, description="when the notice went to the members (members see the meeting from then on)"
    )
    notice: str | None = Field(default=None, description="the published notice (Markdown)")
    recorded: bool = Field(default=False, description="the secretary has completed the record of the meeting")
    attending: int = Field(description="members who replied they will attend")
    not_attending: int = Field(description="members who replied they cannot attend")
    my_reply: ReplyOut | None = None
    replies: list[ReplyOut] | None = Field(
        default=None, description="every reply (the cell's secretary and committees above only)"
    )
    documents: list[DocumentOut] = Field(
        default_factory=list,
        description=(
            "minutes and resolution: every revision for those who oversee the cell, the approved ones for members"
        ),
    )


class MonthFigures(BaseModel):
    org_unit: str
    month: str = Field(description="YYYY-MM")
    scheduled: int = Field(description="meetings scheduled (not cancelled)")
    held: int = Field(description="meetings whose record is completed (held or approved)")
    approved: int = Field(description="meetings whose minutes are approved")
    replies: int
    attending: int = Field(description="replies: will attend")
    not_attending: int = Field(description="replies: cannot attend")
    present: int = Field(description="members present, from the records of the held meetings")
    expected: int = Field(description="members who should have attended them (all but the exempt)")
    rate: float | None = Field(description="present / expected (null when no meeting was held)")
    decisions: int = Field(description="decisions recorded at the held meetings")


def _reply_out(row: ReplyRow) -> ReplyOut:
    return ReplyOut(
        meeting_id=row.meeting_id,
        member_name=row.member_name,
        attending=row.attending,
        reason=row.reason,
        replied_at=row.replied_at,
        version=row.version,
    )


def document_out(row: MeetingDocumentRow) -> DocumentOut:
    return DocumentOut(
        kind=cast(DocumentKind, row.kind),
        revision=row.revision,
        title=row.title,
        status=cast(MeetingStatus, row.status),  # type: ignore[arg-type]
        engine=row.engine,
        drafted_at=row.drafted_at,
        approved_at=row.approved_at,
        doc_id=row.doc_id,
        markdown=row.markdown,
    )


# -- who sees what ---------------------------------------------------------------------------------------
def oversees(caller: Principal, row: MeetingRow) -> bool:
    """The cell's secretary, committees above it and admins: they see every reply and every draft."""
    return caller.can(Permission.draft) and (not caller.org_unit or is_under(row.org_unit, caller.org_unit))


def sees(caller: Principal, row: MeetingRow) -> bool:
    if oversees(caller, row):
        return True
    in_line = not caller.org_unit or is_under(row.org_unit, caller.org_unit)
    return in_line and row.published_at is not None


def visible_meeting(session: Session, caller: Principal, meeting_id: str, lock: bool = False) -> MeetingRow:
    """The meeting, if ``caller`` may see it (else the same 404 as a missing one)."""
    row = session.get(
        MeetingRow,
        meeting_id,
        options=[selectinload(MeetingRow.replies), selectinload(MeetingRow.documents)],
        with_for_update=lock or None,
    )
    if row is None or not sees(caller, row):
        raise NotFound(f"no meeting with id '{meeting_id}' that you may see")
    return row


def overseen_meeting(session: Session, caller: Principal, meeting_id: str, lock: bool = False) -> MeetingRow:
    """The meeting, if ``caller`` is its cell's secretary, a committee above it or an admin."""
    row = visible_meeting(session, caller, meeting_id, lock)
    if not oversees(caller, row):
        raise AccessDenied("only the cell's secretary and the committees above it do this")
    return row


def check_version(row: MeetingRow, expected: int | None) -> None:
    if expected is not None and expected != row.version:
        raise Conflict(
            f"the meeting was changed meanwhile (version {row.version}, you sent {expected}): reload it and try again"
        )


def meeting_out(caller: Principal, row: MeetingRow, now: dt.datetime) -> MeetingOut:
    mine = next((r for r in row.replies if r.member_key_id == caller.key_id), None)
    overseer = oversees(caller, row)
    documents = [document_out(d) for d in row.documents if overseer or d.status == "approved"]
    return MeetingOut(
        id=row.id,
        org_unit=row.org_unit,
        organization=Organization.model_validate(row.organization),
        kind=MeetingKind(row.kind),
        topic=row.topic,
        starts_at=row.starts_at,
        place=row.place,
        online=row.online,
        agenda=row.agenda,
        readings=row.readings,
        status=cast(MeetingStatus, row.status),
        version=row.version,
        started=now >= row.starts_at,
        published_at=row.published_at,
        notice=row.notice,
        recorded=row.record is not None,
        attending=sum(r.attending for r in row.replies),
        not_attending=sum(not r.attending for r in row.replies),
        my_reply=_reply_out(mine) if mine else None,
        replies=[_reply_out(r) for r in row.replies] if overseer else None,
        documents=documents,
    )


def overseen_unit(caller: Principal, org_unit: str | None) -> str:
    """``org_unit`` (default the caller's own), if the caller is a secretary, committee or admin of it or above."""
    caller.require(Permission.draft)
    unit = org_unit if org_unit is not None else caller.org_unit
    if caller.org_unit and not is_under(unit, caller.org_unit):
        raise AccessDenied(f"your key sees {caller.org_unit} and the units under it")
    return unit


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    try:
        first = dt.datetime.strptime(month + "-01", "%Y-%m-%d")
        return first, first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    except ValueError as exc:
        raise InvalidInput(f"'{month}' is not a month: use YYYY-MM (years 1-9998)") from exc


class MeetingsStore:
    """Schedules, publishes and cancels meetings and records replies; every check of who may do what is here."""

    def __init__(self, engine: Engine, clock: Clock = dt.datetime.now) -> None:
        self.sessions = sessions(engine)
        self.clock = clock

    def schedule(self, caller: Principal, plan: MeetingPlan) -> MeetingOut:
        """A new meeting of ``plan.org_unit`` (default the caller's own), which must be the caller's unit or
        below it, starting in the future."""
        caller.require(Permission.draft)
        unit = plan.org_unit if plan.org_unit is not None else caller.org_unit
        if caller.org_unit and not is_under(unit, caller.org_unit):
            raise AccessDenied(
                f"you schedule meetings of {caller.org_unit} and the units under it, "
                f"not {unit or 'the whole organization'}"
            )
        now = self.clock()
        if plan.starts_at <= now:
            raise InvalidInput(
                f"the meeting ({plan.starts_at:%Y-%m-%d %H:%M}) must start after now ({now:%Y-%m-%d %H:%M})"
            )
        row = MeetingRow(
            id=uuid.uuid4().hex,
            org_unit=unit,
            organization=plan.organization.model_dump(mode="json"),
            kind=plan.kind.value,
            topic=plan.topic,
            starts_at=plan.starts_at,
            place=plan.place,
            online=plan.online,
            agenda=plan.agenda,
            readings=plan.readings,
            status="scheduled",
            created_by=caller.key_id,
            created_at=now,
        )
        with self.sessions.begin() as session:
            session.add(row)
            session.flush()
            session.refresh(row, attribute_names=["replies", "documents"])
            return meeting_out(caller, row, self.clock())

    def get(self, caller: Principal, meeting_id: str) -> MeetingOut:
        with self.sessions() as session:
            return meeting_out(caller, visible_meeting(session, caller, meeting_id), self.clock())

    def listing(self, caller: Principal, open_only: bool = True, since: dt.datetime | None = None) -> list[MeetingOut]:
        """The meetings the caller may see, soonest first: by default the open ones (coming, or held and waiting
        for their record or approval); else every one starting from ``since`` (default all)."""
        now = self.clock()
        with self.sessions() as session:
            query = (
                select(MeetingRow)
                .options(selectinload(MeetingRow.replies), selectinload(MeetingRow.documents))
                .order_by(MeetingRow.starts_at)
            )
            if open_only:
                query = query.where(MeetingRow.status.in_(("scheduled", "held")))
            elif since is not None:
                query = query.where(MeetingRow.starts_at >= since)
            if caller.org_unit:
                query = query.where(
                    (MeetingRow.org_unit == caller.org_unit)
                    | MeetingRow.org_unit.startswith(caller.org_unit.rstrip("/") + "/")
                )
            return [meeting_out(caller, row, now) for row in session.scalars(query) if sees(caller, row)]

    def publish(self, caller: Principal, meeting_id: str, notice_markdown: str) -> MeetingOut:
        """Send the notice to the cell's members: from now on they see the meeting (and may reply). Publishing
        again replaces the notice (a changed time or place), until the meeting starts."""
        with self.sessions.begin() as session:
            row = overseen_meeting(session, caller, meeting_id, lock=True)
            self._check_before_start(row, "publish its notice")
            row.notice, row.published_at = notice_markdown, self.clock()
            session.flush()
            return meeting_out(caller, row, self.clock())

    def cancel(self, caller: Principal, meeting_id: str, expected_version: int | None = None) -> MeetingOut:
        with self.sessions.begin() as session:
            row = overseen_meeting(session, caller, meeting_id, lock=True)
            check_version(row, expected_version)
            self._check_before_start(row, "cancel it")
            row.status = "cancelled"
            session.flush()
            return meeting_out(caller, row, self.clock())

    def _check_before_start(self, row: MeetingRow, what: str) -> None:
        if row.status != "scheduled":
            raise Conflict(f"the meeting is {row.status}: too late to {what}")
        if self.clock() >= row.starts_at:
            raise Conflict(f"the meeting started at {row.starts_at:%Y-%m-%d %H:%M}: too late to {what}")

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
            row = visible_meeting(session, caller, meeting_id)
            if caller.org_unit != row.org_unit:
                raise AccessDenied("only members of the meeting's own cell reply to it")
            if row.published_at is None:
                raise Conflict("the meeting's notice is not published yet: replies open with it")
            if row.status != "scheduled":
                raise Conflict(f"the meeting is {row.status}: replies are closed")
            now = self.clock()
            if now >= row.starts_at:
                raise Conflict(f"the meeting started at {row.starts_at:%Y-%m-%d %H:%M}: replies are closed")
            mine = session.scalars(
                select(ReplyRow).where(ReplyRow.meeting_id == meeting_id, ReplyRow.member_key_id == caller.key_id)
            ).first()
            if mine is None:
                if answer.expected_version is not None:
                    raise Conflict("you have no reply to change yet: send it without expected_version")
                mine = ReplyRow(
                    meeting_id=meeting_id,
                    member_key_id=caller.key_id,
                    member_name=caller.name,
                    attending=answer.attending,
                    reason=answer.reason.strip(),
                    replied_at=now,
                )
                session.add(mine)
            else:
                if answer.expected_version is not None and answer.expected_version != mine.version:
                    raise Conflict(
                        f"your reply was changed meanwhile (version {mine.version}, you sent "
                        f"{answer.expected_version}): reload it and try again"
                    )
                mine.attending, mine.reason, mine.replied_at = answer.attending, answer.reason.strip(), now
            try:
                session.flush()
            except StaleDataError as exc:
                raise Conflict("your reply was changed meanwhile: reload it and try again") from exc
            return _reply_out(mine)

    def month_figures(self, caller: Principal, month: str, org_unit: str | None = None) -> list[MonthFigures]:
        """Per cell under ``org_unit`` (default the caller's unit), for ``month`` (YYYY-MM): meetings scheduled,
        held and approved, replies, members present of those expected, decisions. Committees and secretaries."""
        first, after = month_bounds(month)
        unit = overseen_unit(caller, org_unit)
        totals: dict[str, dict[str, int]] = {}
        with self.sessions() as session:
            rows = session.scalars(
                select(MeetingRow)
                .options(selectinload(MeetingRow.replies))
                .where(MeetingRow.starts_at >= first, MeetingRow.starts_at < after)
            )
            for row in rows:
                if unit and not is_under(row.org_unit, unit):
                    continue
                t = totals.setdefault(
                    row.org_unit,
                    dict.fromkeys(
                        (
                            "scheduled",
                            "held",
                            "approved",
                            "replies",
                            "attending",
                            "not_attending",
                            "present",
                            "expected",
                            "decisions",
                        ),
                        0,
                    ),
                )
                t["scheduled"] += row.status != "cancelled"
                t["replies"] += len(row.replies)
                t["attending"] += sum(r.attending for r in row.replies)
                t["not_attending"] += sum(not r.attending for r in row.replies)
                if row.record is not None and row.status in ("held", "approved"):
                    record = MeetingRecord.model_validate(row.record)
                    t["held"] += 1
                    t["approved"] += row.status == "approved"
                    t["present"] += record.members_present
                    t["expected"] += record.members_expected
                    t["decisions"] += len(record.decisions)
        return [
            MonthFigures(
                org_unit=cell, month=month, rate=round(t["present"] / t["expected"], 4) if t["expected"] else None, **t
            )
            for cell, t in sorted(totals.items())
        ]
