"""What a summary is made from: an indexed document, an uploaded file, raw text or a transcript.

Each becomes the same shape, a document's metadata plus its chunks (structure path, page and
offsets), so every summary point can cite its passage the way answers do. Uploaded files and raw
text are parsed and chunked exactly as ingest would, but not indexed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.audio.transcribe import Transcription
from assistant.domain import Chunk, Citation, DocumentMeta, SearchHit
from assistant.errors import InvalidInput, NotFound, PayloadTooLarge
from assistant.filters import SearchFilter
from assistant.index.catalog import Catalog
from assistant.index.lexical import words
from assistant.ingest.chunker import StructureChunker
from assistant.ingest.loaders import LoadedFile, load_bytes
from assistant.ingest.metadata import build_document
from assistant.ingest.uploads import MAX_DOCX_EXPANDED, check_upload
from assistant.text import slugify


@dataclass
class SummarySource:
    """A text to summarize, in chunks that know where they are in it."""

    meta: DocumentMeta
    chunks: list[Chunk]
    page_starts: list[int]
    indexed: bool = False
    text: str = ""  # the whole document text (chunk offsets point into it)

    @property
    def word_count(self) -> int:
        return sum(len(words(c.text)) for c in self.chunks)

    @property
    def char_count(self) -> int:
        return sum(len(c.text) for c in self.chunks)

    def citation(self, chunk_index: int, start: int, end: int) -> Citation:
        """Citation for ``chunks[chunk_index].text[start:end]``; a text without structure says where the quote
        is by its paragraph (or, in a meeting transcript, its turn and speaker)."""
        hit = SearchHit(chunk=self.chunks[chunk_index], meta=self.meta, score=0.0)
        citation = hit.span_citation(start, end, self.page_starts)
        if not citation.structure_path and self.text:
            citation.structure_path = place_in_text(self.text, citation.char_start, self.meta.language)
        return citation


def place_in_text(text: str, offset: int, language: str) -> str:
    """``turn 12 (Grad A)`` in a transcript, else ``paragraph 3`` (``đoạn 3``): where an offset of a text is."""
    from assistant.tasks.transcript import is_transcript, speaker_at

    vietnamese = language == "vi"
    if is_transcript(text[:20000]):
        turn = speaker_at(text, offset)
        if turn is not None:
            return f"{'lượt' if vietnamese else 'turn'} {turn[1] + 1} ({turn[0]})"
    blocks = text[:offset].count("\n\n") if "\n\n" in text else text[:offset].count("\n")
    return f"{'đoạn' if vietnamese else 'paragraph'} {blocks + 1}"


def from_index(catalog: Catalog, doc_id: str, scope: SearchFilter | None = None) -> SummarySource:
    """An indexed document the caller may read; ``NotFound`` otherwise (the same answer whether it is
    missing or out of the caller's scope, so the reply reveals nothing)."""
    document = catalog.get_document(doc_id)
    if document is None or (scope is not None and not scope.matches(document.meta)):
        raise NotFound(f"no document with id '{doc_id}' that you may read")
    return SummarySource(
        document.meta, catalog.chunks_of(doc_id), document.page_starts, indexed=True, text=document.text
    )


def _from_loaded(loaded: LoadedFile, filename: str, digest: str, chunker: StructureChunker) -> SummarySource:
    document = build_document(
        loaded, f"upload:{filename}", digest, default_doc_id=slugify(Path(filename).stem) or "upload"
    )
    chunks = chunker.chunk(document)
    if not chunks:
        raise InvalidInput("the file has no text to summarize")
    return SummarySource(document.meta, chunks, document.page_starts, text=document.text)


def from_bytes(
    data: bytes,
    filename: str | None,
    chunker: StructureChunker,
    max_bytes: int,
    parser: Callable[[bytes, str], LoadedFile] = load_bytes,
    max_docx_expanded: int = MAX_DOCX_EXPANDED,
) -> SummarySource:
    """An uploaded file (PDF, DOCX, TXT/Markdown, HTML): checked like an upload, parsed and chunked, not indexed."""
    name = check_upload(data, filename, max_bytes, max_docx_expanded)
    return _from_loaded(parser(data, Path(name).suffix), name, hashlib.sha256(data).hexdigest(), chunker)


def from_text(text: str, chunker: StructureChunker, max_bytes: int, title: str = "") -> SummarySource:
    """Raw text (Markdown allowed)."""
    if not text.strip():
        raise InvalidInput("the text is empty")
    data = text.encode("utf-8")
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"the text is over the {max_bytes / 2**20:.1f} MiB limit")
    source = _from_loaded(load_bytes(data, ".md"), "text.md", hashlib.sha256(data).hexdigest(), chunker)
    source.meta.title = title or source.meta.title
    return source


def from_transcript(transcription: Transcription, filename: str) -> SummarySource:
    """A transcribed recording: one chunk per speech segment, cited by its time span."""
    meta = DocumentMeta(doc_id=f"audio:{filename}", title=Path(filename).stem, language=transcription.language)
    chunks = []
    for i, segment in enumerate(transcription.segments):
        chunks.append(
            Chunk(
                chunk_id=f"audio-{i}",
                doc_id=meta.doc_id,
                ordinal=i,
                text=segment.text,
                structure_path=segment.label,
                heading=segment.label,
            )
        )
    return SummarySource(meta, chunks, [0])
