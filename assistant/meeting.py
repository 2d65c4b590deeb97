"""The meeting record a secretary fills in, and the rules a valid record obeys.

Field types (dates, times, the meeting kind, non-negative counts) are checked by pydantic;
the rules that tie fields together (present <= members, votes add up to those present, the
meeting ends after it starts...) are checked by :func:`record_problems`, which names the field
each problem belongs to so the API and the CLI can point at it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError
from pydantic.json_schema import JsonDict

from assistant.errors import InvalidInput


class MeetingKind(str, Enum):
    """Kinds of cell meetings."""

    regular = "regular"  # thường kỳ (monthly)
    thematic = "thematic"  # chuyên đề
    extraordinary = "extraordinary"  # bất thường


NON_BLANK: JsonDict = {
    "pattern": r"\S"
}  # names and texts are stripped, so they need a character that is not white space
# A list item that must say something (an agenda item, a document to read): the schema states it.
ListItem = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=r"\S")]


WallClock = TypeVar("WallClock", dt.time, dt.datetime)


def _hour_minute(value: object) -> object:
    """Accept '19:30' and '19h30' as well as ISO times."""
    if isinstance(value, str):
        return value.strip().lower().replace("h", ":").rstrip(":") or value
    if isinstance(value, int) and not isinstance(value, bool):  # YAML reads 19:30 as a sexagesimal integer (1170)
        return dt.time(value // 60, value % 60) if 0 <= value < 24 * 60 else value
    return value


def wall_clock(value: WallClock) -> WallClock:
    """Meeting times (and deadlines) are local wall-clock times: a time zone, if given, is dropped so they compare."""
    return value.replace(tzinfo=None)


# A meeting's time as a secretary types it ('19:30', '19h30', YAML's 1170), compared as a local time.
MeetingTime = Annotated[dt.time, BeforeValidator(_hour_minute), AfterValidator(wall_clock)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Organization(_Strict):
    """Who meets: the cell (or committee) and the body directly above it, as printed in the heading."""

    name: str = Field(min_length=1, json_schema_extra=NON_BLANK, description="e.g. 'Chi bộ khu dân cư số 3'")
    parent: str = Field(default="", description="the superior party organization, e.g. 'Đảng bộ phường Hương An'")
    org_unit: str = Field(default="", description="org-unit path, e.g. 'tw/tinh-thai-nguyen/phuong-huong-an/chi-bo-3'")
    place_name: str = Field(default="", description="locality printed before the date, e.g. 'Hương An'")


class Person(_Strict):
    name: str = Field(min_length=1, json_schema_extra=NON_BLANK)
    role: str = Field(default="", description="e.g. 'Bí thư chi bộ', 'Trưởng khu dân cư'")


class Absence(_Strict):
    name: str = Field(min_length=1, json_schema_extra=NON_BLANK)
    reason: str = Field(default="", description="empty when the member gave no reason")

    @property
    def excused(self) -> bool:
        return bool(self.reason)


class Opinion(_Strict):
    """One speaker's contribution to the discussion of an agenda item."""

    speaker: str = Field(min_length=1, json_schema_extra=NON_BLANK)
    text: str = Field(min_length=1, json_schema_extra=NON_BLANK)


class AgendaItem(_Strict):
    title: str = Field(min_length=1, json_schema_extra=NON_BLANK)
    presenter: str = ""
    notes: str = Field(default="", description="the secretary's notes of what was reported and discussed")
    opinions: list[Opinion] = Field(default_factory=list)
    conclusion: str = Field(default="", description="the chair's conclusion on this item, as worded at the meeting")


class Votes(_Strict):
    agree: int = Field(ge=0)
    disagree: int = Field(default=0, ge=0)
    abstain: int = Field(default=0, ge=0)

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.abstain


class CandidateVotes(_Strict):
    name: str = Field(min_length=1, json_schema_extra=NON_BLANK)
    votes: int = Field(ge=0, description="valid ballots that kept this name")


