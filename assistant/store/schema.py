"""Tables of the application store (the migrations in ``migrations/versions`` create them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class MeetingRow(Base):
    """A scheduled cell meeting. ``version`` is bumped on every change (optimistic concurrency)."""

    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_unit: Mapped[str] = mapped_column(String(300), index=True)
    organization: Mapped[dict] = mapped_column(JSON)  # name, parent, place_name
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)  # local wall-clock time of the meeting
    place: Mapped[str] = mapped_column(Text, default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    agenda: Mapped[list] = mapped_column(JSON)
    readings: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="scheduled", index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    replies: Mapped[list[ReplyRow]] = relationship(back_populates="meeting", cascade="all, delete-orphan")
    __mapper_args__ = {"version_id_col": version}


class ReplyRow(Base):
    """A member's reply to a meeting: attending, or not with a reason; changed until the meeting starts."""

    __tablename__ = "meeting_replies"
    __table_args__ = (UniqueConstraint("meeting_id", "member_key_id", name="one_reply_per_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    member_key_id: Mapped[str] = mapped_column(String(64))
    member_name: Mapped[str] = mapped_column(String(200))
    attending: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    meeting: Mapped[MeetingRow] = relationship(back_populates="replies")
    __mapper_args__ = {"version_id_col": version}
