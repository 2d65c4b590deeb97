"""Real ingestion into real Chroma with the real embedding model: corpus, incremental updates, atomicity."""

import shutil

import pytest

from assistant.domain import AccessLevel
from assistant.filters import SearchFilter
from assistant.index.chunk_index import ChunkIndex
from assistant.service import Assistant
from tests.conftest import CORPUS, make_settings

pytestmark = pytest.mark.slow


def test_corpus_ingests_with_metadata_and_structure(corpus_assistant):
    catalog = corpus_assistant.index.catalog
    docs = {d["doc_id"]: d for d in catalog.list_documents()}
    assert len(docs) >= 12
    qd = docs["qd-339-so-tay-dang-vien"]
    assert (qd["doc_number"], qd["doc_type"], qd["issued_date"]) == ("339-QĐ/TW", "regulation", "2025-07-10")
    nq = docs["nq-57-khoa-hoc-cong-nghe-chuyen-doi-so"]
    assert (nq["doc_number"], nq["doc_type"]) == ("57-NQ/TW", "resolution")
    assert docs["ct-50-chat-luong-sinh-hoat-chi-bo"]["doc_type"] == "directive"
    assert docs["tb-09-ket-qua-danh-gia-dang-vien"]["access_level"] == "confidential"
    pdf_chunks = catalog.chunks_of("nq-57-khoa-hoc-cong-nghe-chuyen-doi-so")
    covered = {page for c in pdf_chunks for page in range(c.page_start, c.page_end + 1)}
    assert covered == {1, 2, 3, 4} and len({c.page_start for c in pdf_chunks}) >= 3
    document = catalog.get_document("nq-57-khoa-hoc-cong-nghe-chuyen-doi-so")
    for chunk in pdf_chunks:
        assert document.text[chunk.char_start : chunk.char_end] == chunk.text
    paths = {c.structure_path for c in catalog.chunks_of("qd-339-so-tay-dang-vien")}
    assert any(p.startswith("Chương II > Điều 5") for p in paths)
    # Chroma, catalog and BM25 agree
    index = corpus_assistant.index
    assert index.vectors.all_ids() == catalog.chunk_ids()
    assert set(index.lexical.chunk_ids) == catalog.chunk_ids()


@pytest.mark.parametrize(
    "query, doc_id, path_part",
    [
        ("Mất điện thoại thì phải báo cho chi ủy trong bao lâu?", "qd-339-so-tay-dang-vien", "Điều 5"),
        ("mat khau toi thieu bao nhieu ky tu", "qd-339-so-tay-dang-vien", "Điều 5"),
        ("Quy định 339-QĐ/TW áp dụng cho những ai?", "qd-339-so-tay-dang-vien", "Điều 2"),
        (
            "Kinh tế số chiếm bao nhiêu phần trăm GDP vào năm 2030?",
            "nq-57-khoa-hoc-cong-nghe-chuyen-doi-so",
            "Phần III",
        ),
        (
            "How many days before the meeting must documents be uploaded?",
            "regulation-102-paperless-meetings-en",
            "Article 3",
        ),
        ("When is a decision adopted in an electronic vote?", "regulation-102-paperless-meetings-en", "Article 5"),
        ("স্মার্টফোন ব্যবহারের প্রশিক্ষণ কোথায় হবে?", "bn-community-digital-literacy-notice", ""),
    ],
)
def test_search_finds_the_right_passage(corpus_assistant, query, doc_id, path_part):
    hits = corpus_assistant.retriever.search(query, k=3).hits
    expected = [h for h in hits if h.chunk.doc_id == doc_id and path_part in h.chunk.structure_path]
    assert expected, [(h.chunk.doc_id, h.chunk.structure_path) for h in hits]
    citation = expected[0].citation()
    assert citation.quote and citation.page >= 1 and citation.char_end > citation.char_start


def test_filters_keep_other_units_and_confidential_documents_out(corpus_assistant):
    retriever = corpus_assistant.retriever
    member = SearchFilter(
        viewer_org_unit="tw/tinh-thai-nguyen/phuong-huong-an/chi-bo-3",
        access_levels=SearchFilter.clearance(AccessLevel.internal),
    )
    for query in (
        "kết quả đánh giá xếp loại đảng viên năm 2025",
        "CANARY-HUONGAN-7Q2X",
        "sinh hoạt chi bộ bất thường Tân Lập kết nạp Đảng",
        "báo cáo sơ kết quý III Tân Lập",
    ):
        hits = retriever.search(query, k=10, search_filter=member).hits
        assert hits, query
        for hit in hits:
            assert member.matches(hit.meta)
            assert "CANARY" not in hit.chunk.text
            assert "tan-lap" not in hit.meta.org_unit
    own = retriever.search("lịch sinh hoạt chi bộ tháng 12", k=3, search_filter=member).hits
    assert own[0].chunk.doc_id == "tb-08-lich-sinh-hoat-chi-bo-3"
    typed = retriever.search("tài khoản", k=10, search_filter=SearchFilter(doc_types={"plan"})).hits
    assert typed and all(h.meta.doc_type.value == "plan" for h in typed)
    dated = retriever.search(
        "sinh hoạt", k=10, search_filter=SearchFilter(date_from="2025-11-01", date_to="2025-12-31")
    ).hits
    assert dated and all("2025-11-01" <= h.meta.issued_date <= "2025-12-31" for h in dated)
    subtree = retriever.search(
        "sinh hoạt", k=10, search_filter=SearchFilter(org_unit_prefix="tw/tinh-thai-nguyen/phuong-tan-lap")
    ).hits
    assert subtree and all(h.meta.org_unit.startswith("tw/tinh-thai-nguyen/phuong-tan-lap") for h in subtree)


