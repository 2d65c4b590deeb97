"""Which Chroma collection is live, and which embedding model built it: ``<data_dir>/index.json``, written by
``assistant reindex`` with an atomic rename; without it, the settings' collection and model."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings

POINTER = "index.json"


@dataclass(frozen=True)
class LiveIndex:
    collection: str
    embedding_model: str


def pointer_stamp(settings: Settings) -> tuple[int, int] | None:
    """``(mtime in ns, size)`` of the pointer file, None without one: whether it changed, without reading it."""
    try:
        stat = (settings.data_dir / POINTER).stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def live_index(settings: Settings) -> LiveIndex:
    """The collection queries use and the model that built it: the pointer's, else the settings'."""
    try:
        data = json.loads((settings.data_dir / POINTER).read_text(encoding="utf-8"))
        return LiveIndex(str(data["collection"]), str(data["embedding_model"]))
    except (OSError, ValueError, KeyError):
        return LiveIndex(settings.collection, settings.embedding_model)


def write_pointer(data_dir: Path, live: LiveIndex) -> None:
    partial = data_dir / f".{POINTER}.partial"
    partial.write_text(
        json.dumps({"collection": live.collection, "embedding_model": live.embedding_model}), encoding="utf-8"
    )
    partial.replace(data_dir / POINTER)  # atomic: the old collection or the new one, never neither
