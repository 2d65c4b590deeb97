"""Whether a decision passed, computed from the record by the Party's rules (see DOMAIN.md, "Votes").

- Only official members vote; probationary members attend without voting.
- A resolution passes when **more than half of the official members summoned** agree - not of those
  present. The base leaves out: exempt members who are absent, members sent to work temporarily in another
  organization, members suspended, prosecuted or detained, and members absent with a reason the convening
  committee accepted. Everyone else who is absent still counts.
- Admitting a new member, or confirming a probationary member as official: at least two thirds of the
  cell's official members agree.
- An election is by secret ballot; a candidate is elected with more than half of the cell's official members'
  votes, at most as many as there are seats (the most votes first).

Nothing here is typed by the secretary: the outcome is always computed. When the record lacks what the rule
needs (the number of probationary members, for records made before the rule was modelled), the outcome is
decided only when it holds whatever the missing number is, else it is left undecided with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.meeting import Decision, MeetingRecord


@dataclass(frozen=True)
class Outcome:
    """A decision's computed result: ``passed`` (None: cannot be decided from the record) and why."""

    passed: bool | None
    rule: str  # "half_of_summoned", "two_thirds_of_official", "election"
    base: int | None  # the number the agreeing votes are measured against
    needed: int | None  # the fewest agreeing votes (or a candidate's votes) that pass
    agree: int | None = None
    elected: list[str] = field(default_factory=list)
    reason: str = ""  # why it could not be decided, or how it was decided on a bound

    @property
    def decided(self) -> bool:
        return self.passed is not None


def more_than_half(base: int) -> int:
    return base // 2 + 1


def two_thirds(base: int) -> int:
    return -(-2 * base // 3)


def official_members(record: MeetingRecord) -> int | None:
    """Official members of the cell (None when the record does not say how many are probationary)."""
    if record.members_probationary is None:
        return None
    return record.members_total - record.members_probationary


def summoned_base(record: MeetingRecord) -> int | None:
    """Official members summoned who count for a resolution: the official members less the excluded ones."""
    official = official_members(record)
    if official is None:
        return None
    excluded = record.base_exclusions
    return (
        official
        - record.members_exempt
        - excluded.sent_elsewhere
        - excluded.suspended
        - excluded.absent_reason_accepted
    )


def official_present(record: MeetingRecord) -> int:
    """Members present who may vote."""
    return record.members_present - record.probationary_present


def outcome(decision: Decision, record: MeetingRecord) -> Outcome | None:
    """The decision's result; None when it records no vote at all."""
    if decision.kind == "election":
        return _election(decision, record)
    if decision.votes is None:
        return None
    agree = decision.votes.agree
    if decision.kind in ("admission", "confirmation"):
        rule, base, need = "two_thirds_of_official", official_members(record), two_thirds
    else:
        rule, base, need = "half_of_summoned", summoned_base(record), more_than_half
    if base is not None:
        return Outcome(agree >= need(base), rule, base, need(base), agree)
    # Probationary members unknown: the base is at most the members of the cell, so enough votes for that pass.
    upper = record.members_total
    if agree >= need(upper):
        return Outcome(True, rule, None, None, agree, reason="passed whatever the number of probationary members")
    return Outcome(
        None,
        rule,
        None,
        None,
        agree,
        reason="the record does not say how many members are probationary (members_probationary), "
        "so the voting base is unknown",
    )


def _election(decision: Decision, record: MeetingRecord) -> Outcome:
    base = official_members(record)
    ballot = decision.ballot
    if ballot is None:  # refused by the record rules; kept total for safety
        return Outcome(None, "election", base, None, reason="an election needs its ballot count")
    ranked = sorted(ballot.candidates, key=lambda c: -c.votes)
    if base is None:
        base_guess = record.members_total
        over = [c.name for c in ranked if c.votes >= more_than_half(base_guess)][: ballot.seats]
        if len(over) == min(ballot.seats, len(ranked)):
            return Outcome(
                True, "election", None, None, elected=over, reason="elected whatever the number of probationary members"
            )
        return Outcome(
            None,
            "election",
            None,
            None,
            elected=over,
            reason="the record does not say how many members are probationary (members_probationary), "
            "so the votes needed are unknown",
        )
    needed = more_than_half(base)
    elected = [c.name for c in ranked if c.votes >= needed][: ballot.seats]
    return Outcome(bool(elected), "election", base, needed, elected=elected)
