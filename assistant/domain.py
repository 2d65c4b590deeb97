"""Typed records that flow through the pipeline: files -> documents -> chunks -> hits -> citations."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field


class AccessLevel(str, Enum):
    """Who may read a document, from least to most restricted."""

    public = "public"
    internal = "internal"
    confidential = "confidential"

    @property
    def rank(self) -> int:
        return list(AccessLevel).index(self)


class DocType(str, Enum):
    """Kinds of documents, from the type code in the document number (NQ, CT, QĐ...)."""

    resolution = "resolution"
    directive = "directive"
    regulation = "regulation"
    decision = "decision"
    conclusion = "conclusion"
    instruction = "instruction"
    plan = "plan"
    notice = "notice"
    report = "report"
    letter = "letter"
    minutes = "minutes"
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


class Document(BaseModel):
    """A loaded document: its full text, where each page starts, and its metadata."""

    meta: DocumentMeta
    text: str
    page_starts: list[int] = Field(default_factory=lambda: [0], description="char offset where each page begins")
    source_path: str = ""
    content_hash: str = ""

    def page_at(self, offset: int) -> int:
        """1-based page number that contains ``offset``."""
        page = 1
        for i, start in enumerate(self.page_starts):
            if start <= offset:
                page = i + 1
            else:
                break
        return page


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

    def citation(self, quote: str | None = None, char_start: int | None = None, char_end: int | None = None) -> Citation:
        """Citation for the whole chunk, or for a sub-span of it when given."""
        return Citation(
            doc_id=self.chunk.doc_id,
            doc_number=self.meta.doc_number,
            title=self.meta.title,
            structure_path=self.chunk.structure_path,
            page=self.chunk.page_start,
            char_start=self.chunk.char_start if char_start is None else char_start,
            char_end=self.chunk.char_end if char_end is None else char_end,
            quote=self.chunk.text if quote is None else quote,
        )
