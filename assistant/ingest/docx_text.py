"""DOCX -> text pages, in reading order, keeping what Word shows and python-docx's ``.text`` drops.

- Pages: an explicit page break, or the page breaks Word recorded when it last laid the file out
  (``w:lastRenderedPageBreak``), start a new page, so citations give a page number in DOCX files too.
- Line breaks (``w:br``) stay line breaks; tabs become spaces; deleted revisions are left out.
- Text boxes (shapes drawn on the page) come out as their own lines after their anchor paragraph, once
  (Word stores each twice: DrawingML and a VML fallback).
- Tables: a letterhead or signature table (two rows at most) is read cell by cell, each paragraph a line,
  left column first, so the issuer, the number and the place-date line keep their own lines; a data table
  becomes one line per row, cells joined by `` | `` and line breaks inside a cell shown as `` / ``.
- Footnotes: a ``[n]`` marker where the reference is, and the notes themselves after the body under
  a ``Chú thích`` (``Footnotes``) line, so they are indexed apart from the article that refers to them.
- Legacy fonts: a run in a TCVN3 (``.VnTime``...) or VNI (``VNI-Times``...) font is converted to Unicode,
  run by run, wherever the font is set (the run, its style, or the document's default).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from assistant.errors import IngestError
from assistant.lang.legacy_encoding import DECODERS, is_legacy_font

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PAGE_BREAK = "\f"
FOOTNOTES_HEADING = {"vi": "Chú thích", "en": "Footnotes"}


def _q(tag: str) -> str:
    prefix, local = tag.split(":")
    namespace = {"w": W, "mc": MC}[prefix]
    return f"{{{namespace}}}{local}"


T, TAB, BR, CR, P, R, TBL, TR, TC = (
    _q(t) for t in ("w:t", "w:tab", "w:br", "w:cr", "w:p", "w:r", "w:tbl", "w:tr", "w:tc")
)
RENDERED_BREAK, DEL, TXBX, FOOTREF = (
    _q(t) for t in ("w:lastRenderedPageBreak", "w:del", "w:txbxContent", "w:footnoteReference")
)
FALLBACK, RPR, RFONTS, PPR, PSTYLE, RSTYLE = (
    _q(t) for t in ("mc:Fallback", "w:rPr", "w:rFonts", "w:pPr", "w:pStyle", "w:rStyle")
)
SDT_CONTENT = _q("w:sdtContent")


@dataclass
class _Fonts:
    """Which legacy encoding a run's font implies: run font, else its styles', else the document default."""

    styles: dict[str, str | None] = field(default_factory=dict)  # style id -> encoding (None: Unicode font)
    default: str | None = None

    def of(self, run: Any, paragraph_style: str | None) -> str | None:
        rpr = run.find(RPR)
        if rpr is not None:
            fonts = rpr.find(RFONTS)
            if fonts is not None and (fonts.get(_q("w:ascii")) or fonts.get(_q("w:hAnsi"))):
                return is_legacy_font(fonts.get(_q("w:ascii")) or fonts.get(_q("w:hAnsi")))
            style = rpr.find(RSTYLE)
            if style is not None and style.get(_q("w:val")) in self.styles:
                return self.styles[style.get(_q("w:val"))]
        if paragraph_style and paragraph_style in self.styles:
            return self.styles[paragraph_style]
        return self.default


def _read_fonts(document: Any) -> _Fonts:
    try:
        styles_element = document.styles.element
    except (KeyError, AttributeError, ValueError):
        return _Fonts()
    own: dict[str, str | None] = {}
    based_on: dict[str, str] = {}
    for style in styles_element.iter(_q("w:style")):
        style_id = style.get(_q("w:styleId"))
        fonts = style.find(f"{RPR}/{RFONTS}")
        if fonts is not None and (fonts.get(_q("w:ascii")) or fonts.get(_q("w:hAnsi"))):
            own[style_id] = is_legacy_font(fonts.get(_q("w:ascii")) or fonts.get(_q("w:hAnsi")))
        parent = style.find(_q("w:basedOn"))
        if parent is not None:
            based_on[style_id] = parent.get(_q("w:val"))
    default = None
    defaults = styles_element.find(f"{_q('w:docDefaults')}/{_q('w:rPrDefault')}/{RPR}/{RFONTS}")
    if defaults is not None:
        default = is_legacy_font(defaults.get(_q("w:ascii")) or defaults.get(_q("w:hAnsi")))
    resolved: dict[str, str | None] = {}
    for style_id in set(own) | set(based_on):
        seen: set[str] = set()
        current: str | None = style_id
        while current is not None and current not in own and current not in seen:
            seen.add(current)
            current = based_on.get(current)
        resolved[style_id] = own.get(current, default) if current is not None else default
    return _Fonts(resolved, default)


@dataclass
class _Reader:
    fonts: _Fonts
    footnote_numbers: dict[str, int] = field(default_factory=dict)
    converted: dict[str, int] = field(default_factory=dict)  # encoding -> characters converted

    def paragraph(self, element: Any) -> tuple[str, list[str]]:
        """The paragraph's text (page breaks as form feeds) and the lines of the text boxes anchored in it."""
        style = element.find(f"{PPR}/{PSTYLE}")
        style_id = style.get(_q("w:val")) if style is not None else None
        parts: list[str] = []
        boxes: list[str] = []
        for node in element.iter():
            if _inside(node, element, (DEL, FALLBACK, TXBX)):
                continue
            tag = node.tag
            if tag == TXBX:
                continue
            if tag == T:
                parts.append(self._decode(node.text or "", node.getparent(), style_id))
            elif tag in (TAB,):
                parts.append(" ")
            elif tag in (BR, CR):
                parts.append(PAGE_BREAK if node.get(_q("w:type")) == "page" else "\n")
            elif tag == RENDERED_BREAK:
                parts.append(PAGE_BREAK)
            elif tag == FOOTREF:
                number = self.footnote_numbers.setdefault(node.get(_q("w:id")), len(self.footnote_numbers) + 1)
                parts.append(f" [{number}]")
        for box in element.iter(TXBX):
            if not _inside(box, element, (FALLBACK,)):
                boxes.extend(line for p in box.iter(P) for line in [self.paragraph_text(p)] if line.strip())
        return "".join(parts), boxes

    def paragraph_text(self, element: Any) -> str:
        return self.paragraph(element)[0].replace(PAGE_BREAK, " ")

    def _decode(self, text: str, run: Any, paragraph_style: str | None) -> str:
        encoding = self.fonts.of(run, paragraph_style) if run is not None and run.tag == R else None
        if encoding and text:
            self.converted[encoding] = self.converted.get(encoding, 0) + len(text)
            return DECODERS[encoding](text)
        return text

    def table(self, element: Any) -> list[str]:
        rows = [row for row in element if row.tag == TR]
        cells = [[cell for cell in row if cell.tag == TC] for row in rows]
        if len(rows) <= 2:  # letterhead / signature layout: each cell's paragraphs on their own lines
            lines = []
            for column in range(max((len(r) for r in cells), default=0)):
                for row in cells:
                    if column < len(row):
                        lines.extend(self.cell_lines(row[column]))
            return lines
        out = []
        for row in cells:
            texts = [" / ".join(self.cell_lines(cell)) for cell in row]
            if any(texts):
                out.append(" | ".join(texts))
        return out

    def cell_lines(self, cell: Any) -> list[str]:
        lines: list[str] = []
        for block in _blocks(cell):
            if block.tag == P:
                text, boxes = self.paragraph(block)
                lines.extend(part.strip() for part in text.replace(PAGE_BREAK, "\n").split("\n") if part.strip())
                lines.extend(boxes)
            elif block.tag == TBL:
                lines.extend(self.table(block))
        return lines


