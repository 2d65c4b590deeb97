"""Periodic activity report of a cell or ward from its meeting records (monthly or quarterly).

Counts come from the records only: meetings held by kind, attendance rate (present over members
expected, summed over meetings), meetings without a quorum, decisions with their votes, tasks done,
still open, and overdue as of the report date. Directives the meetings referred to (by number, in
``references`` or anywhere in the agenda, notes, transcript or decisions) are looked up in the
index, within what the caller may see, and cited with the passage closest to what the meeting
discussed.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from assistant.domain import Citation
from assistant.filters import SearchFilter
from assistant.formatting import month_year, percent
from assistant.index.catalog import Catalog
from assistant.ingest.identity import DOC_NUMBER, normalize_doc_number
from assistant.meeting import (
    Decision,
    FieldProblem,
    InvalidRecord,
    MeetingKind,
    MeetingRecord,
    Organization,
    Person,
    Task,
    TaskStatus,
    record_problems,
)
from assistant.official_form import number_line, signer_for
from assistant.prompts import PromptLibrary
from assistant.retrieve import HybridRetriever
from assistant.text import normalize_org_unit

ROMAN = ["I", "II", "III", "IV"]


class ReportPeriod(BaseModel):
    kind: Literal["month", "quarter"]
    year: int = Field(ge=2000, le=2100)
    number: int = Field(ge=1, le=12, description="month 1-12, or quarter 1-4")

    @model_validator(mode="after")
    def _quarter_range(self) -> ReportPeriod:
        if self.kind == "quarter" and self.number > 4:
            raise ValueError(f"quarter {self.number} does not exist (1-4)")
        return self

    @property
    def first_day(self) -> dt.date:
        month = self.number if self.kind == "month" else 3 * self.number - 2
        return dt.date(self.year, month, 1)

    @property
    def last_day(self) -> dt.date:
        month = self.number if self.kind == "month" else 3 * self.number
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def label(self, language: str) -> str:
        if self.kind == "month":
            return month_year(self.first_day, language)
        return f"quý {ROMAN[self.number - 1]} năm {self.year}" if language == "vi" else f"Q{self.number} {self.year}"


def _report_recipients(parent: str, language: str) -> list[str]:
    file_copy = "Lưu chi bộ" if language == "vi" else "File"
    return ([f"{parent} (để báo cáo)" if language == "vi" else f"{parent} (for information)"] if parent else []) + [
        file_copy
    ]


class ReportRequest(BaseModel):
    organization: Organization = Field(description="the cell or ward the report is about")
    period: ReportPeriod
    records: list[MeetingRecord] = Field(
        min_length=1, description="meeting records of the organization and the units under it"
    )
    report_date: dt.date | None = Field(
        default=None, description="date printed on the report; default: end of the period"
    )
    language: Literal["vi", "en"] = "vi"
    number: int | None = Field(
        default=None,
        ge=1,
        le=999,
        description="the report's number (Số 03-BC/CB); empty: left blank to fill in by hand",
    )
    signer: Person | None = Field(default=None, description="who signs (the secretary); default: left blank")
    recipients: list[str] | None = Field(
        default=None, description="the 'Nơi nhận' list; default: the body above and the file"
    )


class MeetingLine(BaseModel):
    date: dt.date
    organization: str
    kind: MeetingKind
    present: int
    expected: int
    quorate: bool


class DecisionLine(BaseModel):
    date: dt.date
    organization: str
    decision: Decision
    present: int


class TaskLine(BaseModel):
    date: dt.date
    organization: str
    task: Task


class ReportDraft(BaseModel):
    title: str
    language: str
    markdown: str
    meetings: list[MeetingLine]
    meetings_by_kind: dict[str, int]
    attendance_rate: float = Field(description="present / expected over all meetings, 0..1")
    decisions: list[DecisionLine]
    tasks_done: list[TaskLine]
    tasks_open: list[TaskLine]
    tasks_overdue: list[TaskLine]
    citations: list[Citation] = Field(description="passages of the documents the meetings referred to")
    engine: str = "extractive"
    warnings: list[str] = Field(default_factory=list)


def referenced_numbers(record: MeetingRecord) -> list[str]:
    """Document numbers the record refers to, in order of first mention."""
    texts = [*record.references, record.topic, record.transcript]
    for item in record.agenda:
        texts += [item.title, item.notes, item.conclusion, *(o.text for o in item.opinions)]
    texts += [d.text for d in record.decisions] + [t.what for t in record.tasks]
    found = [normalize_doc_number(m.group(0)) for t in texts for m in DOC_NUMBER.finditer(t)]
    return list(dict.fromkeys(found + [normalize_doc_number(r) for r in record.references]))


def _context_of(number: str, record: MeetingRecord) -> str:
    """What the meeting said around a document number: the agenda item that mentions it, else the agenda."""
    for item in record.agenda:
        if number in normalize_doc_number(" ".join([item.title, item.notes, *(o.text for o in item.opinions)])):
            return f"{item.title}. {item.notes}"
    return " ".join(item.title for item in record.agenda)


class ReportDrafter:
    """Builds the report from records, citing the directives they referred to."""

    def __init__(self, retriever: HybridRetriever, catalog: Catalog, prompts: PromptLibrary) -> None:
        self.retriever = retriever
        self.catalog = catalog
        self.prompts = prompts

    def draft(self, request: ReportRequest, scope: SearchFilter | None = None) -> ReportDraft:
        records, warnings = self._records_in(request)
        as_of = request.report_date or request.period.last_day
        meetings = sorted(
            (
                MeetingLine(
                    date=r.date,
                    organization=r.organization.name,
                    kind=r.kind,
                    present=r.members_present,
                    expected=r.members_expected,
                    quorate=r.quorate,
                )
                for r in records
            ),
            key=lambda m: (m.date, m.organization),
        )
        present, expected = sum(m.present for m in meetings), sum(m.expected for m in meetings)
        decisions = [
            DecisionLine(date=r.date, organization=r.organization.name, decision=d, present=r.members_present)
            for r in records
            for d in r.decisions
        ]
        tasks = [TaskLine(date=r.date, organization=r.organization.name, task=t) for r in records for t in r.tasks]
        late = lambda t: t.task.status is TaskStatus.open and t.task.deadline is not None and t.task.deadline < as_of  # noqa: E731
        done = [t for t in tasks if t.task.status is TaskStatus.done]
        overdue = [t for t in tasks if late(t)]
        open_ = [t for t in tasks if t.task.status is TaskStatus.open and not late(t)]
        citations, missing = self._citations(records, scope or SearchFilter())
        warnings += [f"document {n} was referred to but is not in the documents you can see" for n in missing]
        warnings += [
            f"{m.organization}, {m.date}: only {m.present} of {m.expected} members present (no quorum)"
            for m in meetings
            if not m.quorate
        ]
        lang = request.language
        title = (
            f"Báo cáo kết quả sinh hoạt {request.period.label(lang)} — {request.organization.name}"
            if lang == "vi"
            else f"Activity report, {request.period.label(lang)} — {request.organization.name}"
        )
        draft = ReportDraft(
            title=title,
            language=lang,
            markdown="",
            meetings=meetings,
            meetings_by_kind={k.value: sum(m.kind is k for m in meetings) for k in MeetingKind},
            attendance_rate=round(present / expected, 4) if expected else 0.0,
            decisions=decisions,
            tasks_done=done,
            tasks_open=open_,
            tasks_overdue=overdue,
            citations=citations,
            warnings=warnings,
        )
        draft.markdown = (
            re.sub(
                r"\n{3,}",
                "\n\n",
                self.prompts.render(
                    f"report_{lang}.md.j2",
                    request=request,
                    report=draft,
                    as_of=as_of,
                    lang=lang,
                    present=present,
                    expected=expected,
                    attendance=percent(present, expected, lang),
                    number=number_line("report", request.organization.name, request.number, lang),
                    signer=signer_for(
                        request.organization.name,
                        request.signer.name if request.signer else "",
                        request.signer.role if request.signer else "",
                        lang,
                    ),
                    recipients=request.recipients or _report_recipients(request.organization.parent, lang),
                ),
            )
            + "\n"
        )
        return draft

    @staticmethod
    def _records_in(request: ReportRequest) -> tuple[list[MeetingRecord], list[str]]:
        """The records of the period (each checked; others are reported), or ``InvalidRecord``."""
        problems: list[FieldProblem] = []
        unit = normalize_org_unit(request.organization.org_unit)
        for i, record in enumerate(request.records):
            problems += [FieldProblem(("records", i) + p.loc, p.message) for p in record_problems(record)]
            own = normalize_org_unit(record.organization.org_unit)
            if unit and not (own == unit or own.startswith(unit + "/")):
                problems.append(
                    FieldProblem(
                        ("records", i, "organization", "org_unit"), f"'{own or '(none)'}' is not part of '{unit}'"
                    )
                )
        if problems:
            raise InvalidRecord(problems)
        period = request.period
        inside, warnings = [], []
        for r in request.records:
            if period.first_day <= r.date <= period.last_day:
                inside.append(r)
            else:
                warnings.append(
                    f"left out the meeting of {r.organization.name} on {r.date}: outside {period.label('en')}"
                )
        return sorted(inside, key=lambda r: (r.date, r.organization.name)), warnings

    def _citations(self, records: list[MeetingRecord], scope: SearchFilter) -> tuple[list[Citation], list[str]]:
        """A citation per referred document visible in ``scope``; the numbers not found."""
        by_number = {
            normalize_doc_number(m.doc_number): m.doc_id for m in self.catalog.metas().values() if m.doc_number
        }
        citations, missing = [], []
        seen: set[str] = set()
        for record in records:
            for number in referenced_numbers(record):
                if number in seen:
                    continue
                seen.add(number)
                doc_id = by_number.get(number)
                hits = (
                    self.retriever.search(
                        _context_of(number, record), k=1, search_filter=dataclasses.replace(scope, doc_ids={doc_id})
                    ).hits
                    if doc_id
                    else []
                )
                if hits:
                    citations.append(hits[0].citation())
                else:
                    missing.append(number)
        return citations, missing
