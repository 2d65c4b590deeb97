"""Re-embed the whole index — after an embedding model change, or to rebuild damaged vectors — without
stopping the service.

A new Chroma collection is built beside the live one from the catalog's stored text (queries go on against
the live one); then, under the write lock, what changed meanwhile is caught up and the *pointer*
(``<data_dir>/index.json``: the live collection and the model that built it) is replaced by an atomic rename.
Only then do queries move to the new collection (other processes follow at their next search); the old one
is kept until the next re-index, which drops it. A crash before the rename leaves the old collection live;
the half-built one is dropped by the next re-index too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from assistant.filters import vector_metadata
from assistant.index.catalog import version_of
from assistant.index.chunk_index import ChunkIndex, embedding_text
from assistant.index.embedding_cache import CachedEmbedder
from assistant.index.embeddings import Embedder, embedder_for
from assistant.index.live import LiveIndex, live_index, write_pointer
from assistant.index.vector import VectorStore
from assistant.progress import Progress

BATCH = 256


@dataclass(frozen=True)
class ReindexReport:
    collection: str
    previous: str
    embedding_model: str
    chunks: int
    caught_up: int
    seconds: float


def _embed_into(
    index: ChunkIndex,
    target: VectorStore,
    embedder: Embedder,
    chunk_ids: list[str],
    progress: Progress | None,
    done_before: int = 0,
    total: int = 0,
) -> int:
    metas = index.catalog.metas()
    done = 0
    for start in range(0, len(chunk_ids), BATCH):
        chunks = list(index.catalog.chunks_by_id(chunk_ids[start : start + BATCH]).values())
        chunks = [c for c in chunks if c.doc_id in metas]
        if chunks:
            vectors = embedder.embed_documents([embedding_text(c, metas[c.doc_id]) for c in chunks])
            versions = {c.doc_id: version_of((index.catalog.document_hash(c.doc_id) or ("",))[0]) for c in chunks}
            target.upsert(
                [c.chunk_id for c in chunks],
                vectors,
                [vector_metadata(metas[c.doc_id], versions[c.doc_id]) for c in chunks],
            )
            done += len(chunks)
        if progress:
            progress(min(1.0, (done_before + done) / max(1, total)), f"{done_before + done} of {total} chunks")
    return done


def reindex(index: ChunkIndex, embedding_model: str | None = None, progress: Progress | None = None) -> ReindexReport:
    """Build a new collection from the catalog with ``embedding_model`` (default: the live one) and swap it in."""
    started = time.perf_counter()
    settings = index.settings
    live = live_index(settings)
    model = embedding_model or live.embedding_model
    embedder: Embedder = index.embedder
    if model != live.embedding_model:
        embedder = embedder_for(settings, model)
        if settings.embedding_cache:
            embedder = CachedEmbedder(embedder, settings.embedding_cache_file)
    client = index.vectors.client
    name = f"{settings.collection}-{time.strftime('%Y%m%d%H%M%S')}"
    for collection in client.list_collections():  # leftovers of a re-index that did not finish
        stale = getattr(collection, "name", collection)
        ours = stale == settings.collection or stale.startswith(f"{settings.collection}-")
        if ours and stale not in (live.collection, index.vectors.name):
            client.delete_collection(stale)
    target = VectorStore(client, name, embedder.name)
    chunk_ids = sorted(index.catalog.chunk_ids())
    built = _embed_into(index, target, embedder, chunk_ids, progress, total=len(chunk_ids))
    with index.writing():  # catch up with ingests and deletions made meanwhile, then swap
        known = index.catalog.chunk_ids()
        have = target.versions()
        current = {
            doc_id: version_of(h[0])
            for doc_id in {d for d, _ in have.values()}
            if (h := index.catalog.document_hash(doc_id))
        }
        gone = [cid for cid, (doc_id, version) in have.items() if cid not in known or current.get(doc_id) != version]
        target.delete_ids(gone)
        caught_up = _embed_into(index, target, embedder, sorted(known - (set(have) - set(gone))), None)
        write_pointer(settings.data_dir, LiveIndex(name, model))
        previous = index.vectors
        index.swap(LiveIndex(name, model), target, embedder)
        # The previous collection stays until the next re-index: requests in flight, and other workers until
        # they see the pointer (at their next search), may still read it.
    return ReindexReport(name, previous.name, model, built, caught_up, round(time.perf_counter() - started, 2))
