"""Crash safety and multi-process use, for real: SIGKILL an ingest mid-batch, lock out a second process from an
embedded index, and share one index between processes through a real ``chroma run`` server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.config import PROJECT_ROOT
from assistant.index.catalog import version_of
from assistant.index.chunk_index import ChunkIndex
from assistant.ingest.chunker import StructureChunker
from assistant.ingest.loaders import load_file
from assistant.ingest.metadata import build_document
from assistant.service import Assistant
from tests.conftest import CELL_3, CORPUS, keyed_client, make_settings

pytestmark = pytest.mark.slow

TOPICS = [
    "sinh hoạt chi bộ",
    "bảo mật tài khoản",
    "chuyển đổi số",
    "học tập nghị quyết",
    "kiểm tra giám sát",
    "công tác dân vận",
    "phát triển đảng viên",
    "thu nộp đảng phí",
]


def cli(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """The real command line in its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "--data-dir", str(data_dir), *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def write_batch(folder: Path, n: int) -> list[Path]:
    """``n`` plan documents of eight articles each (one chunk per article)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        articles = "\n\n".join(
            f"Điều {a + 1}. {TOPICS[(i + a) % len(TOPICS)].capitalize()}\n"
            + " ".join(
                f"Chi bộ số {i} thực hiện nội dung {a + 1} về {TOPICS[(i + a) % len(TOPICS)]} trước ngày {s + 1} "
                f"tháng {a + 1} năm 2026, báo cáo kết quả lần {s + 1} cho Đảng ủy phường."
                for s in range(6)
            )
            for a in range(8)
        )
        path = folder / f"kh-{i:03d}.md"
        path.write_text(f"# KẾ HOẠCH SỐ {i}-KH/CB\n\n{articles}\n", encoding="utf-8")
        paths.append(path)
    return paths


def catalog_state(data_dir: Path) -> tuple[int, int]:
    """(committed documents, writes in progress) as another process sees them."""
    try:
        with sqlite3.connect(f"file:{data_dir / 'catalog.sqlite3'}?mode=ro", uri=True, timeout=1) as conn:
            return (
                conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0],
            )
    except sqlite3.Error:
        return 0, 0


def assert_consistent(settings) -> tuple[int, int]:
    """Catalog, Chroma and BM25 hold exactly the same chunks, each of its document's committed version."""
    with sqlite3.connect(settings.catalog_path) as conn:
        interrupted = conn.execute("SELECT doc_id, version FROM journal").fetchall()
    print(f"interrupted writes found in the journal: {interrupted}")
    index = ChunkIndex.open(settings)  # repairs what the journal says was interrupted
    try:
        known = index.catalog.chunk_ids()
        stored = index.vectors.collection.get(include=["metadatas"])
        assert set(stored["ids"]) == known and len(stored["ids"]) == len(known), "orphan or missing vectors"
        versions = {doc_id: version_of(index.catalog.document_hash(doc_id)[0]) for doc_id in index.catalog.metas()}
        assert all(m["version"] == versions[m["doc_id"]] for m in stored["metadatas"]), "a stale version's vectors"
        index.refresh_lexical()
        assert sorted(index.lexical.chunk_ids) == sorted(known), "BM25 disagrees with the catalog"
        assert index.catalog.journal_pending() == []
        return index.catalog.counts()
    finally:
        index.close()


def test_sigkill_mid_batch_leaves_a_consistent_index_and_ingest_resumes(tmp_path):
    settings = make_settings(tmp_path / "data")
    paths = write_batch(tmp_path / "batch", 24)
    chunker = StructureChunker(settings.chunk_max_chars, settings.chunk_min_chars)
    expected_chunks = sum(len(chunker.chunk(build_document(load_file(p, 10**7), p, "h"))) for p in paths)

    # Kill once between batches, once in the middle of writing one (vectors upserted, catalog not yet committed).
    # Documents are written 3 at a time here (32 by default), so a 24-file ingest has batches to kill between.
    batches = {"ASSISTANT_INGEST_BATCH_DOCUMENTS": "3"}
    for kill_after, mid_write in ((3, False), (6, True)):
        process = cli(settings.data_dir, "ingest", str(tmp_path / "batch"), env=batches)
        deadline = time.monotonic() + 180
        while process.poll() is None:
            committed, writing = catalog_state(settings.data_dir)
            if committed >= kill_after and (writing or not mid_write):
                break
            assert time.monotonic() < deadline, "ingest made no progress"
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL, "the batch finished before it could be killed"
        documents, chunks = assert_consistent(settings)
        assert kill_after <= documents < len(paths) and chunks == documents * (expected_chunks // len(paths))

    process = cli(settings.data_dir, "ingest", str(tmp_path / "batch"))
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    summary = out.splitlines()[0]
    assert f"added {len(paths) - documents}," in summary and f"unchanged {documents}," in summary, summary
    assert assert_consistent(settings) == (len(paths), expected_chunks)


def test_a_second_process_gets_a_clear_error_on_an_embedded_index(tmp_path, docs_dir):
    assistant = Assistant(make_settings(tmp_path / "data"))
    assistant.pipeline.ingest_paths([docs_dir])
    try:
        _, err = cli(assistant.settings.data_dir, "ingest", str(docs_dir)).communicate(timeout=120)
        assert f"is open in process {os.getpid()}" in err and "ASSISTANT_CHROMA_MODE=http" in err, err
    finally:
        assistant.close()
    process = cli(assistant.settings.data_dir, "docs")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0 and "qd-339-so-tay-dang-vien" in out, err  # free again once closed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real ``chroma run`` server on loopback."""
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if executable is None:
        pytest.skip("the chroma command (from the chromadb package) is not installed")
    port = free_port()
    server = subprocess.Popen(
        [executable, "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "chroma run did not start"
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_processes_share_an_index_through_a_chroma_server(tmp_path, chroma_server):
    settings = make_settings(tmp_path / "data", chroma_mode="http", chroma_port=chroma_server)
    assistant = Assistant(settings)
    try:
        report = assistant.pipeline.ingest_paths([CORPUS / "qd-339-so-tay-dang-vien.md"])
        assert report.count("added") == 1 and not (settings.chroma_path).exists()  # vectors live in the server
        # A second process writes to the same index while this one has it open: no lock error in server mode.
        env = {"ASSISTANT_CHROMA_MODE": "http", "ASSISTANT_CHROMA_PORT": str(chroma_server)}
        process = cli(settings.data_dir, "ingest", str(CORPUS / "tb-08-lich-sinh-hoat-chi-bo-3.txt"), env=env)
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0 and "added 1" in out, err
        with keyed_client(assistant, "member", CELL_3, "internal") as client:
            password = client.post("/v1/ask", json={"question": "Mật khẩu phải có ít nhất bao nhiêu ký tự?"}).json()
            assert password["status"] == "answered" and password["citations"][0]["doc_number"] == "339-QĐ/TW"
            schedule = client.post("/v1/ask", json={"question": "Chi bộ số 3 sinh hoạt thường kỳ vào ngày nào?"}).json()
            assert schedule["status"] == "answered", schedule
            assert schedule["citations"][0]["doc_id"] == "tb-08-lich-sinh-hoat-chi-bo-3"  # written by the other process
        assert assistant.index.vectors.count() == sum(assistant.index.catalog.counts()[1:])
    finally:
        assistant.close()
