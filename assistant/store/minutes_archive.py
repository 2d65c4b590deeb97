"""After the meeting: the record pre-filled from the roster and the replies, completed by the secretary; the
minutes and resolution drafted from it; approved by the chair and archived into the index.

Rules: no record before the meeting starts (nor for a cancelled one); no approval by whoever drafted the
documents; an approved revision is never changed (a correction is the next revision, which supersedes it once
approved). Approval spans two stores, so it is written as an intent first: the revisions become ``approving``,
they are indexed (all-or-nothing per document), then ``approved``. A crash in between leaves ``approving`` rows
that :meth:`MinutesArchive.recover` finishes at the next start, so a meeting is either approved with its
documents indexed, or not approved with nothing new indexed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from assistant.auth import Principal
from assistant.domain import AccessLevel, DocType, Document, DocumentMeta
from assistant.errors import Conflict, InvalidInput, NotFound
from assistant.filters import is_under
from assistant.ingest.loaders import strip_markdown
from assistant.meeting import MeetingRecord, check_record
from assistant.store.database import sessions
from assistant.store.meetings import (
    Clock,
    MeetingOut,
    check_version,
    meeting_out,
    overseen_meeting,
)
from assistant.store.roster import cell_members
from assistant.store.schema import MeetingDocumentRow, MeetingRow

log = logging.getLogger(__name__)
DOC_TYPES = {"minutes": DocType.minutes, "resolution": DocType.resolution}


class Archive(Protocol):
    """Where approved documents go: the search index (each ``put`` all-or-nothing, idempotent)."""

    def put(self, document: Document) -> None: ...

    def remove(self, doc_id: str) -> None: ...


@dataclass(frozen=True)
class NewDocument:
    kind: str  # minutes | resolution
    title: str
    markdown: str
    engine: str


class RecordDraft(BaseModel):
    """A meeting record pre-filled from the meeting, the cell's roster and the members' replies: the secretary
    completes it (times, chair, notes, votes, tasks) and sends it back to PUT .../record."""

    record: dict
    sources: dict[str, str]
    version: int


def _meeting(session: Session, meeting_id: str, options: list) -> MeetingRow:
    """A meeting that must exist (its documents are being approved)."""
    row = session.get(MeetingRow, meeting_id, options=options)
    if row is None:
        raise NotFound(f"no meeting '{meeting_id}'")
    return row


def document_of(row: MeetingDocumentRow, meeting: MeetingRow) -> Document:
    """An approved minutes or resolution as an indexable document: the cell's, at ``internal``."""
    organization = meeting.organization.get("name", "")
    language = (meeting.record or {}).get("language", "vi")
    meta = DocumentMeta(
        doc_id=row.doc_id,
        title=row.title,
        doc_type=DOC_TYPES[row.kind],
        issuer=organization or None,
        issued_date=meeting.starts_at.date().isoformat(),
        language=language,
        org_unit=meeting.org_unit,
        access_level=AccessLevel.internal,
    )
    digest = hashlib.sha256(f"{row.doc_id}|{row.revision}|{row.markdown}".encode()).hexdigest()
    return Document(
        meta=meta,
        text=strip_markdown(row.markdown),
        source_path=f"meeting:{meeting.id}/{row.kind}/{row.revision}",
        content_hash=digest,
    )