class Ballot(_Strict):
    """A secret ballot as the vote-counting committee (ban kiểm phiếu) reports it."""

    issued: int = Field(ge=0, description="ballots handed out")
    returned: int = Field(ge=0, description="ballots put in the box")
    valid: int = Field(ge=0)
    invalid: int = Field(default=0, ge=0, description="not issued by the committee, or more names kept than seats")
    seats: int = Field(default=1, ge=1, description="places to fill (an election)")
    candidates: list[CandidateVotes] = Field(default_factory=list, description="an election: each candidate's votes")


DecisionKind = Literal["resolution", "admission", "confirmation", "election"]
VoteMethod = Literal["show_of_hands", "secret_ballot"]


class Decision(_Strict):
    """A conclusion or resolution the meeting adopted, and how it was voted. Whether it passed is computed
    (``assistant.votes``), never typed."""

    text: str = Field(min_length=1, json_schema_extra=NON_BLANK)
    agenda_item: int | None = Field(default=None, ge=1, description="1-based agenda item it concludes")
    kind: DecisionKind = Field(
        default="resolution",
        description=(
            "resolution: passes with more than half of the official members summoned; admission of a new member or "
            "confirmation of a probationary one: two thirds of the official members; election: secret ballot, more "
            "than half of the official members per candidate"
        ),
    )
    method: VoteMethod = "show_of_hands"
    votes: Votes | None = Field(default=None, description="the tallies (of official members; not for an election)")
    ballot: Ballot | None = Field(default=None, description="for a secret ballot: the counting committee's figures")
    minority_opinions: list[Opinion] = Field(
        default_factory=list, description="opinions a member in the minority asked to reserve"
    )


class BaseExclusions(_Strict):
    """Official members left out of the voting base (besides the exempt who are absent), each category a count."""

    sent_elsewhere: int = Field(default=0, ge=0, description="sent to take part temporarily in another organization")
    suspended: int = Field(default=0, ge=0, description="suspended from activities, prosecuted or detained")
    absent_reason_accepted: int = Field(
        default=0, ge=0, description=("absent for the whole meeting with a reason the convening committee accepted")
    )

    @property
    def total(self) -> int:
        return self.sent_elsewhere + self.suspended + self.absent_reason_accepted


class TaskStatus(str, Enum):
    open = "open"
    done = "done"


class Task(_Strict):
    assignee: str = Field(min_length=1, json_schema_extra=NON_BLANK)
    what: str = Field(min_length=1, json_schema_extra=NON_BLANK)
    deadline: dt.date | None = None
    status: TaskStatus = TaskStatus.open


class MeetingRecord(_Strict):
    """What happened at one meeting, as the secretary records it."""

    organization: Organization
    kind: MeetingKind = MeetingKind.regular
    topic: str = Field(default="", description="subject of a thematic meeting")
    language: Literal["vi", "en"] = "vi"
    date: dt.date
    time_start: MeetingTime
    time_end: MeetingTime
    place: str = Field(default="", description="where it was held; empty when online")
    online: bool = False
    chair: Person
    secretary: Person
    members_total: int = Field(ge=1, description="members of the cell")
    members_exempt: int = Field(default=0, ge=0, description="members excused from meetings (age, health)")
    members_present: int = Field(ge=0)
    members_probationary: int | None = Field(
        default=None,
        ge=0,
        description=(
            "probationary members of the cell (they attend but do not vote); needed to compute whether votes passed"
        ),
    )
    probationary_present: int = Field(default=0, ge=0, description="probationary members among those present")
    probationary_names: list[str] = Field(default_factory=list, description="their names, where given")
    base_exclusions: BaseExclusions = Field(
        default_factory=BaseExclusions, description="official members left out of the voting base"
    )
    absent: list[Absence] = Field(default_factory=list)
    guests: list[Person] = Field(default_factory=list)
    agenda: list[AgendaItem] = Field(min_length=1, description="at least one item")
    transcript: str = Field(default="", description="free transcript ('Name: words' lines) when there are no notes")
    decisions: list[Decision] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list, description="numbers of documents discussed, e.g. '339-QĐ/TW'")

    @property
    def members_expected(self) -> int:
        """Members who should attend: all but the exempt."""
        return self.members_total - self.members_exempt

    @property
    def absent_excused(self) -> list[Absence]:
        return [a for a in self.absent if a.excused]

    @property
    def absent_unexcused(self) -> list[Absence]:
        return [a for a in self.absent if not a.excused]

    @property
    def quorate(self) -> bool:
        """More than half of the members who should attend are present."""
        return self.members_present * 2 > self.members_expected

    def text(self) -> str:
        """Every value of the record (names, notes, transcript, counts, dates), one per line, as written."""

        def leaves(value: object) -> list[str]:
            if isinstance(value, dict):
                return [leaf for v in value.values() for leaf in leaves(v)]
            if isinstance(value, list):
                return [leaf for v in value for leaf in leaves(v)]
            return [] if value is None or value == "" else [str(value)]

        return "\n".join(leaves(self.model_dump(mode="json")))

    def people(self) -> list[str]:
        """Every name the record mentions."""
        names = [
            self.chair.name,
            self.secretary.name,
            *(a.name for a in self.absent),
            *(g.name for g in self.guests),
            *(t.assignee for t in self.tasks),
        ]
        for item in self.agenda:
            names += [o.speaker for o in item.opinions] + ([item.presenter] if item.presenter else [])
        return list(dict.fromkeys(names))


