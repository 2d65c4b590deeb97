"""Speech to text for a whole recording: decode, find the speech, recognise it piece by piece."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.audio import Audio
from assistant.audio.codec import decode, resample
from assistant.audio.segment import Segment, SegmentOptions, speech_segments
from assistant.audio.stt import RecognizerRegistry
from assistant.errors import InvalidInput
from assistant.progress import Progress


def clock(seconds: float) -> str:
    """``83.4`` -> ``01:23`` (``1:01:23`` past an hour)."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


class TranscriptSegment(BaseModel):
    start_s: float
    end_s: float
    text: str

    @property
    def label(self) -> str:
        return f"{clock(self.start_s)}–{clock(self.end_s)}"


class Transcription(BaseModel):
    """What was said, with when, and which recogniser heard it."""

    language: str
    engine: str
    duration_s: float
    speech_s: float = Field(description="seconds of the recording found to hold speech")
    segments: list[TranscriptSegment]
    text: str


class PreparedAudio(BaseModel):
    """A decoded recording with its speech found: cheap to make, so requests check input with it."""

    model_config = {"arbitrary_types_allowed": True}
    audio: Audio
    segments: list[Segment]


def prepare(data: bytes, max_seconds: float, options: SegmentOptions = SegmentOptions()) -> PreparedAudio:
    """Decode and find the speech; ``InvalidInput`` for unreadable, too long or silent recordings."""
    audio = resample(decode(data, max_seconds))
    segments = speech_segments(audio, options)
    if not segments:
        raise InvalidInput("no speech found: the recording is silent")
    return PreparedAudio(audio=audio, segments=segments)


class Transcriber:
    """Recognises each speech segment with the recogniser for the language, reporting progress."""

    def __init__(self, recognizers: RecognizerRegistry) -> None:
        self.recognizers = recognizers

    def transcribe(self, prepared: PreparedAudio, language: str, progress: Progress | None = None) -> Transcription:
        recognizer = self.recognizers.for_language(language)
        total = sum(s.duration_s for s in prepared.segments)
        done = 0.0
        pieces: list[TranscriptSegment] = []
        for number, segment in enumerate(prepared.segments, start=1):
            text = " ".join(recognizer.transcribe(prepared.audio.slice(segment.start_s, segment.end_s).samples).split())
            if text:
                pieces.append(
                    TranscriptSegment(start_s=round(segment.start_s, 2), end_s=round(segment.end_s, 2), text=text)
                )
            done += segment.duration_s
            if progress:
                progress(done / total, f"segment {number}/{len(prepared.segments)}")
        if not pieces:
            raise InvalidInput("no words were recognised in the recording")
        return Transcription(
            language=language,
            engine=recognizer.name,
            duration_s=round(prepared.audio.duration_s, 2),
            speech_s=round(total, 2),
            segments=pieces,
            text="\n".join(p.text for p in pieces),
        )
