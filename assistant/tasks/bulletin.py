"""Audio bulletins: a summary read aloud, slowly and clearly, for members who prefer to listen."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.audio import Audio
from assistant.audio.codec import MEDIA_TYPES, AudioFormat, encode
from assistant.audio.speakable import speakable
from assistant.audio.tts import EspeakSynthesizer
from assistant.domain import Summary
from assistant.progress import Progress

PAUSE_S = 0.8  # between paragraphs
SPOKEN = {
    "vi": {
        "intro": "Bản tin tóm tắt: {title}.",
        "number": "Văn bản số {number}.",
        "point": "Ý {n}. {text}",
        "end": "Hết bản tin. Đề nghị các đồng chí đọc văn bản gốc để biết đầy đủ.",
    },
    "en": {
        "intro": "Summary bulletin: {title}.",
        "number": "Document number {number}.",
        "point": "Point {n}. {text}",
        "end": "End of the bulletin. Please read the original document for the full text.",
    },
}


class Bulletin(BaseModel):
    """What was spoken and how; the sound itself is returned beside it."""

    title: str
    language: str
    script: list[str] = Field(description="the paragraphs as spoken (numbers and abbreviations written out)")
    voice: str
    rate_wpm: int
    format: AudioFormat
    media_type: str
    duration_s: float
    bytes: int
    engine: str = Field(description="the speech synthesiser")
    summary: Summary


def bulletin_script(summary: Summary) -> list[str]:
    """Paragraphs to speak: what it is, the points in order, a closing line."""
    words = SPOKEN.get(summary.language, SPOKEN["en"])
    paragraphs = [words["intro"].format(title=summary.title.rstrip("."))]
    if summary.doc_number and summary.doc_number not in summary.title:
        paragraphs.append(words["number"].format(number=summary.doc_number))
    paragraphs += [words["point"].format(n=n, text=p.text) for n, p in enumerate(summary.points, start=1)]
    paragraphs.append(words["end"])
    return [speakable(p, summary.language) for p in paragraphs]


class BulletinMaker:
    """Speaks a summary paragraph by paragraph (so progress can be shown) and encodes the result."""

    def __init__(self, synthesizer: EspeakSynthesizer) -> None:
        self.synthesizer = synthesizer

    def make(
        self, summary: Summary, rate_wpm: int = 140, fmt: AudioFormat = "mp3", progress: Progress | None = None
    ) -> tuple[Bulletin, bytes]:
        script = bulletin_script(summary)
        voice = self.synthesizer.voice_for(summary.language)  # fails early for a language with no voice
        parts: list[Audio] = []
        for number, paragraph in enumerate(script, start=1):
            parts.append(self.synthesizer.synthesize(paragraph, summary.language, rate_wpm))
            if progress:
                progress(number / len(script), f"speaking paragraph {number}/{len(script)}")
        audio = Audio.join(parts, PAUSE_S)
        data = encode(audio, fmt)
        bulletin = Bulletin(
            title=summary.title,
            language=summary.language,
            script=script,
            voice=voice,
            rate_wpm=rate_wpm,
            format=fmt,
            media_type=MEDIA_TYPES[fmt],
            duration_s=round(audio.duration_s, 2),
            bytes=len(data),
            engine=self.synthesizer.name,
            summary=summary,
        )
        return bulletin, data
