"""A document's identity from its own text: number, type, issuing body, date of issue and title.

Two systems of official documents reach a cell or a ward (see *Document identity* in the README):

- **Party** documents: number ``<n>-<TYPE>/<ISSUER>`` (``339-QĐ/TW``, ``06-HD/TW``, ``02-KH/ĐUQH``).
- **State** documents: ``<n>/<year>/<TYPE>-<ISSUER>`` (``282/2025/NĐ-CP``, ``15/2010/QĐ-UBND``),
  ``<n>/<TYPE>-<ISSUER>`` (``991/QĐ-UBND``, consolidated texts ``30/VBHN-VPQH``), laws ``<n>/<year>/QH<term>``
  (``23/2008/QH12``), and official letters whose code names the issuer and the drafting unit only
  (``275/STTTT-CNTT``).

The header has two columns: the issuing body on the left (above the number line), the national or party
motto on the right (above the place-date line). Text extraction and OCR often put both columns on one line;
the motto part is cut off before the issuer is read. A consolidated text (``VBHN``) carries its number and
date at the end, by the signature. A document's own number follows the ``Số``/``No.`` label; numbers in the
``Căn cứ`` (legal basis) lines belong to other documents. Running headers and file metadata are never
taken as the title.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from assistant.domain import DocType
from assistant.text import fold_accents

# --- numbers --------------------------------------------------------------------------------------------
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
STATE_TYPE_CODES: dict[str, DocType] = {
    "NĐ": DocType.decree,
    "ND": DocType.decree,
    "QĐ": DocType.decision,
    "QD": DocType.decision,
    "TT": DocType.circular,
    "TTLT": DocType.circular,
    "CT": DocType.directive,
    "NQ": DocType.resolution,
    "NQLT": DocType.resolution,
    "PL": DocType.ordinance,
    "VBHN": DocType.consolidated,
    "KH": DocType.plan,
    "TB": DocType.notice,
    "BC": DocType.report,
    "HD": DocType.instruction,
    "CV": DocType.letter,
    "BB": DocType.minutes,
    "KL": DocType.conclusion,
    "QH": DocType.law,
}
_PARTY_CODES = "|".join(sorted(TYPE_CODES, key=len, reverse=True))
_PARTY = rf"(?<![\w/])\d{{1,5}}\s*-\s*(?:{_PARTY_CODES})\s*/\s*[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*(?![\w])"
_STATE = (
    r"(?<![\w/.-])\d{1,5}\s*/\s*(?:(?:19|20)\d{2}\s*/\s*)?"
    r"[A-ZĐ][A-Za-zĐđ0-9]*(?:\s?-\s?[A-ZĐ][A-Za-zĐđ0-9]*)*(?![\w/])"
)
DOC_NUMBER = re.compile(f"{_PARTY}|{_STATE}")
PARTY_NUMBER = re.compile(_PARTY)
_PARTY_PARTS = re.compile(rf"^\d+-({_PARTY_CODES})/([A-ZĐ0-9-]+)$")
_STATE_PARTS = re.compile(r"^\d+/(?:(\d{4})/)?([A-Za-zĐđ0-9]+)(?:-([A-Za-zĐđ0-9-]+))?$")
# The label starts the line (or its left column): "Số: 282/2025/NĐ-CP", "Số 06-HD/TW", "No. 12".
_NUMBER_LABEL = re.compile(r"^\s*(?:Số|SỐ|So|SO|No\.?|Number)\s*[:.]?\s*$", re.IGNORECASE)
# A number line: the label, then a number (or an unreadable one) - not "SỞ ..." read as "SO" by OCR.
_NUMBER_LINE = re.compile(r"(?i)^\s*(?:số|so|no\.?)\s*[:.]?\s*\S{0,6}\s*/|^\s*(?:số|no\.?)\s*[:.]?\s*\d")
# A label followed by an unreadable number part (a handwritten number read badly by OCR).
_GARBLED_NUMBER = re.compile(r"(?:Số|SỐ|So)\s*[:.]?\s*(\S{1,6}?)\s*/\s*([A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-ZĐ0-9]+)*)")

ISSUER_CODES: dict[str, str] = {
    "TW": "Ban Chấp hành Trung ương",
    "BCT": "Bộ Chính trị",
    "BBT": "Ban Bí thư",
    "BTGDVTW": "Ban Tuyên giáo và Dân vận Trung ương",
    "BTCTW": "Ban Tổ chức Trung ương",
    "UBKTTW": "Ủy ban Kiểm tra Trung ương",
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "UBND": "Ủy ban nhân dân",
    "NHNN": "Ngân hàng Nhà nước Việt Nam",
    "VPQH": "Văn phòng Quốc hội",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội",
}


def normalize_doc_number(number: str) -> str:
    """Canonical form: no spaces, party codes upper-case (``339 - qđ/tw`` -> ``339-QĐ/TW``, ``28 /2003/NĐ-CP``)."""
    compact = re.sub(r"\s+", "", number)
    return compact.upper() if PARTY_NUMBER.fullmatch(compact.upper()) else compact  # state codes keep "TTg"


def doc_type_from_number(number: str | None) -> DocType | None:
    """The type its code says: ``57-NQ/TW`` resolution, ``282/2025/NĐ-CP`` decree, ``23/2008/QH12`` law."""
    if not number:
        return None
    party = _PARTY_PARTS.match(number.upper())
    if party:
        return TYPE_CODES.get(party.group(1))
    state = _STATE_PARTS.match(number)
    if not state:
        return None
    code = state.group(2).upper()
    if re.fullmatch(r"QH\d+", code) or re.fullmatch(r"QH\d+", (state.group(3) or "").upper()):
        return DocType.law if code.startswith("QH") else STATE_TYPE_CODES.get(code)
    return STATE_TYPE_CODES.get(code)


def issuer_from_number(number: str | None) -> str | None:
    if not number:
        return None
    party = _PARTY_PARTS.match(number.upper())
    if party:
        return ISSUER_CODES.get(party.group(2), party.group(2))
    state = _STATE_PARTS.match(number)
    if not state:
        return None
    code, rest = state.group(2), state.group(3)
    if re.fullmatch(r"QH\d+", code.upper()):
        return "Quốc hội"
    # "NĐ-CP": the type, then the issuer; "STTTT-CNTT" (an official letter): the issuer, then its unit.
    issuer = rest.split("-")[0] if code.upper() in STATE_TYPE_CODES and rest else code
    return ISSUER_CODES.get(issuer, ISSUER_CODES.get(re.sub(r"\d+$", "", issuer), issuer))


# --- header lines ---------------------------------------------------------------------------------------
MOTTOS = (
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "ĐỘC LẬP - TỰ DO - HẠNH PHÚC",
    "COMMUNIST PARTY OF VIET NAM",
    "COMMUNIST PARTY OF VIETNAM",
    "SOCIALIST REPUBLIC OF VIET NAM",
)
_MOTTO_KEYS = tuple(fold_accents(m).upper().replace(" ", "") for m in MOTTOS)
_MOTTO_START = re.compile(
    r"(?i)\b(?:c[oộ]ng\s+h[oòóà]a|c[oộ]ng\s+ho[àa]|đ[aả]ng\s+c[oộ]ng\s+s[aả]n|[đd][oộ]c\s+l[aậ]p\s*-|"
    r"communist\s+party|socialist\s+republic)"
)
# Gazette and publisher lines that sit above the letterhead; never an issuer or a title.
PUBLISHER_LINES = ("VĂN BẢN QUY PHẠM PHÁP LUẬT", "VĂN BẢN HỢP NHẤT", "VĂN BẢN KHÁC", "CÔNG BÁO", "VĂN BẢN PHÁP LUẬT")
# The first words of the name of a body that issues documents.
ORG_WORDS = (
    "ỦY BAN",
    "UỶ BAN",
    "UBND",
    "SỞ",
    "BỘ",
    "BAN",
    "CHÍNH PHỦ",
    "QUỐC HỘI",
    "TỈNH ỦY",
    "TỈNH UỶ",
    "THÀNH ỦY",
    "THÀNH UỶ",
    "HUYỆN ỦY",
    "HUYỆN UỶ",
    "QUẬN ỦY",
    "ĐẢNG ỦY",
    "ĐẢNG UỶ",
    "ĐẢNG BỘ",
    "CHI BỘ",
    "NGÂN HÀNG",
    "TỔNG CỤC",
    "CỤC",
    "VỤ",
    "VĂN PHÒNG",
    "HỘI ĐỒNG",
    "TRUNG TÂM",
    "PHÒNG",
    "TÒA ÁN",
    "TOÀ ÁN",
    "VIỆN",
    "KIỂM TOÁN",
    "THANH TRA",
    "CÔNG AN",
    "MẶT TRẬN",
    "ĐOÀN",
    "HỘI",
    "TRƯỜNG",
    "THỦ TƯỚNG",
    "CHỦ TỊCH",
    "TẬP ĐOÀN",
    "TỔNG CÔNG TY",
    "CÔNG TY",
    "BỘ CHÍNH TRỊ",
    "PEOPLE'S COMMITTEE",
    "MINISTRY",
    "DEPARTMENT",
    "CENTRAL COMMITTEE",
    "COMMITTEE",
    "PARTY CELL",
)
_BODY_START = re.compile(
    r"^(?:Căn cứ|CĂN CỨ|Pursuant|Chương\s+[IVXLC\d]|CHƯƠNG\s+[IVXLC\d]|Điều\s+1\b|Article\s+1\b|"
    r"Kính gửi|Thực hiện|Trong thời gian)",
    re.IGNORECASE,
)
_RULE = re.compile(r"^[\s*_=~\-–—.·•]+$")  # separator lines: ***, _____, -----
HEAD_LINES = 40  # the header is read within this many lines (before the body starts)
TAIL_CHARS = 2500  # where a consolidated text puts its number and date


def _letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


def is_upper_line(line: str) -> bool:
    letters = _letters(line)
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def is_letterhead_line(line: str) -> bool:
    """A line of the letterhead: a motto (in any case: TCVN3 capitals fonts lose it), the number line, the
    place-date line, a separator."""
    line = line.strip()
    return bool(line) and (
        _is_motto(left_column(line) or line)
        or bool(_NUMBER_LINE.match(line))
        or bool(_PLACE_DATE.match(line))
        or bool(_RULE.match(line))
        or _is_motto(line)
    )


def _is_motto(line: str) -> bool:
    key = fold_accents(line).upper().replace(" ", "").strip("*-_.")
    return bool(key) and any(key == m or (len(key) >= 12 and m.startswith(key)) for m in _MOTTO_KEYS)


def left_column(line: str) -> str:
    """The part of a header line before the right column (a motto, a place-date line, or a wide gap)."""
    line = line.split("\t")[0]
    gap = re.search(r"\S(\s{3,})\S", line)
    if gap:
        line = line[: gap.start(1)]
    motto = _MOTTO_START.search(line)
    if motto and motto.start() > 0:
        line = line[: motto.start()]
    place_date = _PLACE_DATE.search(line)
    if place_date and place_date.start() > 0:
        line = line[: place_date.start()]
    return line.strip()


def header_lines(text: str) -> list[str]:
    """Non-empty lines of the header: up to the first body line (legal basis, first chapter or article)."""
    out: list = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if _BODY_START.match(line) or len(out) >= HEAD_LINES:
            break
        out.append(line)
    return out


# --- number ---------------------------------------------------------------------------------------------
def _labelled_number(lines: list[str]) -> str | None:
    for line in lines:
        for match in DOC_NUMBER.finditer(line):
            if _NUMBER_LABEL.search(line[: match.start()]):
                return normalize_doc_number(match.group(0))
    return None


def find_doc_number(text: str, source_name: str = "") -> str | None:
    """The document's own number: after a ``Số`` label in the header, else (consolidated texts) at the end,
    else the first number in the header. An OCR-garbled number is completed from the file name when they agree."""
    head = header_lines(text)
    number = _labelled_number(head)
    if number is None:
        number = _labelled_number([line.strip() for line in text[-TAIL_CHARS:].split("\n")])
    if number is None:
        number = _garbled_number(head, source_name)
    if number is None:
        for line in head:
            match = DOC_NUMBER.search(line)
            if match:
                return normalize_doc_number(match.group(0))
    return number


def _garbled_number(lines: list[str], source_name: str) -> str | None:
    """``Số: J75/STTTT-CNTT`` (OCR of a handwritten 275) and a file named ``275.pdf`` -> ``275/STTTT-CNTT``."""
    digits = re.findall(r"\d+", re.sub(r"\.\w+$", "", source_name))
    for line in lines:
        match = _GARBLED_NUMBER.search(line)
        if not match or match.group(1).isdigit():
            continue
        read = match.group(1)
        for candidate in digits:
            agree = len(candidate) == len(read) and all(r == c for r, c in zip(read, candidate) if r.isdigit())
            if agree and any(r.isdigit() for r in read):
                return normalize_doc_number(f"{candidate}/{match.group(2)}")
    return None


# --- date -----------------------------------------------------------------------------------------------
_VI_DATE = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})", re.IGNORECASE)
# "Hà Nội, ngày 10 tháng 7 năm 2025": a place name (no digits, no slash) before the date.
_PLACE_DATE = re.compile(
    r"(?:^|(?<=\s))[^\W\d_][^,;:\n\d/()]{1,40},\s*ngày\s*\d{1,2}\s*tháng\s*\d{1,2}\s*năm\s*\d{4}", re.IGNORECASE
)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_EN_DATE_DMY = re.compile(r"\b(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)
_EN_DATE_MDY = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),?\s+(\d{4})\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _valid_date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _vi_date(text: str) -> str | None:
    match = _VI_DATE.search(text)
    return _valid_date(int(match.group(3)), int(match.group(2)), int(match.group(1))) if match else None


def _any_date(text: str) -> str | None:
    candidates: list[tuple[int, str | None]] = []
    for m in _VI_DATE.finditer(text):
        candidates.append((m.start(), _valid_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))))
    for m in _EN_DATE_DMY.finditer(text):
        candidates.append((m.start(), _valid_date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))))
    for m in _EN_DATE_MDY.finditer(text):
        candidates.append((m.start(), _valid_date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))))
    for m in _ISO_DATE.finditer(text):
        candidates.append((m.start(), _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))))
    return next((iso for _, iso in sorted(candidates) if iso), None)


def find_issued_date(text: str) -> str | None:
    """Date of issue: the place-date line of the header (``Hà Nội, ngày 10 tháng 7 năm 2025``), else the one
    by the signature (consolidated texts), else the first date of the header; English and ISO dates too."""
    head = "\n".join(header_lines(text))
    tail = "\n".join(line.strip() for line in text[-TAIL_CHARS:].split("\n"))
    for scope, lines_only in ((head, False), (tail, True)):
        for match in _PLACE_DATE.finditer(scope):
            starts_line = match.start() == 0 or scope[match.start() - 1] == "\n"
            date = _vi_date(match.group(0))
            if date and (starts_line or not lines_only):  # by the signature, the place-date line stands alone
                return date
    return _any_date(head)


# --- issuer ---------------------------------------------------------------------------------------------
_ORG_KEYS = tuple(fold_accents(w) for w in ORG_WORDS)


def _starts_a_body(line: str) -> bool:
    """The line begins a body's name ("SỞ ...", "ỦY BAN ..."); marks are ignored (OCR drops them on capitals)."""
    key = fold_accents(line.upper())
    return any(key == w or key.startswith(w + " ") for w in _ORG_KEYS)


