"""Meeting record -> minutes in the standard form (Markdown, and DOCX through ``assistant.docx_writer``).

Everything countable or nameable (organization, date, times, attendance, agenda titles, decisions,
vote tallies, tasks) is printed by the document template straight from the record. Only the
narrative of each agenda item (what was reported, who said what) is condensed from the notes,
the opinions or the transcript: word for word by the extractive engine, or rewritten by an LLM
whose text is kept only where it adds no number, person or claim the sources lack.
The finished draft is checked against the record and any problem is returned as a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, Field

from assistant.errors import BackendUnavailable
from assistant.formatting import month_year
from assistant.llm import EngineChoice, require_llm
from assistant.meeting import AgendaItem, Decision, MeetingRecord, Opinion, check_record
from assistant.prompts import PromptLibrary
from assistant.tasks.condense import CondenseOptions, condense
from assistant.tasks.minutes_check import check_minutes
from assistant.tasks.transcript import Turn, parse_transcript, same_person, split_by_agenda
from assistant.votes import outcome

SUMMARY = CondenseOptions(max_sentences=4, ratio=0.6)
OPINION = CondenseOptions(max_sentences=2, ratio=0.5)
_PROCEDURAL = re.compile(r"^\s*(?:xin mời|mời|cảm ơn|xin cảm ơn|(?:i |we )?(?:now )?invite|thank)", re.IGNORECASE)


class ItemNarrative(BaseModel):
    """What the draft says about one agenda item besides its decisions."""

    index: int = Field(description="1-based agenda position")
    title: str
    presenter: str = ""
    summary: str = ""
    opinions: list[Opinion] = Field(default_factory=list)
    conclusion: str = ""
    engine: str = "extractive"


class MinutesDraft(BaseModel):
    """A draft ready for the secretary to review and sign, and how far it can be trusted."""

    title: str
    language: str
    markdown: str
    items: list[ItemNarrative]
    engine: str = Field(description="'extractive', or the LLM model name when it wrote any narrative")
    prompt_version: str | None = None
    fallback: str | None = Field(default=None, description="why the LLM was not used although it was asked for")
    quorate: bool
    field_coverage: float = Field(description="share of the record's facts the draft states correctly (1.0 = all)")
    facts_checked: int
    warnings: list[str] = Field(default_factory=list)


@dataclass
class ItemSource:
    """An agenda item with the transcript turns that belong to it."""

    index: int
    item: AgendaItem
    turns: list[Turn] = field(default_factory=list)

    def text(self) -> str:
        """Everything said or noted about the item (what an LLM's narrative must stay within)."""
        parts = [self.item.title, self.item.presenter, self.item.notes, self.item.conclusion]
        parts += [f"{o.speaker}: {o.text}" for o in self.item.opinions]
        parts += [f"{t.speaker}: {t.text}" for t in self.turns]
        return "\n".join(p for p in parts if p)

    def said_by(self, speaker: str) -> str:
        """What ``speaker`` said on the item (their opinions and transcript turns)."""
        said = [o.text for o in self.item.opinions if same_person(o.speaker, speaker)]
        return "\n".join(said + [t.text for t in self.turns if same_person(t.speaker, speaker)])


class NarrativeWriter(Protocol):
    """Rewrites the extractive narratives (an LLM); returns the ones it improved plus warnings."""

    name: str
    prompt_version: str

    def rewrite(
        self, record: MeetingRecord, sources: list[ItemSource], drafts: list[ItemNarrative]
    ) -> tuple[list[ItemNarrative], list[str]]: ...


def _substance(text: str) -> str:
    """``text`` without its procedural sentences ("Mời đồng chí Bình trình bày.")."""
    kept = [s for s in re.split(r"(?<=[.!?])\s+", text) if s and not _PROCEDURAL.match(s)]
    return " ".join(kept)


def extractive_narrative(source: ItemSource) -> ItemNarrative:
    """The item's narrative made only of sentences from its notes, opinions and transcript."""
    item = source.item
    summary = condense(item.notes, SUMMARY, focus=item.title) if item.notes else ""
    said: dict[str, list[str]] = {}
    for turn in source.turns:
        text = _substance(turn.text)
        if not text:
            continue
        if not summary and same_person(turn.speaker, item.presenter):
            said.setdefault("", []).append(text)  # the presenter's report becomes the summary
        else:
            said.setdefault(turn.speaker or "?", []).append(text)
    if "" in said:
        summary = condense(" ".join(said.pop("")), SUMMARY, focus=item.title)
    opinions = [Opinion(speaker=o.speaker, text=condense(o.text, OPINION)) for o in item.opinions]
    opinions += [Opinion(speaker=speaker, text=condense(" ".join(texts), OPINION)) for speaker, texts in said.items()]
    return ItemNarrative(
        index=source.index,
        title=item.title,
        presenter=item.presenter,
        summary=summary,
        opinions=[o for o in opinions if o.text],
        conclusion=item.conclusion,
    )


def item_sources(record: MeetingRecord) -> list[ItemSource]:
    """Each agenda item with its share of the transcript (if the record has one)."""
    turns = parse_transcript(record.transcript) if record.transcript else []
    parts = split_by_agenda(turns, [a.title for a in record.agenda]) if turns else [[] for _ in record.agenda]
    return [ItemSource(i + 1, item, part) for i, (item, part) in enumerate(zip(record.agenda, parts))]


def outcome_warnings(record: MeetingRecord) -> list[str]:
    """A warning for each decision whose result the record cannot decide."""
    out = []
    for i, decision in enumerate(record.decisions):
        result = outcome(decision, record)
        if result is not None and not result.decided:
            out.append(f"decisions.{i}: whether '{decision.text[:60]}' passed cannot be decided: {result.reason}")
    return out


def minutes_title(record: MeetingRecord) -> str:
    """A short title for lists and file names."""
    when = month_year(record.date, record.language)
    if record.language == "vi":
        kind = {"regular": "thường kỳ", "thematic": "chuyên đề", "extraordinary": "bất thường"}[record.kind.value]
        return f"Biên bản sinh hoạt {kind} {when} — {record.organization.name}"
    return f"Minutes of the {record.kind.value} meeting, {when} — {record.organization.name}"


class MinutesDrafter:
    """Drafts minutes from a meeting record with the document templates in ``prompts/``."""

    def __init__(
        self, prompts: PromptLibrary, writer: NarrativeWriter | None = None, fallback_to_extractive: bool = True
    ) -> None:
        self.prompts = prompts
        self.writer = writer
        self.fallback_to_extractive = fallback_to_extractive

    def draft(self, record: MeetingRecord, engine: EngineChoice = "auto") -> MinutesDraft:
        """Minutes of ``record``; raises ``InvalidRecord`` for an inconsistent record."""
        check_record(record)
        sources = item_sources(record)
        narratives = [extractive_narrative(s) for s in sources]
        warnings: list[str] = []
        fallback = None
        require_llm(engine, self.writer is not None)
        if self.writer is not None and engine in ("auto", "llm"):
            try:
                narratives, notes = self.writer.rewrite(record, sources, narratives)
                warnings += notes
            except (BackendUnavailable, ValueError) as exc:
                if engine == "llm" or not self.fallback_to_extractive:
                    raise BackendUnavailable(str(exc)) from exc
                fallback = f"the language model failed ({exc}); the narrative is extractive"
        markdown = self.render(record, narratives)
        report = check_minutes(markdown, record)
        if not record.quorate:
            warnings.insert(
                0,
                f"only {record.members_present} of {record.members_expected} members present: "
                "not more than half; check the meeting's validity",
            )
        warnings += outcome_warnings(record)
        llm_used = [n for n in narratives if n.engine != "extractive"]
        return MinutesDraft(
            title=minutes_title(record),
            language=record.language,
            markdown=markdown,
            items=narratives,
            engine=llm_used[0].engine if llm_used else "extractive",
            prompt_version=self.writer.prompt_version if llm_used and self.writer else None,
            fallback=fallback,
            quorate=record.quorate,
            field_coverage=round(report.coverage, 4),
            facts_checked=len(report.facts),
            warnings=warnings + report.warnings(),
        )

    def render(self, record: MeetingRecord, narratives: list[ItemNarrative]) -> str:
        """The Markdown minutes from the record and the items' narratives."""
        by_item: dict[int, list[Decision]] = {}
        for decision in record.decisions:
            by_item.setdefault(decision.agenda_item or 0, []).append(decision)
        items = [{**n.model_dump(), "decisions": by_item.get(n.index, [])} for n in narratives]
        markdown = self.prompts.render(
            f"minutes_{record.language}.md.j2",
            record=record,
            items=items,
            other_decisions=by_item.get(0, []),
            lang=record.language,
            d_outcome=lambda d: outcome(d, record),
        )
        return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", markdown)) + "\n"
