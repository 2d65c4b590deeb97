"""``assistant check``: do the catalog, the vectors (Chroma) and BM25 agree — the same chunk ids, each vector
of its document's current version, BM25 built from the catalog as it is — and, with ``repair``, make them.

The catalog is the truth (it holds every chunk's text): interrupted writes are finished from the journal,
vectors it does not know or of an old version are deleted, chunks without a vector are embedded again from
their stored text, and BM25 is rebuilt. Everything runs under the index's write lock.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from assistant.filters import vector_metadata
from assistant.index.catalog import Catalog, version_of
from assistant.index.chunk_index import ChunkIndex, embedding_text
from assistant.index.embeddings import Embedder
from assistant.index.vector import VectorStore
from assistant.progress import Progress

SAMPLE = 5  # ids shown per kind of problem
BATCH = 256  # chunks embedded and stored at a time


@dataclass
class CheckReport:
    documents: int
    chunks: int
    vectors: int
    bm25_chunks: int
    pending_writes: int
    orphan_vectors: list[str] = field(default_factory=list)
    stale_vectors: list[str] = field(default_factory=list)
    missing_vectors: list[str] = field(default_factory=list)
    bm25_missing: int = 0
    bm25_extra: int = 0
    bm25_outdated: bool = False
    repaired: dict[str, int] = field(default_factory=dict)

    @property
    def consistent(self) -> bool:
        return not (
            self.pending_writes
            or self.orphan_vectors
            or self.stale_vectors
            or self.missing_vectors
            or self.bm25_missing
            or self.bm25_extra
            or self.bm25_outdated
        )

    def as_dict(self) -> dict:
        data = asdict(self)
        for name in ("orphan_vectors", "stale_vectors", "missing_vectors"):
            data[name] = {"count": len(data[name]), "sample": data[name][:SAMPLE]}
        return {"consistent": self.consistent, **data}


@dataclass(frozen=True)
class VectorDrift:
    """How a collection's vectors differ from the catalog (sorted chunk ids)."""

    orphans: list[str]  # vectors of no chunk
    stale: list[str]  # vectors of an old version of their document
    missing: list[str]  # chunks without a vector

    @property
    def to_delete(self) -> list[str]:
        return self.orphans + self.stale

    @property
    def to_embed(self) -> list[str]:
        return self.missing + self.stale


def vector_drift(catalog: Catalog, vectors: VectorStore) -> VectorDrift:
    """Compare ``vectors`` (the live collection, or one being built) with the catalog."""
    known = catalog.chunk_ids()
    stored = vectors.versions()
    current = {}
    for doc_id in {doc_id for doc_id, _ in stored.values()}:
        committed = catalog.document_hash(doc_id)
        current[doc_id] = version_of(committed[0]) if committed else None
    return VectorDrift(
        orphans=sorted(set(stored) - known),
        stale=sorted(
            cid
            for cid, (doc_id, version) in stored.items()
            if cid in known and current.get(doc_id) not in (None, version)
        ),
        missing=sorted(known - set(stored)),
    )


def embed_from_catalog(
    index: ChunkIndex,
    chunk_ids: list[str],
    vectors: VectorStore,
    embedder: Embedder,
    progress: Progress | None = None,
) -> int:
    """Embed chunks from the catalog's stored text into ``vectors``, each with its document's current version;
    returns how many were stored."""
    metas = index.catalog.metas()
    done = 0
    for start in range(0, len(chunk_ids), BATCH):
        chunks = list(index.catalog.chunks_by_id(chunk_ids[start : start + BATCH]).values())
        chunks = [c for c in chunks if c.doc_id in metas]
        if chunks:
            embedded = embedder.embed_documents([embedding_text(c, metas[c.doc_id]) for c in chunks])
            versions = {c.doc_id: version_of((index.catalog.document_hash(c.doc_id) or ("",))[0]) for c in chunks}
            vectors.upsert(
                [c.chunk_id for c in chunks],
                embedded,
                [vector_metadata(metas[c.doc_id], versions[c.doc_id]) for c in chunks],
            )
            done += len(chunks)
        if progress:
            progress(min(1.0, done / max(1, len(chunk_ids))), f"{done} of {len(chunk_ids)} chunks")
    return done


def inspect(index: ChunkIndex) -> CheckReport:
    """What disagrees between catalog, vectors and BM25 (nothing is changed)."""
    catalog = index.catalog
    known = catalog.chunk_ids()
    drift = vector_drift(catalog, index.vectors)
    documents, chunks = catalog.counts()
    lexical = set(index.lexical.chunk_ids)
    return CheckReport(
        documents=documents,
        chunks=chunks,
        vectors=index.vectors.count(),
        bm25_chunks=len(lexical),
        pending_writes=len(catalog.journal_pending()),
        orphan_vectors=drift.orphans,
        stale_vectors=drift.stale,
        missing_vectors=drift.missing,
        bm25_missing=len(known - lexical),
        bm25_extra=len(lexical - known),
        bm25_outdated=index.lexical.generation != catalog.generation(),
    )


def check(index: ChunkIndex, repair: bool = False) -> CheckReport:
    """Inspect, and with ``repair`` bring vectors and BM25 back in line with the catalog; the report is of the
    state found, with ``repaired`` counting what was done."""
    report = inspect(index)
    if not repair or report.consistent:
        return report
    with index.writing():
        recovered = index.recover()
        found = inspect(index)  # after the journal is finished
        drift = VectorDrift(found.orphan_vectors, found.stale_vectors, found.missing_vectors)
        index.vectors.delete_ids(drift.to_delete)
        embedded = embed_from_catalog(index, drift.to_embed, index.vectors, index.embedder)
        rebuilt = bool(found.bm25_missing or found.bm25_extra or found.bm25_outdated)
        if rebuilt:
            index.lexical.generation = -1  # force the rebuild from the catalog
            index.refresh_lexical()
    report.repaired = {
        "journal_entries_finished": recovered,
        "vectors_deleted": len(drift.to_delete),
        "chunks_embedded": embedded,
        "bm25_rebuilt": int(rebuilt),
    }
    return report
