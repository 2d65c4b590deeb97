"""Check a minutes draft against its meeting record: every fact present and right, none invented.

*Facts* are what the minutes must state exactly as recorded: organization, date, start and end
time, place, chair, secretary, the attendance counts, each absent member and guest, each agenda
item, decision and vote tally, each task with its assignee and deadline. Counts and tallies are
read back from the draft after their labels (``Có mặt: 12``), so a wrong number is caught, not
just a missing one.

*Invented* facts are numbers and people in the draft that neither the record nor its notes or
transcript contain (people are looked for after ``đồng chí``/``đ/c``/``Comrade``...). The same test
guards the narrative an LLM writes (:func:`invented_facts`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import regex

from assistant.formatting import clock, long_date, percent, short_date
from assistant.meeting import Decision, MeetingRecord
from assistant.tasks.verify import numbers_in
from assistant.text import fold_accents
from assistant.votes import outcome

# Labels the document templates print before each count (see prompts/minutes_*.md.j2).
COUNT_LABELS = {
    "vi": {
        "members_total": "Tổng số đảng viên",
        "members_exempt": "Miễn sinh hoạt",
        "members_present": "Có mặt",
        "absent_excused": "Vắng có lý do",
        "absent_unexcused": "Vắng không có lý do",
        "agree": "Tán thành",
        "disagree": "Không tán thành",
        "abstain": "Không biểu quyết",
        "members_probationary": "Đảng viên dự bị",
        "issued": "Số phiếu phát ra",
        "returned": "số phiếu thu về",
        "valid": "số phiếu hợp lệ",
        "invalid": "số phiếu không hợp lệ",
    },
    "en": {
        "members_total": "Members of the cell",
        "members_exempt": "Exempt from meetings",
        "members_present": "Present",
        "absent_excused": "Absent with reason",
        "absent_unexcused": "Absent without reason",
        "agree": "For",
        "disagree": "Against",
        "abstain": "Abstained",
        "members_probationary": "Probationary members",
        "issued": "Ballots issued",
        "returned": "ballots returned",
        "valid": "valid ballots",
        "invalid": "invalid ballots",
    },
}
# How the templates state a computed result (prompts/_votes.md.j2), read back per decision.
RESULT_PHRASES = {
    "vi": {
        True: "kết quả: được thông qua",
        False: "kết quả: không được thông qua",
        "elected": "trúng cử",
        "nobody": "không có đồng chí nào trúng cử",
    },
    "en": {True: "result: passed", False: "result: not passed", "elected": "elected", "nobody": "nobody elected"},
}
_HONORIFIC_NAME = regex.compile(
    r"(?:\b(?:[Đđ]ồng chí|[Đđ]/c|Comrade|Mr\.?|Ms\.?|Mrs\.?)\s+)((?:\p{Lu}\p{Ll}*[ \t]*){1,4})"
)
_LIST_MARKER = re.compile(r"^\s*(?:#+\s+|[-*]\s+)?\d+[.)]\s", re.MULTILINE)
_ROMAN_HEADING = re.compile(r"^#+\s+[IVX]+\.", re.MULTILINE)


@dataclass(frozen=True)
class Fact:
    field: str
    expected: str
    found: bool


@dataclass
class CheckReport:
    facts: list[Fact] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        """Share of the record's facts the draft states correctly."""
        return sum(f.found for f in self.facts) / len(self.facts) if self.facts else 1.0

    def warnings(self) -> list[str]:
        missing = [f"{f.field}: the draft does not state '{f.expected}'" for f in self.facts if not f.found]
        return missing + [f"not in the record: {what}" for what in self.invented]


def _flat(text: str) -> str:
    return " ".join(text.replace("**", "").replace("\\*", "*").split()).casefold()


def stated_in(markdown: str) -> Callable[[str], bool]:
    """Whether ``markdown`` states a text (white space, case and bold markers aside); flattened once."""
    flat = _flat(markdown)
    return lambda text: _flat(text) in flat


def count_after(label: str, text: str) -> int | None:
    """The number printed after ``label:`` in ``text`` (first occurrence), or None."""
    match = re.search(rf"(?<![\w]){re.escape(label)}\s*:\s*\**\s*(\d+)", text)
    return int(match.group(1)) if match else None


def _count_fact(field: str, name: str, value: int, text: str, language: str) -> Fact:
    """Whether ``text`` prints ``value`` after the label of count ``name``."""
    label = COUNT_LABELS[language][name]
    return Fact(field, f"{label}: {value}", count_after(label, text) == value)


def _decision_blocks(markdown: str, texts: list[str]) -> list[str]:
    """The draft text from each decision's wording to the next decision's (or the end)."""
    flat = markdown.replace("**", "")
    starts = [flat.casefold().find(_flat(t)[:60]) if t else -1 for t in texts]
    blocks = []
    for i, start in enumerate(starts):
        if start < 0:
            blocks.append("")
            continue
        later = [s for s in starts[i + 1 :] if s > start]
        blocks.append(flat[start : min(later) if later else len(flat)])
    return blocks


