"""Assemble ``evals/datasets/summaries/summaries.jsonl``: each corpus document's text beside the
summary a person wrote for it (``references/NAME.md``, one point per ``-`` line).

Run: ``python -m evals.build_summaries_dataset``.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.ingest.loaders import load_file
from assistant.ingest.metadata import build_document

DATASET = Path(__file__).resolve().parent / "datasets" / "summaries"
CORPUS = PROJECT_ROOT / "corpus"


def build(directory: Path = DATASET, corpus: Path = CORPUS) -> int:
    rows = []
    for reference in sorted((directory / "references").glob("*.md")):
        source = next(p for p in corpus.iterdir() if p.stem == reference.stem and not p.name.endswith(".json"))
        document = build_document(load_file(source, 50 * 2**20), source, "", source.stem)
        points = [
            line[2:].strip() for line in reference.read_text(encoding="utf-8").splitlines() if line.startswith("- ")
        ]
        rows.append(
            {
                "id": reference.stem,
                "language": document.meta.language,
                "document": document.text,
                "summary": "\n".join(points),
            }
        )
    (directory / "summaries.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return len(rows)


if __name__ == "__main__":
    print(f"wrote {build()} document/summary pairs to {DATASET / 'summaries.jsonl'}")
