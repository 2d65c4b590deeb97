"""How long work reports how far it got: ``progress(fraction 0..1, short message)``."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float, str], None]
