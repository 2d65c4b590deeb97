"""Round trip of the audio path: speak known texts with the bulletin voice (TTS), transcribe the
sound with the offline recogniser of the language (STT), and report the word error rate.

This measures the two machines against each other, not a human listener: eSpeak NG's formant
voice is far from the human speech the recognisers were trained on, so the figures are a floor
for recognition of real recordings and a regression check for the whole audio path.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from assistant.audio.codec import encode
from assistant.config import Settings
from assistant.index.lexical import words
from assistant.service import Assistant


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance over words (substitutions + deletions + insertions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp_word in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word))
        previous = current
    return previous[-1]


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref = words(reference)
    return word_errors(ref, words(hypothesis)) / max(1, len(ref))


def run_speech_eval(path: Path, settings: Settings, rates: list[int] | None = None, details: bool = False) -> dict:
    assistant = Assistant(settings)
    synthesizer = assistant.bulletins.synthesizer
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rates = rates or [settings.tts_rate_wpm]
    results: dict = {"texts": len(rows), "voice_variant": settings.tts_voice_variant or "default", "by_rate": {}}
    per_text = []
    for rate in rates:
        by_language: dict[str, dict[str, float]] = {}
        for row in rows:
            language = row["language"]
            started = time.perf_counter()
            audio = synthesizer.synthesize(row["text"], language, rate)
            prepared = assistant.prepare_audio(encode(audio, "wav"))
            transcription = assistant.transcriber.transcribe(prepared, language)
            seconds = time.perf_counter() - started
            ref = words(row["text"])
            errors = word_errors(ref, words(transcription.text))
            totals = by_language.setdefault(language, {"words": 0, "errors": 0, "audio_s": 0.0, "seconds": 0.0})
            totals["words"] += len(ref)
            totals["errors"] += errors
            totals["audio_s"] += audio.duration_s
            totals["seconds"] += seconds
            per_text.append(
                {
                    "id": row["id"],
                    "rate": rate,
                    "engine": transcription.engine,
                    "wer": round(errors / max(1, len(ref)), 3),
                    "heard": transcription.text,
                }
            )
        results["by_rate"][str(rate)] = {
            language: {
                "wer": round(t["errors"] / max(1, t["words"]), 3),
                "words": int(t["words"]),
                "audio_s": round(t["audio_s"], 1),
                "real_time_factor": round(t["seconds"] / max(t["audio_s"], 1e-9), 3),
            }
            for language, t in sorted(by_language.items())
        }
    if details:
        results["details"] = per_text
    return results
