"""Summary evaluation.

Whole documents (DESIGN's JSONL: ``id``, ``document``, ``summary``): ROUGE-1/2/L F1 against the
reference, compression ratio, mean sentence length, citation checks, and a lead baseline (the
document's first sentences that can be points, as many as our summary has: no letterhead, heading or
backchannel, speech cleaned as ours is) and a raw lead (the first sentences as written), measured in the same run.

Query-focused (QMSum's ``queries.jsonl``: ``meeting_id``, ``query``, ``answer``, ``spans`` of gold
turns, with the meetings in ``whole.jsonl``): ROUGE against the answer, the share of cited turns inside
the gold spans, and baselines of the same length: the sentences BM25 ranks highest for the query, taken
from the text as written (``bm25_*``) and from our cleaned candidate points (``bm25_clean_*``: the same
sentences ours choose from, so it isolates the choice)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.index.lexical import words
from assistant.llm import EngineChoice
from assistant.service import Assistant
from assistant.tasks.selection import bm25_scores
from assistant.tasks.summarize import SummaryOptions, candidates
from assistant.text import sentence_spans
from evals.rouge import rouge


def load_summary_set(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        missing = {"id", "document", "summary"} - set(row)
        if missing:
            raise ValueError(f"{path}: row {row.get('id', '?')} lacks {', '.join(sorted(missing))}")
    return rows


def mean_sentence_words(text: str) -> float:
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    counts = [len(words(s)) for s in sentences if words(s)]
    return sum(counts) / len(counts) if counts else 0.0


def lead_text(source, count: int) -> str:
    """The first ``count`` sentences of the text as written (a sentence never runs over a line break)."""
    out: list[str] = []
    for line in source.text.split("\n"):
        out.extend(line[s:e] for s, e in sentence_spans(line))
        if len(out) >= count:
            break
    return "\n".join(out[:count])


def quote_in(quote: str, document: str) -> bool:
    """A citation's quote appears in the document word for word (white space aside)."""
    return " ".join(quote.split()) in " ".join(document.split())


def _mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 4) if values else 0.0


def run_summary_eval(
    path: Path,
    settings: Settings,
    engine: EngineChoice = "extractive",
    length: str | int = "auto",
    style: str = "plain",
    details: bool = False,
    limit: int | None = None,
) -> dict:
    assistant = Assistant(settings)
    options = SummaryOptions(length=length, style=style, engine=engine)  # type: ignore[arg-type]
    per_doc, latencies, engines = [], [], set()
    for row in load_summary_set(path)[:limit]:
        source = assistant.summary_source(text=row["document"])
        started = time.perf_counter()
        summary = assistant.summarizer.summarize(source, options)
        latencies.append((time.perf_counter() - started) * 1000)
        engines.add(summary.engine)
        ours = "\n".join(p.text for p in summary.points)
        lead = "\n".join(c.text for c in candidates(source)[: len(summary.points)])
        raw_lead = lead_text(source, len(summary.points))
        document_words = len(words(row["document"]))
        cited = [c for p in summary.points for c in p.citations]
        quotes_found = sum(1 for c in summary.citations if quote_in(c.quote, row["document"]))
        per_doc.append(
            {
                "id": row["id"],
                "language": row.get("language", ""),
                "points": len(summary.points),
                **rouge(ours, row["summary"]),
                **{f"lead_{k}": v for k, v in rouge(lead, row["summary"]).items()},
                **{f"raw_lead_{k}": v for k, v in rouge(raw_lead, row["summary"]).items()},
                "compression": round(len(words(ours)) / max(1, document_words), 4),
                "reference_compression": round(len(words(row["summary"])) / max(1, document_words), 4),
                "sentence_words": round(mean_sentence_words(ours), 2),
                "reference_sentence_words": round(mean_sentence_words(row["summary"]), 2),
                "points_cited": sum(1 for p in summary.points if p.citations) / max(1, len(summary.points)),
                "citations_verbatim": quotes_found / max(1, len(summary.citations)),
                "citations_used": len(set(cited)),
            }
        )
    metrics = (
        "rouge1",
        "rouge2",
        "rougeL",
        "lead_rouge1",
        "lead_rouge2",
        "lead_rougeL",
        "raw_lead_rouge1",
        "raw_lead_rougeL",
        "compression",
        "reference_compression",
        "sentence_words",
        "reference_sentence_words",
        "points_cited",
        "citations_verbatim",
    )
    result = {
        "documents": len(per_doc),
        "engine": sorted(engines),
        "length": length,
        "style": style,
        "length_rule_example": summary.length if per_doc else "",
        **{m: _mean([d[m] for d in per_doc]) for m in metrics},
        "by_language": {
            lang: {
                m: _mean([d[m] for d in per_doc if d["language"] == lang])
                for m in ("rouge1", "rouge2", "rougeL", "lead_rougeL")
            }
            | {"documents": sum(d["language"] == lang for d in per_doc)}
            for lang in sorted({d["language"] for d in per_doc})
        },
        "summary_ms_p50": round(float(np.percentile(latencies, 50)), 1),
        "summary_ms_p95": round(float(np.percentile(latencies, 95)), 1),
    }
    if details:
        result["details"] = per_doc
    return result


