"""One process at a time owns an embedded index directory (embedded Chroma is not safe for several processes).

The claim is an OS file lock held for as long as the index is open, so it is released even when the
process is killed. Inside the owning process the claim is shared (counted), so opening the same
directory twice in one process works. A second process gets :class:`IndexLocked` naming the owner.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import IndexLocked

_held: dict[str, list] = {}  # resolved directory -> [lock, number of open claims]
_guard = threading.Lock()


def _owner_description(directory: Path) -> str:
    try:
        owner = json.loads((directory / "owner.json").read_text(encoding="utf-8"))
        return f"process {owner['pid']} ({owner['command']}, since {owner['since']})"
    except (OSError, ValueError, KeyError):
        return "another process"


def claim(directory: Path) -> Callable[[], None]:
    """Claim ``directory`` for this process; returns the function that gives the claim back."""
    key = str(directory.resolve())
    with _guard:
        if key in _held:
            _held[key][1] += 1
        else:
            lock = FileLock(str(directory / "owner.lock"))
            try:
                lock.acquire(timeout=0)
            except Timeout as exc:
                raise IndexLocked(
                    f"the index in {directory} is open in {_owner_description(directory)}; embedded Chroma allows one "
                    "process. Use that process (e.g. upload through the API), stop it, or run Chroma as a server "
                    "(`chroma run`, ASSISTANT_CHROMA_MODE=http) so several processes can share the index"
                ) from exc
            owner = {
                "pid": os.getpid(),
                "command": " ".join(os.path.basename(a) for a in sys.argv[:3])[:120],
                "since": time.strftime("%Y-%m-%d %H:%M:%S"),
            }
            (directory / "owner.json").write_text(json.dumps(owner), encoding="utf-8")
            _held[key] = [lock, 1]
    released = False

    def release() -> None:
        nonlocal released
        with _guard:
            if released or key not in _held:
                return
            released = True
            _held[key][1] -= 1
            if _held[key][1] == 0:
                _held.pop(key)[0].release()

    return release