def _issuer_candidate(line: str) -> str:
    """A header line's left column, if it can be (part of) an issuer's name; else an empty string."""
    left = left_column(line).strip(" *-_")
    if not left or _RULE.match(left) or _is_motto(left) or DOC_NUMBER.search(left) or _VI_DATE.search(left):
        return ""
    if left.upper() in PUBLISHER_LINES or _type_line(left) or _NUMBER_LINE.match(left):
        return ""
    letters = _letters(left)
    if len(letters) < 2 or len(left) > 120:
        return ""
    # Capitals (the form), or a line with no capitals at all (a TCVN3 capitals font read without it).
    return (
        left
        if all(c.isupper() for c in letters) or all(c.islower() for c in letters) or _starts_a_body(left.upper())
        else ""
    )


def find_issuer(text: str, doc_number: str | None = None) -> str | None:
    """The issuing body: the left-column lines above the number line, from the line that starts a body's name.

    ``UBND TỈNH PHÚ THỌ`` / ``SỞ THÔNG TIN VÀ TRUYỀN THÔNG`` -> the Sở (the line nearest the number);
    ``NGÂN HÀNG NHÀ NƯỚC`` / ``VIỆT NAM`` -> one name on two lines. Falls back to the issuer code of the number."""
    lines = header_lines(text)
    title_at = next((i for i, line in enumerate(lines) if _type_line(line) or _SUBJECT_LINE.match(line)), len(lines))
    lines = lines[:title_at]  # the issuer sits above the title
    number_at = next(
        (
            i
            for i, line in enumerate(lines)
            if _NUMBER_LINE.match(left_column(line) or line)
            or (doc_number and doc_number.replace(" ", "") in line.replace(" ", ""))
        ),
        None,
    )
    above = lines[:number_at] if number_at is not None else lines[:8]
    block: list[str] = []
    for line in reversed(above):
        candidate = _issuer_candidate(line)
        if not candidate:
            if block:
                break
            continue
        block.insert(0, candidate)
        if _starts_a_body(candidate.upper()):
            break
    if block:
        name = " ".join(block)
        return name.upper() if all(c.islower() for c in _letters(name)) else name
    return issuer_from_number(doc_number)


