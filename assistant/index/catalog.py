"""SQLite catalog: the source of truth for documents and chunks.

A document's chunks become visible only when ``commit_document`` commits; the vector store is
written before that and cleaned after it, guided by a journal, so a crash at any point leaves
the catalog consistent and lets ``ChunkIndex.recover`` remove orphans.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from assistant.domain import Chunk, Document, DocumentMeta

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source_path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    meta_json TEXT NOT NULL,
    text TEXT NOT NULL,
    page_starts_json TEXT NOT NULL,
    n_chunks INTEGER NOT NULL,
    ingested_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    structure_path TEXT NOT NULL,
    heading TEXT NOT NULL,
    page_start INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS journal (doc_id TEXT NOT NULL, version TEXT NOT NULL, PRIMARY KEY (doc_id, version));
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (generation INTEGER NOT NULL, doc_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS changes_generation ON changes(generation);
"""
CHANGES_KEPT = 50_000  # generations of the change log kept (an index older than that is rebuilt whole)

_CHUNK_COLUMNS = "chunk_id, doc_id, ordinal, text, structure_path, heading, page_start, page_end, char_start, char_end"


def version_of(content_hash: str) -> str:
    """Short version tag used in chunk ids and vector metadata."""
    return content_hash[:10] or "v0"


