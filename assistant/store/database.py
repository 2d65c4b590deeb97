"""Connecting to the store and migrating it: ``assistant db upgrade`` (also run when the server starts)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from assistant.config import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def engine_for(url: str) -> Engine:
    """An engine for ``url``; SQLite waits for a writer instead of failing, and enforces foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record) -> None:  # noqa: ANN001 (DB-API connection)
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def open_store(settings: Settings) -> Engine:
    """The engine of the store ``settings`` name (the data directory made first: SQLite's file lives there)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return engine_for(settings.store_url)


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the store's schema to ``revision``; returns the revision it is at afterwards."""
    command.upgrade(_config(engine), revision)
    return current(engine)


def downgrade(engine: Engine, revision: str) -> str | None:
    command.downgrade(_config(engine), revision)
    return current(engine)


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    return ScriptDirectory.from_config(_config(create_engine("sqlite://"))).get_current_head()


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
