"""BM25 of a large index: changed documents go to a small delta beside the main index, scored exactly as the
main index scores its own chunks, instead of a rebuild of the whole; the catalog's change log brings the
delta back in another process or after a restart."""

from __future__ import annotations

import pytest

from assistant.index.catalog import Catalog
from assistant.index.check import check
from assistant.index.lexical import LexicalIndex
from assistant.service import Assistant
from tests.conftest import CORPUS, make_settings

SENTENCES = [
    "Mật khẩu phải có ít nhất 8 ký tự, gồm chữ và số.",
    "Chi bộ sinh hoạt thường kỳ mỗi tháng một lần vào ngày 5.",
    "Đảng viên mất thiết bị phải báo cho chi ủy trong 24 giờ.",
    "Members vote electronically in the application during the meeting.",
    "Tài liệu mật chỉ được xử lý trên máy tính không kết nối Internet.",
    "Bí thư chi bộ cập nhật lịch sinh hoạt lên ứng dụng trước 3 ngày.",
    "Kết quả biểu quyết được ghi vào biên bản và lưu trữ 10 năm.",
    "Chi bộ trồng cây xanh ở tổ dân phố và vận động hộ gia đình.",
]
QUERIES = ["mật khẩu bao nhiêu ký tự", "sinh hoat chi bo", "vote in the meeting", "chi bộ", "biên bản biểu quyết"]


def items() -> list[tuple[str, str, str]]:
    """Eight documents of three chunks each (the sentences in turn)."""
    return [
        (f"d{d}::{c}", f"d{d}", f"{SENTENCES[(d + c) % len(SENTENCES)]} {SENTENCES[(d * 3 + c) % len(SENTENCES)]}")
        for d in range(8)
        for c in range(3)
    ]


def test_a_document_put_in_the_delta_unchanged_scores_as_in_the_main_index(tmp_path):
    whole = LexicalIndex(tmp_path / "whole")
    whole.build(items(), generation=1)
    split = LexicalIndex(tmp_path / "split", delta_from=1, delta_share=1.0)
    split.build(items(), generation=1)
    same = {doc: [(cid, text) for cid, d, text in items() if d == doc] for doc in ("d2", "d5")}
    assert split.takes_delta(6)
    split.apply(same, generation=2)
    assert split.delta_chunks == 6 and split.generation == 2 and split.built_generation == 1
    for query in QUERIES:  # every chunk's score, as a full rebuild gives it
        expected, got = dict(whole.search(query, 100)), dict(split.search(query, 100))
        assert expected and got.keys() == expected.keys(), query
        assert all(got[cid] == pytest.approx(score, rel=1e-5) for cid, score in expected.items()), query
        assert dict(split.search(query, 100, {"d2", "d3"})) == pytest.approx(
            dict(whole.search(query, 100, {"d2", "d3"}))
        )


def test_changed_and_deleted_documents_are_searched_as_they_are_now(tmp_path):
    index = LexicalIndex(tmp_path / "bm25", delta_from=1, delta_share=0.5)
    index.build(items(), generation=1)
    index.apply({"d3": [("d3::new", "Chi bộ trồng 75 cây bàng ở tổ dân phố số 9.")], "d4": []}, generation=2)
    top = index.search("trồng 75 cây bàng", 3)
    assert top[0][0] == "d3::new" and all(not cid.startswith(("d3::0", "d4::")) for cid, _ in top)
    assert not any(cid.startswith(("d3::", "d4::")) and cid != "d3::new" for cid, _ in index.search("chi bộ", 30))
    assert index.search("cây bàng", 3, allowed_docs={"d1"}) == []  # the delta is filtered like the rest
    live = index.chunk_ids
    assert "d3::new" in live and not any(c.startswith("d4::") or c.startswith("d3::0") for c in live)
    assert len(live) == 24 - 6 + 1
    assert not index.takes_delta(12)  # 1 + 12 chunks would be over half of the main index: rebuild instead

    index.save()  # only the main index is saved; the change log brings the delta back
    loaded = LexicalIndex(tmp_path / "bm25", delta_from=1)
    assert loaded.load() and loaded.generation == loaded.built_generation == 1 and loaded.delta_chunks == 0