class MeetingNotice(_Strict):
    """A meeting to announce (THÔNG BÁO): when, where, what will be discussed and what to read beforehand."""

    organization: Organization
    kind: MeetingKind = MeetingKind.regular
    topic: str = Field(default="", description="subject of a thematic meeting")
    language: Literal["vi", "en"] = "vi"
    date: dt.date = Field(description="the day of the meeting")
    time_start: MeetingTime
    place: str = Field(default="", description="where; empty when online")
    online: bool = False
    agenda: list[ListItem] = Field(min_length=1, max_length=30, description="the items to be discussed")
    readings: list[ListItem] = Field(
        default_factory=list,
        max_length=30,
        description=("documents to read beforehand (numbers such as '339-QĐ/TW', with the part to read if any)"),
    )
    attendees: str = Field(default="", description="who is summoned; default: every member of the cell")
    issued_on: dt.date = Field(description="the notice's own date")
    signer: Person = Field(description="who signs for the cell (its secretary)")
    number: int | None = Field(default=None, ge=1, le=999, description="the notice's number (Số 05-TB/CB)")
    recipients: list[str] = Field(default_factory=list, description="default: the cell's members and its file")


def notice_problems(notice: MeetingNotice) -> list[FieldProblem]:
    """Rules a notice breaks: issued after the meeting, no place, a thematic meeting without its topic."""
    problems = []
    if notice.issued_on > notice.date:
        problems.append(
            FieldProblem(("issued_on",), f"the notice ({notice.issued_on}) is dated after the meeting ({notice.date})")
        )
    if not notice.place and not notice.online:
        problems.append(FieldProblem(("place",), "give the place of the meeting, or set online: true"))
    if notice.kind is MeetingKind.thematic and not notice.topic:
        problems.append(FieldProblem(("topic",), "a thematic meeting needs its topic"))
    return problems


@dataclass(frozen=True)
class FieldProblem:
    """A rule a record breaks, and the field (a path such as ``decisions.0.votes``) it belongs to."""

    loc: tuple[str | int, ...]
    message: str

    def where(self) -> str:
        return ".".join(str(p) for p in self.loc) or "record"


class InvalidRecord(InvalidInput):
    """A meeting record that breaks one or more rules; ``problems`` says which fields."""

    def __init__(self, problems: list[FieldProblem], prefix: tuple[str | int, ...] = ()) -> None:
        self.problems = [FieldProblem(prefix + p.loc, p.message) for p in problems]
        super().__init__("; ".join(f"{p.where()}: {p.message}" for p in self.problems))

    def under(self, *prefix: str | int) -> InvalidRecord:
        """The same problems, located inside an enclosing object (e.g. a request's ``record`` field)."""
        return InvalidRecord(self.problems, tuple(prefix))


