"""Summary evaluation (DESIGN's JSONL: ``id``, ``document``, ``summary``): ROUGE-1/2/L F1 against
the reference, compression ratio, mean sentence length, citation checks, and a lead baseline (the
document's first sentences, as many as our summary has points) measured in the same run."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.index.lexical import words
from assistant.llm import EngineChoice
from assistant.service import Assistant
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


def _mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 4) if values else 0.0


def run_summary_eval(path: Path, settings: Settings, engine: EngineChoice = "extractive", length: str | int = "short",
                     style: str = "plain", details: bool = False) -> dict:
    assistant = Assistant(settings)
    options = SummaryOptions(length=length, style=style, engine=engine)  # type: ignore[arg-type]
    per_doc, latencies, engines = [], [], set()
    for row in load_summary_set(path):
        source = assistant.summary_source(text=row["document"])
        started = time.perf_counter()
        summary = assistant.summarizer.summarize(source, options)
        latencies.append((time.perf_counter() - started) * 1000)
        engines.add(summary.engine)
        ours = "\n".join(p.text for p in summary.points)
        lead = "\n".join(c.text for c in candidates(source)[:len(summary.points)])
        document_words = len(words(row["document"]))
        cited = [c for p in summary.points for c in p.citations]
        quotes_found = sum(1 for c in summary.citations if " ".join(c.quote.split()) in " ".join(row["document"].split()))
        per_doc.append({
            "id": row["id"], "language": row.get("language", ""), "points": len(summary.points),
            **rouge(ours, row["summary"]),
            **{f"lead_{k}": v for k, v in rouge(lead, row["summary"]).items()},
            "compression": round(len(words(ours)) / max(1, document_words), 4),
            "reference_compression": round(len(words(row["summary"])) / max(1, document_words), 4),
            "sentence_words": round(mean_sentence_words(ours), 2),
            "reference_sentence_words": round(mean_sentence_words(row["summary"]), 2),
            "points_cited": sum(1 for p in summary.points if p.citations) / max(1, len(summary.points)),
            "citations_verbatim": quotes_found / max(1, len(summary.citations)),
            "citations_used": len(set(cited)),
        })
    metrics = ("rouge1", "rouge2", "rougeL", "lead_rouge1", "lead_rouge2", "lead_rougeL", "compression",
               "reference_compression", "sentence_words", "reference_sentence_words", "points_cited", "citations_verbatim")
    result = {"documents": len(per_doc), "engine": sorted(engines), "length": length, "style": style,
              **{m: _mean([d[m] for d in per_doc]) for m in metrics},
              "by_language": {lang: {m: _mean([d[m] for d in per_doc if d["language"] == lang])
                                     for m in ("rouge1", "rouge2", "rougeL", "lead_rougeL")} | {
                                  "documents": sum(d["language"] == lang for d in per_doc)}
                              for lang in sorted({d["language"] for d in per_doc})},
              "summary_ms_p50": round(float(np.percentile(latencies, 50)), 1),
              "summary_ms_p95": round(float(np.percentile(latencies, 95)), 1)}
    if details:
        result["details"] = per_doc
    return result
