"""``assistant eval retrieval DIR``: our pipeline vs a naive LangChain baseline on a BEIR data set, same run.

Ours: each corpus entry becomes a document -> structure-aware chunks -> Chroma + BM25 -> hybrid RRF.
Baseline: ``RecursiveCharacterTextSplitter(1000, 200)`` + Chroma + the same embedder, dense only.
Both run in fresh temporary indexes; rankings are over corpus ids (a chunk counts for its entry).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from pathlib import Path

from assistant.config import Settings
from assistant.domain import Document, DocumentMeta
from assistant.index.chunk_index import ChunkIndex
from assistant.index.embedding_cache import CachedEmbedder
from assistant.index.embeddings import Embedder, embedder_for
from assistant.ingest.pipeline import IngestPipeline
from assistant.ingest.structure import detect_language
from assistant.retrieve import HybridRetriever, RetrievalOptions
from assistant.text import slugify
from evals.beir import BeirDataset, load_beir
from evals.metrics import summarize

K = 10


def _dedupe(ids: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for i in ids:
        seen.setdefault(i, None)
    return list(seen)


def _timed_rankings(dataset: BeirDataset, rank) -> tuple[dict[str, list[str]], list[float]]:
    rankings, latencies = {}, []
    for qid in dataset.answerable:
        start = time.perf_counter()
        rankings[qid] = rank(dataset.queries[qid])[:K]
        latencies.append((time.perf_counter() - start) * 1000)
    return rankings, latencies


_TITLE_ARTICLE = re.compile(r"\b((?:Điều|Article)\s+\d{1,3}[a-z]?)(?:\.\s*(.*))?$")


def article_text(title: str, text: str) -> str:
    """An entry that is one article stored without its own heading line (``Điều 5.``), which its title
    repeats (``Luật X - Điều 5. Tên``): the heading line put back, so the article reads as printed."""
    match = _TITLE_ARTICLE.search(title or "")
    if not match or re.match(r"\s*(?:Điều|Article)\s+\d", text):
        return text
    label, name = match.group(1), (match.group(2) or "").strip()
    if name and text.startswith(name):
        return f"{label}. {text}"
    return f"{label}.{' ' + name if name else ''}\n{text}"


def _document(row: dict, doc_id: str) -> Document:
    meta = dict(row.get("metadata") or {})
    text = article_text(row.get("title", ""), row.get("text", ""))
    return Document(
        meta=DocumentMeta(
            doc_id=doc_id,
            title=row.get("title", "") or "",
            doc_number=meta.get("doc_number"),
            language=meta.get("language") or detect_language(text),
            org_unit=meta.get("org_unit", "") or "",
            access_level=meta.get("access_level", "public"),
        ),
        text=text,
        source_path=f"beir:{row['_id']}",
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


def build_ours(
    dataset: BeirDataset, settings: Settings, embedder: Embedder, data_dir: Path
) -> tuple[HybridRetriever, dict[str, str]]:
    """Ingest the corpus through the real pipeline into ``data_dir``; returns the retriever and doc_id -> corpus id."""
    index = ChunkIndex.open(settings.model_copy(update={"data_dir": data_dir, "seed_corpus": None}), embedder)
    id_map: dict[str, str] = {}
    documents = []
    for row in dataset.corpus:
        doc_id = slugify(row["_id"], max_len=120) + "-" + hashlib.sha1(row["_id"].encode()).hexdigest()[:6]
        id_map[doc_id] = row["_id"]
        documents.append(_document(row, doc_id))
    failed = [r for r in IngestPipeline(index).ingest_documents(documents) if r.status == "failed"]
    if failed:
        raise ValueError(
            f"{len(failed)} corpus entries could not be indexed, e.g. {failed[0].doc_id}: {failed[0].reason}"
        )
    return HybridRetriever.from_settings(index), id_map


def build_baseline(dataset: BeirDataset, embedder: Embedder):
    """The naive pipeline most tutorials show: fixed-size splits, dense search in Chroma."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.create_collection(
        f"baseline-{time.time_ns()}", metadata={"hnsw:space": "cosine"}, embedding_function=None
    )
    ids, texts, owners = [], [], []
    for row in dataset.corpus:
        for i, piece in enumerate(splitter.split_text(row.get("text", ""))):
            ids.append(f"{row['_id']}::{i}")
            texts.append(piece)
            owners.append(row["_id"])
    for start in range(0, len(ids), 256):
        collection.add(
            ids=ids[start : start + 256],
            embeddings=embedder.embed_documents(texts[start : start + 256]),
            metadatas=[{"owner": o} for o in owners[start : start + 256]],
        )

    def rank(query: str) -> list[str]:
        result = collection.query(
            query_embeddings=[embedder.embed_query(query)], n_results=min(3 * K, len(ids)), include=["metadatas"]
        )
        return _dedupe([m["owner"] for m in result["metadatas"][0]])

    return rank


