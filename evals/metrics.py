"""Ranking metrics over passage-id rankings."""

from __future__ import annotations

import math

import numpy as np


def recall_at(ranking: list[str], relevant: dict[str, int], k: int) -> float:
    return len(set(ranking[:k]) & set(relevant)) / len(relevant)


def mrr_at(ranking: list[str], relevant: dict[str, int], k: int = 10) -> float:
    for i, item in enumerate(ranking[:k], start=1):
        if item in relevant:
            return 1.0 / i
    return 0.0


def ndcg_at(ranking: list[str], relevant: dict[str, int], k: int = 10) -> float:
    dcg = sum(relevant.get(item, 0) / math.log2(i + 1) for i, item in enumerate(ranking[:k], start=1))
    ideal = sum(g / math.log2(i + 1) for i, g in enumerate(sorted(relevant.values(), reverse=True)[:k], start=1))
    return dcg / ideal if ideal else 0.0


def summarize(rankings: dict[str, list[str]], qrels: dict[str, dict[str, int]], latencies_ms: list[float]) -> dict:
    """Mean metrics over the queries that have relevance judgements, plus latency percentiles."""
    judged = [q for q in rankings if qrels.get(q)]
    mean = lambda f: round(float(np.mean([f(rankings[q], qrels[q]) for q in judged])), 4) if judged else 0.0  # noqa: E731
    return {
        "queries": len(judged),
        "recall@1": mean(lambda r, rel: recall_at(r, rel, 1)),
        "recall@5": mean(lambda r, rel: recall_at(r, rel, 5)),
        "recall@10": mean(lambda r, rel: recall_at(r, rel, 10)),
        "mrr@10": mean(lambda r, rel: mrr_at(r, rel, 10)),
        "ndcg@10": mean(lambda r, rel: ndcg_at(r, rel, 10)),
        "latency_ms_p50": round(float(np.percentile(latencies_ms, 50)), 2) if latencies_ms else None,
        "latency_ms_p95": round(float(np.percentile(latencies_ms, 95)), 2) if latencies_ms else None,
    }
