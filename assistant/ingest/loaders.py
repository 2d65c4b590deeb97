"""Turn a file into text pages. Every failure raises ``IngestError`` with a reason a person can act on.

Readers per format (PDF: :mod:`pdf`, with OCR for scanned pages; DOCX: :mod:`docx_text`; .doc/.odt/.rtf:
LibreOffice to DOCX, :mod:`office`; images: OCR, :mod:`ocr`; text, Markdown, HTML here), then one repair
stage for every format (:func:`repair_pages`): legacy Vietnamese encodings converted to Unicode (text that
still looks undecoded is refused, never indexed), running headers, footers and page numbers removed, OCR
slips fixed, split syllables joined. What was done is kept as warnings on the document.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import IngestError
from assistant.ingest import text_repair
from assistant.lang import legacy_encoding
from assistant.progress import Progress

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
OFFICE_SUFFIXES = {".doc", ".odt", ".rtf"}
SUPPORTED_SUFFIXES = {".pdf", ".docx", ".txt", ".md", ".markdown", ".html", ".htm"} | OFFICE_SUFFIXES | IMAGE_SUFFIXES
SIDECAR_SUFFIX = ".meta.json"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
ENCODING_NAMES = {"tcvn3": "TCVN3 (ABC, .VnTime fonts)", "vni": "VNI (VNI-Times fonts)"}


@dataclass
class LoadedFile:
    """Raw result of loading: text per page, metadata found in the file or its sidecar, and what was repaired."""

    pages: list[str]
    overrides: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    page_labels: list[str] | None = None  # printed page numbers, when they differ from the file's page count
    ocr_pages: set[int] = field(default_factory=set)  # 1-based pages whose text came from OCR


def normalize_text(text: str) -> str:
    """NFC-normalize (PDFs often carry decomposed Vietnamese marks), unify newlines, trim trailing spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def unsupported_type(suffix: str) -> IngestError:
    """The error for a file type we cannot read."""
    return IngestError(
        f"unsupported file type '{suffix or '(none)'}'; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"
    )


