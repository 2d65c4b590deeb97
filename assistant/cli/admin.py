"""Command line for operators: ``assistant keys create|list|revoke`` (keeping the cells' rosters in step),
``assistant db``, ``assistant audit``, ``assistant backup`` and ``assistant restore``."""

from __future__ import annotations

import argparse
import datetime as dt
from contextlib import closing
from pathlib import Path

from assistant.audit import AuditLog
from assistant.auth import KeyStore, Role
from assistant.cli.common import print_json, record_cli_action, settings_from
from assistant.config import Settings
from assistant.domain import AccessLevel
from assistant.errors import InvalidInput


def _when(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else "-"


def sync_roster(settings: Settings, keys: KeyStore, membership: dict | None = None) -> dict[str, int]:
    """Bring the cells' rosters in the application store in step with the key store."""
    from assistant.store import database
    from assistant.store.roster import RosterStore

    engine = database.open_store(settings)
    try:
        database.upgrade(engine)
        return RosterStore(engine).sync(keys.list(), membership)
    finally:
        engine.dispose()


def _end_of_day(day: str | None) -> float | None:
    """``YYYY-MM-DD`` as the last second of that day (local time), or None."""
    if not day:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(23, 59, 59)).timestamp()
    except ValueError as exc:
        raise InvalidInput(f"--expires takes a date as YYYY-MM-DD, not '{day}'") from exc


