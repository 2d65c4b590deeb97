"""``assistant check``: an index whose vectors, versions and BM25 drifted from the catalog is reported, repaired
from the catalog's stored text, and then answers as before."""

from __future__ import annotations

import json

import numpy as np

from assistant.cli import main
from assistant.filters import vector_metadata
from assistant.index.check import check
from assistant.service import Assistant
from tests.conftest import CORPUS, make_settings

QUESTION = "Đảng viên bị mất thiết bị cài Sổ tay phải báo trong bao lâu?"


def test_check_finds_each_kind_of_drift_and_repair_fixes_it(tmp_path, capsys):
    settings = make_settings(tmp_path / "data")
    assistant = Assistant(settings)
    try:
        assistant.pipeline.ingest_paths(
            [CORPUS / "qd-339-so-tay-dang-vien.md", CORPUS / "qd-15-an-toan-du-lieu-tinh-uy.md"]
        )
        before = assistant.asker.ask(QUESTION)
        index = assistant.index
        assert check(index).consistent

        chunk_ids = sorted(index.catalog.chunk_ids())
        lost, old = chunk_ids[0], chunk_ids[-1]
        index.vectors.delete_ids([lost])  # a chunk without its vector
        meta = index.catalog.metas()[index.catalog.chunks_by_id([old])[old].doc_id]
        vector = np.ones((1, 384), dtype=np.float32)
        index.vectors.upsert([old], vector, [vector_metadata(meta, "0ld0ld0ld0")])  # a vector of an old version
        index.vectors.upsert(["ghost::0"], vector, [vector_metadata(meta, "gh0st")])  # a vector of no chunk
        index.lexical.build([], generation=0)  # BM25 emptied
        index.catalog.journal_add("half-written", "v1")  # an interrupted write

        found = check(index)
        assert not found.consistent and found.pending_writes == 1
        assert found.missing_vectors == [lost] and found.stale_vectors == [old] and found.orphan_vectors == ["ghost::0"]
        assert found.bm25_missing == len(chunk_ids) and found.bm25_outdated

        repaired = check(index, repair=True)
        assert repaired.repaired == {
            "journal_entries_finished": 1,
            "vectors_deleted": 2,
            "chunks_embedded": 2,
            "bm25_rebuilt": 1,
        }
        assert check(index).consistent
        after = assistant.asker.ask(QUESTION)
        assert after.answer == before.answer and after.citations == before.citations
    finally:
        assistant.close()

    data = ["--data-dir", str(settings.data_dir)]
    assert main([*data, "check"]) == 0 and "consistent: catalog, vectors and BM25 agree" in capsys.readouterr().out
    assert main([*data, "check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["consistent"] and report["documents"] == 2 and report["vectors"] == report["chunks"]
