"""Shared fixtures: real settings in temporary data dirs, the real embedding model, the real corpus."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.config import PROJECT_ROOT, Settings
from assistant.service import Assistant
from assistant.store.database import current, downgrade, engine_for, upgrade
from benchmarks.live_server import free_port
from benchmarks.pg_cluster import PostgresUnavailable, throwaway_postgres

CORPUS = PROJECT_ROOT / "corpus"
WARD = "tw/tinh-thai-nguyen/phuong-huong-an"
CELL_3 = f"{WARD}/chi-bo-3"


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, seed_corpus=None, **{"auth_dev_key": False, **overrides})


def api_key(
    assistant: Assistant, role: str = "admin", org_unit: str = "", clearance: str = "confidential"
) -> dict[str, str]:
    """Headers carrying a new API key with this role, org unit and clearance."""
    key, _ = assistant.keys.create(f"test {role} {org_unit or 'all'}", role, org_unit, clearance)
    return {"Authorization": f"Bearer {key}"}


def keyed_client(
    assistant: Assistant,
    role: str = "admin",
    org_unit: str = "",
    clearance: str = "confidential",
    settings: Settings | None = None,
) -> TestClient:
    """A TestClient of the real app that sends a key of this role on every request (use it in a ``with``)."""
    app = create_app(settings or assistant.settings, assistant=assistant)
    return TestClient(app, headers=api_key(assistant, role, org_unit, clearance))


@contextmanager
def served(assistant: Assistant) -> Iterator[str]:
    """The real app over ``assistant`` served by uvicorn on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(assistant.settings, assistant=assistant), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory) -> Assistant:
    """The sample corpus ingested once per session into a temporary data dir (real Chroma, real model)."""
    assistant = Assistant(make_settings(tmp_path_factory.mktemp("corpus-index")))
    report = assistant.pipeline.ingest_paths([CORPUS])
    assert report.failures == [], report.failures
    yield assistant
    assistant.close()


@pytest.fixture(scope="module")
def regulation_assistant(tmp_path_factory) -> Assistant:
    """An index of its own (per test module) holding Regulation 339 only: quick to build, a real draft to read."""
    assistant = Assistant(make_settings(tmp_path_factory.mktemp("regulation-339")))
    assistant.pipeline.ingest_paths([CORPUS / "qd-339-so-tay-dang-vien.md"])
    yield assistant
    assistant.close()


@pytest.fixture
def fresh_assistant(tmp_path) -> Assistant:
    """An empty index of its own."""
    assistant = Assistant(make_settings(tmp_path / "data"))
    yield assistant
    assistant.close()


@pytest.fixture
def docs_dir(tmp_path) -> Path:
    """A folder with copies of a few corpus files that a test may change."""
    target = tmp_path / "docs"
    target.mkdir()
    for name in (
        "qd-339-so-tay-dang-vien.md",
        "regulation-102-paperless-meetings-en.md",
        "tb-08-lich-sinh-hoat-chi-bo-3.txt",
    ):
        shutil.copy(CORPUS / name, target / name)
    return target


# -- the application store on SQLite and on a throw-away PostgreSQL ---------------------------------------
@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away PostgreSQL cluster (skipped when the server is not installed)."""
    try:
        with throwaway_postgres() as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))


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