def record_problems(record: MeetingRecord) -> list[FieldProblem]:
    """Every cross-field rule ``record`` breaks (empty when it is consistent)."""
    problems: list[FieldProblem] = []
    add = lambda loc, message: problems.append(FieldProblem(loc, message))  # noqa: E731

    if record.members_exempt >= record.members_total:
        add(
            ("members_exempt",),
            f"{record.members_exempt} exempt members leaves nobody of {record.members_total} to attend",
        )
    expected = record.members_expected
    if record.members_present > record.members_total:
        add(("members_present",), f"{record.members_present} present is more than the {record.members_total} members")
    elif record.members_present + len(record.absent) != expected and record.members_exempt < record.members_total:
        add(
            ("absent",),
            f"{record.members_present} present + {len(record.absent)} absent listed = "
            f"{record.members_present + len(record.absent)}, but {expected} members should attend "
            f"({record.members_total} members - {record.members_exempt} exempt): list every absent member",
        )
    if record.time_end <= record.time_start:
        add(("time_end",), f"the meeting ends ({record.time_end:%H:%M}) before it starts ({record.time_start:%H:%M})")
    if not record.place and not record.online:
        add(("place",), "give the place of the meeting, or set online: true")
    if record.kind is MeetingKind.thematic and not record.topic:
        add(("topic",), "a thematic meeting needs its topic")
    for i, decision in enumerate(record.decisions):
        if decision.agenda_item is not None and decision.agenda_item > len(record.agenda):
            add(
                ("decisions", i, "agenda_item"),
                f"agenda item {decision.agenda_item} does not exist (the agenda has {len(record.agenda)} items)",
            )
        problems += decision_problems(decision, record, ("decisions", i))
    problems += membership_problems(record)
    for i, task in enumerate(record.tasks):
        if task.deadline is not None and task.deadline < record.date:
            add(("tasks", i, "deadline"), f"deadline {task.deadline} is before the meeting ({record.date})")
    return problems


def membership_problems(record: MeetingRecord) -> list[FieldProblem]:
    """Probationary members and base exclusions that cannot be (more than the cell has, or than were absent)."""
    problems = []
    probationary = record.members_probationary
    if probationary is not None and probationary >= record.members_total:
        problems.append(
            FieldProblem(
                ("members_probationary",),
                f"{probationary} probationary members leaves no official member of {record.members_total}",
            )
        )
    if record.probationary_present > (probationary if probationary is not None else 0):
        problems.append(
            FieldProblem(
                ("probationary_present",),
                f"{record.probationary_present} probationary present "
                f"but the cell has {probationary or 0} (set members_probationary)",
            )
        )
    if record.probationary_present > record.members_present:
        problems.append(
            FieldProblem(
                ("probationary_present",),
                f"{record.probationary_present} probationary present is more than the {record.members_present} present",
            )
        )
    if probationary is not None and len(record.probationary_names) > probationary:
        problems.append(
            FieldProblem(
                ("probationary_names",),
                f"{len(record.probationary_names)} names for {probationary} probationary members",
            )
        )
    excluded = record.base_exclusions
    if excluded.absent_reason_accepted > len(record.absent_excused):
        problems.append(
            FieldProblem(
                ("base_exclusions", "absent_reason_accepted"),
                (
                    f"{excluded.absent_reason_accepted} absences with an accepted reason, but only "
                    f"{len(record.absent_excused)} absent members gave a reason"
                ),
            )
        )
    if excluded.total > len(record.absent):
        problems.append(
            FieldProblem(
                ("base_exclusions",),
                f"{excluded.total} members left out of the base, but only "
                f"{len(record.absent)} were absent (those excluded do not attend)",
            )
        )
    return problems