def raw_sentences(source) -> list[tuple[int, str]]:
    """``(offset, sentence)`` for every sentence of the text as written (never over a line break)."""
    out, offset = [], 0
    for line in source.text.split("\n"):
        out.extend((offset + s, line[s:e]) for s, e in sentence_spans(line))
        offset += len(line) + 1
    return out


def bm25_baseline(sentences: list[tuple[int, str]], query: str, word_budget: int) -> tuple[str, list[int]]:
    """The sentences BM25 ranks highest for ``query``, up to ``word_budget`` words, in document order; with
    their offsets."""
    scores = bm25_scores([text for _, text in sentences], query)
    chosen, total = [], 0
    for i in np.argsort(-scores):
        if total >= word_budget:
            break
        chosen.append(int(i))
        total += len(words(sentences[int(i)][1]))
    chosen.sort()
    return "\n".join(sentences[i][1] for i in chosen), [sentences[i][0] for i in chosen]


def _turn_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def run_query_summary_eval(
    queries_path: Path,
    meetings_path: Path,
    settings: Settings,
    engine: EngineChoice = "extractive",
    length: str | int = "auto",
    details: bool = False,
    limit: int | None = None,
) -> dict:
    """Query-focused summaries of meeting transcripts against QMSum's answers and gold turn spans."""
    assistant = Assistant(settings)
    meetings = {row["id"]: row for row in load_summary_set(meetings_path)}
    queries = [json.loads(line) for line in queries_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    per_query, latencies = [], []
    source, source_id, raw, clean = None, None, [], []
    for row in queries[:limit]:  # rows come grouped by meeting: each transcript is parsed once
        if row["meeting_id"] != source_id:
            source_id = row["meeting_id"]
            source = assistant.summary_source(text=meetings[source_id]["document"])
            raw = raw_sentences(source)
            clean = [(source.chunks[c.chunk_index].char_start + c.start, c.text) for c in candidates(source)]
        options = SummaryOptions(length=length, engine=engine, query=row["query"])  # type: ignore[arg-type]
        started = time.perf_counter()
        summary = assistant.summarizer.summarize(source, options)
        latencies.append((time.perf_counter() - started) * 1000)
        ours = "\n".join(p.text for p in summary.points)
        budget = len(words(ours))
        baseline, raw_offsets = bm25_baseline(raw, row["query"], budget)
        clean_baseline, clean_offsets = bm25_baseline(clean, row["query"], budget)
        gold = [(a, b) for a, b in row["spans"]]

        def in_gold(offsets: list[int], source=source, gold=gold) -> float:
            turns = [_turn_of(source.text, offset) for offset in offsets]
            return sum(1 for t in turns if any(a <= t <= b for a, b in gold)) / max(1, len(turns))

        per_query.append(
            {
                "id": row["id"],
                "domain": row.get("domain", ""),
                "points": len(summary.points),
                "words": len(words(ours)),
                "answer_words": len(words(row["answer"])),
                **rouge(ours, row["answer"]),
                **{f"bm25_{k}": v for k, v in rouge(baseline, row["answer"]).items()},
                **{f"bm25_clean_{k}": v for k, v in rouge(clean_baseline, row["answer"]).items()},
                "cited_in_gold": in_gold([c.char_start for c in summary.citations]),
                "bm25_in_gold": in_gold(raw_offsets),
                "bm25_clean_in_gold": in_gold(clean_offsets),
                "citations_verbatim": (
                    sum(1 for c in summary.citations if quote_in(c.quote, source.text)) / max(1, len(summary.citations))
                ),
            }
        )
    metrics = (
        "rouge1",
        "rouge2",
        "rougeL",
        "bm25_rouge1",
        "bm25_rouge2",
        "bm25_rougeL",
        "bm25_clean_rouge1",
        "bm25_clean_rougeL",
        "cited_in_gold",
        "bm25_in_gold",
        "bm25_clean_in_gold",
        "citations_verbatim",
        "words",
        "answer_words",
    )
    result = {
        "queries": len(per_query),
        "length": length,
        **{m: _mean([d[m] for d in per_query]) for m in metrics},
        "rouge1_vs_bm25": round(
            _mean([d["rouge1"] for d in per_query]) / max(1e-9, _mean([d["bm25_rouge1"] for d in per_query])), 3
        ),
        "by_domain": {
            domain: {
                m: _mean([d[m] for d in per_query if d["domain"] == domain])
                for m in ("rouge1", "bm25_rouge1", "bm25_clean_rouge1", "cited_in_gold", "bm25_in_gold")
            }
            for domain in sorted({d["domain"] for d in per_query})
        },
        "summary_ms_p50": round(float(np.percentile(latencies, 50)), 1) if latencies else 0.0,
        "summary_ms_p95": round(float(np.percentile(latencies, 95)), 1) if latencies else 0.0,
    }
    if details:
        result["details"] = per_query
    return result
