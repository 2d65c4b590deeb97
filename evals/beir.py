"""Read a data set in the BEIR layout: corpus.jsonl, queries.jsonl, qrels/test.tsv."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass
class BeirDataset:
    corpus: list[dict]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    query_meta: dict[str, dict]

    @property
    def answerable(self) -> list[str]:
        return [q for q in self.queries if self.qrels.get(q)]

    @property
    def unanswerable(self) -> list[str]:
        return [q for q in self.queries if not self.qrels.get(q)]


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_beir(directory: Path, split: str = "test") -> BeirDataset:
    """Load one split of a BEIR directory; raises ValueError with the missing part named."""
    for part in ("corpus.jsonl", "queries.jsonl", f"qrels/{split}.tsv"):
        if not (directory / part).is_file():
            raise ValueError(f"{directory} is not a BEIR data set: missing {part}")
    corpus = _jsonl(directory / "corpus.jsonl")
    query_rows = _jsonl(directory / "queries.jsonl")
    qrels: dict[str, dict[str, int]] = {}
    with open(directory / "qrels" / f"{split}.tsv", encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t")
        header = next(reader, None)
        if header and header[0] != "query-id":  # no header line: the first row is data
            qrels.setdefault(header[0], {})[header[1]] = int(header[2])
        for row in reader:
            if len(row) >= 3 and int(row[2]) > 0:
                qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    # A split's queries: those judged in its qrels, plus those marked unanswerable for it
    # (metadata ``{"answerable": false, "split": ...}``; no split given means every split).
    rows = [q for q in query_rows if q["_id"] in qrels or _unanswerable_in(q, split)]
    return BeirDataset(
        corpus=corpus,
        queries={q["_id"]: q["text"] for q in rows},
        qrels=qrels,
        query_meta={q["_id"]: q.get("metadata", {}) for q in rows},
    )


def _unanswerable_in(query: dict, split: str) -> bool:
    meta = query.get("metadata") or {}
    return meta.get("answerable") is False and meta.get("split", split) == split
