"""Meetings as an iCalendar feed (RFC 5545), written with the ``icalendar`` library."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from assistant.store.meetings import MeetingOut

MEETING_LENGTH = dt.timedelta(hours=2)  # until the record says when it ended
STATUS = {"scheduled": "CONFIRMED", "held": "CONFIRMED", "approved": "CONFIRMED", "cancelled": "CANCELLED"}


def meetings_calendar(
    meetings: list[MeetingOut], timezone: str, name: str, host: str = "assistant.local", language: str = "vi"
) -> bytes:
    """One event per meeting, in the meetings' local time zone; agenda and readings in the description."""
    zone = ZoneInfo(timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//grassroots-assistant//meetings//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    vi = language == "vi"
    for m in meetings:
        event = Event()
        event.add("uid", f"{m.id}@{host}")
        event.add("dtstamp", (m.published_at or m.starts_at).replace(tzinfo=zone))
        event.add("dtstart", m.starts_at.replace(tzinfo=zone))
        event.add("dtend", (m.starts_at + MEETING_LENGTH).replace(tzinfo=zone))
        kind = m.topic or ("Sinh hoạt chi bộ" if vi else "Cell meeting")
        event.add("summary", f"{kind} — {m.organization.name}")
        event.add("location", m.place or ("Trực tuyến" if vi else "Online"))
        lines = [("Nội dung:" if vi else "Agenda:"), *(f"{i}. {item}" for i, item in enumerate(m.agenda, 1))]
        if m.readings:
            lines += ["", ("Tài liệu cần đọc trước: " if vi else "Read beforehand: ") + ", ".join(m.readings)]
        event.add("description", "\n".join(lines))
        event.add("status", STATUS[m.status])
        event.add("sequence", m.version)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
