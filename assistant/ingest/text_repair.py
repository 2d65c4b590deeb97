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
from rapidfuzz.distance import Levenshtein

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
    shapes: Counter[str] = Counter()
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
# A speck read before a clause or section number at the start of a line ("-3. Biên soạn", "_ II. HÌNH THỨC").
_SPECK_BEFORE_NUMBER = regex.compile(
    r"^[ \t]*[_~—'\"`,.\-]+[ \t]*(?=(?:\d{1,2}|[IVX]{1,5})\.[ \t]+\p{Lu})", regex.MULTILINE
)
# A clause number whose full stop was read as a comma ("4, Audio bulletins").
_COMMA_AFTER_NUMBER = regex.compile(r"^([ \t]*\d{1,2}),(?=[ \t]+\p{Lu})", regex.MULTILINE)
_NEVER_RESTORED = frozenset({"NAM"})  # VIỆT NAM: the capitals are right without marks
_CAPS_WORD = regex.compile(r"(?<![\p{L}\p{M}])[A-Z]{2,}(?![\p{L}\p{M}])")


def fix_ocr_text(text: str, context: str = "") -> str:
    """Undo what OCR typically gets wrong in Vietnamese print: ``Ð`` for ``Đ``, words hyphenated at a line
    break, and marks dropped on capitals (``SO THONG TIN`` -> ``SỞ THÔNG TIN``, restored from how the same
    words are written, with their marks, elsewhere in ``context``)."""
    text = text.replace("Ð", "Đ").replace("ð", "đ")  # eth read for the Vietnamese D with stroke
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = _SPECK_BEFORE_NUMBER.sub("", text)
    text = _COMMA_AFTER_NUMBER.sub(r"\1.", text)
    text = unicodedata.normalize("NFC", text)
    return restore_capital_marks(text, context or text)


def restore_capital_marks(text: str, context: str) -> str:
    """Capitals read without their marks get them back when the lower-case text spells that word one way
    clearly more often than any other (``THONG`` -> ``THÔNG`` because the body says ``thông``) and never
    without marks (``NAM`` stays: the body writes ``Việt Nam`` as well as ``năm``)."""
    from assistant.text import fold_accents

    spellings: dict[str, Counter[str]] = {}
    for word in _WORD.findall(context):
        if not word.isupper():  # written in lower or title case: as the document spells it
            spellings.setdefault(fold_accents(word.lower()), Counter())[word.lower()] += 1

    def restore(match: regex.Match[str]) -> str:
        word = match.group(0)
        options = spellings.get(word.lower())
        if not options or word.lower() in options or word in _NEVER_RESTORED:
            return word
        ranked = options.most_common(2)
        best, count = ranked[0]
        if count >= 2 and (len(ranked) == 1 or count >= 2 * ranked[1][1]):
            return best.upper()
        return word

    return _CAPS_WORD.sub(restore, text)


_WORD = regex.compile(r"[\p{L}\p{M}]+")

# A Roman-numbered heading: "II. HẠN CHẾ", "Chương III", "PHẦN II -". OCR reads the numeral's strokes as
# look-alikes (Ï, Í, Ì, l, H for II, and T inside the numeral) and garbles the full stop ("IIL QUAN", "I, MỤC",
# "II]. ACTIVITIES", or drops it). A digit is taken for a numeral only as "1." before a title in capitals in a
# document whose other sections are Roman ("1. VỀ NỘI DUNG" before "II. VỀ GHI BIÊN BẢN"); "1. Đảng viên"
# is a clause.
_ROMAN_HEADING = regex.compile(
    r"^(\s*)((?:Chương|CHƯƠNG|Phần|PHẦN|Chapter|CHAPTER|Part|PART)\s+)?([IVXÏÍÌïlLTH1][IVXÏÍÌïlTH]{0,5}?)"
    r"(L?[.,:;\])\-–]{0,2})(?=[ \t]+\p{Lu}|[ \t]*$)(.*)$",
    regex.MULTILINE,
)
_ROMAN_LOOKALIKES = str.maketrans(
    {"Ï": "I", "ï": "I", "Í": "I", "Ì": "I", "l": "I", "L": "I", "T": "I", "H": "II", "1": "I"}
)
_STANDARD_STOPS = {".", "-", "–", ".-", "/"}
ROMAN_NUMERALS = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
]


