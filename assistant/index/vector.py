"""Dense vectors in Chroma: an embedded ``PersistentClient`` by default, ``HttpClient`` for a ``chroma run`` server."""

from __future__ import annotations

from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.errors import BackendUnavailable


def make_client(settings: Settings):
    """The Chroma client the settings ask for (telemetry off: nothing leaves the premises)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_mode == "http":
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as exc:  # chromadb raises plain exceptions for connection problems
            raise BackendUnavailable(
                f"Chroma server at {settings.chroma_host}:{settings.chroma_port} is unreachable: {exc}"
            ) from exc
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class VectorStore:
    """One Chroma collection of chunk vectors (cosine space); ids are chunk ids."""

    def __init__(self, client: Any, collection: str, embedding_name: str) -> None:
        self.client = client
        self.name = collection
        self.collection = client.get_or_create_collection(
            name=collection,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedding_model": embedding_name},
        )
        stored = (self.collection.metadata or {}).get("embedding_model")
        if stored and stored != embedding_name:
            raise BackendUnavailable(
                f"collection '{collection}' was built with {stored}, not {embedding_name}; "
                "use another data dir or collection, or re-index"
            )

    def upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]], batch: int = 512) -> None:
        for i in range(0, len(ids), batch):
            self.collection.upsert(
                ids=ids[i : i + batch], embeddings=vectors[i : i + batch], metadatas=metadatas[i : i + batch]
            )

    def delete_version(self, doc_id: str, version: str) -> None:
        self.collection.delete(where={"$and": [{"doc_id": doc_id}, {"version": version}]})

    def delete_other_versions(self, doc_id: str, keep: str) -> None:
        self.collection.delete(where={"$and": [{"doc_id": doc_id}, {"version": {"$ne": keep}}]})

    def delete_doc(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def delete_ids(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 512):
            self.collection.delete(ids=ids[i : i + 512])

    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        offset, page = 0, 5000
        while True:
            got = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            ids.update(got)
            if len(got) < page:
                return ids
            offset += page

    def versions(self) -> dict[str, tuple[str, str]]:
        """``chunk id -> (doc_id, version)`` of every vector."""
        out: dict[str, tuple[str, str]] = {}
        offset, page = 0, 5000
        while True:
            got = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            for chunk_id, meta in zip(got["ids"], got["metadatas"] or []):
                out[chunk_id] = (str((meta or {}).get("doc_id", "")), str((meta or {}).get("version", "")))
            if len(got["ids"]) < page:
                return out
            offset += page

    def count(self) -> int:
        return self.collection.count()

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity, best first (fewer when the collection holds fewer)."""
        result = self.collection.query(query_embeddings=[vector], n_results=k, where=where, include=["distances"])
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0])]
