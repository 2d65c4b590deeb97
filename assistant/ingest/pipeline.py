"""Incremental, per-document atomic ingestion of files and folders."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.domain import Chunk, Document, DocumentMeta
from assistant.errors import IngestError
from assistant.index.chunk_index import ChunkIndex
from assistant.ingest.chunker import StructureChunker
from assistant.ingest.loaders import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES, LoadedFile, load_bytes, read_source
from assistant.ingest.metadata import build_document, content_hash
from assistant.ingest.uploads import check_upload
from assistant.progress import Progress

log = logging.getLogger(__name__)

PIPELINE_VERSION = "2"  # 2: PDFium + OCR, legacy encodings, page furniture, structure in context
Status = Literal["added", "updated", "unchanged", "failed", "skipped"]
Parser = Callable[[bytes, str, Progress | None], LoadedFile]  # data, suffix, OCR page progress
# Called with the new document's metadata and the one it replaces (or None) before anything is written;
# raises (e.g. AccessDenied) to refuse.
Guard = Callable[[DocumentMeta, DocumentMeta | None], None]


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    status: Status
    doc_id: str | None = None
    chunks: int = 0
    reason: str | None = None


@dataclass
class IngestReport:
    """Outcome of a batch, one entry per file."""

    results: list[FileResult] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("added", "updated", "unchanged", "failed", "skipped")}

    @property
    def failures(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]


def discover(paths: Iterable[Path]) -> list[tuple[Path, bool]]:
    """Files to consider, in a stable order: ``(path, given_explicitly)``. Hidden entries and sidecars are skipped."""
    found: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if (
                    child.is_file()
                    and not any(p.startswith(".") for p in rel)
                    and not child.name.endswith(SIDECAR_SUFFIX)
                ):
                    found.append((child, False))
        else:
            found.append((path, True))
    return found


@dataclass
class Prepared:
    """A parsed, chunked document waiting to be written, with the result it will report."""

    document: Document
    chunks: list[Chunk]
    result: FileResult


class IngestPipeline:
    """Loads, chunks and indexes documents; each document is all-or-nothing.

    Files of a folder are parsed one by one and written in batches (one embedding run, one vector
    write and one catalog transaction per batch): per-document overheads cost next to nothing beside the
    embedding model. A batch whose write fails is retried document by document, so a failure stays with
    the document that caused it."""

    def __init__(
        self, index: ChunkIndex, chunker: StructureChunker | None = None, upload_parser: Parser = load_bytes
    ) -> None:
        self.index = index
        settings = index.settings
        self.chunker = chunker or StructureChunker(settings.chunk_max_chars, settings.chunk_min_chars)
        self.max_bytes = settings.max_file_bytes
        self.max_docx_expanded = settings.max_docx_expanded_bytes
        self.upload_parser = upload_parser
        self.batch_documents, self.batch_chunks = settings.ingest_batch_documents, settings.ingest_batch_chunks
        self.salt = f"{PIPELINE_VERSION}|{index.embedder.name}|{self.chunker.max_chars}|{self.chunker.min_chars}"

    # -- batches ------------------------------------------------------------------------------
    def ingest_paths(self, paths: Iterable[Path], on_file: Callable[[FileResult], None] | None = None) -> IngestReport:
        """Ingest files and folders; a bad file is reported (with its reason) and the batch goes on."""
        report = IngestReport()

        def emit(result: FileResult) -> None:
            report.results.append(result)
            if on_file:
                on_file(result)

        with self.index.writing():
            pending: list[Prepared] = []
            for path, explicit in discover(list(paths)):
                if not explicit and path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    emit(FileResult(str(path), "skipped", reason=f"unsupported file type '{path.suffix or '(none)'}'"))
                    continue
                outcome = self._prepare_file(path)
                if isinstance(outcome, FileResult):
                    emit(outcome)
                    continue
                if any(p.document.meta.doc_id == outcome.document.meta.doc_id for p in pending):
                    self._flush(pending, emit)  # the same id twice: the first must be written before the check
                    outcome = self._prepare_file(path)
                    if isinstance(outcome, FileResult):
                        emit(outcome)
                        continue
                pending.append(outcome)
                if self._full(pending):
                    self._flush(pending, emit)
            self._flush(pending, emit)
            self.index.refresh_lexical()
        return report

    def ingest_documents(self, documents: Iterable[Document]) -> list[FileResult]:
        """Index built documents (from an evaluation set or another system) in batches; bad ones are reported."""
        results: list[FileResult] = []
        pending: list[Prepared] = []
        with self.index.writing():
            for document in documents:
                try:
                    outcome = self._prepare(document)
                except IngestError as exc:
                    results.append(
                        FileResult(document.source_path, "failed", doc_id=document.meta.doc_id, reason=str(exc))
                    )
                    continue
                if isinstance(outcome, FileResult):
                    results.append(outcome)
                    continue
                pending.append(outcome)
                if self._full(pending):
                    self._flush(pending, results.append)
            self._flush(pending, results.append)
            self.index.refresh_lexical()
        return results

    def _full(self, pending: list[Prepared]) -> bool:
        return len(pending) >= self.batch_documents or sum(len(p.chunks) for p in pending) >= self.batch_chunks

    def _flush(self, pending: list[Prepared], emit: Callable[[FileResult], None]) -> None:
        """Write the pending documents together; if that fails, one by one (each failure stays its own)."""
        if not pending:
            return
        try:
            self.index.add_many([(p.document, p.chunks) for p in pending])
            outcomes = [p.result for p in pending]
        except Exception:
            outcomes = []
            for p in pending:
                try:
                    self.index.add(p.document, p.chunks)
                    outcomes.append(p.result)
                except Exception as exc:
                    log.exception("could not write %s", p.result.path)
                    outcomes.append(
                        FileResult(
                            p.result.path,
                            "failed",
                            doc_id=p.result.doc_id,
                            reason=f"could not write to the index: {type(exc).__name__}: {exc}",
                        )
                    )
        pending.clear()
        for outcome in outcomes:
            emit(outcome)

    def ingest_file(self, path: Path) -> FileResult:
        """Ingest one file from disk (with its sidecar); never raises for bad input."""
        with self.index.writing():
            outcome = self._prepare_file(path)
            if isinstance(outcome, FileResult):
                return outcome
            results: list[FileResult] = []
            self._flush([outcome], results.append)
            return results[0]

    def _prepare_file(self, path: Path) -> Prepared | FileResult:
        """Read, parse and chunk one file; a FileResult when there is nothing to write (unchanged, failed)."""
        source = str(path.resolve()) if path.exists() else str(path)
        try:
            file = read_source(path, self.max_bytes)
            digest = content_hash(file.data + b"\0" + file.sidecar_raw, self.salt)
            known = self.index.catalog.doc_id_for(source, digest)
            if known is not None:  # unchanged since the last ingest: skip parsing altogether
                return FileResult(source, "unchanged", doc_id=known)
            loaded = file.load()
            return self._prepare(build_document(loaded, source, digest, default_doc_id=path.stem))
        except IngestError as exc:
            return FileResult(source, "failed", reason=str(exc))
        except Exception as exc:  # an unexpected parser failure must not abort the batch
            log.exception("unexpected failure ingesting %s", source)
            return FileResult(source, "failed", reason=f"unexpected {type(exc).__name__}: {exc}")

    def ingest_bytes(
        self,
        data: bytes,
        filename: str | None,
        metadata: dict[str, Any] | None = None,
        defaults: dict[str, Any] | None = None,
        guard: Guard | None = None,
        progress: Progress | None = None,
    ) -> FileResult:
        """Ingest an uploaded file: checked (size, real type, zip bomb), parsed by ``upload_parser``, then indexed.

        ``metadata`` wins over what the file says, which wins over ``defaults``. Raises for bad input.
        ``progress`` hears the pages OCR reads, then the indexing."""
        name = check_upload(data, filename, self.max_bytes, self.max_docx_expanded)
        loaded = self.upload_parser(data, Path(name).suffix, (lambda f, m: progress(0.9 * f, m)) if progress else None)
        if progress is not None:
            progress(0.9, "indexing")
        loaded.overrides = {**(defaults or {}), **loaded.overrides, **(metadata or {})}
        digest = content_hash(data + b"\0" + repr(sorted((metadata or {}).items())).encode(), self.salt)
        source = f"upload:{name}"
        document = build_document(loaded, source, digest, default_doc_id=Path(name).stem)
        with self.index.writing():
            result = self.ingest_document(document, guard)
            self.index.refresh_lexical()
        return result

    # -- one document ---------------------------------------------------------------------------
    def ingest_document(self, document: Document, guard: Guard | None = None) -> FileResult:
        """Chunk and index a built document (skipped when its content hash is already indexed)."""
        outcome = self._prepare(document, guard)
        if isinstance(outcome, FileResult):
            return outcome
        self.index.add(outcome.document, outcome.chunks)
        return outcome.result

    def _prepare(self, document: Document, guard: Guard | None = None) -> Prepared | FileResult:
        """Check a document may be written and chunk it; FileResult "unchanged" when it is already indexed."""
        source, digest = document.source_path, document.content_hash
        doc_id = document.meta.doc_id
        if guard is not None:
            guard(document.meta, self.index.catalog.metas().get(doc_id))
        existing = self.index.catalog.document_hash(doc_id)
        if existing and existing[0] == digest:
            return FileResult(source, "unchanged", doc_id=doc_id)
        if existing and existing[1] != source and not existing[1].startswith("upload:") and Path(existing[1]).exists():
            raise IngestError(
                f"doc_id '{doc_id}' is already used by {existing[1]}; give this file its own doc_id in a sidecar"
            )
        chunks = self.chunker.chunk(document)
        if not chunks:
            raise IngestError("no text to index after parsing")
        return Prepared(
            document, chunks, FileResult(source, "updated" if existing else "added", doc_id=doc_id, chunks=len(chunks))
        )

    def delete(self, doc_id: str, guard: Guard | None = None) -> bool:
        """Remove a document; False when it is not indexed. ``guard`` may refuse (it sees the metadata first)."""
        with self.index.writing():
            meta = self.index.catalog.metas().get(doc_id)
            if meta is None:
                return False
            if guard is not None:
                guard(meta, None)
            deleted = self.index.remove(doc_id)
            self.index.refresh_lexical()
        return deleted
