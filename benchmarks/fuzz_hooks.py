"""Schemathesis hooks for the fuzz run: make generated meeting records obey the rules JSON Schema cannot state.

A meeting record's counts must add up (present + absent listed = members expected; the votes of a
decision add up to those present), it must end after it starts, and a decision can only conclude an
agenda item that exists. JSON Schema has no arithmetic across fields, so without help almost every
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
        start, end = _time(record.get("time_start")), _time(record.get("time_end"))
        if start is not None and (end is None or end <= start):
            record["time_start"], record["time_end"] = "08:00", "10:00"
        if not record.get("place") and not record.get("online"):
            record["place"] = "Nhà văn hoá khu dân cư"
        if record.get("kind") == "thematic" and not record.get("topic"):
            record["topic"] = "Chuyên đề"
        agenda = record.get("agenda") if isinstance(record.get("agenda"), list) else []
        for decision in record.get("decisions") or []:
            if not isinstance(decision, dict):
                continue
            if isinstance(decision.get("agenda_item"), int) and decision["agenda_item"] > len(agenda):
                decision["agenda_item"] = None
            if isinstance(decision.get("votes"), dict):
                decision["votes"] = {"agree": present, "disagree": 0, "abstain": 0}
        date = dt.date.fromisoformat(str(record.get("date")))
        for task in record.get("tasks") or []:
            if isinstance(task, dict) and task.get("deadline") and str(task["deadline"]) < date.isoformat():
                task["deadline"] = date.isoformat()
    except (TypeError, ValueError):
        pass  # a record of the wrong shape stays as generated: the API must refuse it, not crash
    return record


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    path = context.operation.path
    if not isinstance(body, dict):
        return body
    if path == "/v1/draft/minutes":
        body["record"] = consistent_record(body.get("record"))
    elif path == "/v1/draft/report" and isinstance(body.get("records"), list):
        body["records"] = [consistent_record(r) for r in body["records"]]
    return body