@dataclass
class _RomanHeading:
    page: int  # 0-based
    start: int  # span of the numeral and its stop in the page
    end: int
    kind: str  # "" for bare sections, else "chương", "phần", ...
    numeral: str  # as read (look-alikes mapped on OCR pages)
    stop: str
    digit: bool = False  # "1" read for "I"

    @property
    def value(self) -> int | None:
        return ROMAN_NUMERALS.index(self.numeral) + 1 if self.numeral in ROMAN_NUMERALS else None


def _roman_headings(pages: list[str], ocr_pages: set[int]) -> list[_RomanHeading]:
    found = []
    for index, page in enumerate(pages):
        read_by_ocr = index + 1 in ocr_pages
        for match in _ROMAN_HEADING.finditer(page):
            kind, stop, title = (match.group(2) or "").strip().casefold(), match.group(4), match.group(5).strip()
            if not kind:
                if not title or (stop not in _STANDARD_STOPS and not (read_by_ocr and capitals_title(title))):
                    continue  # a bare numeral needs a stop, or (OCR) a title in capitals, to be a section heading
            written = match.group(3)
            if not read_by_ocr and any(c not in "IVX" for c in written):
                continue
            if "1" in written and (written != "1" or kind or not capitals_title(title)):
                continue
            numeral = written.translate(_ROMAN_LOOKALIKES) if read_by_ocr else written
            found.append(_RomanHeading(index, match.start(3), match.end(4), kind, numeral, stop, digit=written == "1"))
    bare = [h for h in found if h.kind == ""]
    # "1." stands for "I." only as the first section, right before a Roman "II".
    first_is_digit = len(bare) >= 2 and bare[0].digit and not bare[1].digit and bare[1].numeral == "II"
    return [h for h in found if not h.digit or (first_is_digit and h is bare[0])]


