"""Read aloud: any text the page shows (an answer, a notice, a summary) spoken by the server's own eSpeak NG
voice as MP3, kept on disk by its content so the same text is spoken once."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from assistant.audio.codec import encode
from assistant.audio.tts import EspeakSynthesizer
from assistant.ingest.loaders import strip_markdown

CITATION_MARK = re.compile(r"\s*\[\d+(?:[,\s]+\d+)*\]")  # "[1]", "[2, 3]": markers the eye needs, not the ear


def speakable(text: str) -> str:
    """``text`` as it should be heard: without Markdown marks, citation markers and table rules."""
    lines = []
    for line in CITATION_MARK.sub("", strip_markdown(text)).splitlines():
        if "|" in line:  # a table row: its cells in order; a rule line (|---|) says nothing
            line = ", ".join(cell.strip() for cell in line.strip().strip("|").split("|") if cell.strip(" :-"))
        lines.append(line)
    return "\n".join(lines).strip()


class ReadAloud:
    """Speaks texts; each distinct (text, language, rate) is synthesised once and kept in ``cache_dir``."""

    def __init__(self, synthesizer: EspeakSynthesizer, cache_dir: Path, keep_files: int = 2000) -> None:
        self.synthesizer = synthesizer
        self.cache_dir = cache_dir
        self.keep_files = keep_files

    def key(self, text: str, language: str, rate_wpm: int) -> str:
        voice = self.synthesizer.voice_for(language)  # fails early for a language with no voice
        return hashlib.sha256(f"{voice}|{rate_wpm}|{speakable(text)}".encode()).hexdigest()

    def speak(self, text: str, language: str, rate_wpm: int) -> tuple[bytes, str, bool]:
        """MP3 of ``text``, its content key (an ETag), and whether it came from the cache."""
        key = self.key(text, language, rate_wpm)
        path = self.cache_dir / f"{key}.mp3"
        if path.is_file():
            return path.read_bytes(), key, True
        data = encode(self.synthesizer.synthesize(speakable(text), language, rate_wpm), "mp3")
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.cache_dir, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)  # whole or absent, even with two requests for the same text at once
        self._trim()
        return data, key, False

    def _trim(self) -> None:
        """Keep the newest ``keep_files`` recordings."""
        files = sorted(self.cache_dir.glob("*.mp3"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - self.keep_files)]:
            old.unlink(missing_ok=True)
