"""The ``assistant`` command: one module per command family, each adding its commands to the parser."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from assistant.cli import admin, documents, drafting, evals, meetings, server, summaries
from assistant.errors import AssistantError
from assistant.meeting import InvalidRecord

FAMILIES = (documents, drafting, server, summaries, evals, admin, meetings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="On-premises document assistant")
    parser.add_argument("--data-dir", help="index directory (default: $ASSISTANT_DATA_DIR or ./data)")
    sub = parser.add_subparsers(dest="command", required=True)
    evaluation = sub.add_parser("eval", help="evaluation harness").add_subparsers(dest="eval_kind", required=True)
    for family in FAMILIES:
        family.add_commands(sub, evaluation)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InvalidRecord as exc:
        for problem in exc.problems:
            print(f"error: {problem.where()}: {problem.message}", file=sys.stderr)
        return 2
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
