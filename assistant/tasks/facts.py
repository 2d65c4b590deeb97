"""What kind of fact a question asks for, and whether a sentence holds one.

A member who asks "từ ngày nào?" wants a date, "phạt bao nhiêu tiền?" an amount, "bao nhiêu tuổi?" an
age. The sentence that covers the question's words best is not always the one that holds that fact (the
behaviour is in point a), the fine in the clause's lead-in above it), so the answerer prefers sentences
that hold it, pulls in the lead-in of a list when the fact is there, and says "not found" when no
retrieved sentence holds the kind of fact asked for.
"""

from __future__ import annotations

import re
from enum import Enum

from assistant.text import fold_accents


class Fact(str, Enum):
    date = "date"  # ngày nào, có hiệu lực từ, hạn cuối: a day
    year = "year"  # năm nào
    when = "when"  # khi nào, bao giờ: a date or a condition
    duration = "duration"  # bao lâu, trong thời hạn bao lâu
    frequency = "frequency"  # bao lâu một lần, mấy lần, how often
    amount = "amount"  # bao nhiêu tiền, mức phạt, lệ phí
    age = "age"  # bao nhiêu tuổi
    number = "number"  # bao nhiêu, mấy, how many
    condition = "condition"  # trong trường hợp nào, điều kiện gì
    subject = "subject"  # (văn bản này) về việc gì, quy định về gì


_I = re.IGNORECASE
# Most specific first: "bao nhiêu tiền" is an amount before it is a number.
_ASKS: list[tuple[Fact, re.Pattern[str]]] = [
    (Fact.age, re.compile(r"bao nhiêu tuổi|mấy tuổi|độ tuổi|tuổi (?:tối thiểu|tối đa)|how old|what age", _I)),
    (
        Fact.amount,
        re.compile(
            r"bao nhiêu tiền|mức (?:phạt|thu|phí|lệ phí|đóng|hỗ trợ)|phạt (?:tiền )?bao nhiêu|"
            r"(?:lệ phí|chi phí|kinh phí|số tiền)\b.*\b(?:bao nhiêu|là gì)|how much|what fine",
            _I,
        ),
    ),
    (Fact.frequency, re.compile(r"bao lâu một lần|mấy lần|bao nhiêu lần|how often|how many times", _I)),
    (
        Fact.duration,
        re.compile(
            r"bao lâu|mấy (?:ngày|tháng|năm|giờ|tuần)|bao nhiêu (?:ngày|tháng|năm|giờ|tuần)|"
            r"thời hạn (?:là )?bao|how long|within how",
            _I,
        ),
    ),
    (
        Fact.condition,
        re.compile(r"trường hợp nào|điều kiện (?:gì|nào)|khi nào thì|in which case|under what condition", _I),
    ),
    (Fact.year, re.compile(r"năm nào|in which year|what year", _I)),
    (
        Fact.date,
        re.compile(
            r"ngày nào|thời điểm nào|có hiệu lực|hiệu lực từ|hạn (?:cuối|chót)|hết hạn|"
            r"what date|which date|deadline|take effect",
            _I,
        ),
    ),
    (Fact.when, re.compile(r"khi nào|bao giờ|\bwhen\b", _I)),
    (
        Fact.subject,
        re.compile(
            r"về (?:việc|vấn đề|nội dung) gì|quy định (?:về )?(?:những )?(?:gì|vấn đề gì)|"
            r"hướng dẫn (?:về )?(?:việc )?gì|nói về (?:điều )?gì|what is .* about",
            _I,
        ),
    ),
    (Fact.number, re.compile(r"bao nhiêu|\bmấy\b|how many|what number|what size", _I)),
]

