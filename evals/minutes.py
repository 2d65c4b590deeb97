"""``assistant eval minutes DIR``: draft every record of a JSONL set and score the drafts.

Each line of ``DIR/*.jsonl``: ``id``, ``record`` (a meeting record object), optional ``transcript``,
``reference`` (minutes written by a person) and ``expected`` (each decision's result worked out by hand:
passed, base, needed, elected). Prints field coverage (share of the record's facts stated correctly),
invented facts (numbers or people not in the record), whether every decision's computed result matches the
expected one, the same coverage for the cell's resolution drafted from each record, ROUGE-1/2/L F1 against
the references (and, for scale, ROUGE-L of the same draft with the narrative left out: what the record's
fields alone reach), and drafting latency.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.llm import EngineChoice
from assistant.meeting import MeetingRecord
from assistant.service import Assistant
from assistant.tasks.minutes import ItemNarrative
from assistant.tasks.minutes_check import check_minutes
from assistant.votes import outcome
from evals.rouge import rouge


def load_minutes_set(directory: Path) -> list[dict]:
    rows = [
        json.loads(line)
        for path in sorted(directory.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if not rows:
        raise ValueError(f"no JSONL rows in {directory}")
    return rows


def _mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 4) if values else 0.0


def outcome_mismatches(record: MeetingRecord, expected: list[dict]) -> list[str]:
    """Where the computed results differ from the hand-worked ones (``passed``, ``base``, ``needed``, ``elected``)."""
    wrong = []
    for i, (decision, want) in enumerate(zip(record.decisions, expected)):
        got = outcome(decision, record)
        values = {
            "passed": got.passed if got else None,
            "base": got.base if got else None,
            "needed": got.needed if got else None,
            "elected": got.elected if got else [],
        }
        wrong += [
            f"decisions.{i}.{key}: {values[key]!r}, expected {value!r}"
            for key, value in want.items()
            if values[key] != value
        ]
    return wrong


def run_minutes_eval(
    directory: Path, settings: Settings, engine: EngineChoice = "extractive", details: bool = False
) -> dict:
    assistant = Assistant(settings)
    drafter = assistant.minutes
    per_record, latencies, engines = [], [], set()
    for row in load_minutes_set(directory):
        record = MeetingRecord.model_validate(row["record"])
        if row.get("transcript"):
            record = record.model_copy(update={"transcript": row["transcript"]})
        started = time.perf_counter()
        draft = drafter.draft(record, engine=engine)
        latencies.append((time.perf_counter() - started) * 1000)
        engines.add(draft.engine)
        check = check_minutes(draft.markdown, record)
        result = {
            "id": row["id"],
            "facts": len(check.facts),
            "coverage": round(check.coverage, 4),
            "missing": [f"{f.field}: {f.expected}" for f in check.facts if not f.found],
            "invented": check.invented,
            "words": len(draft.markdown.split()),
        }
        if "expected" in row:
            result["decisions_expected"] = len(row["expected"])
            result["outcome_mismatches"] = outcome_mismatches(record, row["expected"])
        resolution = assistant.resolutions.draft(record)
        result["resolution_coverage"] = resolution.field_coverage
        if row.get("reference"):
            result.update(rouge(draft.markdown, row["reference"]))
            bare = drafter.render(
                record,
                [
                    ItemNarrative(index=n.index, title=n.title, presenter=n.presenter, conclusion=n.conclusion)
                    for n in draft.items
                ],
            )
            result["rougeL_without_narrative"] = rouge(bare, row["reference"])["rougeL"]
        per_record.append(result)
    with_reference = [r for r in per_record if "rouge1" in r]
    summary = {
        "records": len(per_record),
        "engine": sorted(engines),
        "facts": sum(r["facts"] for r in per_record),
        "field_coverage": _mean([r["coverage"] for r in per_record]),
        "records_fully_covered": sum(r["coverage"] == 1.0 for r in per_record),
        "invented_facts": sum(len(r["invented"]) for r in per_record),
        "decisions_with_expected_result": sum(r.get("decisions_expected", 0) for r in per_record),
        "results_wrong": sum(len(r.get("outcome_mismatches", [])) for r in per_record),
        "resolution_coverage": _mean([r["resolution_coverage"] for r in per_record]),
        "with_reference": len(with_reference),
        **{m: _mean([r[m] for r in with_reference]) for m in ("rouge1", "rouge2", "rougeL")},
        "rougeL_without_narrative": _mean([r["rougeL_without_narrative"] for r in with_reference]),
        "draft_ms_p50": round(float(np.percentile(latencies, 50)), 1),
        "draft_ms_p95": round(float(np.percentile(latencies, 95)), 1),
    }
    if details:
        summary["details"] = per_record
    return summary
