"""Wiring: build the index, pipeline and retriever from one Settings object (used by the CLI and the API)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from assistant.config import Settings
from assistant.index.chunk_index import ChunkIndex
from assistant.ingest.pipeline import IngestPipeline, IngestReport
from assistant.llm import ChatModel, make_chat_model
from assistant.prompts import PromptLibrary
from assistant.retrieve import HybridRetriever
from assistant.tasks.ask import AskOptions, AskService
from assistant.tasks.llm_answer import LLMAnswerer
from assistant.tasks.minutes import MinutesDrafter
from assistant.tasks.minutes_llm import LLMNarrativeWriter
from assistant.tasks.report import ReportDrafter

log = logging.getLogger(__name__)


@dataclass
class Assistant:
    """The service's components, created lazily (the embedding model loads once, on first use)."""

    settings: Settings

    @cached_property
    def index(self) -> ChunkIndex:
        return ChunkIndex.open(self.settings)

    @cached_property
    def pipeline(self) -> IngestPipeline:
        return IngestPipeline(self.index)

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.index, rrf_k=self.settings.rrf_k, candidate_pool=self.settings.candidate_pool,
                               lexical_weight=self.settings.lexical_weight)

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
        writer = LLMNarrativeWriter(self.chat, self.prompts, self.settings.minutes_prompt_version) if self.chat else None
        return MinutesDrafter(self.prompts, writer, fallback_to_extractive=self.settings.llm_fallback)

    @cached_property
    def reporter(self) -> ReportDrafter:
        return ReportDrafter(self.retriever, self.index.catalog, self.prompts)

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
        if "index" in self.__dict__:
            self.index.close()
