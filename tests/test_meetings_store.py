"""The application store: migrations up and down, and meetings scheduled, seen and replied to — on SQLite and,
where the Debian ``postgresql`` server is installed, on a throw-away PostgreSQL cluster."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import inspect

from assistant.auth import Principal, Role
from assistant.domain import AccessLevel
from assistant.errors import AccessDenied, Conflict, InvalidInput, NotFound
from assistant.store.database import current, downgrade, engine_for, head, upgrade
from assistant.store.meetings import MeetingPlan, MeetingsStore, ReplyIn

CELL = "tw/tinh-thai-nguyen/phuong-huong-an/chi-bo-3"
SIBLING = "tw/tinh-thai-nguyen/phuong-huong-an/chi-bo-4"
WARD = "tw/tinh-thai-nguyen/phuong-huong-an"
NOW = dt.datetime(2026, 12, 1, 9, 0)
PG_BIN = next((p for p in (Path("/usr/local/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True))
               if (p / "initdb").exists()), None)


def person(key: str, role: Role, unit: str, name: str = "") -> Principal:
    return Principal(key, name or key, role, unit, AccessLevel.internal)


SECRETARY = person("k-sec", Role.secretary, CELL, "Trần Thị Bình")
MEMBERS = [person(f"k-m{i}", Role.member, CELL, f"Đảng viên {i}") for i in range(20)]
OUTSIDER = person("k-out", Role.member, SIBLING, "Người chi bộ khác")
COMMITTEE = person("k-ward", Role.committee, WARD, "Đảng ủy phường")


def plan(**changes) -> MeetingPlan:
    data = {"organization": {"name": "Chi bộ khu dân cư số 3", "parent": "Đảng bộ phường Hương An"},
            "date": "2026-12-15", "time_start": "19:30", "place": "Nhà văn hóa tổ dân phố số 3",
            "agenda": ["Kiểm điểm nhiệm vụ tháng 11", "Phương hướng nhiệm vụ tháng 12"], "readings": ["339-QĐ/TW"]}
    data.update(changes)
    return MeetingPlan.model_validate(data)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    """A throw-away PostgreSQL cluster on a loopback port (skipped when the server is not installed). As root
    (CI), the cluster runs as the ``postgres`` user the Debian package creates: initdb refuses root."""
    import getpass
    import os
    import pwd

    if PG_BIN is None:
        pytest.skip("PostgreSQL server (Debian postgresql) not installed")
    as_user: list[str] = []
    user = getpass.getuser()
    folder = Path(tempfile.mkdtemp(prefix="assistant-pg-"))  # not under pytest's 0700 folder: postgres must reach it
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run the cluster")
        as_user, user = ["runuser", "-u", "postgres", "--"], "postgres"
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data, port = folder / "data", _free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=60)

    run(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", user)
    run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
        "-o", f"-p {port} -k {folder} -h 127.0.0.1", "-w", "start")
    try:
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres"  # the cluster's own database: thrown away
    finally:
        subprocess.run([*as_user, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = engine_for(url)
    downgrade(engine, "base") if current(engine) else None
    upgrade(engine)
    yield engine
    downgrade(engine, "base")
    engine.dispose()


def test_migrations_go_up_and_down_and_up_again(engine):
    assert current(engine) == head() == "0001_meetings"
    assert {"meetings", "meeting_replies"} <= set(inspect(engine).get_table_names())
    assert downgrade(engine, "base") is None
    assert not {"meetings", "meeting_replies"} & set(inspect(engine).get_table_names())
    assert upgrade(engine) == head()


def test_a_scheduled_meeting_is_seen_by_its_cell_and_the_committee_above_not_by_a_sibling(engine):
    store = MeetingsStore(engine, clock=lambda: NOW)
    meeting = store.schedule(SECRETARY, plan())
    assert meeting.org_unit == CELL and meeting.starts_at == dt.datetime(2026, 12, 15, 19, 30) and meeting.version == 1
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
        "Đảng viên 0", "Đảng viên 1"}
    clock["now"] = dt.datetime(2026, 12, 15, 19, 30)
    with pytest.raises(Conflict, match="started"):
        store.reply(MEMBERS[2], meeting.id, ReplyIn(attending=True))
    assert store.listing(MEMBERS[0]) == [] and len(store.listing(MEMBERS[0], upcoming_only=False)) == 1


def test_replies_sent_at_once_are_all_kept_once(engine):
    store = MeetingsStore(engine, clock=lambda: NOW)
    meeting = store.schedule(SECRETARY, plan())
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
        assert [m["id"] for m in secretary.get("/v1/meetings", headers=member).json()] == [meeting["id"]]
        assert secretary.get(f"/v1/meetings/{meeting['id']}", headers=sibling).status_code == 404
        reply = secretary.put(f"/v1/meetings/{meeting['id']}/reply", headers=member,
                              json={"attending": False, "reason": "đi công tác"})
        assert reply.status_code == 200 and reply.json()["version"] == 1
        stale = secretary.put(f"/v1/meetings/{meeting['id']}/reply", headers=member,
                              json={"attending": True, "expected_version": 5})
        assert stale.status_code == 409 and "changed meanwhile" in stale.json()["detail"]
        no_reason = secretary.put(f"/v1/meetings/{meeting['id']}/reply", headers=member, json={"attending": False})
        assert no_reason.status_code == 422
        assert secretary.post("/v1/meetings", headers=member, json=plan(date=date).model_dump(mode="json")).status_code == 403
        figures = secretary.get("/v1/meetings/figures", headers=ward, params={"month": date[:7]}).json()
        assert [(f["org_unit"], f["scheduled"], f["not_attending"]) for f in figures] == [(CELL, 1, 1)]
        assert secretary.get(f"/v1/meetings/{meeting['id']}").json()["replies"][0]["reason"] == "đi công tác"
        notice = secretary.post(f"/v1/meetings/{meeting['id']}/notice", params={"number": 7})
        assert notice.status_code == 200 and notice.json()["kind"] == "notice"
        markdown = notice.json()["markdown"]
        assert "Số 07-TB/CB" in markdown and "1. Kiểm điểm nhiệm vụ tháng 11." in markdown and "339-QĐ/TW" in markdown
        assert secretary.post(f"/v1/meetings/{meeting['id']}/notice", headers=member).status_code == 403
        assert secretary.post(f"/v1/meetings/{meeting['id']}/notice", headers=api_key(
            fresh_assistant, "secretary", SIBLING)).status_code == 404
    data = ["--data-dir", str(fresh_assistant.settings.data_dir)]
    assert main([*data, "db", "current"]) == 0 and "at 0001_meetings; newest 0001_meetings" in capsys.readouterr().out
    assert main([*data, "db", "downgrade", "base"]) == 0 and "at base (empty)" in capsys.readouterr().out
    assert main([*data, "db", "upgrade"]) == 0 and "at 0001_meetings" in capsys.readouterr().out
