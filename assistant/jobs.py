"""Background jobs for long work (bulletins, transcriptions, long summaries, scans): submit, follow, cancel,
fetch the result — and nothing lost across a restart.

A job is a *kind* (a runner registered by name) and its *parameters* (JSON), kept in the application store,
with the uploaded input and the file it makes on disk under ``files/<id>/``. So a job can run again in any
process: queued jobs run after a restart, and a job that was running when its process died (its heartbeat
stopped, or its process is gone) is retried once, then marked failed with the reason. Each process runs jobs
on ``workers`` threads; a dispatcher thread takes queued jobs from the store by a conditional update, so two
processes never run the same job. Finished jobs (and their files) are kept ``keep_s`` seconds, at most
``max_jobs`` of them.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel, Field

from assistant.errors import AssistantError, InvalidInput, RateLimited
from assistant.progress import Progress
from assistant.store.jobs import JobsStore
from assistant.store.schema import JobRow

log = logging.getLogger(__name__)
JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
FINISHED = ("done", "failed", "cancelled")
Runner = Callable[[dict, Path | None, Progress], tuple[Any, bytes | None, str | None]]
"""``runner(params, input file or None, progress)`` -> ``(result, file bytes or None, media type or None)``."""


class JobError(BaseModel):
    error: str = Field(description="error type, e.g. InvalidInput, BackendUnavailable or Interrupted")
    detail: str


class Job(BaseModel):
    """What a client sees of a job."""

    id: str
    kind: str
    status: JobStatus = "queued"
    progress: float = Field(default=0.0, description="0..1")
    message: str = ""
    attempts: int = Field(
        default=0, description="times it was started (a job interrupted by a restart runs again once)"
    )
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    result: Any = None
    error: JobError | None = None
    artifact_type: str | None = Field(default=None, description="media type of the file the job made, if any")


class JobCancelled(Exception):
    """Raised inside a job's progress callback once someone cancelled it."""


