"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused by reciprocal rank, filtered inside both.

Every returned chunk is re-checked against the catalog (it must be committed) and against the
filter in Python, so access rules hold even if the vector store held a stale or orphan vector.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.domain import SearchHit
from assistant.filters import SearchFilter
from assistant.index.chunk_index import ChunkIndex

Mode = Literal["hybrid", "dense", "lexical"]
UNACCENTED_QUERY_RATIO = 0.3  # this share of words known only without accents marks a de-accented query
UNACCENTED_DENSE_WEIGHT = 0.25


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = 60, weights: list[float] | None = None) -> dict[str, float]:
    """Weighted RRF score per id: sum over rankings of weight / (k + rank), rank starting at 1."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


@dataclass
class RetrievalResult:
    hits: list[SearchHit]
    dense_top_score: float | None  # cosine similarity of the best dense hit (for abstention)


class HybridRetriever:
    """Search the index with a query and a filter."""

    def __init__(self, index: ChunkIndex, rrf_k: int = 60, candidate_pool: int = 40, lexical_weight: float = 1.0) -> None:
        self.index = index
        self.rrf_k = rrf_k
        self.candidate_pool = candidate_pool
        self.lexical_weight = lexical_weight

    def search(self, query: str, k: int = 8, search_filter: SearchFilter | None = None, mode: Mode = "hybrid") -> RetrievalResult:
        query = query.strip()
        if not query:
            return RetrievalResult([], None)
        flt = search_filter or SearchFilter()
        catalog = self.index.catalog
        metas = catalog.metas()
        allowed_docs = {doc_id for doc_id, meta in metas.items() if flt.matches(meta)}
        if not allowed_docs:
            return RetrievalResult([], None)
        pool = max(self.candidate_pool, k)

        dense: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            # A filter that lets every document through costs Chroma a scan of all metadata: skip it.
            where = None if len(allowed_docs) == len(metas) else flt.to_where()
            dense = self.index.vectors.query(self.index.embedder.embed_query(query), pool, where)
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "lexical"):
            self.index.refresh_lexical(save=False)
            lexical = self.index.lexical.search(query, pool, allowed_docs)

        dense_ids = [cid for cid, _ in dense]
        lexical_ids = [cid for cid, _ in lexical]
        # The embedding model reads Vietnamese typed without diacritics poorly; BM25's folded tokens do not.
        dense_weight = UNACCENTED_DENSE_WEIGHT if self.index.lexical.unaccented_ratio(query) >= UNACCENTED_QUERY_RATIO else 1.0
        fused = reciprocal_rank_fusion([dense_ids, lexical_ids], self.rrf_k, [dense_weight, self.lexical_weight])
        ranked = sorted(fused, key=lambda cid: -fused[cid])
        chunks = catalog.chunks_by_id(ranked[: pool])
        dense_rank = {cid: i + 1 for i, cid in enumerate(dense_ids)}
        lexical_rank = {cid: i + 1 for i, cid in enumerate(lexical_ids)}

        hits: list[SearchHit] = []
        for cid in ranked:
            chunk = chunks.get(cid)
            if chunk is None or chunk.doc_id not in allowed_docs:  # orphan vector or filtered out: never returned
                continue
            hits.append(SearchHit(chunk=chunk, meta=metas[chunk.doc_id], score=fused[cid],
                                  dense_rank=dense_rank.get(cid), lexical_rank=lexical_rank.get(cid)))
            if len(hits) == k:
                break
        top_dense = next((score for cid, score in dense if cid in chunks and chunks[cid].doc_id in allowed_docs), None)
        return RetrievalResult(hits, top_dense)
