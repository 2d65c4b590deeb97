"""API keys, roles, the audit log and upload checks (no model, no index)."""

from __future__ import annotations

import io
import os
import sqlite3
import stat
import time
import zipfile

import pytest

from assistant.audit import AuditEvent, AuditLog
from assistant.auth import KeyStore, Permission, Principal, Role
from assistant.domain import AccessLevel, DocumentMeta
from assistant.errors import AccessDenied, IngestError, InvalidInput, PayloadTooLarge, UnsupportedType
from assistant.ingest.isolation import IsolatedParser
from assistant.ingest.loaders import LoadedFile
from assistant.ingest.uploads import check_upload, safe_filename, sniff

WARD = "tw/tinh-a/phuong-b"


def slow_parse(data: bytes, suffix: str) -> LoadedFile:
    """A parser that hangs on files that say so (module level: the child process imports it)."""
    if data.startswith(b"hang"):
        time.sleep(30)
    return LoadedFile(pages=[data.decode()])


def test_keys_are_hashed_at_rest_and_revocable(tmp_path):
    store = KeyStore(tmp_path / "keys.sqlite3")
    key, info = store.create("Bí thư chi bộ 3", "secretary", "TW/Tinh A/Phuong B", "internal")
    assert key.startswith(f"ga_{info.key_id}_") and info.org_unit == WARD
    principal = store.authenticate(key)
    assert principal == Principal(info.key_id, "Bí thư chi bộ 3", Role.secretary, WARD, AccessLevel.internal)
    store.close()
    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert key.encode() not in on_disk and key.split("_")[2].encode() not in on_disk  # only the hash is stored

    store = KeyStore(tmp_path / "keys.sqlite3")
    for wrong in ("", "ga_x", key[:-1] + ("A" if key[-1] != "A" else "B"), f"ga_{'0' * 12}_{key.split('_', 2)[2]}"):
        assert store.authenticate(wrong) is None, wrong
    store.revoke(info.key_id)
    assert store.authenticate(key) is None
    assert [k.revoked_at is not None for k in store.list()] == [True] and store.list(include_revoked=False) == []
    with pytest.raises(InvalidInput, match="already revoked"):
        store.revoke(info.key_id)
    with pytest.raises(InvalidInput):
        store.create("x", "superuser")
    with pytest.raises(InvalidInput):
        store.create("  ", "member")


def test_dev_admin_key_is_kept_private_and_reused(tmp_path):
    store = KeyStore(tmp_path / "keys.sqlite3")
    path = tmp_path / "dev-admin.key"
    key = store.dev_admin_key(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert store.authenticate(key).role == Role.admin and store.dev_admin_key(path) == key
    store.revoke(store.authenticate(key).key_id)
    assert store.dev_admin_key(path) != key  # a revoked dev key is replaced


def meta(org_unit: str, level: str = "public", doc_id: str = "d") -> DocumentMeta:
    return DocumentMeta(doc_id=doc_id, org_unit=org_unit, access_level=AccessLevel(level))


def test_roles_permissions_and_scope():
    member = Principal("k1", "m", Role.member, f"{WARD}/chi-bo-3", AccessLevel.internal)
    committee = Principal("k2", "c", Role.committee, WARD, AccessLevel.internal)
    admin = Principal("k3", "a", Role.admin, "", AccessLevel.confidential)
    assert [member.can(p) for p in Permission] == [True, False, False, False]
    assert [Principal("k", "s", Role.secretary, WARD, AccessLevel.public).can(p) for p in Permission] == [
        True,
        True,
        False,
        False,
    ]
    assert [committee.can(p) for p in Permission] == [True, True, True, False]
    assert all(admin.can(p) for p in Permission)
    with pytest.raises(AccessDenied, match="member"):
        member.require(Permission.draft)

    scope = member.scope()
    assert scope.matches(meta("tw")) and scope.matches(meta(WARD, "internal"))
    assert not scope.matches(meta(WARD, "confidential")) and not scope.matches(meta(f"{WARD}/chi-bo-5"))
    assert admin.scope().matches(meta("tw/tinh-z/x", "confidential"))

    committee.check_manages(meta(f"{WARD}/chi-bo-3", "internal"))
    for bad, reason in (
        (meta("tw/tinh-a"), "belongs to"),
        (meta(WARD, "confidential"), "clearance"),
        (meta(""), "whole organization"),
    ):
        with pytest.raises(AccessDenied, match=reason):
            committee.check_manages(bad)
    with pytest.raises(AccessDenied, match="belongs to"):  # replacing another unit's document under the same id
        committee.check_manages(meta(WARD), replacing=meta("tw/tinh-a/phuong-c"))
    with pytest.raises(AccessDenied):
        member.check_manages(meta(f"{WARD}/chi-bo-3"))
    admin.check_manages(meta("", "confidential"))


def test_audit_log_is_append_only_and_keeps_questions_only_if_allowed(tmp_path):
    log = AuditLog(tmp_path / "audit.sqlite3")
    assert log.question_detail("Mật khẩu?") == {"question_chars": 9}
    assert AuditLog(tmp_path / "other.sqlite3", store_questions=True).question_detail("q", "query") == {"query": "q"}
    for i, action in enumerate(("ask", "documents.ingest", "ask")):
        log.record(AuditEvent(action=action, key_id=f"k{i}", target=f"t{i}", status=200, detail={"n": i}))
    events = log.query()
    assert [e.action for e in events] == ["ask", "documents.ingest", "ask"] and events[1].detail == {"n": 1}
    assert [e.target for e in log.query(action="ask")] == ["t0", "t2"]
    assert [e.id for e in log.query(after_id=events[0].id, limit=1)] == [events[1].id]
    assert log.query(since=time.time() + 60) == []
    connection = sqlite3.connect(tmp_path / "audit.sqlite3")
    for statement in ("UPDATE events SET action='x'", "DELETE FROM events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute(statement)
    assert len(log.query()) == 3


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\Windows\\win.ini.md", "win.ini.md"),
        ("/abs/path/Quyết định 339.pdf", "Quyết định 339.pdf"),
        (".hidden.md", "hidden.md"),
        ("bad\x00name\n.txt", "badname.txt"),
        ("a<b>|c?.html", "a_b_c.html"),
        ("", "upload"),
        ("..", "upload"),
        ("x" * 300 + ".docx", "x" * 115 + ".docx"),
    ],
)
def test_safe_file_names(name, expected):
    assert safe_filename(name) == expected


