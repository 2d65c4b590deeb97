"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.auth import Principal

from assistant.audio.codec import AudioFormat
from assistant.domain import Citation, DocType, Summary
from assistant.filters import SearchFilter
from assistant.llm import EngineChoice
from assistant.meeting import MeetingRecord
from assistant.tasks.report import ReportRequest
from assistant.tasks.summarize import SummaryOptions


class SearchFilters(BaseModel):
    """Optional narrowing. What the caller may see at all comes from its API key (org unit and clearance)."""

    model_config = ConfigDict(extra="forbid")  # a scope sent in the body is refused, not silently ignored

    org_unit: str | None = Field(default=None, description="only documents inside this org-unit subtree")
    doc_types: list[DocType] | None = None
    date_from: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    date_to: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")

    def to_filter(self, caller: Principal) -> SearchFilter:
        """The caller's scope narrowed by these filters."""
        return replace(
            caller.scope(),
            org_unit_prefix=self.org_unit,
            doc_types=set(self.doc_types) if self.doc_types else None,
            date_from=self.date_from,
            date_to=self.date_to,
        )


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(default=5, ge=1, le=50)
    mode: str = Field(default="hybrid", pattern="^(hybrid|dense|lexical)$")
    filters: SearchFilters = Field(default_factory=SearchFilters)


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    engine: EngineChoice = Field(
        default="auto", description="auto: the LLM when one is configured (falling back, flagged, if it fails)")
    filters: SearchFilters = Field(default_factory=SearchFilters)


class SearchHitOut(BaseModel):
    rank: int
    score: float
    chunk_id: str
    dense_rank: int | None
    lexical_rank: int | None
    citation: Citation


class SearchResponse(BaseModel):
    query: str
    hits: list[SearchHitOut]


class IngestResult(BaseModel):
    status: str
    doc_id: str | None
    chunks: int
    reason: str | None = None


class DraftMinutesRequest(BaseModel):
    record: MeetingRecord
    engine: EngineChoice = Field(
        default="auto", description="who writes the narrative parts; numbers, names and votes always come from the record")


class DraftReportRequest(ReportRequest):
    filters: SearchFilters = Field(default_factory=SearchFilters,
                                   description="the caller's scope for the directives the report cites")


SummaryLength = Literal["short", "standard"] | Annotated[int, Field(ge=10, le=5000)]


class SummaryRequestOptions(BaseModel):
    length: SummaryLength = Field(default="short", description="short (about 5 points), standard, or a number of words")
    style: Literal["plain", "formal"] = Field(default="plain", description="plain: short sentences, dates and duties first")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$",
                                 description="language of the summary (needs the LLM engine; default: the document's)")
    engine: EngineChoice = "auto"

    def options(self) -> SummaryOptions:
        return SummaryOptions(length=self.length, style=self.style, language=self.language, engine=self.engine)


class SummarizeRequest(SummaryRequestOptions):
    doc_id: str | None = Field(default=None, description="an indexed document you may read")
    text: str | None = Field(default=None, max_length=2_000_000, description="or raw text (Markdown allowed)")
    filters: SearchFilters = Field(default_factory=SearchFilters, description="narrowing (a doc id must be in your scope)")
    background: bool = Field(default=False, description="run as a job even when the source is small")


class BulletinRequest(SummarizeRequest):
    summary: Summary | None = Field(default=None, description="or a summary made before, spoken as it is")
    rate_wpm: int | None = Field(default=None, ge=80, le=260, description="speech rate; default from settings (slow)")
    format: AudioFormat = "mp3"
