"""Structure-aware chunking: paths, offsets, pages, grouping and splitting."""

from assistant.domain import Document, DocumentMeta
from assistant.ingest.chunker import StructureChunker
from assistant.ingest.metadata import assemble_text

VI = """ỦY BAN
Số 1-QĐ/TW

QUY ĐỊNH
về thử nghiệm

Chương I
QUY ĐỊNH CHUNG

Điều 1. Phạm vi
Quy định này áp dụng cho mọi chi bộ trong đảng bộ và được thực hiện thống nhất.

Điều 2. Tài khoản
1. Mỗi đảng viên được cấp một tài khoản duy nhất và không được cho người khác mượn.
2. Mật khẩu phải có ít nhất 8 ký tự, gồm chữ và số, đổi ngay khi đăng nhập lần đầu.
3. Khi mất điện thoại phải báo chi ủy trong 24 giờ:
a) bằng điện thoại tới bí thư chi bộ;
b) hoặc trực tiếp tại trụ sở.

Chương II
TỔ CHỨC THỰC HIỆN

Điều 3. Hiệu lực
Quy định có hiệu lực kể từ ngày ký.
"""

EN = """REGULATION
Chapter I
GENERAL
Article 1. Scope
This Regulation governs paperless meetings of party cells in the province and their records.
Article 2. Voting
1. Votes may be cast in the application by every member present at the session.
2. A decision is adopted when more than half of the members present vote in favour of it.
"""


def make_doc(text: str, language: str = "vi", pages: list[str] | None = None) -> Document:
    full, starts = assemble_text(pages or [text])
    return Document(
        meta=DocumentMeta(doc_id="d", language=language), text=full, page_starts=starts, content_hash="abcdef0123456"
    )


def test_every_chunk_is_an_exact_span_of_the_document():
    doc = make_doc(VI)
    for max_chars in (120, 200, 400, 5000):
        chunks = StructureChunker(max_chars=max_chars, min_chars=40).chunk(doc)
        assert chunks
        for c in chunks:
            assert doc.text[c.char_start : c.char_end] == c.text
            assert len(c.text) <= max_chars or max_chars < 150
        # chunks are in document order and do not overlap
        assert all(a.char_end <= b.char_start for a, b in zip(chunks, chunks[1:]))


def test_vietnamese_structure_paths():
    chunks = StructureChunker(max_chars=200, min_chars=40).chunk(make_doc(VI))
    paths = [c.structure_path for c in chunks]
    assert "Chương I > Điều 1" in paths
    assert any(p.startswith("Chương I > Điều 2 > Khoản") for p in paths)
    assert "Chương II > Điều 3" in paths
    article1 = next(c for c in chunks if c.structure_path == "Chương I > Điều 1")
    assert "Điều 1. Phạm vi" in article1.heading and "Chương I" in article1.heading


def test_small_clauses_are_grouped_with_a_range_label():
    chunks = StructureChunker(max_chars=260, min_chars=40).chunk(make_doc(VI))
    grouped = [c for c in chunks if "–" in c.structure_path]
    assert grouped, [c.structure_path for c in chunks]
    assert grouped[0].structure_path.startswith("Chương I > Điều 2 > Khoản 1–")


def test_points_are_split_when_a_clause_is_too_long():
    chunks = StructureChunker(max_chars=100, min_chars=10).chunk(make_doc(VI))
    assert any(c.structure_path.endswith("Điểm a") or "Điểm a" in c.structure_path for c in chunks)


def test_english_labels():
    chunks = StructureChunker(max_chars=150, min_chars=20).chunk(make_doc(EN, language="en"))
    paths = [c.structure_path for c in chunks]
    assert "Chapter I > Article 1" in paths
    assert any(p.startswith("Chapter I > Article 2 > Clause") for p in paths)


def test_page_spans_follow_page_starts():
    pages = [
        "Điều 1. Một\nNội dung trang một khá dài để đủ độ dài cho một đoạn.",
        "Điều 2. Hai\nNội dung trang hai cũng khá dài để đủ độ dài cho một đoạn.",
    ]
    doc = make_doc("", pages=pages)
    chunks = StructureChunker(max_chars=80, min_chars=10).chunk(doc)
    by_path = {c.structure_path: c for c in chunks}
    assert by_path["Điều 1"].page_start == 1 and by_path["Điều 2"].page_start == 2


def test_long_paragraph_without_structure_is_split_at_sentences():
    text = " ".join(f"Câu số {i} nói về sinh hoạt chi bộ và chuyển đổi số." for i in range(60))
    chunks = StructureChunker(max_chars=300, min_chars=50).chunk(make_doc(text))
    assert len(chunks) > 5
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(c.text.rstrip().endswith(".") for c in chunks[:-1])


def test_chunk_ids_carry_the_version():
    chunks = StructureChunker().chunk(make_doc(VI))
    assert all(c.chunk_id.startswith("d::abcdef0123::") for c in chunks)
