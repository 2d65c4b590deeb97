"""Small text helpers shared across modules: accent folding, slugs, org-unit paths."""

from __future__ import annotations

import re
import unicodedata


def fold_accents(text: str) -> str:
    """Remove diacritics (Vietnamese ``đ`` becomes ``d``), keeping other scripts intact."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def slugify(text: str, max_len: int = 80) -> str:
    """ASCII-ish slug for ids: ``Quy định 339`` -> ``quy-dinh-339`` (non-Latin scripts are kept)."""
    slug = re.sub(r"[^\w]+", "-", fold_accents(text).lower(), flags=re.UNICODE).strip("-_")
    return slug[:max_len].strip("-") or "doc"


def normalize_org_unit(org_unit: str) -> str:
    """Canonical org unit path: lower-case slug segments joined by '/' (``TW/Tỉnh A`` -> ``tw/tinh-a``)."""
    parts = [slugify(p) for p in str(org_unit).strip().strip("/").split("/") if p.strip()]
    return "/".join(parts)


def org_ancestors(org_unit: str) -> list[str]:
    """The unit and every unit above it: ``a/b/c`` -> ``['a', 'a/b', 'a/b/c']``."""
    parts = [p for p in org_unit.split("/") if p]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]
