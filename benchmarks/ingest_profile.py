"""Where ingest time goes, against the embedding model's own time on the same texts, in one run.

    python -m benchmarks.ingest_profile ../shared/evaldata/alqac-dev [--limit 600]
    python -m benchmarks.ingest_profile corpus/            # a folder of files: parsing counts too

1. The documents are read and chunked once (timed: "parse_and_chunk"); the texts the index embeds are
   collected. 2. The bare model embeds exactly those texts (no cache, same batch size): the floor (timed before and after
   the ingest, the mean is used: a shared machine's speed drifts).
3. A fresh index ingests the same documents through the real pipeline with the embedding cache off; every
   stage is timed (embedding, Chroma, catalog, BM25). Reported: chunks/s, the model's share of ingest time,
   and ingest / raw embedding (target <= 1.15).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from assistant.config import Settings
from assistant.index.chunk_index import ChunkIndex, embedding_text
from assistant.index.embeddings import load_embedder
from assistant.ingest.chunker import StructureChunker
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, load_file
from assistant.ingest.metadata import build_document, content_hash
from assistant.ingest.pipeline import IngestPipeline, discover


class Stopwatch:
    """Seconds spent inside wrapped callables, by name (the wrappers are removed by :meth:`restore`)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._wrapped: list[tuple[object, str]] = []

    def wrap(self, owner: object, attribute: str, name: str) -> None:
        original = getattr(owner, attribute)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

        setattr(owner, attribute, timed)  # an instance attribute, shadowing the method
        self._wrapped.append((owner, attribute))

    def restore(self) -> None:
        for owner, attribute in self._wrapped:
            delattr(owner, attribute)
        self._wrapped.clear()


def _documents(source: Path, limit: int | None):
    if (source / "corpus.jsonl").is_file():
        from evals.retrieval import _document

        rows = [json.loads(line) for line in (source / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if line]
        return [_document(row, f"doc-{i}") for i, row in enumerate(rows[:limit])]
    files = [p for p, _ in discover([source]) if p.suffix.lower() in SUPPORTED_SUFFIXES][:limit]
    return [build_document(load_file(p, 50 * 2**20), p, content_hash(p.read_bytes(), "bench")) for p in files]


@contextmanager
def _index(settings: Settings):
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        index = ChunkIndex.open(
            settings.model_copy(update={"data_dir": Path(tmp), "seed_corpus": None, "embedding_cache": False})
        )
        try:
            yield index
        finally:
            index.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a BEIR folder (corpus.jsonl) or a folder of files")
    parser.add_argument("--limit", type=int, default=600, help="documents to use (default 600; 0 = all)")
    args = parser.parse_args()
    settings = Settings(seed_corpus=None)
    started = time.perf_counter()
    documents = _documents(Path(args.source), args.limit or None)
    chunker = StructureChunker(settings.chunk_max_chars, settings.chunk_min_chars)
    texts = [embedding_text(c, d.meta) for d in documents for c in chunker.chunk(d)]
    parse_seconds = time.perf_counter() - started

    model = load_embedder(settings.embedding_model, settings.embedding_batch_size, settings.query_max_tokens)
    model.embed_documents(texts[:8])  # warm-up, outside both timings

    def raw_embedding() -> float:
        started = time.perf_counter()
        model.embed_documents(texts)
        return time.perf_counter() - started

    raw_before = raw_embedding()

    watch = Stopwatch()
    with _index(settings) as index:
        watch.wrap(index.embedder, "embed_documents", "embedding")
        watch.wrap(index.vectors, "upsert", "chroma_upsert")
        watch.wrap(index.catalog, "commit_documents", "catalog_commit")
        watch.wrap(index, "refresh_lexical", "bm25_build")
        pipeline = IngestPipeline(index)
        watch.wrap(pipeline.chunker, "chunk", "chunking")
        started = time.perf_counter()
        results = pipeline.ingest_documents(documents)
        ingest_seconds = time.perf_counter() - started
        watch.restore()
    raw_after = raw_embedding()  # the model alone again: a shared machine's speed drifts
    raw_seconds = (raw_before + raw_after) / 2
    failed = [r for r in results if r.status == "failed"]
    report = {
        "source": args.source,
        "documents": len(documents),
        "chunks": len(texts),
        "failed": len(failed),
        "read_and_chunk_seconds_outside_ingest": round(parse_seconds, 2),
        "raw_embedding_seconds": round(raw_seconds, 2),
        "raw_embedding_runs_seconds": [round(raw_before, 2), round(raw_after, 2)],
        "ingest_seconds": round(ingest_seconds, 2),
        "stages_seconds": {k: round(v, 2) for k, v in sorted(watch.seconds.items())},
        "other_seconds": round(ingest_seconds - sum(watch.seconds.values()), 2),
        "chunks_per_second": round(len(texts) / ingest_seconds, 2) if ingest_seconds else None,
        "model_share_of_ingest": round(watch.seconds.get("embedding", 0.0) / ingest_seconds, 3)
        if ingest_seconds
        else None,
        "ingest_over_raw_embedding": round(ingest_seconds / raw_seconds, 3) if raw_seconds else None,
        "target": "<= 1.15",
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
