"""Repairs of extracted text before it becomes a document: page furniture, OCR slips, split syllables.

- **Page furniture**: running headers and footers (the Official Gazette's ``CÔNG BÁO/Số … /Ngày …``, a
  party banner, page numbers) are found by repetition: a line near the top or bottom of a page whose shape
  (digits ignored) recurs on many pages is removed. The printed page numbers they carry give each page its
  printed label when it differs from the PDF's page count (a gazette print starts at page 2).
- **OCR slips**: ``Ð`` (Icelandic eth) for ``Đ``, words hyphenated across a line break, decomposed marks.
- **Split syllables**: some PDF producers space letters so that extraction splits a syllable (``c ủa``,
  ``ng ười``); two neighbours are joined when together they make a well-formed Vietnamese syllable and
  one of them alone is not, or when the joined form is used elsewhere in the document and a piece is not.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import regex

from assistant.lang.vi_syllables import is_syllable

EDGE_LINES = 3  # lines at the top and at the bottom of a page where running headers and footers sit
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def _shape(line: str) -> str:
    return _DIGITS.sub("#", _SPACES.sub(" ", line.strip()))


@dataclass
class Furniture:
    """Pages without their running headers/footers, and each page's printed label when it differs."""

    pages: list[str]
    labels: list[str] | None
    removed: int


def _edge_indexes(lines: list[str]) -> list[int]:
    """The first and last lines of a page (fewer on a short page, so its body is not all 'edge')."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    edge = min(EDGE_LINES, max(1, len(filled) // 4))
    return sorted(set(filled[:edge] + filled[-edge:]))


def strip_page_furniture(pages: list[str]) -> Furniture:
    """Remove lines that repeat at the edges of many pages; derive printed page numbers from them."""
    count = len(pages)
    if count < 2:
        return Furniture(pages, None, 0)
    split = [page.split("\n") for page in pages]
    shapes = Counter()
    for lines in split:
        shapes.update({_shape(lines[i]) for i in _edge_indexes(lines)})
    needed = count if count <= 2 else max(2, math.ceil((0.5 if count <= 4 else 0.3) * count))
    repeated = {s for s, c in shapes.items() if c >= needed and s and len(s) <= 160}
    offsets: Counter[int] = Counter()
    cleaned, removed = [], 0
    for number, lines in enumerate(split, start=1):
        drop = {i for i in _edge_indexes(lines) if _shape(lines[i]) in repeated}
        for i in drop:
            offsets.update({int(n) - number for n in _DIGITS.findall(lines[i]) if len(n) <= 4})
        removed += len(drop)
        cleaned.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    labels = None
    if offsets:
        offset, support = offsets.most_common(1)[0]
        if offset != 0 and support >= max(2, count // 2):
            labels = [str(n + offset) for n in range(1, count + 1)]
    return Furniture(cleaned, labels, removed)


_HYPHEN_BREAK = regex.compile(r"(\p{L})-\n(\p{Ll})")
_CAPS_WORD = regex.compile(r"(?<![\p{L}\p{M}])[A-Z]{2,}(?![\p{L}\p{M}])")


def fix_ocr_text(text: str, context: str = "") -> str:
    """Undo what OCR typically gets wrong in Vietnamese print: ``Ð`` for ``Đ``, words hyphenated at a line
    break, and marks dropped on capitals (``SO THONG TIN`` -> ``SỞ THÔNG TIN``, restored from how the same
    words are written, with their marks, elsewhere in ``context``)."""
    text = text.replace("Ð", "Đ").replace("ð", "đ")  # eth read for the Vietnamese D with stroke
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = unicodedata.normalize("NFC", text)
    return restore_capital_marks(text, context or text)


def restore_capital_marks(text: str, context: str) -> str:
    """Capitals read without their marks get them back when the lower-case text spells that word one way
    clearly more often than any other (``THONG`` -> ``THÔNG`` because the body says ``thông``)."""
    from assistant.text import fold_accents

    spellings: dict[str, Counter[str]] = {}
    for word in _WORD.findall(context):
        if not word.isascii() and not word.isupper():  # written with its marks, in lower or title case
            spellings.setdefault(fold_accents(word.lower()), Counter())[word.lower()] += 1

    def restore(match: regex.Match[str]) -> str:
        word = match.group(0)
        options = spellings.get(word.lower())
        if not options:
            return word
        ranked = options.most_common(2)
        best, count = ranked[0]
        if count >= 2 and (len(ranked) == 1 or count >= 2 * ranked[1][1]):
            return best.upper()
        return word

    return _CAPS_WORD.sub(restore, text)


_WORD = regex.compile(r"[\p{L}\p{M}]+")
_PIECES = regex.compile(r"([\p{L}\p{M}]+)|([^\p{L}\p{M}]+)")


def repair_split_syllables(text: str) -> tuple[str, int]:
    """Join syllables that extraction split with a space; returns the text and how many joins were made.

    Two words separated by one space are joined when together they are a well-formed syllable and either one
    is not a syllable on its own (``c ủa``, ``ng ười``), or the joined word is used elsewhere in the text
    and one piece hardly ever stands alone (``Lu ật`` where ``Luật`` is common)."""
    counts = Counter(w.lower() for w in _WORD.findall(text))
    pieces = [m.group(0) for m in _PIECES.finditer(text)]
    out: list[str] = []
    joins = 0
    for piece in pieces:
        previous_word = out[-4].lower() if len(out) >= 4 else ""
        if (piece[0].isalpha() or unicodedata.category(piece[0]).startswith("M")) and len(out) >= 2 \
                and out[-1] == " " and previous_word not in _LABEL_WORDS and _joinable(out[-2], piece, counts):
            out[-2:] = [out[-2] + piece]
            joins += 1
        else:
            out.append(piece)
    return "".join(out), joins


_LABEL_WORDS = frozenset({"điểm", "khoản", "mục", "tiết", "phụ", "point", "clause"})  # "điểm b an toàn" stays


def _joinable(left: str, right: str, counts: Counter[str]) -> bool:
    if not left[:1].isalpha() or not right.islower() or (left.isupper() and len(left) > 1):
        return False
    whole = left + right
    if not is_syllable(whole):
        return False
    if not is_syllable(left) or not is_syllable(right):
        return True
    return counts[whole.lower()] >= 2 and min(counts[left.lower()], counts[right.lower()]) <= 1


# Lower-case words that are not syllables but are not split either: list labels (điểm b) and units.
_NOT_SPLIT = frozenset("a b c d đ e g h i k l m n o p q r s t u v x y kg km cm mm ha ml kw kwh mg".split())


def split_rate(text: str) -> float:
    """Share of lower-case words that are not well-formed Vietnamese syllables (split or garbled syllables).

    Capitalised words and abbreviations (names, codes, foreign words), single letters used as list labels
    and units of measure are left out."""
    words = [w for w in _WORD.findall(text) if w.islower() and w not in _NOT_SPLIT]
    if not words:
        return 0.0
    return sum(1 for w in words if not is_syllable(w)) / len(words)
