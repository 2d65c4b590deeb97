"""Query-focused summaries of documents with articles, on a BEIR-layout set of questions.

For each answerable question, the document its gold passages belong to (corpus ids ``<doc>#<part>``, e.g.
ALQAC's ``Luật Cư trú#38`` or our ``qd-339-so-tay-dang-vien#Chương II > Điều 5``) is rebuilt from its
corpus rows in order (a row with ``metadata.article_id`` gets its ``Điều N.`` heading back) and summarised
for the question. Measured: the share of cited passages inside a gold part (``cited_in_gold``), whether any
is (``hit``), and the same for a baseline of the same length: the sentences BM25 ranks highest for the
question among the same candidate points. Parts are told apart by character offsets, not by the parser's
structure paths, so the measure does not depend on how the document is chunked.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import defaultdict
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.index.lexical import words
from assistant.service import Assistant
from assistant.tasks.summarize import SummaryOptions, candidates
from evals.beir import load_beir
from evals.summaries import bm25_baseline


def document_of(corpus_id: str) -> str:
    return corpus_id.split("#", 1)[0]


def document_text(rows: list[dict]) -> tuple[str, list[int], list[str]]:
    """The document's text from its corpus rows, with each row's start offset and id."""
    parts, starts, ids, offset = [], [], [], 0
    for row in rows:
        article = (row.get("metadata") or {}).get("article_id")
        text = f"Điều {article}. {row['text']}" if article else row["text"]
        starts.append(offset)
        ids.append(row["_id"])
        parts.append(text)
        offset += len(text) + 2
    return "\n\n".join(parts), starts, ids


def run_focused_eval(
    directory: Path, settings: Settings, split: str = "test", details: bool = False, limit: int | None = None
) -> dict:
    """Query-focused summaries of each question's gold document: are the cited passages in the gold part?"""
    data = load_beir(directory, split)
    rows_by_doc: dict[str, list[dict]] = defaultdict(list)
    for row in data.corpus:
        rows_by_doc[document_of(row["_id"])].append(row)
    questions = sorted(
        (q for q in data.answerable if data.qrels[q]), key=lambda q: document_of(next(iter(data.qrels[q])))
    )[:limit]
    assistant = Assistant(settings)
    per_query, latencies = [], []
    source, source_doc, starts, ids, offsets = None, None, [], [], []
    for query_id in questions:
        gold = set(data.qrels[query_id])
        doc = document_of(next(iter(gold)))
        if doc != source_doc:  # questions come grouped by document: each is parsed once
            text, starts, ids = document_text(rows_by_doc[doc])
            source, source_doc = assistant.summary_source(text=text), doc
            offsets = [(source.chunks[c.chunk_index].char_start + c.start, c.text) for c in candidates(source)]
        question = data.queries[query_id]
        started = time.perf_counter()
        summary = assistant.summarizer.summarize(source, SummaryOptions(query=question, engine="extractive"))
        latencies.append((time.perf_counter() - started) * 1000)
        budget = len(words("\n".join(p.text for p in summary.points)))
        _, baseline_offsets = bm25_baseline(offsets, question, budget)

        def in_gold(offsets: list[int], gold=gold, starts=starts, ids=ids) -> list[bool]:
            return [ids[max(0, bisect_right(starts, offset) - 1)] in gold for offset in offsets]

        ours = in_gold([c.char_start for c in summary.citations])
        theirs = in_gold(baseline_offsets)
        per_query.append(
            {
                "id": query_id,
                "document": doc,
                "points": len(summary.points),
                "words": budget,
                "cited_in_gold": sum(ours) / max(1, len(ours)),
                "hit": float(any(ours)),
                "bm25_in_gold": sum(theirs) / max(1, len(theirs)),
                "bm25_hit": float(any(theirs)),
            }
        )
    metrics = ("cited_in_gold", "hit", "bm25_in_gold", "bm25_hit", "points", "words")
    result = {
        "questions": len(per_query),
        "documents": len({d["document"] for d in per_query}),
        **{m: round(float(np.mean([d[m] for d in per_query])), 4) if per_query else 0.0 for m in metrics},
        "summary_ms_p50": round(float(np.percentile(latencies, 50)), 1) if latencies else 0.0,
        "summary_ms_p95": round(float(np.percentile(latencies, 95)), 1) if latencies else 0.0,
    }
    if details:
        result["details"] = per_query
    return result
