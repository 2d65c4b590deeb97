"""Backup and restore of a data directory, while the server keeps serving.

``backup`` makes a consistent snapshot: each SQLite database (catalog, keys, audit, the application store,
Chroma's own) through SQLite's online backup API, and the files of the index (Chroma's segments, BM25) copied
while the index's write lock is held, so no ingest is half in the copy (readers go on; writers wait a few
seconds). Caches (embeddings, read-aloud audio) are left out: they are rebuilt on demand. A manifest lists
every file with its SHA-256, and the index's model, collection and counts. The snapshot is a directory or a
``.tar.zst`` / ``.tar.gz`` archive, written under a temporary name and renamed when complete.

``restore`` checks the archive whole before touching anything — its manifest is ours, every file is listed
and matches its checksum, nothing else is in it, no path leaves the directory — then swaps it in with two
renames (the old directory is kept beside it), so a data directory is never half restored. It refuses while
a process has the data directory open.

In server mode the operator backs up what those servers hold with their own tools (``pg_dump`` for a
PostgreSQL store, the ``chroma run --path`` directory for a Chroma server); ``backup`` says so in the manifest
and copies what the service owns.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.errors import IndexLocked, InvalidInput
from assistant.index.live import POINTER, live_index

FORMAT, VERSION = "assistant-backup", 1
MANIFEST = "manifest.json"
DATABASES = ("catalog.sqlite3", "keys.sqlite3", "audit.sqlite3", "app.sqlite3")
INDEX_DIRS = ("chroma", "bm25")
KEPT_DIRS = ("jobs",)  # job results and uploads (written whole, renamed into place)
LOCK_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class BackupReport:
    path: Path
    files: int
    bytes: int
    seconds: float
    documents: int
    chunks: int
    external: list[str]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (its WAL included), via the online backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _copy_tree(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_dir() or path.name.endswith(("-wal", "-shm", "-journal", ".lock")):
            continue
        if path.suffix == ".sqlite3":
            _copy_sqlite(path, target / relative)
        else:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)


def _counts(catalog: Path) -> tuple[int, int]:
    if not catalog.exists():
        return 0, 0
    db = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    try:
        documents, chunks = db.execute("SELECT COUNT(*), COALESCE(SUM(n_chunks), 0) FROM documents").fetchone()
    finally:
        db.close()
    return int(documents), int(chunks)


def snapshot(settings: Settings, staging: Path) -> dict:
    """Copy ``settings.data_dir`` into the empty directory ``staging`` and write its manifest; returns it."""
    data = settings.data_dir
    if not (data / "catalog.sqlite3").exists():
        raise InvalidInput(f"{data} holds no index (no catalog.sqlite3): nothing to back up")
    lock = FileLock(str(data / "write.lock"))
    try:
        lock.acquire(timeout=LOCK_TIMEOUT_S)
    except Timeout as exc:
        raise IndexLocked(f"an ingest held {data} for over {LOCK_TIMEOUT_S:g} s; try again") from exc
    try:  # nothing is written to the index while this runs
        for name in DATABASES:
            if (data / name).exists():
                _copy_sqlite(data / name, staging / name)
        for name in INDEX_DIRS:
            if (data / name).is_dir():
                _copy_tree(data / name, staging / name)
        if (data / POINTER).exists():  # which collection is live (after a re-index)
            shutil.copy2(data / POINTER, staging / POINTER)
    finally:
        lock.release()
    for name in KEPT_DIRS:
        if (data / name).is_dir():
            _copy_tree(data / name, staging / name)
    documents, chunks = _counts(staging / "catalog.sqlite3")
    external = []
    if settings.database_url:
        external.append(
            f"the application store at {settings.database_url.split('@')[-1]}: back it up with its own tools (pg_dump)"
        )
    if settings.chroma_mode == "http":
        external.append(
            f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}: back up the "
            "directory it was started with (`chroma run --path DIR`)"
        )
    files = {
        str(p.relative_to(staging).as_posix()): {"sha256": _sha256(p), "bytes": p.stat().st_size}
        for p in sorted(staging.rglob("*"))
        if p.is_file()
    }
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embedding_model": live_index(settings).embedding_model,
        "collection": live_index(settings).collection,
        "documents": documents,
        "chunks": chunks,
        "external": external,
        "files": files,
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def _archive_kind(path: Path) -> str | None:
    name = path.name.lower()
    return "zst" if name.endswith(".tar.zst") else "gz" if name.endswith((".tar.gz", ".tgz")) else None


def backup(settings: Settings, destination: Path) -> BackupReport:
    """Snapshot the data directory into ``destination`` (a new directory, or a .tar.zst/.tar.gz file)."""
    started = time.perf_counter()
    if destination.exists():
        raise InvalidInput(f"{destination} exists already: name a new file or directory")
    destination.parent.mkdir(parents=True, exist_ok=True)
    kind = _archive_kind(destination)
    staging = destination.with_name(f".{destination.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        manifest = snapshot(settings, staging)
        if kind is None:
            staging.rename(destination)
        else:
            partial = destination.with_name(f".{destination.name}.partial-archive")
            _write_archive(staging, partial, kind)
            partial.rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if kind is not None:
            destination.with_name(f".{destination.name}.partial-archive").unlink(missing_ok=True)
    size = destination.stat().st_size if destination.is_file() else sum(f["bytes"] for f in manifest["files"].values())
    return BackupReport(
        destination,
        len(manifest["files"]),
        size,
        round(time.perf_counter() - started, 2),
        manifest["documents"],
        manifest["chunks"],
        manifest["external"],
    )


def _write_archive(folder: Path, target: Path, kind: str) -> None:
    if kind == "zst":
        import zstandard

        with (
            target.open("wb") as raw,
            zstandard.ZstdCompressor(level=10).stream_writer(raw) as compressed,
            tarfile.open(fileobj=compressed, mode="w|") as tar,
        ):
            tar.add(folder, arcname=".")
    else:
        with tarfile.open(target, "w:gz") as tar:
            tar.add(folder, arcname=".")


def _extract(archive: Path, target: Path) -> None:
    """Unpack an archive, refusing links, devices and paths that leave ``target``."""

    def members(tar: tarfile.TarFile):
        for member in tar:
            path = PurePosixPath(member.name)
            if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
                raise InvalidInput(f"{archive.name} holds '{member.name}', which a backup never does: not restored")
            yield member

    if _archive_kind(archive) == "zst":
        import zstandard

        with archive.open("rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as stream:
            with tarfile.open(fileobj=io.BufferedReader(stream), mode="r|") as tar:
                for member in members(tar):
                    tar.extract(member, target, filter="data")
    else:
        with tarfile.open(archive, "r:*") as tar:
            for member in members(tar):
                tar.extract(member, target, filter="data")


def verify(folder: Path) -> dict:
    """The manifest of an unpacked backup, after checking every file against it (``InvalidInput`` if not)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput("not a backup of this service: no readable manifest.json") from exc
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), dict)
    ):
        raise InvalidInput("not a backup of this service: its manifest is of another kind")
    if manifest.get("version") != VERSION:
        raise InvalidInput(f"a backup of format version {manifest.get('version')}; this service reads {VERSION}")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    listed = set(manifest["files"])
    if present != listed:
        odd = sorted(present ^ listed)[:3]
        raise InvalidInput(f"the backup is damaged: files missing or not listed ({', '.join(odd)})")
    for name, expected in manifest["files"].items():
        if _sha256(folder / name) != expected.get("sha256"):
            raise InvalidInput(f"the backup is damaged: {name} does not match its checksum")
    return manifest