def read_sidecar(path: Path) -> tuple[dict[str, Any], bytes]:
    """Metadata from ``FILE.ext.meta.json`` or ``FILE.meta.json`` next to the file, if present."""
    for candidate in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_suffix(SIDECAR_SUFFIX)):
        if candidate.is_file():
            raw = candidate.read_bytes()
            try:
                data = json.loads(raw.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise IngestError(f"sidecar {candidate.name} is not valid JSON: {exc}") from exc
            if not isinstance(data, dict):
                raise IngestError(f"sidecar {candidate.name} must hold a JSON object")
            return data, raw
    return {}, b""


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:8192]:
        raise IngestError("binary content, not text (NUL bytes found)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # An 8-bit legacy Vietnamese file (TCVN3/VNI bytes) is read byte for byte and converted later.
        latin = data.decode("latin-1")
        if legacy_encoding.detect(latin) is None:
            raise IngestError(f"not UTF-8 text (invalid byte at offset {exc.start}); save the file as UTF-8") from exc
        text = latin
    controls = sum(1 for ch in text[:8192] if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 50):
        raise IngestError("binary content, not text (too many control characters)")
    return text


def _split_front_matter(text: str) -> tuple[str, dict[str, Any]]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return text, {}
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise IngestError("front matter must be a YAML mapping")
    return text[match.end() :], {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def strip_markdown(text: str) -> str:
    """Drop heading hashes and bold markers so the legal structure reads as in print."""
    return _MD_EMPHASIS.sub(r"\2", _MD_HEADING.sub("", text))


def load_text(data: bytes, markdown: bool = False) -> LoadedFile:
    text, front = _split_front_matter(_decode_text(data))
    if markdown:
        text = strip_markdown(text)
    # A form feed separates pages in plain-text exports.
    return LoadedFile(pages=text.split("\f"), overrides=front)


def load_pdf(data: bytes) -> LoadedFile:
    from assistant.ingest.pdf import read_pdf

    read = read_pdf(data)
    return LoadedFile(pages=read.pages, warnings=read.warnings, ocr_pages=set(read.ocr_confidence))


def load_docx(data: bytes) -> LoadedFile:
    from assistant.ingest.docx_text import read_docx
    from assistant.ingest.uploads import MAX_DOCX_EXPANDED, check_zip

    check_zip(data, MAX_DOCX_EXPANDED)
    read = read_docx(data)
    warnings = [f"converted from {ENCODING_NAMES[e]} to Unicode ({n} characters)" for e, n in read.converted.items()]
    return LoadedFile(pages=read.pages, warnings=warnings)


def load_office(data: bytes, suffix: str) -> LoadedFile:
    """.doc / .odt / .rtf: converted to DOCX by LibreOffice, then read as DOCX."""
    from assistant.ingest.office import to_docx

    return load_docx(to_docx(data, suffix))


def load_image(data: bytes) -> LoadedFile:
    """A photo or scan (PNG, JPEG, TIFF with one page per frame), read by OCR."""
    from assistant.ingest.ocr import LOW_CONFIDENCE, image_pages, ocr_image, report_page

    pages, warnings, low = [], [], []
    images = image_pages(data)
    for number, image in enumerate(images, start=1):
        read = ocr_image(image)
        report_page(number, len(images))
        pages.append(read.text)
        if read.confidence < LOW_CONFIDENCE:
            low.append(f"{number} ({read.confidence:.0f}%)")
    if not any(p.strip() for p in pages):
        raise IngestError(
            "no text found in the image (OCR read nothing): is it a photo of a page, sharp and the right way up?"
        )
    warnings.append(f"read by OCR: {len(pages)} page(s)")
    if low:
        warnings.append(f"OCR confidence is low on pages {', '.join(low)}: check quotes against the paper")
    return LoadedFile(pages=pages, warnings=warnings, ocr_pages=set(range(1, len(pages) + 1)))


_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table", "blockquote"}
)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head"})
_BREAK = object()


def _html_text(root: Any) -> str:
    """The text of an HTML tree with a line break around each block element, in one linear pass.

    (Inserting break strings into the tree instead costs quadratic time on pages with many blocks.)"""
    from bs4 import CData, NavigableString, Tag

    parts: list[str] = []
    stack: list[Any] = [iter(root.children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        if isinstance(child, str):
            if child.__class__ in (NavigableString, CData):  # not comments, doctypes, processing instructions
                parts.append(str(child))
            continue
        if child is _BREAK:
            parts.append("\n")
        elif isinstance(child, Tag) and child.name not in _SKIPPED_TAGS:
            if child.name in _BLOCK_TAGS:
                parts.append("\n")
                stack.append(iter([_BREAK]))  # the break after the block, reached once its children are done
            stack.append(iter(child.children))
    return "".join(parts)


def load_html(data: bytes) -> LoadedFile:
    from bs4 import BeautifulSoup

    text = _decode_text(data) if not data.lstrip().startswith(b"<?xml") else data.decode("utf-8", "replace")
    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in _html_text(soup).split("\n")]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return LoadedFile(pages=[body], overrides={"title": title} if title else {})


def _load_office_as(suffix: str, data: bytes) -> LoadedFile:
    return load_office(data, suffix)


_LOADERS: dict[str, Callable[[bytes], LoadedFile]] = {
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".txt": load_text,
    ".md": lambda data: load_text(data, markdown=True),
    ".markdown": lambda data: load_text(data, markdown=True),
    ".html": load_html,
    ".htm": load_html,
    **{suffix: partial(_load_office_as, suffix) for suffix in OFFICE_SUFFIXES},
    **{suffix: load_image for suffix in IMAGE_SUFFIXES},
}


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a file with the checks every format shares: exists, readable, non-empty, not too large."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise IngestError("file not found") from exc
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror}") from exc
    if not path.is_file():
        raise IngestError("not a regular file")
    if size > max_bytes:
        raise IngestError(f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.1f} MiB limit")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror}") from exc
    if not data.strip():
        raise IngestError("empty file")
    return data


