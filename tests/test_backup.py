"""Backup and restore: a snapshot taken while the index is open and being written is consistent, restores
whole into a fresh directory (same documents, same answers, same keys), and a damaged, foreign or hostile
archive is refused before anything is touched; a backup killed half-way leaves nothing behind."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import threading
import time

import pytest

from assistant.backup import backup, restore, verify
from assistant.config import PROJECT_ROOT
from assistant.errors import IndexLocked, InvalidInput
from assistant.service import Assistant
from tests.conftest import CORPUS, make_settings

DOCUMENTS = [
    "qd-339-so-tay-dang-vien.md",
    "kh-12-trien-khai-so-tay-phuong-huong-an.md",
    "qd-15-an-toan-du-lieu-tinh-uy.md",
]
QUESTION = "Đảng viên bị mất thiết bị cài Sổ tay phải báo trong bao lâu?"


@pytest.fixture
def live(tmp_path):
    """An open index (as a running server holds it) with three documents and a key."""
    assistant = Assistant(make_settings(tmp_path / "data"))
    assistant.pipeline.ingest_paths([CORPUS / name for name in DOCUMENTS[:2]])
    key, _ = assistant.keys.create("bí thư", "secretary", "tw/tinh-thai-nguyen", "internal")
    yield assistant, key
    assistant.close()


def consistent(assistant: Assistant) -> tuple[int, int]:
    """(documents, chunks), after checking that catalog, vectors and BM25 hold the same chunks."""
    index = assistant.index
    known = index.catalog.chunk_ids()
    assert index.vectors.all_ids() == known
    assert set(index.lexical.chunk_ids) == known
    return index.catalog.counts()


@pytest.mark.parametrize("name", ["snapshot.tar.zst", "snapshot.tar.gz", "snapshot-dir"])
def test_a_live_backup_restores_whole_with_the_same_answers_and_keys(live, tmp_path, name):
    assistant, key = live
    before = assistant.asker.ask(QUESTION)
    report = backup(assistant.settings, tmp_path / name)  # while the index is open in this process
    assert report.documents == 2 and report.chunks > 0 and report.files >= 5 and report.external == []
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no partial file left
    with pytest.raises(InvalidInput, match="exists already"):
        backup(assistant.settings, tmp_path / name)

    target = tmp_path / "restored"
    manifest, previous = restore(tmp_path / name, target)
    assert previous is None and manifest["documents"] == 2
    restored = Assistant(make_settings(target))
    try:
        assert consistent(restored) == consistent(assistant)
        after = restored.asker.ask(QUESTION)
        assert after.answer == before.answer and after.citations == before.citations
        assert restored.keys.authenticate(key) is not None  # keys come back too
    finally:
        restored.close()


def test_a_backup_taken_during_ingest_is_consistent(live, tmp_path):
    assistant, _ = live
    writer = threading.Thread(target=assistant.pipeline.ingest_paths, args=([CORPUS / DOCUMENTS[2]],))
    writer.start()
    time.sleep(0.2)
    backup(assistant.settings, tmp_path / "during.tar.zst")  # waits for the write lock, or runs before it
    writer.join()
    restored_dir = tmp_path / "restored"
    restore(tmp_path / "during.tar.zst", restored_dir)
    restored = Assistant(make_settings(restored_dir))
    try:
        documents, _ = consistent(restored)
        assert documents in (2, 3)  # before or after the ingest, never half of it
    finally:
        restored.close()


def test_restore_refuses_damaged_foreign_and_hostile_archives_and_a_running_server(live, tmp_path):
    assistant, _ = live
    snapshot = tmp_path / "snapshot"
    backup(assistant.settings, snapshot)
    verify(snapshot)
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep.txt").write_text("the old data")

    catalog = snapshot / "catalog.sqlite3"
    original = catalog.read_bytes()
    catalog.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    with pytest.raises(InvalidInput, match="catalog.sqlite3 does not match its checksum"):
        restore(snapshot, target)
    catalog.write_bytes(original)
    (snapshot / "extra.bin").write_bytes(b"x")
    with pytest.raises(InvalidInput, match="not listed"):
        restore(snapshot, target)
    (snapshot / "extra.bin").unlink()

    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        data = json.dumps({"format": "something-else", "files": {}}).encode()
        member = tarfile.TarInfo("manifest.json")
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    with pytest.raises(InvalidInput, match="another kind"):
        restore(foreign, target)

    hostile = tmp_path / "hostile.tar.gz"
    with tarfile.open(hostile, "w:gz") as tar:
        member = tarfile.TarInfo("../escape.txt")
        member.size = 1
        tar.addfile(member, io.BytesIO(b"x"))
    with pytest.raises(InvalidInput, match="never does"):
        restore(hostile, target)
    assert not (tmp_path / "escape.txt").exists()

    truncated = tmp_path / "truncated.tar.zst"
    backup(assistant.settings, truncated)
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    with pytest.raises(InvalidInput):
        restore(truncated, target)

    assert [p.name for p in target.iterdir()] == ["keep.txt"]  # untouched by every refusal
    assert not [p for p in tmp_path.iterdir() if ".restore-" in p.name]  # and nothing left half-unpacked
    with pytest.raises(IndexLocked, match="stop the server"):
        restore(snapshot, assistant.settings.data_dir)  # this process has it open

    manifest, previous = restore(snapshot, target)
    assert previous is not None and (previous / "keep.txt").exists() and (target / "catalog.sqlite3").exists()


@pytest.mark.slow
def test_a_backup_killed_half_way_leaves_nothing(live, tmp_path):
    """SIGKILL ``assistant backup`` while it writes: no archive, no leftovers that count, the data untouched;
    the next backup works."""
    assistant, _ = live
    counts = consistent(assistant)
    destination = tmp_path / "killed.tar.zst"
    staging = tmp_path / ".killed.tar.zst.partial"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "--data-dir",
            str(assistant.settings.data_dir),
            "backup",
            str(destination),
        ],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not staging.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, "the backup finished before it could be killed"
    process.send_signal(signal.SIGKILL)  # in the middle of copying
    process.wait(10)
    assert not destination.exists()
    assert consistent(assistant) == counts
    report = backup(assistant.settings, destination)  # the write lock died with the process
    assert report.documents == counts[0] and destination.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".killed")]  # its leftovers cleared
