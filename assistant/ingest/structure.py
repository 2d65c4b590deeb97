"""Recognise the legal structure and header of resolutions, directives, regulations and plans.

Vietnamese: ``Chương I`` > ``Mục 1`` > ``Điều 5.`` > clause ``1.`` > point ``a)``; plans and
directives often use ``I.``/``II.`` parts instead of articles. English: Chapter > Section > Article > clause > point.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.domain import DocType

# --- document number, type, issuer, date -------------------------------------------------------

TYPE_CODES: dict[str, DocType] = {
    "NQ": DocType.resolution,
    "CT": DocType.directive,
    "QĐ": DocType.regulation,
    "QD": DocType.regulation,
    "KL": DocType.conclusion,
    "HD": DocType.instruction,
    "KH": DocType.plan,
    "TB": DocType.notice,
    "BC": DocType.report,
    "CV": DocType.letter,
    "BB": DocType.minutes,
}
_CODES = "|".join(sorted(TYPE_CODES, key=len, reverse=True))
DOC_NUMBER = re.compile(
    rf"(?<![\w/])(\d{{1,5}}(?:/\d{{4}})?)\s*-\s*({_CODES})\s*/\s*([A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*)(?![\w])"
)
_NUMBER_LABEL = re.compile(r"(?:Số|So|No\.?|Number)\s*[:.]?\s*$", re.IGNORECASE)

# Title words in the header, longest first so "QUYẾT ĐỊNH" is not read as "QUY ĐỊNH".
TITLE_WORDS: list[tuple[str, DocType]] = [
    ("NGHỊ QUYẾT", DocType.resolution),
    ("CHỈ THỊ", DocType.directive),
    ("QUYẾT ĐỊNH", DocType.decision),
    ("QUY ĐỊNH", DocType.regulation),
    ("KẾT LUẬN", DocType.conclusion),
    ("HƯỚNG DẪN", DocType.instruction),
    ("KẾ HOẠCH", DocType.plan),
    ("THÔNG BÁO", DocType.notice),
    ("BÁO CÁO", DocType.report),
    ("BIÊN BẢN", DocType.minutes),
    ("RESOLUTION", DocType.resolution),
    ("DIRECTIVE", DocType.directive),
    ("REGULATION", DocType.regulation),
    ("DECISION", DocType.decision),
    ("CONCLUSION", DocType.conclusion),
    ("GUIDANCE", DocType.instruction),
    ("INSTRUCTION", DocType.instruction),
    ("PLAN", DocType.plan),
    ("NOTICE", DocType.notice),
    ("REPORT", DocType.report),
    ("MINUTES", DocType.minutes),
]

ISSUER_CODES: dict[str, str] = {
    "TW": "Ban Chấp hành Trung ương",
    "BCT": "Bộ Chính trị",
    "BBT": "Ban Bí thư",
    "BTGDVTW": "Ban Tuyên giáo và Dân vận Trung ương",
    "BTCTW": "Ban Tổ chức Trung ương",
    "UBKTTW": "Ủy ban Kiểm tra Trung ương",
}

MOTTO_LINES = {
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "ĐỘC LẬP - TỰ DO - HẠNH PHÚC",
    "COMMUNIST PARTY OF VIET NAM",
    "COMMUNIST PARTY OF VIETNAM",
}

_VI_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"])}
_EN_DATE_DMY = re.compile(r"\b(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)
_EN_DATE_MDY = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),?\s+(\d{4})\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

HEADER_WINDOW = 1500


def normalize_doc_number(number: str) -> str:
    """Canonical form of a document number: no spaces, upper-case codes (``339 - qđ/tw`` -> ``339-QĐ/TW``)."""
    return re.sub(r"\s+", "", number).upper()


def find_doc_number(text: str) -> str | None:
    """The document's own number: the first one after a ``Số``/``No.`` label in the header, else the first one."""
    head = text[:HEADER_WINDOW]
    matches = list(DOC_NUMBER.finditer(head))
    for match in matches:
        if _NUMBER_LABEL.search(head[max(0, match.start() - 12): match.start()]):
            return normalize_doc_number(match.group(0))
    return normalize_doc_number(matches[0].group(0)) if matches else None


def doc_type_from_number(number: str | None) -> DocType | None:
    if not number:
        return None
    match = DOC_NUMBER.search(number)
    return TYPE_CODES.get(match.group(2)) if match else None


def _valid_date(year: int, month: int, day: int) -> str | None:
    import datetime as dt

    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_issued_date(text: str) -> str | None:
    """ISO date of issue from ``ngày 10 tháng 7 năm 2025``, ``10 July 2025``, ``July 10, 2025`` or ``2025-07-10``."""
    head = text[:HEADER_WINDOW]
    candidates: list[tuple[int, str | None]] = []
    for m in _VI_DATE.finditer(head):
        candidates.append((m.start(), _valid_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))))
    for m in _EN_DATE_DMY.finditer(head):
        candidates.append((m.start(), _valid_date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))))
    for m in _EN_DATE_MDY.finditer(head):
        candidates.append((m.start(), _valid_date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))))
    for m in _ISO_DATE.finditer(head):
        candidates.append((m.start(), _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))))
    for _, iso in sorted(candidates):
        if iso:
            return iso
    return None