def record_facts(markdown: str, record: MeetingRecord) -> list[Fact]:
    """Each fact of ``record`` and whether ``markdown`` states it correctly."""
    lang = record.language
    said, plain = stated_in(markdown), markdown.replace("**", "")
    stated = lambda field, value: Fact(field, value, said(value))  # noqa: E731
    facts = [
        stated("organization", record.organization.name),
        stated("date", long_date(record.date, lang)),
        stated("time_start", clock(record.time_start, lang)),
        stated("time_end", clock(record.time_end, lang)),
        stated("chair", record.chair.name),
        stated("secretary", record.secretary.name),
    ]
    if record.place:
        facts.append(stated("place", record.place))
    counts = {
        "members_total": record.members_total,
        "members_present": record.members_present,
        "absent_excused": len(record.absent_excused),
        "absent_unexcused": len(record.absent_unexcused),
    }
    if record.members_exempt:
        counts["members_exempt"] = record.members_exempt
    if record.members_probationary is not None:
        counts["members_probationary"] = record.members_probationary
    facts += [_count_fact(name, name, value, plain, lang) for name, value in counts.items()]
    facts += [stated(f"absent.{i}", a.name) for i, a in enumerate(record.absent)]
    facts += [stated(f"guests.{i}", g.name) for i, g in enumerate(record.guests)]
    for i, item in enumerate(record.agenda):
        facts.append(stated(f"agenda.{i}", item.title))
        if item.conclusion:
            facts.append(stated(f"agenda.{i}.conclusion", item.conclusion))
        facts += [stated(f"agenda.{i}.opinions.{j}", o.speaker) for j, o in enumerate(item.opinions)]
    blocks = _decision_blocks(markdown, [d.text for d in record.decisions])
    for i, (decision, block) in enumerate(zip(record.decisions, blocks)):
        facts.append(Fact(f"decisions.{i}", decision.text, bool(block)))
        if decision.votes and decision.kind != "election":
            facts += [
                _count_fact(f"decisions.{i}.votes.{name}", name, getattr(decision.votes, name), block, lang)
                for name in ("agree", "disagree", "abstain")
            ]
        facts += _vote_facts(decision, i, record, block)
    for i, task in enumerate(record.tasks):
        line = next((_flat(ln) for ln in plain.splitlines() if _flat(task.what) in _flat(ln)), "")
        wanted = [task.what, task.assignee] + ([short_date(task.deadline, lang)] if task.deadline else [])
        facts.append(Fact(f"tasks.{i}", " | ".join(wanted), all(_flat(w) in line for w in wanted)))
    return facts


def _vote_facts(decision: Decision, i: int, record: MeetingRecord, block: str) -> list[Fact]:
    """The ballot's figures, each candidate's votes, and the computed result, as the draft states them."""
    lang, facts = record.language, []
    if decision.ballot is not None:
        facts += [
            _count_fact(f"decisions.{i}.ballot.{name}", name, getattr(decision.ballot, name), block, lang)
            for name in ("issued", "returned", "valid", "invalid")
        ]
        facts += [
            Fact(f"decisions.{i}.ballot.candidates.{j}", f"{c.name}: {c.votes}", count_after(c.name, block) == c.votes)
            for j, c in enumerate(decision.ballot.candidates)
        ]
    result = outcome(decision, record)
    if result is None or not result.decided:
        return facts
    flat, phrases = _flat(block), RESULT_PHRASES[lang]
    if decision.kind == "election":
        if result.elected:
            stated = all(
                any(_flat(name) in line and phrases["elected"] in line for line in flat.split(" - "))
                for name in result.elected
            )
            facts.append(Fact(f"decisions.{i}.elected", ", ".join(result.elected), stated))
        else:
            facts.append(Fact(f"decisions.{i}.elected", phrases["nobody"], phrases["nobody"] in flat))
    else:
        phrase = phrases[bool(result.passed)]
        facts.append(Fact(f"decisions.{i}.passed", phrase, phrase in flat))
    return facts


def allowed_numbers(record: MeetingRecord) -> set[str]:
    """Numbers a draft of ``record`` may contain: the record's own, and the shares computed from them."""
    lang = record.language
    texts = [
        record.text(),
        long_date(record.date, lang),
        clock(record.time_start, lang),
        clock(record.time_end, lang),
        percent(record.members_present, record.members_expected, lang),
    ]
    texts += [percent(d.votes.agree, record.members_present, lang) for d in record.decisions if d.votes]
    texts += [short_date(t.deadline, lang) for t in record.tasks]
    counts = [record.members_expected, len(record.absent), len(record.absent_excused), len(record.absent_unexcused)]
    if record.members_probationary is not None:
        counts.append(record.members_total - record.members_probationary)
    for decision in record.decisions:
        result = outcome(decision, record)
        if result is None or result.base is None:
            continue
        counts += [result.base] + ([result.needed] if result.needed is not None else [])
        shares = [decision.votes.agree] if decision.votes else []
        shares += [c.votes for c in decision.ballot.candidates] if decision.ballot else []
        texts += [percent(n, result.base, lang) for n in shares]
    return set().union(*(numbers_in(t) for t in texts)) | {str(n) for n in counts}


def _known(name: str, allowed_folded: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(fold_accents(name).casefold())}(?!\w)", allowed_folded) is not None


def invented_facts(text: str, allowed_text: str, allowed_nums: set[str] | None = None) -> list[str]:
    """Numbers and people named in ``text`` that ``allowed_text`` (or ``allowed_nums``) does not contain."""
    body = _ROMAN_HEADING.sub("", _LIST_MARKER.sub("", text))
    numbers = allowed_nums if allowed_nums is not None else numbers_in(allowed_text)
    out = [f"number {n}" for n in sorted(numbers_in(body) - numbers)]
    folded = " ".join(fold_accents(allowed_text).casefold().split())
    for match in _HONORIFIC_NAME.finditer(body):
        name = " ".join(match.group(1).split())
        if name and not _known(name, folded):
            out.append(f"person '{name}'")
    return list(dict.fromkeys(out))


def check_minutes(markdown: str, record: MeetingRecord) -> CheckReport:
    """Facts of ``record`` that ``markdown`` states (or misstates) and anything it adds."""
    return CheckReport(record_facts(markdown, record), invented_facts(markdown, record.text(), allowed_numbers(record)))
