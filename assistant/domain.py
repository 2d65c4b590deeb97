"""Typed records that flow through the pipeline: files -> documents -> chunks -> hits -> citations."""

from __future__ import annotations

import bisect
from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field


def page_at(page_starts: list[int], offset: int) -> int:
    """1-based page number that contains document offset ``offset``."""
    return max(1, bisect.bisect_right(page_starts, offset))


class AccessLevel(str, Enum):
    """Who may read a document, from least to most restricted."""

    public = "public"
    internal = "internal"
    confidential = "confidential"

    @property
    def rank(self) -> int:
        return list(AccessLevel).index(self)


class DocType(str, Enum):
    """Kinds of documents, party and state, from the title word or the type code in the number (NQ, NĐ, QĐ...)."""

    resolution = "resolution"  # Nghị quyết
    directive = "directive"  # Chỉ thị
    regulation = "regulation"  # Quy định, Quy chế
    decision = "decision"  # Quyết định
    conclusion = "conclusion"  # Kết luận
    instruction = "instruction"  # Hướng dẫn
    plan = "plan"  # Kế hoạch
    notice = "notice"  # Thông báo
    report = "report"  # Báo cáo
    letter = "letter"  # Công văn (official letter)
    minutes = "minutes"  # Biên bản
    law = "law"  # Luật, Bộ luật
    decree = "decree"  # Nghị định
    circular = "circular"  # Thông tư
    ordinance = "ordinance"  # Pháp lệnh
    consolidated = "consolidated"  # Văn bản hợp nhất
    appendix = "appendix"  # Phụ lục
    other = "other"


class DocumentMeta(BaseModel):
    """What we know about a document besides its text (parsed from the header or given in a sidecar)."""

    doc_id: str
    title: str = ""
    doc_number: str | None = None
    doc_type: DocType = DocType.other
    issuer: str | None = None
    issued_date: str | None = Field(default=None, description="ISO date YYYY-MM-DD")
    language: str = "und"
    org_unit: str = ""
    access_level: AccessLevel = AccessLevel.public
    page_labels: list[str] | None = Field(
        default=None,
        description="the page numbers printed on the paper, when they differ from the file's own page count",
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="what reading the file needed: OCR, a legacy encoding converted, running headers removed...",
    )

    def printed_page(self, page: int) -> str | None:
        """The page number printed on page ``page`` (1-based) of the file, when it differs."""
        if self.page_labels and 1 <= page <= len(self.page_labels):
            return self.page_labels[page - 1]
        return None


class Document(BaseModel):
    """A loaded document: its full text, where each page starts, and its metadata."""

    meta: DocumentMeta
    text: str
    page_starts: list[int] = Field(default_factory=lambda: [0], description="char offset where each page begins")
    source_path: str = ""
    content_hash: str = ""

    def page_at(self, offset: int) -> int:
        """1-based page number that contains ``offset``."""
        return page_at(self.page_starts, offset)


class Chunk(BaseModel):
    """A retrievable span of a document that keeps its place in the legal structure."""

    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    structure_path: str = ""
    heading: str = ""
    page_start: int = 1
    page_end: int = 1
    char_start: int = 0
    char_end: int = 0


class Citation(BaseModel):
    """Where a statement comes from, precise enough for a member to check it."""

    doc_id: str
    doc_number: str | None = None
    title: str = ""
    structure_path: str = ""
    page: int = 1
    printed_page: str | None = Field(
        default=None,
        description="the page number printed on the paper, when it differs from `page` (the page of the file)",
    )
    char_start: int = 0
    char_end: int = 0
    quote: str = ""


class SearchHit(BaseModel):
    """One retrieved chunk with its fused score and the ranks each retriever gave it."""

    chunk: Chunk
    meta: DocumentMeta
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None

    def citation(self) -> Citation:
        """Citation for the whole chunk."""
        return self.span_citation(0, len(self.chunk.text))

    def span_citation(self, start: int, end: int, page_starts: list[int] | None = None) -> Citation:
        """Citation for ``chunk.text[start:end]``; its page comes from ``page_starts`` when the chunk spans pages."""
        from assistant.ingest.structure import refine_path

        doc_start = self.chunk.char_start + start
        page = self.chunk.page_start
        if page_starts and self.chunk.page_end != self.chunk.page_start:
            page = page_at(page_starts, doc_start)
        return Citation(
            doc_id=self.chunk.doc_id,
            doc_number=self.meta.doc_number,
            title=self.meta.title,
            structure_path=refine_path(self.chunk.structure_path, self.chunk.text, start, self.meta.language)
            if start > 0 or end < len(self.chunk.text)
            else self.chunk.structure_path,
            page=page,
            printed_page=self.meta.printed_page(page),
            char_start=doc_start,
            char_end=self.chunk.char_start + end,
            quote=self.chunk.text[start:end],
        )


class AnswerSentence(BaseModel):
    """One sentence of an answer and the numbers (1-based) of the citations that support it."""

    text: str
    citations: list[int] = Field(default_factory=list)


class Answer(BaseModel):
    """An answer to a policy question, every sentence tied to a checkable citation, or an honest not-found."""

    question: str
    status: Literal["answered", "not_found"]
    answer: str = Field(description="the sentences joined, each followed by its markers like [1]")
    sentences: list[AnswerSentence] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    engine: str = Field(description="'extractive' or the LLM model name that wrote the answer")
    prompt_version: str | None = Field(default=None, description="prompt template version (LLM engine only)")
    confidence: float = Field(description="evidence score of the best supporting sentence, 0..1")
    fallback: str | None = Field(default=None, description="why the LLM was not used although it was asked for")
    warnings: list[str] = Field(default_factory=list)


class SummaryPoint(BaseModel):
    """One point of a summary and the numbers (1-based) of the citations it comes from."""

    text: str
    citations: list[int] = Field(default_factory=list)
    key: bool = Field(default=False, description="a date, deadline or obligation (listed first in plain style)")
    lead: bool = Field(
        default=False,
        description="the document's opening sentence, what it is about (in plain style it comes before the key points)",
    )
    topic: str | None = Field(
        default=None,
        description="in a meeting: the part of the meeting (topic) the point "
        "belongs to, with its turns, e.g. 'Part 2 (turns 120-245)'",
    )


class Summary(BaseModel):
    """A summary of one document, recording or text: every point cites the passage it comes from."""

    title: str
    doc_id: str | None = Field(default=None, description="the indexed document summarized, if any")
    doc_number: str | None = None
    language: str
    style: Literal["plain", "formal"]
    points: list[SummaryPoint]
    citations: list[Citation]
    markdown: str
    engine: str = Field(description="'extractive' or the LLM model name that wrote the points")
    prompt_version: str | None = None
    fallback: str | None = Field(default=None, description="why the LLM was not used although it was asked for")
    source_words: int
    summary_words: int
    compression: float = Field(description="summary words / source words")
    length: str = Field(
        default="",
        description="how long it was made, and why (e.g. 'about 33 words for a 480-word text (1.5 × √words)')",
    )
    query: str | None = Field(default=None, description="the question the summary answers, when one was asked")
    warnings: list[str] = Field(default_factory=list)
