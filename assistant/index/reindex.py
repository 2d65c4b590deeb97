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

from assistant.index.check import embed_from_catalog, vector_drift
from assistant.index.chunk_index import ChunkIndex
from assistant.index.embedding_cache import CachedEmbedder
from assistant.index.embeddings import Embedder, embedder_for
from assistant.index.live import LiveIndex, live_index, write_pointer
from assistant.index.vector import VectorStore
from assistant.progress import Progress


@dataclass(frozen=True)
class ReindexReport:
    collection: str
    previous: str
    embedding_model: str
    chunks: int
    caught_up: int
    seconds: float


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
    built = embed_from_catalog(index, chunk_ids, target, embedder, progress)
    with index.writing():  # catch up with ingests and deletions made meanwhile, then swap
        drift = vector_drift(index.catalog, target)
        target.delete_ids(drift.to_delete)
        caught_up = embed_from_catalog(index, drift.to_embed, target, embedder)
        write_pointer(settings.data_dir, LiveIndex(name, model))
        previous = index.vectors
        index.swap(LiveIndex(name, model), target, embedder)
        # The previous collection stays until the next re-index: requests in flight, and other workers until
        # they see the pointer (at their next search), may still read it.
    return ReindexReport(name, previous.name, model, built, caught_up, round(time.perf_counter() - started, 2))
