"""Append-only audit log in SQLite: who ingested, deleted, asked, drafted or summarized what, and when.

Rows can be added, never changed: triggers abort any UPDATE or DELETE, and every insert is
committed with ``synchronous=FULL`` (fsync) before the request returns.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    key_id TEXT,
    key_name TEXT,
    role TEXT,
    org_unit TEXT,
    action TEXT NOT NULL,
    target TEXT,
    status INTEGER NOT NULL,
    detail_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class AuditEvent(BaseModel):
    """One audited request."""

    id: int | None = None
    ts: float = Field(default_factory=time.time, description="Unix time")
    key_id: str | None = Field(default=None, description="None: no valid key was given")
    key_name: str | None = None
    role: str | None = None
    org_unit: str | None = None
    action: str = Field(description="e.g. ask, summarize, draft.minutes, documents.ingest, documents.delete")
    target: str | None = Field(default=None, description="document id, file name or job id the action was about")
    status: int = Field(description="HTTP status of the reply (or 0 for the CLI)")
    detail: dict[str, Any] = Field(default_factory=dict)


class AuditLog:
    """Writes and reads audit events; ``store_questions`` decides whether question text is kept."""

    def __init__(self, path: Path, store_questions: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.Lock()
        self.store_questions = store_questions

    def question_detail(self, text: str, field: str = "question") -> dict[str, Any]:
        """What the log keeps of a question or query: its text if allowed, else only its length."""
        return {field: text} if self.store_questions else {f"{field}_chars": len(text)}

    def record(self, event: AuditEvent) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO events(ts, key_id, key_name, role, org_unit, action, target, status, detail_json) "
                "VALUES(?,?,?,?,?,?,?,?,?)",
                (
                    event.ts,
                    event.key_id,
                    event.key_name,
                    event.role,
                    event.org_unit,
                    event.action,
                    event.target,
                    event.status,
                    json.dumps(event.detail, ensure_ascii=False, default=str),
                ),
            )

    def query(
        self,
        *,
        since: float | None = None,
        until: float | None = None,
        action: str | None = None,
        key_id: str | None = None,
        after_id: int = 0,
        limit: int = 100,
    ) -> list[AuditEvent]:
        """Events in order, oldest first, filtered; page with ``after_id`` (the last id you got)."""
        clauses: list[str] = ["id > ?"]
        params: list[object] = [after_id]
        for column, op, value in (
            ("ts", ">=", since),
            ("ts", "<=", until),
            ("action", "=", action),
            ("key_id", "=", key_id),
        ):
            if value is not None:
                clauses.append(f"{column} {op} ?")
                params.append(value)
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, ts, key_id, key_name, role, org_unit, action, target, status, detail_json FROM events "
                f"WHERE {' AND '.join(clauses)} ORDER BY id LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [
            AuditEvent(
                id=r[0],
                ts=r[1],
                key_id=r[2],
                key_name=r[3],
                role=r[4],
                org_unit=r[5],
                action=r[6],
                target=r[7],
                status=r[8],
                detail=json.loads(r[9]),
            )
            for r in rows
        ]

    def close(self) -> None:
        self._conn.close()
