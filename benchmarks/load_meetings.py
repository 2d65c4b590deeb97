"""Load: the members of 10 cells replying to their meetings at once, over real HTTP; nothing lost or doubled.

    python -m benchmarks.load_meetings [--store sqlite|postgresql] [--workers 1] [--cells 10] [--members 20]

Starts ``assistant serve`` (``--workers`` processes; with ``--store postgresql`` on a throw-away PostgreSQL
cluster), creates a secretary and ``--members`` member keys per cell, schedules and publishes one meeting per
cell, then every member replies at the same moment (one thread each) and changes the reply once with the
version it got back. Checks every meeting holds exactly one reply per member with its final value, and that
the month's figures equal a direct count. Prints JSON; exits 1 on any lost, doubled or wrong reply.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx

from assistant.auth import KeyStore
from benchmarks.ask_latency import percentiles
from benchmarks.live_server import live_server
from benchmarks.pg_cluster import throwaway_postgres

WARD = "tw/tinh-thai-nguyen/phuong-huong-an"


def reply_twice(
    base_url: str, key: str, meeting_id: str, attending: bool, barrier: threading.Barrier
) -> tuple[list[float], str | None]:
    """One member: a first reply at the same moment as everyone, then a change with the version it got."""
    latencies = []
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
        barrier.wait()
        bodies = [{"attending": not attending, "reason": "" if not attending else "bận việc gia đình"}]
        version = None
        for body in bodies + [{"attending": attending, "reason": "" if attending else "ốm"}]:
            started = time.perf_counter()
            response = client.put(f"/v1/meetings/{meeting_id}/reply", json={**body, "expected_version": version})
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                return latencies, f"{response.status_code} {response.text[:200]}"
            version = response.json()["version"]
    return latencies, None


def run(store: str, workers: int, cells: int, members: int) -> dict:
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-meetings-")))
        env = {"ASSISTANT_SEED_CORPUS": ""}
        if store == "postgresql":
            env["ASSISTANT_DATABASE_URL"] = stack.enter_context(throwaway_postgres())
        keys = KeyStore(data_dir / "keys.sqlite3")
        secretaries, people = {}, {}
        for c in range(cells):
            unit = f"{WARD}/chi-bo-{c + 1}"
            secretaries[unit] = keys.create(f"Bí thư chi bộ {c + 1}", "secretary", unit)[0]
            people[unit] = [keys.create(f"Đảng viên {c + 1}.{m + 1}", "member", unit)[0] for m in range(members)]
        committee = keys.create("Đảng ủy phường", "committee", WARD)[0]
        keys.close()
        server = stack.enter_context(live_server(data_dir, workers=workers, env=env))
        day = (dt.date.today() + dt.timedelta(days=7)).isoformat()
        meetings = {}
        for unit, key in secretaries.items():
            headers = {"Authorization": f"Bearer {key}"}
            plan = {
                "organization": {"name": unit.rsplit("/", 1)[-1]},
                "date": day,
                "time_start": "19:30",
                "place": "Nhà văn hóa",
                "agenda": ["Kiểm điểm tháng", "Nhiệm vụ tháng tới"],
            }
            created = httpx.post(f"{server.base_url}/v1/meetings", json=plan, headers=headers, timeout=60).json()
            httpx.post(f"{server.base_url}/v1/meetings/{created['id']}/publish", headers=headers, timeout=60)
            meetings[unit] = created["id"]
        intended = {(unit, i): i % 4 != 0 for unit in people for i in range(members)}  # a quarter cannot attend
        barrier = threading.Barrier(len(intended))
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(intended)) as pool:
            results = list(
                pool.map(
                    lambda item: reply_twice(
                        server.base_url, people[item[0][0]][item[0][1]], meetings[item[0][0]], item[1], barrier
                    ),
                    intended.items(),
                )
            )
        wall = time.perf_counter() - started
        errors = [e for _, e in results if e]
        latencies = [ms for lat, _ in results for ms in lat]
        lost = doubled = wrong = 0
        for unit, meeting_id in meetings.items():
            seen = httpx.get(
                f"{server.base_url}/v1/meetings/{meeting_id}",
                timeout=60,
                headers={"Authorization": f"Bearer {secretaries[unit]}"},
            ).json()
            names = [r["member_name"] for r in seen["replies"]]
            lost += members - len(set(names))
            doubled += len(names) - len(set(names))
            final = {r["member_name"]: r["attending"] for r in seen["replies"]}
            wrong += sum(
                final.get(f"Đảng viên {unit.rsplit('-', 1)[-1]}.{i + 1}") != intended[(unit, i)]
                for i in range(members)
                if f"Đảng viên {unit.rsplit('-', 1)[-1]}.{i + 1}" in final
            )
        figures = httpx.get(
            f"{server.base_url}/v1/meetings/figures",
            params={"month": day[:7]},
            timeout=60,
            headers={"Authorization": f"Bearer {committee}"},
        ).json()
        direct = {
            "replies": len(intended),
            "attending": sum(intended.values()),
            "not_attending": len(intended) - sum(intended.values()),
        }
        counted = {k: sum(f[k] for f in figures) for k in direct}
        return {
            "store": store,
            "workers": workers,
            "cells": cells,
            "members": len(intended),
            "requests": len(latencies),
            "errors": len(errors),
            "first_errors": errors[:3],
            "lost": lost,
            "doubled": doubled,
            "wrong_final_value": wrong,
            "figures_equal_direct_count": counted == direct,
            "figures": counted,
            "latency_ms": percentiles(latencies),
            "wall_s": round(wall, 2),
            "replies_per_s": round(len(latencies) / wall, 1),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cells", type=int, default=10)
    parser.add_argument("--members", type=int, default=20)
    args = parser.parse_args()
    result = run(args.store, args.workers, args.cells, args.members)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    ok = not (result["errors"] or result["lost"] or result["doubled"] or result["wrong_final_value"])
    return 0 if ok and result["figures_equal_direct_count"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
