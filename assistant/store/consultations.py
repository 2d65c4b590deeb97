"""Consultations on a draft in the application store: opened by a committee (or a secretary) for some org
units until a deadline; members of those units comment on an article/clause or on the whole draft, and may edit
or withdraw their own comments until the deadline; a cell's secretary types in comments gathered on paper.

Who sees what: members of a unit in scope see the consultation and their own comments; the secretaries and
committees of units in scope (and of the units above them) see the comments of their own subtree — with the
members' names only within the member's own cell, unless the consultation shows names to the levels above.
Anyone else gets the same 404 as for a missing one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal, cast

from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from assistant.auth import Permission, Principal
from assistant.errors import AccessDenied, Conflict, InvalidInput, NotFound
from assistant.filters import is_under
from assistant.meeting import wall_clock
from assistant.store.database import sessions
from assistant.store.meetings import Clock
from assistant.store.schema import CommentRow, ConsultationRow
from assistant.tasks.synthesis import Stance

CommentText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=3000, pattern=r"\S")]


class ConsultationPlan(BaseModel):
    doc_id: str = Field(max_length=200, description="the indexed draft to comment on")
    title: str = Field(default="", max_length=500, description="default: the document's title")
    org_units: list[Annotated[str, StringConstraints(max_length=300)]] = Field(
        default_factory=list,
        max_length=200,
        description="whose members comment (each with the units under it); default: your own unit",
    )
    deadline: Annotated[dt.datetime, AfterValidator(wall_clock)] = Field(description="comments close then (local time)")
    names_above: bool = Field(default=False, description="show members' names to the levels above their cell")


class CommentBody(BaseModel):
    target: str = Field(
        default="", max_length=300, description="the article or clause (e.g. 'Điều 2'); '' = the whole draft"
    )
    stance: Stance = Field(description="agree, disagree, or propose a change")
    text: CommentText
    expected_version: int | None = Field(default=None, ge=1, description="when editing: the version you saw")


CommentSource = Literal["app", "paper"]


class CommentOut(BaseModel):
    id: int
    author: str | None = Field(description="hidden (null) from the levels above the member's cell by default")
    org_unit: str
    target: str
    stance: Stance | None
    text: str
    source: CommentSource
    withdrawn: bool
    mine: bool
    updated_at: dt.datetime
    version: int


class ConsultationOut(BaseModel):
    id: str
    doc_id: str
    title: str
    org_units: list[str]
    deadline: dt.datetime
    open: bool
    names_above: bool
    comments: int = Field(description="comments you may see (not withdrawn)")
    my_comments: list[CommentOut]


def in_scope(unit: str, row: ConsultationRow) -> bool:
    return any(is_under(unit, scope) for scope in row.org_units)


def oversees(caller: Principal, row: ConsultationRow) -> bool:
    """Secretaries and committees of a unit in scope or above one (and the unit that opened it)."""
    if not caller.can(Permission.draft):
        return False
    if not caller.org_unit or is_under(row.owner_unit, caller.org_unit):
        return True
    return in_scope(caller.org_unit, row) or any(is_under(scope, caller.org_unit) for scope in row.org_units)


def view_unit(caller: Principal, row: ConsultationRow) -> str:
    """Whose comments an overseer sees: its own subtree, or everything for the unit that opened it."""
    if not caller.org_unit or is_under(row.owner_unit, caller.org_unit):
        return ""
    return caller.org_unit


class ConsultationsStore:
    def __init__(self, engine: Engine, clock: Clock = dt.datetime.now) -> None:
        self.sessions = sessions(engine)
        self.clock = clock

    # -- reading ---------------------------------------------------------------------------------------
    def _visible(self, session: Session, caller: Principal, consultation_id: str) -> ConsultationRow:
        row = session.get(ConsultationRow, consultation_id, options=[selectinload(ConsultationRow.comments)])
        if row is None or not (in_scope(caller.org_unit, row) or oversees(caller, row)):
            raise NotFound(f"no consultation with id '{consultation_id}' that you may see")
        return row

    def _comment_out(self, caller: Principal, row: ConsultationRow, c: CommentRow) -> CommentOut:
        named = c.key_id == caller.key_id or caller.org_unit == c.org_unit or row.names_above
        return CommentOut(
            id=c.id,
            author=c.author if named else None,
            org_unit=c.org_unit,
            target=c.target,
            stance=cast(Stance | None, c.stance),
            text=c.text,
            source=cast(CommentSource, c.source),
            withdrawn=c.withdrawn,
            mine=c.key_id == caller.key_id,
            updated_at=c.updated_at,
            version=c.version,
        )

    def _out(self, caller: Principal, row: ConsultationRow) -> ConsultationOut:
        seen = self._seen_comments(caller, row)
        return ConsultationOut(
            id=row.id,
            doc_id=row.doc_id,
            title=row.title,
            org_units=row.org_units,
            deadline=row.deadline,
            open=self.clock() < row.deadline,
            names_above=row.names_above,
            comments=len(seen),
            my_comments=[
                self._comment_out(caller, row, c) for c in row.comments if c.key_id == caller.key_id and not c.withdrawn
            ],
        )

    def _seen_comments(self, caller: Principal, row: ConsultationRow) -> list[CommentRow]:
        if not oversees(caller, row):
            return [c for c in row.comments if c.key_id == caller.key_id and not c.withdrawn]
        unit = view_unit(caller, row)
        return [c for c in row.comments if not c.withdrawn and (not unit or is_under(c.org_unit, unit))]

    def get(self, caller: Principal, consultation_id: str) -> ConsultationOut:
        with self.sessions() as session:
            return self._out(caller, self._visible(session, caller, consultation_id))

    def listing(self, caller: Principal) -> list[ConsultationOut]:
        with self.sessions() as session:
            rows = session.scalars(
                select(ConsultationRow)
                .options(selectinload(ConsultationRow.comments))
                .order_by(ConsultationRow.deadline.desc())
            )
            return [self._out(caller, r) for r in rows if in_scope(caller.org_unit, r) or oversees(caller, r)]

    def comments(self, caller: Principal, consultation_id: str) -> tuple[ConsultationOut, list[CommentOut]]:
        """The comments the caller oversees (every comment of its subtree; names as the rules allow)."""
        with self.sessions() as session:
            row = self._visible(session, caller, consultation_id)
            if not oversees(caller, row):
                raise AccessDenied("the comments of others are for the secretaries and committees in scope")
            return self._out(caller, row), [self._comment_out(caller, row, c) for c in self._seen_comments(caller, row)]

    # -- writing ---------------------------------------------------------------------------------------
    def open(self, caller: Principal, plan: ConsultationPlan, title: str) -> ConsultationOut:
        caller.require(Permission.draft)
        units = list(dict.fromkeys(u.strip().strip("/") for u in plan.org_units)) or [caller.org_unit]
        outside = [u for u in units if caller.org_unit and not is_under(u, caller.org_unit)]
        if outside:
            raise AccessDenied(f"you open consultations for {caller.org_unit} and the units under it, not {outside[0]}")
        if plan.deadline <= self.clock():
            raise InvalidInput(f"the deadline ({plan.deadline:%Y-%m-%d %H:%M}) must be after now")
        row = ConsultationRow(
            id=uuid.uuid4().hex,
            doc_id=plan.doc_id,
            title=plan.title.strip() or title,
            org_units=units,
            owner_unit=caller.org_unit,
            deadline=plan.deadline,
            names_above=plan.names_above,
            opened_by=caller.key_id,
            opened_at=self.clock(),
        )
        with self.sessions.begin() as session:
            session.add(row)
            session.flush()
            session.refresh(row, attribute_names=["comments"])
            return self._out(caller, row)

    def _open_for_comments(self, row: ConsultationRow) -> None:
        if self.clock() >= row.deadline:
            raise Conflict(f"the consultation closed at {row.deadline:%Y-%m-%d %H:%M}: comments can no longer change")

    def comment(self, caller: Principal, consultation_id: str, body: CommentBody, target: str) -> CommentOut:
        """A member's new comment (``target`` already checked against the draft's articles)."""
        with self.sessions.begin() as session:
            row = self._visible(session, caller, consultation_id)
            if not in_scope(caller.org_unit, row):
                raise AccessDenied("only members of the units in scope comment; you oversee this consultation")
            self._open_for_comments(row)
            now = self.clock()
            comment = CommentRow(
                key_id=caller.key_id,
                entered_by=caller.key_id,
                author=caller.name,
                org_unit=caller.org_unit,
                target=target,
                stance=body.stance,
                text=body.text,
                source="app",
                withdrawn=False,
                created_at=now,
                updated_at=now,
            )
            row.comments.append(comment)
            session.flush()
            return self._comment_out(caller, row, comment)

    def _own(
        self, session: Session, caller: Principal, consultation_id: str, comment_id: int, expected_version: int | None
    ) -> tuple[ConsultationRow, CommentRow]:
        row = self._visible(session, caller, consultation_id)
        comment = next((c for c in row.comments if c.id == comment_id and c.key_id == caller.key_id), None)
        if comment is None:
            raise NotFound(f"you have no comment {comment_id} in this consultation")
        self._open_for_comments(row)
        if expected_version is not None and expected_version != comment.version:
            raise Conflict(
                f"the comment was changed meanwhile (version {comment.version}, you sent "
                f"{expected_version}): reload it and try again"
            )
        return row, comment

    def edit(
        self, caller: Principal, consultation_id: str, comment_id: int, body: CommentBody, target: str
    ) -> CommentOut:
        with self.sessions.begin() as session:
            row, comment = self._own(session, caller, consultation_id, comment_id, body.expected_version)
            comment.target, comment.stance, comment.text = target, body.stance, body.text
            comment.withdrawn, comment.updated_at = False, self.clock()
            try:
                session.flush()
            except StaleDataError as exc:
                raise Conflict("the comment was changed meanwhile: reload it and try again") from exc
            return self._comment_out(caller, row, comment)

    def withdraw(self, caller: Principal, consultation_id: str, comment_id: int) -> CommentOut:
        with self.sessions.begin() as session:
            row, comment = self._own(session, caller, consultation_id, comment_id, None)
            comment.withdrawn, comment.updated_at = True, self.clock()
            session.flush()
            return self._comment_out(caller, row, comment)

    def enter_paper(
        self, caller: Principal, consultation_id: str, rows: list[tuple[str, str, Stance | None, str]]
    ) -> int:
        """Comments gathered on paper at a meeting, typed in by the cell's secretary: (author, target, stance,
        text) each, all or none. Returns how many were added."""
        with self.sessions.begin() as session:
            row = self._visible(session, caller, consultation_id)
            if not (oversees(caller, row) and in_scope(caller.org_unit, row)):
                raise AccessDenied("a secretary of a unit in scope enters its members' paper comments")
            self._open_for_comments(row)
            now = self.clock()
            for author, target, stance, text in rows:
                row.comments.append(
                    CommentRow(
                        key_id=None,
                        entered_by=caller.key_id,
                        author=author or "(trên giấy)",
                        org_unit=caller.org_unit,
                        target=target,
                        stance=stance,
                        text=text,
                        source="paper",
                        withdrawn=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
            return len(rows)
