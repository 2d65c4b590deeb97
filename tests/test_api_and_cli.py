"""Real HTTP through TestClient and the real CLI entry point."""

import json

import pytest

from assistant.cli import main
from assistant.service import Assistant
from tests.conftest import CELL_3, CORPUS, api_key, keyed_client, make_settings

pytestmark = pytest.mark.slow


@pytest.fixture
def client(corpus_assistant):
    with keyed_client(corpus_assistant) as c:
        yield c


def test_health_docs_and_openapi(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["documents"] >= 12 and health["engine"] == "extractive"
    assert client.get("/openapi.json").status_code == 200
    docs = client.get("/v1/documents").json()
    assert any(d["doc_number"] == "339-QĐ/TW" for d in docs)
    one = client.get("/v1/documents/qd-339-so-tay-dang-vien").json()
    assert one["meta"]["doc_type"] == "regulation" and one["chunks"][0]["char_end"] > 0
    missing = client.get("/v1/documents/no-such-doc")
    assert missing.status_code == 404 and "no-such-doc" in missing.json()["detail"]


def test_search_returns_citations_and_honours_filters(client):
    body = {"query": "mật khẩu phải có bao nhiêu ký tự", "k": 3}
    hits = client.post("/v1/search", json=body).json()["hits"]
    first = hits[0]["citation"]
    assert first["doc_number"] == "339-QĐ/TW" and "Điều 5" in first["structure_path"]
    assert first["page"] == 1 and "8 ký tự" in first["quote"]
    scoped = {"query": "kết quả đánh giá xếp loại đảng viên", "k": 10}
    member = api_key(client.app.state.assistant, "member", CELL_3, "internal")
    for hit in client.post("/v1/search", json=scoped, headers=member).json()["hits"]:
        assert "CANARY" not in hit["citation"]["quote"]
    assert client.post("/v1/search", json={"query": ""}).status_code == 422
    assert client.post("/v1/search", json={"query": "x", "filters": {"date_from": "tomorrow"}}).status_code == 422


def test_upload_ingests_and_rejects_bad_files(tmp_path):
    assistant = Assistant(make_settings(tmp_path / "data"))
    with keyed_client(assistant) as c:
        ok = c.post(
            "/v1/documents",
            files={"file": ("thong-bao.txt", "Điều 1. Lịch họp\nChi bộ họp ngày 5.".encode())},
            data={"org_unit": "tw/tinh-a", "access_level": "internal"},
        )
        assert ok.status_code == 201 and ok.json()["status"] == "added"
        assert c.get("/v1/documents/thong-bao").json()["meta"]["access_level"] == "internal"
        bad = c.post("/v1/documents", files={"file": ("x.txt", b"\x00\x01\x02" * 100)})
        assert bad.status_code == 415 and "binary" in bad.json()["detail"]
        unsupported = c.post("/v1/documents", files={"file": ("x.exe", b"MZ....")})
        assert unsupported.status_code == 415 and "unsupported" in unsupported.json()["detail"]
        assert c.delete("/v1/documents/thong-bao").status_code == 200
        assert c.delete("/v1/documents/thong-bao").status_code == 404


def test_cli_ingest_report_search_and_delete(tmp_path, capsys):
    data = str(tmp_path / "data")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "qd.md").write_text((CORPUS / "qd-339-so-tay-dang-vien.md").read_text())
    (docs / "empty.txt").write_bytes(b"")
    assert main(["--data-dir", data, "ingest", str(docs)]) == 1  # one failure -> non-zero exit
    out = capsys.readouterr().out
    assert "added 1, updated 0, unchanged 0, failed 1" in out and "empty file" in out
    (docs / "empty.txt").unlink()
    assert main(["--data-dir", data, "ingest", str(docs)]) == 0
    assert "unchanged 1" in capsys.readouterr().out
    assert main(["--data-dir", data, "search", "mất điện thoại báo chi ủy", "--json", "-k", "2"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["doc_number"] == "339-QĐ/TW" and hits[0]["structure_path"]
    assert main(["--data-dir", data, "delete", "qd-339-so-tay-dang-vien"]) == 0
    assert main(["--data-dir", data, "delete", "qd-339-so-tay-dang-vien"]) == 1
    assert "no document" in capsys.readouterr().err
