"""The meeting cycle in the store, on SQLite and PostgreSQL: roster in step with the keys, the record pre-filled
from roster and replies, drafts, approval by the chair (never by the drafter), corrections as new revisions,
archiving all-or-nothing, recovery of an approval a crash interrupted, the month's figures."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.auth import KeyInfo, Role
from assistant.domain import AccessLevel, DocType, Document
from assistant.errors import AccessDenied, Conflict, InvalidInput, NotFound
from assistant.meeting import MeetingRecord
from assistant.store.meetings import MeetingsStore, ReplyIn
from assistant.store.minutes_archive import MinutesArchive, NewDocument
from assistant.store.roster import RosterChange, RosterStore
from assistant.store.schema import MeetingDocumentRow
from tests.test_meetings_store import CELL, SIBLING, WARD, plan

BEFORE, AFTER = dt.datetime(2026, 12, 1, 9, 0), dt.datetime(2026, 12, 15, 21, 0)


def key(key_id: str, name: str, role: Role, unit: str, revoked: bool = False) -> KeyInfo:
    return KeyInfo(key_id, name, role, unit, AccessLevel.internal, 0.0, 1.0 if revoked else None)


KEYS = [
    key("sec", "Trần Thị Bình", Role.secretary, CELL),
    key("chair", "Nguyễn Văn An", Role.secretary, CELL),
    *(key(f"m{i}", f"Đảng viên {i}", Role.member, CELL) for i in range(4)),
    key("other", "Chi bộ khác", Role.member, SIBLING),
    key("ward", "Đảng ủy phường", Role.committee, WARD),
    key("admin", "Quản trị", Role.admin, ""),
]
P = {k.key_id: k.principal() for k in KEYS}


class RecordingArchive:
    """The index's side of approval, recorded (and failing on demand)."""

    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self.fail = False

    def put(self, document: Document) -> None:
        if self.fail:
            raise RuntimeError("disk full")
        self.documents[document.meta.doc_id] = document

    def remove(self, doc_id: str) -> None:
        self.documents.pop(doc_id, None)


@pytest.fixture
def cycle(engine):
    clock = {"now": BEFORE}
    now = lambda: clock["now"]  # noqa: E731
    roster = RosterStore(engine, now)
    roster.sync(KEYS, {"m2": "probationary"})
    return clock, MeetingsStore(engine, now), MinutesArchive(engine, now), roster


def completed(draft: dict) -> MeetingRecord:
    record = dict(draft, time_end="21:00", chair={"name": "Nguyễn Văn An", "role": "Bí thư chi bộ"})
    record["agenda"][0]["notes"] = "Chi bộ thống nhất tổ chức vệ sinh môi trường khu dân cư ngày 20/12."
    record["decisions"] = [
        {
            "text": "Tổ chức tổng vệ sinh khu dân cư ngày 20/12/2026",
            "agenda_item": 1,
            "votes": {"agree": record["members_present"] - record["probationary_present"]},
        }
    ]
    return MeetingRecord.model_validate(record)


def test_roster_follows_the_keys_and_only_overseers_see_it(cycle):
    _, _, _, roster = cycle
    entries = {e.key_id: e for e in roster.listing(P["ward"])}
    assert set(entries) == {"sec", "chair", "m0", "m1", "m2", "m3", "other", "ward"}  # admins belong to no cell
    assert entries["m2"].membership == "probationary"
    assert [e.key_id for e in roster.listing(P["sec"])] == ["chair", "sec", "m0", "m1", "m2", "m3"]  # by name
    with pytest.raises(AccessDenied):
        roster.listing(P["m0"])
    with pytest.raises(AccessDenied):
        roster.listing(P["sec"], SIBLING)
    changed = roster.update(P["sec"], "m3", RosterChange(exempt=True, exempt_reason="ốm dài ngày", expected_version=1))
    assert changed.exempt and changed.version == 2
    with pytest.raises(Conflict):
        roster.update(P["sec"], "m3", RosterChange(membership="official", expected_version=1))
    with pytest.raises(NotFound):
        roster.update(P["sec"], "other", RosterChange(membership="official"))
    counts = roster.sync([*KEYS[:5], key("m3", "Đảng viên 3", Role.member, CELL, revoked=True), *KEYS[6:]])
    assert counts == {"enrolled": 0, "updated": 0, "left": 1}
    assert "m3" not in {e.key_id for e in roster.listing(P["sec"])}
    assert "m3" in {e.key_id for e in roster.listing(P["sec"], include_inactive=True)}


def test_the_whole_cycle_and_its_rules(cycle):
    clock, meetings, archive_store, roster = cycle
    archive = RecordingArchive()
    roster.update(P["sec"], "m3", RosterChange(exempt=True, exempt_reason="ốm dài ngày"))
    meeting = meetings.schedule(P["sec"], plan())
    meetings.publish(P["sec"], meeting.id, "THÔNG BÁO")
    meetings.reply(P["m0"], meeting.id, ReplyIn(attending=True))
    meetings.reply(P["m2"], meeting.id, ReplyIn(attending=True))
    meetings.reply(P["m1"], meeting.id, ReplyIn(attending=False, reason="đi công tác"))
    meetings.reply(P["chair"], meeting.id, ReplyIn(attending=True))
    with pytest.raises(Conflict, match="not been held"):
        archive_store.save_record(P["sec"], meeting.id, completed(archive_store.prefill(P["sec"], meeting.id).record))

    clock["now"] = AFTER
    with pytest.raises(Conflict, match="started"):
        meetings.reply(P["m0"], meeting.id, ReplyIn(attending=False, reason="ốm"))
    draft = archive_store.prefill(P["sec"], meeting.id)
    r = draft.record
    assert (r["members_total"], r["members_exempt"], r["members_present"]) == (6, 1, 3)
    assert (r["members_probationary"], r["probationary_present"]) == (1, 1)
    assert {a["name"]: a["reason"] for a in r["absent"]} == {"Đảng viên 1": "đi công tác", "Trần Thị Bình": ""}
    assert [a["title"] for a in r["agenda"]] == plan().agenda and r["references"] == ["339-QĐ/TW"]
    with pytest.raises(AccessDenied):
        archive_store.prefill(P["m0"], meeting.id)  # members see the meeting, not its working record...
    r["absent"] = [a for a in r["absent"] if a["name"] != "Trần Thị Bình"]  # ...the secretary came after all
    r["members_present"] += 1
    with pytest.raises(Conflict, match="without its record"):
        archive_store.store_drafts(
            P["sec"], meeting.id, [NewDocument("minutes", "Biên bản", "# BIÊN BẢN", "extractive")]
        )
    with pytest.raises(InvalidInput, match="meeting was on"):
        archive_store.save_record(P["sec"], meeting.id, completed({**r, "date": "2026-12-16"}))
    held = archive_store.save_record(P["sec"], meeting.id, completed(r), expected_version=draft.version)
    assert held.status == "held" and held.recorded
    with pytest.raises(Conflict, match="changed meanwhile"):
        archive_store.save_record(P["sec"], meeting.id, completed(r), expected_version=draft.version)

    with pytest.raises(Conflict, match="draft the minutes first"):
        archive_store.approve(P["chair"], meeting.id, archive)
    drafts = [
        NewDocument("minutes", "Biên bản họp chi bộ tháng 12", "# BIÊN BẢN\n\nTổng vệ sinh 20/12.", "extractive"),
        NewDocument("resolution", "Nghị quyết chi bộ tháng 12", "# NGHỊ QUYẾT\n\nTổng vệ sinh.", "template"),
    ]
    archive_store.store_drafts(P["sec"], meeting.id, drafts)
    with pytest.raises(Conflict, match="drafted the minutes may not approve"):
        archive_store.approve(P["sec"], meeting.id, archive)
    assert archive.documents == {}
    with pytest.raises(NotFound):
        archive_store.approve(P["other"], meeting.id, archive)
    approved = archive_store.approve(P["chair"], meeting.id, archive)
    assert approved.status == "approved" and {(d.kind, d.revision, d.status) for d in approved.documents} == {
        ("minutes", 1, "approved"),
        ("resolution", 1, "approved"),
    }
    minutes = archive.documents[f"meeting-{meeting.id}-minutes"]
    assert (minutes.meta.org_unit, minutes.meta.access_level, minutes.meta.doc_type) == (
        CELL,
        AccessLevel.internal,
        DocType.minutes,
    )
    assert [d.status for d in meetings.get(P["m0"], meeting.id).documents] == ["approved", "approved"]
    with pytest.raises(Conflict, match="approved already"):
        archive_store.approve(P["ward"], meeting.id, archive)

    # a correction is a new revision; the approved one is never changed, and is superseded once it is approved
    archive_store.store_drafts(
        P["sec"], meeting.id, [NewDocument("minutes", "Biên bản (sửa)", "# BIÊN BẢN\n\nSửa.", "extractive")]
    )
    seen = {(d.kind, d.revision): d for d in meetings.get(P["sec"], meeting.id).documents}
    assert seen[("minutes", 1)].markdown.endswith("Tổng vệ sinh 20/12.") and seen[("minutes", 2)].status == "draft"
    assert [d.revision for d in meetings.get(P["m0"], meeting.id).documents if d.kind == "minutes"] == [1]
    archive.fail = True
    with pytest.raises(RuntimeError):
        archive_store.approve(P["ward"], meeting.id, archive)
    after_failure = {(d.kind, d.revision): d.status for d in meetings.get(P["sec"], meeting.id).documents}
    assert after_failure[("minutes", 1)] == "approved" and after_failure[("minutes", 2)] == "draft"
    archive.fail = False
    archive_store.approve(P["ward"], meeting.id, archive)
    final = {(d.kind, d.revision): d.status for d in meetings.get(P["sec"], meeting.id).documents}
    assert final == {("minutes", 1): "superseded", ("minutes", 2): "approved", ("resolution", 1): "approved"}
    assert archive.documents[f"meeting-{meeting.id}-minutes"].text.endswith("Sửa.")

    figures = meetings.month_figures(P["ward"], "2026-12")
    f = figures[0]
    assert (f.org_unit, f.scheduled, f.held, f.approved, f.present, f.expected, f.decisions) == (CELL, 1, 1, 1, 4, 5, 1)
    assert f.rate == 0.8 and (f.replies, f.attending, f.not_attending) == (4, 3, 1)


def test_an_interrupted_approval_is_finished_at_the_next_start(cycle, engine):
    clock, meetings, archive_store, _ = cycle
    meeting = meetings.schedule(P["sec"], plan())
    clock["now"] = AFTER
    archive_store.save_record(P["sec"], meeting.id, completed(archive_store.prefill(P["sec"], meeting.id).record))
    archive_store.store_drafts(P["sec"], meeting.id, [NewDocument("minutes", "Biên bản", "# BIÊN BẢN", "extractive")])
    with archive_store.sessions.begin() as session:  # the state a crash between the two commits leaves
        row = session.query(MeetingDocumentRow).one()
        row.status, row.approved_by, row.approved_at = "approving", "chair", AFTER
    assert meetings.get(P["sec"], meeting.id).status == "held"
    archive = RecordingArchive()
    assert archive_store.recover(archive) == 1
    assert meetings.get(P["sec"], meeting.id).status == "approved"
    assert list(archive.documents) == [f"meeting-{meeting.id}-minutes"]
    assert archive_store.recover(archive) == 0


def test_no_record_for_a_cancelled_meeting_and_no_cancel_after_the_start(cycle):
    clock, meetings, archive_store, _ = cycle
    first, second = meetings.schedule(P["sec"], plan()), meetings.schedule(P["sec"], plan(date="2026-12-20"))
    cancelled = meetings.cancel(P["sec"], first.id, expected_version=1)
    assert cancelled.status == "cancelled"
    with pytest.raises(Conflict):
        meetings.publish(P["sec"], first.id, "THÔNG BÁO")
    clock["now"] = dt.datetime(2026, 12, 21)
    with pytest.raises(Conflict, match="cancelled"):
        archive_store.save_record(P["sec"], first.id, completed(archive_store.prefill(P["sec"], first.id).record))
    with pytest.raises(Conflict, match="started"):
        meetings.cancel(P["sec"], second.id)
    assert [(f.scheduled, f.held, f.rate) for f in meetings.month_figures(P["ward"], "2026-12")] == [(1, 0, None)]


def test_the_cycle_over_http_calendar_roster_figures_and_asking_about_the_decision(fresh_assistant):
    """Real keys, real index: the approved minutes answer the cell's question, not a sibling cell's."""
    import csv
    import io

    import icalendar

    from tests.conftest import api_key, keyed_client

    a = fresh_assistant
    day = a.local_now().date() + dt.timedelta(days=3)
    with keyed_client(a, role="secretary", org_unit=CELL) as client:
        chair, ward = api_key(a, "secretary", CELL), api_key(a, "committee", WARD)
        members = [api_key(a, "member", CELL) for _ in range(3)]
        sibling = api_key(a, "member", SIBLING)
        roster = client.get("/v1/roster")
        assert roster.status_code == 200 and len(roster.json()) == 5  # the two secretaries and three members
        assert client.get("/v1/roster", headers=members[0]).status_code == 403
        meeting = client.post(
            "/v1/meetings", json=plan(date=day.isoformat(), time_start="19:30").model_dump(mode="json")
        ).json()
        mid = meeting["id"]
        assert client.post(f"/v1/meetings/{mid}/publish", params={"number": 9}).json()["published_at"]
        client.put(f"/v1/meetings/{mid}/reply", headers=members[0], json={"attending": True})
        client.put(f"/v1/meetings/{mid}/reply", headers=members[1], json={"attending": False, "reason": "đi viện"})

        feed = client.post("/v1/me/calendar", headers=members[0]).json()["url"]
        ics = client.get(feed.replace("http://testserver", ""), headers={"Authorization": ""})
        assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
        events = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
        assert [str(e["uid"]) for e in events] == [f"{mid}@assistant.local"]
        start = events[0].decoded("dtstart")
        assert (start.date(), start.hour, start.minute, str(start.tzinfo)) == (day, 19, 30, "Asia/Ho_Chi_Minh")
        assert "Kiểm điểm nhiệm vụ tháng 11" in str(events[0]["description"])
        assert client.get("/v1/calendar/" + "x" * 43 + ".ics").status_code == 404
        client.post("/v1/me/calendar", headers=members[0])  # a new address: the old one stops working
        assert client.get(feed.replace("http://testserver", "")).status_code == 404

        assert client.put(f"/v1/meetings/{mid}/record", json={"record": {}}).status_code == 422
        later = dt.datetime.combine(day, dt.time(21, 30))
        a.meetings.clock = a.cycle.minutes_archive.clock = lambda: later  # the meeting is over
        draft = client.get(f"/v1/meetings/{mid}/record").json()
        record = draft["record"]
        assert (record["members_total"], record["members_present"]) == (5, 1)
        record.update(
            time_end="21:15",
            chair={"name": "Nguyễn Văn An", "role": "Bí thư chi bộ"},
            members_present=4,
            absent=[{"name": a_["name"], "reason": a_["reason"]} for a_ in record["absent"] if a_["reason"]],
        )
        record["agenda"][0]["notes"] = "Chi bộ bàn việc trồng cây xanh ở khu dân cư."
        record["decisions"] = [
            {
                "text": "Chi bộ quyết định trồng 50 cây xanh dọc đường Hương An trước ngày 31/12",
                "agenda_item": 1,
                "votes": {"agree": 4},
            }
        ]
        saved = client.put(f"/v1/meetings/{mid}/record", json={"record": record, "expected_version": draft["version"]})
        assert saved.status_code == 200, saved.text
        drafted = client.post(f"/v1/meetings/{mid}/documents").json()
        assert {(d["kind"], d["status"]) for d in drafted["documents"]} == {
            ("minutes", "draft"),
            ("resolution", "draft"),
        }
        refused = client.post(f"/v1/meetings/{mid}/approve")
        assert refused.status_code == 409 and "may not approve" in refused.json()["detail"]
        approved = client.post(
            f"/v1/meetings/{mid}/approve", headers=chair, json={"expected_version": drafted["version"]}
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved"
        pdf = client.get(f"/v1/meetings/{mid}/documents/resolution", headers=members[2], params={"format": "docx"})
        assert pdf.status_code == 200 and pdf.content[:2] == b"PK"

        question = {"question": "Chi bộ quyết định trồng bao nhiêu cây xanh?"}
        answer = client.post("/v1/ask", headers=members[2], json=question).json()
        assert answer["status"] == "answered" and "50 cây xanh" in answer["answer"]
        assert answer["citations"][0]["doc_id"] in (f"meeting-{mid}-minutes", f"meeting-{mid}-resolution")
        outside = client.post("/v1/ask", headers=sibling, json=question).json()
        assert not any(c["doc_id"].startswith("meeting-") for c in outside["citations"])

        month = day.strftime("%Y-%m")
        table = client.get("/v1/meetings/figures", headers=ward, params={"month": month, "format": "csv"})
        rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
        assert [(r["org_unit"], r["held"], r["approved"], r["present"], r["expected"], r["rate"]) for r in rows] == [
            (CELL, "1", "1", "4", "5", "0.8")
        ]
        report = client.post(
            "/v1/meetings/report",
            headers=ward,
            json={
                "organization": {"name": "Đảng bộ phường Hương An"},
                "period": {"kind": "month", "year": day.year, "number": day.month},
            },
        )
        assert report.status_code == 200 and "trồng 50 cây xanh" in report.json()["markdown"]
        assert (
            client.post(
                "/v1/meetings/report",
                headers=ward,
                json={
                    "organization": {"name": "Đảng bộ phường"},
                    "period": {"kind": "month", "year": 2001, "number": 1},
                },
            ).status_code
            == 404
        )


@pytest.mark.parametrize("point", ["before-index", "mid-index", "before-finish", "none"])
def test_a_server_killed_while_approving_leaves_it_approved_and_indexed_or_neither(tmp_path, point):
    """SIGKILL a process in the middle of approving and archiving; the next start finds the meeting approved
    with its documents indexed (the approval is finished), or not approved with nothing indexed."""
    import subprocess
    import sys

    from assistant.config import PROJECT_ROOT
    from assistant.service import Assistant
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "data")
    first = Assistant(settings)
    secretary = first.keys.create("Thư ký", "secretary", CELL)[1].principal()
    chair_key, chair = first.keys.create("Chủ trì", "secretary", CELL)
    clock = {"now": BEFORE}
    first.meetings.clock = first.cycle.minutes_archive.clock = lambda: clock["now"]
    meeting = first.meetings.schedule(secretary, plan())
    clock["now"] = AFTER
    first.synced_roster()
    draft = first.cycle.minutes_archive.prefill(secretary, meeting.id).record
    record = completed({**draft, "members_present": 2, "absent": []})  # both came
    first.cycle.minutes_archive.save_record(secretary, meeting.id, record)
    first.cycle.draft_documents(secretary, meeting.id)
    first.close()

    child = subprocess.run(
        [sys.executable, "-m", "tests.crash_approval_child", point, str(settings.data_dir), meeting.id, chair_key],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == (0 if point == "none" else -9), child.stderr[-2000:]

    after = Assistant(settings)
    try:
        seen = after.cycle.meetings.get(chair.principal(), meeting.id)  # opening the cycle finishes approvals
        doc_ids = {d.doc_id for d in seen.documents}
        indexed = doc_ids & set(after.index.catalog.metas())
        assert seen.status == "approved" and all(d.status == "approved" for d in seen.documents)
        assert indexed == doc_ids == {f"meeting-{meeting.id}-minutes", f"meeting-{meeting.id}-resolution"}
        assert after.index.reconcile() == {"orphan_vectors_removed": 0, "chunks_missing_vectors": 0}
    finally:
        after.close()


def test_the_cycle_from_the_command_line(tmp_path, capsys):
    import json

    import yaml

    from assistant.cli import main

    data = ["--data-dir", str(tmp_path / "data")]

    def key(*options: str) -> str:
        assert main([*data, "keys", "create", "--json", *options]) == 0
        return json.loads(capsys.readouterr().out)["key"]

    secretary = key("--name", "Trần Thị Bình", "--role", "secretary", "--org-unit", CELL)
    member = key("--name", "Lê Văn Cường", "--role", "member", "--org-unit", CELL, "--membership", "probationary")
    day = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(yaml.safe_dump(plan(date=day).model_dump(mode="json"), allow_unicode=True), encoding="utf-8")
    assert main([*data, "meetings", "--key", secretary, "schedule", str(plan_file)]) == 0
    meeting_id = capsys.readouterr().out.split()[0]
    assert main([*data, "meetings", "--key", member, "list"]) == 0 and capsys.readouterr().out == ""  # not published
    assert main([*data, "meetings", "--key", secretary, "publish", meeting_id, "--number", "3"]) == 0
    capsys.readouterr()
    assert main([*data, "meetings", "--key", member, "reply", meeting_id, "--absent", "ốm"]) == 0
    assert "not attending — ốm (version 1)" in capsys.readouterr().out
    assert main([*data, "meetings", "--key", secretary, "roster"]) == 0
    assert "probationary Lê Văn Cường" in capsys.readouterr().out
    assert main([*data, "meetings", "--key", secretary, "record", meeting_id]) == 0
    record = yaml.safe_load(capsys.readouterr().out)
    assert record["members_total"] == 2 and record["absent"] == [
        {"name": "Lê Văn Cường", "reason": "ốm"},
        {"name": "Trần Thị Bình", "reason": ""},
    ]
    record_file = tmp_path / "record.yaml"
    record_file.write_text(
        yaml.safe_dump(
            completed({**record, "members_present": 1, "absent": record["absent"][:1]}).model_dump(mode="json"),
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    assert main([*data, "meetings", "--key", secretary, "record", meeting_id, "--save", str(record_file)]) == 2
    assert "not been held yet" in capsys.readouterr().err
    assert main([*data, "meetings", "--key", member, "approve", meeting_id]) == 2
    assert main([*data, "meetings", "--key", "ga_bad", "list"]) == 2 and "valid API key" in capsys.readouterr().err
    assert main([*data, "meetings", "--key", secretary, "figures", day[:7]]) == 0
    assert f"{CELL},{day[:7]},1,0,0,1,0,1" in capsys.readouterr().out
