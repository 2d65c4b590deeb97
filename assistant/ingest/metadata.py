"""Assemble a Document's metadata from its header, the file's own metadata and a sidecar."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.domain import AccessLevel, DocType, Document, DocumentMeta
from assistant.errors import IngestError
from assistant.ingest import identity
from assistant.ingest.loaders import LoadedFile
from assistant.ingest.structure import detect_language
from assistant.text import normalize_org_unit, slugify

ALLOWED_KEYS = {
    "doc_id",
    "title",
    "doc_number",
    "doc_type",
    "issuer",
    "issued_date",
    "date",
    "language",
    "org_unit",
    "access_level",
}
PAGE_SEPARATOR = "\n\n"


def content_hash(data: bytes, salt: str) -> str:
    """Hash of the file bytes (plus sidecar) and the pipeline settings, so a new chunker or model re-indexes."""
    return hashlib.sha256(salt.encode() + b"\0" + data).hexdigest()


def assemble_text(pages: list[str]) -> tuple[str, list[int]]:
    """Join pages with a blank line and remember where each page starts."""
    starts, parts, offset = [], [], 0
    for page in pages:
        starts.append(offset)
        parts.append(page)
        offset += len(page) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts), starts


def build_document(loaded: LoadedFile, source: Path | str, digest: str, default_doc_id: str | None = None) -> Document:
    """Parse header metadata, let explicit metadata win, validate it, and return the Document."""
    text, page_starts = assemble_text(loaded.pages)
    unknown = set(loaded.overrides) - ALLOWED_KEYS - {"subject", "author", "tags"}
    if unknown:
        raise IngestError(
            f"unknown metadata field(s): {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(ALLOWED_KEYS))}"
        )
    given: dict[str, Any] = {k: v for k, v in loaded.overrides.items() if k in ALLOWED_KEYS and v not in (None, "")}
    if "date" in given:
        given.setdefault("issued_date", given.pop("date"))

    source_name = Path(str(source).removeprefix("upload:")).name
    number = given.get("doc_number") or identity.find_doc_number(text, source_name)
    title = identity.find_title(text)
    # The printed type word is the surest sign (a party "QĐ" is a Quy định or a Quyết định), then the code.
    doc_type = (title.doc_type if title else None) or identity.doc_type_from_number(number)
    if doc_type is None and number and "/" in number:
        doc_type = DocType.letter  # a state number whose code names only the issuer: an official letter
    fields: dict[str, Any] = {
        "doc_id": slugify(default_doc_id or Path(source_name).stem),
        "title": (title.text if title else "") or identity.title_fallback(text) or source_name,
        "doc_number": identity.normalize_doc_number(number) if number else None,
        "doc_type": doc_type or DocType.other,
        "issuer": identity.find_issuer(text, number),
        "issued_date": identity.find_issued_date(text),
        "language": detect_language(text),
        "org_unit": "",
        "access_level": AccessLevel.public,
        "page_labels": loaded.page_labels,
        "warnings": list(loaded.warnings),
    }
    fields.update(given)
    fields["doc_id"] = slugify(str(fields["doc_id"]))
    fields["org_unit"] = normalize_org_unit(str(fields["org_unit"]))
    if isinstance(fields["issued_date"], str):
        fields["issued_date"] = fields["issued_date"][:10]
    try:
        meta = DocumentMeta(**fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise IngestError(f"invalid metadata: {problems}") from exc
    return Document(meta=meta, text=text, page_starts=page_starts, source_path=str(source), content_hash=digest)
