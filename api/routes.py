"""Routes for documents and search; every one needs an API key whose role allows it."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from api.errors import error_responses, links
from api.schemas import AskRequest, IngestResult, ReindexRequest, SearchHitOut, SearchRequest, SearchResponse
from api.security import authorize, note
from assistant.auth import Permission, Principal
from assistant.domain import AccessLevel, Answer, DocumentMeta
from assistant.errors import NotFound, PayloadTooLarge
from assistant.jobs import Job
from assistant.service import Assistant

router = APIRouter(prefix="/v1", responses=error_responses(401, 403, 422, 429))
JOB_LINKS = links(202, ("JobStatus", "get_job", "job_id", "id"))[202]


def accepted(job: Job) -> JSONResponse:
    """202 with the job and where to follow it."""
    location = f"/v1/jobs/{job.id}"
    return JSONResponse(status_code=202, content=job.model_dump(mode="json"), headers={"Location": location})


def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


def upload_part(description: str) -> Any:
    """A required, non-empty file part of a multipart form (the schema says so; an empty file is still a 422).

    ``format: binary`` beside OpenAPI 3.1's ``contentMediaType``: client generators (openapi-python-client,
    openapi-generator) only make a file upload of the part with it."""
    return File(..., description=description, json_schema_extra={"minLength": 1, "format": "binary"})


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """The uploaded bytes, read no further than one byte past ``limit`` (PayloadTooLarge beyond it)."""
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"file is over the {limit / 2**20:.1f} MiB limit")
    return data


def visible_meta(assistant: Assistant, doc_id: str, caller: Principal) -> DocumentMeta:
    """A document's metadata if the caller may see it; otherwise the same 404 as for a missing one."""
    meta = assistant.index.catalog.metas().get(doc_id)
    if meta is None or not caller.scope().matches(meta):
        raise NotFound(f"no document with id '{doc_id}' that you may read")
    return meta


@router.get("/me", summary="Who the key belongs to and what it may do")
def me(caller: Principal = Depends(authorize("me"))) -> dict:
    return {
        "key_id": caller.key_id,
        "name": caller.name,
        "role": caller.role.value,
        "org_unit": caller.org_unit,
        "clearance": caller.clearance.value,
        "permissions": sorted(p.value for p in Permission if caller.can(p)),
    }


@router.get("/documents", summary="List the indexed documents you may read")
def list_documents(
    caller: Principal = Depends(authorize("documents.list")), assistant: Assistant = Depends(get_assistant)
) -> list[dict]:
    scope, metas = caller.scope(), assistant.index.catalog.metas()
    visible = [
        d
        for d in assistant.index.catalog.list_documents()
        if d["doc_id"] in metas and scope.matches(metas[d["doc_id"]])
    ]
    if not caller.can(Permission.admin):  # where files sit on the server is the operator's business
        for document in visible:
            document["source_path"] = PurePath(document["source_path"].removeprefix("upload:")).name
    return visible


@router.get("/documents/{doc_id}", summary="One document's metadata and chunks", responses=error_responses(404))
def get_document(
    doc_id: str,
    request: Request,
    caller: Principal = Depends(authorize("documents.read")),
    assistant: Assistant = Depends(get_assistant),
) -> dict:
    note(request, target=doc_id)
    visible_meta(assistant, doc_id, caller)
    document = assistant.index.catalog.get_document(doc_id)
    if document is None:  # deleted in between
        raise NotFound(f"no document with id '{doc_id}' that you may read")
    chunks = assistant.index.catalog.chunks_of(doc_id)
    return {
        "meta": document.meta.model_dump(mode="json"),
        "pages": len(document.page_starts),
        "chunks": [c.model_dump() for c in chunks],
    }


@router.delete(
    "/documents/{doc_id}",
    summary="Remove a document of your org unit and all its chunks",
    responses=error_responses(404, 409),
)
def delete_document(
    doc_id: str,
    request: Request,
    caller: Principal = Depends(authorize("documents.delete")),
    assistant: Assistant = Depends(get_assistant),
) -> dict:
    note(request, target=doc_id)

    def guard(meta: DocumentMeta, _: DocumentMeta | None) -> None:
        visible_meta(assistant, meta.doc_id, caller)
        caller.check_manages(meta)

    if not assistant.pipeline.delete(doc_id, guard):
        raise NotFound(f"no document with id '{doc_id}' that you may read")
    return {"deleted": doc_id}


