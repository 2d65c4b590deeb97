"""Fast unit tests of summaries, audio and jobs: no embedding model, no speech model."""

from __future__ import annotations

import time

import numpy as np
import pytest

from assistant.audio import Audio
from assistant.audio.codec import decode, encode, resample
from assistant.audio.segment import SegmentOptions, speech_segments
from assistant.audio.speakable import speakable
from assistant.audio.stt import RecognizerRegistry, WhisperServerRecognizer
from assistant.audio.transcribe import clock, prepare
from assistant.domain import Chunk, DocumentMeta, Summary, SummaryPoint
from assistant.errors import BackendUnavailable, InvalidInput
from assistant.jobs import JobManager
from assistant.tasks.bulletin import bulletin_script
from assistant.tasks.summarize import Candidate, candidates, is_key, parse_length, plain_sentences, point_budget, select
from assistant.tasks.summary_source import SummarySource
from tests.fake_llm import WHISPER_TEXT, FakeChatServer

RATE = 16_000


def tone(seconds: float, rate: int = RATE, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def quiet(seconds: float, rate: int = RATE) -> np.ndarray:
    return np.zeros(int(seconds * rate), dtype=np.float32)


# -- audio ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["wav", "ogg", "mp3"])
def test_encode_then_decode_keeps_the_sound(fmt):
    audio = Audio(np.concatenate([tone(1.0), quiet(0.5)]), RATE)
    back = decode(encode(audio, fmt))
    assert back.rate == RATE and abs(back.duration_s - 1.5) < 0.15  # MP3 pads a few frames
    assert float(np.abs(back.samples).max()) > 0.2


@pytest.mark.parametrize("data, message", [(b"", "empty"), (b"RIFF....WAVEfmt garbage", "unsupported or corrupt"),
                                           (b"%PDF-1.7 not audio", "is a PDF, not a recording")])
def test_bad_audio_is_rejected_with_a_reason(data, message):
    with pytest.raises(InvalidInput, match=message):
        decode(data)


def test_too_long_and_silent_recordings_are_rejected():
    with pytest.raises(InvalidInput, match="over the"):
        decode(encode(Audio(tone(3.0), RATE), "wav"), max_seconds=2.0)
    with pytest.raises(InvalidInput, match="silent"):
        prepare(encode(Audio(quiet(3.0), RATE), "wav"), max_seconds=60)
    hum = Audio(np.random.default_rng(0).normal(0, 0.0005, RATE * 2).astype(np.float32), RATE)  # -66 dBFS noise
    with pytest.raises(InvalidInput, match="silent"):
        prepare(encode(hum, "wav"), max_seconds=60)


def test_resample_to_speech_rate():
    audio = resample(Audio(tone(1.0, rate=22_050), 22_050))
    assert audio.rate == RATE and abs(len(audio.samples) - RATE) <= 1


def test_speech_is_cut_at_pauses_and_long_runs_are_split():
    audio = Audio(np.concatenate([quiet(0.5), tone(2.0), quiet(1.0), tone(1.0), quiet(0.5)]), RATE)
    segments = speech_segments(audio, SegmentOptions(max_segment_s=2.5))
    assert len(segments) == 2
    assert segments[0].start_s == pytest.approx(0.35, abs=0.1) and segments[1].end_s == pytest.approx(4.65, abs=0.1)
    merged = speech_segments(audio, SegmentOptions(max_segment_s=20))
    assert len(merged) == 1  # short pieces are merged up to the limit
    long = speech_segments(Audio(tone(50.0), RATE), SegmentOptions(max_segment_s=20))
    assert len(long) == 3 and all(s.duration_s <= 20.4 for s in long)


def test_clock_labels():
    assert clock(83.4) == "01:23" and clock(3723) == "1:02:03"


def test_speakable_spells_out_what_reads_badly_aloud():
    spoken = speakable("Theo 339-QĐ/TW ngày 10/7/2025, đ/c bí thư đạt 90% [1, 2].", "vi")
    assert spoken == "Theo 339, Quy định của Trung ương ngày 10 tháng 7 năm 2025, đồng chí bí thư đạt 90 phần trăm."
    assert speakable("Due 05/03/2026 [3].", "en") == "Due 5 March 2026."


def test_offline_recognizers_cover_vi_and_en_and_say_what_else_is_needed():
    registry = RecognizerRegistry()
    assert registry.for_language("vi").name == "viet-asr" and registry.for_language("en").name == "pocketsphinx"
    with pytest.raises(InvalidInput, match="ASSISTANT_WHISPER_BASE_URL"):
        registry.for_language("fr")
    assert isinstance(RecognizerRegistry("http://127.0.0.1:9/v1").for_language("fr"), WhisperServerRecognizer)


def test_whisper_compatible_server_is_called_with_a_wav_segment():
    with FakeChatServer() as server:
        recognizer = WhisperServerRecognizer(server.base_url, "whisper-large-v3", "vi")
        assert recognizer.transcribe(tone(1.0)) == WHISPER_TEXT
        assert server.requests[-1]["multipart"] and server.requests[-1]["audio_bytes"] > RATE
    with pytest.raises(BackendUnavailable, match="unreachable"):
        WhisperServerRecognizer("http://127.0.0.1:9/v1", "m", "vi", timeout_s=2).transcribe(tone(0.5))


# -- summaries -----------------------------------------------------------------------------------
DOC = """BAN CHẤP HÀNH TRUNG ƯƠNG
Số 339-QĐ/TW
Hà Nội, ngày 10 tháng 7 năm 2025
Căn cứ Điều lệ Đảng, Ban Bí thư quy định như sau:
Điều 5. Tài khoản người dùng
1. Mỗi đảng viên được cấp một tài khoản duy nhất; không được cho người khác mượn tài khoản.
2. Mật khẩu phải có ít nhất 8 ký tự.
Điều 6. Quyền của đảng viên
1. Được góp ý, biểu quyết trực tuyến đối với các nội dung chi bộ đưa ra lấy ý kiến.
T/M BAN BÍ THƯ"""


def source_of(text: str) -> SummarySource:
    meta = DocumentMeta(doc_id="d", title="Quy định về Sổ tay", doc_number="339-QĐ/TW", language="vi")
    chunks = [Chunk(chunk_id="d::0", doc_id="d", ordinal=0, text=text, structure_path="Điều 5",
                    heading="Điều 5. Tài khoản người dùng", char_end=len(text))]
    return SummarySource(meta, chunks, [0])


def test_candidates_skip_letterheads_preambles_headings_and_signatures():
    texts = [c.text for c in candidates(source_of(DOC))]
    assert texts == [
        "Tài khoản người dùng: mỗi đảng viên được cấp một tài khoản duy nhất; không được cho người khác mượn tài khoản.",
        "Tài khoản người dùng: mật khẩu phải có ít nhất 8 ký tự.",
        "Tài khoản người dùng: được góp ý, biểu quyết trực tuyến đối với các nội dung chi bộ đưa ra lấy ý kiến.",
    ]


def test_key_facts_are_numbers_deadlines_and_duties_not_list_numbers():
    flags = [c.key for c in candidates(source_of(DOC))]
    assert flags == [True, True, False]  # "không được", "8 ... phải"; the "1." of a list item is no fact
    assert is_key("Members must report within 24 hours") and not is_key("The cell discussed the plan")


def test_point_budget():
    assert point_budget("short", 40) == (5, None)
    assert point_budget("standard", 100) == (12, None) and point_budget("standard", 8) == (6, None)
    assert point_budget(120, 40) == (40, 120)
    with pytest.raises(InvalidInput):
        point_budget("medium", 10)
    with pytest.raises(InvalidInput):
        point_budget(3, 10)
    assert parse_length(" 120 ") == 120 and parse_length("standard") == "standard"
    with pytest.raises(InvalidInput, match="unknown length"):
        parse_length("long")


def test_plain_sentences_cut_at_semicolons():
    assert plain_sentences("mỗi người một tài khoản; không cho mượn") == "Mỗi người một tài khoản. Không cho mượn."


def _candidate(chunk: int, start: int, text: str, score: float, vector: list[float]) -> Candidate:
    v = np.asarray(vector, dtype=np.float32)
    return Candidate(chunk, start, start + len(text), text, False, len(text.split()), score, v / np.linalg.norm(v))


def test_select_keeps_document_order_skips_duplicates_and_spreads_over_passages():
    items = [
        _candidate(0, 0, "mật khẩu có ít nhất tám ký tự", 3.0, [1, 0, 0]),
        _candidate(0, 50, "mật khẩu có ít nhất tám ký tự nhé", 2.9, [1, 0.01, 0]),  # near duplicate
        _candidate(0, 90, "đổi mật khẩu khi đăng nhập lần đầu", 2.0, [0.5, 0.5, 0]),
        _candidate(1, 0, "chi ủy khóa tài khoản trong một ngày", 1.8, [0, 1, 0]),
    ]
    chosen = select(items, max_points=2, max_words=None)
    assert [(c.chunk_index, c.start) for c in chosen] == [(0, 0), (1, 0)]  # penalty moved the 2nd pick to passage 1
    assert len(select(items, max_points=4, max_words=None)) == 3
    assert len(select(items, max_points=10, max_words=8)) == 1


def test_bulletin_script_is_speakable():
    summary = Summary(title="Quy định về Sổ tay", doc_number="339-QĐ/TW", language="vi", style="plain",
                      points=[SummaryPoint(text="Báo mất máy trong 24 giờ.", citations=[1])], citations=[],
                      markdown="", engine="extractive", source_words=100, summary_words=6, compression=0.06)
    assert bulletin_script(summary) == [
        "Bản tin tóm tắt: Quy định về Sổ tay.", "Văn bản số 339, Quy định của Trung ương.",
        "Ý 1. Báo mất máy trong 24 giờ.", "Hết bản tin. Đề nghị các đồng chí đọc văn bản gốc để biết đầy đủ."]


# -- jobs ----------------------------------------------------------------------------------------
def test_jobs_report_progress_result_artifact_and_failure():
    jobs = JobManager(workers=1)
    try:
        def work(progress):
            progress(0.5, "half way")
            return {"answer": 42}, b"RIFF-audio", "audio/wav"

        job = jobs.submit("test", work)
        done = jobs.get(job.id, wait_s=5)
        assert done.status == "done" and done.progress == 1.0 and done.result == {"answer": 42}
        assert jobs.artifact(job.id) == b"RIFF-audio" and done.artifact_type == "audio/wav"

        def bad(progress):
            raise InvalidInput("the text is empty")

        failed = jobs.get(jobs.submit("test", bad).id, wait_s=5)
        assert failed.status == "failed" and failed.error.error == "InvalidInput" and "empty" in failed.error.detail
        assert jobs.get("no-such-job") is None
    finally:
        jobs.shutdown()


def test_jobs_wait_returns_early_and_old_jobs_are_dropped():
    jobs = JobManager(workers=1, keep_s=3600, max_jobs=3)
    try:
        slow = jobs.submit("slow", lambda p: (time.sleep(0.3), None, None)[1:])
        started = time.monotonic()
        assert jobs.get(slow.id, wait_s=0.01).status in ("queued", "running")
        assert time.monotonic() - started < 0.25
        ids = [jobs.submit("quick", lambda p: (1, None, None)).id for _ in range(4)]
        jobs.get(ids[-1], wait_s=5)
        jobs.submit("quick", lambda p: (1, None, None))
        assert jobs.get(slow.id) is None  # oldest finished job went first
    finally:
        jobs.shutdown()