def test_reingest_skips_unchanged_and_replaces_changed(fresh_assistant, docs_dir, monkeypatch):
    pipeline, index = fresh_assistant.pipeline, fresh_assistant.index
    assert pipeline.ingest_paths([docs_dir]).summary()["added"] == 3
    from assistant.ingest import loaders

    def must_not_parse(*_args, **_kwargs):
        raise AssertionError("an unchanged file was parsed again")

    with monkeypatch.context() as patch:
        patch.setattr(loaders, "load_bytes", must_not_parse)
        assert pipeline.ingest_paths([docs_dir]).summary()["unchanged"] == 3
    old_ids = {c.chunk_id for c in index.catalog.chunks_of("qd-339-so-tay-dang-vien")}

    path = docs_dir / "qd-339-so-tay-dang-vien.md"
    path.write_text(path.read_text().replace("ít nhất 8 ký tự", "ít nhất 12 ký tự"))
    report = pipeline.ingest_paths([docs_dir])
    assert report.summary() == {"added": 0, "updated": 1, "unchanged": 2, "failed": 0, "skipped": 0}
    new_ids = {c.chunk_id for c in index.catalog.chunks_of("qd-339-so-tay-dang-vien")}
    assert new_ids and not (new_ids & old_ids)
    assert index.vectors.all_ids() == index.catalog.chunk_ids()
    hit = fresh_assistant.retriever.search("mật khẩu ít nhất bao nhiêu ký tự", k=1).hits[0]
    assert "12 ký tự" in hit.chunk.text

    assert pipeline.delete("tb-08-lich-sinh-hoat-chi-bo-3")
    assert not pipeline.delete("tb-08-lich-sinh-hoat-chi-bo-3")
    assert index.vectors.all_ids() == index.catalog.chunk_ids()
    assert all(not cid.startswith("tb-08") for cid in index.lexical.chunk_ids)


def test_bad_files_are_reported_and_the_batch_goes_on(fresh_assistant, docs_dir):
    (docs_dir / "empty.txt").write_bytes(b"")
    (docs_dir / "photo.txt").write_bytes(b"\x00\x01\x02binary" * 50)
    (docs_dir / "cut.pdf").write_bytes((CORPUS / "nq-57-khoa-hoc-cong-nghe-chuyen-doi-so.pdf").read_bytes()[:2000])
    (docs_dir / "notes.xyz").write_text("x")
    report = fresh_assistant.pipeline.ingest_paths([docs_dir, docs_dir / "missing.md", docs_dir / "notes.xyz"])
    summary = report.summary()
    assert summary["added"] == 3
    reasons = {r.path.rsplit("/", 1)[-1]: r.reason for r in report.failures}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["photo.txt"]
    assert "PDF" in reasons["cut.pdf"]
    assert "file not found" in reasons["missing.md"]
    assert "unsupported" in reasons["notes.xyz"]
    assert any(r.status == "skipped" and r.path.endswith("notes.xyz") for r in report.results)


