"""Who is calling (API key -> Principal), what each route may do, and an audit record of every request.

Every route under ``/v1`` depends on :func:`authorize` with its action name: no key -> 401, a key whose
role lacks the action's permission -> 403. The middleware writes the audit event after the reply is
known, so refused and failed requests are logged too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from assistant.audit import AuditEvent
from assistant.auth import Permission, Principal
from assistant.errors import RateLimited, Unauthenticated

BEARER = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer ga_...`")
HEADER_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="or the key in an X-API-Key header")

ACTIONS: dict[str, Permission] = {
    "me": Permission.read,
    "documents.list": Permission.read,
    "documents.read": Permission.read,
    "search": Permission.read,
    "ask": Permission.read,
    "summarize": Permission.read,
    "bulletin": Permission.read,
    "speech": Permission.read,
    "transcribe": Permission.read,
    "jobs.read": Permission.read,
    "jobs.cancel": Permission.read,
    "draft.minutes": Permission.draft,
    "draft.report": Permission.draft,
    "draft.resolution": Permission.draft,
    "draft.notice": Permission.draft,
    "meetings.schedule": Permission.draft,
    "meetings.read": Permission.read,
    "meetings.reply": Permission.read,
    "meetings.figures": Permission.draft,
    "meetings.publish": Permission.draft,
    "meetings.record": Permission.draft,
    "meetings.draft": Permission.draft,
    "meetings.approve": Permission.draft,
    "roster.read": Permission.draft,
    "roster.update": Permission.draft,
    "calendar.issue": Permission.read,
    "consultations.open": Permission.draft,
    "consultations.read": Permission.read,
    "consultations.comment": Permission.read,
    "consultations.paper": Permission.draft,
    "consultations.synthesis": Permission.draft,
    "documents.ingest": Permission.ingest,
    "documents.delete": Permission.ingest,
    "audit.read": Permission.admin,
    "metrics": Permission.admin,
    "index.reindex": Permission.admin,
}
UNAUDITED = {"jobs.read", "me"}  # polling a job or asking who one is says nothing new


def authorize(action: str) -> Callable[..., Principal]:
    """A dependency that authenticates the caller and checks the role may perform ``action``."""
    permission = ACTIONS[action]

    def dependency(
        request: Request,
        bearer: HTTPAuthorizationCredentials | None = Depends(BEARER),
        header_key: str | None = Depends(HEADER_KEY),
    ) -> Principal:
        event = AuditEvent(action=action, status=0)
        if action not in UNAUDITED:
            request.state.audit_event = event
        key = (bearer.credentials if bearer else None) or header_key
        if not key:
            raise Unauthenticated("this needs an API key: send 'Authorization: Bearer <key>' (or an X-API-Key header)")
        principal = request.app.state.assistant.keys.authenticate(key)
        if principal is None:
            raise Unauthenticated("unknown or revoked API key")
        event.key_id, event.key_name = principal.key_id, principal.name
        event.role, event.org_unit = principal.role.value, principal.org_unit
        wait = request.app.state.assistant.rate_limiter.wait(principal.key_id)
        if wait:
            raise RateLimited(
                f"too many requests from this key: try again in {max(1, round(wait))} s", retry_after=wait
            )
        principal.require(permission)
        return principal

    return dependency


def note(request: Request, target: str | None = None, **detail: Any) -> None:
    """Add what the request was about to its audit event."""
    event: AuditEvent | None = getattr(request.state, "audit_event", None)
    if event is not None:
        if target is not None:
            event.target = target
        event.detail.update({k: v for k, v in detail.items() if v is not None})


def install_audit(app: FastAPI) -> None:
    """Record each authorized-or-refused request's audit event once its status is known."""

    @app.middleware("http")
    async def audit_requests(request: Request, call_next):
        try:
            response = await call_next(request)
        except Exception:
            await _record(request, 500)
            raise
        await _record(request, response.status_code)
        return response


async def _record(request: Request, status: int) -> None:
    event: AuditEvent | None = getattr(request.state, "audit_event", None)
    if event is not None:
        event.status = status
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            event.detail["request_id"] = request_id  # the same id as the response header and the log line
        try:
            await run_in_threadpool(request.app.state.assistant.audit.record, event)
        except Exception:
            metrics = getattr(request.app.state, "metrics", None)
            if metrics is not None:
                metrics.audit_failures.inc()
            raise