def eval_embedder(settings: Settings) -> Embedder:
    """The model, behind the embedding cache when it is on (an evaluation re-embeds only what changed)."""
    embedder = embedder_for(settings)
    return CachedEmbedder(embedder, settings.embedding_cache_file) if settings.embedding_cache else embedder


def _by_language(dataset: BeirDataset, rankings: dict[str, list[str]]) -> dict[str, dict]:
    groups: dict[str, list[str]] = {}
    for qid in rankings:
        groups.setdefault(detect_language(dataset.queries[qid]), []).append(qid)
    return {
        lang: {
            k: v
            for k, v in summarize({q: rankings[q] for q in qids}, dataset.qrels, []).items()
            if not k.startswith("latency")
        }
        for lang, qids in sorted(groups.items())
    }


SWEEP = [RetrievalOptions(fusion="score", dense_weight=d) for d in (0.3, 0.4, 0.5, 0.6, 0.8, 1.0)] + [
    RetrievalOptions(fusion="rrf", dense_weight=1.0, lexical_weight=w) for w in (1.0, 1.5, 2.0)
]


def sweep_fusion(
    dataset: BeirDataset, retriever: HybridRetriever, id_map: dict[str, str], grid: list[RetrievalOptions] = SWEEP
) -> list[dict]:
    """Hybrid figures for every fusion setting of ``grid`` over the same index (how the defaults were chosen)."""
    rows = []
    chosen = retriever.options
    try:
        for options in grid:
            retriever.options = options
            rank = lambda q: _dedupe([id_map[h.chunk.doc_id] for h in retriever.search(q, k=3 * K).hits])  # noqa: E731
            rankings, _ = _timed_rankings(dataset, rank)
            figures = summarize(rankings, dataset.qrels, [])
            rows.append(
                {
                    "fusion": options.fusion,
                    "dense_weight": options.dense_weight,
                    "lexical_weight": options.lexical_weight,
                    **{k: figures[k] for k in ("recall@1", "recall@5", "mrr@10")},
                }
            )
    finally:
        retriever.options = chosen
    return sorted(rows, key=lambda r: -r["mrr@10"])


def run_retrieval_eval(
    directory: Path,
    settings: Settings,
    baseline: bool = True,
    modes: tuple[str, ...] = ("hybrid", "dense", "lexical"),
    split: str = "test",
    sweep: bool = False,
) -> dict:
    """Evaluate and return JSON-ready figures (ours per mode, baseline, ratios; the fusion sweep if asked)."""
    dataset = load_beir(directory, split)
    embedder = eval_embedder(settings)
    report: dict = {
        "dataset": str(directory),
        "split": split,
        "embedding_model": embedder.name,
        "corpus": len(dataset.corpus),
        "queries": len(dataset.answerable),
        "chunk_max_chars": settings.chunk_max_chars,
    }
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
        started = time.perf_counter()
        retriever, id_map = build_ours(dataset, settings, embedder, Path(tmp) / "data")
        report["index_seconds"] = round(time.perf_counter() - started, 2)
        for mode in modes:
            if isinstance(retriever.index.embedder, CachedEmbedder):
                retriever.index.embedder.forget_queries()  # every mode's latency includes embedding its queries

            def rank(q: str, m: str = mode) -> list[str]:
                return _dedupe([id_map[h.chunk.doc_id] for h in retriever.search(q, k=3 * K, mode=m).hits])

            rankings, latencies = _timed_rankings(dataset, rank)
            report[f"ours_{mode}"] = summarize(rankings, dataset.qrels, latencies)
            if mode == modes[0]:
                report["ours_by_language"] = _by_language(dataset, rankings)
        if sweep:
            report["fusion_sweep"] = sweep_fusion(dataset, retriever, id_map)
        retriever.index.close()
    if baseline:  # the naive pipeline embeds the whole question (no head cut)
        naive = eval_embedder(settings.model_copy(update={"query_max_tokens": 0}))
        rankings, latencies = _timed_rankings(dataset, build_baseline(dataset, naive))
        report["baseline"] = summarize(rankings, dataset.qrels, latencies)
        report["baseline_by_language"] = _by_language(dataset, rankings)
        ours = report[f"ours_{modes[0]}"]
        report["ratio_ours_to_baseline"] = {
            m: (round(ours[m] / report["baseline"][m], 3) if report["baseline"][m] else None)
            for m in ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")
        }
    return report