# --- title and type -------------------------------------------------------------------------------------
TITLE_WORDS: list[tuple[str, DocType]] = [  # longest first so "QUYẾT ĐỊNH" is not read as "QUY ĐỊNH"
    ("VĂN BẢN HỢP NHẤT", DocType.consolidated),
    ("NGHỊ QUYẾT", DocType.resolution),
    ("NGHỊ ĐỊNH", DocType.decree),
    ("THÔNG TƯ LIÊN TỊCH", DocType.circular),
    ("THÔNG TƯ", DocType.circular),
    ("CHỈ THỊ", DocType.directive),
    ("QUYẾT ĐỊNH", DocType.decision),
    ("QUY ĐỊNH", DocType.regulation),
    ("KẾT LUẬN", DocType.conclusion),
    ("HƯỚNG DẪN", DocType.instruction),
    ("KẾ HOẠCH", DocType.plan),
    ("THÔNG BÁO", DocType.notice),
    ("BÁO CÁO", DocType.report),
    ("BIÊN BẢN", DocType.minutes),
    ("BỘ LUẬT", DocType.law),
    ("LUẬT", DocType.law),
    ("PHÁP LỆNH", DocType.ordinance),
    ("PHỤ LỤC", DocType.appendix),
    ("CÔNG VĂN", DocType.letter),
    ("QUY CHẾ", DocType.regulation),
    ("RESOLUTION", DocType.resolution),
    ("DIRECTIVE", DocType.directive),
    ("REGULATION", DocType.regulation),
    ("DECISION", DocType.decision),
    ("DECREE", DocType.decree),
    ("CIRCULAR", DocType.circular),
    ("CONCLUSION", DocType.conclusion),
    ("GUIDANCE", DocType.instruction),
    ("INSTRUCTION", DocType.instruction),
    ("PLAN", DocType.plan),
    ("NOTICE", DocType.notice),
    ("REPORT", DocType.report),
    ("MINUTES", DocType.minutes),
    ("LAW", DocType.law),
    ("APPENDIX", DocType.appendix),
]
# After the type word a title line goes on with its subject ("về ...", "của ..."); anything else
# ("QUY ĐỊNH CHUNG", a chapter's name) is not a title.
_TITLE_GOES_ON = re.compile(
    r"^(?:về|của|số|quy định|hướng dẫn|ban hành|thi hành|sửa đổi|[IVXLC]+\b|\d+\b|on|of|"
    r"for|regarding|concerning|no\.?)",
    re.IGNORECASE,
)
_SUBJECT_LINE = re.compile(r"^(?:V/v|V/V|Về việc|Vv)\b\s*:?\s*(.*)$")


