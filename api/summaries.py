"""Routes for summaries, audio bulletins, transcription of received bulletins, and the jobs they run as."""

from __future__ import annotations

from typing import Literal, cast

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from api.downloads import attachment_headers
from api.errors import error_responses
from api.routes import JOB_LINKS, accepted, get_assistant, read_upload, upload_part
from api.schemas import BulletinRequest, SpeechRequest, SummarizeRequest
from api.security import authorize, note
from assistant.audio.codec import MEDIA_TYPES
from assistant.auth import Permission, Principal
from assistant.domain import Summary
from assistant.errors import NotFound
from assistant.job_runners import options_request, source_request
from assistant.jobs import Job
from assistant.service import Assistant
from assistant.tasks.summarize import Length, SummaryOptions, parse_length, require_candidates
from assistant.tasks.summary_source import SummarySource
from assistant.text import slugify

LENGTH_FORM = Form(
    default="auto",
    pattern=r"^(auto|short|standard|[1-9][0-9]{1,3})$",
    description="auto (follows the document's size), short, standard, or a number of words (10-9999)",
)
router = APIRouter(prefix="/v1", tags=["summaries"], responses=error_responses(401, 403, 422, 429))


def job_owner(caller: Principal) -> str | None:
    """Whose jobs a caller sees: its own (admins: all)."""
    return None if caller.can(Permission.admin) else caller.key_id


def run_summary(
    assistant: Assistant,
    source: SummarySource,
    options: SummaryOptions,
    background: bool,
    caller: Principal,
    request: dict,
    upload: bytes | None = None,
) -> Summary | JSONResponse:
    """Summarize now, or as a job (kept as ``request``, with the ``upload``) when asked or when the source is long."""
    require_candidates(source)  # a source with nothing to summarize fails now, as 422
    if background or source.char_count > assistant.settings.summarize_sync_max_chars:
        job = assistant.jobs.submit(
            "summary", {"source": request, "options": options_request(options)}, owner=caller.key_id, input_data=upload
        )
        return accepted(job)
    return assistant.summarizer.summarize(source, options)


@router.post(
    "/summarize",
    response_model=Summary,
    summary="Summarize an indexed document or a text, with citations",
    responses={
        202: {"model": Job, "description": "long source: follow the job", **JOB_LINKS},
        **error_responses(404, 503),
    },
)
def summarize(
    body: SummarizeRequest,
    request: Request,
    caller: Principal = Depends(authorize("summarize")),
    assistant: Assistant = Depends(get_assistant),
) -> Summary | JSONResponse:
    note(request, target=body.doc_id, text_chars=len(body.text) if body.text is not None else None)
    scope = body.filters.to_filter(caller)
    source = assistant.summary_source(doc_id=body.doc_id, text=body.text, scope=scope)
    return run_summary(
        assistant,
        source,
        body.options(),
        body.background,
        caller,
        source_request(doc_id=body.doc_id, text=body.text, scope=scope),
    )


@router.post(
    "/summarize/upload",
    response_model=Summary,
    summary="Summarize an uploaded file, with citations",
    responses={
        202: {"model": Job, "description": "long source: follow the job", **JOB_LINKS},
        **error_responses(413, 415, 503),
    },
)
async def summarize_upload(
    request: Request,
    file: UploadFile = upload_part("PDF, DOCX, TXT, Markdown or HTML"),
    length: str = LENGTH_FORM,
    style: Literal["plain", "formal"] = Form(default="plain"),
    language: str | None = Form(default=None, pattern=r"^[a-z]{2,3}$", description="needs the LLM engine"),
    engine: Literal["auto", "extractive", "llm"] = Form(default="auto"),
    query: str | None = Form(
        default=None, max_length=500, pattern=r"\S", description="summarize only what answers this question"
    ),
    background: bool = Form(default=False),
    caller: Principal = Depends(authorize("summarize")),
    assistant: Assistant = Depends(get_assistant),
) -> Summary | JSONResponse:
    note(request, target=file.filename)
    data = await read_upload(file, assistant.settings.max_file_bytes)
    filename = file.filename or "upload.txt"
    source = assistant.summary_source(file=(data, filename))
    options = SummaryOptions(
        length=cast(Length, parse_length(length)), style=style, language=language or None, engine=engine, query=query
    )
    return run_summary(assistant, source, options, background, caller, source_request(filename=filename), data)


@router.post(
    "/bulletins",
    status_code=202,
    response_model=Job,
    responses={
        **error_responses(404),
        202: {
            **JOB_LINKS,
            "links": {
                **JOB_LINKS["links"],
                "JobAudio": {"operationId": "get_job_audio", "parameters": {"job_id": "$response.body#/id"}},
            },
        },
    },
    summary="Make an audio bulletin (speech) of a summary; follow the job, then GET its audio",
)
def make_bulletin(
    body: BulletinRequest,
    request: Request,
    caller: Principal = Depends(authorize("bulletin")),
    assistant: Assistant = Depends(get_assistant),
) -> JSONResponse:
    note(request, target=body.doc_id or (body.summary.doc_id if body.summary else None), format=body.format)
    params = {
        "rate": body.rate_wpm or assistant.settings.tts_rate_wpm,
        "format": body.format,
        "options": options_request(body.options()),
        "summary": None,
        "source": None,
    }
    if body.summary is not None:  # a voice for its language, checked now
        assistant.bulletins.synthesizer.voice_for(body.summary.language)
        params["summary"] = body.summary.model_dump(mode="json")
    else:
        scope = body.filters.to_filter(caller)
        require_candidates(assistant.summary_source(doc_id=body.doc_id, text=body.text, scope=scope))
        params["source"] = source_request(doc_id=body.doc_id, text=body.text, scope=scope)
    return accepted(assistant.jobs.submit("bulletin", params, owner=caller.key_id))


