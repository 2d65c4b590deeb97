"""Audio bulletins: decode and encode sound, find speech, speak text (TTS), recognise speech (STT)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Audio:
    """Mono sound as float32 samples in [-1, 1] at ``rate`` samples per second."""

    samples: np.ndarray
    rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0

    def slice(self, start_s: float, end_s: float) -> Audio:
        return Audio(self.samples[int(start_s * self.rate) : int(end_s * self.rate)], self.rate)

    @staticmethod
    def silence(seconds: float, rate: int) -> Audio:
        return Audio(np.zeros(int(seconds * rate), dtype=np.float32), rate)

    @staticmethod
    def join(parts: list[Audio], pause_s: float = 0.0) -> Audio:
        """The parts one after the other (all at the first part's rate), with a pause between them."""
        if not parts:
            raise ValueError("nothing to join")
        rate = parts[0].rate
        gap = np.zeros(int(pause_s * rate), dtype=np.float32)
        pieces: list[np.ndarray] = []
        for i, part in enumerate(parts):
            if part.rate != rate:
                raise ValueError("parts have different sample rates")
            if i:
                pieces.append(gap)
            pieces.append(part.samples.astype(np.float32, copy=False))
        return Audio(np.concatenate(pieces), rate)
