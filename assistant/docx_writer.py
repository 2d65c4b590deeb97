"""Markdown drafts -> DOCX in the official form (python-docx); the templates stay the one source of content,
``prompts/official_form.yaml`` the one source of layout (:mod:`assistant.official_form`).

The subset the templates write, and the element of the form each becomes:

- a two-column table before the title: the header (left: superior body, **issuer**, ``*``, ``Số …``;
  right: **ĐẢNG CỘNG SẢN VIỆT NAM** with a rule of its own length under it, *place, date*);
- ``# X``: the type name (title), a ``**…**`` line right after it: the summary line, ``-----``: the short rule;
- ``##`` / ``###``: headings; paragraphs (justified), ``- `` items, ``> `` notes (italic); a paragraph that is one
  bold capitalised phrase (``**QUYẾT NGHỊ:**``) is centred;
- other pipe tables: a grid; a two-column table after the body: the signature block (a ``Nơi nhận:`` cell on
  the left in small type, signatures centred), without borders. ``<br>`` breaks lines inside a cell.

A4, the form's margins and fonts, page numbers centred at the top from page 2.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from assistant.official_form import ElementStyle, OfficialForm, load_form

# Characters XML 1.0 (and so a DOCX) cannot hold: control characters and unpaired surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_INLINE = re.compile(r"(\*\*.+?\*\*|(?<![\\*])\*(?!\*).+?(?<!\\)\*)")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_BOLD_LINE = re.compile(r"^\*\*([^*]+)\*\*$")
_RECIPIENTS = re.compile(r"^\**\s*(?:Nơi nhận|Recipients)\s*:", re.IGNORECASE)
_RULE_FONTS = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Bold.ttf",
)
_SIGNATURE_WORDS = re.compile(
    r"THƯ KÝ|CHỦ TRÌ|T/M|BÍ THƯ|SECRETARY|CHAIR|FOR THE|Nơi nhận|Recipients|Ký,|Signature", re.IGNORECASE
)


def _set_font(
    run, form: OfficialForm, style: ElementStyle, bold: bool | None = None, italic: bool | None = None
) -> None:
    run.font.name = form.font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), form.font)
    run.font.size = Pt(style.size)
    run.bold = True if (style.bold or bold) else None
    run.italic = True if (style.italic or italic) else None


def _add_runs(paragraph: Paragraph, text: str, form: OfficialForm, style: ElementStyle) -> None:
    """Append ``text`` with its bold/italic markers turned into run formatting, in the element's type."""
    for part in _INLINE.split(text):
        if not part:
            continue
        bold = part.startswith("**") and part.endswith("**") and len(part) > 4
        italic = not bold and part.startswith("*") and part.endswith("*") and len(part) > 2
        body = part[2:-2] if bold else part[1:-1] if italic else part
        _set_font(paragraph.add_run(body.replace("\\*", "*")), form, style, bold, italic)


def _format(
    paragraph: Paragraph, form: OfficialForm, style: ElementStyle, align=None, after: float | None = None
) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing = form.line_spacing
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(form.paragraph_after_pt if after is None else after)
    if style.first_line_indent_mm:
        fmt.first_line_indent = Mm(style.first_line_indent_mm)
    if align is not None:
        paragraph.alignment = align
    elif style.justify:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


@lru_cache(maxsize=8)
def _text_width_pt(text: str, size: float) -> float:
    """Printed width of ``text`` in bold serif at ``size`` (Liberation Serif has Times New Roman's metrics)."""
    try:
        from PIL import ImageFont

        path = next(p for p in _RULE_FONTS if Path(p).exists())
        return ImageFont.truetype(path, 100).getlength(text) * size / 100
    except (StopIteration, OSError, ImportError):
        return 0.75 * size * len(text)  # no metrics at hand: err wide, so the words never wrap


