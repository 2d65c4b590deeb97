"""Load: many concurrent clients asking ``/v1/ask`` over real HTTP on loopback; 0 errors expected.

    python -m benchmarks.load_ask [--clients 50] [--requests 20] [--workers 1] [--data-dir artifacts/bench-load]

Starts ``assistant serve`` in its own process (the sample corpus is ingested on the first start), then
``--clients`` threads each send ``--requests`` questions from ``evals/datasets/corpus-qa`` with a cell
member's key (so every request is filtered by org unit and clearance). Prints errors, latency
percentiles and throughput as JSON; exits 1 when any request failed.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from assistant.config import PROJECT_ROOT
from benchmarks.ask_latency import DATASET, percentiles
from benchmarks.live_server import LiveServer, live_server


def client_run(server: LiveServer, questions: list[str], offset: int, requests: int) -> tuple[list[float], list[str]]:
    """One client: ``requests`` questions in a row on its own connection; latencies (ms) and errors."""
    latencies, errors = [], []
    with httpx.Client(base_url=server.base_url, headers=server.headers("member"), timeout=120) as client:
        for i in range(requests):
            question = questions[(offset + i) % len(questions)]
            started = time.perf_counter()
            try:
                response = client.post("/v1/ask", json={"question": question})
                if response.status_code != 200:
                    errors.append(f"{response.status_code}: {response.text[:120]}")
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per client")
    parser.add_argument("--workers", type=int, default=1, help="API worker processes (>1 starts a chroma server)")
    parser.add_argument("--data-dir", default=str(PROJECT_ROOT / "artifacts" / "bench-load"))
    parser.add_argument(
        "--existing",
        action="store_true",
        help="serve --data-dir as it is (e.g. artifacts/"
        "bench-scale); with --workers > 1 a Chroma server serves its chroma directory",
    )
    args = parser.parse_args()

    questions = [
        json.loads(line)["text"]
        for line in (DATASET / "queries.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]
    data_dir = Path(args.data_dir) if args.existing else Path(args.data_dir) / f"workers-{args.workers}"
    chroma = data_dir / "chroma" if args.existing else None
    with live_server(data_dir, workers=args.workers, chroma_path=chroma) as server:
        client_run(server, questions, 0, 5)  # warm-up: model and caches
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            runs = list(pool.map(lambda c: client_run(server, questions, c * 7, args.requests), range(args.clients)))
        wall = time.perf_counter() - started
    latencies = [ms for run, _ in runs for ms in run]
    errors = [e for _, run_errors in runs for e in run_errors]
    report = {
        "clients": args.clients,
        "requests_per_client": args.requests,
        "workers": args.workers,
        "requests": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:5],
        "latency_ms": percentiles(latencies),
        "wall_s": round(wall, 1),
        "throughput_rps": round(len(latencies) / wall, 1),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
