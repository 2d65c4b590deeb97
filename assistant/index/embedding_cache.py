"""Embeddings kept by text hash, so a text is embedded once per model.

Re-ingesting an edited document, re-indexing with another chunk size, or re-running an evaluation over
the same corpus costs only the texts that changed. One SQLite file (vectors as float32 blobs) shared by
every process that opens it; the key is the model's name and the text (SHA-256), so two models never
mix. The last queries are kept in memory too (a repeated question, an evaluation's sweep).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.index.embeddings import Embedder

QUERY_MEMORY = 2048  # query vectors kept in memory
_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)"


class CachedEmbedder:
    """An :class:`Embedder` that looks passages up in ``path`` before asking ``inner``."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # a lost cache entry is only recomputed
        self._conn.execute(_SCHEMA)
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def _key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.name}\0passage\0{text}".encode()).digest()

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                batch = list(dict.fromkeys(keys[start : start + 500]))
                rows = self._conn.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(batch))})", batch
                ).fetchall()
                found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        missing = list(dict.fromkeys(i for i, k in enumerate(keys) if k not in found))
        unique_missing = {keys[i]: i for i in missing}
        if unique_missing:
            order = list(unique_missing.values())
            vectors = self.inner.embed_documents([texts[i] for i in order])
            with self._lock:
                self._conn.execute("BEGIN")
                self._conn.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(keys[i], np.asarray(v, dtype=np.float32).tobytes()) for i, v in zip(order, vectors)],
                )
                self._conn.execute("COMMIT")
            found.update((keys[i], np.asarray(v, dtype=np.float32)) for i, v in zip(order, vectors))
        self.hits += len(keys) - len(unique_missing)
        self.misses += len(unique_missing)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = found[key]
        return out

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            if text in self._queries:
                self._queries.move_to_end(text)
                return self._queries[text]
        vector = self.inner.embed_query(text)
        with self._lock:
            self._queries[text] = vector
            if len(self._queries) > QUERY_MEMORY:
                self._queries.popitem(last=False)
        return vector

    def forget_queries(self) -> None:
        """Drop the in-memory query vectors (a benchmark timing the model's share must not reuse them)."""
        with self._lock:
            self._queries.clear()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