@router.post(
    "/documents",
    response_model=IngestResult,
    summary="Upload and ingest one file (into your org unit unless you name one below it)",
    status_code=201,
    responses={
        **error_responses(409, 413, 415),
        **links(
            201,
            ("ReadDocument", "get_document", "doc_id", "doc_id"),
            ("DeleteDocument", "delete_document", "doc_id", "doc_id"),
        ),
        202: {
            "model": Job,
            "description": "a scan whose OCR reads more than `ocr_sync_max_pages` pages "
            "(or `background=true`): follow the job; its result is this route's 201 body",
            **JOB_LINKS,
        },
    },
)
async def upload_document(
    request: Request,
    file: UploadFile = upload_part(
        "PDF, DOCX, .doc, .odt, .rtf, TXT, Markdown, HTML, or a scan/photo (PNG, JPEG, "
        "TIFF); the type is checked against the bytes"
    ),
    doc_id: str | None = Form(
        default=None, min_length=1, max_length=120, description="default: from the file's metadata, else its name"
    ),
    org_unit: str | None = Form(
        default=None, max_length=300, description="default: the file's own metadata, else your org unit"
    ),
    access_level: AccessLevel | None = Form(default=None, description="default: the file's own metadata, else public"),
    background: bool = Form(default=False, description="ingest as a job (202) even when the file reads quickly"),
    caller: Principal = Depends(authorize("documents.ingest")),
    assistant: Assistant = Depends(get_assistant),
) -> IngestResult | JSONResponse:
    note(request, target=file.filename)
    data = await read_upload(file, assistant.settings.max_file_bytes)
    metadata = {
        k: v
        for k, v in {
            "doc_id": doc_id,
            "org_unit": org_unit,
            "access_level": access_level.value if access_level else None,
        }.items()
        if v
    }

    def guard(meta: DocumentMeta, replacing: DocumentMeta | None) -> None:
        caller.check_manages(meta, replacing)

    ocr_pages = assistant.upload_ocr_pages(data, file.filename)  # refuses bad size/type now, as 4xx
    defaults = {"org_unit": caller.org_unit}
    if background or ocr_pages > assistant.settings.ocr_sync_max_pages:
        params = {"filename": file.filename, "metadata": metadata, "defaults": defaults, "key_id": caller.key_id}
        job = assistant.jobs.submit("ingest", params, owner=caller.key_id, input_data=data)
        note(request, file=file.filename, job=job.id, ocr_pages=ocr_pages)
        return accepted(job)
    ingested = assistant.pipeline.ingest_bytes(data, file.filename, metadata, defaults=defaults, guard=guard)
    result = IngestResult(
        status=ingested.status, doc_id=ingested.doc_id, chunks=ingested.chunks, reason=ingested.reason
    )
    note(request, target=result.doc_id, file=file.filename, result=result.status, chunks=result.chunks)
    request.app.state.metrics.ingested.labels(result.status).inc()
    return result


@router.post(
    "/index/reindex",
    status_code=202,
    response_model=Job,
    tags=["admin"],
    responses={**error_responses(403), 202: JOB_LINKS},
    summary="Embed every chunk again into a new collection, swapped in when complete (admin keys; a job)",
)
def reindex(
    body: ReindexRequest,
    request: Request,
    caller: Principal = Depends(authorize("index.reindex")),
    assistant: Assistant = Depends(get_assistant),
) -> JSONResponse:
    note(request, embedding_model=body.embedding_model)
    return accepted(assistant.jobs.submit("reindex", {"embedding_model": body.embedding_model}, owner=caller.key_id))


@router.post("/search", summary="Ranked passages with citation fields")
def search(
    body: SearchRequest,
    request: Request,
    caller: Principal = Depends(authorize("search")),
    assistant: Assistant = Depends(get_assistant),
) -> SearchResponse:
    note(request, **assistant.audit.question_detail(body.query, "query"))
    result = assistant.retriever.search(
        body.query, k=body.k, search_filter=body.filters.to_filter(caller), mode=body.mode
    )
    hits = [
        SearchHitOut(
            rank=i + 1,
            score=h.score,
            chunk_id=h.chunk.chunk_id,
            dense_rank=h.dense_rank,
            lexical_rank=h.lexical_rank,
            citation=h.citation(),
        )
        for i, h in enumerate(result.hits)
    ]
    return SearchResponse(query=body.query, hits=hits)


@router.post(
    "/ask",
    summary="Answer a question with citations, or say the documents don't answer it",
    responses=error_responses(503),
)
def ask(
    body: AskRequest,
    request: Request,
    caller: Principal = Depends(authorize("ask")),
    assistant: Assistant = Depends(get_assistant),
) -> Answer:
    note(request, **assistant.audit.question_detail(body.question))
    answer = assistant.asker.ask(body.question, body.filters.to_filter(caller), engine=body.engine)
    note(request, outcome=answer.status, engine=answer.engine, cited=sorted({c.doc_id for c in answer.citations}))
    return answer
