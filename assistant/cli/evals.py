"""Evaluation harness: ``assistant eval retrieval|qa|documents|minutes|summaries|focused|speech|synthesis``."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.cli.common import eval_settings, print_json, settings_from
from assistant.cli.summaries import ENGINES, length_arg


def cmd_eval_minutes(args: argparse.Namespace) -> int:
    from evals.minutes import run_minutes_eval

    print_json(run_minutes_eval(Path(args.dir), settings_from(args), engine=args.engine, details=args.details))
    return 0


def cmd_eval_retrieval(args: argparse.Namespace) -> int:
    from evals.retrieval import run_retrieval_eval

    print_json(
        run_retrieval_eval(
            Path(args.dir), eval_settings(args), baseline=not args.no_baseline, split=args.split, sweep=args.sweep
        )
    )
    return 0


def cmd_eval_focused(args: argparse.Namespace) -> int:
    from evals.focused import run_focused_eval

    print_json(
        run_focused_eval(Path(args.dir), eval_settings(args), split=args.split, details=args.details, limit=args.limit)
    )
    return 0


def cmd_eval_qa(args: argparse.Namespace) -> int:
    from evals.qa import run_qa_eval

    print_json(
        run_qa_eval(Path(args.dir), eval_settings(args), engine=args.engine, split=args.split, details=args.details)
    )
    return 0


def cmd_eval_documents(args: argparse.Namespace) -> int:
    from evals.documents import run_documents_eval

    print_json(run_documents_eval(Path(args.dir), eval_settings(args), details=args.details))
    return 0


def cmd_eval_synthesis(args: argparse.Namespace) -> int:
    from evals.synthesis import run_synthesis_eval

    print_json(run_synthesis_eval(Path(args.dir), eval_settings(args), threshold=args.threshold, sweep=args.sweep))
    return 0


def cmd_eval_summaries(args: argparse.Namespace) -> int:
    from evals.summaries import run_query_summary_eval, run_summary_eval

    if args.queries:
        print_json(
            run_query_summary_eval(
                Path(args.queries),
                Path(args.file),
                eval_settings(args),
                engine=args.engine,
                length=args.length,
                details=args.details,
                limit=args.limit,
            )
        )
    else:
        print_json(
            run_summary_eval(
                Path(args.file),
                eval_settings(args),
                engine=args.engine,
                length=args.length,
                style=args.style,
                details=args.details,
                limit=args.limit,
            )
        )
    return 0


def cmd_eval_speech(args: argparse.Namespace) -> int:
    from evals.speech import run_speech_eval

    print_json(run_speech_eval(Path(args.file), settings_from(args), rates=args.rate or None, details=args.details))
    return 0


def add_commands(sub: argparse._SubParsersAction, evals: argparse._SubParsersAction) -> None:
    e = evals.add_parser(
        "documents",
        help="real files + manifest.jsonl (+ questions.jsonl): identity, structure, text quality and answers",
    )
    e.add_argument("dir")
    e.add_argument("--embedding-model")
    e.add_argument("--details", action="store_true", help="also list every file's detected metadata and every answer")
    e.set_defaults(func=cmd_eval_documents)
    e = evals.add_parser(
        "synthesis",
        help="themes of comments (comments.jsonl with gold theme/topic): ARI, V-measure "
        "vs k-means, form letters merged, counts and quotes checked",
    )
    e.add_argument("dir")
    e.add_argument("--threshold", type=float, help="cosine distance at which themes are cut (default: the setting)")
    e.add_argument("--sweep", action="store_true", help="also measure a range of thresholds")
    e.set_defaults(func=cmd_eval_synthesis)
    e = evals.add_parser("retrieval", help="BEIR-layout retrieval eval vs a naive baseline")
    e.add_argument("dir")
    e.add_argument("--split", default="test", help="qrels/<split>.tsv (default: test)")
    e.add_argument("--embedding-model")
    e.add_argument("--no-baseline", action="store_true")
    e.add_argument("--sweep", action="store_true", help="also measure every fusion setting of a grid on the same index")
    e.set_defaults(func=cmd_eval_retrieval)
    e = evals.add_parser("qa", help="citation precision and abstention accuracy of ask on a BEIR-layout set")
    e.add_argument("dir")
    e.add_argument("--split", default="test", help="qrels/<split>.tsv (default: test)")
    e.add_argument("--engine", choices=["auto", "extractive", "llm"], default="extractive")
    e.add_argument("--embedding-model")
    e.add_argument("--details", action="store_true", help="also list every question with its outcome")
    e.set_defaults(func=cmd_eval_qa)
    e = evals.add_parser("minutes", help="field coverage, invented facts and ROUGE of drafted minutes (JSONL set)")
    e.add_argument("dir")
    e.add_argument("--engine", choices=["auto", "extractive", "llm"], default="extractive")
    e.add_argument("--details", action="store_true", help="also list every record's figures and problems")
    e.set_defaults(func=cmd_eval_minutes)
    e = evals.add_parser("summaries", help="ROUGE, compression and sentence length of summaries (JSONL set)")
    e.add_argument("file", help="JSONL with id, document, summary")
    e.add_argument(
        "--queries",
        help="query-focused: JSONL with meeting_id, query, answer, spans (QMSum's "
        "queries.jsonl); FILE then holds the meetings",
    )
    e.add_argument("--length", type=length_arg, default="auto")
    e.add_argument("--style", choices=["plain", "formal"], default="plain")
    e.add_argument("--limit", type=int, help="only the first N rows")
    e.add_argument("--engine", choices=ENGINES, default="extractive")
    e.add_argument("--details", action="store_true")
    e.set_defaults(func=cmd_eval_summaries)
    e = evals.add_parser(
        "focused",
        help="query-focused summaries of each question's gold document (BEIR layout): cited passages in the "
        "gold article, vs BM25 of the same length",
    )
    e.add_argument("dir")
    e.add_argument("--split", default="test", help="qrels/<split>.tsv (default: test)")
    e.add_argument("--embedding-model")
    e.add_argument("--limit", type=int, help="only the first N questions")
    e.add_argument("--details", action="store_true")
    e.set_defaults(func=cmd_eval_focused)
    e = evals.add_parser("speech", help="round trip: speak known texts (TTS), transcribe them, word error rate")
    e.add_argument("file", help="JSONL with id, language, text")
    e.add_argument("--rate", type=int, action="append", help="speech rate(s) to compare (repeatable)")
    e.add_argument("--details", action="store_true")
    e.set_defaults(func=cmd_eval_speech)
