"""Scale of comment synthesis: N short comments (sentences and clauses of real Vietnamese news, then turns of
English meeting transcripts when more are needed, cut to comment length, spread over 20 articles of a draft),
then a level-by-level combination (cells -> ward).

    python -m benchmarks.synthesis_scale ../shared/evaldata/vietnews-dev [../shared/evaldata/qmsum-dev] [--comments 10000]
        [--cells 50 --per-cell 200]

Reports the time to embed (the model) and to synthesise (clustering, titles, quotes), the model's share, and the
peak memory of the process; checks that counts add up. Embeddings are cached by text (artifacts/), so a rerun
measures the synthesis alone: the first run's embedding time is the one to read.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import time
from pathlib import Path

import numpy as np

from assistant.config import PROJECT_ROOT, Settings
from assistant.index.embedding_cache import CachedEmbedder
from assistant.index.embeddings import load_embedder
from assistant.tasks.synthesis import CommentIn, synthesize


def sentences(directories: list[Path], n: int) -> list[str]:
    """Up to ``n`` distinct comment-sized texts (5-30 words): sentences and clauses of the sets' documents."""
    out: list[str] = []
    seen: set[str] = set()
    documents = [
        json.loads(line)["document"]
        for d in directories
        for f in sorted(d.glob("*.jsonl"))
        if f.name in ("summaries.jsonl", "whole.jsonl")
        for line in f.read_text(encoding="utf-8").splitlines()
        if line
    ]
    for document in documents:
        for piece in re.split(r"(?<=[.!?])\s+|,\s+|;\s+|\n(?:[^:\n]{1,30}: )?", document):
            words = piece.split()
            text = " ".join(words[:30])
            if len(words) >= 5 and text not in seen:
                seen.add(text)
                out.append(text)
                if len(out) == n:
                    return out
    return out


def run(texts: list[str], embedder, articles: int = 20) -> dict:
    comments = [
        CommentIn(id=str(i), text=t, stance=("agree", "disagree", "propose")[i % 3], target=f"Điều {i % articles + 1}")
        for i, t in enumerate(texts)
    ]
    started = time.perf_counter()
    vectors = embedder.embed_documents(texts)
    embed_s = time.perf_counter() - started
    lookup = dict(zip(texts, vectors))
    started = time.perf_counter()
    result = synthesize(comments, lambda batch: np.stack([lookup[t] for t in batch]))
    synth_s = time.perf_counter() - started
    result.check_counts()
    return {
        "comments": len(comments),
        "embed_s": round(embed_s, 1),
        "synthesis_s": round(synth_s, 2),
        "model_share": round(embed_s / (embed_s + synth_s), 3),
        "themes": sum(len(t.themes) for t in result.targets),
        "in_other": sum(t.other.comments for t in result.targets if t.other),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", nargs="+")
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--cells", type=int, default=50)
    parser.add_argument("--per-cell", type=int, default=200)
    args = parser.parse_args()
    settings = Settings()
    embedder = CachedEmbedder(
        load_embedder(settings.embedding_model, settings.embedding_batch_size),
        PROJECT_ROOT / "artifacts" / "embedding-cache.sqlite3",
    )
    texts = sentences([Path(d) for d in args.directories], max(args.comments, args.cells * args.per_cell))
    if not texts:
        raise SystemExit("no texts found (give vietnews-dev and/or qmsum-dev)")
    flat = [texts[i % len(texts)] for i in range(args.comments)]  # past the distinct texts: copies (form letters)
    report = {"distinct_texts": min(len(texts), args.comments), "flat": run(flat, embedder)}
    # level by level: each cell's synthesis from its own comments, the ward's from all of them (not from prose)
    per_cell = min(args.per_cell, len(texts) // args.cells)
    cells = [texts[c * per_cell : (c + 1) * per_cell] for c in range(args.cells)]
    started = time.perf_counter()
    cell_totals = [run(cell, embedder)["comments"] for cell in cells]
    cells_s = time.perf_counter() - started
    ward = run([t for cell in cells for t in cell], embedder)
    report["levels"] = {
        "cells": args.cells,
        "per_cell": per_cell,
        "all_cells_s": round(cells_s, 1),
        "ward": ward,
        "ward_equals_sum_of_cells": ward["comments"] == sum(cell_totals),
    }
    report["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
