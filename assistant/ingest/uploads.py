"""Checks on uploaded files before any parser sees them: size, a safe name, the real type, zip bombs.

The type is sniffed from the bytes, not taken from the extension: a ``.pdf`` must start like a PDF,
a ``.docx`` must be a Word package, text types must decode as text. Each failure is a typed error
with a message a person can act on (413, 415 or 422 over HTTP).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import PurePosixPath

from assistant.errors import IngestError, PayloadTooLarge, UnsupportedType
from assistant.ingest.loaders import IMAGE_SUFFIXES, SUPPORTED_SUFFIXES

MAX_NAME_CHARS = 120
MAX_ZIP_ENTRIES = 2000
MAX_DOCX_EXPANDED = 200 * 2**20  # files read from disk; uploads use the setting docx_max_expanded_mb
MAX_ZIP_RATIO = 200  # a Word part compresses ~10x; hundreds of times means a crafted archive
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def safe_filename(name: str | None, fallback: str = "upload") -> str:
    """The last path component of ``name``, NFC, without control characters, separators or leading dots."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    base = PurePosixPath(name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" ._")
    stem, dot, suffix = base.rpartition(".")
    if dot and len(suffix) <= 10:
        stem = stem[: MAX_NAME_CHARS - len(suffix) - 1].strip(" ._")
        base = f"{stem or fallback}.{suffix}"
    return base[:MAX_NAME_CHARS] or fallback


def sniff(data: bytes) -> str:
    """What the bytes are: pdf, docx, odt, zip, ole (old .doc/.xls), rtf, image, audio, text, or binary."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        return "odt" if "content.xml" in names and "mimetype" in names else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith((b"RIFF", b"OggS", b"fLaC", b"ID3")) or (
        len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0
    ):
        return "audio"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"
    sample = data[:8192]
    if b"\x00" in sample:
        return "binary"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            return "binary"
    return "text"


_EXPECTED = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "ole",
    ".odt": "odt",
    ".rtf": "rtf",
    **{s: "text" for s in TEXT_SUFFIXES},
    **{s: "image" for s in IMAGE_SUFFIXES},
}
DESCRIBED = {
    "pdf": "a PDF",
    "docx": "a Word document",
    "zip": "a ZIP archive",
    "ole": "an old Office file (.doc/.xls)",
    "odt": "an OpenDocument file",
    "rtf": "an RTF document",
    "image": "an image",
    "audio": "audio",
    "text": "text",
    "binary": "binary data",
}


def check_zip(data: bytes, max_expanded: int) -> None:
    """Refuse archives that would expand far beyond their size (zip bombs) or hold too many parts."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise IngestError(f"corrupt DOCX (not a valid Word file): {exc}") from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise IngestError(
            f"DOCX has {len(entries)} parts (limit {MAX_ZIP_ENTRIES}); it looks crafted, not saved by Word"
        )
    total = sum(e.file_size for e in entries)
    if total > max_expanded:
        raise IngestError(
            f"DOCX expands to {total / 2**20:.0f} MiB (limit {max_expanded / 2**20:.0f} MiB): refused as a zip bomb"
        )
    for entry in entries:
        if entry.file_size > 2**20 and entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1):
            raise IngestError(
                f"DOCX part {entry.filename} expands {entry.file_size // max(entry.compress_size, 1)}x: "
                "refused as a zip bomb"
            )


def check_upload(data: bytes, filename: str | None, max_bytes: int, docx_max_expanded: int) -> str:
    """Validate an upload and return its safe name; raises PayloadTooLarge, UnsupportedType or IngestError."""
    name = safe_filename(filename)
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"file is over the {max_bytes / 2**20:.1f} MiB limit")
    if not data.strip():
        raise IngestError("the file is empty")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedType(
            f"unsupported file type '{suffix or '(none)'}'; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    found, expected = sniff(data), _EXPECTED[suffix]
    if found != expected:
        raise UnsupportedType(
            f"the file is named {suffix} but its content is {DESCRIBED[found]}; "
            f"save it as {DESCRIBED[expected]} or give it the right extension"
        )
    if found == "docx":
        check_zip(data, docx_max_expanded)
    return name
