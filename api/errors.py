"""Map the library's typed errors to HTTP responses, in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from assistant.errors import (
    AccessDenied,
    BackendUnavailable,
    IndexLocked,
    IngestError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
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
    BackendUnavailable: 503,
    Unauthenticated: 401,
    PayloadTooLarge: 413,
    UnsupportedType: 415,
}


def install_error_handlers(app: FastAPI) -> None:
    for error_type, status in STATUS.items():
        def handler(_: Request, exc: Exception, status: int = status) -> JSONResponse:
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return JSONResponse(status_code=status, content={"detail": str(exc), "error": type(exc).__name__},
                                headers=headers)

        app.add_exception_handler(error_type, handler)

    def record_handler(_: Request, exc: InvalidRecord) -> JSONResponse:
        """Field-level problems, shaped like FastAPI's own validation errors."""
        detail = [{"loc": ["body", *p.loc], "msg": p.message, "type": "record_rule"} for p in exc.problems]
        return JSONResponse(status_code=422, content={"detail": detail, "error": "InvalidRecord"})

    app.add_exception_handler(InvalidRecord, record_handler)
