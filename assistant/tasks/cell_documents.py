"""The cell's other documents of the monthly cycle, in the official form: the monthly resolution (NGHỊ QUYẾT)
drafted from the meeting record, and the meeting notice (THÔNG BÁO) drafted from the planned meeting.

As with minutes, every fact comes from the record (decisions, who does what by when, dates, counts) or from
the items' narratives, which are condensed word for word; the finished draft is checked against the record.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, Field

from assistant.formatting import long_date, short_date
from assistant.meeting import InvalidRecord, MeetingNotice, MeetingRecord, check_record, notice_problems
from assistant.official_form import number_line, previous_month, signer_for
from assistant.prompts import PromptLibrary
from assistant.tasks.minutes import extractive_narrative, item_sources, outcome_warnings
from assistant.tasks.minutes_check import stated_in
from assistant.votes import outcome

DocumentTitle = Callable[[str], str | None]  # a document number -> its title, when the index has it


class FormalDraft(BaseModel):
    """A drafted document of the cycle, ready to review, print and sign."""

    kind: str = Field(description="resolution or notice")
    title: str
    language: str
    markdown: str
    engine: str = "extractive"
    facts_checked: int = 0
    field_coverage: float = Field(default=1.0, description="share of the record's facts the draft states (1.0 = all)")
    warnings: list[str] = Field(default_factory=list)


def _tidy(markdown: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", markdown)).strip() + "\n"


def _default_recipients(parent: str, language: str, members: bool = True) -> list[str]:
    if language == "vi":
        out = [f"{parent} (để báo cáo)"] if parent else []
        return out + (["Các đảng viên trong chi bộ"] if members else []) + ["Lưu chi bộ"]
    out = [f"{parent} (for information)"] if parent else []
    return out + (["Members of the cell"] if members else []) + ["Cell file"]


class ResolutionDrafter:
    """The cell's monthly resolution from its meeting record: last month assessed, this month's tasks."""

    def __init__(self, prompts: PromptLibrary) -> None:
        self.prompts = prompts

    def draft(
        self, record: MeetingRecord, number: int | None = None, recipients: list[str] | None = None
    ) -> FormalDraft:
        check_record(record)
        lang = record.language
        narratives = [extractive_narrative(s) for s in item_sources(record)]
        failed = {
            i for i, d in enumerate(record.decisions) if (o := outcome(d, record)) is not None and o.passed is False
        }
        adopted = [d for i, d in enumerate(record.decisions) if i not in failed]
        signer = signer_for(record.organization.name, record.chair.name, record.chair.role, lang)
        markdown = _tidy(
            self.prompts.render(
                f"resolution_{lang}.md.j2",
                record=record,
                lang=lang,
                narratives=narratives,
                adopted=adopted,
                number=number_line("resolution", record.organization.name, number, lang),
                reviewed=previous_month(record.date),
                signer=signer,
                recipients=recipients or _default_recipients(record.organization.parent, lang),
                open_tasks=[t for t in record.tasks if t.status.value == "open"],
                done_tasks=[t for t in record.tasks if t.status.value == "done"],
            )
        )
        facts = {"organization": [record.organization.name], "date": [long_date(record.date, lang)]}
        facts |= {f"decisions.{i}": [d.text.rstrip(".")] for i, d in enumerate(record.decisions) if i not in failed}
        facts |= {
            f"tasks.{i}": [t.what, t.assignee] + ([short_date(t.deadline, lang)] if t.deadline else [])
            for i, t in enumerate(record.tasks)
        }
        said = stated_in(markdown)
        missing = [
            f"{field}: the draft does not state '{' | '.join(parts)}'"
            for field, parts in facts.items()
            if not all(said(part) for part in parts)
        ]
        warnings = list(missing)
        warnings += [
            f"decisions.{i}: '{record.decisions[i].text[:60]}' did not pass; it is not in the resolution"
            for i in sorted(failed)
        ]
        warnings += outcome_warnings(record)
        title = (
            f"Nghị quyết chi bộ {long_date(record.date, lang)} — {record.organization.name}"
            if lang == "vi"
            else f"Resolution of the cell, {long_date(record.date, lang)} — {record.organization.name}"
        )
        return FormalDraft(
            kind="resolution",
            title=title,
            language=lang,
            markdown=markdown,
            facts_checked=len(facts),
            field_coverage=round(1 - len(missing) / len(facts), 4),
            warnings=warnings,
        )


class NoticeDrafter:
    """The notice of a coming meeting: time, place, agenda, the documents to read beforehand."""

    def __init__(self, prompts: PromptLibrary) -> None:
        self.prompts = prompts

    def draft(self, notice: MeetingNotice, document_title: DocumentTitle | None = None) -> FormalDraft:
        problems = notice_problems(notice)
        if problems:
            raise InvalidRecord(problems)
        lang = notice.language
        readings = [(r, document_title(r) if document_title else None) for r in notice.readings]
        markdown = _tidy(
            self.prompts.render(
                f"notice_{lang}.md.j2",
                notice=notice,
                lang=lang,
                readings=readings,
                number=number_line("notice", notice.organization.name, notice.number, lang),
                signer=signer_for(notice.organization.name, notice.signer.name, notice.signer.role, lang),
                recipients=notice.recipients or _default_recipients("", lang),
            )
        )
        facts = [notice.organization.name, long_date(notice.date, lang), *notice.agenda, *notice.readings]
        said = stated_in(markdown)
        missing = [f for f in facts if not said(f)]
        title = (
            f"Thông báo sinh hoạt chi bộ {long_date(notice.date, lang)} — {notice.organization.name}"
            if lang == "vi"
            else f"Notice of the cell meeting, {long_date(notice.date, lang)} — {notice.organization.name}"
        )
        unknown = [r for r, t in readings if document_title is not None and t is None]
        warnings = [f"the draft does not state '{f}'" for f in missing]
        warnings += [f"'{r}' is not in the documents you may read; members cannot open it in the app" for r in unknown]
        return FormalDraft(
            kind="notice",
            title=title,
            language=lang,
            markdown=markdown,
            facts_checked=len(facts),
            field_coverage=round(1 - len(missing) / max(1, len(facts)), 4),
            warnings=warnings,
        )
