"""Shared fixtures: real settings in temporary data dirs, the real embedding model, the real corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.service import Assistant

CORPUS = PROJECT_ROOT / "corpus"


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, seed_corpus=None, **overrides)


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory) -> Assistant:
    """The sample corpus ingested once per session into a temporary data dir (real Chroma, real model)."""
    assistant = Assistant(make_settings(tmp_path_factory.mktemp("corpus-index")))
    report = assistant.pipeline.ingest_paths([CORPUS])
    assert report.failures == [], report.failures
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
    for name in ("qd-339-so-tay-dang-vien.md", "regulation-102-paperless-meetings-en.md", "tb-08-lich-sinh-hoat-chi-bo-3.txt"):
        shutil.copy(CORPUS / name, target / name)
    return target
