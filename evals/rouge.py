"""ROUGE-1/2/L F1 over Unicode words (any script; Vietnamese syllables count as words).

The common ``rouge-score`` package keeps only ``[a-z0-9]`` tokens, which erases Vietnamese and
Bengali text, so the project computes ROUGE itself on the same word tokenizer as BM25.
"""

from __future__ import annotations

from collections import Counter

from assistant.index.lexical import words


def _f1(overlap: int, candidate: int, reference: int) -> float:
    if not overlap:
        return 0.0
    precision, recall = overlap / candidate, overlap / reference
    return 2 * precision * recall / (precision + recall)


def _ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def rouge_n(candidate: list[str], reference: list[str], n: int) -> float:
    c, r = _ngrams(candidate, n), _ngrams(reference, n)
    return _f1(sum((c & r).values()), sum(c.values()), sum(r.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (two-row dynamic programme)."""
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge(candidate: str, reference: str) -> dict[str, float]:
    """``rouge1``, ``rouge2``, ``rougeL`` F1 of ``candidate`` against ``reference``."""
    c, r = words(candidate), words(reference)
    return {
        "rouge1": round(rouge_n(c, r, 1), 4),
        "rouge2": round(rouge_n(c, r, 2), 4),
        "rougeL": round(_f1(lcs_length(c, r), len(c), len(r)), 4),
    }