def restore(archive: Path, data_dir: Path) -> tuple[dict, Path | None]:
    """Replace ``data_dir`` with the backup in ``archive`` (a directory or an archive file), all or nothing.

    Returns the manifest and where the previous data directory was moved (None when there was none)."""
    if not archive.exists():
        raise InvalidInput(f"no backup at {archive}")
    if data_dir.exists() and (data_dir / "owner.lock").exists():
        lock = FileLock(str(data_dir / "owner.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout as exc:
            raise IndexLocked(f"{data_dir} is open in a running process: stop the server before restoring") from exc
        lock.release()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    staging = data_dir.with_name(f".{data_dir.name}.restore-{stamp}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        if archive.is_dir():
            shutil.copytree(archive, staging)
        elif _archive_kind(archive) is not None:
            staging.mkdir()
            _extract(archive, staging)
        else:
            raise InvalidInput(f"{archive.name}: a backup is a directory, a .tar.zst or a .tar.gz")
        manifest = verify(staging)
    except (tarfile.TarError, EOFError, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise InvalidInput(f"the backup cannot be read ({exc}): nothing was restored") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    (staging / MANIFEST).unlink()
    previous = None
    if data_dir.exists():
        previous = data_dir.with_name(f"{data_dir.name}.before-restore-{stamp}")
        data_dir.rename(previous)
    try:
        staging.rename(data_dir)
    except OSError:
        if previous is not None:
            previous.rename(data_dir)
        raise
    return manifest, previous
