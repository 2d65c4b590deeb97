"""Fuzz: Schemathesis generates requests from the OpenAPI spec against a live server; 0 server errors expected.

    python -m benchmarks.fuzz_api [--max-examples 30] [--max-time 600] [--role admin] [--data-dir artifacts/bench-fuzz]

Starts ``assistant serve`` on loopback (the sample corpus is ingested on the first start) and runs
``st run`` with the ``not_a_server_error`` check on every operation, sending an admin key (so every
route is reached past authentication) or a member key (``--role member``: the 403 paths). Phases:
examples, coverage, fuzzing and stateful (the links the spec declares: upload -> read -> delete a
document, job -> its status). Afterwards it prints, per operation, the share of generated requests
that reached the handler (not refused with 422 by request validation), from Schemathesis's HAR report.
By default only requests the spec allows are generated (``--mode positive``), so that share says whether the
spec states what the API enforces; ``--mode all`` adds negative cases, meant to be refused.
Generated cases get the rules across fields JSON Schema cannot state (counts that add up, a meeting in the
future...) repaired by ``benchmarks.fuzz_hooks``, in every phase.
The exit code is Schemathesis's (0 when no request got a 5xx), or 1 when ``--min-accepted`` is given and
an operation stays below it. CI runs a short version (``--max-examples 3 --mode all``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from assistant.config import PROJECT_ROOT
from benchmarks.fuzz_report import figures_from_har, summary
from benchmarks.live_server import live_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=30, help="per operation and phase")
    parser.add_argument("--max-time", type=int, default=900, help="seconds for the whole run")
    parser.add_argument("--role", choices=["admin", "member"], default="admin")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--data-dir", default=str(PROJECT_ROOT / "artifacts" / "bench-fuzz"))
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument(
        "--mode",
        choices=["positive", "negative", "all"],
        default="positive",
        help=(
            "positive (default): requests the spec allows — the share past validation says whether the spec states "
            "what the API enforces; all: negative cases too (CI: more ways to find a 5xx, and they are meant to be 422s)"
        ),
    )
    parser.add_argument(
        "--min-accepted",
        type=float,
        default=None,
        help="fail when an operation's share of requests past validation is below this (e.g. 0.5)",
    )
    parser.add_argument("--report", help="also write the per-operation figures (JSON) to this file")
    parser.add_argument("--har", help="keep Schemathesis's HAR file (every request and response) here")
    parser.add_argument(
        "st_args", nargs="*", help="more options for `st run` after --, e.g. -- --include-path-regex bulletins"
    )
    args = parser.parse_args()

    st = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    if st is None:
        print("error: schemathesis is not installed (pip install -e '.[test]')", file=sys.stderr)
        return 2
    with live_server(Path(args.data_dir)) as server, tempfile.TemporaryDirectory(prefix="fuzz-report-") as tmp:
        key = server.admin_key if args.role == "admin" else server.member_key
        har = Path(args.har) if args.har else Path(tmp) / "requests.har"
        command = [
            st,
            "run",
            f"{server.base_url}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--header",
            f"Authorization: Bearer {key}",
            "--max-examples",
            str(args.max_examples),
            "--max-time",
            str(args.max_time),
            "--seed",
            str(args.seed),
            "--workers",
            "1",
            "--request-timeout",
            "120",
            "--phases",
            args.phases,
            "--mode",
            args.mode,
            "--no-color",
            "--report",
            "har",
            "--report-har-path",
            str(har),
            *args.st_args,
        ]
        print(
            " ".join(
                command[:3]
                + [
                    "--checks not_a_server_error",
                    f"--max-examples {args.max_examples}",
                    f"--phases {args.phases}",
                    f"--mode {args.mode}",
                    "...",
                ]
            ),
            flush=True,
        )
        env = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": "benchmarks.fuzz_hooks",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        }
        returncode = subprocess.run(command, cwd=PROJECT_ROOT, env=env).returncode
        if not har.is_file():
            print("error: Schemathesis wrote no HAR report", file=sys.stderr)
            return returncode or 2
        openapi = httpx.get(f"{server.base_url}/openapi.json", timeout=30).json()
        report = summary(figures_from_har(har, openapi), args.min_accepted or 0.5)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print("per-operation share of generated requests that reached the handler (not 422):")
    print(text)
    if args.report:
        Path(args.report).write_text(text + "\n", encoding="utf-8")
    if returncode == 0 and args.min_accepted is not None and report["below_target"]:
        print(f"error: below {args.min_accepted}: {', '.join(report['below_target'])}", file=sys.stderr)
        return 1
    return returncode


if __name__ == "__main__":
    raise SystemExit(main())