def _type_line(line: str) -> DocType | None:
    """The type a title line names: the line is the type word, or the type word followed by its subject."""
    text = line.strip().strip("*").strip()
    upper = unicodedata.normalize("NFC", text.upper())
    for word, doc_type in TITLE_WORDS:
        if upper == word:
            return doc_type
        if upper.startswith(word + " ") and len(text) < 160 and _TITLE_GOES_ON.match(text[len(word) :].strip()):
            return doc_type
    return None


@dataclass(frozen=True)
class Title:
    text: str
    doc_type: DocType | None


def _sentence_case(line: str) -> str:
    return line[0] + line[1:].lower() if is_upper_line(line) or line.islower() else line


def find_title(text: str) -> Title | None:
    """Title from the header: the type-word line (``QUY ĐỊNH``, ``NGHỊ ĐỊNH``) and the subject lines after it;
    for an official letter, its ``V/v`` subject line. Never a running header, a chapter's name or file metadata."""
    lines = [line.strip() for line in text.split("\n")]
    seen = 0
    for i, line in enumerate(lines):
        if not line:
            continue
        seen += 1
        if seen > HEAD_LINES + 10 or _BODY_START.match(line):
            break
        subject = _SUBJECT_LINE.match(line)
        if subject:
            parts = [subject.group(1)] + _following(lines, i)
            return Title(("Công văn về " + " ".join(p for p in parts if p)).strip(), DocType.letter)
        doc_type = _type_line(line)
        if doc_type is None or _is_motto(line):
            continue
        parts = [_sentence_case(line)] + [p.lower() if is_upper_line(p) else p for p in _following(lines, i)]
        return Title(" ".join(parts), doc_type)
    return None


def _following(lines: list[str], index: int) -> list[str]:
    """The subject lines after a title line (up to three, until a blank, a rule, a basis line or a heading)."""
    from assistant.ingest.structure import line_heading

    out = []
    for follow in lines[index + 1 : index + 4]:
        if not follow or _RULE.match(follow) or follow.startswith(("-", "*", "Căn cứ", "Pursuant", "Kính gửi")):
            break
        if line_heading(follow) or _BODY_START.match(follow) or is_upper_line(follow) and _starts_a_body(follow):
            break
        out.append(follow)
    return out


def title_fallback(text: str) -> str:
    """A title when the header names none: the first line that reads like a sentence (not letterhead)."""
    for line in header_lines(text) or text.split("\n"):
        line = line.strip()
        if (
            len(line) >= 12
            and not _RULE.match(line)
            and not _is_motto(line)
            and line.upper() not in PUBLISHER_LINES
            and not DOC_NUMBER.search(line)
            and not _VI_DATE.search(line)
            and not is_upper_line(line)
        ):
            return line[:160]
    return ""
