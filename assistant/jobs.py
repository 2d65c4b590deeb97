"""Background jobs for long work (big documents, audio): submit, follow progress, fetch the result.

Jobs run on a small thread pool inside the service process and live in memory: a restart forgets
them (the client submits again). Finished jobs are kept for ``keep_s`` seconds and at most
``max_jobs`` of them, oldest first out, so memory stays bounded.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.errors import AssistantError, RateLimited
from assistant.progress import Progress

JobStatus = Literal["queued", "running", "done", "failed"]
Work = Callable[[Progress], tuple[Any, bytes | None, str | None]]


class JobError(BaseModel):
    error: str = Field(description="error type, e.g. InvalidInput or BackendUnavailable")
    detail: str


class Job(BaseModel):
    """What a client sees of a job."""

    id: str
    kind: str
    status: JobStatus = "queued"
    progress: float = Field(default=0.0, description="0..1")
    message: str = ""
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    result: Any = None
    error: JobError | None = None
    artifact_type: str | None = Field(default=None, description="media type of the file the job made, if any")


class JobManager:
    """Runs jobs on ``workers`` threads and remembers them for a while."""

    def __init__(self, workers: int = 1, keep_s: float = 3600.0, max_jobs: int = 100, per_owner: int = 0) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self._jobs: dict[str, Job] = {}
        self._artifacts: dict[str, bytes] = {}
        self._owners: dict[str, str | None] = {}
        self._changed = threading.Condition()
        self.keep_s = keep_s
        self.max_jobs = max_jobs
        self.per_owner = per_owner  # jobs one owner may have waiting or running (0: no cap)

    def submit(self, kind: str, work: Work, owner: str | None = None) -> Job:
        """Queue ``work(progress)``, which returns ``(result, file bytes or None, media type or None)``.

        Only ``owner`` (e.g. an API key id) sees the job afterwards, when one is given; an owner with
        ``per_owner`` unfinished jobs is refused (``RateLimited``) until one finishes."""
        job = Job(id=uuid.uuid4().hex, kind=kind, created_at=time.time())
        with self._changed:
            self._prune()
            if owner is not None and self.per_owner:
                unfinished = sum(1 for job_id, who in self._owners.items()
                                 if who == owner and self._jobs[job_id].status in ("queued", "running"))
                if unfinished >= self.per_owner:
                    raise RateLimited(f"you have {unfinished} jobs waiting or running (the most one key may have): "
                                      "wait for one to finish", retry_after=10)
            self._jobs[job.id] = job
            self._owners[job.id] = owner
        self._pool.submit(self._run, job.id, work)
        return job.model_copy()

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._changed:
            job = self._jobs.get(job_id)
            if job is not None:
                for name, value in changes.items():
                    setattr(job, name, value)
            self._changed.notify_all()

    def _run(self, job_id: str, work: Work) -> None:
        self._update(job_id, status="running", started_at=time.time())

        def progress(fraction: float, message: str = "") -> None:
            self._update(job_id, progress=round(max(0.0, min(1.0, fraction)), 3), message=message)

        try:
            result, artifact, media_type = work(progress)
        except Exception as exc:  # the job fails, the service goes on
            expected = isinstance(exc, AssistantError)
            detail = str(exc) if expected else f"unexpected {type(exc).__name__}: {exc}"
            self._update(job_id, status="failed", finished_at=time.time(), message="failed",
                         error=JobError(error=type(exc).__name__, detail=detail))
            return
        with self._changed:
            if artifact is not None:
                self._artifacts[job_id] = artifact
        self._update(job_id, status="done", progress=1.0, message="done", finished_at=time.time(), result=result,
                     artifact_type=media_type if artifact is not None else None)

    def get(self, job_id: str, wait_s: float = 0.0, owner: str | None = None) -> Job | None:
        """The job, after waiting up to ``wait_s`` seconds for it to finish; None when unknown or, if ``owner``
        is given, someone else's."""
        deadline = time.monotonic() + wait_s
        with self._changed:
            if owner is not None and self._owners.get(job_id, owner) != owner:
                return None
            while True:
                job = self._jobs.get(job_id)
                remaining = deadline - time.monotonic()
                if job is None or job.status in ("done", "failed") or remaining <= 0:
                    return job.model_copy() if job else None
                self._changed.wait(remaining)

    def artifact(self, job_id: str) -> bytes | None:
        with self._changed:
            return self._artifacts.get(job_id)

    def _prune(self) -> None:
        now = time.time()
        finished = sorted((j for j in self._jobs.values() if j.finished_at is not None), key=lambda j: j.finished_at or 0)
        excess = len(self._jobs) - self.max_jobs + 1
        for job in finished:
            if (job.finished_at or now) < now - self.keep_s or excess > 0:
                self._jobs.pop(job.id, None)
                self._artifacts.pop(job.id, None)
                self._owners.pop(job.id, None)
                excess -= 1

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
