"""Requests made at most once: a phone that queued an action offline sends it with an ``Idempotency-Key`` and
may send it again (the network dropped the answer); the store keeps the first answer and gives it back.

A key is claimed before the action runs (a unique row), so two copies arriving at once cannot both act: the
second is told the first is still running. Answers are kept for ``keep`` (a week by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError

from assistant.store.database import sessions
from assistant.store.schema import IdempotentRequestRow


@dataclass(frozen=True)
class Stored:
    status: int
    media_type: str | None
    body: bytes


@dataclass(frozen=True)
class Claim:
    outcome: Literal["new", "done", "running", "other_request"]
    stored: Stored | None = None
    used_for: str = ""


class IdempotencyStore:
    def __init__(self, engine: Engine, keep: dt.timedelta = dt.timedelta(days=7)) -> None:
        self.sessions = sessions(engine)
        self.keep = keep

    def claim(self, owner: str, key: str, method: str, path: str) -> Claim:
        """``new``: the caller runs the request and then calls :meth:`finish` (or :meth:`release`)."""
        now = dt.datetime.now()
        with self.sessions.begin() as session:
            session.execute(delete(IdempotentRequestRow).where(IdempotentRequestRow.created_at < now - self.keep))
        try:
            with self.sessions.begin() as session:
                session.add(IdempotentRequestRow(owner=owner, key=key, method=method, path=path, created_at=now))
            return Claim("new")
        except IntegrityError:
            pass
        with self.sessions() as session:
            row = session.get(IdempotentRequestRow, (owner, key))
            if row is None:  # released meanwhile: try once more
                return self.claim(owner, key, method, path)
            if (row.method, row.path) != (method, path):
                return Claim("other_request", used_for=f"{row.method} {row.path}")
            if row.status is None:
                return Claim("running")
            return Claim("done", Stored(row.status, row.media_type, row.body or b""))

    def finish(self, owner: str, key: str, status: int, media_type: str | None, body: bytes) -> None:
        with self.sessions.begin() as session:
            row = session.get(IdempotentRequestRow, (owner, key))
            if row is not None:
                row.status, row.media_type, row.body = status, media_type, body

    def release(self, owner: str, key: str) -> None:
        """Forget a claim whose request failed on the server's side: a retry runs it again."""
        with self.sessions.begin() as session:
            session.execute(
                delete(IdempotentRequestRow).where(IdempotentRequestRow.owner == owner, IdempotentRequestRow.key == key)
            )
