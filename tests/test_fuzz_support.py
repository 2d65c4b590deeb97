"""The fuzz run's own parts: which 422s count as refused at validation, and the hooks that make generated
cases obey the rules across fields (they run in every phase, so they must hold on any generated shape)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

pytest.importorskip("schemathesis")

from benchmarks.fuzz_hooks import consistent_record, repaired_body  # noqa: E402
from benchmarks.fuzz_report import refused_by_validation  # noqa: E402


def test_a_422_from_the_content_reached_the_handler_one_from_the_fields_did_not():
    fields = json.dumps({"detail": [{"loc": ["body", "x"], "msg": "bad", "type": "value_error"}]})
    record_rules = json.dumps({"detail": [{"loc": ["record"], "msg": "counts", "type": "x"}], "error": "InvalidRecord"})
    content = json.dumps({"detail": "no text found in the image", "error": "IngestError"})
    assert refused_by_validation(422, fields) and refused_by_validation(422, record_rules)
    assert not refused_by_validation(422, content)
    assert refused_by_validation(422, None) and refused_by_validation(400, "<html>")
    assert not refused_by_validation(404, fields) and not refused_by_validation(200, None)


def test_hooks_repair_what_the_schema_cannot_state_and_leave_other_shapes_alone():
    notice = repaired_body("/v1/draft/notice", {"date": "2026-01-01", "issued_on": "2026-02-01", "place": ""})
    assert notice["issued_on"] == "2026-01-01" and notice["place"]
    reply = repaired_body("/v1/meetings/{meeting_id}/reply", {"attending": False, "reason": " "})
    assert reply["reason"].strip()
    record = consistent_record(
        {
            "members_total": 1,
            "members_present": 0,
            "absent": [],
            "time_start": "00:00",
            "time_end": "00:00",
            "date": dt.date.today().isoformat(),
            "place": "",
        }
    )
    assert record["members_present"] == 1 and record["time_end"] > record["time_start"] and record["place"]
    assert consistent_record([1, 2]) == [1, 2]
    plan = repaired_body("/v1/meetings", {"date": "2000-01-01", "place": "", "online": False})
    assert plan["date"] > dt.date.today().isoformat() and plan["place"]
