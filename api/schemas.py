"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.domain import AccessLevel, Citation, DocType


class SearchFilters(BaseModel):
    viewer_org_unit: str | None = Field(default=None, description="caller's org unit: only what it may see")
    org_unit: str | None = Field(default=None, description="only documents inside this org-unit subtree")
    clearance: AccessLevel | None = Field(default=None, description="highest access level to include")
    doc_types: list[DocType] | None = None
    date_from: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    date_to: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(default=5, ge=1, le=50)
    mode: str = Field(default="hybrid", pattern="^(hybrid|dense|lexical)$")
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
