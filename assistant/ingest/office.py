"""Legacy and other office formats (.doc, .odt, .rtf) -> DOCX through LibreOffice headless.

LibreOffice (Debian ``libreoffice-writer-nogui``) reads Word 97-2003, OpenDocument and RTF and writes DOCX
with the original fonts kept, so the DOCX reader then converts TCVN3/VNI text run by run. Each conversion
runs in its own throw-away LibreOffice profile (parallel conversions do not lock each other out) with a
time limit, and a file LibreOffice cannot read is an ``IngestError``.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from assistant.errors import IngestError

OFFICE_SUFFIXES = {".doc", ".odt", ".rtf"}
CONVERT_TIMEOUT_S = 120


def soffice_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def check_format(data: bytes, suffix: str) -> None:
    """Refuse a file that is not what its name says before LibreOffice sees it (it would import any bytes
    as plain text): a .doc is an OLE2 file with a WordDocument stream, an .odt an OpenDocument package,
    an .rtf starts with ``{\\rtf``."""
    suffix = suffix.lower()
    if suffix == ".doc":
        import olefile

        try:
            with olefile.OleFileIO(io.BytesIO(data)) as ole:
                ok = ole.exists("WordDocument")
        except (OSError, ValueError, IndexError) as exc:
            raise IngestError(f"not a Word 97-2003 document (.doc): {exc}") from exc
        if not ok:
            raise IngestError("not a Word 97-2003 document (.doc): an Office file of another kind (Excel, PowerPoint?)")
    elif suffix == ".odt":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                kind = archive.read("mimetype").decode("ascii", "replace").strip()
        except (zipfile.BadZipFile, KeyError) as exc:
            raise IngestError(f"not an OpenDocument text (.odt): {exc}") from exc
        if kind != "application/vnd.oasis.opendocument.text":
            raise IngestError(f"not an OpenDocument text (.odt): it is {kind or 'another kind of file'}")
    elif suffix == ".rtf" and not data.lstrip()[:5] == b"{\\rtf":
        raise IngestError("not an RTF document (.rtf): it does not start with {\\rtf")


def to_docx(data: bytes, suffix: str, timeout_s: float = CONVERT_TIMEOUT_S) -> bytes:
    """The DOCX bytes LibreOffice makes of a .doc/.odt/.rtf file."""
    check_format(data, suffix)
    binary = soffice_binary()
    if binary is None:
        raise IngestError(
            f"reading {suffix} files needs LibreOffice: install the Debian package "
            "libreoffice-writer-nogui (or save the file as .docx)"
        )
    try:
        return convert(binary, data, suffix, "docx:MS Word 2007 XML", ".docx", timeout_s)
    except ConversionFailed as exc:
        raise IngestError(str(exc).replace("{what}", f"this {suffix} file")) from exc


def docx_to_pdf(data: bytes, timeout_s: float = CONVERT_TIMEOUT_S) -> bytes:
    """A PDF of a DOCX we drafted, fonts embedded (LibreOffice's writer_pdf_Export); ``BackendUnavailable``
    with the install hint when LibreOffice is not installed."""
    from assistant.errors import BackendUnavailable

    binary = soffice_binary()
    if binary is None:
        raise BackendUnavailable(
            "PDF output needs LibreOffice: install the Debian packages libreoffice-writer-nogui "
            "and fonts-liberation (or ask for DOCX)"
        )
    try:
        return convert(binary, data, ".docx", "pdf:writer_pdf_Export", ".pdf", timeout_s)
    except ConversionFailed as exc:
        raise BackendUnavailable(str(exc).replace("{what}", "the drafted document")) from exc


class ConversionFailed(Exception):
    """LibreOffice did not convert (``{what}`` in the message stands for the file)."""


def convert(binary: str, data: bytes, suffix: str, target: str, out_suffix: str, timeout_s: float) -> bytes:
    """``data`` (a ``suffix`` file) converted by LibreOffice headless to ``target``, in a throw-away profile."""
    with tempfile.TemporaryDirectory(prefix="assistant-office-") as tmp:
        work = Path(tmp)
        source = work / f"input{suffix.lower()}"
        source.write_bytes(data)
        profile = (work / "profile").as_uri()
        command = [
            binary,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            target,
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ConversionFailed(f"converting {{what}} took longer than {timeout_s:g} s; it may be damaged") from exc
        produced = work / "out" / f"input{out_suffix}"
        if done.returncode != 0 or not produced.is_file() or produced.stat().st_size == 0:
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
            raise ConversionFailed(
                "LibreOffice could not convert {what}"
                + (f": {detail[-1]}" if detail else "; it may be damaged or not really a " + suffix)
            )
        return produced.read_bytes()