def capitals_title(title: str) -> bool:
    letters = [c for c in title if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _targets(headings: list[_RomanHeading]) -> list[int | None]:
    """The number each heading of one kind should carry. As read when the sequence already rises (a heading
    lost to OCR leaves a gap, not a wrong number). Otherwise the fewer changes of two readings: 1..n when every
    numeral is at most one stroke from its place (``II, II, III`` -> ``I, II, III``), or walking on, each
    unreadable or out-of-order numeral one stroke from the next number taking it."""
    values = [h.value for h in headings]
    if all(v is not None for v in values) and all(a < b for a, b in zip(values, values[1:])):  # type: ignore[operator]
        return values
    walked: list[int | None] = []
    previous = 0
    for h, value in zip(headings, values):
        wanted = previous + 1
        if (
            (value is None or value <= previous)
            and wanted <= len(ROMAN_NUMERALS)
            and _one_stroke_apart(h.numeral, ROMAN_NUMERALS[wanted - 1])
        ):
            value = wanted
        walked.append(value)
        previous = value if value is not None else previous
    if len(headings) <= len(ROMAN_NUMERALS) and all(
        h.numeral == ROMAN_NUMERALS[i] or _one_stroke_apart(h.numeral, ROMAN_NUMERALS[i])
        for i, h in enumerate(headings)
    ):
        in_place = list(range(1, len(headings) + 1))
        changes = lambda targets: sum(t != v for t, v in zip(targets, values))  # noqa: E731
        if changes(in_place) <= changes(walked):
            return in_place  # type: ignore[return-value]
    return walked


def renumber_roman_headings(pages: list[str], ocr_pages: set[int]) -> tuple[list[str], int]:
    """Section and chapter numerals OCR misread (``III.`` read as ``II.`` when the strokes touch, ``Chương Ï``,
    ``IIL QUAN ĐIỂM`` for ``II. QUAN ĐIỂM``) put back in sequence, on the pages read by OCR (1-based numbers
    in ``ocr_pages``); each kind of heading (bare sections, Chương, Phần...) counts on its own, over the whole
    document. Returns the pages and the number of headings changed."""
    headings = _roman_headings(pages, ocr_pages)
    edits: dict[int, list[tuple[int, int, str]]] = {}
    for kind in {h.kind for h in headings}:
        same = [h for h in headings if h.kind == kind]
        for heading, target in zip(same, _targets(same)):
            if heading.page + 1 not in ocr_pages or target is None:
                continue
            stop = "." if not heading.kind and heading.stop not in _STANDARD_STOPS else heading.stop
            text = ROMAN_NUMERALS[target - 1] + stop
            if text != pages[heading.page][heading.start : heading.end]:
                edits.setdefault(heading.page, []).append((heading.start, heading.end, text))
    out = list(pages)
    for index, changes in edits.items():
        for start, end, text in sorted(changes, reverse=True):
            out[index] = out[index][:start] + text + out[index][end:]
    return out, sum(len(c) for c in edits.values())


HARMONIZE_MIN_COUNT = 3  # the usual spelling of a word pair must appear at least this often...
HARMONIZE_RATIO = 3.0  # ...and this many times as often as the spelling OCR made of it


def harmonize_ocr_spellings(pages: list[str], ocr_pages: set[int]) -> tuple[list[str], int]:
    """Word pairs OCR read with a wrong tone mark (``chỉ bộ`` for ``chi bộ``, the hook of ``i`` read as a mark)
    spelled the way the document itself spells them far more often. Only pairs that differ in marks alone, on
    pages read by OCR; counts come from the whole document. Returns the pages and the number of pairs changed."""
    from assistant.text import fold_accents

    spans = [[(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(page)] for page in pages]
    pairs: Counter[tuple[str, str]] = Counter()
    for page, words in zip(pages, spans):
        for (_, end, first), (start, _, second) in zip(words, words[1:]):
            if page[end:start].strip(" ") == "":
                pairs[(first.lower(), second.lower())] += 1
    by_shape: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for pair in pairs:
        by_shape.setdefault((fold_accents(pair[0]), fold_accents(pair[1])), []).append(pair)
    better: dict[tuple[str, str], tuple[str, str]] = {}
    for spellings in by_shape.values():
        if len(spellings) < 2:
            continue
        usual = max(spellings, key=lambda p: pairs[p])
        if pairs[usual] < HARMONIZE_MIN_COUNT or not all(is_syllable(w) for w in usual):
            continue
        for other in spellings:
            if other != usual and pairs[usual] >= HARMONIZE_RATIO * pairs[other]:
                better[other] = usual
    fixes, out = 0, []
    for number, (page, words) in enumerate(zip(pages, spans), start=1):
        if number not in ocr_pages or not better:
            out.append(page)
            continue
        pieces, last = [], 0
        for (start1, end1, first), (start2, end2, second) in zip(words, words[1:]):
            wanted = better.get((first.lower(), second.lower()))
            if wanted is None or start1 < last or page[end1:start2].strip(" ") != "":
                continue
            pieces += [
                page[last:start1],
                _same_case(first, wanted[0]),
                page[end1:start2],
                _same_case(second, wanted[1]),
            ]
            last = end2
            fixes += 1
        out.append("".join(pieces) + page[last:])
    return out, fixes


def _same_case(original: str, word: str) -> str:
    if original.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if original[:1].isupper() else word


def _one_stroke_apart(a: str, b: str) -> bool:
    """One letter added, dropped or changed."""
    return Levenshtein.distance(a, b) == 1


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
        if (
            (piece[0].isalpha() or unicodedata.category(piece[0]).startswith("M"))
            and len(out) >= 2
            and out[-1] == " "
            and previous_word not in _LABEL_WORDS
            and _joinable(out[-2], piece, counts)
        ):
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