def decision_problems(decision: Decision, record: MeetingRecord, loc: tuple[str | int, ...]) -> list[FieldProblem]:
    """Tallies and ballots that cannot be: more voters than official members present, ballots that don't add up."""
    problems = []
    add = lambda where, message: problems.append(FieldProblem(loc + where, message))  # noqa: E731
    voters = record.members_present - record.probationary_present
    who = f"{voters} official members present" + (
        f" ({record.members_present} present - {record.probationary_present} probationary)"
        if record.probationary_present
        else ""
    )
    votes, ballot = decision.votes, decision.ballot
    if votes is not None and votes.total > voters:
        add(
            ("votes",),
            f"votes add up to {votes.total} (agree {votes.agree} + disagree {votes.disagree} + abstain "
            f"{votes.abstain}) but only {who} may vote",
        )
    if decision.kind == "election":
        if ballot is None or not ballot.candidates:
            add(("ballot",), "an election needs the ballot count with each candidate's votes")
        if decision.method != "secret_ballot":
            add(("method",), "an election is by secret ballot")
    elif votes is None and decision.method == "secret_ballot" and ballot is not None:
        add(("votes",), "give the ballot's result as votes (agree / disagree / abstain)")
    if decision.method == "show_of_hands" and ballot is not None:
        add(("ballot",), "a ballot count belongs to a secret ballot: set method: secret_ballot")
    if ballot is not None:
        if ballot.issued > voters:
            add(("ballot", "issued"), f"{ballot.issued} ballots issued but only {who} may vote")
        if ballot.returned > ballot.issued:
            add(("ballot", "returned"), f"{ballot.returned} ballots returned but {ballot.issued} issued")
        if ballot.valid + ballot.invalid != ballot.returned:
            add(
                ("ballot", "valid"),
                f"valid {ballot.valid} + invalid {ballot.invalid} = "
                f"{ballot.valid + ballot.invalid}, but {ballot.returned} ballots were returned",
            )
        for j, candidate in enumerate(ballot.candidates):
            if candidate.votes > ballot.valid:
                add(
                    ("ballot", "candidates", j, "votes"),
                    f"{candidate.name} has {candidate.votes} votes but there were {ballot.valid} valid ballots",
                )
        if sum(c.votes for c in ballot.candidates) > ballot.valid * ballot.seats:
            add(
                ("ballot", "candidates"),
                f"the candidates' votes add up to {sum(c.votes for c in ballot.candidates)}, "
                f"more than {ballot.valid} valid ballots x {ballot.seats} seats",
            )
        if votes is not None and votes.total > ballot.valid:
            add(("votes",), f"votes add up to {votes.total} but {ballot.valid} ballots were valid")
    return problems


def check_record(record: MeetingRecord, prefix: tuple[str | int, ...] = ()) -> MeetingRecord:
    """``record`` itself when it is consistent, else :class:`InvalidRecord` listing every problem."""
    problems = record_problems(record)
    if problems:
        raise InvalidRecord(problems, prefix)
    return record


def problems_of(error: ValidationError) -> list[FieldProblem]:
    """Pydantic's type errors as field problems."""
    return [FieldProblem(tuple(e["loc"]), e["msg"]) for e in error.errors()]


def read_data(path: Path, what: str) -> dict:
    """The object a JSON or YAML file holds; ``InvalidInput`` when it cannot be read or is not an object."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read {what} {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"{path} does not hold a {what} (an object with organization, date, agenda...)")
    return data


def load_record(path: Path) -> MeetingRecord:
    """A meeting record from a JSON or YAML file, checked; ``InvalidInput`` says what is wrong and where."""
    data = read_data(path, "meeting record")
    try:
        return check_record(MeetingRecord.model_validate(data))
    except ValidationError as exc:
        raise InvalidRecord(problems_of(exc)) from exc


def load_notice(path: Path) -> MeetingNotice:
    """A meeting notice from a JSON or YAML file, checked like a record."""
    data = read_data(path, "meeting notice")
    try:
        notice = MeetingNotice.model_validate(data)
    except ValidationError as exc:
        raise InvalidRecord(problems_of(exc)) from exc
    problems = notice_problems(notice)
    if problems:
        raise InvalidRecord(problems)
    return notice
