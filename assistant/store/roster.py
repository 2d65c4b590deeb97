"""The roster of each cell: its members, linked to their API keys, official or probationary, exempt or not.

Kept in step with the key store: every key of a member, secretary or committee member of a unit is on that
unit's roster (``assistant keys create`` enrols it, a revoked key leaves it). Only the cell's secretary, the
committees above it and admins see or change a roster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from assistant.auth import KeyInfo, Permission, Principal, Role
from assistant.errors import AccessDenied, Conflict, NotFound
from assistant.filters import is_under
from assistant.store.database import sessions
from assistant.store.schema import RosterRow

Membership = Literal["official", "probationary"]


class RosterEntry(BaseModel):
    key_id: str
    name: str
    org_unit: str
    membership: Membership
    exempt: bool
    exempt_reason: str
    active: bool
    version: int


class RosterChange(BaseModel):
    membership: Membership | None = None
    exempt: bool | None = None
    exempt_reason: str | None = Field(default=None, max_length=300, description="why excused (age, health...)")
    expected_version: int | None = Field(default=None, ge=1, description="the version you saw: changed meanwhile → 409")

    @model_validator(mode="after")
    def _reason(self) -> RosterChange:
        if self.exempt and not (self.exempt_reason or "").strip():
            raise ValueError("give the reason the member is excused from meetings")
        return self


def entry_of(row: RosterRow) -> RosterEntry:
    return RosterEntry(
        key_id=row.key_id,
        name=row.name,
        org_unit=row.org_unit,
        membership=row.membership,  # type: ignore[arg-type]
        exempt=row.exempt,
        exempt_reason=row.exempt_reason,
        active=row.active,
        version=row.version,
    )


def on_roster(info: KeyInfo) -> bool:
    """Keys that stand for a person of one unit (admins and organization-wide keys are not members of a cell)."""
    return info.role is not Role.admin and bool(info.org_unit)


def cell_members(session: Session, org_unit: str) -> list[RosterRow]:
    """The active members of exactly ``org_unit``, by name."""
    return list(
        session.scalars(
            select(RosterRow).where(RosterRow.org_unit == org_unit, RosterRow.active.is_(True)).order_by(RosterRow.name)
        )
    )


class RosterStore:
    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        self.sessions = sessions(engine)
        self.clock = clock

    def sync(self, keys: Iterable[KeyInfo], membership: dict[str, Membership] | None = None) -> dict[str, int]:
        """Bring the roster in step with ``keys``: new keys enrolled, renamed or moved ones updated, revoked ones
        inactive. ``membership`` sets the membership of newly enrolled keys (default official)."""
        counts = {"enrolled": 0, "updated": 0, "left": 0}
        now = self.clock()
        with self.sessions.begin() as session:
            known = {row.key_id: row for row in session.scalars(select(RosterRow))}
            for info in keys:
                if not on_roster(info):
                    continue
                active = info.usable()
                row = known.get(info.key_id)
                if row is None:
                    session.add(
                        RosterRow(
                            key_id=info.key_id,
                            org_unit=info.org_unit,
                            name=info.name,
                            active=active,
                            membership=(membership or {}).get(info.key_id, "official"),
                            exempt=False,
                            exempt_reason="",
                            updated_at=now,
                        )
                    )
                    counts["enrolled"] += 1
                elif (row.name, row.org_unit, row.active) != (info.name, info.org_unit, active):
                    counts["left" if row.active and not active else "updated"] += 1
                    row.name, row.org_unit, row.active, row.updated_at = info.name, info.org_unit, active, now
        return counts

    @staticmethod
    def _check_oversees(caller: Principal, org_unit: str) -> None:
        caller.require(Permission.draft)
        if caller.org_unit and not is_under(org_unit, caller.org_unit):
            raise AccessDenied(f"your key sees the rosters of {caller.org_unit} and the units under it")

    def listing(
        self, caller: Principal, org_unit: str | None = None, include_inactive: bool = False
    ) -> list[RosterEntry]:
        """The members of ``org_unit`` (default the caller's unit) and the units under it."""
        unit = org_unit if org_unit is not None else caller.org_unit
        self._check_oversees(caller, unit)
        with self.sessions() as session:
            rows = session.scalars(select(RosterRow).order_by(RosterRow.org_unit, RosterRow.name))
            return [
                entry_of(r) for r in rows if (not unit or is_under(r.org_unit, unit)) and (include_inactive or r.active)
            ]

    def update(self, caller: Principal, key_id: str, change: RosterChange) -> RosterEntry:
        with self.sessions.begin() as session:
            row = session.get(RosterRow, key_id)
            if row is None or (caller.org_unit and not is_under(row.org_unit, caller.org_unit)):
                raise NotFound(f"no member with key id '{key_id}' on a roster you may see")
            self._check_oversees(caller, row.org_unit)
            if change.expected_version is not None and change.expected_version != row.version:
                raise Conflict(
                    f"the entry was changed meanwhile (version {row.version}, you sent "
                    f"{change.expected_version}): reload it and try again"
                )
            if change.membership is not None:
                row.membership = change.membership
            if change.exempt is not None:
                row.exempt = change.exempt
                row.exempt_reason = (change.exempt_reason or "").strip() if change.exempt else ""
            row.updated_at = self.clock()
            try:
                session.flush()
            except StaleDataError as exc:
                raise Conflict("the entry was changed meanwhile: reload it and try again") from exc
            return entry_of(row)
