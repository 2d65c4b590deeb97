"""The kinds of background job and how each runs from its stored request (so it can run again after a restart):

- ``summary``: a summary of an indexed document, a text or an uploaded file (the job's input);
- ``bulletin``: an audio bulletin of a given summary or of a source summarized first;
- ``transcription``: speech to text of an uploaded recording (the input), then its summary;
- ``ingest``: an uploaded file ingested on behalf of the key that sent it (checked again when it runs: a key
  revoked meanwhile ingests nothing);
- ``reindex``: every chunk embedded again into a new collection, swapped in when complete.

Each request is plain JSON: the helpers below turn a source, a scope and summary options into it and back.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.domain import DocumentMeta, Summary
from assistant.errors import AccessDenied
from assistant.filters import SearchFilter
from assistant.jobs import Runner
from assistant.progress import Progress
from assistant.tasks.summarize import SummaryOptions
from assistant.tasks.summary_source import SummarySource

if TYPE_CHECKING:
    from assistant.service import Assistant


def source_request(
    *,
    doc_id: str | None = None,
    text: str | None = None,
    filename: str | None = None,
    scope: SearchFilter | None = None,
) -> dict[str, Any]:
    """A summary source as a job keeps it (an uploaded file's bytes are the job's input)."""
    return {"doc_id": doc_id, "text": text, "filename": filename, "scope": scope.as_dict() if scope else None}


def options_request(options: SummaryOptions | None) -> dict[str, Any] | None:
    return asdict(options) if options is not None else None


def _options(data: dict[str, Any] | None) -> SummaryOptions | None:
    return SummaryOptions(**data) if data is not None else None


def _source(assistant: Assistant, request: dict[str, Any], input_path: Path | None) -> SummarySource:
    scope = SearchFilter.from_dict(request["scope"]) if request.get("scope") else None
    if request.get("filename") is not None:
        if input_path is None:
            raise FileNotFoundError("the uploaded file of this job is gone")
        return assistant.summary_source(file=(input_path.read_bytes(), request["filename"]))
    return assistant.summary_source(doc_id=request.get("doc_id"), text=request.get("text"), scope=scope)


def runners(assistant: Assistant) -> dict[str, Runner]:
    """Every job kind, bound to ``assistant``."""

    def summary(params: dict, input_path: Path | None, progress: Progress):
        source = _source(assistant, params["source"], input_path)
        options = _options(params["options"]) or SummaryOptions()
        return assistant.summarizer.summarize(source, options, progress).model_dump(mode="json"), None, None

    def bulletin(params: dict, input_path: Path | None, progress: Progress):
        spoken = Summary.model_validate(params["summary"]) if params.get("summary") else None
        if spoken is None:
            source = _source(assistant, params["source"], input_path)
            options = _options(params["options"]) or SummaryOptions()
            spoken = assistant.summarizer.summarize(source, options, lambda f, m: progress(0.5 * f, m))
        made, audio = assistant.bulletins.make(
            spoken, params["rate"], params["format"], lambda f, m: progress(0.5 + 0.5 * f, m)
        )
        return made.model_dump(mode="json"), audio, made.media_type

    def transcription(params: dict, input_path: Path | None, progress: Progress):
        if input_path is None:
            raise FileNotFoundError("the recording of this job is gone")
        prepared = assistant.prepare_audio(input_path.read_bytes())
        transcribed, summarized = assistant.transcribe_and_summarize(
            prepared, params["filename"], params["language"], _options(params["options"]), progress
        )
        return (
            {
                "transcription": transcribed.model_dump(mode="json"),
                "summary": summarized.model_dump(mode="json") if summarized else None,
            },
            None,
            None,
        )

    def ingest(params: dict, input_path: Path | None, progress: Progress):
        if input_path is None:
            raise FileNotFoundError("the uploaded file of this job is gone")
        key = assistant.keys.get(params["key_id"]) if params.get("key_id") else None
        if params.get("key_id") and (key is None or not key.usable()):
            raise AccessDenied("the key that sent this file was revoked or has expired: nothing was ingested")
        caller = key.principal() if key is not None else None

        def guard(meta: DocumentMeta, replacing: DocumentMeta | None) -> None:
            if caller is not None:
                caller.check_manages(meta, replacing)

        result = assistant.pipeline.ingest_bytes(
            input_path.read_bytes(),
            params["filename"],
            params["metadata"],
            defaults=params["defaults"],
            guard=guard,
            progress=progress,
        )
        return (
            {"status": result.status, "doc_id": result.doc_id, "chunks": result.chunks, "reason": result.reason},
            None,
            None,
        )

    def reindex(params: dict, input_path: Path | None, progress: Progress):
        from assistant.index.reindex import reindex as rebuild

        return asdict(rebuild(assistant.index, params.get("embedding_model"), progress)), None, None

    return {
        "summary": summary,
        "bulletin": bulletin,
        "transcription": transcription,
        "ingest": ingest,
        "reindex": reindex,
    }
