"""Real inputs end to end: DOCX pages, tables and footnotes, legacy .doc/.odt/.rtf through LibreOffice, scans and
photos through OCR, a folder where some files fail, and the real official files of ../shared/evaldata."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn

from assistant.cli import main
from assistant.config import PROJECT_ROOT
from assistant.errors import IngestError
from assistant.ingest.loaders import load_bytes
from evals.documents import holds_expected, issuer_right, location_right, number_right

pytestmark = pytest.mark.slow
REAL_DOCS = PROJECT_ROOT.parent / "shared" / "evaldata" / "real-docs-dev"
FONT = next(
    (
        p
        for p in (
            "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
            "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        )
        if Path(p).exists()
    ),
    None,
)
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract (Debian tesseract-ocr) missing"
)
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (libreoffice-writer-nogui) missing"
)
LETTER = [
    "UBND TỈNH PHÚ THỌ",
    "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    "Số: 275/STTTT-CNTT",
    "Phú Thọ, ngày 16 tháng 12 năm 2011",
    "V/v đăng ký tham gia Hội thi tin học",
    "Kính gửi: Các đơn vị trực thuộc sở.",
    "Sở đề nghị các đơn vị đăng ký danh sách",
    "trước ngày 22/12/2011 qua phòng Công nghệ thông tin.",
]


def _vni_run(paragraph, text: str) -> None:
    run = paragraph.add_run(text)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:ascii"), "VNI-Times")
    fonts.set(qn("w:hAnsi"), "VNI-Times")


def _word_file() -> bytes:
    document = docx.Document()
    header = document.add_table(rows=1, cols=2)
    header.cell(0, 0).text = "CHÍNH PHỦ"
    header.cell(0, 0).add_paragraph("Số: 30/2020/NĐ-CP")
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    header.cell(0, 1).add_paragraph("Hà Nội, ngày 05 tháng 3 năm 2020")
    document.add_paragraph("NGHỊ ĐỊNH")
    document.add_paragraph("Về công tác văn thư")
    document.add_paragraph("Điều 1. Phạm vi điều chỉnh")
    document.add_paragraph("Nghị định này quy định về công tác văn thư và quản lý nhà nước về công tác văn thư.")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("Điều 2. Thể thức văn bản")
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Thành phần", "Cỡ chữ"
    cell = table.cell(1, 0)
    cell.text = "Quốc hiệu"
    cell.paragraphs[0].add_run().add_break()
    cell.paragraphs[0].add_run("và Tiêu ngữ")
    table.cell(1, 1).text = "12 đến 13"
    table.cell(2, 0).text, table.cell(2, 1).text = "Trích yếu", "14"
    _vni_run(document.add_paragraph(), "Ñieàu 3. Hieäu löïc thi haønh")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_pages_tables_letterhead_and_legacy_font_runs():
    loaded = load_bytes(_word_file(), ".docx")
    assert len(loaded.pages) == 2  # the explicit page break
    first, second = loaded.pages
    assert first.split("\n")[:4] == [
        "CHÍNH PHỦ",
        "Số: 30/2020/NĐ-CP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Hà Nội, ngày 05 tháng 3 năm 2020",
    ]  # the letterhead read column by column
    assert "Quốc hiệu / và Tiêu ngữ | 12 đến 13" in second  # a line break inside a cell is kept, the row whole
    assert "Điều 3. Hiệu lực thi hành" in second  # a VNI-Times run converted to Unicode
    assert any("VNI" in w for w in loaded.warnings)


def test_docx_footnotes_are_kept_apart_and_citable(fresh_assistant, tmp_path):
    source = REAL_DOCS / "files" / "Phuluc1.docx"
    if not source.exists():
        pytest.skip("../shared/evaldata/real-docs-dev is not here")
    result = fresh_assistant.pipeline.ingest_paths([source]).results[0]
    chunks = fresh_assistant.index.catalog.chunks_of(result.doc_id)
    notes = [c for c in chunks if c.structure_path.startswith("Chú thích")]
    assert notes and notes[0].structure_path == "Chú thích > Chú thích 1" and "\n[1] Cỡ chữ" in notes[0].text
    assert not any("[1] Cỡ chữ trong cùng" in c.text for c in chunks if not c.structure_path.startswith("Chú thích"))


@needs_soffice
@pytest.mark.parametrize("suffix", [".doc", ".odt", ".rtf"])
def test_legacy_office_formats_are_read_through_libreoffice(tmp_path, suffix):
    import subprocess

    source = tmp_path / "van-ban.docx"
    source.write_bytes(_word_file())
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
            "--headless",
            "--convert-to",
            suffix.lstrip("."),
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    loaded = load_bytes((tmp_path / f"van-ban{suffix}").read_bytes(), suffix)
    text = "\n".join(loaded.pages)
    assert "Số: 30/2020/NĐ-CP" in text and "Điều 1. Phạm vi điều chỉnh" in text
    assert "Điều 3. Hiệu lực thi hành" in text  # the VNI font survived the round trip and was converted


@pytest.mark.parametrize(
    "data, suffix, message",
    [
        (b"\xd0\xcf\x11\xe0 not really a word file" * 10, ".doc", "not a Word 97-2003 document"),
        (b"PK\x03\x04 not a package", ".odt", "not an OpenDocument text"),
        (b"plain text named .rtf", ".rtf", "not an RTF document"),
    ],
)
def test_an_office_file_that_is_not_what_its_name_says_is_a_clear_error(data, suffix, message):
    with pytest.raises(IngestError, match=message):
        load_bytes(data, suffix)


def _page_image(lines: list[str], rotate: float = 0.0):
    from PIL import Image, ImageDraw, ImageFont

    if FONT is None:
        pytest.skip("no TrueType font with Vietnamese letters to draw a test scan")
    font = ImageFont.truetype(FONT, 44)
    image = Image.new("L", (2000, 1500), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((120, 100 + i * 80), line, font=font, fill=0)
    return image.rotate(rotate, expand=True, fillcolor=255) if rotate else image


@needs_tesseract
def test_a_photo_turned_sideways_and_skewed_is_read_with_its_metadata(tmp_path):
    image = _page_image(LETTER, rotate=90)
    image = image.rotate(2.5, expand=True, fillcolor=255)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    loaded = load_bytes(buffer.getvalue(), ".png")
    text = loaded.pages[0]
    assert "STTTT-CNTT" in text and "22/12/2011" in text.replace(" ", "")
    assert "read by OCR" in loaded.warnings[0]


@needs_tesseract
def test_a_scanned_pdf_and_a_mixed_pdf_are_read_page_by_page(fresh_assistant, tmp_path):
    from fpdf import FPDF

    scan = tmp_path / "scan.png"
    _page_image(LETTER).save(scan)
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("Body", "", FONT)
    pdf.set_font("Body", size=12)
    pdf.multi_cell(0, 8, "Trang một có lớp chữ: chi bộ họp vào tối thứ Năm hằng tháng tại nhà văn hóa.")
    pdf.add_page()
    pdf.image(str(scan), x=0, y=0, w=210)
    path = tmp_path / "mixed.pdf"
    pdf.output(str(path))
    result = fresh_assistant.pipeline.ingest_paths([path]).results[0]
    assert result.status == "added", result.reason
    meta = fresh_assistant.index.catalog.metas()[result.doc_id]
    assert any("OCR: pages 2" in w for w in meta.warnings)  # only the page without a text layer
    chunks = fresh_assistant.index.catalog.chunks_of(result.doc_id)
    assert any(c.page_end == 2 and "22/12/2011" in c.text.replace(" ", "") for c in chunks)
    answer = fresh_assistant.asker.ask("Hạn cuối đăng ký danh sách là ngày nào?")
    assert answer.status == "answered" and answer.citations[0].page == 2


def test_a_ruled_pdf_table_is_read_row_by_row_with_the_text_around_it_in_order():
    from fpdf import FPDF

    if FONT is None:
        pytest.skip("no TrueType font with Vietnamese letters")
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("Body", "", FONT)
    pdf.add_font("Body", "B", FONT)
    pdf.set_font("Body", size=11)
    pdf.multi_cell(0, 7, "Điều 2. Thể thức văn bản")
    with pdf.table(col_widths=(50, 80, 40)) as table:
        for cells in (
            ("Thành phần", "Cỡ chữ và kiểu chữ", "Ghi chú"),
            ("Quốc hiệu và Tiêu ngữ của văn bản hành chính", "12 đến 13, kiểu chữ đứng, đậm", "bắt buộc"),
        ):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.multi_cell(0, 7, "Điều 3. Hiệu lực thi hành")
    loaded = load_bytes(bytes(pdf.output()), ".pdf")
    assert loaded.pages[0].splitlines() == [
        "Điều 2. Thể thức văn bản",
        "Thành phần | Cỡ chữ và kiểu chữ | Ghi chú",
        "Quốc hiệu và Tiêu ngữ của văn bản hành chính | 12 đến 13, kiểu chữ đứng, đậm | bắt buộc",
        "Điều 3. Hiệu lực thi hành",
    ]
    assert "tables read as rows on pages 1" in loaded.warnings


def _tiff(pages) -> bytes:
    buffer = io.BytesIO()
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    return buffer.getvalue()


@needs_tesseract
def test_a_multi_page_tiff_is_read_page_by_page_with_progress():
    heard: list[tuple[float, str]] = []
    data = _tiff([_page_image(LETTER[:4]), _page_image(LETTER[4:])])
    loaded = load_bytes(data, ".tiff", lambda fraction, message: heard.append((fraction, message)))
    assert (
        len(loaded.pages) == 2 and "STTTT-CNTT" in loaded.pages[0] and "22/12/2011" in loaded.pages[1].replace(" ", "")
    )
    assert heard == [(0.5, "OCR page 1 of 2"), (1.0, "OCR page 2 of 2")]


@needs_tesseract
def test_the_isolated_parser_passes_ocr_pages_on_from_its_child():
    from assistant.ingest.isolation import IsolatedParser

    heard: list[str] = []
    parser = IsolatedParser(timeout_s=60)
    try:
        loaded = parser.parse(
            _tiff([_page_image(LETTER[:4]), _page_image(LETTER[4:])]),
            ".tif",
            lambda fraction, message: heard.append(message),
        )
    finally:
        parser.close()
    assert len(loaded.pages) == 2 and heard == ["OCR page 1 of 2", "OCR page 2 of 2"]


@needs_tesseract
def test_an_image_without_text_a_corrupt_image_and_an_encrypted_pdf_are_clear_errors():
    from PIL import Image
    from pypdf import PdfWriter

    blank = io.BytesIO()
    Image.new("L", (1200, 900), 255).save(blank, format="PNG")
    with pytest.raises(IngestError, match="no text found in the image"):
        load_bytes(blank.getvalue(), ".png")
    with pytest.raises(IngestError, match="unreadable or corrupt image"):
        load_bytes(blank.getvalue()[:60] + b"\0" * 200, ".png")
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("mật-khẩu")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(IngestError, match="password"):
        load_bytes(locked.getvalue(), ".pdf")


@needs_tesseract
def test_uploading_a_long_scan_is_a_job_with_page_progress(fresh_assistant, tmp_path):
    from tests.conftest import keyed_client

    pages = [_page_image(LETTER[:4]), _page_image(LETTER[4:6]), _page_image(LETTER[6:])]
    buffer = io.BytesIO()
    pages[0].convert("RGB").save(
        buffer, format="PDF", save_all=True, append_images=[p.convert("RGB") for p in pages[1:]], resolution=150
    )
    with keyed_client(fresh_assistant, role="admin") as client:
        response = client.post(
            "/v1/documents", files={"file": ("cong-van-275.pdf", buffer.getvalue(), "application/pdf")}
        )
        assert response.status_code == 202, response.text
        assert response.headers["location"] == f"/v1/jobs/{response.json()['id']}"
        job = client.get(f"/v1/jobs/{response.json()['id']}", params={"wait": 30}).json()
        assert job["status"] == "done", job
        assert job["result"]["status"] == "added" and job["result"]["chunks"] >= 1
        document = client.get(f"/v1/documents/{job['result']['doc_id']}").json()
        assert document["pages"] == 3 and any("read by OCR: pages 1, 2, 3" in w for w in document["meta"]["warnings"])
        small = client.post(
            "/v1/documents", files={"file": ("note.txt", "Chi bộ họp tối thứ Năm.".encode(), "text/plain")}
        )
        assert small.status_code == 201  # a born-digital file is ingested at once
        bad = client.post("/v1/documents", files={"file": ("scan.pdf", b"not a pdf at all", "application/pdf")})
        assert bad.status_code in (415, 422)  # refused before any job


def test_a_folder_with_bad_files_names_every_failure_and_goes_on(fresh_assistant, tmp_path, capsys):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("THÔNG BÁO\nvề lịch họp\nChi bộ họp vào tối thứ Năm đầu tháng.", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 garbage that no reader can open")
    (folder / "mojibake.txt").write_bytes(("§¶ng céng s¶n viÖt nam " * 40).encode("latin-1"))
    (folder / "notes.xyz").write_text("not a document")
    data_dir = ["--data-dir", str(fresh_assistant.settings.data_dir)]
    fresh_assistant.close()
    assert main([*data_dir, "ingest", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "added 2" in out and "failed 1" in out and "skipped 1" in out
    assert "broken.pdf: corrupt or truncated PDF" in out and "notes.xyz: unsupported file type" in out


def test_eval_documents_scoring_rules():
    assert number_right("30/2020/NĐ-CP", "(Phụ lục I kèm 30/2020/NĐ-CP)") and number_right(
        None, "(Phụ lục I kèm 30/2020/NĐ-CP)"
    )
    assert number_right("282/2025/NĐ-CP", "282/2025/NĐ-CP") and not number_right("25/KH-STTTT", "275/STTTT-CNTT")
    assert issuer_right("ỦY BAN NHÂN DÂN TỈNH BÌNH PHƯỚC", "UBND tỉnh Bình Phước")
    assert issuer_right("BAN CHẤP HÀNH TRUNG ƯƠNG", "Ban Chấp hành Trung ương (Ban Bí thư)")
    assert not issuer_right("CHÍNH PHỦ", "Ngân hàng Nhà nước Việt Nam")
    assert holds_expected(
        "Phạt tiền từ 2.000.000 đồng đến 3.000.000 đồng đối với", "phạt tiền từ 2.000.000 đồng đến 3.000.000 đồng"
    )
    assert not holds_expected("Phạt tiền từ 1.000.000 đồng", "phạt tiền từ 2.000.000 đồng đến 3.000.000 đồng")
    citation = {"structure_path": "Chương II > Mục 1 > Điều 8 > Khoản 2 > Điểm a", "page": 7, "printed_page": "8"}
    assert location_right(citation, "Điều 8 khoản 2 điểm a, p.7 (PDF page)")
    assert not location_right(citation, "Điều 9") and not location_right(citation, "p.3")
    assert location_right({"structure_path": "Mục 1 > Mục 1.1", "page": 1}, "point 1.1 'Về tuổi đời', p.1")


@pytest.mark.skipif(not REAL_DOCS.exists(), reason="../shared/evaldata/real-docs-dev is not here")
def test_real_official_files_meet_the_targets(tmp_path):
    from assistant.config import Settings
    from evals.documents import run_documents_eval

    settings = Settings(
        data_dir=tmp_path / "unused",
        seed_corpus=None,
        auth_dev_key=False,
        embedding_cache_path=tmp_path / "cache.sqlite3",
    )
    report = run_documents_eval(REAL_DOCS, settings, details=True)
    overall = report["overall"]
    print(json.dumps(overall, ensure_ascii=False))
    assert overall["ingested"] == overall["files"]  # every file read (the scan through OCR)
    for field in ("number", "type", "issuer", "date"):
        assert overall[f"{field}_right"] >= 0.9, (
            field,
            [(r["file"], r["detected"]) for r in report["files"] if not r["checks"][field]],
        )
    assert overall["mojibake_chunks"] == 0
    assert overall["split_rate_mean"] <= 0.005
    assert overall["questions_right"] >= overall["questions"] - 1, report["questions"]
