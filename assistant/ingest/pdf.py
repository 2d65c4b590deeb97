"""PDF -> text pages. PDFium (``pypdfium2``) reads the text layer; pages without one are read by OCR.

PDFium was chosen by measurement (``python -m benchmarks.pdf_extractors``): on the real documents it keeps
Vietnamese syllables whole (pypdf's extraction splits about 7% of the words of Official Gazette prints,
``c ủa``, ``ng ười``), it opens old files that pypdf 7 refuses (the abbreviated ``/Fl`` filter name), and it is
~15× faster. pypdf stays as the fallback for a file PDFium cannot open. Licences: PDFium and pypdfium2 are
BSD/Apache; PyMuPDF (AGPL) was not considered.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.errors import IngestError
from assistant.ingest.ocr import LOW_CONFIDENCE, OCR_DPI, OcrPage, ocr_image, report_page, tesseract_available

MIN_TEXT_CHARS = 20  # a page with less text than this is a scan (or blank) and is read by OCR


@dataclass
class PdfPages:
    """Text per page, the pages that were read by OCR with their confidence, and warnings."""

    pages: list[str]
    ocr_confidence: dict[int, float] = field(default_factory=dict)  # 1-based page -> mean word confidence
    warnings: list[str] = field(default_factory=list)


def _open_pdfium(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise IngestError("encrypted PDF: a password is required; save an unprotected copy") from exc
        raise IngestError(f"corrupt or truncated PDF: {message}") from exc


def _pypdf_pages(data: bytes) -> list[str]:
    """The fallback extractor (pypdf) for files PDFium cannot open."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("encrypted PDF: a password is required; save an unprotected copy")
        return [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many types (PdfReadError, DeprecationError, ValueError...)
        raise IngestError(f"corrupt or unreadable PDF: {type(exc).__name__}: {exc}") from exc


def _has_image(page) -> bool:
    import pypdfium2.raw as pdfium_c

    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


MIN_RULES = 6  # a page with fewer drawn lines has no ruled table to look for


def _ruled(page) -> bool:
    import pypdfium2.raw as pdfium_c

    return sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2)) >= MIN_RULES


def table_text(rows: list[list[str | None]]) -> str:
    """A table as readable lines: one per row, cells joined by `` | `` (as the DOCX reader writes them)."""
    lines = []
    for row in rows:
        cells = [" ".join((cell or "").split()) for cell in row]
        if any(cells):
            lines.append(" | ".join(cells).rstrip(" |"))
    return "\n".join(lines)


def _with_tables(data: bytes, pdf, pages: list[str], numbers: list[int]) -> list[int]:
    """Pages (0-based ``numbers``) whose ruled tables are rewritten as rows, the text around them kept in order
    (PDFium reads a table cell by cell across rows: "Quốc hiệu và Tiêu ngữ của / văn bản hành chính / 12 đến 13").
    Returns the pages that had a table."""
    import pdfplumber

    changed = []
    with pdfplumber.open(io.BytesIO(data)) as document:
        for i in numbers:
            plumber = document.pages[i]
            tables = sorted(
                (t for t in plumber.find_tables() if len(t.rows) >= 2 and len(t.columns) >= 2), key=lambda t: t.bbox[1]
            )
            if not tables:
                continue
            textpage, height, width = pdf[i].get_textpage(), plumber.height, plumber.width
            parts, top = [], 0.0
            for table in tables:
                _, table_top, _, bottom = table.bbox
                if table_top > top:
                    parts.append(
                        textpage.get_text_bounded(left=0, bottom=height - table_top, right=width, top=height - top)
                    )
                parts.append(table_text(table.extract()))
                top = bottom
            parts.append(textpage.get_text_bounded(left=0, bottom=0, right=width, top=height - top))
            pages[i] = "\n".join(p.strip("\r\n") for p in parts if p.strip())
            changed.append(i)
    return changed


def textless_pages(data: bytes) -> int:
    """How many pages are scans (an image and no text layer) that OCR will read; cheap, to budget time."""
    pdf = _open_pdfium(data)
    try:
        return sum(
            1
            for i in range(len(pdf))
            if len(pdf[i].get_textpage().get_text_bounded().strip()) < MIN_TEXT_CHARS and _has_image(pdf[i])
        )
    finally:
        pdf.close()


def read_pdf(data: bytes, ocr: Callable[..., OcrPage] | None = ocr_image) -> PdfPages:
    """Text of every page; pages with no text layer are read by ``ocr`` (None: refuse scanned pages)."""
    try:
        pdf = _open_pdfium(data)
    except IngestError as first:
        if "password" in str(first):
            raise
        try:
            return PdfPages(_pypdf_pages(data))  # PDFium could not open it: try pypdf before giving up
        except IngestError:
            raise first from None
    try:
        if len(pdf) == 0:
            raise IngestError("PDF has no pages")
        result = PdfPages(pages=[])
        scanned: list[int] = []
        ruled: list[int] = []  # pages with a text layer and drawn lines: they may hold a table
        for i in range(len(pdf)):
            page = pdf[i]
            text = page.get_textpage().get_text_bounded()
            if len(text.strip()) < MIN_TEXT_CHARS and _has_image(page):
                scanned.append(i)
            elif _ruled(page):
                ruled.append(i)
            result.pages.append(text)
        if ruled:
            tabled = _with_tables(data, pdf, result.pages, ruled)
            if tabled:
                result.warnings.append(f"tables read as rows on pages {_page_list(tabled)}")
        if scanned and (ocr is None or not tesseract_available()):
            if len(scanned) == len(result.pages):
                raise IngestError(
                    "PDF has no text layer (a scan) and OCR is not available: install the Debian "
                    "packages tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng"
                )
            result.warnings.append(f"pages {_page_list(scanned)} have no text layer and were left out (no OCR)")
            return result
        for done, i in enumerate(scanned, start=1):
            assert ocr is not None  # checked above
            image = pdf[i].render(scale=OCR_DPI / 72).to_pil()
            read = ocr(image)
            report_page(done, len(scanned))
            if read.text.strip():  # an image without text (a logo, a blank scan) keeps what the page had
                result.pages[i] = read.text
                result.ocr_confidence[i + 1] = read.confidence
        scanned = [i for i in scanned if i + 1 in result.ocr_confidence]
        if scanned:
            result.warnings.append(f"read by OCR: pages {_page_list(scanned)}")
            low = [p for p, c in result.ocr_confidence.items() if c < LOW_CONFIDENCE]
            if low:
                result.warnings.append(
                    "OCR confidence is low on pages "
                    + ", ".join(f"{p} ({result.ocr_confidence[p]:.0f}%)" for p in low)
                    + ": check quotes against the paper"
                )
        return result
    finally:
        pdf.close()


def _page_list(indexes: list[int]) -> str:
    return ", ".join(str(i + 1) for i in indexes)