def _rule_under(paragraph: Paragraph, text: str, style: ElementStyle, column_mm: float) -> None:
    """A solid line under the paragraph, as long as its text: a bottom border between matching indents."""
    width_mm = _text_width_pt(text, style.size) / 72 * 25.4
    indent = max(0.0, (column_mm - width_mm) / 2 - 2.0)  # centred text; the rule 2 mm past the words each side
    paragraph.paragraph_format.left_indent = Mm(indent)
    paragraph.paragraph_format.right_indent = Mm(indent)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _cell_paragraph(cell, first: bool) -> Paragraph:
    return cell.paragraphs[0] if first else cell.add_paragraph()


def _no_cell_margins(table) -> None:
    """Cell text starts at the column's edge, so the page margins are where the text is."""
    properties = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    properties.append(margins)


def _two_columns(document, widths_mm: tuple[float, float]):
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    _no_cell_margins(table)
    for column, width in zip(table.columns, widths_mm):
        for cell in column.cells:
            cell.width = Mm(width)
    for grid_column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        grid_column.set(qn("w:w"), str(round(width / 25.4 * 1440)))  # LibreOffice lays out by the grid
    return table


def _header_table(document, form: OfficialForm, left: str, right: str) -> None:
    """The two-column header, each line styled by what it is."""
    widths = (form.text_width_mm * 0.45, form.text_width_mm * 0.55)
    table = _two_columns(document, widths)
    for column, (text, width) in enumerate(zip((left, right), widths)):
        cell = table.rows[0].cells[column]
        seen_bold = False
        for k, piece in enumerate(text.split("<br>")):
            bold = bool(_BOLD_LINE.match(piece.strip()))
            plain = piece.strip().replace("\\*", "\0").strip("*").replace("\0", "*").strip()
            if column == 1:
                element = "header_party" if bold else "header_date"
            elif plain == "*":
                element = "header_star"
            elif plain.startswith(("Số", "No.")):
                element = "header_number"
            elif bold:
                element, seen_bold = "header_issuer", True
            else:
                element = "header_issuer" if seen_bold else "header_parent"
            style = form.style(element)
            paragraph = _cell_paragraph(cell, k == 0)
            _set_font(paragraph.add_run(plain), form, style)
            _format(paragraph, form, style, WD_ALIGN_PARAGRAPH.CENTER, after=0)
            if style.rule_under:
                _rule_under(paragraph, plain, style, width)
    document.add_paragraph()  # a blank line between the header and the title


def _signature_table(document, form: OfficialForm, rows: list[list[str]]) -> None:
    widths = (form.text_width_mm * 0.5, form.text_width_mm * 0.5)
    table = _two_columns(document, widths)
    for r, row in enumerate(rows):
        table_row = table.rows[0] if r == 0 else table.add_row()
        _keep_row_whole(table_row)
        cells = table_row.cells
        for c, text in enumerate(row[:2]):
            pieces = text.split("<br>")
            recipients = bool(_RECIPIENTS.match(pieces[0].strip()))
            for k, piece in enumerate(pieces):
                element = (
                    ("recipients_label" if k == 0 else "recipients")
                    if recipients
                    else (
                        "signature_note"
                        if piece.strip().startswith("*") and not piece.strip().startswith("**")
                        else "signature"
                    )
                )
                style = form.style(element)
                paragraph = _cell_paragraph(cells[c], k == 0)
                _add_runs(paragraph, piece.strip().strip("*") if recipients and k == 0 else piece, form, style)
                _format(
                    paragraph,
                    form,
                    style,
                    WD_ALIGN_PARAGRAPH.LEFT if recipients else WD_ALIGN_PARAGRAPH.CENTER,
                    after=0,
                )


def _keep_row_whole(row) -> None:
    """A signature block is never split between two pages."""
    cant_split = OxmlElement("w:cantSplit")
    row._tr.get_or_add_trPr().append(cant_split)


def _grid_table(document, form: OfficialForm, rows: list[list[str]]) -> None:
    columns = max(len(r) for r in rows)
    table = document.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    style = form.style("table")
    for r, row in enumerate(rows):
        cells = table.add_row().cells
        for c, text in enumerate(row):
            paragraph = cells[c].paragraphs[0]
            for k, piece in enumerate(text.split("<br>")):
                if k:
                    paragraph.add_run().add_break()
                _add_runs(paragraph, f"**{piece}**" if r == 0 and piece else piece, form, style)
            _format(paragraph, form, style, WD_ALIGN_PARAGRAPH.CENTER if r == 0 else WD_ALIGN_PARAGRAPH.LEFT, after=0)
    document.add_paragraph()


