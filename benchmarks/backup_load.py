"""Backup while the server answers: 20 clients ask questions over HTTP while ``assistant backup`` runs in its
own process; then the backup is restored into a fresh directory and every question's search results are
compared with the live index's.

    python -m benchmarks.backup_load --data-dir artifacts/bench-scale [--clients 20]

Prints the backup's time and size, the requests answered during it (and any that failed), and how many
questions give the same ranked passages from the restored copy.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from assistant.backup import restore
from assistant.config import PROJECT_ROOT, Settings
from assistant.service import Assistant
from benchmarks.ask_latency import DATASET
from benchmarks.live_server import live_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    questions = [
        json.loads(line)["text"]
        for line in (DATASET / "queries.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]
    report: dict = {"clients": args.clients}
    with tempfile.TemporaryDirectory(prefix="backup-load-") as tmp, live_server(data_dir) as server:
        archive = Path(tmp) / "backup.tar.zst"
        before = {
            q: [
                h["chunk_id"]
                for h in httpx.post(
                    f"{server.base_url}/v1/search",
                    json={"query": q, "k": 5},
                    headers=server.headers("admin"),
                    timeout=60,
                ).json()["hits"]
            ]
            for q in questions
        }
        stop = threading.Event()
        outcomes: list[int] = []

        def client(n: int) -> None:
            with httpx.Client(timeout=60) as http:
                i = n
                while not stop.is_set():
                    try:
                        response = http.post(
                            f"{server.base_url}/v1/ask",
                            headers=server.headers(),
                            json={"question": questions[i % len(questions)], "engine": "extractive"},
                        )
                        outcomes.append(response.status_code)
                    except httpx.HTTPError:
                        outcomes.append(0)
                    i += args.clients

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "assistant.cli", "--data-dir", str(data_dir), "backup", str(archive)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        report["backup_seconds"] = round(time.perf_counter() - started, 1)
        during = len(outcomes)
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join()
        report["backup_output"] = done.stdout.strip() or done.stderr.strip()[-300:]
        report["archive_mb"] = round(archive.stat().st_size / 2**20, 1) if archive.exists() else None
        report["requests_during_backup"] = during
        report["requests_failed"] = sum(1 for status in outcomes if status != 200)

        restored_dir = Path(tmp) / "restored"
        started = time.perf_counter()
        restore(archive, restored_dir)
        report["restore_seconds"] = round(time.perf_counter() - started, 1)
        restored = Assistant(Settings(data_dir=restored_dir, seed_corpus=None, auth_dev_key=False))
        try:
            same = sum(
                1 for q in questions if [h.chunk.chunk_id for h in restored.retriever.search(q, k=5).hits] == before[q]
            )
        finally:
            restored.close()
        report["questions_with_same_results"] = f"{same} of {len(questions)}"
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
