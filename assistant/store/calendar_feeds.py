"""Secret calendar addresses: one per key, so a member's phone calendar shows the cell's meetings.

A calendar app cannot send an API key, so the address itself is the secret (256 random bits; only its SHA-256
is stored). Asking for it again gives a new address and the old one stops working; a revoked key's feed is
refused with the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Engine, delete, select

from assistant.store.database import sessions
from assistant.store.schema import CalendarFeedRow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeeds:
    def __init__(self, engine: Engine) -> None:
        self.sessions = sessions(engine)

    def issue(self, key_id: str) -> str:
        """A new secret token for ``key_id`` (its previous one stops working)."""
        token = secrets.token_urlsafe(32)
        with self.sessions.begin() as session:
            session.execute(delete(CalendarFeedRow).where(CalendarFeedRow.key_id == key_id))
            session.add(CalendarFeedRow(token_hash=_hash(token), key_id=key_id, created_at=dt.datetime.now()))
        return token

    def key_for(self, token: str) -> str | None:
        """The key id a token was issued to, or None."""
        with self.sessions() as session:
            return session.scalar(select(CalendarFeedRow.key_id).where(CalendarFeedRow.token_hash == _hash(token)))
