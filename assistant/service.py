"""Wiring: build the index, pipeline and retriever from one Settings object (used by the CLI and the API)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from assistant.audio.stt import RecognizerRegistry
from assistant.audio.transcribe import (
    PreparedAudio,
    Transcriber,
    Transcription,
    prepare,
)
from assistant.audio.tts import EspeakSynthesizer
from assistant.audit import AuditLog
from assistant.auth import KeyStore
from assistant.config import Settings
from assistant.domain import Summary
from assistant.errors import InvalidInput, PayloadTooLarge
from assistant.filters import SearchFilter
from assistant.index.chunk_index import ChunkIndex
from assistant.ingest.chunker import StructureChunker
from assistant.ingest.isolation import IsolatedParser, slow_pages_of
from assistant.ingest.loaders import IMAGE_SUFFIXES
from assistant.ingest.pipeline import IngestPipeline, IngestReport
from assistant.ingest.uploads import check_upload
from assistant.jobs import JobManager
from assistant.llm import ChatModel, make_chat_model
from assistant.official_form import OfficialForm, load_form
from assistant.progress import Progress
from assistant.rate_limit import RateLimiter

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from assistant.consultations import Consultations
    from assistant.meeting_cycle import MeetingCycle
    from assistant.store.idempotency import IdempotencyStore
    from assistant.store.meetings import MeetingsStore
    from assistant.store.roster import RosterStore
    from assistant.tasks.read_aloud import ReadAloud
from assistant.prompts import PromptLibrary
from assistant.retrieve import HybridRetriever
from assistant.tasks import summary_source
from assistant.tasks.ask import AskOptions, AskService
from assistant.tasks.bulletin import BulletinMaker
from assistant.tasks.cell_documents import NoticeDrafter, ResolutionDrafter
from assistant.tasks.llm_answer import LLMAnswerer
from assistant.tasks.minutes import MinutesDrafter
from assistant.tasks.minutes_llm import LLMNarrativeWriter
from assistant.tasks.report import ReportDrafter
from assistant.tasks.summarize import Summarizer, SummaryOptions
from assistant.tasks.summary_llm import LLMPointWriter
from assistant.tasks.summary_source import SummarySource

log = logging.getLogger(__name__)


@dataclass
class Assistant:
    """The service's components, created lazily (the embedding model loads once, on first use)."""

    settings: Settings

    @cached_property
    def index(self) -> ChunkIndex:
        return ChunkIndex.open(self.settings)

    @cached_property
    def upload_parser(self) -> IsolatedParser:
        """Uploads are parsed in a child process with a timeout (files from disk are trusted and parsed in-process)."""
        return IsolatedParser(
            self.settings.parse_timeout_s, self.settings.parse_memory_mb, slow_page_s=self.settings.ocr_page_timeout_s
        )

    @cached_property
    def pipeline(self) -> IngestPipeline:
        return IngestPipeline(self.index, upload_parser=self.upload_parser.parse)

    @cached_property
    def keys(self) -> KeyStore:
        return KeyStore(self.settings.keys_path)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.settings.audit_path, self.settings.audit_store_questions)

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever.from_settings(self.index)

    @cached_property
    def prompts(self) -> PromptLibrary:
        return PromptLibrary(self.settings.prompts_dir)

    @cached_property
    def chat(self) -> ChatModel | None:
        """The configured LLM, or None (extractive engines only)."""
        return make_chat_model(self.settings)

    @cached_property
    def asker(self) -> AskService:
        s = self.settings
        llm = LLMAnswerer(self.chat, self.prompts, s.ask_prompt_version) if self.chat else None
        options = AskOptions(k=s.ask_k, min_confidence=s.ask_min_confidence, fallback_to_extractive=s.llm_fallback)
        return AskService(self.retriever, llm, options)

    @cached_property
    def minutes(self) -> MinutesDrafter:
        writer = (
            LLMNarrativeWriter(self.chat, self.prompts, self.settings.minutes_prompt_version) if self.chat else None
        )
        return MinutesDrafter(self.prompts, writer, fallback_to_extractive=self.settings.llm_fallback)

    @cached_property
    def store(self) -> Engine:
        """The application store, its schema brought up to date on first use (``assistant db upgrade``)."""
        from assistant.store.database import open_store, upgrade

        engine = open_store(self.settings)
        upgrade(engine)
        return engine

    def local_now(self) -> dt.datetime:
        """The wall-clock time where the meetings are held (``ASSISTANT_TIMEZONE``), as stored."""
        return dt.datetime.now(ZoneInfo(self.settings.timezone)).replace(tzinfo=None)

    @cached_property
    def meetings(self) -> MeetingsStore:
        from assistant.store.meetings import MeetingsStore

        return MeetingsStore(self.store, self.local_now)

    @cached_property
    def roster(self) -> RosterStore:
        """The cells' rosters (:meth:`synced_roster` brings them in step with the key store first)."""
        from assistant.store.roster import RosterStore

        return RosterStore(self.store, self.local_now)

    def synced_roster(self) -> RosterStore:
        """The rosters after taking in keys created or revoked since (by ``assistant keys`` in another process)."""
        self.roster.sync(self.keys.list())
        return self.roster

    @cached_property
    def cycle(self) -> MeetingCycle:
        """The meeting cycle; approvals a crash interrupted are finished when it is first opened."""
        from assistant.meeting_cycle import IndexArchive, MeetingCycle
        from assistant.store.calendar_feeds import CalendarFeeds
        from assistant.store.minutes_archive import MinutesArchive

        cycle = MeetingCycle(
            self.meetings,
            MinutesArchive(self.store, self.local_now),
            CalendarFeeds(self.store),
            self.keys,
            self.minutes,
            self.resolutions,
            self.notices,
            IndexArchive(self.pipeline),
            self.settings.timezone,
        )
        finished = cycle.recover()
        if finished:
            log.warning("finished %d interrupted approval(s) of meeting minutes", finished)
        return cycle

    @cached_property
    def consultations(self) -> Consultations:
        from assistant.consultations import Consultations
        from assistant.store.consultations import ConsultationsStore

        return Consultations(
            ConsultationsStore(self.store, self.local_now), self.index.catalog, self.index.embedder, self.prompts
        )

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        return RateLimiter(self.settings.rate_limit_per_minute)

    @cached_property
    def idempotency(self) -> IdempotencyStore:
        from assistant.store.idempotency import IdempotencyStore

        return IdempotencyStore(self.store)

    @cached_property
    def read_aloud(self) -> ReadAloud:
        from assistant.tasks.read_aloud import ReadAloud

        return ReadAloud(self.bulletins.synthesizer, self.settings.data_dir / "speech")

    def start_workflow(self) -> None:
        """At server start: the store migrated, rosters in step with the keys, interrupted approvals finished, and
        jobs running (queued ones, and those a stopped process left)."""
        self.synced_roster()
        self.cycle  # noqa: B018 (opening it finishes interrupted approvals)
        self.jobs.start()

    @cached_property
    def resolutions(self) -> ResolutionDrafter:
        return ResolutionDrafter(self.prompts)

    @cached_property
    def notices(self) -> NoticeDrafter:
        return NoticeDrafter(self.prompts)

    @cached_property
    def form(self) -> OfficialForm:
        """The official form documents are laid out in (``official_form.yaml`` beside the templates)."""
        return load_form(self.settings.prompts_dir / "official_form.yaml")

    def document_file(self, markdown: str, fmt: str) -> bytes:
        """A drafted document as a DOCX in the official form, or that DOCX as PDF (LibreOffice)."""
        from assistant.docx_writer import markdown_to_docx
        from assistant.ingest.office import docx_to_pdf

        docx = markdown_to_docx(markdown, self.form)
        return docx_to_pdf(docx) if fmt == "pdf" else docx

    def document_title(self, number: str, scope: SearchFilter | None = None) -> str | None:
        """The title of the indexed document with this number (e.g. '339-QĐ/TW') that ``scope`` may read."""
        wanted = " ".join(number.split()).casefold()
        for meta in self.index.catalog.metas().values():
            if meta.doc_number and meta.doc_number.casefold() in wanted and (scope is None or scope.matches(meta)):
                return meta.title or None
        return None

    @cached_property
    def reporter(self) -> ReportDrafter:
        return ReportDrafter(self.retriever, self.index.catalog, self.prompts)

    @cached_property
    def summarizer(self) -> Summarizer:
        s = self.settings
        writer = LLMPointWriter(self.chat, self.prompts, s.summarize_prompt_version) if self.chat else None
        return Summarizer(self.index.embedder, self.prompts, writer, fallback_to_extractive=s.llm_fallback)

    @cached_property
    def bulletins(self) -> BulletinMaker:
        return BulletinMaker(EspeakSynthesizer(self.settings.tts_binary, self.settings.tts_voice_variant))

    @cached_property
    def transcriber(self) -> Transcriber:
        s = self.settings
        return Transcriber(RecognizerRegistry(s.whisper_base_url, s.whisper_model, s.whisper_api_key, s.llm_timeout_s))

    @cached_property
    def jobs(self) -> JobManager:
        """Background jobs, kept in the store (``start_workflow`` starts running them, and those a restart left)."""
        from assistant.job_runners import runners
        from assistant.store.jobs import JobsStore

        s = self.settings
        return JobManager(
            JobsStore(self.store),
            s.data_dir / "jobs",
            runners(self),
            workers=s.job_workers,
            keep_s=s.job_keep_s,
            per_owner=s.jobs_per_key,
            stale_s=s.job_stale_s,
        )

    @property
    def chunker(self) -> StructureChunker:
        return StructureChunker(self.settings.chunk_max_chars, self.settings.chunk_min_chars)

    def summary_source(
        self,
        *,
        doc_id: str | None = None,
        text: str | None = None,
        file: tuple[bytes, str] | None = None,
        scope: SearchFilter | None = None,
    ) -> SummarySource:
        """Exactly one of: an indexed document the caller may read, raw text, or an uploaded ``(bytes, filename)``."""
        given = [x is not None for x in (doc_id, text, file)]
        if sum(given) != 1:
            raise InvalidInput("give exactly one of: a document id, a text, or a file")
        limit = self.settings.max_file_bytes
        if doc_id is not None:
            return summary_source.from_index(self.index.catalog, doc_id, scope)
        if text is not None:
            return summary_source.from_text(text, self.chunker, limit)
        data, filename = file  # type: ignore[misc]
        return summary_source.from_bytes(
            data, filename, self.chunker, limit, self.upload_parser.parse, self.settings.max_docx_expanded_bytes
        )

    def upload_ocr_pages(self, data: bytes, filename: str | None) -> int:
        """How many pages of an upload OCR would read (0 for a born-digital file): a long scan is ingested as a
        job. Bad input (size, type) is refused here, before any job."""
        name = check_upload(data, filename, self.settings.max_file_bytes, self.settings.max_docx_expanded_bytes)
        suffix = Path(name).suffix.lower()
        if suffix != ".pdf" and suffix not in IMAGE_SUFFIXES:
            return 0
        return self.upload_parser.run(slow_pages_of, data, suffix)

    def prepare_audio(self, data: bytes) -> PreparedAudio:
        """Decode an uploaded recording and find its speech (bad audio fails here, before any job).

        Decoding runs in the upload parser's child process: a crafted file cannot crash the service."""
        if len(data) > self.settings.max_audio_bytes:
            raise PayloadTooLarge(
                f"the recording is {len(data) / 2**20:.1f} MiB, over the {self.settings.audio_max_mb:g} MiB limit"
            )
        return self.upload_parser.run(prepare, data, self.settings.audio_max_minutes * 60)

    def transcribe_and_summarize(
        self,
        prepared: PreparedAudio,
        filename: str,
        language: str,
        options: SummaryOptions | None,
        progress: Progress | None = None,
    ) -> tuple[Transcription, Summary | None]:
        """What a recording says and, unless ``options`` is None, its summary (points cite time spans)."""

        def transcribing(fraction: float, message: str) -> None:
            if progress:
                progress(fraction * (0.9 if options else 1.0), f"transcribing: {message}")

        transcription = self.transcriber.transcribe(prepared, language, transcribing)
        if options is None:
            return transcription, None
        summary = self.summarizer.summarize(summary_source.from_transcript(transcription, filename), options)
        return transcription, summary

    @property
    def engine(self) -> str:
        """What answers by default: the LLM model name, or 'extractive'."""
        return self.settings.llm_model if self.settings.llm_base_url and self.settings.llm_model else "extractive"

    def seed_if_empty(self) -> IngestReport | None:
        """Ingest the sample corpus when the index has no documents yet."""
        corpus = self.settings.seed_corpus
        if corpus is None or not corpus.is_dir() or self.index.catalog.counts()[0] > 0:
            return None
        report = self.pipeline.ingest_paths([corpus])
        log.info("seeded sample corpus from %s: %s", corpus, report.summary())
        return report

    def close(self) -> None:
        if "jobs" in self.__dict__:
            self.jobs.shutdown()
        for part in ("upload_parser", "keys", "audit", "index"):
            if part in self.__dict__:
                getattr(self, part).close()
        if "store" in self.__dict__:
            self.store.dispose()
