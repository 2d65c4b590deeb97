"""Small text helpers shared across modules: accent folding, slugs, org-unit paths."""

from __future__ import annotations

import re
import unicodedata

import regex


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


# A sentence ends at a line break, or at ``. ! ? … ।`` before an upper-case letter, digit or quote.
_SENTENCE_END = regex.compile(r"\n+|(?<=[.!?…।])[ \t]+(?=[\p{Lu}\p{N}\"“‘(\[])")
# ...but not right after a list or structure label such as ``1.``, ``a)``, ``Điều 5.``, ``II.``
_LABEL_ONLY = regex.compile(r"^\s*(?:\p{L}{1,8}\s+)?(?:\d{1,3}|[IVXLC]{1,6}|\p{Ll})[.)]$")


WRAP_WIDTH = 55  # a line at least this long that stops mid-sentence was wrapped by the page (PDF, scan)
_NEW_ITEM = regex.compile(
    r"^(?:\(?[a-zđ]\)|[-+•*–]\s|\d{1,3}(?:\.\d{1,3})*[.)\-]\s|[IVXLC]{1,6}[.\-]\s|"
    r"(?:Điều|Chương|Mục|Phần|Article|Chapter|Section)\s)"
)


def _wrapped_line(text: str, newline_start: int, newline_end: int) -> bool:
    """A line break inside a sentence (a page's line wrap): no end mark before it, and either a lower-case
    letter after it, or a long line before it going on with a capitalised word (``... của sở\nThông tin``)
    that does not start a new item or heading."""
    before_text = text[:newline_start].rstrip()
    before = before_text[-1:]
    after = text[newline_end : newline_end + 1]
    if not before or before in ".!?…।:;":
        return False
    if after.islower():
        return True
    if not after.isalnum() or "\n\n" in text[newline_start:newline_end]:
        return False
    line = before_text[before_text.rfind("\n") + 1 :]
    letters = [c for c in line if c.isalpha()]
    upper_line = bool(letters) and all(c.isupper() for c in letters)
    return len(line) >= WRAP_WIDTH and not upper_line and not _NEW_ITEM.match(text[newline_end : newline_end + 12])


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence or list line of ``text``, whitespace trimmed, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if "\n" in match.group(0):
            if _wrapped_line(text, match.start(), match.end()):
                continue
        elif _LABEL_ONLY.match(text[start : match.start()]):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def unwrap_lines(text: str) -> str:
    """Join lines that a PDF wrapped inside a sentence; keep real line breaks (list items, headings)."""
    out = []
    last = 0
    for match in regex.finditer(r"[ \t]*\n[ \t]*", text):
        if _wrapped_line(text, match.start(), match.end()):
            out.append(text[last : match.start()] + " ")
            last = match.end()
    out.append(text[last:])
    return "".join(out)
