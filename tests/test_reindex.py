"""Re-index: a new collection is built beside the live one while questions are answered and documents
ingested, then swapped in; a re-index that fails leaves the old one live; another model can be swapped in."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from assistant.config import PROJECT_ROOT
from assistant.index import check as check_module
from assistant.index.check import check
from assistant.index.live import live_index
from assistant.index.reindex import reindex
from assistant.service import Assistant
from tests.conftest import CORPUS, make_settings

QUESTION = "Đảng viên bị mất thiết bị cài Sổ tay phải báo trong bao lâu?"


@pytest.fixture
def built(tmp_path):
    assistant = Assistant(make_settings(tmp_path / "data"))
    assistant.pipeline.ingest_paths([CORPUS / "qd-339-so-tay-dang-vien.md", CORPUS / "tb-03-hop-chi-bo-1-tan-lap.md"])
    yield assistant
    assistant.close()


def collections(assistant: Assistant) -> list[str]:
    return sorted(getattr(c, "name", c) for c in assistant.index.vectors.client.list_collections())


def test_reindex_swaps_in_a_new_collection_while_questions_and_ingests_go_on(built, monkeypatch):
    monkeypatch.setattr(check_module, "BATCH", 4)  # several batches, so things happen between them
    before = built.asker.ask(QUESTION)
    old = built.index.vectors.name
    answered, ingested = [], []

    def meanwhile(fraction: float, message: str) -> None:
        answered.append(built.asker.ask(QUESTION).answer)  # against the live (old) collection
        if not ingested:
            ingested.append(built.pipeline.ingest_paths([CORPUS / "qd-15-an-toan-du-lieu-tinh-uy.md"]))

    report = reindex(built.index, progress=meanwhile)
    assert len(answered) > 2 and set(answered) == {before.answer}
    assert report.previous == old and report.caught_up > 0  # the document ingested meanwhile was caught up
    assert collections(built) == sorted([report.collection, old])  # the old one stays for requests in flight
    assert live_index(built.settings).collection == report.collection
    assert check(built.index).consistent and built.index.catalog.counts()[0] == 3
    after = built.asker.ask(QUESTION)
    assert after.answer == before.answer and after.citations == before.citations

    settings = built.settings
    built.close()
    reopened = Assistant(settings)  # a restart reads the pointer
    try:
        assert reopened.index.vectors.name == report.collection and check(reopened.index).consistent
        assert reopened.asker.ask(QUESTION).answer == before.answer
    finally:
        reopened.close()


def test_a_failed_reindex_leaves_the_old_collection_live_and_the_next_clears_it(built, monkeypatch):
    before = built.asker.ask(QUESTION)
    old = built.index.vectors.name
    monkeypatch.setattr(check_module, "BATCH", 4)

    def crash(fraction: float, message: str) -> None:
        if fraction > 0.3:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        reindex(built.index, progress=crash)
    assert built.index.vectors.name == old and live_index(built.settings).collection == old
    assert len(collections(built)) == 2  # the half-built one is still there...
    assert built.asker.ask(QUESTION).answer == before.answer
    report = reindex(built.index)
    assert collections(built) == sorted([report.collection, old])  # ...until the next re-index drops it


@pytest.mark.slow
def test_a_sigkilled_reindex_leaves_a_working_index(built):
    """``assistant reindex`` killed at several moments: every time the index opens consistent and answers as
    before (the old collection, or the new one when the kill came after the swap)."""
    before = built.asker.ask(QUESTION)
    settings = built.settings
    built.close()
    for delay in (1.0, 2.0, 3.0, 4.0):
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "--data-dir", str(settings.data_dir), "reindex"],
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        reopened = Assistant(settings)
        try:
            assert check(reopened.index).consistent
            after = reopened.asker.ask(QUESTION)
            assert after.answer == before.answer and after.citations == before.citations
        finally:
            reopened.close()


@pytest.mark.slow
def test_reindex_with_another_embedding_model(built):
    report = reindex(built.index, "sentence-transformers:all-MiniLM-L6-v2")
    assert report.embedding_model == "sentence-transformers:all-MiniLM-L6-v2"
    assert "MiniLM" in built.index.embedder.name and check(built.index).consistent
    assert built.asker.ask(QUESTION).citations  # still answers, with the new model's vectors
    settings = built.settings
    built.close()
    reopened = Assistant(settings)
    try:
        assert "MiniLM" in reopened.index.embedder.name
    finally:
        reopened.close()


def test_a_reindex_through_the_api_keeps_every_route_working_and_other_workers_follow(built):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.conftest import api_key

    other = Assistant(built.settings)  # a second worker on the same index
    try:
        before = other.asker.ask(QUESTION)
        with TestClient(create_app(built.settings, assistant=built)) as client:
            admin = api_key(built, "admin", "", "confidential")
            member = api_key(built, "member", "tw/tinh-thai-nguyen", "internal")
            assert client.post("/v1/index/reindex", json={}, headers=member).status_code == 403
            job = client.post("/v1/index/reindex", json={}, headers=admin).json()
            done = client.get(f"/v1/jobs/{job['id']}", params={"wait": 30}, headers=admin).json()
            assert done["status"] == "done", done
            assert client.post("/v1/search", json={"query": QUESTION}, headers=member).status_code == 200
            assert client.post("/v1/ask", json={"question": QUESTION}, headers=member).json()["answer"] == before.answer
            summary = client.post("/v1/summarize", json={"doc_id": "qd-339-so-tay-dang-vien"}, headers=member)
            assert summary.status_code == 200 and summary.json()["points"]
        after = other.asker.ask(QUESTION)  # the other worker read the pointer and moved over
        assert other.index.vectors.name == done["result"]["collection"] and after.answer == before.answer
    finally:
        other.close()