def _inside(node: Any, root: Any, tags: tuple[str, ...]) -> bool:
    """True when ``node`` sits (strictly) inside an element with one of ``tags``, below ``root``."""
    parent = node.getparent()
    while parent is not None and parent is not root:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def _blocks(container: Any):
    """Paragraphs and tables of a body or cell in order, looking inside content controls."""
    for child in container:
        if child.tag in (P, TBL):
            yield child
        elif child.tag == _q("w:sdt"):
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)


def _footnotes(document: Any, reader: _Reader) -> dict[str, str]:
    """Footnote id -> text, from the footnotes part (separators left out)."""
    from docx.oxml import parse_xml

    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes") and not rel.is_external:
            root = parse_xml(rel.target_part.blob)
            notes = {}
            for note in root.iter(_q("w:footnote")):
                if note.get(_q("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                text = " ".join(reader.paragraph_text(p).strip() for p in note.iter(P)).strip()
                if text:
                    notes[note.get(_q("w:id"))] = text
            return notes
    return {}


@dataclass
class DocxText:
    pages: list[str]
    converted: dict[str, int]  # legacy encoding -> characters converted from it


def read_docx(data: bytes, language_hint: str = "vi") -> DocxText:
    """Text pages of a DOCX file (see the module docstring)."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise IngestError(f"corrupt DOCX (not a valid Word file): {exc}") from exc
    reader = _Reader(_read_fonts(document))
    lines: list[str] = []
    for block in _blocks(document.element.body):
        if block.tag == P:
            text, boxes = reader.paragraph(block)
            lines.append(text)
            lines.extend(boxes)
        else:
            lines.extend(reader.table(block))
    notes = _footnotes(document, reader) if reader.footnote_numbers else {}
    if notes:
        lines.append("")
        lines.append(FOOTNOTES_HEADING.get(language_hint, FOOTNOTES_HEADING["vi"]))
        for note_id, number in sorted(reader.footnote_numbers.items(), key=lambda item: item[1]):
            if note_id in notes:
                lines.append(f"[{number}] {notes[note_id]}")
    pages = [page.strip("\n") for page in "\n".join(lines).split(PAGE_BREAK)]
    # Word records a rendered break at the top of a page that also starts with an explicit one: no empty pages.
    pages = [p for i, p in enumerate(pages) if p.strip() or i == 0]
    return DocxText(pages=pages, converted=reader.converted)