class MinutesArchive:
    def __init__(self, engine: Engine, clock: Clock = dt.datetime.now) -> None:
        self.sessions = sessions(engine)
        self.clock = clock

    # -- the record ----------------------------------------------------------------------------------
    def prefill(self, caller: Principal, meeting_id: str) -> RecordDraft:
        """The record as far as the store knows it: the saved one, else built from the roster and replies."""
        with self.sessions() as session:
            row = overseen_meeting(session, caller, meeting_id)
            if row.record is not None:
                return RecordDraft(record=row.record, sources={"record": "saved by the secretary"}, version=row.version)
            return self._prefilled(session, caller, row)

    def _prefilled(self, session: Session, caller: Principal, row: MeetingRow) -> RecordDraft:
        roster = cell_members(session, row.org_unit)
        replies = {r.member_key_id: r for r in row.replies}
        exempt = [m for m in roster if m.exempt]
        expected = [m for m in roster if not m.exempt]
        present = [m for m in expected if m.key_id in replies and replies[m.key_id].attending]
        absent = [
            {"name": m.name, "reason": replies[m.key_id].reason if m.key_id in replies else ""}
            for m in expected
            if m not in present
        ]
        on_roster = {m.key_id for m in roster}
        present_names = [m.name for m in present] + [
            r.member_name for k, r in replies.items() if r.attending and k not in on_roster
        ]
        probationary = [m for m in roster if m.membership == "probationary"]
        record = {
            "organization": row.organization,
            "kind": row.kind,
            "topic": row.topic,
            "date": row.starts_at.date().isoformat(),
            "time_start": row.starts_at.strftime("%H:%M"),
            "time_end": "",
            "place": row.place,
            "online": row.online,
            "chair": {"name": "", "role": ""},
            "secretary": {"name": caller.name, "role": ""},
            "members_total": len(roster) or len(replies),
            "members_exempt": len(exempt),
            "members_present": len(present_names),
            "members_probationary": len(probationary),
            "probationary_present": sum(m in present for m in probationary),
            "probationary_names": [m.name for m in probationary],
            "absent": absent,
            "agenda": [{"title": item, "notes": ""} for item in row.agenda],
            "decisions": [],
            "tasks": [],
            "references": row.readings,
        }
        sources = {
            "members": f"the roster of {row.org_unit} ({len(roster)} active, {len(exempt)} exempt)",
            "present": f"{len(present_names)} replied they would attend; correct it to who came",
            "absent": "members who replied they could not attend (their reason) or did not reply",
            "agenda": "the agenda of the notice",
            "to complete": "time_end, chair, notes, decisions, tasks",
        }
        return RecordDraft(record=record, sources=sources, version=row.version)

    def save_record(
        self, caller: Principal, meeting_id: str, record: MeetingRecord, expected_version: int | None = None
    ) -> MeetingOut:
        """Keep the completed record; the meeting is ``held`` from now on. Allowed once the meeting has started."""
        with self.sessions.begin() as session:
            row = overseen_meeting(session, caller, meeting_id, lock=True)
            check_version(row, expected_version)
            if row.status == "cancelled":
                raise Conflict("the meeting was cancelled: it has no record")
            if self.clock() < row.starts_at:
                raise Conflict(
                    f"the meeting has not been held yet (it starts {row.starts_at:%Y-%m-%d %H:%M}): "
                    "its record is completed after it"
                )
            if record.date != row.starts_at.date():
                raise InvalidInput(f"the record is of {record.date}, the meeting was on {row.starts_at.date()}")
            check_record(record, ("record",))
            row.record, row.recorded_by = record.model_dump(mode="json"), caller.key_id
            if row.status == "scheduled":
                row.status = "held"
            session.flush()
            return meeting_out(caller, row, self.clock())

    def record_of(self, caller: Principal, meeting_id: str) -> MeetingRecord:
        with self.sessions() as session:
            row = overseen_meeting(session, caller, meeting_id)
            if row.record is None:
                raise Conflict("the meeting has no record yet: complete it first (PUT .../record)")
            return MeetingRecord.model_validate(row.record)

    def records_in(self, caller: Principal, first: dt.date, last: dt.date, org_unit: str) -> list[MeetingRecord]:
        """The records of the held meetings from ``first`` to ``last`` of ``org_unit`` and the units under it."""
        start = dt.datetime.combine(first, dt.time())
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
        with self.sessions() as session:
            rows = session.scalars(
                select(MeetingRow)
                .where(MeetingRow.starts_at >= start, MeetingRow.starts_at < end, MeetingRow.record.is_not(None))
                .order_by(MeetingRow.starts_at)
            )
            return [
                MeetingRecord.model_validate(r.record)
                for r in rows
                if (not org_unit or is_under(r.org_unit, org_unit))
                and r.status in ("held", "approved")
                and (not caller.org_unit or is_under(r.org_unit, caller.org_unit))
            ]

    # -- drafts and approval -------------------------------------------------------------------------
    def store_drafts(self, caller: Principal, meeting_id: str, drafts: list[NewDocument]) -> MeetingOut:
        """Keep the drafted documents: the draft revision of each kind is replaced, an approved one is followed
        by a new revision (a correction)."""
        with self.sessions.begin() as session:
            row = overseen_meeting(session, caller, meeting_id, lock=True)
            if row.record is None:
                raise Conflict("no minutes for a meeting without its record: complete the record first")
            now = self.clock()
            for new in drafts:
                latest = max((d for d in row.documents if d.kind == new.kind), key=lambda d: d.revision, default=None)
                if latest is not None and latest.status == "approving":
                    raise Conflict("the documents are being approved: try again in a moment")
                if latest is not None and latest.status == "draft":
                    target = latest
                else:
                    target = MeetingDocumentRow(
                        kind=new.kind,
                        revision=(latest.revision + 1) if latest else 1,
                        status="draft",
                        doc_id=f"meeting-{row.id}-{new.kind}",
                    )
                    row.documents.append(target)
                target.title, target.markdown, target.engine = new.title, new.markdown, new.engine
                target.drafted_by, target.drafted_at = caller.key_id, now
            session.flush()
            return meeting_out(caller, row, self.clock())

    def approve(
        self, caller: Principal, meeting_id: str, archive: Archive, expected_version: int | None = None
    ) -> MeetingOut:
        """The chair approves the meeting's drafts: they become immutable and searchable by the cell."""
        with self.sessions.begin() as session:
            row = overseen_meeting(session, caller, meeting_id, lock=True)
            check_version(row, expected_version)
            drafts = [d for d in row.documents if d.status == "draft"]
            if not drafts:
                raise Conflict(
                    "nothing to approve: draft the minutes first"
                    if not row.documents
                    else "nothing new to approve: the documents are approved already"
                )
            if any(d.drafted_by == caller.key_id for d in drafts):
                raise Conflict("whoever drafted the minutes may not approve them: the chair of the meeting approves")
            now = self.clock()
            for d in drafts:
                d.status, d.approved_by, d.approved_at = "approving", caller.key_id, now
            try:
                session.flush()
            except StaleDataError as exc:
                raise Conflict("the documents were approved or changed meanwhile: reload the meeting") from exc
        self._archive(meeting_id, archive)
        approved = self._finish(caller, meeting_id)
        assert approved is not None  # a caller gets the meeting back
        return approved

    def _archive(self, meeting_id: str, archive: Archive) -> None:
        """Index the ``approving`` documents of the meeting; on failure, put back what was there and undo."""
        with self.sessions() as session:
            row = _meeting(session, meeting_id, [selectinload(MeetingRow.documents)])
            pending = [d for d in row.documents if d.status == "approving"]
            try:
                for d in pending:
                    archive.put(document_of(d, row))
            except Exception:
                for d in pending:
                    previous = max(
                        (p for p in row.documents if p.kind == d.kind and p.status == "approved"),
                        key=lambda p: p.revision,
                        default=None,
                    )
                    try:
                        archive.put(document_of(previous, row)) if previous else archive.remove(d.doc_id)
                    except Exception:  # the index's own journal repairs a half write on its next open
                        log.exception("could not undo the archiving of %s", d.doc_id)
                self._set_back(meeting_id)
                raise

    def _set_back(self, meeting_id: str) -> None:
        with self.sessions.begin() as session:
            for d in session.scalars(
                select(MeetingDocumentRow).where(
                    MeetingDocumentRow.meeting_id == meeting_id, MeetingDocumentRow.status == "approving"
                )
            ):
                d.status, d.approved_by, d.approved_at = "draft", None, None

    def _finish(self, caller: Principal | None, meeting_id: str) -> MeetingOut | None:
        with self.sessions.begin() as session:
            row = _meeting(session, meeting_id, [selectinload(MeetingRow.documents), selectinload(MeetingRow.replies)])
            for d in [d for d in row.documents if d.status == "approving"]:
                for older in row.documents:
                    if older.kind == d.kind and older.status == "approved":
                        older.status = "superseded"
                d.status = "approved"
            row.status = "approved"
            session.flush()
            return meeting_out(caller, row, self.clock()) if caller else None

    def recover(self, archive: Archive) -> int:
        """Finish approvals a crash interrupted (documents ``approving``): index them and mark them approved."""
        with self.sessions() as session:
            meetings = sorted(
                set(
                    session.scalars(
                        select(MeetingDocumentRow.meeting_id).where(MeetingDocumentRow.status == "approving")
                    )
                )
            )
        for meeting_id in meetings:
            try:
                self._archive(meeting_id, archive)
            except Exception:
                log.exception("could not finish the approval of meeting %s: set back to draft", meeting_id)
                continue
            self._finish(None, meeting_id)
        return len(meetings)