def load_bytes(data: bytes, suffix: str, progress: Progress | None = None) -> LoadedFile:
    """Dispatch on the file suffix, then repair the extracted text (see :func:`repair_pages`).

    ``progress`` hears each page OCR reads (a scan or photo takes seconds a page)."""
    from contextlib import nullcontext

    from assistant.ingest.ocr import page_progress, reporting_pages

    loader = _LOADERS.get(suffix.lower())
    if loader is None:
        raise unsupported_type(suffix)
    try:
        with reporting_pages(page_progress(progress)) if progress is not None else nullcontext():
            loaded = loader(data)
    except IngestError:
        raise
    except Exception as exc:  # a parser bug or a file no reader foresaw: this file fails, with its reason
        raise IngestError(f"could not read the file ({type(exc).__name__}: {exc})") from exc
    return repair_pages(loaded)


def repair_pages(loaded: LoadedFile) -> LoadedFile:
    """Normalize, convert legacy encodings, drop page furniture, fix OCR slips, join split syllables."""
    pages = [normalize_text(p) for p in loaded.pages]
    if not any(p.strip() for p in pages):
        raise IngestError("no text could be extracted")
    whole = "\n\n".join(pages)
    encoding = legacy_encoding.detect(whole)
    if encoding is not None:
        decode = legacy_encoding.DECODERS[encoding]
        pages = [legacy_encoding.restore_capitals(decode(p)) if encoding == "tcvn3" else decode(p) for p in pages]
        loaded.warnings.append(f"converted from {ENCODING_NAMES[encoding]} to Unicode")
        whole = "\n\n".join(pages)
    if legacy_encoding.looks_undecoded(whole):
        raise IngestError(
            "the text looks like a legacy Vietnamese encoding that could not be converted "
            "(mojibake such as '§¶ng'); save the file with a Unicode font and try again"
        )
    furniture = text_repair.strip_page_furniture(pages)
    context = "\n".join(furniture.pages)
    pages = [
        text_repair.fix_ocr_text(p, context) if i + 1 in loaded.ocr_pages else p for i, p in enumerate(furniture.pages)
    ]
    if loaded.ocr_pages:
        pages, renumbered = text_repair.renumber_roman_headings(pages, loaded.ocr_pages)
        if renumbered:
            loaded.warnings.append(f"{renumbered} section numbers misread by OCR put back in sequence")
        pages, harmonized = text_repair.harmonize_ocr_spellings(pages, loaded.ocr_pages)
        if harmonized:
            loaded.warnings.append(f"{harmonized} word pairs misread by OCR spelled as the document spells them")
    if furniture.removed:
        loaded.warnings.append(f"removed {furniture.removed} running header, footer and page-number lines")
    if _vietnamese(whole):
        joined = [text_repair.repair_split_syllables(p) for p in pages]
        pages = [p for p, _ in joined]
        joins = sum(n for _, n in joined)
        if joins:
            loaded.warnings.append(f"joined {joins} syllables split by the PDF's text layer")
    loaded.pages = pages
    loaded.page_labels = furniture.labels
    return loaded


def _vietnamese(text: str) -> bool:
    from assistant.ingest.structure import detect_language

    return detect_language(text) == "vi"


@dataclass
class SourceFile:
    """A file's bytes and its sidecar, read but not yet parsed (enough to hash it)."""

    path: Path
    data: bytes
    sidecar: dict[str, Any]
    sidecar_raw: bytes

    def load(self) -> LoadedFile:
        """Parse the bytes and merge the sidecar metadata (the sidecar wins over what the file says)."""
        loaded = load_bytes(self.data, self.path.suffix)
        loaded.overrides.update(self.sidecar)
        return loaded


def read_source(path: Path, max_bytes: int) -> SourceFile:
    """Check the type, read the bytes (with the size and readability checks) and the sidecar."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise unsupported_type(path.suffix)
    data = read_bytes(path, max_bytes)
    sidecar, sidecar_raw = read_sidecar(path)
    return SourceFile(path, data, sidecar, sidecar_raw)


def load_file(path: Path, max_bytes: int) -> LoadedFile:
    """Read, parse and merge the sidecar of ``path``."""
    return read_source(path, max_bytes).load()
