"""Routes for documents and search."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from assistant.domain import Answer
from assistant.errors import IngestError, NotFound
from assistant.service import Assistant

from api.schemas import AskRequest, IngestResult, SearchHitOut, SearchRequest, SearchResponse

router = APIRouter(prefix="/v1")


def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


@router.get("/documents", summary="List indexed documents")
def list_documents(assistant: Assistant = Depends(get_assistant)) -> list[dict]:
    return assistant.index.catalog.list_documents()


@router.get("/documents/{doc_id}", summary="One document's metadata and chunks")
def get_document(doc_id: str, assistant: Assistant = Depends(get_assistant)) -> dict:
    document = assistant.index.catalog.get_document(doc_id)
    if document is None:
        raise NotFound(f"no document with id '{doc_id}'")
    chunks = assistant.index.catalog.chunks_of(doc_id)
    return {"meta": document.meta.model_dump(mode="json"), "pages": len(document.page_starts),
            "chunks": [c.model_dump() for c in chunks]}


@router.delete("/documents/{doc_id}", summary="Remove a document and all its chunks")
def delete_document(doc_id: str, assistant: Assistant = Depends(get_assistant)) -> dict:
    if not assistant.pipeline.delete(doc_id):
        raise NotFound(f"no document with id '{doc_id}'")
    return {"deleted": doc_id}


@router.post("/documents", summary="Upload and ingest one file", status_code=201)
async def upload_document(
    file: UploadFile = File(...),
    doc_id: str | None = Form(default=None),
    org_unit: str | None = Form(default=None),
    access_level: str | None = Form(default=None),
    assistant: Assistant = Depends(get_assistant),
) -> IngestResult:
    limit = assistant.settings.max_file_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise IngestError(f"file is over the {limit / 2**20:.1f} MiB limit")
    metadata = {k: v for k, v in {"doc_id": doc_id, "org_unit": org_unit, "access_level": access_level}.items() if v}
    result = assistant.pipeline.ingest_bytes(data, file.filename or "upload.txt", metadata)
    return IngestResult(status=result.status, doc_id=result.doc_id, chunks=result.chunks, reason=result.reason)


@router.post("/search", summary="Ranked passages with citation fields")
def search(body: SearchRequest, assistant: Assistant = Depends(get_assistant)) -> SearchResponse:
    result = assistant.retriever.search(body.query, k=body.k, search_filter=body.filters.to_filter(), mode=body.mode)  # type: ignore[arg-type]
    hits = [SearchHitOut(rank=i + 1, score=h.score, chunk_id=h.chunk.chunk_id, dense_rank=h.dense_rank,
                         lexical_rank=h.lexical_rank, citation=h.citation()) for i, h in enumerate(result.hits)]
    return SearchResponse(query=body.query, hits=hits)


@router.post("/ask", summary="Answer a question with citations, or say the documents don't answer it")
def ask(body: AskRequest, assistant: Assistant = Depends(get_assistant)) -> Answer:
    return assistant.asker.ask(body.question, body.filters.to_filter(), engine=body.engine)
