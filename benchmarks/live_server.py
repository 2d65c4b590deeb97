"""A real server for load and fuzz runs: ``assistant serve`` in its own process on loopback, with API keys.

The data directory is kept between runs (the sample corpus is ingested on the first start only).
With ``workers > 1`` a ``chroma run`` server is started too, as several API workers need it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from assistant.auth import KeyStore
from assistant.config import PROJECT_ROOT


@dataclass
class LiveServer:
    base_url: str
    admin_key: str
    member_key: str

    def headers(self, role: str = "member") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key if role == 'admin' else self.member_key}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up in {timeout_s:.0f} s")
        time.sleep(0.5)


@contextmanager
def live_server(
    data_dir: Path,
    workers: int = 1,
    startup_timeout_s: float = 600,
    env: dict[str, str] | None = None,
    chroma_path: Path | None = None,
) -> Iterator[LiveServer]:
    """Start the API (and Chroma when ``workers > 1``, serving ``chroma_path``: by default a directory of its
    own, or e.g. the embedded index's ``chroma`` directory) with ``env`` added; stop both on exit."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store = KeyStore(data_dir / "keys.sqlite3")
    admin_key, _ = store.create("benchmark admin", "admin", "", "confidential")
    member_key, _ = store.create(
        "benchmark member", "member", "tw/tinh-thai-nguyen/phuong-huong-an/chi-bo-3", "internal"
    )
    store.close()
    # one key sends all of a benchmark's requests: the per-key rate limit would measure itself
    env = {**os.environ, "ASSISTANT_AUTH_DEV_KEY": "false", "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0", **(env or {})}
    processes: list[subprocess.Popen] = []
    try:
        if workers > 1:
            chroma_port = free_port()
            chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
            processes.append(
                subprocess.Popen(
                    [
                        chroma,
                        "run",
                        "--path",
                        str(chroma_path or data_dir / "chroma-server"),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(chroma_port),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            wait_until_up(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", processes[-1], 60)
            env.update(ASSISTANT_CHROMA_MODE="http", ASSISTANT_CHROMA_PORT=str(chroma_port))
        port = free_port()
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "assistant.cli",
                    "--data-dir",
                    str(data_dir),
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        base_url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base_url}/health", processes[-1], startup_timeout_s)
        yield LiveServer(base_url, admin_key, member_key)
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
