"""Request ids, JSON access log lines and ``/metrics``: the id a client sends (or one made up) comes back in
the header, is kept in the audit row and in the log line; metrics count requests, time them, and tell the
index's size and the jobs; only the machine itself or an admin key reads them."""

from __future__ import annotations

import json
import logging

from fastapi.testclient import TestClient

from api.app import create_app
from api.observability import JsonFormatter, access_log
from tests.conftest import api_key, make_settings

CELL = "tw/tinh-thai-nguyen/phuong-huong-an/chi-bo-3"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(JsonFormatter().format(record)))


def test_request_ids_reach_the_header_the_audit_row_and_the_log(tmp_path):
    app = create_app(make_settings(tmp_path / "data"))
    log = Lines()
    access_log.addHandler(log)
    with TestClient(app) as client:
        member = api_key(app.state.assistant, "member", CELL, "internal")
        try:
            response = client.post(
                "/v1/search", json={"query": "sinh hoạt chi bộ"}, headers={**member, "X-Request-ID": "phone-42.retry-1"}
            )
            made_up = client.post("/v1/search", json={"query": "đảng phí"}, headers=member)
            hostile = client.get("/health", headers={"X-Request-ID": "x" * 300})
        finally:
            access_log.removeHandler(log)
        assert response.status_code == 200 and response.headers["X-Request-ID"] == "phone-42.retry-1"
        assert len(made_up.headers["X-Request-ID"]) == 16 and len(hostile.headers["X-Request-ID"]) == 16
        events = app.state.assistant.audit.query(action="search")
        assert [e.detail["request_id"] for e in events] == ["phone-42.retry-1", made_up.headers["X-Request-ID"]]
        first = next(line for line in log.lines if line["request_id"] == "phone-42.retry-1")
        assert first["route"] == "/v1/search" and first["status"] == 200 and first["key_id"] and first["ms"] >= 0


def test_metrics_count_requests_and_show_the_index_and_jobs_to_loopback_or_admins(tmp_path):
    app = create_app(make_settings(tmp_path / "data"))
    with TestClient(app) as client:
        assistant = app.state.assistant
        member = api_key(assistant, "member", CELL, "internal")
        admin = api_key(assistant, "admin", "", "confidential")
        client.post(
            "/v1/documents", headers=admin, files={"file": ("tb.md", "# Thông báo\nChi bộ họp ngày 5.".encode())}
        )
        client.post(
            "/v1/summarize",
            headers=member,
            json={"text": "Chi bộ họp ngày 5 tháng 12. Mọi đảng viên dự họp đầy đủ, đúng giờ.", "background": True},
        )
        client.get("/v1/documents", headers=member)

        assert client.get("/metrics").status_code == 401  # "testclient" is not the machine itself
        assert client.get("/metrics", headers=member).status_code == 403
        text = client.get("/metrics", headers=admin).text
        assert 'assistant_http_requests_total{method="GET",route="/v1/documents",status="200"} 1.0' in text
        assert 'assistant_http_request_seconds_bucket{le="0.01",route="/v1/documents"}' in text
        assert 'assistant_documents_ingested_total{result="added"} 1.0' in text
        assert "assistant_index_documents 1.0" in text and "assistant_audit_write_failures_total 0.0" in text
        assert 'assistant_jobs{kind="summary",status=' in text
        local = TestClient(app, client=("127.0.0.1", 40000))  # the same running app, called from the machine itself
        assert local.get("/metrics").status_code == 200  # needs no key
