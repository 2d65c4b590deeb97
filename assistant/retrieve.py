"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused by score, filtered inside every search.

Fusion (measured in *Retrieval* in the README): each signal's scores over the candidate pool are scaled to
0..1 (min-max), then added with weights. Rank fusion (RRF) throws away how far ahead the best candidate of
one signal is, which is what made it worse than BM25 alone on real legal questions; the scaled scores
keep it. Per query, the dense weight drops when the question is Vietnamese typed without diacritics
(the embedding model reads such text poorly). The query is cleaned first: the true/false tail ("đúng
hay sai?") and the lettered choices of a multiple-choice question are not what a document says.

Every returned chunk is re-checked against the catalog (it must be committed) and against the filter in
Python, so access rules hold even if the vector store held a stale or orphan vector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.domain import SearchHit
from assistant.filters import SearchFilter
from assistant.index.chunk_index import ChunkIndex

Mode = Literal["hybrid", "dense", "lexical"]
Fusion = Literal["score", "rrf"]
UNACCENTED_QUERY_RATIO = 0.3  # this share of words known only without accents marks a de-accented query
UNACCENTED_DENSE_WEIGHT = 0.25  # the dense weight is multiplied by this for such a query

# "..., đúng hay sai?", "Đúng hay sai?", "... đúng không?", "True or false?"
_TRUE_FALSE_TAIL = re.compile(
    r"[\s,.;:–-]*(?:\(?\s*(?:đúng\s+hay\s+sai|đúng\s+hoặc\s+sai|đúng\s+không|"
    r"true\s+or\s+false)\s*\)?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_CHOICE = re.compile(r"(?m)(?:^|\s)([A-D])[.)]\s+")


def reciprocal_rank_fusion(
    rankings: list[list[str]], k: int = 60, weights: list[float] | None = None
) -> dict[str, float]:
    """Weighted RRF score per id: sum over rankings of weight / (k + rank), rank starting at 1."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


def min_max(scored: list[tuple[str, float]]) -> dict[str, float]:
    """Scores scaled to 0..1 over the list (all 1.0 when they are equal)."""
    if not scored:
        return {}
    values = [s for _, s in scored]
    low, high = min(values), max(values)
    span = high - low
    return {item: ((s - low) / span if span > 0 else 1.0) for item, s in scored}


def score_fusion(lists: list[list[tuple[str, float]]], weights: list[float]) -> dict[str, float]:
    """Weighted sum of min-max scaled scores; an item missing from a list gets 0 from it."""
    fused: dict[str, float] = {}
    for scored, weight in zip(lists, weights):
        if weight == 0:
            continue
        for item, value in min_max(scored).items():
            fused[item] = fused.get(item, 0.0) + weight * value
    return fused


def search_query(query: str) -> str:
    """What to search for: the question without a true/false tail; a multiple-choice question keeps its stem
    and its choices' words (the letters go)."""
    query = _TRUE_FALSE_TAIL.sub("", query.strip()).strip()
    return _CHOICE.sub(" ", query).strip() or query


@dataclass(frozen=True)
class RetrievalOptions:
    """How the signals are combined (defaults measured on the ALQAC dev half and our own corpus set)."""

    fusion: Fusion = "score"
    dense_weight: float = 0.5
    lexical_weight: float = 1.0
    candidate_pool: int = 40
    rrf_k: int = 60


@dataclass
class RetrievalResult:
    hits: list[SearchHit]
    dense_top_score: float | None  # cosine similarity of the best dense hit (for abstention)


class HybridRetriever:
    """Search the index with a query and a filter."""

    def __init__(self, index: ChunkIndex, options: RetrievalOptions = RetrievalOptions()) -> None:
        self.index = index
        self.options = options

    @classmethod
    def from_settings(cls, index: ChunkIndex) -> HybridRetriever:
        s = index.settings
        return cls(
            index,
            RetrievalOptions(
                fusion=s.fusion,
                dense_weight=s.dense_weight,
                lexical_weight=s.lexical_weight,
                candidate_pool=s.candidate_pool,
                rrf_k=s.rrf_k,
            ),
        )

    def search(
        self, query: str, k: int = 8, search_filter: SearchFilter | None = None, mode: Mode = "hybrid"
    ) -> RetrievalResult:
        query = search_query(query)
        if not query:
            return RetrievalResult([], None)
        options = self.options
        flt = search_filter or SearchFilter()
        catalog = self.index.catalog
        metas = catalog.metas()
        restricted = not flt.allows_everything()
        allowed_docs = {doc_id for doc_id, meta in metas.items() if flt.matches(meta)} if restricted else set(metas)
        if not allowed_docs:
            return RetrievalResult([], None)
        pool = max(options.candidate_pool, k)

        dense: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            self.index.follow_live()  # another worker may have re-indexed
            # A filter that lets every document through costs Chroma a scan of all metadata: skip it.
            # (Searching BM25 in a thread meanwhile was measured slower: it competes with the model's own threads.)
            where = flt.to_where() if restricted and len(allowed_docs) < len(metas) else None
            dense = self.index.vectors.query(self.index.embedder.embed_query(query), pool, where)
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "lexical"):
            self.index.refresh_lexical(save=False)
            lexical = self.index.lexical.search(query, pool, allowed_docs if restricted else None)

        dense_weight = options.dense_weight
        if self.index.lexical.unaccented_ratio(query) >= UNACCENTED_QUERY_RATIO:
            dense_weight *= UNACCENTED_DENSE_WEIGHT
        if mode == "dense":
            fused = {cid: s for cid, s in dense}
        elif mode == "lexical":
            fused = {cid: s for cid, s in lexical}
        elif options.fusion == "rrf":
            fused = reciprocal_rank_fusion(
                [[c for c, _ in dense], [c for c, _ in lexical]], options.rrf_k, [dense_weight, options.lexical_weight]
            )
        else:
            fused = score_fusion([dense, lexical], [dense_weight, options.lexical_weight])
        ranked = sorted(fused, key=lambda cid: -fused[cid])[:pool]
        dense_rank = {cid: i + 1 for i, (cid, _) in enumerate(dense)}
        lexical_rank = {cid: i + 1 for i, (cid, _) in enumerate(lexical)}
        hits: list[SearchHit] = []
        chunks: dict = {}
        page = max(2 * k, 10)  # read chunks page by page: most searches need only the first page
        for start in range(0, len(ranked), page):
            chunks.update(catalog.chunks_by_id(ranked[start : start + page]))
            for cid in ranked[start : start + page]:
                chunk = chunks.get(cid)
                if chunk is None or chunk.doc_id not in allowed_docs:  # orphan vector or filtered out: never returned
                    continue
                hits.append(
                    SearchHit(
                        chunk=chunk,
                        meta=metas[chunk.doc_id],
                        score=round(fused[cid], 6),
                        dense_rank=dense_rank.get(cid),
                        lexical_rank=lexical_rank.get(cid),
                    )
                )
                if len(hits) == k:
                    break
            if len(hits) == k:
                break
        top_dense = next((score for cid, score in dense if cid in chunks and chunks[cid].doc_id in allowed_docs), None)
        return RetrievalResult(hits, top_dense)