def _page_setup(document, form: OfficialForm) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(form.width_mm), Mm(form.height_mm)
    section.top_margin, section.bottom_margin = Mm(form.margin_top_mm), Mm(form.margin_bottom_mm)
    section.left_margin, section.right_margin = Mm(form.margin_left_mm), Mm(form.margin_right_mm)
    section.header_distance = Mm(max(5.0, form.margin_top_mm - 10))
    section.start_type = WD_SECTION.NEW_PAGE
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = form.font, Pt(form.style("body").size)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), form.font)
    _page_numbers(section, form)


def _page_numbers(section, form: OfficialForm) -> None:
    """The page number centred at the top of every page but the first (a different first-page header)."""
    style = form.style("page_number")
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _set_font(run, form, style)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, None), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            shown = OxmlElement("w:t")
            shown.text = "2"
            run._r.append(shown)


def markdown_to_docx(markdown: str, form: OfficialForm | None = None) -> bytes:
    """The DOCX file (bytes) for a Markdown draft, laid out in ``form`` (default: the official form)."""
    form = form or load_form()
    markdown = _NOT_XML.sub("", markdown)  # text typed or pasted with control characters still prints
    document = Document()
    _page_setup(document, form)
    lines = markdown.splitlines()
    i, seen_title, after_title = 0, False, False
    while i < len(lines):
        line = lines[i].rstrip()
        if line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append(lines[i])
                i += 1
            rows = [_cells(b) for b in block if not _TABLE_RULE.match(b.strip())]
            if rows and len(rows[0]) == 2 and not seen_title:
                _header_table(document, form, *rows[0])
            elif rows and len(rows[0]) == 2 and _SIGNATURE_WORDS.search(" ".join(rows[0])):
                _signature_table(document, form, rows)
            elif rows:
                _grid_table(document, form, rows)
            continue
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        bold_line = _BOLD_LINE.match(line.strip())
        if heading:
            level = len(heading.group(1))
            element = {1: "title", 2: "heading", 3: "subheading"}[level]
            style = form.style(element)
            paragraph = document.add_paragraph()
            _add_runs(paragraph, heading.group(2), form, style)
            _format(
                paragraph,
                form,
                style,
                WD_ALIGN_PARAGRAPH.CENTER if level == 1 else WD_ALIGN_PARAGRAPH.LEFT,
                after=0 if level == 1 else None,
            )
            paragraph.paragraph_format.keep_with_next = True
            seen_title = seen_title or level == 1
            after_title = level == 1
        elif after_title and bold_line:
            style = form.style("subtitle")
            paragraph = document.add_paragraph()
            _add_runs(paragraph, bold_line.group(1), form, style)
            _format(paragraph, form, style, WD_ALIGN_PARAGRAPH.CENTER, after=0)
        elif line.strip() == "-----":
            style = form.style("title_rule")
            paragraph = document.add_paragraph()
            _set_font(paragraph.add_run(style.text or "-----"), form, style)
            _format(paragraph, form, style, WD_ALIGN_PARAGRAPH.CENTER)
            after_title = False
        elif line.startswith("- "):
            style = form.style("list_item")
            paragraph = document.add_paragraph()
            _add_runs(paragraph, "- " + line[2:], form, style)
            _format(paragraph, form, style)
        elif line.startswith("> "):
            style = form.style("body")
            paragraph = document.add_paragraph()
            _add_runs(paragraph, f"*{line[2:]}*", form, style)
            _format(paragraph, form, style)
        elif line.strip():
            if not (after_title and bold_line):
                after_title = False
            centred = bold_line is not None and bold_line.group(1).upper() == bold_line.group(1)
            style = form.style("heading" if centred else "body")
            paragraph = document.add_paragraph()
            _add_runs(paragraph, line, form, style)
            _format(paragraph, form, style, WD_ALIGN_PARAGRAPH.CENTER if centred else None)
        i += 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
