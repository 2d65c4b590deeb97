"""Text rewritten for the ear: what a listener should hear instead of what a reader sees.

Document numbers (``339-QĐ/TW``), date slashes, abbreviations and citation markers read badly
aloud; a bulletin says "số 339, Quy định của Trung ương" and "ngày 15 tháng 3 năm 2026" instead.
"""

from __future__ import annotations

import re

from assistant.formatting import EN_MONTHS

_MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
_DATE = re.compile(r"(?:\b[Nn]gày\s+)?\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DOC_NUMBER = re.compile(r"\b(\d{1,4})-([A-ZĐ]{1,5})/([A-ZĐ][A-ZĐ0-9]{0,9})\b")

DOC_TYPES = {
    "vi": {
        "NQ": "Nghị quyết",
        "CT": "Chỉ thị",
        "QĐ": "Quy định",
        "KL": "Kết luận",
        "HD": "Hướng dẫn",
        "KH": "Kế hoạch",
        "TB": "Thông báo",
        "BC": "Báo cáo",
        "CV": "Công văn",
        "QC": "Quy chế",
    },
    "en": {
        "NQ": "Resolution",
        "CT": "Directive",
        "QĐ": "Regulation",
        "KL": "Conclusion",
        "HD": "Guideline",
        "KH": "Plan",
        "TB": "Notice",
        "BC": "Report",
    },
}
ISSUERS = {
    "TW": "Trung ương",
    "BCT": "Bộ Chính trị",
    "BBT": "Ban Bí thư",
    "TU": "Tỉnh ủy",
    "ĐU": "Đảng ủy",
    "CB": "Chi bộ",
    "BTGDVTW": "Ban Tuyên giáo và Dân vận Trung ương",
    "BTGDV": "Ban Tuyên giáo và Dân vận",
}
WORDS = {
    "vi": [
        (r"\bđ/c\b", "đồng chí"),
        (r"\bĐ/c\b", "Đồng chí"),
        (r"%", " phần trăm"),
        (r"\bTP\.", "Thành phố"),
        (r"\bUBND\b", "Ủy ban nhân dân"),
        (r"\bHĐND\b", "Hội đồng nhân dân"),
        (r"\bMTTQ\b", "Mặt trận Tổ quốc"),
        (r"\bCNTT\b", "công nghệ thông tin"),
        (r"\bKDC\b", "khu dân cư"),
    ],
    "en": [(r"%", " percent"), (r"\be\.g\.", "for example"), (r"\bi\.e\.", "that is")],
}
SECTION_SIGNS = {"vi": "Điều", "en": "Article"}


def _doc_number(match: re.Match, language: str) -> str:
    number, kind, issuer = match.groups()
    kind_name = DOC_TYPES.get(language, DOC_TYPES["en"]).get(kind, " ".join(kind))
    issuer_name = ISSUERS.get(issuer, " ".join(issuer)) if language == "vi" else " ".join(issuer)
    joiner = " của " if language == "vi" else " of "
    return f"{number}, {kind_name}{joiner}{issuer_name}" if language in ("vi", "en") else match.group(0)


def _date(match: re.Match, language: str) -> str:
    day, month, year = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return match.group(0)
    if language == "vi":
        return f"ngày {day} tháng {month} năm {year}"
    return f"{day} {EN_MONTHS[month - 1]} {year}"


def speakable(text: str, language: str) -> str:
    """``text`` as it should be spoken: no citation markers, numbers and abbreviations spelled out."""
    text = _MARKERS.sub("", text)
    text = _DOC_NUMBER.sub(lambda m: _doc_number(m, language), text)
    text = _DATE.sub(lambda m: _date(m, language), text)
    for pattern, spoken in WORDS.get(language, []):
        text = re.sub(pattern, spoken, text)
    text = text.replace("§", SECTION_SIGNS.get(language, ""))
    return re.sub(r"[*_#>`|]+", " ", re.sub(r"[ \t]+", " ", text)).strip()
