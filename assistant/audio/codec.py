"""Read uploaded audio (WAV, FLAC, Ogg Vorbis/Opus, MP3) and write bulletins (WAV, Ogg Vorbis, MP3).

libsndfile, bundled in the ``soundfile`` wheel (1.2+), does all formats, so no system codec is
needed. Anything it cannot read is rejected as ``InvalidInput`` with the formats we accept.
"""

from __future__ import annotations

import io
import threading
from math import gcd
from typing import Literal

import numpy as np
import soundfile

from assistant.audio import Audio
from assistant.errors import InvalidInput, UnsupportedType
from assistant.ingest.uploads import DESCRIBED, sniff

AudioFormat = Literal["wav", "ogg", "mp3"]
ACCEPTED = "WAV, FLAC, Ogg (Vorbis/Opus) or MP3"
_WRITE = {"wav": ("WAV", "PCM_16"), "ogg": ("OGG", "VORBIS"), "mp3": ("MP3", "MPEG_LAYER_III")}
MEDIA_TYPES: dict[str, str] = {"wav": "audio/wav", "ogg": "audio/ogg", "mp3": "audio/mpeg"}
SPEECH_RATE = 16_000  # what speech recognisers expect


# libsndfile's MP3 and Vorbis codecs are not documented as thread-safe; jobs and requests take turns.
_SNDFILE = threading.Lock()


def encode(audio: Audio, fmt: AudioFormat = "wav") -> bytes:
    """The sound as a complete file in ``fmt``."""
    if fmt not in _WRITE:
        raise InvalidInput(f"unknown audio format '{fmt}'; choose wav, ogg or mp3")
    container, subtype = _WRITE[fmt]
    buffer = io.BytesIO()
    samples = np.nan_to_num(np.clip(audio.samples, -1.0, 1.0))
    with _SNDFILE:
        soundfile.write(buffer, samples, audio.rate, format=container, subtype=subtype)
    return buffer.getvalue()


def decode(data: bytes, max_seconds: float | None = None) -> Audio:
    """Mono float samples of an audio file; ``UnsupportedType`` when it is not audio, ``InvalidInput`` when it
    is empty, corrupt or longer than ``max_seconds``."""
    if not data:
        raise InvalidInput("the audio file is empty")
    found = sniff(data)
    if found != "audio":
        raise UnsupportedType(f"the file is {DESCRIBED[found]}, not a recording (we accept {ACCEPTED})")
    try:
        with _SNDFILE, soundfile.SoundFile(io.BytesIO(data)) as file:
            seconds = file.frames / file.samplerate if file.samplerate else 0.0
            if max_seconds is not None and seconds > max_seconds:
                raise InvalidInput(
                    f"the recording lasts {seconds / 60:.1f} min, over the {max_seconds / 60:.0f} min limit"
                )
            samples = file.read(dtype="float32", always_2d=True)
            rate = file.samplerate
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        reason = str(exc).rsplit(": ", 1)[-1]  # libsndfile's words, without the buffer's repr
        raise InvalidInput(f"unsupported or corrupt audio file (we accept {ACCEPTED}): {reason}") from exc
    if samples.size == 0:
        raise InvalidInput("the audio file holds no sound (0 samples)")
    return Audio(samples.mean(axis=1).astype(np.float32), int(rate))


def resample(audio: Audio, rate: int = SPEECH_RATE) -> Audio:
    """The same sound at ``rate`` samples per second (polyphase filter)."""
    if audio.rate == rate:
        return audio
    from scipy.signal import resample_poly

    common = gcd(audio.rate, rate)
    samples = resample_poly(audio.samples, rate // common, audio.rate // common).astype(np.float32)
    return Audio(samples, rate)
