"""Map the library's typed errors to HTTP responses, in one place."""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from assistant.errors import (
    AccessDenied,
    BackendUnavailable,
    Conflict,
    IndexLocked,
    IngestError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthenticated,
    UnsupportedType,
)
from assistant.meeting import InvalidRecord

STATUS = {
    IngestError: 422,
    InvalidInput: 422,
    NotFound: 404,
    AccessDenied: 403,
    IndexLocked: 409,
    Conflict: 409,
    BackendUnavailable: 503,
    Unauthenticated: 401,
    PayloadTooLarge: 413,
    UnsupportedType: 415,
    RateLimited: 429,
}


class ErrorBody(BaseModel):
    """Every error but a field-level 422: what went wrong, in words, and the error's kind."""

    detail: str = Field(description="what went wrong and what to do about it")
    error: str = Field(description="the kind of error, e.g. NotFound, IngestError, Unauthenticated")


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="where: e.g. ['body', 'record', 'decisions', 0, 'votes']")
    msg: str
    type: str


class FieldErrorBody(BaseModel):
    """A 422 for request fields: one entry per problem (FastAPI's shape; meeting-record rules use it too)."""

    detail: list[FieldProblem]
    error: str | None = Field(default=None, description="InvalidRecord for meeting-record rules")


_MEANING = {
    401: "no API key, or an unknown or revoked one",
    403: "the key's role or org unit does not allow this",
    404: "no such object that this key may see",
    409: "another process is writing to the index; try again when it finishes",
    413: "the file is over the size limit",
    415: "the file is not a type this route reads (or not what its name says)",
    429: "too many requests from this key: wait as long as Retry-After says",
    422: "the request is invalid: a field (list of problems) or the content (message)",
    503: "a configured backend (LLM, speech or Chroma server) did not answer",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these error statuses, each with its body."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        model: Any = FieldErrorBody | ErrorBody if status == 422 else ErrorBody
        out[status] = {"model": model, "description": _MEANING[status]}
    return out


def links(status: int, *targets: tuple[str, str, str, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI links from a response to the operations its body feeds: ``(name, operationId, parameter, body field)``.

    Clients (and the fuzzer's stateful phase) follow them: upload -> read -> delete, job -> status -> audio."""
    return {
        status: {
            "links": {
                name: {"operationId": operation, "parameters": {parameter: f"$response.body#/{field}"}}
                for name, operation, parameter, field in targets
            }
        }
    }


def install_error_handlers(app: FastAPI) -> None:
    for error_type, status in STATUS.items():

        def handler(_: Request, exc: Exception, status: int = status) -> JSONResponse:
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            if isinstance(exc, RateLimited):
                headers = {"Retry-After": str(max(1, math.ceil(exc.retry_after)))}
            return JSONResponse(
                status_code=status, content={"detail": str(exc), "error": type(exc).__name__}, headers=headers
            )

        app.add_exception_handler(error_type, handler)

    def record_handler(_: Request, exc: Exception) -> JSONResponse:
        """Field-level problems, shaped like FastAPI's own validation errors."""
        assert isinstance(exc, InvalidRecord)
        detail = [{"loc": ["body", *p.loc], "msg": p.message, "type": "record_rule"} for p in exc.problems]
        return JSONResponse(status_code=422, content={"detail": detail, "error": "InvalidRecord"})

    app.add_exception_handler(InvalidRecord, record_handler)

    def validation_handler(_: Request, exc: Exception) -> JSONResponse:
        """FastAPI's field list, safe for any body: a body that is not text (a file sent where JSON was due) is
        described, not echoed (FastAPI's own handler fails to encode it and answers 500)."""
        assert isinstance(exc, RequestValidationError)
        described = {bytes: lambda data: f"<{len(data)} bytes that are not JSON>"}
        return JSONResponse(
            status_code=422, content={"detail": jsonable_encoder(exc.errors(), custom_encoder=described)}
        )

    app.add_exception_handler(RequestValidationError, validation_handler)
