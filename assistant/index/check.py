"""``assistant check``: do the catalog, the vectors (Chroma) and BM25 agree — the same chunk ids, each vector
of its document's current version, BM25 built from the catalog as it is — and, with ``repair``, make them.

The catalog is the truth (it holds every chunk's text): interrupted writes are finished from the journal,
vectors it does not know or of an old version are deleted, chunks without a vector are embedded again from
their stored text, and BM25 is rebuilt. Everything runs under the index's write lock.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from assistant.filters import vector_metadata
from assistant.index.catalog import version_of
from assistant.index.chunk_index import ChunkIndex, embedding_text

SAMPLE = 5  # ids shown per kind of problem


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


def inspect(index: ChunkIndex) -> CheckReport:
    """What disagrees between catalog, vectors and BM25 (nothing is changed)."""
    catalog = index.catalog
    known = catalog.chunk_ids()
    stored = index.vectors.versions()
    documents, chunks = catalog.counts()
    current = {}
    for doc_id in {doc_id for doc_id, _ in stored.values()}:
        committed = catalog.document_hash(doc_id)
        current[doc_id] = version_of(committed[0]) if committed else None
    lexical = set(index.lexical.chunk_ids)
    return CheckReport(
        documents=documents,
        chunks=chunks,
        vectors=len(stored),
        bm25_chunks=len(lexical),
        pending_writes=len(catalog.journal_pending()),
        orphan_vectors=sorted(set(stored) - known),
        stale_vectors=sorted(
            cid
            for cid, (doc_id, version) in stored.items()
            if cid in known and current.get(doc_id) not in (None, version)
        ),
        missing_vectors=sorted(known - set(stored)),
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
        index.vectors.delete_ids(found.orphan_vectors + found.stale_vectors)
        embedded = _embed_again(index, found.missing_vectors + found.stale_vectors)
        rebuilt = bool(found.bm25_missing or found.bm25_extra or found.bm25_outdated)
        if rebuilt:
            index.lexical.generation = -1  # force the rebuild from the catalog
            index.refresh_lexical()
    report.repaired = {
        "journal_entries_finished": recovered,
        "vectors_deleted": len(found.orphan_vectors) + len(found.stale_vectors),
        "chunks_embedded": embedded,
        "bm25_rebuilt": int(rebuilt),
    }
    return report


def _embed_again(index: ChunkIndex, chunk_ids: list[str], batch: int = 256) -> int:
    """Embed chunks from the catalog's text and store them with their document's current version."""
    metas = index.catalog.metas()
    done = 0
    for start in range(0, len(chunk_ids), batch):
        chunks = list(index.catalog.chunks_by_id(chunk_ids[start : start + batch]).values())
        if not chunks:
            continue
        vectors = index.embedder.embed_documents([embedding_text(c, metas[c.doc_id]) for c in chunks])
        metadata = []
        for chunk in chunks:
            committed = index.catalog.document_hash(chunk.doc_id)
            metadata.append(vector_metadata(metas[chunk.doc_id], version_of(committed[0] if committed else "")))
        index.vectors.upsert([c.chunk_id for c in chunks], vectors, metadata)
        done += len(chunks)
    return done
