"""Assemble ``evals/datasets/minutes/minutes.jsonl`` from the hand-written sources beside it.

``records/NAME.yaml`` (meeting records, also usable with ``assistant draft minutes``),
``transcripts/NAME.txt`` (optional), ``references/NAME.md`` (minutes written by a person) and
``expected/NAME.yaml`` (each decision's result worked out by hand from the rules in DOMAIN.md).
Run: ``python -m evals.build_minutes_dataset``.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from assistant.meeting import load_record

DATASET = Path(__file__).resolve().parent / "datasets" / "minutes"


def build(directory: Path = DATASET) -> int:
    rows = []
    for path in sorted((directory / "records").glob("*.yaml")):
        record = load_record(path)  # fails loudly on an invalid record
        row = {"id": path.stem, "record": record.model_dump(mode="json", exclude_defaults=True)}
        for key, folder, suffix in (("transcript", "transcripts", ".txt"), ("reference", "references", ".md")):
            extra = directory / folder / f"{path.stem}{suffix}"
            if extra.is_file():
                row[key] = extra.read_text(encoding="utf-8")
        expected = directory / "expected" / f"{path.stem}.yaml"
        if expected.is_file():
            row["expected"] = yaml.safe_load(expected.read_text(encoding="utf-8"))["decisions"]
        rows.append(row)
    (directory / "minutes.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return len(rows)


if __name__ == "__main__":
    print(f"wrote {build()} rows to {DATASET / 'minutes.jsonl'}")
