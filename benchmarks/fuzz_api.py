"""Fuzz: Schemathesis generates requests from the OpenAPI spec against a live server; 0 server errors expected.

    python -m benchmarks.fuzz_api [--max-examples 30] [--max-time 600] [--role admin] [--data-dir artifacts/bench-fuzz]

Starts ``assistant serve`` on loopback (the sample corpus is ingested on the first start) and runs
``st run`` with the ``not_a_server_error`` check on every operation, sending an admin key (so every
route is reached past authentication) or a member key (``--role member``: the 403 paths). The exit
code is Schemathesis's: 0 when no request got a 5xx. CI runs a short version (``--max-examples 3``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from assistant.config import PROJECT_ROOT
from benchmarks.live_server import live_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=30, help="per operation and phase")
    parser.add_argument("--max-time", type=int, default=900, help="seconds for the whole run")
    parser.add_argument("--role", choices=["admin", "member"], default="admin")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--data-dir", default=str(PROJECT_ROOT / "artifacts" / "bench-fuzz"))
    parser.add_argument("st_args", nargs="*", help="more options for `st run` after --, e.g. -- --include-path-regex bulletins")
    args = parser.parse_args()

    st = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    if st is None:
        print("error: schemathesis is not installed (pip install -e '.[test]')", file=sys.stderr)
        return 2
    with live_server(Path(args.data_dir)) as server:
        key = server.admin_key if args.role == "admin" else server.member_key
        command = [st, "run", f"{server.base_url}/openapi.json", "--checks", "not_a_server_error",
                   "--header", f"Authorization: Bearer {key}", "--max-examples", str(args.max_examples),
                   "--max-time", str(args.max_time), "--seed", str(args.seed), "--workers", "1",
                   "--request-timeout", "120", "--phases", "examples,coverage,fuzzing", "--no-color", *args.st_args]
        print(" ".join(command[:3] + ["--checks not_a_server_error", f"--max-examples {args.max_examples}", "..."]),
              flush=True)
        return subprocess.run(command, cwd=PROJECT_ROOT).returncode


if __name__ == "__main__":
    raise SystemExit(main())