def _is_upper_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _header_lines(text: str) -> list[str]:
    return [line.strip() for line in text[:HEADER_WINDOW].split("\n") if line.strip()]


def find_issuer(text: str, doc_number: str | None) -> str | None:
    """The issuing body: the first upper-case header line that is not a motto, title or number."""
    title_words = {w for w, _ in TITLE_WORDS}
    for line in _header_lines(text)[:8]:
        clean = line.strip(" *-_")
        upper = clean.upper()
        if not clean or upper in MOTTO_LINES or upper in title_words or DOC_NUMBER.search(clean):
            continue
        if _VI_DATE.search(clean) or _is_title_line(clean) or _line_heading(clean):
            continue
        if _is_upper_line(clean) and len(clean) <= 120:
            return clean
    if doc_number:
        match = DOC_NUMBER.search(doc_number)
        if match:
            return ISSUER_CODES.get(match.group(3), match.group(3))
    return None


def _is_title_line(line: str) -> DocType | None:
    upper = line.strip().upper()
    for word, doc_type in TITLE_WORDS:
        if upper == word or (upper.startswith(word + " ") and _is_upper_line(line) and len(upper) < 90):
            return doc_type
    return None


def find_title(text: str) -> tuple[str | None, DocType | None]:
    """Title from the header: the type word line (``QUY ĐỊNH``) plus the subject lines right after it."""
    lines = text[:HEADER_WINDOW].split("\n")
    for i, raw in enumerate(lines):
        line = raw.strip()
        doc_type = _is_title_line(line)
        if not doc_type or line.upper() in MOTTO_LINES:
            continue
        parts = [line[0] + line[1:].lower() if _is_upper_line(line) else line]
        for follow in lines[i + 1: i + 4]:
            follow = follow.strip()
            if not follow or follow.startswith(("-", "*", "Căn cứ", "Pursuant")) or _line_heading(follow):
                break
            parts.append(follow.lower() if _is_upper_line(follow) else follow)
        return " ".join(parts), doc_type
    return None, None


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

LEVEL_CHAPTER, LEVEL_SECTION, LEVEL_PART, LEVEL_ARTICLE, LEVEL_CLAUSE, LEVEL_POINT = 1, 2, 3, 4, 5, 6

_ROMAN = r"[IVXLC]{1,7}"
_HEADINGS: list[tuple[int, re.Pattern[str], str]] = [
    (LEVEL_CHAPTER, re.compile(rf"^(?:Chương|CHƯƠNG)\s+({_ROMAN}|\d{{1,3}})\b[.:]?\s*(.*)$"), "Chương {0}"),
    (LEVEL_CHAPTER, re.compile(rf"^(?:Chapter|CHAPTER)\s+({_ROMAN}|\d{{1,3}})\b[.:]?\s*(.*)$"), "Chapter {0}"),
    (LEVEL_SECTION, re.compile(r"^(?:Mục|MỤC)\s+(\d{1,3})\b[.:]?\s*(.*)$"), "Mục {0}"),
    (LEVEL_SECTION, re.compile(r"^(?:Section|SECTION)\s+(\d{1,3})\b[.:]?\s*(.*)$"), "Section {0}"),
    (LEVEL_ARTICLE, re.compile(r"^(?:Điều|ĐIỀU)\s+(\d{1,3}[a-z]?)\s*[.:]\s*(.*)$"), "Điều {0}"),
    (LEVEL_ARTICLE, re.compile(r"^(?:Article|ARTICLE)\s+(\d{1,3}[a-z]?)\s*[.:]\s*(.*)$"), "Article {0}"),
    (LEVEL_PART, re.compile(rf"^({_ROMAN})\s*[.\-–]\s+(\S.*)$"), "Phần {0}"),
    (LEVEL_CLAUSE, re.compile(r"^(\d{1,2})\s*[.)]\s+(\S.*)$"), "Khoản {0}"),
    (LEVEL_POINT, re.compile(r"^\(?([a-zđ])\)\s+(\S.*)$"), "Điểm {0}"),
]
_EN_LABELS = {"Khoản": "Clause", "Điểm": "Point", "Phần": "Part"}


@dataclass(frozen=True)
class Heading:
    """A structural heading found at the start of a line."""

    level: int
    label: str  # e.g. "Điều 5", "Khoản 2", "Chapter II"
    title: str  # text after the number, may be empty


def _line_heading(line: str, english: bool = False) -> Heading | None:
    line = line.strip()
    for level, pattern, fmt in _HEADINGS:
        match = pattern.match(line)
        if not match:
            continue
        label = fmt.format(match.group(1))
        if english:
            word, _, rest = label.partition(" ")
            label = f"{_EN_LABELS.get(word, word)} {rest}"
        title = match.group(2).strip() if match.lastindex and match.lastindex >= 2 else ""
        if level in (LEVEL_CHAPTER, LEVEL_SECTION, LEVEL_PART, LEVEL_ARTICLE):
            title = title.rstrip(".")
        return Heading(level=level, label=label, title=title)
    return None


def line_heading(line: str, language: str = "vi") -> Heading | None:
    """The heading this line starts with, if any; labels are English for English documents."""
    return _line_heading(line, english=language == "en")