def cmd_keys_create(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with closing(KeyStore(settings.keys_path)) as store:
        key, info = store.create(args.name, args.role, args.org_unit, args.clearance, _end_of_day(args.expires))
        sync_roster(settings, store, {info.key_id: args.membership})
    record_cli_action(
        settings,
        "keys.create",
        info.key_id,
        name=info.name,
        role=info.role.value,
        org_unit=info.org_unit,
        clearance=info.clearance.value,
        membership=args.membership,
        expires=args.expires,
    )
    if args.json:
        print_json({**info.as_dict(), "key": key})
    else:
        print(
            f"created key {info.key_id} for {info.name}: {info.role.value}, "
            f"{info.org_unit or '(whole organization)'}, clearance {info.clearance.value}"
            + (f", expires {_when(info.expires_at)}" if info.expires_at else "")
        )
        print(f"\n  {key}\n\nGive it to its user now: it is stored only as a hash and cannot be shown again.")
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    with closing(KeyStore(settings_from(args).keys_path)) as store:
        keys = store.list(include_revoked=args.all)
    if args.json:
        print_json([k.as_dict() for k in keys])
        return 0
    for k in keys:
        state = (
            f"revoked {_when(k.revoked_at)}"
            if k.revoked_at
            else "expired"
            if not k.usable()
            else f"active until {_when(k.expires_at)}"
            if k.expires_at
            else "active"
        )
        print(
            f"{k.key_id}  {k.role.value:9} {k.clearance.value:12} {k.org_unit or '(whole organization)':45} "
            f"{k.name[:30]:30} created {_when(k.created_at)}  {state}"
        )
    if not keys:
        print("no keys" + ("" if args.all else " (active); --all shows revoked ones"))
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with closing(KeyStore(settings.keys_path)) as store:
        info = store.revoke(args.key_id)
        sync_roster(settings, store)
    record_cli_action(settings, "keys.revoke", info.key_id, name=info.name)
    print(f"revoked {info.key_id} ({info.name}); it stops working at once")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from assistant.store import database

    settings = settings_from(args)
    engine = database.open_store(settings)
    try:
        if args.db_command == "upgrade":
            database.upgrade(engine, args.revision)
        elif args.db_command == "downgrade":
            database.downgrade(engine, args.revision)
        print(
            f"store {settings.store_url.split('@')[-1]}: at {database.current(engine) or 'base (empty)'}; "
            f"newest {database.head()}"
        )
    finally:
        engine.dispose()
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    since = dt.datetime.fromisoformat(args.since).timestamp() if args.since else None
    with closing(AuditLog(settings.audit_path)) as log:
        events = log.query(since=since, action=args.action, key_id=args.key_id, limit=args.limit)
    if args.json:
        print_json([e.model_dump() for e in events])
        return 0
    for e in events:
        who = f"{e.key_name or '-'} ({e.role})" if e.role else (e.key_name or "(no valid key)")
        print(f"{_when(e.ts)}  {e.status:3}  {e.action:17} {who:35} {e.target or '-':40} {e.detail or ''}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from assistant.backup import backup

    settings = settings_from(args)
    report = backup(settings, Path(args.destination))
    record_cli_action(settings, "backup", str(report.path), files=report.files, bytes=report.bytes)
    print(
        f"backed up {report.documents} documents ({report.chunks} chunks) of {settings.data_dir}: {report.files} "
        f"files, {report.bytes / 2**20:.1f} MiB in {report.seconds:g} s -> {report.path}"
    )
    for note in report.external:
        print(f"not in this backup: {note}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from assistant.backup import restore

    settings = settings_from(args)
    manifest, previous = restore(Path(args.archive), settings.data_dir)
    record_cli_action(settings, "restore", args.archive, documents=manifest["documents"])
    print(
        f"restored {manifest['documents']} documents ({manifest['chunks']} chunks, {manifest['embedding_model']}) "
        f"from {args.archive} (made {manifest['created_at']}) into {settings.data_dir}"
    )
    if previous is not None:
        print(f"the previous data directory is kept at {previous}")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from assistant.cli.summaries import progress_bar
    from assistant.errors import IndexLocked
    from assistant.index.reindex import reindex
    from assistant.service import Assistant

    settings = settings_from(args)
    try:
        assistant = Assistant(settings)
    except IndexLocked as exc:
        raise IndexLocked(
            f"{exc}. While the server runs, ask it to re-index: POST /v1/index/reindex with an admin "
            "key (a job; queries go on)"
        ) from exc
    try:
        with progress_bar("re-index") as progress:
            report = reindex(assistant.index, args.embedding_model, progress)
    finally:
        assistant.close()
    record_cli_action(
        settings, "index.reindex", report.collection, embedding_model=report.embedding_model, chunks=report.chunks
    )
    print(
        f"re-indexed {report.chunks} chunks with {report.embedding_model} into {report.collection} in "
        f"{report.seconds:g} s (caught up {report.caught_up} changed meanwhile); {report.previous} is dropped by "
        "the next re-index"
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from assistant.index.check import check
    from assistant.service import Assistant

    settings = settings_from(args)
    assistant = Assistant(settings)
    try:
        report = check(assistant.index, repair=args.repair)
    finally:
        assistant.close()
    if args.repair and report.repaired:
        record_cli_action(settings, "index.repair", None, **report.repaired)
    if args.json:
        print_json(report.as_dict())
    else:
        print(
            f"{report.documents} documents, {report.chunks} chunks; {report.vectors} vectors; "
            f"BM25 {report.bm25_chunks} chunks"
        )
        problems = {
            "interrupted writes": report.pending_writes,
            "vectors of no chunk": len(report.orphan_vectors),
            "vectors of an old version": len(report.stale_vectors),
            "chunks without a vector": len(report.missing_vectors),
            "chunks missing from BM25": report.bm25_missing,
            "BM25 entries of no chunk": report.bm25_extra,
            "BM25 older than the catalog": int(report.bm25_outdated),
        }
        for what, count in problems.items():
            if count:
                print(f"  {what}: {count}")
        if report.consistent:
            print("consistent: catalog, vectors and BM25 agree")
        elif report.repaired:
            print("repaired: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report.repaired.items()))
        else:
            print("inconsistent: run `assistant check --repair` (the catalog is kept; vectors and BM25 follow it)")
    return 0 if report.consistent or report.repaired else 1


def add_commands(sub: argparse._SubParsersAction, evals: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reindex",
        help="embed every chunk again into a new collection and swap it in (e.g. after "
        "changing the embedding model); the server must be stopped, or use POST /v1/index/reindex",
    )
    p.add_argument(
        "--embedding-model",
        help="backend:model, e.g. sentence-transformers:all-MiniLM-L6-v2 (default: the live index's)",
    )
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser("check", help="do catalog, vectors and BM25 agree (ids, versions, counts)? --repair fixes")
    p.add_argument("--repair", action="store_true", help="make vectors and BM25 follow the catalog")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("backup", help="a consistent snapshot of the data directory while the server runs")
    p.add_argument("destination", help="a new directory, or a file ending .tar.zst or .tar.gz")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser(
        "restore",
        help="replace the data directory with a backup (checked whole first; the server "
        "must be stopped; the old directory is kept beside it)",
    )
    p.add_argument("archive", help="a backup directory, .tar.zst or .tar.gz")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("keys", help="API keys: create, list, revoke")
    ks = p.add_subparsers(dest="keys_command", required=True)
    k = ks.add_parser("create", help="a new key for a person or device (shown once)")
    k.add_argument("--name", required=True, help="who or what uses it, e.g. 'Nguyễn Văn An, bí thư chi bộ 3'")
    k.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        help="member: ask and summarize; secretary: also draft; committee: also ingest for its org unit; "
        "admin: everything",
    )
    k.add_argument(
        "--org-unit",
        default="",
        help="org-unit path, e.g. tw/tinh-thai-nguyen/phuong-huong-an (empty: the whole organization)",
    )
    k.add_argument(
        "--clearance",
        default=AccessLevel.internal.value,
        choices=[a.value for a in AccessLevel],
        help="highest access level it may read (default: internal)",
    )
    k.add_argument("--expires", metavar="YYYY-MM-DD", help="the last day the key works (default: until revoked)")
    k.add_argument(
        "--membership",
        default="official",
        choices=["official", "probationary"],
        help="for a member of a cell: an official or a probationary party member (its roster entry)",
    )
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=cmd_keys_create)
    k = ks.add_parser("list", help="keys and their roles (never the keys themselves)")
    k.add_argument("--all", action="store_true", help="include revoked keys")
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=cmd_keys_list)
    k = ks.add_parser("revoke", help="stop a key at once")
    k.add_argument("key_id")
    k.set_defaults(func=cmd_keys_revoke)

    p = sub.add_parser("db", help="the application store's schema (meetings, replies): upgrade, downgrade, current")
    ds = p.add_subparsers(dest="db_command", required=True)
    d = ds.add_parser("upgrade", help="apply the migrations up to REVISION (default: the newest); `serve` does it too")
    d.add_argument("revision", nargs="?", default="head")
    d.set_defaults(func=cmd_db)
    d = ds.add_parser("downgrade", help="undo migrations down to REVISION ('base': an empty store)")
    d.add_argument("revision")
    d.set_defaults(func=cmd_db)
    d = ds.add_parser("current", help="the revision the store is at, and the newest one")
    d.set_defaults(func=cmd_db, revision=None)

    p = sub.add_parser("audit", help="who did what, and when (the audit log)")
    p.add_argument("--since", help="ISO date or time, e.g. 2026-11-01")
    p.add_argument("--action", help="e.g. ask, summarize, documents.ingest")
    p.add_argument("--key-id")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit)
