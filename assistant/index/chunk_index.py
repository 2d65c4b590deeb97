"""The index as one object: catalog (truth) + Chroma vectors + BM25, written atomically per document.

Write order for a document version ``v``:
  1. journal (doc, v)      2. vectors for v upserted      3. catalog commit (the commit point)
  4. vectors of other versions deleted      5. journal entry removed
A failure before 3 removes v's vectors; a crash anywhere is repaired by :meth:`recover`,
and search only returns chunks the catalog knows, so readers never see a half-written document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.domain import Chunk, Document, DocumentMeta
from assistant.errors import IndexLocked
from assistant.filters import vector_metadata
from assistant.index.catalog import Catalog, version_of
from assistant.index.embedding_cache import CachedEmbedder
from assistant.index.embeddings import Embedder, embedder_for
from assistant.index.lexical import LexicalIndex
from assistant.index.live import LiveIndex, live_index, pointer_stamp
from assistant.index.ownership import claim
from assistant.index.vector import VectorStore, make_client

log = logging.getLogger(__name__)


def embedding_text(chunk: Chunk, meta: DocumentMeta) -> str:
    """What gets embedded (and indexed by BM25): document number and title, the heading path, then the chunk.

    Titles and headings are part of the text both searches see; a separate, boosted title field was measured
    and made results worse (see *Retrieval* in the README)."""
    head = " ".join(part for part in (meta.doc_number, meta.title) if part)
    return "\n".join(part for part in (head, chunk.heading, chunk.text) if part)


class ChunkIndex:
    """Catalog + vectors + lexical index of one data directory."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        catalog: Catalog,
        vectors: VectorStore,
        lexical: LexicalIndex,
        release: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings = settings
        self._release = release
        self._owned_caches: list[CachedEmbedder] = []
        self._live = LiveIndex(settings.collection, settings.embedding_model)
        self._pointer_stamp: tuple[int, int] | None = None  # the pointer file's (mtime, size) last read
        self.embedder = embedder
        self.catalog = catalog
        self.vectors = vectors
        self.lexical = lexical
        self._write_lock = FileLock(str(settings.data_dir / "write.lock"))

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> ChunkIndex:
        """Open (creating if needed) the index under ``settings.data_dir`` and repair any interrupted write."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # Embedded Chroma: this process must be the only one with the directory open. Server mode: any number.
        release = claim(settings.data_dir) if settings.chroma_mode == "embedded" else (lambda: None)
        owned_cache = None
        try:
            live = live_index(settings)  # after `assistant reindex`: the collection and model it swapped in
            embedder = embedder or embedder_for(settings, live.embedding_model)
            if settings.embedding_cache and not isinstance(embedder, CachedEmbedder):
                embedder = owned_cache = CachedEmbedder(embedder, settings.embedding_cache_file)
            catalog = Catalog(settings.catalog_path)
            vectors = VectorStore(make_client(settings), live.collection, embedder.name)
        except BaseException:
            release()
            raise
        lexical = LexicalIndex(
            settings.bm25_path,
            k1=settings.bm25_k1,
            b=settings.bm25_b,
            delta_from=settings.bm25_delta_from,
            delta_share=settings.bm25_delta_share,
        )
        index = cls(settings, embedder, catalog, vectors, lexical, release)
        index._owned_caches = [owned_cache] if owned_cache is not None else []
        index._live = live
        if catalog.journal_pending():
            with index.writing():
                index.recover()
        if not index.lexical.load() and catalog.counts()[1]:  # none saved, or saved by an older version
            try:
                with index.writing(timeout=0):
                    index.refresh_lexical(save=True)
            except IndexLocked:
                pass  # another process is writing and will save it; this one builds it at its first search
        return index

    # -- locking ----------------------------------------------------------------------------
    @contextmanager
    def writing(self, timeout: float = 10.0) -> Iterator[None]:
        """Exclusive writer lock on the data directory (one writing process at a time; re-entrant)."""
        try:
            self._write_lock.acquire(timeout=timeout)
        except Timeout as exc:
            raise IndexLocked(
                f"another process is writing to {self.settings.data_dir}; try again when it finishes"
            ) from exc
        try:
            yield
        finally:
            self._write_lock.release()

    # -- writes -----------------------------------------------------------------------------
    def add(self, document: Document, chunks: list[Chunk]) -> None:
        """Index a document version atomically; on any failure the previous state stays as it was."""
        self.add_many([(document, chunks)])

    def add_many(self, batch: list[tuple[Document, list[Chunk]]]) -> None:
        """Index several document versions in one go (one embedding run, one vector write, one catalog
        transaction): all of them or none, each replacing its previous version."""
        if not batch:
            return
        versions = [(document.meta.doc_id, version_of(document.content_hash)) for document, _ in batch]
        chunks = [c for _, doc_chunks in batch for c in doc_chunks]
        metas = [document.meta for document, doc_chunks in batch for _ in doc_chunks]
        vectors = self.embedder.embed_documents([embedding_text(c, m) for c, m in zip(chunks, metas)])
        metadata = [
            vector_metadata(m, version)
            for (document, doc_chunks), (_, version) in zip(batch, versions)
            for m in [document.meta]
            for _ in doc_chunks
        ]
        for doc_id, version in versions:
            self.catalog.journal_add(doc_id, version)
        try:
            self.vectors.upsert([c.chunk_id for c in chunks], vectors, metadata)
            self.catalog.commit_documents(batch)
        except BaseException:
            for doc_id, version in versions:
                self._discard_version(doc_id, version)
            raise
        for doc_id, version in versions:
            self.vectors.delete_other_versions(doc_id, version)
            self.catalog.journal_remove(doc_id, version)

    def _discard_version(self, doc_id: str, version: str) -> None:
        try:
            self.vectors.delete_version(doc_id, version)
            self.catalog.journal_remove(doc_id, version)
        except Exception:  # leave the journal entry; recover() finishes the job next time
            log.exception("could not discard vectors of %s@%s; will retry on next open", doc_id, version)

    def remove(self, doc_id: str) -> bool:
        """Delete a document; returns False when it was not indexed."""
        self.catalog.journal_add(doc_id, "-")
        deleted = self.catalog.delete_document(doc_id)
        self.vectors.delete_doc(doc_id)
        self.catalog.journal_remove(doc_id, "-")
        return deleted

    def recover(self) -> int:
        """Finish or undo interrupted writes recorded in the journal; returns how many were repaired."""
        pending = self.catalog.journal_pending()
        for doc_id, version in pending:
            committed = self.catalog.document_hash(doc_id)
            if committed is None:
                self.vectors.delete_doc(doc_id)
            else:
                self.vectors.delete_other_versions(doc_id, version_of(committed[0]))
            self.catalog.journal_remove(doc_id, version)
        return len(pending)

    def reconcile(self) -> dict[str, int]:
        """Full consistency check: drop vectors the catalog does not know; report chunks missing vectors."""
        known = self.catalog.chunk_ids()
        stored = self.vectors.all_ids()
        orphans = sorted(stored - known)
        if orphans:
            self.vectors.delete_ids(orphans)
        return {"orphan_vectors_removed": len(orphans), "chunks_missing_vectors": len(known - stored)}

    def refresh_lexical(self, save: bool = True) -> bool:
        """Bring BM25 up to the catalog when it changed: the changed documents into the delta of a large index,
        else a rebuild (saved when ``save``); returns True if anything changed."""
        with self.lexical.lock:
            generation = self.catalog.generation()
            if self.lexical.generation == generation:
                return False
            metas = self.catalog.metas()
            changed = self.catalog.changed_since(self.lexical.generation)
            if changed is not None:
                chunks = {doc_id: self.catalog.chunks_of(doc_id) for doc_id in changed}
                if self.lexical.takes_delta(sum(len(c) for c in chunks.values())):
                    self.lexical.apply(  # a document written meanwhile has no meta yet: the next refresh adds it
                        {
                            doc_id: [(c.chunk_id, embedding_text(c, metas[doc_id])) for c in doc_chunks]
                            if doc_id in metas
                            else []
                            for doc_id, doc_chunks in chunks.items()
                        },
                        generation,
                    )
                    return True
            self.lexical.build(
                ((c.chunk_id, c.doc_id, embedding_text(c, metas[c.doc_id])) for c in self.catalog.iter_chunks()),
                generation,
            )
            if save:
                self.lexical.save()
            return True

    def swap(self, live: LiveIndex, vectors: VectorStore, embedder: Embedder) -> None:
        """Answer from ``vectors`` embedded by ``embedder`` from now on (after a re-index). The previous
        embedder stays usable: summaries and requests in flight may still hold it."""
        if isinstance(embedder, CachedEmbedder) and embedder not in self._owned_caches:
            self._owned_caches.append(embedder)
        self.vectors, self.embedder, self._live = vectors, embedder, live

    def follow_live(self) -> None:
        """Switch to the collection ``data/index.json`` names when another process re-indexed (a stat per call;
        the file is read only when it changed)."""
        stamp = pointer_stamp(self.settings)
        if stamp == self._pointer_stamp:
            return
        self._pointer_stamp = stamp
        live = live_index(self.settings)
        if live == self._live:
            return
        embedder = (
            self.embedder
            if live.embedding_model == self._live.embedding_model
            else embedder_for(self.settings, live.embedding_model)
        )
        if self.settings.embedding_cache and not isinstance(embedder, CachedEmbedder):
            embedder = CachedEmbedder(embedder, self.settings.embedding_cache_file)
        self.swap(live, VectorStore(self.vectors.client, live.collection, embedder.name), embedder)

    def close(self) -> None:
        self.catalog.close()
        for cache in self._owned_caches:
            cache.close()
        self._release()

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir
