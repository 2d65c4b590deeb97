"""Per-operation figures from a Schemathesis HAR report: how many generated requests reached the handler.

A request "reached the handler" when the API did not refuse it at validation: any status but 400 and 422,
and a 422 that the handler itself gave after reading the content (a string ``detail`` with an ``error`` kind
such as ``IngestError``: e.g. OCR found no text in a generated image). Refused at validation: FastAPI's field
list, and the meeting-record rules (``InvalidRecord``), which are checked before any work.
401/403/404/409/413/415 count as reached: they come from the route's own checks, past request validation.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

VALIDATION_STATUSES = frozenset({400, 422})
VALIDATION_ERRORS = frozenset({None, "InvalidRecord"})  # the ``error`` of a 422 refused before the handler's work


def refused_by_validation(status: int, response_text: str | None) -> bool:
    """Was this response a refusal at request validation (see the module's docstring)?"""
    if status not in VALIDATION_STATUSES:
        return False
    try:
        body = json.loads(response_text or "")
    except ValueError:
        return True
    return (
        not isinstance(body, dict) or body.get("error") in VALIDATION_ERRORS or not isinstance(body.get("detail"), str)
    )


@dataclass
class OperationFigures:
    requests: int = 0
    refused_by_validation: int = 0
    server_errors: int = 0
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def accepted_share(self) -> float:
        return round(1 - self.refused_by_validation / self.requests, 3) if self.requests else 0.0

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "accepted_share": self.accepted_share,
            "server_errors": self.server_errors,
            "statuses": dict(sorted(self.statuses.items())),
        }


def _path_matchers(openapi: dict) -> list[tuple[re.Pattern[str], str, set[str]]]:
    """One regex per templated path of the spec (``/v1/jobs/{job_id}`` -> ``^/v1/jobs/[^/]+$``), literal ones first."""
    matchers = []
    for path, item in openapi.get("paths", {}).items():
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"
        matchers.append((re.compile(pattern), path, {m.upper() for m in item}))
    matchers.sort(key=lambda m: m[1].count("{"))  # /v1/documents before /v1/documents/{doc_id}
    return matchers


def operation_of(method: str, url: str, matchers: list[tuple[re.Pattern[str], str, set[str]]]) -> str | None:
    path = urlsplit(url).path
    for pattern, template, methods in matchers:
        if method.upper() in methods and pattern.match(path):
            return f"{method.upper()} {template}"
    return None


def figures_from_har(har_path: Path, openapi: dict) -> dict[str, OperationFigures]:
    """Figures per operation of every request in the HAR file that belongs to an operation of ``openapi``."""
    matchers = _path_matchers(openapi)
    per_operation: dict[str, OperationFigures] = defaultdict(OperationFigures)
    entries = json.loads(har_path.read_text(encoding="utf-8")).get("log", {}).get("entries", [])
    for entry in entries:
        request, response = entry.get("request", {}), entry.get("response", {})
        operation = operation_of(request.get("method", ""), request.get("url", ""), matchers)
        if operation is None:
            continue
        status = int(response.get("status") or 0)
        figures = per_operation[operation]
        figures.requests += 1
        figures.statuses[status] += 1
        figures.refused_by_validation += refused_by_validation(status, response.get("content", {}).get("text"))
        figures.server_errors += status >= 500
    return dict(sorted(per_operation.items()))


def summary(per_operation: dict[str, OperationFigures], target: float) -> dict:
    """JSON-ready report: per operation, the lowest share, and which operations miss ``target``."""
    shares = {op: f.accepted_share for op, f in per_operation.items()}
    return {
        "operations": {op: f.as_dict() for op, f in per_operation.items()},
        "lowest_accepted_share": min(shares.values(), default=None),
        "below_target": sorted(op for op, share in shares.items() if share < target),
        "target": target,
        "server_errors": sum(f.server_errors for f in per_operation.values()),
    }
