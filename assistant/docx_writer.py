"""Markdown drafts -> DOCX (python-docx), so the document templates stay the one source of layout.

Handles the subset the templates write: ``#``/``##``/``###`` headings (``#`` centred, as a title),
paragraphs, ``- `` bullets, ``> `` notes, ``**bold**`` and ``*italic*`` runs, ``\\*`` escapes, and
pipe tables (the two-column letterhead and signature blocks are drawn without borders; ``<br>``
breaks lines inside a cell).
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.text.paragraph import Paragraph

_INLINE = re.compile(r"(\*\*.+?\*\*|(?<![\\*])\*(?!\*).+?(?<!\\)\*)")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
FONT = "Times New Roman"


def _add_runs(paragraph: Paragraph, text: str) -> None:
    """Append ``text`` to ``paragraph`` with its bold/italic markers turned into run formatting."""
    for part in _INLINE.split(text):
        if not part:
            continue
        bold = part.startswith("**") and part.endswith("**") and len(part) > 4
        italic = not bold and part.startswith("*") and part.endswith("*") and len(part) > 2
        body = part[2:-2] if bold else part[1:-1] if italic else part
        run = paragraph.add_run(body.replace("\\*", "*"))
        run.bold, run.italic = bold or None, italic or None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _add_table(document, rows: list[list[str]], centred: list[bool]) -> None:
    """A table; two-column tables (letterhead, signatures) get no borders, others a grid."""
    columns = max(len(r) for r in rows)
    table = document.add_table(rows=0, cols=columns)
    if columns != 2:
        table.style = "Table Grid"
    for r, row in enumerate(rows):
        cells = table.add_row().cells
        for c, text in enumerate(row):
            paragraph = cells[c].paragraphs[0]
            for k, piece in enumerate(text.split("<br>")):
                if k:
                    paragraph.add_run().add_break()
                _add_runs(paragraph, f"**{piece}**" if r == 0 and columns != 2 and piece else piece)
            if c < len(centred) and centred[c]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def markdown_to_docx(markdown: str) -> bytes:
    """The DOCX file (bytes) for a Markdown draft."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(13)
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append(lines[i])
                i += 1
            rule = next((b for b in block if _TABLE_RULE.match(b.strip())), None)
            centred = [c.startswith(":") and c.endswith(":") for c in _cells(rule)] if rule else []
            _add_table(document, [_cells(b) for b in block if b is not rule], centred)
            continue
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        if heading:
            level = len(heading.group(1))
            paragraph = document.add_heading(level=level)
            _add_runs(paragraph, heading.group(2))
            if level == 1:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif line.startswith("- "):
            _add_runs(document.add_paragraph(style="List Bullet"), line[2:])
        elif line.startswith("> "):
            paragraph = document.add_paragraph()
            _add_runs(paragraph, f"*{line[2:]}*")
        elif line.strip():
            _add_runs(document.add_paragraph(), line)
        i += 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
