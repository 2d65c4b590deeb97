"""A throw-away PostgreSQL cluster on a loopback port, for the store's tests and the meetings load run.

As root (CI), the cluster runs as the ``postgres`` user the Debian package creates: initdb refuses root.
"""

from __future__ import annotations

import getpass
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.live_server import free_port

PG_BIN = next(
    (
        p
        for p in (Path("/usr/local/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True))
        if (p / "initdb").exists()
    ),
    None,
)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server here (Debian ``postgresql``), or no user to run it as."""


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a fresh cluster; yields a SQLAlchemy URL of its own database; stops and deletes it on exit."""
    if PG_BIN is None:
        raise PostgresUnavailable("PostgreSQL server (Debian postgresql) not installed")
    as_user: list[str] = []
    user = getpass.getuser()
    folder = Path(tempfile.mkdtemp(prefix="assistant-pg-"))  # not under a 0700 folder: postgres must reach it
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise PostgresUnavailable("running as root and there is no postgres user to run the cluster") from exc
        as_user, user = ["runuser", "-u", "postgres", "--"], "postgres"
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data, port = folder / "data", free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=60)

    try:
        run(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", user)
        run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-o",
            f"-p {port} -k {folder} -h 127.0.0.1 -c max_connections=200",
            "-w",
            "start",
        )
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres"  # the cluster's own database: thrown away
    finally:
        subprocess.run([*as_user, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