# A day: 22/12/2011, ngày 5, "kể từ ngày ký", a weekday, "hằng tháng"; a year alone is not a day.
_DATE = re.compile(
    r"\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4}|\bngày\s+\d{1,2}\b|"
    r"(?:kể\s+)?từ\s+ngày\s+(?:ký|ban\s+hành|công\s+bố|đăng|thông\s+qua)|ngày\s+(?:ký|ban\s+hành)|"
    r"\b(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật)\b|hằng\s+(?:tháng|năm|tuần|quý)|"
    r"\b\d{1,2}\s+(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)|(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\s+\d{1,2}\b",
    _I,
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_DURATION = re.compile(
    r"\d+\s*(?:ngày|tháng|năm|giờ|phút|tuần|days?|months?|years?|hours?|weeks?)\b|"
    r"(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi)\s+(?:ngày|tháng|năm|giờ|tuần)",
    _I,
)
# Money: a fine, a fee, a sum (a percentage is a number, not an amount of money).
_AMOUNT = re.compile(
    r"\d[\d.,]*\s*(?:đồng(?!\s+chí)|triệu|tỷ|nghìn|ngàn|vnđ|vnd|usd|dollars?|\$)|phạt tiền từ|"
    r"(?:một|hai|ba|năm|mười)\s+(?:triệu|tỷ|nghìn)\s+đồng",
    _I,
)
_FREQUENCY = re.compile(
    r"\bhằng\s+(?:ngày|tuần|tháng|quý|năm)|\bmỗi\s+(?:ngày|tuần|tháng|quý|năm|lần)|"
    r"định\s+kỳ|\d+\s*lần|(?:hai|ba|bốn|một)\s+lần|\b(?:daily|weekly|monthly|yearly|annually|"
    r"every\s+\w+|once|twice|times\s+a)\b",
    _I,
)
_AGE = re.compile(r"\d+\s*tuổi|tuổi\s+(?:từ|đến|trên|dưới)?\s*\d+|\d+\s*years?\s+old", _I)
# Digits, or number words that mean nothing else ("một số" is "some", "năm" also "year", "ba" also "father").
_NUMBER = re.compile(
    r"\d|\b(?:hai|bốn|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|"
    r"two|three|four|five|six|seven|eight|nine|ten|twelve|hundred)\b",
    _I,
)
_CONDITION = re.compile(r"\b(?:khi|nếu|trường hợp|điều kiện|if|when|where|provided|unless)\b", _I)

_HOLDS = {
    Fact.date: _DATE,
    Fact.year: _YEAR,
    Fact.duration: _DURATION,
    Fact.frequency: _FREQUENCY,
    Fact.amount: _AMOUNT,
    Fact.age: _AGE,
    Fact.number: _NUMBER,
    Fact.condition: _CONDITION,
}
# A question asking for one of these is answered only by a sentence that holds one.
REQUIRED = frozenset({Fact.date, Fact.year, Fact.duration, Fact.frequency, Fact.amount, Fact.age, Fact.number})


_FOLDED_ASKS = [(fact, re.compile(fold_accents(pattern.pattern), _I)) for fact, pattern in _ASKS]
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3})*[.)]|\(?[a-zđ]\)|[-+•])\s+")


def asked_fact(question: str) -> Fact | None:
    """The kind of fact the question asks for, or None (a how/why/what question); typed with or without marks
    (a question typed without any is matched against the patterns without theirs: "bao nhieu")."""
    unaccented = fold_accents(question) == question
    for fact, pattern in _FOLDED_ASKS if unaccented else _ASKS:
        if pattern.search(question):
            return fact
    return None


def holds(fact: Fact | None, sentence: str) -> bool:
    """True when ``sentence`` holds a fact of that kind (always True when no particular fact is asked)."""
    if fact is None or fact is Fact.subject:
        return True
    sentence = _LIST_MARKER.sub("", sentence)  # "3. ..." is an item's number, not a number the sentence states
    if fact is Fact.when:
        return bool(
            _DATE.search(sentence)
            or _YEAR.search(sentence)
            or _DURATION.search(sentence)
            or _CONDITION.search(sentence)
        )
    if fact is Fact.number:
        return bool(_NUMBER.search(sentence))
    return bool(_HOLDS[fact].search(sentence))
