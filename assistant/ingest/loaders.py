"""Turn a file into text pages. Every failure raises ``IngestError`` with a reason a person can act on."""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from assistant.errors import IngestError

SUPPORTED_SUFFIXES = {".pdf", ".docx", ".txt", ".md", ".markdown", ".html", ".htm"}
SIDECAR_SUFFIX = ".meta.json"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


@dataclass
class LoadedFile:
    """Raw result of loading: text per page plus metadata found in the file or its sidecar."""

    pages: list[str]
    overrides: dict[str, Any] = field(default_factory=dict)


def normalize_text(text: str) -> str:
    """NFC-normalize (PDFs often carry decomposed Vietnamese marks), unify newlines, trim trailing spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def unsupported_type(suffix: str) -> IngestError:
    """The error for a file type we cannot read."""
    return IngestError(f"unsupported file type '{suffix or '(none)'}'; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}")


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
        raise IngestError(f"not UTF-8 text (invalid byte at offset {exc.start}); save the file as UTF-8") from exc
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
    return text[match.end():], {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def _strip_markdown(text: str) -> str:
    """Drop heading hashes and bold markers so the legal structure reads as in print."""
    return _MD_EMPHASIS.sub(r"\2", _MD_HEADING.sub("", text))


def load_text(data: bytes, markdown: bool = False) -> LoadedFile:
    text, front = _split_front_matter(_decode_text(data))
    if markdown:
        text = _strip_markdown(text)
    # A form feed separates pages in plain-text exports.
    return LoadedFile(pages=text.split("\f"), overrides=front)


def load_pdf(data: bytes) -> LoadedFile:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise IngestError(f"encrypted PDF cannot be opened: {exc}") from exc
            if not ok:
                raise IngestError("encrypted PDF: a password is required; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AssertionError) as exc:
        raise IngestError(f"corrupt or truncated PDF: {exc}") from exc
    if not pages:
        raise IngestError("PDF has no pages")
    if not any(p.strip() for p in pages):
        raise IngestError("PDF has no text layer (scanned image?); OCR is not supported")
    info: dict[str, Any] = {}
    try:
        if reader.metadata and reader.metadata.title:
            info["title"] = str(reader.metadata.title)
    except Exception:  # metadata is optional and sometimes malformed
        pass
    return LoadedFile(pages=pages, overrides=info)


def load_docx(data: bytes) -> LoadedFile:
    import docx

    from assistant.ingest.uploads import MAX_DOCX_EXPANDED, check_zip

    check_zip(data, MAX_DOCX_EXPANDED)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise IngestError(f"corrupt DOCX (not a valid Word file): {exc}") from exc
    blocks: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append("".join(node.text or "" for node in child.iter() if node.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = ["".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                             for cell in row if cell.tag.endswith("}tc")]
                    blocks.append(" | ".join(c.strip() for c in cells))
    info = {"title": document.core_properties.title} if document.core_properties.title else {}
    return LoadedFile(pages=["\n".join(blocks)], overrides=info)


_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table",
                         "blockquote"})
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


_LOADERS: dict[str, Callable[[bytes], LoadedFile]] = {
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".txt": load_text,
    ".md": lambda data: load_text(data, markdown=True),
    ".markdown": lambda data: load_text(data, markdown=True),
    ".html": load_html,
    ".htm": load_html,
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


def load_bytes(data: bytes, suffix: str) -> LoadedFile:
    """Dispatch on the file suffix and normalize the extracted text."""
    loader = _LOADERS.get(suffix.lower())
    if loader is None:
        raise unsupported_type(suffix)
    loaded = loader(data)
    loaded.pages = [normalize_text(p) for p in loaded.pages]
    if not any(p.strip() for p in loaded.pages):
        raise IngestError("no text could be extracted")
    return loaded


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