@router.post(
    "/transcribe",
    status_code=202,
    response_model=Job,
    responses={**error_responses(413, 415), 202: JOB_LINKS},
    summary="Transcribe a received audio bulletin (and summarize it); follow the job",
)
async def transcribe(
    request: Request,
    file: UploadFile = upload_part("WAV, FLAC, Ogg or MP3"),
    language: str = Form(default="vi", pattern=r"^[a-z]{2,3}$"),
    summarize: bool = Form(default=True),
    length: str = LENGTH_FORM,
    style: Literal["plain", "formal"] = Form(default="plain"),
    engine: Literal["auto", "extractive", "llm"] = Form(default="auto"),
    caller: Principal = Depends(authorize("transcribe")),
    assistant: Assistant = Depends(get_assistant),
) -> JSONResponse:
    note(request, target=file.filename, language=language)
    data = await read_upload(file, assistant.settings.max_audio_bytes)
    assistant.prepare_audio(data)  # unreadable, too long or silent audio fails now, as 422
    assistant.transcriber.recognizers.for_language(language)  # and so does a language with no model
    options = (
        SummaryOptions(length=cast(Length, parse_length(length)), style=style, engine=engine) if summarize else None
    )
    params = {"filename": file.filename or "recording", "language": language, "options": options_request(options)}
    return accepted(assistant.jobs.submit("transcription", params, owner=caller.key_id, input_data=data))


@router.get(
    "/jobs/{job_id}", response_model=Job, summary="A job's status, progress and result", responses=error_responses(404)
)
def get_job(
    job_id: str,
    wait: float = Query(default=0.0, ge=0, le=30, description="wait up to this many seconds for the job to finish"),
    caller: Principal = Depends(authorize("jobs.read")),
    assistant: Assistant = Depends(get_assistant),
) -> Job:
    job = assistant.jobs.get(job_id, wait_s=wait, owner=job_owner(caller))
    if job is None:
        raise NotFound(f"no job '{job_id}' (jobs are kept for {assistant.settings.job_keep_s:g} s after they finish)")
    return job


@router.delete(
    "/jobs/{job_id}",
    response_model=Job,
    responses=error_responses(404),
    summary="Cancel a job (a running one stops at its next step), or forget a finished one and its files",
)
def cancel_job(
    job_id: str,
    request: Request,
    caller: Principal = Depends(authorize("jobs.cancel")),
    assistant: Assistant = Depends(get_assistant),
) -> Job:
    note(request, target=job_id)
    job = assistant.jobs.cancel(job_id, owner=job_owner(caller))
    if job is None:
        raise NotFound(f"no job '{job_id}'")
    return job


@router.get(
    "/jobs/{job_id}/audio",
    summary="The audio file a bulletin job made",
    responses={200: {"content": {"audio/mpeg": {}, "audio/ogg": {}, "audio/wav": {}}}, **error_responses(404)},
)
def get_job_audio(
    job_id: str, caller: Principal = Depends(authorize("jobs.read")), assistant: Assistant = Depends(get_assistant)
) -> Response:
    job = get_job(job_id, 0.0, caller, assistant)
    audio = assistant.jobs.artifact(job_id)
    if job.status != "done" or audio is None or job.artifact_type is None:
        raise NotFound(f"job '{job_id}' has no audio ({job.status})")
    extension = {media: fmt for fmt, media in MEDIA_TYPES.items()}[job.artifact_type]
    name = f"{slugify((job.result or {}).get('title', 'ban-tin'), max_len=60) or 'ban-tin'}.{extension}"
    return Response(content=audio, media_type=job.artifact_type, headers=attachment_headers(name))


@router.post(
    "/speech",
    response_class=Response,
    responses={200: {"content": {"audio/mpeg": {}}}, **error_responses(503)},
    summary="Read a text aloud: MP3 from the server's own voice (the same text is spoken once, then kept)",
)
def read_aloud(
    body: SpeechRequest,
    request: Request,
    caller: Principal = Depends(authorize("speech")),
    assistant: Assistant = Depends(get_assistant),
) -> Response:
    data, key, cached = assistant.read_aloud.speak(body.text, body.language, body.rate_wpm)
    note(request, chars=len(body.text), rate_wpm=body.rate_wpm, cached=cached)
    return Response(
        data, media_type="audio/mpeg", headers={"ETag": f'"{key}"', "Cache-Control": "private, max-age=86400"}
    )
