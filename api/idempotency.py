"""``Idempotency-Key`` on changing requests: a retried request gets the first answer back instead of acting twice.

The page's offline queue sends every queued action (a meeting reply, a question) with a key of its own; when
the network drops the answer and the phone sends it again, the server replays what it answered the first time
(header ``Idempotent-Replayed: true``). Keys are per caller (a hash of the credentials sent). A server error
is not kept: retrying it runs the request again.
"""

from __future__ import annotations

import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEPT_BYTES = 2 * 2**20  # larger answers (audio, documents) are not kept: such a retry runs again


def _owner(request: Request) -> str | None:
    credentials = request.headers.get("authorization") or request.headers.get("x-api-key")
    return hashlib.sha256(credentials.encode()).hexdigest() if credentials else None


def install_idempotency(app: FastAPI) -> None:
    @app.middleware("http")
    async def idempotent_requests(request: Request, call_next):
        key = request.headers.get(HEADER)
        owner = _owner(request)
        if key is None or owner is None or request.method not in CHANGING or not request.url.path.startswith("/v1/"):
            return await call_next(request)
        if not KEY_PATTERN.match(key):
            return JSONResponse(
                status_code=422,
                content={
                    "error": "InvalidInput",
                    "detail": (f"{HEADER} must be 8 to 100 letters, digits or _.:- (e.g. a UUID)"),
                },
            )
        store = request.app.state.assistant.idempotency
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        claim = await run_in_threadpool(store.claim, owner, key, request.method, path)
        if claim.outcome == "done":
            return Response(
                claim.stored.body,
                status_code=claim.stored.status,
                media_type=claim.stored.media_type,
                headers={"Idempotent-Replayed": "true"},
            )
        if claim.outcome == "running":
            return JSONResponse(
                status_code=409,
                content={
                    "error": "Conflict",
                    "detail": (f"the request with this {HEADER} is still being processed: ask again in a moment"),
                },
            )
        if claim.outcome == "other_request":
            return JSONResponse(
                status_code=422,
                content={
                    "error": "InvalidInput",
                    "detail": (f"this {HEADER} was used for {claim.used_for}: use a new key for another request"),
                },
            )
        try:
            response = await call_next(request)
        except Exception:
            await run_in_threadpool(store.release, owner, key)
            raise
        body = b"".join([chunk async for chunk in response.body_iterator])
        if response.status_code >= 500 or response.status_code == 401 or len(body) > MAX_KEPT_BYTES:
            await run_in_threadpool(store.release, owner, key)
        else:
            await run_in_threadpool(
                store.finish, owner, key, response.status_code, response.headers.get("content-type"), body
            )
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return Response(body, status_code=response.status_code, headers=headers)
