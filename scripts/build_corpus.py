"""Regenerate the binary files of the sample corpus (DOCX and a multi-page PDF) from ``corpus/.src``.

Run: ``python scripts/build_corpus.py`` (needs ``fpdf2`` and the DejaVu font from Debian's fonts-dejavu-core).
The outputs are committed, so neither tests nor CI run this.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.shared import Pt
from fpdf import FPDF

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SRC = CORPUS / ".src"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PAGE_BREAK = "<<PAGE>>"


def build_docx(source: Path, target: Path) -> None:
    document = docx.Document()
    document.core_properties.title = ""
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    for line in source.read_text(encoding="utf-8").split("\n"):
        paragraph = document.add_paragraph(line)
        if line.isupper() and line.strip():
            for run in paragraph.runs:
                run.bold = True
    document.save(str(target))


def build_pdf(source: Path, target: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font("DejaVu", "", FONT)
    pdf.set_font("DejaVu", size=12)
    pdf.set_title("")
    for page in source.read_text(encoding="utf-8").split(PAGE_BREAK):
        pdf.add_page()
        for line in page.strip("\n").split("\n"):
            pdf.multi_cell(0, 7, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(target))


if __name__ == "__main__":
    build_docx(SRC / "ct-50-chat-luong-sinh-hoat-chi-bo.txt", CORPUS / "ct-50-chat-luong-sinh-hoat-chi-bo.docx")
    build_pdf(SRC / "nq-57-khoa-hoc-cong-nghe-chuyen-doi-so.txt", CORPUS / "nq-57-khoa-hoc-cong-nghe-chuyen-doi-so.pdf")
    print("built DOCX and PDF in", CORPUS)
