"""Schemathesis hooks for the fuzz run: make generated meeting records obey the rules JSON Schema cannot state.

A meeting record's counts must add up (present + absent listed = members expected; probationary members
and base exclusions within those; the votes of a decision at most the official members present, a ballot
that adds up, an election by secret ballot), it must end after it starts, and a decision can only conclude
an agenda item that exists; a scheduled meeting starts in the future; the figures are for a real month. JSON Schema has no arithmetic across fields, so without help almost every
generated record is refused with a 422 and the fuzzer never reaches the drafting code. These hooks
repair the arithmetic of generated records (types and bounds stay as generated); the coverage phase
still sends records that break the rules, and the tests check every rule's 422.

Loaded by ``benchmarks.fuzz_api`` through ``SCHEMATHESIS_HOOKS=benchmarks.fuzz_hooks``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import schemathesis


def _time(value: Any) -> dt.time | None:
    try:
        return dt.time.fromisoformat(str(value).replace("h", ":"))
    except ValueError:
        return None


def with_place_and_topic(meeting: dict) -> dict:
    """A meeting (record, plan or notice) held somewhere or online, with its topic when it is thematic."""
    if not str(meeting.get("place", "")).strip() and not meeting.get("online"):
        meeting["place"] = "Nhà văn hoá khu dân cư"
    if meeting.get("kind") == "thematic" and not str(meeting.get("topic", "")).strip():
        meeting["topic"] = "Chuyên đề"
    return meeting


def consistent_record(record: Any) -> Any:
    """``record`` with its counts, times and cross-references made consistent (unchanged if it is not a dict)."""
    if not isinstance(record, dict):
        return record
    try:
        total = max(1, int(record.get("members_total", 1)))
        record["members_total"] = total
        exempt = min(max(0, int(record.get("members_exempt", 0) or 0)), total - 1)
        record["members_exempt"] = exempt
        absent = record.get("absent") if isinstance(record.get("absent"), list) else []
        absent = absent[: total - exempt]
        record["absent"] = absent
        present = total - exempt - len(absent)
        record["members_present"] = present
        voters = _members(record, total, present, absent)
        start, end = _time(record.get("time_start")), _time(record.get("time_end"))
        if start is not None and (end is None or end <= start):
            record["time_start"], record["time_end"] = "08:00", "10:00"
        with_place_and_topic(record)
        agenda = record.get("agenda") if isinstance(record.get("agenda"), list) else []
        for decision in record.get("decisions") or []:
            if not isinstance(decision, dict):
                continue
            if isinstance(decision.get("agenda_item"), int) and decision["agenda_item"] > len(agenda):
                decision["agenda_item"] = None
            _consistent_vote(decision, voters)
        date = dt.date.fromisoformat(str(record.get("date")))
        for task in record.get("tasks") or []:
            if isinstance(task, dict) and task.get("deadline") and str(task["deadline"]) < date.isoformat():
                task["deadline"] = date.isoformat()
    except (TypeError, ValueError):
        pass  # a record of the wrong shape stays as generated: the API must refuse it, not crash
    return record


def _members(record: dict, total: int, present: int, absent: list) -> int:
    """Probationary members and base exclusions within what the counts allow; returns the official members present."""
    probationary = record.get("members_probationary")
    if isinstance(probationary, int):
        probationary = min(max(0, probationary), total - 1)
        record["members_probationary"] = probationary
        names = record.get("probationary_names")
        if isinstance(names, list):
            record["probationary_names"] = names[:probationary]
    else:
        record.pop("probationary_names", None)
    on_roll = probationary if isinstance(probationary, int) else 0
    came = min(max(0, int(record.get("probationary_present", 0) or 0)), on_roll, present)
    record["probationary_present"] = came
    excluded = record.get("base_exclusions")
    if isinstance(excluded, dict):
        excused = sum(1 for a in absent if isinstance(a, dict) and str(a.get("reason", "")).strip())
        budget = len(absent)
        for name, cap in (("absent_reason_accepted", excused), ("sent_elsewhere", budget), ("suspended", budget)):
            value = min(max(0, int(excluded.get(name, 0) or 0)), cap, budget)
            excluded[name] = value
            budget -= value
    return present - came


def _consistent_vote(decision: dict, voters: int) -> None:
    """Tallies of the official members present; a ballot that adds up; an election by secret ballot."""
    if decision.get("kind") == "election":
        decision["method"] = "secret_ballot"
        decision["votes"] = None
        decision["ballot"] = {
            "issued": voters,
            "returned": voters,
            "valid": voters,
            "invalid": 0,
            "seats": 1,
            "candidates": [{"name": "Nguyễn Văn An", "votes": voters}],
        }
        return
    if isinstance(decision.get("votes"), dict) or decision.get("method") == "secret_ballot":
        decision["votes"] = {"agree": voters, "disagree": 0, "abstain": 0}
    if decision.get("method") == "secret_ballot":
        decision["ballot"] = {"issued": voters, "returned": voters, "valid": voters, "invalid": 0}
    else:
        decision.pop("ballot", None)


def future_meeting(plan: Any) -> Any:
    """A generated meeting plan dated after today, with a place (the rules a schema cannot state)."""
    if isinstance(plan, dict):
        plan["date"] = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        with_place_and_topic(plan)
        if not str(plan.get("time_start", "")).strip():
            plan["time_start"] = "19:30"
    return plan


def real_month(query: Any) -> Any:
    """A month the figures can be counted for."""
    if isinstance(query, dict):
        month = str(query.get("month", ""))
        if not (
            len(month) == 7
            and month[:4].isdigit()
            and month[5:].isdigit()
            and 1 <= int(month[5:]) <= 12
            and 1 <= int(month[:4]) <= 9998
        ):
            query["month"] = dt.date.today().strftime("%Y-%m")
    return query


def sensible_notice(notice: dict) -> dict:
    """A notice dated no later than its meeting, with a place (and a topic when thematic)."""
    if str(notice.get("issued_on", "")) > str(notice.get("date", "")):
        notice["issued_on"] = notice.get("date")
    return with_place_and_topic(notice)


def repaired_body(path: str, body: dict) -> dict:
    """``body`` of a request to ``path`` with the rules across its fields made to hold."""
    if path in ("/v1/draft/minutes", "/v1/draft/resolution", "/v1/meetings/{meeting_id}/record"):
        body["record"] = consistent_record(body.get("record"))
    elif path == "/v1/draft/report" and isinstance(body.get("records"), list):
        body["records"] = [consistent_record(r) for r in body["records"]]
        unit = body["organization"].get("org_unit", "") if isinstance(body.get("organization"), dict) else ""
        for record in body["records"]:  # the records of the organization the report is about
            if isinstance(record, dict) and isinstance(record.get("organization"), dict):
                record["organization"]["org_unit"] = unit
    elif path == "/v1/draft/notice":
        body = sensible_notice(body)
    elif path == "/v1/meetings":
        body = future_meeting(body)
    elif (
        path == "/v1/meetings/{meeting_id}/reply"
        and body.get("attending") is False
        and not str(body.get("reason", "")).strip()
    ):
        body["reason"] = "Bận công tác"
    return body


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """Every generated case, in every phase (the coverage phase included), repaired as above."""
    path = case.operation.path
    if path == "/v1/meetings/figures":
        case.query = real_month(case.query)
    if isinstance(case.body, dict):
        case.body = repaired_body(path, case.body)
    return case
