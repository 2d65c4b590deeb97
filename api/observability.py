"""What an operator watches: a request id on every request (the ``X-Request-ID`` header, kept in the audit
row and in the log line), one JSON log line per request, and ``/metrics`` in Prometheus's text format
(requests by route and status, latency, index size, jobs by state, ingests, audit write failures), readable
from the machine itself (loopback) or with an admin key.

Metrics are per process (with several workers, scrape each, or read the totals from the audit log)."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from dataclasses import dataclass

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from api.errors import error_responses
from api.security import BEARER, HEADER_KEY, authorize

LOOPBACK = {"127.0.0.1", "::1"}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = logging.getLogger("assistant.access")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object a line (its ``fields`` extra merged in)."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


@dataclass
class Metrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    ingested: Counter
    audit_failures: Counter
    documents: Gauge
    chunks: Gauge
    jobs: Gauge

    @classmethod
    def create(cls) -> Metrics:
        registry = CollectorRegistry()
        return cls(
            registry,
            Counter("assistant_http_requests", "HTTP requests", ["route", "method", "status"], registry=registry),
            Histogram(
                "assistant_http_request_seconds",
                "Time to answer, by route",
                ["route"],
                buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
                registry=registry,
            ),
            Counter("assistant_documents_ingested", "Uploaded files, by outcome", ["result"], registry=registry),
            Counter("assistant_audit_write_failures", "Audit events that could not be written", registry=registry),
            Gauge("assistant_index_documents", "Documents in the index", registry=registry),
            Gauge("assistant_index_chunks", "Chunks in the index", registry=registry),
            Gauge("assistant_jobs", "Background jobs kept, by kind and state", ["kind", "status"], registry=registry),
        )


def metrics_of(request: Request) -> Metrics:
    return request.app.state.metrics


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", None) or "unmatched"


def install_observability(app: FastAPI) -> None:
    """Request ids, JSON access log lines and the metrics (add it last: it must wrap the other middleware)."""
    app.state.metrics = metrics = Metrics.create()
    if not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False

    @app.middleware("http")
    async def observe(request: Request, call_next):
        given = request.headers.get("x-request-id", "")
        request.state.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers["X-Request-ID"] = request.state.request_id
            return response
        finally:
            seconds = time.perf_counter() - started
            route = _route(request)
            metrics.requests.labels(route, request.method, str(status)).inc()
            metrics.latency.labels(route).observe(seconds)
            event = getattr(request.state, "audit_event", None)
            access_log.info(
                "%s %s %s",
                request.method,
                route,
                status,
                extra={
                    "fields": {
                        "request_id": request.state.request_id,
                        "method": request.method,
                        "route": route,
                        "status": status,
                        "ms": round(seconds * 1000, 1),
                        "key_id": getattr(event, "key_id", None),
                    }
                },
            )

    app.include_router(router)


router = APIRouter(tags=["admin"])


def _metrics_reader(
    request: Request,
    bearer: HTTPAuthorizationCredentials | None = Depends(BEARER),
    header_key: str | None = Depends(HEADER_KEY),
) -> None:
    """The machine itself may read the metrics without a key; anyone else needs an admin key."""
    if request.client is None or request.client.host not in LOOPBACK:
        authorize("metrics")(request, bearer, header_key)


@router.get(
    "/metrics",
    summary="Prometheus metrics (from loopback, or with an admin key)",
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, **error_responses(401, 403)},
    dependencies=[Depends(_metrics_reader)],
)
def read_metrics(request: Request) -> Response:
    metrics = metrics_of(request)
    assistant = request.app.state.assistant
    documents, chunks = assistant.index.catalog.counts()
    metrics.documents.set(documents)
    metrics.chunks.set(chunks)
    metrics.jobs.clear()
    for (kind, status), count in assistant.jobs.store.tally().items():
        metrics.jobs.labels(kind, status).set(count)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
