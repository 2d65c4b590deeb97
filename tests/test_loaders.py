"""Every supported format loads; every kind of bad input fails with a clear reason."""

import io
import os
import zipfile

import pytest
from pypdf import PdfReader, PdfWriter

from assistant.errors import IngestError
from assistant.ingest.loaders import load_file
from assistant.ingest.metadata import build_document
from tests.conftest import CORPUS

MB = 2**20
PDF = CORPUS / "nq-57-khoa-hoc-cong-nghe-chuyen-doi-so.pdf"


def test_pdf_pages_and_sidecar():
    loaded = load_file(PDF, 25 * MB)
    assert len(loaded.pages) == 4
    assert "QUAN ĐIỂM CHỈ ĐẠO" in loaded.pages[1]
    assert loaded.overrides["org_unit"] == "tw"


def test_docx_html_markdown_and_front_matter():
    docx_text = "\n".join(load_file(CORPUS / "ct-50-chat-luong-sinh-hoat-chi-bo.docx", 25 * MB).pages)
    assert "Số 50-CT/TW" in docx_text and "III. VỀ SINH HOẠT TRÊN MÔI TRƯỜNG SỐ" in docx_text
    html = load_file(CORPUS / "hd-26-tuyen-truyen-quy-dinh-339.html", 25 * MB)
    assert "console.log" not in html.pages[0] and "II. NỘI DUNG TUYÊN TRUYỀN" in html.pages[0]
    md = load_file(CORPUS / "qd-339-so-tay-dang-vien.md", 25 * MB)
    assert md.overrides["access_level"] == "public"
    assert "\nĐiều 5. Tài khoản người dùng" in md.pages[0]  # markdown bold/heading marks removed
    assert not md.pages[0].startswith("---")


def test_front_matter_metadata_reaches_the_document():
    loaded = load_file(CORPUS / "tb-09-ket-qua-danh-gia-dang-vien.md", 25 * MB)
    doc = build_document(loaded, "x.md", "h" * 64)
    assert doc.meta.access_level.value == "confidential"
    assert doc.meta.org_unit == "tw/tinh-thai-nguyen/phuong-huong-an"
    assert doc.meta.doc_number == "09-TB/ĐU" and doc.meta.issued_date == "2026-01-20"


def _expect(path, fragment, max_bytes=25 * MB):
    with pytest.raises(IngestError) as err:
        load_file(path, max_bytes)
    assert fragment in str(err.value)


def test_encrypted_pdf(tmp_path):
    writer = PdfWriter()
    for page in PdfReader(PDF).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    _expect(path, "encrypted PDF")


def test_truncated_pdf(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(PDF.read_bytes()[:3000])
    with pytest.raises(IngestError) as err:
        load_file(path, 25 * MB)
    assert "PDF" in str(err.value)


def test_empty_binary_unsupported_missing_and_oversize(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    _expect(tmp_path / "empty.txt", "empty file")
    (tmp_path / "blank.md").write_text("  \n\n ")
    _expect(tmp_path / "blank.md", "empty file")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(400))
    _expect(tmp_path / "image.txt", "binary content")
    (tmp_path / "latin1.txt").write_bytes("Quy \xe9 ".encode("latin-1") * 10)
    _expect(tmp_path / "latin1.txt", "not UTF-8")
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    _expect(tmp_path / "sheet.xlsx", "unsupported file type '.xlsx'")
    _expect(tmp_path / "missing.pdf", "file not found")
    (tmp_path / "folder.txt").mkdir()
    _expect(tmp_path / "folder.txt", "not a regular file")
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "dangling.txt")
    _expect(tmp_path / "dangling.txt", "file not found")
    (tmp_path / "big.txt").write_text("Điều 1. Nội dung\n" * 2000)
    _expect(tmp_path / "big.txt", "over the", max_bytes=1000)


def test_corrupt_docx_and_zip_bomb(tmp_path):
    (tmp_path / "bad.docx").write_bytes(b"this is not a zip")
    _expect(tmp_path / "bad.docx", "corrupt DOCX")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (210 * MB))
    (tmp_path / "bomb.docx").write_bytes(buffer.getvalue())
    _expect(tmp_path / "bomb.docx", "expands to")


def test_bad_sidecar_and_bad_metadata(tmp_path):
    (tmp_path / "a.txt").write_text("Điều 1. Nội dung")
    (tmp_path / "a.txt.meta.json").write_text("{not json")
    _expect(tmp_path / "a.txt", "not valid JSON")
    (tmp_path / "b.txt").write_text("---\naccess_level: top-secret\n---\nĐiều 1. Nội dung")
    with pytest.raises(IngestError) as err:
        build_document(load_file(tmp_path / "b.txt", MB), "b.txt", "h")
    assert "access_level" in str(err.value)
