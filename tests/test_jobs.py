"""Background jobs kept in the store: progress, results and files; the per-key cap; cancelling; and nothing lost
when the process running a job stops (a second manager on the same store takes it over, as a restarted
service does), up to a real server SIGKILLed in the middle of a bulletin."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from assistant.config import PROJECT_ROOT
from assistant.errors import InvalidInput, RateLimited
from assistant.jobs import JobManager, Runner
from assistant.store import database
from assistant.store.jobs import JobsStore
from benchmarks.live_server import free_port, wait_until_up
from tests.conftest import make_settings


@contextmanager
def managers(tmp_path: Path, runners: dict[str, Runner], count: int = 1, **options) -> Iterator[list[JobManager]]:
    """``count`` job managers on one store, as processes of one installation would be."""
    engine = database.open_store(make_settings(tmp_path))
    database.upgrade(engine)
    made = [JobManager(JobsStore(engine), tmp_path / "jobs", runners, poll_s=0.05, **options) for _ in range(count)]
    try:
        yield made
    finally:
        for manager in made:
            manager.shutdown()
        engine.dispose()


def wait_for(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_job_reports_progress_and_keeps_its_result_and_file(tmp_path):
    seen = []

    def work(params, input_path, progress):
        progress(0.5, "half way")
        seen.append((params, input_path.read_bytes() if input_path else None))
        return {"answer": params["n"] * 2}, b"RIFF-audio", "audio/wav"

    def bad(params, input_path, progress):
        raise InvalidInput("the text is empty")

    with managers(tmp_path, {"work": work, "bad": bad}) as (jobs,):
        job = jobs.submit("work", {"n": 21}, input_data=b"uploaded")
        done = jobs.get(job.id, wait_s=5)
        assert done.status == "done" and done.progress == 1.0 and done.result == {"answer": 42} and done.attempts == 1
        assert seen == [({"n": 21}, b"uploaded")]
        assert jobs.artifact(job.id) == b"RIFF-audio" and done.artifact_type == "audio/wav"
        assert not (tmp_path / "jobs" / job.id / "input").exists()  # the upload goes once the job is done

        failed = jobs.get(jobs.submit("bad", {}).id, wait_s=5)
        assert failed.status == "failed" and failed.error.error == "InvalidInput" and "empty" in failed.error.detail
        assert jobs.get("no-such-job") is None
        with pytest.raises(InvalidInput, match="unknown job kind"):
            jobs.submit("no-such-kind", {})


def test_only_its_owner_sees_a_job_and_one_key_may_not_queue_more_than_its_share(tmp_path):
    release = threading.Event()

    def slow(params, input_path, progress):
        release.wait(10)
        return 1, None, None

    with managers(tmp_path, {"slow": slow}, per_owner=2) as (jobs,):
        try:
            first = jobs.submit("slow", {}, owner="k1")
            jobs.submit("slow", {}, owner="k1")
            with pytest.raises(RateLimited, match="2 jobs waiting or running"):
                jobs.submit("slow", {}, owner="k1")
            other = jobs.submit("slow", {}, owner="k2")  # another key is not held back
            assert jobs.get(first.id, owner="k2") is None and jobs.get(other.id, owner="k2") is not None
            release.set()
            assert jobs.get(other.id, wait_s=10).status == "done"
            jobs.submit("slow", {}, owner="k1")  # finished ones free the share
        finally:
            release.set()


def test_waiting_returns_early_and_old_jobs_go_with_their_files(tmp_path):
    def quick(params, input_path, progress):
        if params.get("sleep"):
            time.sleep(params["sleep"])
        return 1, b"file", "audio/wav"

    with managers(tmp_path, {"quick": quick}, max_jobs=3) as (jobs,):
        slow = jobs.submit("quick", {"sleep": 0.3})
        started = time.monotonic()
        assert jobs.get(slow.id, wait_s=0.01).status in ("queued", "running")
        assert time.monotonic() - started < 0.25
        ids = [jobs.submit("quick", {}).id for _ in range(4)]
        jobs.get(ids[-1], wait_s=5)
        wait_for(lambda: jobs.get(slow.id) is None)  # the oldest finished job went first, and its file
        assert not (tmp_path / "jobs" / slow.id).exists() and jobs.artifact(ids[-1]) == b"file"


def test_cancel_a_queued_a_running_and_a_finished_job(tmp_path):
    started, release = threading.Event(), threading.Event()

    def long(params, input_path, progress):
        started.set()
        for step in range(200):
            progress(step / 200, "working")
            if release.wait(0.05):
                break
        return "finished", None, None

    with managers(tmp_path, {"long": long}) as (jobs,):
        running = jobs.submit("long", {})
        started.wait(5)
        queued = jobs.submit("long", {}, input_data=b"x")  # one worker: it waits
        assert jobs.cancel(queued.id).status == "cancelled"
        assert not (tmp_path / "jobs" / queued.id).exists()
        jobs.cancel(running.id)  # stops at its next progress report
        assert jobs.get(running.id, wait_s=5).status == "cancelled"
        assert jobs.get(queued.id).status == "cancelled"  # never started
        assert jobs.get(queued.id).started_at is None
        release.set()
        done = jobs.submit("long", {})
        assert jobs.get(done.id, wait_s=10).status == "done"
        assert jobs.cancel(done.id).status == "done" and jobs.get(done.id) is None  # forgotten
        assert jobs.cancel("no-such-job") is None


def test_a_job_whose_process_stopped_runs_again_once_then_fails_with_the_reason(tmp_path):
    runs: list[str] = []
    hang = threading.Event()

    def flaky(params, input_path, progress):
        runs.append(params["name"])
        if len(runs) <= params["hangs"]:
            hang.wait(30)  # its process "dies" here: the manager is stopped and never reports again
        return f"made {params['name']}", None, None

    with managers(tmp_path, {"flaky": flaky}, count=3, stale_s=2) as (first, second, third):
        second.shutdown(), third.shutdown()  # only the first takes the job
        job = first.submit("flaky", {"name": "a", "hangs": 1})
        wait_for(lambda: runs == ["a"])
        first._stopping.set()  # its dispatcher (and heartbeat) stops, as if the process were killed
        survivor = JobManager(first.store, tmp_path / "jobs", {"flaky": flaky}, poll_s=0.05, stale_s=2)
        try:
            survivor.start()
            done = survivor.get(job.id, wait_s=15)
            assert done.status == "done" and done.result == "made a" and done.attempts == 2 and runs == ["a", "a"]
        finally:
            survivor.shutdown()

        runs.clear()
        again = JobManager(first.store, tmp_path / "jobs", {"flaky": flaky}, poll_s=0.05, stale_s=2)
        job = again.submit("flaky", {"name": "b", "hangs": 2})
        wait_for(lambda: runs == ["b"])
        again._stopping.set()
        survivor_two = JobManager(first.store, tmp_path / "jobs", {"flaky": flaky}, poll_s=0.05, stale_s=2)
        survivor_two.start()
        wait_for(lambda: runs == ["b", "b"], 15)
        survivor_two._stopping.set()
        last = JobManager(first.store, tmp_path / "jobs", {"flaky": flaky}, poll_s=0.05, stale_s=2)
        try:
            last.start()
            failed = last.get(job.id, wait_s=15)
            assert failed.status == "failed" and failed.error.error == "Interrupted"
            assert "2 times" in failed.error.detail and runs == ["b", "b"]
        finally:
            hang.set()
            for manager in (again, survivor_two, last):
                manager.shutdown()


@pytest.mark.slow
def test_a_bulletin_survives_a_sigkilled_server(tmp_path):
    """A real server is SIGKILLed while it makes a bulletin; after a restart the same job id finishes with its
    audio, and a queued summary behind it is not lost either."""
    from assistant.auth import KeyStore

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    keys = KeyStore(data_dir / "keys.sqlite3")
    key, _ = keys.create("bí thư", "secretary", "tw/tinh-thai-nguyen/phuong-huong-an/chi-bo-3", "internal")
    keys.close()
    env = {
        **os.environ,
        "ASSISTANT_AUTH_DEV_KEY": "false",
        "ASSISTANT_SEED_CORPUS": "",
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0",
    }
    headers = {"Authorization": f"Bearer {key}"}
    text = " ".join(
        f"Chi bộ giao đồng chí thứ {i} phụ trách tổ dân phố số {i}, báo cáo kết quả trước ngày {i % 28 + 1} "
        f"tháng 12 năm 2026."
        for i in range(1, 120)
    )

    def serve() -> tuple[subprocess.Popen, str]:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "--data-dir", str(data_dir), "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_up(f"http://127.0.0.1:{port}/health", process, 300)
        return process, f"http://127.0.0.1:{port}"

    process, url = serve()
    try:
        bulletin = httpx.post(
            f"{url}/v1/bulletins", json={"text": text, "length": 300, "format": "mp3"}, headers=headers, timeout=30
        ).json()
        queued = httpx.post(
            f"{url}/v1/summarize", json={"text": text, "background": True}, headers=headers, timeout=30
        ).json()
        wait_for(
            lambda: httpx.get(f"{url}/v1/jobs/{bulletin['id']}", headers=headers).json()["status"] == "running", 30
        )
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    process, url = serve()
    try:
        done = httpx.get(f"{url}/v1/jobs/{bulletin['id']}", params={"wait": 30}, headers=headers, timeout=60).json()
        if done["status"] != "done":
            done = httpx.get(f"{url}/v1/jobs/{bulletin['id']}", params={"wait": 30}, headers=headers, timeout=60).json()
        assert done["status"] == "done" and done["attempts"] == 2, done
        audio = httpx.get(f"{url}/v1/jobs/{bulletin['id']}/audio", headers=headers, timeout=30)
        assert (
            audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg" and len(audio.content) > 10_000
        )
        summary = httpx.get(f"{url}/v1/jobs/{queued['id']}", params={"wait": 30}, headers=headers, timeout=60).json()
        assert summary["status"] == "done" and summary["result"]["points"]
        gone = httpx.delete(f"{url}/v1/jobs/{summary['id']}", headers=headers, timeout=30)
        assert (
            gone.status_code == 200 and httpx.get(f"{url}/v1/jobs/{summary['id']}", headers=headers).status_code == 404
        )
    finally:
        process.terminate()
        process.wait(30)