class FailingUpsert:
    """Wraps the vector store: writes the first batch, then fails (a crash in the middle of a document)."""

    def __init__(self, inner):
        self.inner = inner

    def upsert(self, ids, vectors, metadatas, batch=512):
        half = max(1, len(ids) // 2)
        self.inner.upsert(ids[:half], vectors[:half], metadatas[:half])
        raise RuntimeError("disk full")

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_failure_mid_document_leaves_the_index_unchanged(fresh_assistant, docs_dir):
    pipeline, index = fresh_assistant.pipeline, fresh_assistant.index
    pipeline.ingest_paths([docs_dir])
    before = (index.catalog.chunk_ids(), index.vectors.all_ids(), index.catalog.generation())
    path = docs_dir / "qd-339-so-tay-dang-vien.md"
    path.write_text(path.read_text() + "\n**Điều 10. Điều khoản mới**\nNội dung bổ sung.\n")
    index.vectors = FailingUpsert(index.vectors)
    result = pipeline.ingest_file(path)
    assert result.status == "failed" and "disk full" in result.reason
    index.vectors = index.vectors.inner
    assert (index.catalog.chunk_ids(), index.vectors.all_ids(), index.catalog.generation()) == before
    assert index.catalog.journal_pending() == []


class RefusesOneDocument:
    """Wraps the vector store: any write holding a chunk of ``doc_id`` fails (a poisoned document)."""

    def __init__(self, inner, doc_id):
        self.inner, self.doc_id = inner, doc_id

    def upsert(self, ids, vectors, metadatas, batch=512):
        if any(i.startswith(self.doc_id + "::") for i in ids):
            raise RuntimeError("this document cannot be written")
        self.inner.upsert(ids, vectors, metadatas, batch)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_a_failed_batch_is_retried_one_document_at_a_time(fresh_assistant, docs_dir):
    index = fresh_assistant.index
    index.vectors = RefusesOneDocument(index.vectors, "qd-339-so-tay-dang-vien")
    report = fresh_assistant.pipeline.ingest_paths([docs_dir])  # the three files form one batch
    index.vectors = index.vectors.inner
    assert report.summary()["added"] == 2 and report.summary()["failed"] == 1
    assert "cannot be written" in report.failures[0].reason and report.failures[0].path.endswith(
        "qd-339-so-tay-dang-vien.md"
    )
    assert "qd-339-so-tay-dang-vien" not in index.catalog.metas() and index.catalog.journal_pending() == []
    assert {cid.split("::")[0] for cid in index.vectors.all_ids()} == set(index.catalog.metas())


def test_loader_failing_mid_document_leaves_nothing(fresh_assistant, tmp_path, monkeypatch):
    from assistant.ingest import loaders

    good = tmp_path / "ok.txt"
    good.write_text("Điều 1. Phạm vi\nNội dung đầy đủ của điều một để có văn bản.")

    def broken_pdf(data):
        raise loaders.IngestError("corrupt or truncated PDF: page 3 unreadable")

    monkeypatch.setitem(loaders._LOADERS, ".pdf", broken_pdf)
    shutil.copy(CORPUS / "nq-57-khoa-hoc-cong-nghe-chuyen-doi-so.pdf", tmp_path / "nq.pdf")
    report = fresh_assistant.pipeline.ingest_paths([tmp_path])
    assert report.summary()["failed"] == 1 and report.summary()["added"] == 1
    assert {c.doc_id for c in fresh_assistant.index.catalog.iter_chunks()} == {"ok"}
    assert {i.split("::")[0] for i in fresh_assistant.index.vectors.all_ids()} == {"ok"}


def test_interrupted_write_is_repaired_on_open(tmp_path, docs_dir):
    settings = make_settings(tmp_path / "data")
    first = Assistant(settings)
    first.pipeline.ingest_paths([docs_dir])
    index = first.index
    # Simulate a crash after vectors were written but before the catalog commit.
    document = index.catalog.get_document("tb-08-lich-sinh-hoat-chi-bo-3")
    chunks = index.catalog.chunks_of("tb-08-lich-sinh-hoat-chi-bo-3")
    ghost = [c.model_copy(update={"chunk_id": c.chunk_id.replace("::", "::ghost", 1)}) for c in chunks]
    index.catalog.journal_add(document.meta.doc_id, "ghost")
    index.vectors.upsert(
        [c.chunk_id for c in ghost],
        index.embedder.embed_documents([c.text for c in ghost]),
        [{"doc_id": document.meta.doc_id, "version": "ghost"} for _ in ghost],
    )
    assert index.vectors.all_ids() != index.catalog.chunk_ids()
    # Search never returns the uncommitted vectors even before repair.
    for hit in first.retriever.search("lịch sinh hoạt chi bộ tháng 12", k=10).hits:
        assert "ghost" not in hit.chunk.chunk_id
    first.close()

    reopened = ChunkIndex.open(settings)
    assert reopened.catalog.journal_pending() == []
    assert reopened.vectors.all_ids() == reopened.catalog.chunk_ids()
    assert reopened.reconcile() == {"orphan_vectors_removed": 0, "chunks_missing_vectors": 0}
    reopened.close()


def test_doc_id_collision_between_two_files_is_an_error(fresh_assistant, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "same.txt").write_text("Điều 1. Một\nNội dung thứ nhất của văn bản A.")
    (tmp_path / "b" / "same.txt").write_text("Điều 1. Hai\nNội dung thứ hai của văn bản B.")
    report = fresh_assistant.pipeline.ingest_paths([tmp_path])
    assert report.summary()["added"] == 1 and report.summary()["failed"] == 1
    assert "already used" in report.failures[0].reason
