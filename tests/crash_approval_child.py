"""Run by tests/test_meeting_cycle.py in a child process: approve a meeting and SIGKILL this process at one
point of the approval (``before-index``, ``mid-index``, ``before-finish``), or not at all (``none``)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from assistant.service import Assistant
from tests.conftest import make_settings


def die(*_args: object, **_kwargs: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(point: str, data_dir: str, meeting_id: str, chair_key: str) -> None:
    assistant = Assistant(make_settings(Path(data_dir)))
    cycle = assistant.cycle
    if point == "before-index":
        cycle.archive.put = die  # type: ignore[method-assign]
    elif point == "mid-index":  # vectors written, the catalog's commit never happens
        assistant.index.catalog.commit_documents = die  # type: ignore[method-assign]
    elif point == "before-finish":
        cycle.minutes_archive._finish = die  # type: ignore[method-assign]
    cycle.approve(assistant.keys.authenticate(chair_key), meeting_id)
    assistant.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
