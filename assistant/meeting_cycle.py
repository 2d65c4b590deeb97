"""The cell's monthly cycle end to end: notice published → replies → record → minutes and resolution →
approval → archived in the index under the cell, where its members can ask about it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from assistant.auth import KeyStore, Principal
from assistant.calendar_ics import meetings_calendar
from assistant.domain import Document
from assistant.errors import NotFound
from assistant.ingest.pipeline import IngestPipeline
from assistant.llm import EngineChoice
from assistant.meeting import MeetingNotice, Person
from assistant.store.calendar_feeds import CalendarFeeds
from assistant.store.meetings import MeetingOut, MeetingsStore
from assistant.store.minutes_archive import MinutesArchive, NewDocument
from assistant.tasks.cell_documents import FormalDraft, NoticeDrafter, ResolutionDrafter
from assistant.tasks.minutes import MinutesDrafter

DocumentTitle = Callable[[str], "str | None"]
CALENDAR_PAST = dt.timedelta(days=60)  # a feed keeps two months of past meetings


class IndexArchive:
    """Approved documents into the search index, each all-or-nothing (the index's own write journal)."""

    def __init__(self, pipeline: IngestPipeline) -> None:
        self.pipeline = pipeline

    def put(self, document: Document) -> None:
        index = self.pipeline.index
        with index.writing():
            self.pipeline.ingest_document(document)
            index.refresh_lexical()

    def remove(self, doc_id: str) -> None:
        self.pipeline.delete(doc_id)


@dataclass
class MeetingCycle:
    meetings: MeetingsStore
    minutes_archive: MinutesArchive
    feeds: CalendarFeeds
    keys: KeyStore
    minutes: MinutesDrafter
    resolutions: ResolutionDrafter
    notices: NoticeDrafter
    archive: IndexArchive
    timezone: str

    def notice(
        self,
        caller: Principal,
        meeting_id: str,
        number: int | None,
        language: Literal["vi", "en"],
        document_title: DocumentTitle,
    ) -> FormalDraft:
        """The notice (THÔNG BÁO) of a meeting in the official form, signed by ``caller``."""
        m = self.meetings.get(caller, meeting_id)
        notice = MeetingNotice(
            organization=m.organization,
            kind=m.kind,
            topic=m.topic,
            language=language,
            date=m.starts_at.date(),
            time_start=m.starts_at.time(),
            place=m.place,
            online=m.online,
            agenda=m.agenda,
            readings=m.readings,
            issued_on=min(self.meetings.clock().date(), m.starts_at.date()),
            signer=Person(name=caller.name),
            number=number,
        )
        return self.notices.draft(notice, document_title)

    def publish(
        self,
        caller: Principal,
        meeting_id: str,
        number: int | None,
        language: Literal["vi", "en"],
        document_title: DocumentTitle,
    ) -> MeetingOut:
        """Draft the notice and send it to the cell's members."""
        draft = self.notice(caller, meeting_id, number, language, document_title)
        return self.meetings.publish(caller, meeting_id, draft.markdown)

    def draft_documents(
        self, caller: Principal, meeting_id: str, engine: EngineChoice = "auto", number: int | None = None
    ) -> MeetingOut:
        """Minutes (and, when the meeting decided anything, its resolution) drafted from the saved record."""
        record = self.minutes_archive.record_of(caller, meeting_id)
        minutes = self.minutes.draft(record, engine=engine)
        drafts = [NewDocument("minutes", minutes.title, minutes.markdown, minutes.engine)]
        if record.decisions:
            resolution = self.resolutions.draft(record, number=number)
            drafts.append(NewDocument("resolution", resolution.title, resolution.markdown, "template"))
        return self.minutes_archive.store_drafts(caller, meeting_id, drafts)

    def approve(self, caller: Principal, meeting_id: str, expected_version: int | None = None) -> MeetingOut:
        return self.minutes_archive.approve(caller, meeting_id, self.archive, expected_version)

    def recover(self) -> int:
        return self.minutes_archive.recover(self.archive)

    def calendar(self, token: str, language: str = "vi") -> bytes:
        """The feed of a secret calendar address: the meetings its key sees, upcoming and of the last two months."""
        key_id = self.feeds.key_for(token)
        info = self.keys.get(key_id) if key_id else None
        if info is None or not info.usable():
            raise NotFound("no such calendar (the address was renewed, or its key revoked or expired)")
        caller = info.principal()
        meetings = self.meetings.listing(caller, open_only=False, since=self.meetings.clock() - CALENDAR_PAST)
        return meetings_calendar(meetings, self.timezone, name=f"{info.name} — lịch sinh hoạt", language=language)
