"""How dates, times, counts and shares are written in Vietnamese and English documents.

The document templates use these as Jinja filters and the minutes checker uses the same
functions to know what the draft must say, so the two never disagree.
"""

from __future__ import annotations

import datetime as dt

EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def long_date(day: dt.date, language: str) -> str:
    """``ngày 12 tháng 11 năm 2026`` / ``12 November 2026``."""
    if language == "vi":
        return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date | None, language: str) -> str:
    """``12/11/2026`` / ``12 Nov 2026``; empty for no date."""
    if day is None:
        return ""
    if language == "vi":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    return f"{day.day} {EN_MONTHS[day.month - 1][:3]} {day.year}"


def clock(moment: dt.time, language: str) -> str:
    """``19 giờ 30 phút`` / ``19:30``."""
    if language == "vi":
        return f"{moment.hour} giờ {moment.minute:02d} phút"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def month_year(day: dt.date, language: str) -> str:
    """``tháng 11 năm 2026`` / ``November 2026``."""
    if language == "vi":
        return f"tháng {day.month} năm {day.year}"
    return f"{EN_MONTHS[day.month - 1]} {day.year}"


def percent(part: int, whole: int, language: str) -> str:
    """``92,3%`` / ``92.3%`` (one decimal, dropped when whole); ``0%`` of nothing."""
    value = round(100 * part / whole, 1) if whole else 0.0
    text = f"{value:.1f}".removesuffix(".0")
    return (text.replace(".", ",") if language == "vi" else text) + "%"


FILTERS = {
    "long_date": long_date,
    "short_date": short_date,
    "clock": clock,
    "month_year": month_year,
    "percent": percent,
}