def test_the_change_log_says_what_changed_since_a_generation(tmp_path):
    from assistant.domain import Chunk, Document, DocumentMeta

    catalog = Catalog(tmp_path / "catalog.sqlite3")

    def document(doc_id: str, text: str) -> tuple[Document, list[Chunk]]:
        meta = DocumentMeta(doc_id=doc_id, title=doc_id)
        chunk = Chunk(chunk_id=f"{doc_id}::0", doc_id=doc_id, ordinal=0, text=text, char_end=len(text))
        return Document(meta=meta, text=text, source_path=doc_id, content_hash=text), [chunk]

    catalog.commit_documents([document("a", "một"), document("b", "hai")])
    first = catalog.generation()
    catalog.commit_document(*document("c", "ba"))
    assert catalog.delete_document("a") and not catalog.delete_document("zzz")
    assert catalog.changed_since(first) == {"a", "c"} and catalog.changed_since(catalog.generation()) == set()
    assert catalog.changed_since(0) == {"a", "b", "c"} and catalog.changed_since(-1) is None
    catalog.close()


@pytest.mark.slow
def test_an_index_takes_changes_into_the_delta_and_another_process_follows(tmp_path):
    settings = make_settings(tmp_path / "data", bm25_delta_from=1, bm25_delta_share=0.5)
    assistant = Assistant(settings)
    try:
        pipeline, index = assistant.pipeline, assistant.index
        docs = tmp_path / "docs"
        docs.mkdir()
        for name in (
            "qd-339-so-tay-dang-vien.md",
            "qd-15-an-toan-du-lieu-tinh-uy.md",
            "hd-05-sinh-hoat-chuyen-de-ai.md",
        ):
            (docs / name).write_text((CORPUS / name).read_text(encoding="utf-8"), encoding="utf-8")
        pipeline.ingest_paths([docs])
        built = index.lexical.built_generation
        assert built == index.catalog.generation() and index.lexical.delta_chunks == 0

        path = docs / "qd-15-an-toan-du-lieu-tinh-uy.md"
        path.write_text(path.read_text(encoding="utf-8").replace("24 giờ", "36 giờ"), encoding="utf-8")
        pipeline.ingest_paths([docs])
        assert index.lexical.built_generation == built and index.lexical.delta_chunks > 0  # no rebuild
        hit = assistant.retriever.search("báo cáo Văn phòng Tỉnh ủy trong vòng bao nhiêu giờ", k=1).hits[0]
        assert "36 giờ" in hit.chunk.text
        assert pipeline.delete("hd-05-sinh-hoat-chuyen-de-ai")
        assert not any(c.startswith("hd-05") for c in index.lexical.chunk_ids)
        assert check(index).consistent

        reopened = LexicalIndex(settings.bm25_path, delta_from=1, delta_share=0.5)
        assert reopened.load() and reopened.built_generation == built  # the saved main index...
        index.lexical = reopened
        assert index.refresh_lexical(save=False)  # ...and the change log give the same searchable state
        assert index.lexical.built_generation == built and index.lexical.delta_chunks > 0
        assert (
            "36 giờ" in assistant.retriever.search("Văn phòng Tỉnh ủy trong vòng bao nhiêu giờ", k=1).hits[0].chunk.text
        )
        assert check(index).consistent

        index.lexical.delta_share = 0.001  # a delta over its share: the main index is rebuilt whole, and saved
        path.write_text(path.read_text(encoding="utf-8").replace("36 giờ", "48 giờ"), encoding="utf-8")
        pipeline.ingest_paths([docs])
        assert index.lexical.built_generation == index.catalog.generation() and index.lexical.delta_chunks == 0
        assert (
            "48 giờ" in assistant.retriever.search("Văn phòng Tỉnh ủy trong vòng bao nhiêu giờ", k=1).hits[0].chunk.text
        )
        assert check(index).consistent
    finally:
        assistant.close()


@pytest.mark.slow
def test_bm25_saved_by_an_older_version_is_rebuilt_and_saved_when_the_index_opens(tmp_path):
    import json

    settings = make_settings(tmp_path / "data")
    assistant = Assistant(settings)
    try:
        assistant.pipeline.ingest_paths([CORPUS / "qd-15-an-toan-du-lieu-tinh-uy.md"])
        generation = assistant.index.catalog.generation()
    finally:
        assistant.close()
    manifest = settings.bm25_path / "chunks.json"
    old = json.loads(manifest.read_text())
    del old["average_length"]  # as saved before the delta existed
    manifest.write_text(json.dumps(old))

    reopened = Assistant(settings)
    try:
        lexical = reopened.index.lexical  # opens the index
        assert "average_length" in json.loads(manifest.read_text())  # rebuilt and saved at open, not per search
        assert lexical.generation == generation and lexical.chunk_ids
    finally:
        reopened.close()
