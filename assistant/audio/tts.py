"""Text to speech with eSpeak NG (Debian package ``espeak-ng``): offline, Vietnamese and English
voices among ~100 languages, rate adjustable for older listeners.

The voice is robotic but clear; no neural voice ships inside a registry package (see README).
"""

from __future__ import annotations

import io
import shutil
import subprocess

import numpy as np
import soundfile

from assistant.audio import Audio
from assistant.errors import BackendUnavailable, InvalidInput

VOICES = {"vi": "vi", "en": "en-us", "bn": "bn"}  # our language codes -> eSpeak NG voices
INSTALL_HINT = "install it with `sudo apt-get install espeak-ng` (Debian/Ubuntu)"
MIN_RATE, MAX_RATE = 80, 260  # words per minute


class EspeakSynthesizer:
    """Speaks text through the ``espeak-ng`` program, one call per paragraph."""

    def __init__(self, binary: str = "espeak-ng", variant: str = "f2", timeout_s: float = 120.0) -> None:
        self.binary = binary
        self.variant = variant  # voice variant (f2: female, clearer to speech recognisers than the default)
        self.timeout_s = timeout_s
        self._voices: set[str] | None = None

    @property
    def name(self) -> str:
        return "espeak-ng"

    def _program(self) -> str:
        path = shutil.which(self.binary)
        if path is None:
            raise BackendUnavailable(f"speech synthesis needs the '{self.binary}' program; {INSTALL_HINT}")
        return path

    def languages(self) -> set[str]:
        """Language codes eSpeak NG has a voice for (``vi``, ``en``, ``en-us``, ``bn``...)."""
        if self._voices is None:
            listing = subprocess.run(
                [self._program(), "--voices"], capture_output=True, text=True, timeout=self.timeout_s, check=False
            ).stdout
            self._voices = {line.split()[1].lower() for line in listing.splitlines()[1:] if len(line.split()) > 1}
        return self._voices

    def voice_for(self, language: str) -> str:
        voice = VOICES.get(language, language).lower()
        if voice not in self.languages():
            raise InvalidInput(f"no speech voice for language '{language}'")
        return f"{voice}+{self.variant}" if self.variant else voice

    def synthesize(self, text: str, language: str, rate_wpm: int = 140, word_gap: int = 0) -> Audio:
        """Speech for ``text``; ``word_gap`` adds pauses between words (units of 10 ms)."""
        if not text.strip():
            raise InvalidInput("nothing to say: the text is empty")
        if not MIN_RATE <= rate_wpm <= MAX_RATE:
            raise InvalidInput(f"speech rate must be between {MIN_RATE} and {MAX_RATE} words per minute")
        command = [
            self._program(),
            "-v",
            self.voice_for(language),
            "-s",
            str(rate_wpm),
            "-g",
            str(word_gap),
            "--stdout",
            "-b",
            "1",
            "--stdin",
        ]
        try:
            done = subprocess.run(
                command, input=text.encode("utf-8"), capture_output=True, timeout=self.timeout_s, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise BackendUnavailable(f"espeak-ng took longer than {self.timeout_s:g} s") from exc
        if done.returncode != 0 or not done.stdout:
            raise BackendUnavailable(f"espeak-ng failed: {done.stderr.decode(errors='replace')[:200]}")
        samples, rate = soundfile.read(io.BytesIO(done.stdout), dtype="float32")
        return Audio(np.asarray(samples, dtype=np.float32).reshape(-1), int(rate))
