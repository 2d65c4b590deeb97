"""The audit log, for admins."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from api.errors import error_responses
from api.routes import get_assistant
from api.security import authorize
from assistant.audit import AuditEvent
from assistant.auth import Principal
from assistant.service import Assistant

router = APIRouter(prefix="/v1", tags=["admin"], responses=error_responses(401, 403, 422, 429))


@router.get("/audit", response_model=list[AuditEvent], summary="Audit events, oldest first (admin keys only)")
def read_audit(
    since: float | None = Query(default=None, description="Unix time, inclusive"),
    until: float | None = Query(default=None, description="Unix time, inclusive"),
    action: str | None = Query(default=None, max_length=40, description="e.g. ask, documents.ingest"),
    key_id: str | None = Query(default=None, max_length=40),
    after_id: int = Query(default=0, ge=0, le=2**63 - 1, description="page on: the last id you received"),
    limit: int = Query(default=100, ge=1, le=1000),
    caller: Principal = Depends(authorize("audit.read")),
    assistant: Assistant = Depends(get_assistant),
) -> list[AuditEvent]:
    return assistant.audit.query(since=since, until=until, action=action, key_id=key_id, after_id=after_id, limit=limit)
