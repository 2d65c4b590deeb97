"""Background jobs in the application store: every state change is a row update, so any process sharing the
store (a restarted service, a second worker) sees the same job, and a process takes a queued job only by
winning a conditional update (``status = 'queued'`` → ``'running'``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, delete, func, select, update

from assistant.store.database import sessions
from assistant.store.schema import JobRow

UNFINISHED = ("queued", "running")


def _rows(result: Result) -> int:
    """How many rows an UPDATE or DELETE changed."""
    return cast(CursorResult, result).rowcount


class JobsStore:
    def __init__(self, engine: Engine) -> None:
        self.sessions = sessions(engine)

    def add(self, row: JobRow) -> None:
        with self.sessions.begin() as session:
            session.add(row)

    def get(self, job_id: str) -> JobRow | None:
        with self.sessions() as session:
            return session.get(JobRow, job_id)

    def unfinished_of(self, owner: str) -> int:
        with self.sessions() as session:
            return (
                session.scalar(
                    select(func.count()).select_from(JobRow).where(JobRow.owner == owner, JobRow.status.in_(UNFINISHED))
                )
                or 0
            )

    def queued(self, limit: int) -> list[str]:
        """Ids of the oldest queued jobs."""
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(JobRow.id).where(JobRow.status == "queued").order_by(JobRow.created_at).limit(limit)
                )
            )

    def claim(self, job_id: str, worker: str, now: float) -> bool:
        """Take a queued job for this process; False when another took it (or it was cancelled) first."""
        with self.sessions.begin() as session:
            taken = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == "queued")
                .values(
                    status="running",
                    worker=worker,
                    heartbeat_at=now,
                    started_at=now,
                    attempts=JobRow.attempts + 1,
                    message="started",
                )
            )
            return _rows(taken) == 1

    def change(self, job_id: str, worker: str | None = None, **values: Any) -> bool:
        """Update a job (only while ``worker`` holds it, when given); False when the row was not changed."""
        with self.sessions.begin() as session:
            query = update(JobRow).where(JobRow.id == job_id)
            if worker is not None:
                query = query.where(JobRow.worker == worker, JobRow.status == "running")
            return _rows(session.execute(query.values(**values))) == 1

    def heartbeat(self, job_ids: Iterable[str], worker: str, now: float) -> None:
        ids = list(job_ids)
        if ids:
            with self.sessions.begin() as session:
                session.execute(
                    update(JobRow)
                    .where(JobRow.id.in_(ids), JobRow.worker == worker, JobRow.status == "running")
                    .values(heartbeat_at=now)
                )

    def tally(self) -> dict[tuple[str, str], int]:
        """How many jobs are kept, by ``(kind, status)``."""
        with self.sessions() as session:
            rows = session.execute(
                select(JobRow.kind, JobRow.status, func.count()).group_by(JobRow.kind, JobRow.status)
            )
            return {(kind, status): count for kind, status, count in rows}

    def running(self) -> list[JobRow]:
        with self.sessions() as session:
            return list(session.scalars(select(JobRow).where(JobRow.status == "running")))

    def cancel_queued(self, job_id: str, now: float) -> bool:
        with self.sessions.begin() as session:
            return (
                _rows(
                    session.execute(
                        update(JobRow)
                        .where(JobRow.id == job_id, JobRow.status == "queued")
                        .values(status="cancelled", finished_at=now, message="cancelled before it started")
                    )
                )
                == 1
            )

    def request_cancel(self, job_id: str) -> bool:
        with self.sessions.begin() as session:
            return (
                _rows(
                    session.execute(
                        update(JobRow)
                        .where(JobRow.id == job_id, JobRow.status == "running")
                        .values(cancel_requested=True, message="cancelling")
                    )
                )
                == 1
            )

    def expired(self, finished_before: float, keep_at_most: int) -> list[str]:
        """Finished jobs older than ``finished_before``, and the oldest finished ones beyond ``keep_at_most``."""
        with self.sessions() as session:
            finished = list(
                session.scalars(
                    select(JobRow.id).where(JobRow.finished_at.is_not(None)).order_by(JobRow.finished_at.desc())
                )
            )
            old = set(session.scalars(select(JobRow.id).where(JobRow.finished_at < finished_before)))
        return [job_id for position, job_id in enumerate(finished) if job_id in old or position >= keep_at_most]

    def remove(self, job_ids: Iterable[str]) -> None:
        ids = list(job_ids)
        if ids:
            with self.sessions.begin() as session:
                session.execute(delete(JobRow).where(JobRow.id.in_(ids)))
