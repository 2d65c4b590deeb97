"""Tables of the application store (the migrations in ``migrations/versions`` create them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
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
    status: Mapped[str] = mapped_column(
        String(20), default="scheduled", index=True
    )  # scheduled|held|approved|cancelled
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)  # the notice sent to members
    notice: Mapped[str | None] = mapped_column(Text, nullable=True)  # the published notice (Markdown)
    record: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # what happened, completed by the secretary
    recorded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    replies: Mapped[list[ReplyRow]] = relationship(back_populates="meeting", cascade="all, delete-orphan")
    documents: Mapped[list[MeetingDocumentRow]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingDocumentRow.id"
    )
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


class MeetingDocumentRow(Base):
    """Minutes or resolution of a held meeting. ``draft`` until the chair approves; an approved revision is never
    changed again (a correction is the next revision, which supersedes it once approved). ``approving`` marks an
    approval whose archiving into the index has not been confirmed yet (finished on restart)."""

    __tablename__ = "meeting_documents"
    __table_args__ = (UniqueConstraint("meeting_id", "kind", "revision", name="one_revision_per_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # minutes | resolution
    revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    markdown: Mapped[str] = mapped_column(Text)
    engine: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), index=True)  # draft | approving | approved | superseded
    drafted_by: Mapped[str] = mapped_column(String(64))
    drafted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    doc_id: Mapped[str] = mapped_column(String(100))  # the id it is indexed under once approved
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    meeting: Mapped[MeetingRow] = relationship(back_populates="documents")
    __mapper_args__ = {"version_id_col": version}


class RosterRow(Base):
    """A member of a cell, linked to the member's API key (kept in step with ``assistant keys``)."""

    __tablename__ = "roster"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_unit: Mapped[str] = mapped_column(String(300), index=True)
    name: Mapped[str] = mapped_column(String(200))
    membership: Mapped[str] = mapped_column(String(20), default="official")  # official | probationary
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)  # excused from meetings (age, health)
    exempt_reason: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # false once the key is revoked
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}


class CalendarFeedRow(Base):
    """A key's secret calendar address: only the SHA-256 of its token is kept."""

    __tablename__ = "calendar_feeds"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class IdempotentRequestRow(Base):
    """A request sent with an ``Idempotency-Key``: claimed (``status`` null) while it runs, then its answer, which
    a retry of the same key gets back instead of doing the action again."""

    __tablename__ = "idempotent_requests"

    owner: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the caller's credentials
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    media_type: Mapped[str | None] = mapped_column(String(200), nullable=True)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class ConsultationRow(Base):
    """Members' opinions collected on an indexed draft, for some org units, until a deadline."""

    __tablename__ = "consultations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    org_units: Mapped[list] = mapped_column(JSON)  # whose members may comment (each unit and the units under it)
    owner_unit: Mapped[str] = mapped_column(String(300))  # the unit that opened it (sees every comment)
    deadline: Mapped[dt.datetime] = mapped_column(DateTime)
    names_above: Mapped[bool] = mapped_column(Boolean, default=False)  # levels above a cell see members' names
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    comments: Mapped[list[CommentRow]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="CommentRow.id"
    )
    __mapper_args__ = {"version_id_col": version}


class CommentRow(Base):
    """One opinion: on an article/clause (its structure path) or on the whole draft; typed by the member, or by a
    secretary from paper gathered at a meeting."""

    __tablename__ = "consultation_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # null: entered from paper
    entered_by: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(200))
    org_unit: Mapped[str] = mapped_column(String(300), index=True)
    target: Mapped[str] = mapped_column(String(300), default="")
    stance: Mapped[str | None] = mapped_column(String(10), nullable=True)  # agree | disagree | propose
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default="app")  # app | paper
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    consultation: Mapped[ConsultationRow] = relationship(back_populates="comments")
    __mapper_args__ = {"version_id_col": version}


class JobRow(Base):
    """A background job (a bulletin, a transcription, a long summary, a scan's OCR): its request, so it can run
    again after a restart, its state, and its result. Files (the uploaded input, the audio made) live on disk
    under ``<data_dir>/jobs/<id>/``."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # the API key id
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued|running|done|failed|cancelled
    params: Mapped[dict] = mapped_column(JSON)
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(120), nullable=True)  # host:pid:nonce of the process running it
    heartbeat_at: Mapped[float | None] = mapped_column(nullable=True)
    created_at: Mapped[float] = mapped_column()
    started_at: Mapped[float | None] = mapped_column(nullable=True)
    finished_at: Mapped[float | None] = mapped_column(nullable=True, index=True)
    result: Mapped[dict | list | None] = mapped_column(JSON, nullable=True)
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    artifact_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