class Catalog:
    """Thread-safe access to the SQLite catalog."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)
        # the change log is complete from the generation it was created at (an older catalog had none)
        self._conn.execute(
            "INSERT OR IGNORE INTO state(key, value) "
            "SELECT 'changes_from', COALESCE((SELECT value FROM state WHERE key='generation'), '0')"
        )
        self._lock = threading.RLock()
        self._meta_cache: dict[str, DocumentMeta] | None = None
        self._meta_generation = -1

    def close(self) -> None:
        self._conn.close()

    # -- generation: bumps on every change, so derived indexes know when they are stale ------
    def generation(self) -> int:
        row = self._conn.execute("SELECT value FROM state WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def _bump(self, doc_ids: list[str]) -> None:
        """Next generation, logging which documents it changed (inside the caller's transaction)."""
        self._conn.execute(
            "INSERT INTO state(key, value) VALUES('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )
        generation = self.generation()
        self._conn.executemany("INSERT INTO changes VALUES(?, ?)", [(generation, d) for d in doc_ids])
        if generation % 1000 == 0 and generation > CHANGES_KEPT:
            self._conn.execute("DELETE FROM changes WHERE generation <= ?", (generation - CHANGES_KEPT,))
            self._conn.execute(
                "UPDATE state SET value = ? WHERE key = 'changes_from'", (str(generation - CHANGES_KEPT),)
            )
        self._meta_cache = None

    def changed_since(self, generation: int) -> set[str] | None:
        """The documents added, replaced or deleted after ``generation``; None when the log does not reach back
        that far (then whatever was built at that generation must be rebuilt whole)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM state WHERE key='changes_from'").fetchone()
            if generation < 0 or row is None or generation < int(row[0]):
                return None
            return {r[0] for r in self._conn.execute("SELECT doc_id FROM changes WHERE generation > ?", (generation,))}

    # -- journal ----------------------------------------------------------------------------
    def journal_add(self, doc_id: str, version: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR IGNORE INTO journal VALUES(?, ?)", (doc_id, version))

    def journal_remove(self, doc_id: str, version: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM journal WHERE doc_id=? AND version=?", (doc_id, version))

    def journal_pending(self) -> list[tuple[str, str]]:
        with self._lock:
            return [tuple(r) for r in self._conn.execute("SELECT doc_id, version FROM journal")]

    # -- writes -----------------------------------------------------------------------------
    def commit_document(self, document: Document, chunks: list[Chunk]) -> None:
        """Replace the document and all its chunks in one transaction (the commit point of an ingest)."""
        self.commit_documents([(document, chunks)])

    def commit_documents(self, batch: list[tuple[Document, list[Chunk]]]) -> None:
        """Replace several documents and their chunks in one transaction."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                for document, chunks in batch:
                    conn.execute("DELETE FROM chunks WHERE doc_id=?", (document.meta.doc_id,))
                    conn.execute(
                        "INSERT OR REPLACE INTO documents VALUES(?,?,?,?,?,?,?,?)",
                        (
                            document.meta.doc_id,
                            document.source_path,
                            document.content_hash,
                            document.meta.model_dump_json(),
                            document.text,
                            json.dumps(document.page_starts),
                            len(chunks),
                            time.time(),
                        ),
                    )
                    conn.executemany(
                        f"INSERT INTO chunks({_CHUNK_COLUMNS}) VALUES(?,?,?,?,?,?,?,?,?,?)",
                        [
                            (
                                c.chunk_id,
                                c.doc_id,
                                c.ordinal,
                                c.text,
                                c.structure_path,
                                c.heading,
                                c.page_start,
                                c.page_end,
                                c.char_start,
                                c.char_end,
                            )
                            for c in chunks
                        ],
                    )
                self._bump([document.meta.doc_id for document, _ in batch])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                self._meta_cache = None
                raise

    def delete_document(self, doc_id: str) -> bool:
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
                deleted = conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,)).rowcount > 0
                if deleted:
                    self._bump([doc_id])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return deleted

    # -- reads ------------------------------------------------------------------------------
    def document_hash(self, doc_id: str) -> tuple[str, str] | None:
        """(content_hash, source_path) of an indexed document, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT content_hash, source_path FROM documents WHERE doc_id=?", (doc_id,)
            ).fetchone()
        return (row[0], row[1]) if row else None

    def doc_id_for(self, source_path: str, content_hash: str) -> str | None:
        """The id of the document already indexed from this source with this exact content, if any."""
        with self._lock:
            row = self._conn.execute(
                "SELECT doc_id FROM documents WHERE source_path=? AND content_hash=?", (source_path, content_hash)
            ).fetchone()
        return row[0] if row else None

    def get_document(self, doc_id: str) -> Document | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT meta_json, text, page_starts_json, source_path, content_hash FROM documents WHERE doc_id=?",
                (doc_id,),
            ).fetchone()
        if not row:
            return None
        return Document(
            meta=DocumentMeta.model_validate_json(row[0]),
            text=row[1],
            page_starts=json.loads(row[2]),
            source_path=row[3],
            content_hash=row[4],
        )

    def page_starts(self, doc_id: str) -> list[int]:
        """Where each page of a document begins (``[0]`` for an unknown document)."""
        with self._lock:
            row = self._conn.execute("SELECT page_starts_json FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row else [0]

    def list_documents(self) -> list[dict]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT meta_json, source_path, n_chunks, ingested_at, content_hash FROM documents ORDER BY doc_id"
            ).fetchall()
        return [
            {
                **json.loads(r[0]),
                "source_path": r[1],
                "n_chunks": r[2],
                "ingested_at": r[3],
                "version": version_of(r[4]),
            }
            for r in rows
        ]

    def metas(self) -> dict[str, DocumentMeta]:
        """All document metadata by id (cached until the next change, by this process or another one)."""
        with self._lock:
            generation = self.generation()
            if self._meta_cache is None or self._meta_generation != generation:
                self._meta_cache = {
                    doc_id: DocumentMeta.model_validate_json(meta)
                    for doc_id, meta in self._conn.execute("SELECT doc_id, meta_json FROM documents")
                }
                self._meta_generation = generation
            return self._meta_cache

    def chunks_by_id(self, chunk_ids: list[str]) -> dict[str, Chunk]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE chunk_id IN ({marks})", chunk_ids
            ).fetchall()
        return {r[0]: _chunk(r) for r in rows}

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE doc_id=? ORDER BY ordinal", (doc_id,)
            ).fetchall()
        return [_chunk(r) for r in rows]

    def iter_chunks(self) -> Iterator[Chunk]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks ORDER BY chunk_id").fetchall()
        return (_chunk(r) for r in rows)

    def chunk_ids(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._conn.execute("SELECT chunk_id FROM chunks")}

    def counts(self) -> tuple[int, int]:
        with self._lock:
            docs = self._conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            chunks = self._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return docs, chunks


def _chunk(row: tuple) -> Chunk:
    return Chunk(
        chunk_id=row[0],
        doc_id=row[1],
        ordinal=row[2],
        text=row[3],
        structure_path=row[4],
        heading=row[5],
        page_start=row[6],
        page_end=row[7],
        char_start=row[8],
        char_end=row[9],
    )
