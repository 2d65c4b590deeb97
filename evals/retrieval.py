"""``assistant eval retrieval DIR``: our pipeline vs a naive LangChain baseline on a BEIR data set, same run.

Ours: each corpus entry becomes a document -> structure-aware chunks -> Chroma + BM25 -> hybrid RRF.
Baseline: ``RecursiveCharacterTextSplitter(1000, 200)`` + Chroma + the same embedder, dense only.
Both run in fresh temporary indexes; rankings are over corpus ids (a chunk counts for its entry).
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from pathlib import Path

from assistant.config import Settings
from assistant.domain import Document, DocumentMeta
from assistant.index.chunk_index import ChunkIndex
from assistant.index.embeddings import Embedder, load_embedder
from assistant.ingest.pipeline import IngestPipeline
from assistant.ingest.structure import detect_language
from assistant.retrieve import HybridRetriever
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


def _document(row: dict, doc_id: str) -> Document:
    meta = dict(row.get("metadata") or {})
    text = row.get("text", "")
    return Document(
        meta=DocumentMeta(
            doc_id=doc_id, title=row.get("title", "") or "", doc_number=meta.get("doc_number"),
            language=meta.get("language") or detect_language(text), org_unit=meta.get("org_unit", "") or "",
            access_level=meta.get("access_level", "public"),
        ),
        text=text, source_path=f"beir:{row['_id']}", content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


def build_ours(dataset: BeirDataset, settings: Settings, embedder: Embedder, data_dir: Path) -> tuple[HybridRetriever, dict[str, str]]:
    """Ingest the corpus through the real pipeline into ``data_dir``; returns the retriever and doc_id -> corpus id."""
    index = ChunkIndex.open(settings.model_copy(update={"data_dir": data_dir, "seed_corpus": None}), embedder)
    pipeline = IngestPipeline(index)
    id_map: dict[str, str] = {}
    with index.writing():
        for row in dataset.corpus:
            doc_id = slugify(row["_id"], max_len=120) + "-" + hashlib.sha1(row["_id"].encode()).hexdigest()[:6]
            id_map[doc_id] = row["_id"]
            pipeline.ingest_document(_document(row, doc_id))
        index.refresh_lexical()
    return HybridRetriever(index, settings.rrf_k, settings.candidate_pool, settings.lexical_weight), id_map


def build_baseline(dataset: BeirDataset, embedder: Embedder):
    """The naive pipeline most tutorials show: fixed-size splits, dense search in Chroma."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.create_collection(f"baseline-{time.time_ns()}", metadata={"hnsw:space": "cosine"}, embedding_function=None)
    ids, texts, owners = [], [], []
    for row in dataset.corpus:
        for i, piece in enumerate(splitter.split_text(row.get("text", ""))):
            ids.append(f"{row['_id']}::{i}")
            texts.append(piece)
            owners.append(row["_id"])
    for start in range(0, len(ids), 256):
        collection.add(ids=ids[start:start + 256], embeddings=embedder.embed_documents(texts[start:start + 256]),
                       metadatas=[{"owner": o} for o in owners[start:start + 256]])

    def rank(query: str) -> list[str]:
        result = collection.query(query_embeddings=[embedder.embed_query(query)], n_results=min(3 * K, len(ids)),
                                  include=["metadatas"])
        return _dedupe([m["owner"] for m in result["metadatas"][0]])

    return rank


def _by_language(dataset: BeirDataset, rankings: dict[str, list[str]]) -> dict[str, dict]:
    groups: dict[str, list[str]] = {}
    for qid in rankings:
        groups.setdefault(detect_language(dataset.queries[qid]), []).append(qid)
    return {lang: {k: v for k, v in summarize({q: rankings[q] for q in qids}, dataset.qrels, []).items()
                   if not k.startswith("latency")} for lang, qids in sorted(groups.items())}


def run_retrieval_eval(directory: Path, settings: Settings, baseline: bool = True,
                       modes: tuple[str, ...] = ("hybrid", "dense", "lexical"), split: str = "test") -> dict:
    """Evaluate and return JSON-ready figures (ours per mode, baseline, ratios)."""
    dataset = load_beir(directory, split)
    embedder = load_embedder(settings.embedding_model, settings.embedding_batch_size)
    report: dict = {"dataset": str(directory), "split": split, "embedding_model": embedder.name, "corpus": len(dataset.corpus),
                    "queries": len(dataset.answerable), "chunk_max_chars": settings.chunk_max_chars}
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
        started = time.perf_counter()
        retriever, id_map = build_ours(dataset, settings, embedder, Path(tmp) / "data")
        report["index_seconds"] = round(time.perf_counter() - started, 2)
        for mode in modes:
            rank = lambda q, m=mode: _dedupe([id_map[h.chunk.doc_id] for h in retriever.search(q, k=3 * K, mode=m).hits])  # noqa: E731
            rankings, latencies = _timed_rankings(dataset, rank)
            report[f"ours_{mode}"] = summarize(rankings, dataset.qrels, latencies)
            if mode == modes[0]:
                report["ours_by_language"] = _by_language(dataset, rankings)
        retriever.index.close()
    if baseline:
        rankings, latencies = _timed_rankings(dataset, build_baseline(dataset, embedder))
        report["baseline"] = summarize(rankings, dataset.qrels, latencies)
        report["baseline_by_language"] = _by_language(dataset, rankings)
        ours = report[f"ours_{modes[0]}"]
        report["ratio_ours_to_baseline"] = {
            m: (round(ours[m] / report["baseline"][m], 3) if report["baseline"][m] else None)
            for m in ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")
        }
    return report
