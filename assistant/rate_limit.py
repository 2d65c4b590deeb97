"""Per-key rate limits: a token bucket per API key (per server process), so one key that floods the service
(a script gone wrong, a stolen key) is slowed down without touching anyone else."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """``per_minute`` requests a minute per key, up to a minute's worth at once; 0 turns it off."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, when last counted)
        self._lock = threading.Lock()

    def wait(self, key_id: str) -> float:
        """0 when the request may go ahead (and it is counted), else the seconds until it may."""
        if self.per_minute <= 0:
            return 0.0
        rate = self.per_minute / 60.0
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(key_id, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - then) * rate)
            if tokens >= 1.0:
                self._buckets[key_id] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key_id] = (tokens, now)
            return (1.0 - tokens) / rate
