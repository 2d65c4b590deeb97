"""Map the library's typed errors to HTTP responses, in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from assistant.errors import AccessDenied, BackendUnavailable, IndexLocked, IngestError, InvalidInput, NotFound

STATUS = {
    IngestError: 422,
    InvalidInput: 422,
    NotFound: 404,
    AccessDenied: 403,
    IndexLocked: 409,
    BackendUnavailable: 503,
}


def install_error_handlers(app: FastAPI) -> None:
    for error_type, status in STATUS.items():
        def handler(_: Request, exc: Exception, status: int = status) -> JSONResponse:
            return JSONResponse(status_code=status, content={"detail": str(exc), "error": type(exc).__name__})

        app.add_exception_handler(error_type, handler)