def docx_bytes(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_upload_types_are_sniffed_not_trusted():
    pdf, text = b"%PDF-1.7\n...", "Điều 1. Nội dung\n".encode()
    word = docx_bytes({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})
    assert [sniff(x) for x in (pdf, word, text, b"\x00\x01", b"RIFF....WAVE", docx_bytes({"a.txt": b"a"}))] == [
        "pdf",
        "docx",
        "text",
        "binary",
        "audio",
        "zip",
    ]
    assert check_upload(text, "../x.md", 10_000, 10_000) == "x.md"
    for data, name, message in (
        (pdf, "a.txt", "content is a PDF"),
        (word, "a.pdf", "Word document"),
        (text, "a.docx", "content is text"),
        (b"\x7fELF\x00\x00", "a.md", "binary"),
        (text, "a.exe", "unsupported file type"),
    ):
        with pytest.raises(UnsupportedType, match=message):
            check_upload(data, name, 10_000, 10_000)
    with pytest.raises(PayloadTooLarge):
        check_upload(text * 1000, "a.txt", 1000, 10_000)
    with pytest.raises(IngestError, match="empty"):
        check_upload(b"  \n", "a.txt", 1000, 10_000)


def test_zip_bombs_are_refused():
    bomb = docx_bytes({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w>" + b"0" * (8 * 2**20) + b"</w>"})
    assert len(bomb) < 100_000
    with pytest.raises(IngestError, match="zip bomb"):  # over the expanded-size limit
        check_upload(bomb, "a.docx", 2**20, 4 * 2**20)
    with pytest.raises(IngestError, match="expands"):  # under it, but expanding ~1000x
        check_upload(bomb, "a.docx", 2**20, 64 * 2**20)
    many = docx_bytes({"word/document.xml": b"<w/>", **{f"word/media/{i}.xml": b"x" for i in range(2100)}})
    with pytest.raises(IngestError, match="parts"):
        check_upload(many, "a.docx", 2**20, 64 * 2**20)


def test_isolated_parser_stops_a_hanging_parse_and_recovers():
    parser = IsolatedParser(timeout_s=3, function=slow_parse)
    try:
        assert parser.parse(b"ok", ".txt").pages == ["ok"]
        started = time.monotonic()
        with pytest.raises(IngestError, match="longer than 3 s"):
            parser.parse(b"hang", ".txt")
        assert time.monotonic() - started < 10
        assert parser.parse(b"again", ".txt").pages == ["again"]  # a fresh child takes over
    finally:
        parser.close()


def test_isolated_parser_reports_parse_errors_from_the_child():
    parser = IsolatedParser(timeout_s=20)
    try:
        with pytest.raises(IngestError, match="corrupt or truncated PDF"):
            parser.parse(b"%PDF-1.4 garbage", ".pdf")
        assert parser.parse("Điều 1. Một".encode(), ".md").pages == ["Điều 1. Một"]
    finally:
        parser.close()
