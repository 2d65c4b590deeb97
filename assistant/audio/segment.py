"""Find the speech in a recording and cut it into pieces a recogniser can take one at a time.

Frame energy against an adaptive threshold (the quiet end of the recording plus a margin, never
below an absolute floor): frames above it are speech, pauses shorter than ``min_pause_s`` are
bridged, runs shorter than ``min_speech_s`` (clicks) are dropped, and runs are merged up to
``max_segment_s``; a run longer than that is cut at its quietest frame near the limit. Pieces end
in pauses wherever possible, so no word is cut in two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.audio import Audio


@dataclass(frozen=True)
class SegmentOptions:
    frame_s: float = 0.03
    floor_db: float = -50.0  # frames quieter than this are never speech (dBFS)
    margin_db: float = 12.0  # speech is this much louder than the recording's quiet frames
    min_pause_s: float = 0.3  # shorter gaps are bridged (breaths, stops inside words)
    min_speech_s: float = 0.2  # shorter bursts are clicks, not speech
    max_segment_s: float = 20.0  # longest piece handed to a recogniser
    pad_s: float = 0.15  # sound kept on each side of a piece


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def frame_levels(audio: Audio, frame_s: float) -> np.ndarray:
    """Loudness of each frame in dBFS (RMS)."""
    size = max(1, int(audio.rate * frame_s))
    count = len(audio.samples) // size
    if count == 0:
        return np.full(1, -120.0)
    frames = audio.samples[: count * size].reshape(count, size).astype(np.float64)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-6))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` frame indices of the runs of True."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _cut_long(start: int, end: int, levels: np.ndarray, max_frames: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > max_frames:
        window = levels[start + max_frames // 2 : start + max_frames]
        cut = start + max_frames - 1 - int(np.argmin(window[::-1]))  # quietest frame, the latest of equals
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def speech_segments(audio: Audio, options: SegmentOptions = SegmentOptions()) -> list[Segment]:
    """Pieces of ``audio`` that hold speech, in order; empty when the recording is silent."""
    levels = frame_levels(audio, options.frame_s)
    quiet = float(np.percentile(levels, 10))
    threshold = max(options.floor_db, min(quiet + options.margin_db, float(levels.max()) - 6.0))
    runs = _runs(levels > threshold)
    frame = options.frame_s
    bridged: list[tuple[int, int]] = []
    for start, end in runs:
        if bridged and (start - bridged[-1][1]) * frame < options.min_pause_s:
            bridged[-1] = (bridged[-1][0], end)
        else:
            bridged.append((start, end))
    speech = [(s, e) for s, e in bridged if (e - s) * frame >= options.min_speech_s]
    max_frames = max(1, int(options.max_segment_s / frame))
    merged: list[tuple[int, int]] = []
    for start, end in speech:
        if merged and end - merged[-1][0] <= max_frames:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.extend(_cut_long(start, end, levels, max_frames))
    total = audio.duration_s
    segments: list[Segment] = []
    for s, e in merged:
        begin = max(0.0, s * frame - options.pad_s, segments[-1].end_s if segments else 0.0)
        segments.append(Segment(begin, min(total, e * frame + options.pad_s)))
    return segments
