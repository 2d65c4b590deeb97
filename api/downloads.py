"""Headers for files the API sends as downloads."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote


def attachment_headers(filename: str) -> dict[str, str]:
    """``Content-Disposition: attachment`` with an ASCII name for old clients and the real (UTF-8) name for
    the rest (RFC 6266); header values must be Latin-1, so a name in any script still downloads."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c if c.isalnum() or c in "._-" else "_" for c in fallback).strip("._") or "download"
    if "." in filename and "." not in fallback:
        fallback += "." + filename.rsplit(".", 1)[1].encode("ascii", "ignore").decode("ascii")
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"}
