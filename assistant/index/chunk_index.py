"""The index as one object: catalog (truth) + Chroma vectors + BM25, written atomically per document.

Write order for a document version ``v``:
  1. journal (doc, v)      2. vectors for v upserted      3. catalog commit (the commit point)
  4. vectors of other versions deleted      5. journal entry removed
A failure before 3 removes v's vectors; a crash anywhere is repaired by :meth:`recover`,
and search only returns chunks the catalog knows, so readers never see a half-written document.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.domain import Chunk, Document, DocumentMeta
from assistant.errors import IndexLocked
from assistant.filters import vector_metadata
from assistant.index.catalog import Catalog, version_of
from assistant.index.embeddings import Embedder, load_embedder
from assistant.index.lexical import LexicalIndex
from assistant.index.ownership import claim
from assistant.index.vector import VectorStore, make_client

log = logging.getLogger(__name__)


def embedding_text(chunk: Chunk, meta: DocumentMeta) -> str:
    """What gets embedded: document number and title, the heading path, then the chunk itself."""
    head = " ".join(part for part in (meta.doc_number, meta.title) if part)
    return "\n".join(part for part in (head, chunk.heading, chunk.text) if part)


class ChunkIndex:
    """Catalog + vectors + lexical index of one data directory."""

    def __init__(self, settings: Settings, embedder: Embedder, catalog: Catalog, vectors: VectorStore,
                 lexical: LexicalIndex, release: Callable[[], None] = lambda: None) -> None:
        self.settings = settings
        self._release = release
        self.embedder = embedder
        self.catalog = catalog
        self.vectors = vectors
        self.lexical = lexical
        self._write_lock = FileLock(str(settings.data_dir / "write.lock"))

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> "ChunkIndex":
        """Open (creating if needed) the index under ``settings.data_dir`` and repair any interrupted write."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # Embedded Chroma: this process must be the only one with the directory open. Server mode: any number.
        release = claim(settings.data_dir) if settings.chroma_mode == "embedded" else (lambda: None)
        try:
            embedder = embedder or load_embedder(settings.embedding_model, settings.embedding_batch_size)
            catalog = Catalog(settings.catalog_path)
            vectors = VectorStore(make_client(settings), settings.collection, embedder.name)
        except BaseException:
            release()
            raise
        index = cls(settings, embedder, catalog, vectors, LexicalIndex(settings.bm25_path), release)
        if catalog.journal_pending():
            with index.writing():
                index.recover()
        index.lexical.load()
        return index

    # -- locking ----------------------------------------------------------------------------
    @contextmanager
    def writing(self, timeout: float = 10.0) -> Iterator[None]:
        """Exclusive writer lock on the data directory (one writing process at a time; re-entrant)."""
        try:
            self._write_lock.acquire(timeout=timeout)
        except Timeout as exc:
            raise IndexLocked(f"another process is writing to {self.settings.data_dir}; try again when it finishes") from exc
        try:
            yield
        finally:
            self._write_lock.release()

    # -- writes -----------------------------------------------------------------------------
    def add(self, document: Document, chunks: list[Chunk]) -> None:
        """Index a document version atomically; on any failure the previous state stays as it was."""
        doc_id, version = document.meta.doc_id, version_of(document.content_hash)
        vectors = self.embedder.embed_documents([embedding_text(c, document.meta) for c in chunks])
        metadata = vector_metadata(document.meta, version)
        self.catalog.journal_add(doc_id, version)
        try:
            self.vectors.upsert([c.chunk_id for c in chunks], vectors, [dict(metadata) for _ in chunks])
            self.catalog.commit_document(document, chunks)
        except BaseException:
            self._discard_version(doc_id, version)
            raise
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
        """Rebuild BM25 when the catalog changed since it was built; returns True if rebuilt."""
        generation = self.catalog.generation()
        if self.lexical.generation == generation:
            return False
        metas = self.catalog.metas()
        self.lexical.build(
            ((c.chunk_id, c.doc_id, embedding_text(c, metas[c.doc_id])) for c in self.catalog.iter_chunks()),
            generation,
        )
        if save:
            self.lexical.save()
        return True

    def close(self) -> None:
        self.catalog.close()
        self._release()

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir
