"""The application store: migrations up and down, and meetings scheduled, seen and replied to — on SQLite and,
where the Debian ``postgresql`` server is installed, on a throw-away PostgreSQL cluster."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from pydantic import ValidationError
from sqlalchemy import inspect

from assistant.auth import Principal, Role
from assistant.domain import AccessLevel
from assistant.errors import AccessDenied, Conflict, InvalidInput, NotFound
from assistant.store.database import current, downgrade, head, upgrade
from assistant.store.meetings import MeetingPlan, MeetingsStore, ReplyIn

CELL = "tw/tinh-thai-nguyen/phuong-huong-an/chi-bo-3"
SIBLING = "tw/tinh-thai-nguyen/phuong-huong-an/chi-bo-4"
WARD = "tw/tinh-thai-nguyen/phuong-huong-an"
NOW = dt.datetime(2026, 12, 1, 9, 0)


def person(key: str, role: Role, unit: str, name: str = "") -> Principal:
    return Principal(key, name or key, role, unit, AccessLevel.internal)


SECRETARY = person("k-sec", Role.secretary, CELL, "Trần Thị Bình")
MEMBERS = [person(f"k-m{i}", Role.member, CELL, f"Đảng viên {i}") for i in range(20)]
OUTSIDER = person("k-out", Role.member, SIBLING, "Người chi bộ khác")
COMMITTEE = person("k-ward", Role.committee, WARD, "Đảng ủy phường")


def plan(**changes) -> MeetingPlan:
    data = {
        "organization": {"name": "Chi bộ khu dân cư số 3", "parent": "Đảng bộ phường Hương An"},
        "date": "2026-12-15",
        "time_start": "19:30",
        "place": "Nhà văn hóa tổ dân phố số 3",
        "agenda": ["Kiểm điểm nhiệm vụ tháng 11", "Phương hướng nhiệm vụ tháng 12"],
        "readings": ["339-QĐ/TW"],
    }
    data.update(changes)
    return MeetingPlan.model_validate(data)


def test_migrations_go_up_and_down_and_up_again(engine):
    tables = {
        "meetings",
        "meeting_replies",
        "meeting_documents",
        "roster",
        "calendar_feeds",
        "idempotent_requests",
        "consultations",
        "consultation_comments",
    }
    assert current(engine) == head() == "0005_jobs"
    assert tables <= set(inspect(engine).get_table_names())
    assert "record" in {c["name"] for c in inspect(engine).get_columns("meetings")}
    assert downgrade(engine, "0001_meetings") == "0001_meetings"
    assert "record" not in {c["name"] for c in inspect(engine).get_columns("meetings")}
    assert {"meetings", "meeting_replies"} <= set(inspect(engine).get_table_names()) and "roster" not in set(
        inspect(engine).get_table_names()
    )
    assert downgrade(engine, "base") is None
    assert not tables & set(inspect(engine).get_table_names())
    assert upgrade(engine) == head()


def test_a_scheduled_meeting_is_seen_by_its_cell_and_the_committee_above_not_by_a_sibling(engine):
    store = MeetingsStore(engine, clock=lambda: NOW)
    meeting = store.schedule(SECRETARY, plan())
    assert meeting.org_unit == CELL and meeting.starts_at == dt.datetime(2026, 12, 15, 19, 30) and meeting.version == 1
    assert store.listing(MEMBERS[0]) == []  # members see it once its notice is published
    with pytest.raises(NotFound):
        store.get(MEMBERS[0], meeting.id)
    with pytest.raises(NotFound):
        store.publish(MEMBERS[0], meeting.id, "THÔNG BÁO")
    published = store.publish(SECRETARY, meeting.id, "THÔNG BÁO ...")
    assert published.published_at == NOW and published.version == 2
    assert [m.id for m in store.listing(MEMBERS[0])] == [meeting.id]
    assert [m.id for m in store.listing(COMMITTEE)] == [meeting.id]
    assert store.listing(OUTSIDER) == []
    with pytest.raises(NotFound):
        store.get(OUTSIDER, meeting.id)
    with pytest.raises(AccessDenied):
        store.schedule(MEMBERS[0], plan())  # members do not schedule
    with pytest.raises(AccessDenied):
        store.schedule(SECRETARY, plan(org_unit=SIBLING))  # nor for another cell
    with pytest.raises(InvalidInput, match="must start after now"):
        store.schedule(SECRETARY, plan(date="2026-11-30"))
    with pytest.raises(ValidationError, match="place"):
        plan(place="")


def test_members_reply_change_their_reply_and_the_rules_hold(engine):
    clock = {"now": NOW}
    store = MeetingsStore(engine, clock=lambda: clock["now"])
    meeting = store.schedule(SECRETARY, plan())
    with pytest.raises(NotFound):  # members do not see it before the notice
        store.reply(MEMBERS[0], meeting.id, ReplyIn(attending=True))
    with pytest.raises(Conflict, match="not published"):  # its secretary, a member of the cell too, does
        store.reply(SECRETARY, meeting.id, ReplyIn(attending=True))
    store.publish(SECRETARY, meeting.id, "THÔNG BÁO")
    first = store.reply(MEMBERS[0], meeting.id, ReplyIn(attending=True))
    absent = store.reply(MEMBERS[1], meeting.id, ReplyIn(attending=False, reason="đi công tác"))
    assert (first.version, absent.reason) == (1, "đi công tác")
    with pytest.raises(ValidationError, match="reason"):
        ReplyIn(attending=False)
    changed = store.reply(MEMBERS[0], meeting.id, ReplyIn(attending=False, reason="ốm", expected_version=1))
    assert changed.version == 2 and not changed.attending
    with pytest.raises(Conflict, match="changed meanwhile"):
        store.reply(MEMBERS[0], meeting.id, ReplyIn(attending=True, expected_version=1))
    with pytest.raises(AccessDenied):
        store.reply(COMMITTEE, meeting.id, ReplyIn(attending=True))  # only the cell's own members reply
    with pytest.raises(NotFound):
        store.reply(OUTSIDER, meeting.id, ReplyIn(attending=True))
    member_view, secretary_view = store.get(MEMBERS[0], meeting.id), store.get(SECRETARY, meeting.id)
    assert (member_view.attending, member_view.not_attending) == (0, 2) and member_view.replies is None
    assert member_view.my_reply.reason == "ốm" and {r.member_name for r in secretary_view.replies} == {
        "Đảng viên 0",
        "Đảng viên 1",
    }
    clock["now"] = dt.datetime(2026, 12, 15, 19, 30)
    with pytest.raises(Conflict, match="started"):
        store.reply(MEMBERS[2], meeting.id, ReplyIn(attending=True))
    assert [m.started for m in store.listing(MEMBERS[0])] == [True]  # open until its minutes are approved


def test_replies_sent_at_once_are_all_kept_once(engine):
    store = MeetingsStore(engine, clock=lambda: NOW)
    meeting = store.schedule(SECRETARY, plan())
    store.publish(SECRETARY, meeting.id, "THÔNG BÁO")
    errors: list[Exception] = []

    def send(member: Principal, attending: bool) -> None:
        try:
            store.reply(member, meeting.id, ReplyIn(attending=attending, reason="" if attending else "ốm"))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(m, i % 3 != 0)) for i, m in enumerate(MEMBERS)]
    threads += [threading.Thread(target=send, args=(MEMBERS[0], True)) for _ in range(4)]  # one member, five times
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e for e in errors if not isinstance(e, Conflict)] == []
    seen = store.get(SECRETARY, meeting.id)
    assert len(seen.replies) == 20 and len({r.member_name for r in seen.replies}) == 20
    figures = store.month_figures(COMMITTEE, "2026-12")
    assert [(f.org_unit, f.scheduled, f.replies) for f in figures] == [(CELL, 1, 20)]
    assert figures[0].attending + figures[0].not_attending == 20
    with pytest.raises(AccessDenied):
        store.month_figures(MEMBERS[0], "2026-12")
    with pytest.raises(InvalidInput):
        store.month_figures(COMMITTEE, "December")


def test_meetings_over_http_with_real_keys_and_the_db_command(fresh_assistant, capsys):
    from assistant.cli import main
    from tests.conftest import api_key, keyed_client

    date = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    with keyed_client(fresh_assistant, role="secretary", org_unit=CELL) as secretary:
        created = secretary.post("/v1/meetings", json=plan(date=date).model_dump(mode="json"))
        assert created.status_code == 201, created.text
        meeting = created.json()
        member, sibling = api_key(fresh_assistant, "member", CELL), api_key(fresh_assistant, "member", SIBLING)
        ward = api_key(fresh_assistant, "committee", WARD)
        assert secretary.get("/v1/meetings", headers=member).json() == []
        published = secretary.post(f"/v1/meetings/{meeting['id']}/publish", params={"number": 7})
        assert published.status_code == 200 and "Số 07-TB/CB" in published.json()["notice"]
        assert [m["id"] for m in secretary.get("/v1/meetings", headers=member).json()] == [meeting["id"]]
        assert secretary.get(f"/v1/meetings/{meeting['id']}", headers=sibling).status_code == 404
        reply = secretary.put(
            f"/v1/meetings/{meeting['id']}/reply", headers=member, json={"attending": False, "reason": "đi công tác"}
        )
        assert reply.status_code == 200 and reply.json()["version"] == 1
        stale = secretary.put(
            f"/v1/meetings/{meeting['id']}/reply", headers=member, json={"attending": True, "expected_version": 5}
        )
        assert stale.status_code == 409 and "changed meanwhile" in stale.json()["detail"]
        no_reason = secretary.put(f"/v1/meetings/{meeting['id']}/reply", headers=member, json={"attending": False})
        assert no_reason.status_code == 422
        assert (
            secretary.post("/v1/meetings", headers=member, json=plan(date=date).model_dump(mode="json")).status_code
            == 403
        )
        figures = secretary.get("/v1/meetings/figures", headers=ward, params={"month": date[:7]}).json()
        assert [(f["org_unit"], f["scheduled"], f["not_attending"]) for f in figures] == [(CELL, 1, 1)]
        assert secretary.get(f"/v1/meetings/{meeting['id']}").json()["replies"][0]["reason"] == "đi công tác"
        notice = secretary.post(f"/v1/meetings/{meeting['id']}/notice", params={"number": 7})
        assert notice.status_code == 200 and notice.json()["kind"] == "notice"
        markdown = notice.json()["markdown"]
        assert "Số 07-TB/CB" in markdown and "1. Kiểm điểm nhiệm vụ tháng 11." in markdown and "339-QĐ/TW" in markdown
        assert secretary.post(f"/v1/meetings/{meeting['id']}/notice", headers=member).status_code == 403
        assert (
            secretary.post(
                f"/v1/meetings/{meeting['id']}/notice", headers=api_key(fresh_assistant, "secretary", SIBLING)
            ).status_code
            == 404
        )
    data = ["--data-dir", str(fresh_assistant.settings.data_dir)]
    assert main([*data, "db", "current"]) == 0 and "at 0005_jobs; newest 0005_jobs" in capsys.readouterr().out
    assert main([*data, "db", "downgrade", "base"]) == 0 and "at base (empty)" in capsys.readouterr().out
    assert main([*data, "db", "upgrade"]) == 0 and "at 0005_jobs" in capsys.readouterr().out
