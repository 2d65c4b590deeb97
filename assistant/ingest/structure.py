"""Recognise the legal structure of resolutions, directives, regulations, laws and plans (the document's
identity - number, type, issuer, date, title - is read by :mod:`assistant.ingest.identity`).

Vietnamese: ``Chương I`` > ``Mục 1`` > ``Điều 5.`` > clause ``1.`` > point ``a)``; plans and
directives often use ``I.``/``II.`` parts instead of articles. English: Chapter > Section > Article > clause > point.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def detect_language(text: str) -> str:
    """Cheap script/diacritic heuristic: 'vi', 'en', 'bn' or 'und'."""
    sample = text[:5000]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return "und"
    bengali = sum(1 for c in letters if "\u0980" <= c <= "\u09ff")
    if bengali / len(letters) > 0.3:
        return "bn"
    vi_marks = sum(1 for c in letters if c in "ăâđêôơưĂÂĐÊÔƠƯ" or (ord(c) > 127 and unicodedata.decomposition(c)))
    ascii_letters = sum(1 for c in letters if c.isascii())
    if vi_marks / len(letters) > 0.05:
        return "vi"
    if ascii_letters / len(letters) > 0.95:
        return "en"
    return "und"


# --- headings in the body ----------------------------------------------------------------------

# Levels only compare: a heading closes every open heading of the same or a deeper level.
LEVEL_CHAPTER, LEVEL_SECTION, LEVEL_PART, LEVEL_ARTICLE = 1.0, 2.0, 3.0, 4.0
LEVEL_DECIMAL_1, LEVEL_DECIMAL_2, LEVEL_DECIMAL_3 = 3.2, 3.4, 3.6  # party numbering 1. > 1.1. > 1.1.1.
LEVEL_CLAUSE, LEVEL_SUBCLAUSE, LEVEL_POINT = 5.0, 5.5, 6.0
LEVEL_FOOTNOTES, LEVEL_FOOTNOTE = 0.0, 4.0  # the notes stand apart from every part of the body
LEVEL_BOOK = 0.5  # "Phần thứ nhất" / "Phần I": above chapters in codes and laws, above I./II. in appendices

_ROMAN = r"[IVXLC]{1,7}"
_ORDINALS = {"nhất": 1, "hai": 2, "ba": 3, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
_HEADINGS: list[tuple[str, float, re.Pattern[str], str]] = [
    (
        "book",
        LEVEL_BOOK,
        re.compile(rf"^(?:Phần|PHẦN)\s+((?:thứ|THỨ)\s+\w+|{_ROMAN}|\d{{1,2}})\b[.:]?\s*(.*)$"),
        "Phần {0}",
    ),
    ("chapter", LEVEL_CHAPTER, re.compile(rf"^(?:Chương|CHƯƠNG)\s+({_ROMAN}|\d{{1,3}})\b[.:]?\s*(.*)$"), "Chương {0}"),
    (
        "chapter",
        LEVEL_CHAPTER,
        re.compile(rf"^(?:Chapter|CHAPTER)\s+({_ROMAN}|\d{{1,3}})\b[.:]?\s*(.*)$"),
        "Chapter {0}",
    ),
    ("section", LEVEL_SECTION, re.compile(r"^(?:Mục|MỤC)\s+(\d{1,3})\b[.:]?(?!\s*\()\s*(.*)$"), "Mục {0}"),
    ("section", LEVEL_SECTION, re.compile(r"^(?:Section|SECTION)\s+(\d{1,3})\b[.:]?(?!\s*\()\s*(.*)$"), "Section {0}"),
    ("article", LEVEL_ARTICLE, re.compile(r"^(?:Điều|ĐIỀU)\s+(\d{1,3}[a-z]?)\s*[.:]\s*(.*)$"), "Điều {0}"),
    ("article", LEVEL_ARTICLE, re.compile(r"^(?:Article|ARTICLE)\s+(\d{1,3}[a-z]?)\s*[.:]\s*(.*)$"), "Article {0}"),
    ("part", LEVEL_PART, re.compile(rf"^({_ROMAN})\s*[.\-–]\s+(\S.*)$"), "Phần {0}"),
    ("decimal", LEVEL_DECIMAL_2, re.compile(r"^(\d{1,2}\.\d{1,3}(?:\.\d{1,3})?)\s*[.\-–)]?\s+(\S.*)$"), "Mục {0}"),
    ("clause", LEVEL_CLAUSE, re.compile(r"^(\d{1,2})\s*[.)]\s+(\S.*)$"), "Khoản {0}"),
    ("point", LEVEL_POINT, re.compile(r"^\(?([a-zđ])\)\s+(\S.*)$"), "Điểm {0}"),
    ("footnote", LEVEL_FOOTNOTE, re.compile(r"^\[(\d{1,3})\]\s+(\S.*)$"), "Chú thích {0}"),
]
FOOTNOTE_HEADINGS = {"Chú thích": "vi", "CHÚ THÍCH": "vi", "Footnotes": "en", "FOOTNOTES": "en"}
_EN_LABELS = {"Khoản": "Clause", "Điểm": "Point", "Phần": "Part", "Mục": "Section", "Chú thích": "Footnote"}
_DECIMAL_LINE = re.compile(r"^\d{1,2}\.\d{1,3}\s*[.\-–)]?\s+\S", re.MULTILINE)
_ARTICLE_OR_PART = re.compile(
    rf"^\s*(?:(?:Điều|ĐIỀU|Article|ARTICLE)\s+\d{{1,3}}\s*[.:]|{_ROMAN}\s*[.\-–]\s+\S)", re.MULTILINE
)


@dataclass(frozen=True)
class Heading:
    """A structural heading found at the start of a line."""

    level: float
    label: str  # e.g. "Điều 5", "Khoản 2", "Chapter II", "Mục 1.1"
    title: str  # text after the number, may be empty
    kind: str = ""  # book, chapter, section, part, article, decimal, clause, point, footnotes, footnote

    @property
    def groupable(self) -> bool:
        """Consecutive small siblings of this kind may share a chunk (clauses, points, sub-items)."""
        return self.kind in ("clause", "point") or (self.kind == "decimal" and self.level > LEVEL_DECIMAL_1)


def _label(fmt: str, number: str, english: bool) -> str:
    label = fmt.format(number)
    if english:
        for vi, en in _EN_LABELS.items():
            if label.startswith(vi + " "):
                return en + label[len(vi) :]
    return label


def _line_heading(line: str, english: bool = False) -> Heading | None:
    """The heading shape a line has, out of context (no numbering or nesting checks)."""
    line = line.strip()
    for kind, level, pattern, fmt in _HEADINGS:
        match = pattern.match(line)
        if not match:
            continue
        number = match.group(1)
        if kind == "decimal":
            level = LEVEL_DECIMAL_3 if number.count(".") == 2 else LEVEL_DECIMAL_2
        rest = (match.group(2) or "").strip() if match.lastindex and match.lastindex >= 2 else ""
        separated = bool(rest) and bool(line[match.end(1) : match.start(2)].strip())  # "Chương I. ...", "Phần II: ..."
        if kind in ("book", "chapter", "section") and rest and not separated and not _heading_title(rest):
            return None  # "Phần thứ hai bao gồm từ ...", "Chương 2 của Luật này ...": a sentence, not a heading
        title = rest.rstrip(".") if level < LEVEL_CLAUSE else rest
        return Heading(level=level, label=_label(fmt, number, english), title=title, kind=kind)
    return None


def _heading_title(rest: str) -> bool:
    """Text after a chapter/part/section number with no separator is its title when it is in capitals, or
    capitalised and short ("Mục 2 QUY ĐỊNH CHUNG", "Chương II Những quy định chung")."""
    rest = rest.strip()
    letters = [c for c in rest if c.isalpha()]
    return bool(letters) and (all(c.isupper() for c in letters) or (rest[0].isupper() and len(rest) <= 120))


def line_heading(line: str, language: str = "vi") -> Heading | None:
    """The heading this line starts with, if any (out of context); labels are English for English documents."""
    return _line_heading(line, english=language == "en")


_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _number(text: str) -> int:
    """The value of a heading number: ``12``, ``IV``, ``5a`` (-> 5), ``thứ hai`` (-> 2)."""
    digits = re.match(r"\d+", text)
    if digits:
        return int(digits.group(0))
    ordinal = text.lower().removeprefix("thứ").strip()
    if ordinal in _ORDINALS:
        return _ORDINALS[ordinal]
    total = 0
    for char, following in zip(text, text[1:] + " "):
        value = _ROMAN_VALUES.get(char, 0)
        total += -value if _ROMAN_VALUES.get(following, 0) > value else value
    return total


@dataclass
class _Open:
    heading: Heading
    number: int


def iter_headings(text: str, language: str = "vi"):
    """``(offset, heading)`` of every real heading of ``text``, in order, checked in context:

    - numbering goes on from the previous sibling (or restarts at 1): a line that only looks like a heading
      (``Mục 10 (thành phần gia đình): ...`` in a form, a number at the start of a wrapped line) is text;
    - clauses and points count only inside an article, a part or a numbered item;
    - party decimal numbering (``1.`` > ``1.1.`` > ``1.1.1.``, also ``1.1-``) when the document uses it; a
      footnote marker glued to an item's number (``2.19`` for item ``2.1`` with note 9) is read as the item;
    - a ``Chú thích``/``Footnotes`` line opens the footnotes, ``[n] ...`` lines are the notes.
    """
    english = language == "en"
    # Party decimal numbering: top-level "1." lines are its items ("Mục 1"). A document with no articles or
    # parts (a directive, a letter, one article on its own): its top-level numbered lines are clauses.
    decimal_document = len(_DECIMAL_LINE.findall(text)) >= 3
    numbered_items = decimal_document or not _ARTICLE_OR_PART.search(text)
    stack: list[_Open] = []
    last: dict[tuple[str, str], int] = {}  # (kind, parent label path) -> last number seen
    offset = 0
    for raw in text.split("\n"):
        line = raw.strip()
        heading = _in_context(line, english, decimal_document, numbered_items, stack, last)
        if heading is not None:
            yield offset + (len(raw) - len(raw.lstrip())), heading.heading
        offset += len(raw) + 1


def _in_context(
    line: str,
    english: bool,
    decimal_document: bool,
    numbered_items: bool,
    stack: list[_Open],
    last: dict[tuple[str, str], int],
) -> _Open | None:
    if line in FOOTNOTE_HEADINGS:
        opened = _Open(Heading(LEVEL_FOOTNOTES, "Footnotes" if english else "Chú thích", "", "footnotes"), 0)
        stack.clear()
        stack.append(opened)
        return opened
    heading = _line_heading(line, english)
    if heading is None:
        return None
    kinds = {o.heading.kind for o in stack}
    if heading.kind == "footnote" and "footnotes" not in kinds:
        return None
    if "footnotes" in kinds and heading.kind != "footnote":
        return None  # inside the notes, numbers belong to the notes' text
    number_text = heading.label.split(" ", 1)[1]
    if heading.kind == "part" and "book" in kinds:  # I., II. under "Phần I": its sections
        heading = Heading(heading.level, _label("Mục {0}", number_text, english), heading.title, "part")
    if heading.kind == "clause" and decimal_document and not kinds & {"article", "part"}:
        heading = Heading(
            LEVEL_DECIMAL_1, _label("Mục {0}", number_text, english), heading.title.rstrip("."), "decimal"
        )
    if heading.kind == "decimal" and "." in number_text:
        if not decimal_document:
            return None
        heading, number_text = _decimal_in_context(heading, number_text, stack, english)
        if heading is None:
            return None
    elif heading.kind == "point" and not kinds & {"article", "clause", "decimal"}:
        return None
    elif heading.kind == "clause" and not kinds & {"article", "part", "clause", "decimal"} and not numbered_items:
        return None  # a numbered line outside any article: a clause only in a document without articles
    # The stack as it will be once this heading opens: what it closes, and its parent.
    keep = len(stack)
    while keep and stack[keep - 1].heading.level >= heading.level:
        keep -= 1
    # Chapters and articles are numbered through the whole document; the rest restart under each parent.
    parent = "" if heading.kind in ("book", "chapter", "article") else " > ".join(o.heading.label for o in stack[:keep])
    number = _number(number_text.split(".")[-1])
    key = (heading.kind if heading.kind != "decimal" else f"decimal{heading.level}", parent)
    previous = last.get(key, 0)
    allowed = (
        number == previous + 1
        or number == 1
        or (heading.kind in ("article", "clause") and previous < number <= previous + 3)
    )
    if heading.kind in ("point", "footnote"):
        allowed = True  # letters and notes: no numbering to check
    if not allowed:
        return None
    del stack[keep:]
    last[key] = number
    opened = _Open(heading, number)
    stack.append(opened)
    return opened


def _decimal_in_context(
    heading: Heading, number_text: str, stack: list[_Open], english: bool
) -> tuple[Heading | None, str]:
    """A decimal item ``a.b`` (or ``a.b.c``) must sit under item ``a`` (``a.b``); a marker glued to its last
    number is cut off when what is left is the item that was due."""
    parts = number_text.split(".")
    parent = next(
        (
            o
            for o in reversed(stack)
            if o.heading.kind in ("decimal", "clause") and o.heading.label.split(" ", 1)[1].count(".") == len(parts) - 2
        ),
        None,
    )
    if parent is not None and parent.heading.label.split(" ", 1)[1] != ".".join(parts[:-1]):
        return None, number_text  # "3.1" while item 2 is open: not an item of this document's numbering
    if parent is None and len(parts) == 3:
        return None, number_text
    if any(o.heading.kind == "article" for o in stack):  # numbered sub-clauses inside an article
        level = LEVEL_SUBCLAUSE if len(parts) == 2 else (LEVEL_SUBCLAUSE + LEVEL_POINT) / 2
        heading = Heading(level, heading.label, heading.title, "decimal")
    siblings = [o for o in stack if o.heading.kind == "decimal" and o.heading.level == heading.level]
    due = (siblings[-1].number + 1) if siblings else 1
    last_part = parts[-1]
    if int(last_part) not in (due, 1) and len(last_part) > len(str(due)) and last_part.startswith(str(due)):
        parts[-1] = str(due)  # "2.19" where 2.1 was due: note 9 glued to the number
        number_text = ".".join(parts)
        heading = Heading(heading.level, _label("Mục {0}", number_text, english), heading.title, "decimal")
    return heading, number_text


_RANGE = re.compile(r"^(\S+(?:\s\S+)?)\s+(\S+)–(\S+)$")  # "Khoản 1–3", "Điểm a–i", "Mục 1.1–1.2"
_LABEL_LEVELS = {
    "Chương": LEVEL_CHAPTER,
    "Chapter": LEVEL_CHAPTER,
    "Phần": LEVEL_PART,
    "Part": LEVEL_PART,
    "Điều": LEVEL_ARTICLE,
    "Article": LEVEL_ARTICLE,
    "Khoản": LEVEL_CLAUSE,
    "Clause": LEVEL_CLAUSE,
    "Điểm": LEVEL_POINT,
    "Point": LEVEL_POINT,
}


def _label_level(label: str) -> float:
    word, _, number = label.partition(" ")
    if word in ("Mục", "Section") and "." in number:
        return LEVEL_DECIMAL_3 if number.count(".") == 2 else LEVEL_DECIMAL_2
    return _LABEL_LEVELS.get(word, LEVEL_SECTION)


def refine_path(structure_path: str, chunk_text: str, offset: int, language: str = "vi") -> str:
    """The structure path of the text at ``offset`` of a chunk: a chunk of grouped clauses ("Khoản 1–3") or a
    whole article holds several clauses and points, and a quote from it cites the one it comes from
    ("Điều 8 > Khoản 2 > Điểm a")."""
    parts = structure_path.split(" > ") if structure_path else []
    grouped = bool(parts) and bool(_RANGE.match(parts[-1]))
    base = parts[:-1] if grouped else parts
    floor = _label_level(base[-1]) if base else 0.0  # only headings below the chunk's own refine it
    stack: list[Heading] = []
    position = 0
    for line in chunk_text.split("\n"):
        if position > offset:  # lines that start after the quote do not say where it is
            break
        heading = line_heading(line, language)
        position += len(line) + 1
        if heading is None or heading.level <= floor or heading.kind in ("book", "chapter", "section", "footnotes"):
            continue
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)
    labels = base + [h.label for h in stack if h.label not in base]
    if grouped and not stack:
        return structure_path  # the group's first item starts after the quote (its lead-in): keep the range
    return " > ".join(labels)