def _job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        status=cast(JobStatus, row.status),
        progress=row.progress,
        message=row.message,
        attempts=row.attempts,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        result=row.result,
        error=JobError(**row.error) if row.error else None,
        artifact_type=row.artifact_type,
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobManager:
    """Runs the store's jobs on ``workers`` threads of this process."""

    def __init__(
        self,
        store: JobsStore,
        files: Path,
        runners: Mapping[str, Runner],
        workers: int = 1,
        keep_s: float = 3600.0,
        max_jobs: int = 100,
        per_owner: int = 0,
        poll_s: float = 1.0,
        stale_s: float = 60.0,
        max_attempts: int = 2,
    ) -> None:
        self.store = store
        self.files = files
        self.runners = dict(runners)
        self.workers = workers
        self.keep_s = keep_s
        self.max_jobs = max_jobs
        self.per_owner = per_owner  # jobs one owner may have waiting or running (0: no cap)
        self.poll_s = poll_s
        self.stale_s = stale_s  # a running job whose heartbeat is older than this was interrupted
        self.max_attempts = max_attempts
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self._active: set[str] = set()
        self._changed = threading.Condition()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._dispatcher: threading.Thread | None = None

    # --- the client's side -------------------------------------------------------------------------------------

    def submit(self, kind: str, params: dict, owner: str | None = None, input_data: bytes | None = None) -> Job:
        """Queue a job of a registered ``kind``; only ``owner`` (an API key id) sees it afterwards, when given.

        An owner with ``per_owner`` unfinished jobs is refused (``RateLimited``) until one finishes."""
        if kind not in self.runners:
            raise InvalidInput(f"unknown job kind '{kind}'")
        if owner is not None and self.per_owner:
            unfinished = self.store.unfinished_of(owner)
            if unfinished >= self.per_owner:
                raise RateLimited(
                    f"you have {unfinished} jobs waiting or running (the most one key may have): "
                    "wait for one to finish",
                    retry_after=10,
                )
        row = JobRow(
            id=uuid.uuid4().hex,
            kind=kind,
            owner=owner,
            status="queued",
            params=params,
            progress=0.0,
            message="waiting",
            attempts=0,
            cancel_requested=False,
            created_at=time.time(),
        )
        if input_data is not None:  # the input is on disk before the job exists, so a queued job always has it
            folder = self.files / row.id
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "input").write_bytes(input_data)
        self.store.add(row)
        self.start()
        self._wake.set()
        return _job(row)

    def get(self, job_id: str, wait_s: float = 0.0, owner: str | None = None) -> Job | None:
        """The job, after waiting up to ``wait_s`` seconds for it to finish; None when unknown or, if ``owner``
        is given, someone else's."""
        deadline = time.monotonic() + wait_s
        while True:
            row = self.store.get(job_id)
            if row is None or (owner is not None and row.owner != owner):
                return None
            remaining = deadline - time.monotonic()
            if row.status in FINISHED or remaining <= 0:
                return _job(row)
            with self._changed:  # woken by this process's jobs; another process's are polled
                self._changed.wait(min(remaining, 0.25))

    def artifact(self, job_id: str) -> bytes | None:
        path = self.files / job_id / "artifact"
        return path.read_bytes() if path.is_file() else None

    def cancel(self, job_id: str, owner: str | None = None) -> Job | None:
        """Cancel a job: a queued one at once, a running one at its next progress report; a finished one is
        forgotten with its files. Returns the job as it is now (None when unknown or someone else's)."""
        row = self.store.get(job_id)
        if row is None or (owner is not None and row.owner != owner):
            return None
        now = time.time()
        if row.status == "queued" and self.store.cancel_queued(job_id, now):
            self._remove_files(job_id)
        elif row.status == "running":
            self.store.request_cancel(job_id)
        elif row.status in FINISHED:
            self.store.remove([job_id])
            self._remove_files(job_id)
            return _job(row)
        return self.get(job_id)

    # --- this process's side -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start taking jobs from the store (queued ones, and those a stopped process left running)."""
        with self._changed:
            if self._dispatcher is None and not self._stopping.is_set():
                self._dispatcher = threading.Thread(target=self._dispatch, name="job-dispatcher", daemon=True)
                self._dispatcher.start()

    def _dispatch(self) -> None:
        last_beat = 0.0
        while not self._stopping.is_set():
            try:
                now = time.time()
                if now - last_beat >= self.stale_s / 4:
                    with self._changed:
                        active = set(self._active)
                    self.store.heartbeat(active, self.worker, now)
                    last_beat = now
                self._recover(now)
                self._expire(now)
                self._take()
            except Exception:  # a store hiccup must not stop the dispatcher; the next round retries
                log.exception("job dispatcher: this round failed; trying again in %g s", self.poll_s)
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def _interrupted(self, row: JobRow, now: float) -> bool:
        if row.worker == self.worker:
            return False
        host, _, rest = (row.worker or "").partition(":")
        pid = rest.partition(":")[0]
        if host == socket.gethostname() and pid.isdigit() and not _process_alive(int(pid)):
            return True
        return row.heartbeat_at is None or row.heartbeat_at < now - self.stale_s

    def _recover(self, now: float) -> None:
        for row in self.store.running():
            if not self._interrupted(row, now):
                continue
            if row.cancel_requested:
                self.store.change(row.id, status="cancelled", finished_at=now, message="cancelled")
            elif row.attempts < self.max_attempts:
                self.store.change(row.id, status="queued", worker=None, message="interrupted by a restart: runs again")
            else:
                self.store.change(
                    row.id,
                    status="failed",
                    finished_at=now,
                    message="failed",
                    error={
                        "error": "Interrupted",
                        "detail": f"the service stopped while it ran ({row.attempts} times); submit it again",
                    },
                )

    def _expire(self, now: float) -> None:
        gone = self.store.expired(now - self.keep_s, self.max_jobs)
        self.store.remove(gone)
        for job_id in gone:
            self._remove_files(job_id)

    def _take(self) -> None:
        with self._changed:
            free = self.workers - len(self._active)
        for job_id in self.store.queued(max(0, free)):
            if self.store.claim(job_id, self.worker, time.time()):
                with self._changed:
                    self._active.add(job_id)
                self._pool.submit(self._run, job_id)

    def _run(self, job_id: str) -> None:
        try:
            self._execute(job_id)
        finally:
            with self._changed:
                self._active.discard(job_id)
                self._changed.notify_all()
            self._wake.set()

    def _execute(self, job_id: str) -> None:
        row = self.store.get(job_id)
        if row is None:
            return
        reported = 0.0

        def progress(fraction: float, message: str = "") -> None:
            nonlocal reported
            now = time.monotonic()
            if now - reported < 0.3 and fraction < 1.0:
                return
            reported = now
            current = self.store.get(job_id)
            if current is None or current.cancel_requested:
                raise JobCancelled()
            self.store.change(
                job_id,
                self.worker,
                progress=round(max(0.0, min(1.0, fraction)), 3),
                message=message,
                heartbeat_at=time.time(),
            )
            with self._changed:
                self._changed.notify_all()

        input_path = self.files / job_id / "input"
        try:
            result, artifact, media_type = self.runners[row.kind](
                row.params, input_path if input_path.is_file() else None, progress
            )
        except JobCancelled:
            self._finish(job_id, status="cancelled", message="cancelled")
            return
        except Exception as exc:  # the job fails, the service goes on
            expected = isinstance(exc, AssistantError)
            detail = str(exc) if expected else f"unexpected {type(exc).__name__}: {exc}"
            self._finish(
                job_id, status="failed", message="failed", error={"error": type(exc).__name__, "detail": detail}
            )
            return
        current = self.store.get(job_id)
        if current is not None and current.cancel_requested:
            self._finish(job_id, status="cancelled", message="cancelled")
            return
        if artifact is not None:
            folder = self.files / job_id
            folder.mkdir(parents=True, exist_ok=True)
            partial = folder / "artifact.partial"
            partial.write_bytes(artifact)
            partial.replace(folder / "artifact")  # whole or absent, never half-written
        self._finish(
            job_id,
            status="done",
            progress=1.0,
            message="done",
            result=result,
            artifact_type=media_type if artifact is not None else None,
        )

    def _finish(self, job_id: str, **values: Any) -> None:
        self.store.change(job_id, self.worker, finished_at=time.time(), **values)
        if values.get("status") == "done":
            (self.files / job_id / "input").unlink(missing_ok=True)  # the result stays; the upload is not needed
        else:
            self._remove_files(job_id)
        with self._changed:
            self._changed.notify_all()

    def _remove_files(self, job_id: str) -> None:
        shutil.rmtree(self.files / job_id, ignore_errors=True)

    def shutdown(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
