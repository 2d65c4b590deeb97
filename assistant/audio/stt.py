"""Speech recognisers that run on this machine or on a server of the site's own.

- ``viet-asr`` (PyPI, Apache-2.0): a Vietnamese model embedded in the wheel, ONNX runtime, offline.
- ``pocketsphinx`` (PyPI, BSD): CMU's US-English acoustic and language model inside the wheel, offline.
- Any server speaking OpenAI's ``/audio/transcriptions`` protocol (faster-whisper-server, whisper.cpp
  server, vLLM, LocalAI...): every language the model knows; chosen by ``ASSISTANT_WHISPER_BASE_URL``.

Each takes 16 kHz mono float samples of one segment and returns its text.
"""

from __future__ import annotations

import importlib
import threading
from typing import Protocol

import numpy as np

from assistant.audio import Audio
from assistant.audio.codec import SPEECH_RATE, encode
from assistant.errors import BackendUnavailable, InvalidInput


class SpeechRecognizer(Protocol):
    name: str

    def transcribe(self, samples: np.ndarray) -> str:
        """Text of 16 kHz mono float samples."""
        ...


def _int16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)


def _module(name: str, package: str, language: str):
    """The recogniser's Python module; ``BackendUnavailable`` naming the package when it is missing."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise BackendUnavailable(f"{language} speech recognition needs the '{package}' package") from exc


class _OfflineRecognizer:
    """A model inside a wheel, loaded on first use; one segment at a time (the native code is not
    documented as thread-safe)."""

    name = "offline"

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        raise NotImplementedError

    def _recognise(self, model, samples: np.ndarray) -> str:
        raise NotImplementedError

    def transcribe(self, samples: np.ndarray) -> str:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._recognise(self._model, samples).strip()


class VietAsrRecognizer(_OfflineRecognizer):
    """Vietnamese, offline: the model inside the ``viet-asr`` wheel (~70 MB)."""

    name = "viet-asr"

    def _load(self):
        return _module("vietasr", "viet-asr", "Vietnamese").Pipeline.preset("transcribe")

    def _recognise(self, model, samples: np.ndarray) -> str:
        return model.transcribe(_int16(samples), sample_rate=float(SPEECH_RATE)).text


class PocketSphinxRecognizer(_OfflineRecognizer):
    """US English, offline: the model inside the ``pocketsphinx`` wheel."""

    name = "pocketsphinx"

    def _load(self):
        return _module("pocketsphinx", "pocketsphinx", "English").Decoder(samprate=SPEECH_RATE, loglevel="FATAL")

    def _recognise(self, model, samples: np.ndarray) -> str:
        model.start_utt()
        model.process_raw(_int16(samples).tobytes(), full_utt=True)
        model.end_utt()
        hypothesis = model.hyp()
        return hypothesis.hypstr if hypothesis else ""


class WhisperServerRecognizer:
    """A speech server on the premises that speaks OpenAI's ``/audio/transcriptions`` protocol."""

    def __init__(
        self, base_url: str, model: str, language: str, api_key: str = "not-needed", timeout_s: float = 120.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.language = language
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.name = f"whisper-server:{model}"

    def transcribe(self, samples: np.ndarray) -> str:
        import httpx

        wav = encode(Audio(samples, SPEECH_RATE), "wav")
        try:
            response = httpx.post(
                f"{self.base_url}/audio/transcriptions",
                files={"file": ("segment.wav", wav, "audio/wav")},
                data={"model": self.model, "language": self.language, "response_format": "json"},
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=self.timeout_s,
            )
        except httpx.HTTPError as exc:
            raise BackendUnavailable(f"the speech server at {self.base_url} is unreachable: {exc}") from exc
        if response.status_code != 200:
            raise BackendUnavailable(
                f"the speech server at {self.base_url} answered HTTP {response.status_code}: {response.text[:200]}"
            )
        try:
            return str(response.json().get("text", "")).strip()
        except ValueError as exc:
            raise BackendUnavailable(f"the speech server at {self.base_url} did not answer JSON") from exc


OFFLINE_LANGUAGES = {"vi": "viet-asr", "en": "pocketsphinx"}


class RecognizerRegistry:
    """Which recogniser serves a language: the configured Whisper-compatible server for every
    language, else the offline model for Vietnamese or English (each loaded once)."""

    def __init__(
        self,
        whisper_base_url: str | None = None,
        whisper_model: str = "whisper-1",
        whisper_api_key: str = "not-needed",
        timeout_s: float = 120.0,
    ) -> None:
        self.whisper_base_url = whisper_base_url
        self.whisper_model = whisper_model
        self.whisper_api_key = whisper_api_key
        self.timeout_s = timeout_s
        self._offline: dict[str, SpeechRecognizer] = {}
        self._lock = threading.Lock()

    def for_language(self, language: str) -> SpeechRecognizer:
        if self.whisper_base_url:
            return WhisperServerRecognizer(
                self.whisper_base_url, self.whisper_model, language, self.whisper_api_key, self.timeout_s
            )
        if language not in OFFLINE_LANGUAGES:
            raise InvalidInput(
                f"no offline speech model for language '{language}' (offline: Vietnamese 'vi' and "
                "English 'en'); set ASSISTANT_WHISPER_BASE_URL to a Whisper-compatible server for others"
            )
        with self._lock:
            if language not in self._offline:
                self._offline[language] = VietAsrRecognizer() if language == "vi" else PocketSphinxRecognizer()
            return self._offline[language]
