"""Summaries, bulletins and transcription end to end: real embedding model and index, real HTTP
(TestClient), real eSpeak NG and offline speech models, the OpenAI-protocol test server, the CLI."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pytest
import soundfile
from fastapi.testclient import TestClient

from assistant.audio import Audio
from assistant.audio.codec import encode
from assistant.cli import main
from assistant.config import PROJECT_ROOT
from assistant.llm import OpenAICompatibleChat
from assistant.tasks.summarize import Summarizer, SummaryOptions
from assistant.tasks.summary_llm import LLMPointWriter
from evals.speech import word_error_rate
from tests.conftest import CELL_3, api_key, keyed_client
from tests.fake_llm import FakeChatServer

pytestmark = pytest.mark.slow
needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="eSpeak NG is not installed (sudo apt-get install espeak-ng)"
)
CORPUS = PROJECT_ROOT / "corpus"
HUONG_AN = "tw/tinh-thai-nguyen/phuong-huong-an"


@pytest.fixture(scope="module")
def client(corpus_assistant):
    with keyed_client(corpus_assistant, "member", CELL_3, "internal") as c:
        yield c


def finished(client: TestClient, response) -> dict:
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/v1/jobs/{response.json()['id']}"
    job = client.get(f"/v1/jobs/{response.json()['id']}?wait=30").json()
    assert job["status"] == "done", job
    return job


def test_summary_of_an_indexed_document_cites_every_point(client):
    summary = client.post("/v1/summarize", json={"doc_id": "qd-339-so-tay-dang-vien"}).json()
    assert summary["engine"] == "extractive" and summary["doc_number"] == "339-QĐ/TW" and summary["language"] == "vi"
    assert "document with articles" in summary["length"] and "× √words" in summary["length"]  # the default, explained
    assert 4 <= len(summary["points"]) <= 12 and all(p["citations"] for p in summary["points"])
    leads = [p["lead"] for p in summary["points"]]
    keys = [p["key"] for p in summary["points"] if not p["lead"]]
    assert leads == sorted(leads, reverse=True) and sum(leads) <= 1  # plain style: what it is (when chosen),
    assert keys == sorted(keys, reverse=True)  # ...then dates and duties
    for point in summary["points"]:
        citation = summary["citations"][point["citations"][0] - 1]
        assert citation["doc_number"] == "339-QĐ/TW" and citation["structure_path"].startswith("Chương")
        assert citation["quote"] and citation["page"] == 1
    assert "## Việc cần làm, thời hạn" in summary["markdown"] and "## Nguồn" in summary["markdown"]
    assert 0 < summary["compression"] < 0.5

    formal = client.post(
        "/v1/summarize", json={"doc_id": "qd-339-so-tay-dang-vien", "style": "formal", "length": "standard"}
    ).json()
    starts = [formal["citations"][p["citations"][0] - 1]["char_start"] for p in formal["points"]]
    assert starts == sorted(starts) and len(formal["points"]) >= 6  # formal: document order
    short = client.post("/v1/summarize", json={"doc_id": "qd-339-so-tay-dang-vien", "length": 40}).json()
    assert short["summary_words"] <= 60


def test_summary_respects_the_callers_scope(client):
    confidential = {"doc_id": "tb-09-ket-qua-danh-gia-dang-vien"}
    hidden = client.post("/v1/summarize", json=confidential)
    missing = client.post("/v1/summarize", json={"doc_id": "no-such-document"})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].endswith("that you may read")  # same answer: existence is not revealed
    committee = api_key(client.app.state.assistant, "committee", HUONG_AN, "confidential")
    allowed = client.post("/v1/summarize", json=confidential, headers=committee)
    assert allowed.status_code == 200 and allowed.json()["points"]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"text": "   "}, "empty"),
        ({"doc_id": "qd-339-so-tay-dang-vien", "text": "hai nguồn"}, "exactly one"),
        ({}, "exactly one"),
        ({"text": "Một câu đủ dài để tóm tắt.", "length": "medium"}, None),
        ({"text": "Một câu đủ dài để tóm tắt.", "length": 3}, None),
    ],
)
def test_bad_summary_requests_get_422(client, body, message):
    response = client.post("/v1/summarize", json=body)
    assert response.status_code == 422, response.text
    if message:
        assert any(message in problem["msg"] for problem in response.json()["detail"]), response.text


def test_summary_of_an_uploaded_file_and_of_raw_text(client):
    data = (CORPUS / "ct-50-chat-luong-sinh-hoat-chi-bo.docx").read_bytes()
    summary = client.post(
        "/v1/summarize/upload", files={"file": ("ct-50.docx", data)}, data={"length": "short", "style": "formal"}
    ).json()
    assert summary["doc_number"] == "50-CT/TW" and summary["doc_id"] is None and 1 <= len(summary["points"]) <= 5
    assert summary["summary_words"] <= 0.2 * 1.15 * summary["source_words"]  # short: at most a fifth of the text
    bad = client.post("/v1/summarize/upload", files={"file": ("virus.exe", b"MZ\x90\x00binary")})
    assert bad.status_code == 415 and "unsupported" in bad.json()["detail"]
    bengali = (CORPUS / "bn-community-digital-literacy-notice.md").read_text(encoding="utf-8")
    summary = client.post("/v1/summarize", json={"text": bengali, "language": "en"}).json()
    assert summary["language"] == "bn" and summary["points"] and "needs the language model" in summary["warnings"][0]


MEETING = PROJECT_ROOT / "evals" / "datasets" / "minutes" / "transcripts" / "02-tan-lap-cb1-thuong-ky-11-2025.txt"


def test_a_meeting_transcript_is_summarized_by_parts_and_for_one_question(client):
    transcript = MEETING.read_text(encoding="utf-8")
    summary = client.post("/v1/summarize", json={"text": transcript}).json()
    assert "meeting transcript" in summary["length"] and summary["points"]
    assert all(p["topic"] and p["topic"].startswith("Phần ") and "lượt" in p["topic"] for p in summary["points"])
    for point in summary["points"]:
        citation = summary["citations"][point["citations"][0] - 1]
        assert citation["structure_path"].startswith("lượt ") and citation["quote"] in transcript
        speaker = citation["structure_path"].split("(", 1)[1].rstrip(")")
        assert point["text"].startswith(f"{speaker}: ")  # who said it
    assert "## Phần 1" in summary["markdown"] and "Cảm ơn" not in summary["markdown"]

    asked = client.post("/v1/summarize", json={"text": transcript, "query": "camera an ninh ở đầu ngõ"}).json()
    assert asked["query"] == "camera an ninh ở đầu ngõ" and "one question" in asked["length"]
    assert asked["points"] and all("camera" in p["text"].lower() for p in asked["points"])
    assert "**Câu hỏi:** camera an ninh ở đầu ngõ" in asked["markdown"]
    assert client.post("/v1/summarize", json={"text": transcript, "query": "  "}).status_code == 422


def test_summarize_cli_and_eval_take_a_question(corpus_assistant, tmp_path, capsys):
    data_dir = ["--data-dir", str(corpus_assistant.settings.data_dir)]
    assert main([*data_dir, "summarize", "--file", str(MEETING), "--query", "camera an ninh", "--format", "json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["query"] == "camera an ninh" and all("camera" in p["text"].lower() for p in summary["points"])
    assert "length: about" in captured.err and "one question" in captured.err

    transcript = MEETING.read_text(encoding="utf-8")
    turns = transcript.split("\n")
    camera = [i for i, turn in enumerate(turns) if "camera" in turn]
    (tmp_path / "whole.jsonl").write_text(
        json.dumps({"id": "m1", "document": transcript, "summary": turns[0]}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "queries.jsonl").write_text(
        json.dumps(
            {
                "id": "m1#0",
                "meeting_id": "m1",
                "domain": "cell",
                "query": "Chi bộ bàn gì về camera an ninh?",
                "answer": turns[camera[0]],
                "spans": [[camera[0], camera[-1]]],
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    assert (
        main(
            [
                *data_dir,
                "eval",
                "summaries",
                str(tmp_path / "whole.jsonl"),
                "--queries",
                str(tmp_path / "queries.jsonl"),
            ]
        )
        == 0
    )
    figures = json.loads(capsys.readouterr().out)
    assert figures["queries"] == 1 and figures["cited_in_gold"] == 1.0 and figures["citations_verbatim"] == 1.0
    assert figures["rouge1"] > 0 and "bm25_rouge1" in figures


def test_summary_as_a_background_job(client):
    job = finished(
        client,
        client.post("/v1/summarize", json={"doc_id": "nq-57-khoa-hoc-cong-nghe-chuyen-doi-so", "background": True}),
    )
    assert job["kind"] == "summary" and job["result"]["doc_number"] == "57-NQ/TW" and job["progress"] == 1.0
    assert client.get("/v1/jobs/unknown").status_code == 404


def test_llm_points_are_kept_only_when_their_passages_support_them(corpus_assistant):
    source = corpus_assistant.summary_source(doc_id="qd-339-so-tay-dang-vien")
    with FakeChatServer() as server:

        def summarizer(model: str) -> Summarizer:
            writer = LLMPointWriter(
                OpenAICompatibleChat(server.base_url, model, timeout_s=10), corpus_assistant.prompts
            )
            return Summarizer(corpus_assistant.index.embedder, corpus_assistant.prompts, writer)

        short = SummaryOptions(length="short")
        faithful = summarizer("summary-faithful").summarize(source, short)
        assert faithful.engine == "summary-faithful" and faithful.prompt_version == "summarize_v1"
        assert len(faithful.points) == 3 and all(p.citations for p in faithful.points) and not faithful.warnings
        prompt = server.requests[-1]["messages"][1]["content"]
        assert prompt.count("<passage id=") == 15  # three times the five points, for the model to choose from

        inventing = summarizer("summary-inventing").summarize(source, short)
        assert len(inventing.points) == 3 and "500" not in inventing.markdown
        assert any("500" in w for w in inventing.warnings)

        broken = summarizer("broken").summarize(source, short)
        assert broken.engine == "extractive" and broken.fallback and 1 <= len(broken.points) <= 5


@needs_espeak
def test_bulletin_of_a_document_as_mp3_and_of_a_given_summary_as_wav(client):
    job = finished(client, client.post("/v1/bulletins", json={"doc_id": "qd-339-so-tay-dang-vien", "rate_wpm": 130}))
    bulletin = job["result"]
    assert bulletin["format"] == "mp3" and bulletin["voice"].startswith("vi") and bulletin["rate_wpm"] == 130
    assert not any("[" in line or "QĐ/TW" in line for line in bulletin["script"])
    audio = client.get(f"/v1/jobs/{job['id']}/audio")
    assert audio.headers["content-type"] == "audio/mpeg" and len(audio.content) == bulletin["bytes"]
    samples, rate = soundfile.read(io.BytesIO(audio.content))
    assert abs(len(samples) / rate - bulletin["duration_s"]) < 0.5 and bulletin["duration_s"] > 20

    summary = client.post("/v1/summarize", json={"doc_id": "regulation-102-paperless-meetings-en"}).json()
    job = finished(client, client.post("/v1/bulletins", json={"summary": summary, "format": "wav"}))
    assert job["result"]["voice"].startswith("en") and job["result"]["summary"] == summary
    assert client.get(f"/v1/jobs/{job['id']}/audio").content[:4] == b"RIFF"

    assert client.post("/v1/bulletins", json={"doc_id": "qd-339-so-tay-dang-vien", "rate_wpm": 500}).status_code == 422
    assert client.post("/v1/bulletins", json={"doc_id": "no-such-document"}).status_code == 404
    summarize_job = finished(
        client, client.post("/v1/summarize", json={"text": "Một câu đủ dài để tóm tắt ở đây.", "background": True})
    )
    assert client.get(f"/v1/jobs/{summarize_job['id']}/audio").status_code == 404


@needs_espeak
@pytest.mark.parametrize(
    "language, text, max_wer",
    [
        ("en", "Members must keep their password secret and report a lost phone to the cell committee at once.", 0.8),
        ("vi", "Đảng viên phải giữ bí mật mật khẩu và báo ngay cho chi ủy khi mất điện thoại.", 0.95),
    ],
)
def test_round_trip_speak_then_transcribe_reports_word_error_rate(client, corpus_assistant, language, text, max_wer):
    speech = corpus_assistant.bulletins.synthesizer.synthesize(text, language, 140)
    recording = encode(Audio.join([Audio.silence(1.0, speech.rate), speech, Audio.silence(1.0, speech.rate)]), "ogg")
    job = finished(
        client, client.post("/v1/transcribe", files={"file": ("bulletin.ogg", recording)}, data={"language": language})
    )
    transcription, summary = job["result"]["transcription"], job["result"]["summary"]
    wer = word_error_rate(text, transcription["text"])
    print(f"\nround trip {language}: WER {wer:.2f}; heard: {transcription['text']!r}")
    assert transcription["engine"] == {"vi": "viet-asr", "en": "pocketsphinx"}[language]
    assert transcription["speech_s"] < transcription["duration_s"] and wer <= max_wer
    assert summary["points"] and summary["citations"][0]["structure_path"].startswith("00:0")  # cited by time span


@pytest.mark.parametrize(
    "data, language, message",
    [
        (encode(Audio.silence(3.0, 16_000), "wav"), "vi", "silent"),
        (b"ID3\x03\x00not really an mp3", "vi", "unsupported or corrupt"),
        (encode(Audio(np.sin(np.arange(16_000) / 5).astype(np.float32) * 0.3, 16_000), "wav"), "fr", "WHISPER"),
    ],
)
def test_bad_recordings_get_422_before_any_job(client, data, language, message):
    response = client.post("/v1/transcribe", files={"file": ("x.mp3", data)}, data={"language": language})
    assert response.status_code == 422 and message in response.json()["detail"]


def test_a_file_that_is_not_a_recording_gets_415(client):
    response = client.post("/v1/transcribe", files={"file": ("x.mp3", b"%PDF-1.7 a document")}, data={"language": "vi"})
    assert response.status_code == 415 and "is a PDF, not a recording" in response.json()["detail"]


@needs_espeak
def test_cli_summarize_bulletin_transcribe_and_evals(corpus_assistant, tmp_path, capsys):
    data_dir = ["--data-dir", str(corpus_assistant.settings.data_dir)]
    assert (
        main(
            [
                *data_dir,
                "summarize",
                "--file",
                str(CORPUS / "kh-12-trien-khai-so-tay-phuong-huong-an.md"),
                "-o",
                str(tmp_path / "s.json"),
            ]
        )
        == 0
    )
    assert json.loads((tmp_path / "s.json").read_text())["doc_number"] == "12-KH/ĐU"
    assert main([*data_dir, "summarize", "no-such-document"]) == 2
    assert "no document with id 'no-such-document'" in capsys.readouterr().err

    assert (
        main(
            [
                *data_dir,
                "bulletin",
                "--text",
                "Chi bộ họp vào tối thứ Năm. Đảng viên phải đọc tài liệu trước.",
                "-o",
                str(tmp_path / "b.wav"),
                "--rate",
                "150",
            ]
        )
        == 0
    )
    assert main([*data_dir, "transcribe", str(tmp_path / "b.wav"), "--json"]) == 0
    heard = json.loads(capsys.readouterr().out)
    assert heard["transcription"]["engine"] == "viet-asr" and heard["summary"]["points"]
    assert main([*data_dir, "bulletin", "qd-339-so-tay-dang-vien", "-o", str(tmp_path / "b.flac")]) == 2

    assert main([*data_dir, "eval", "summaries", str(PROJECT_ROOT / "evals/datasets/summaries/summaries.jsonl")]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["documents"] >= 10 and figures["points_cited"] == 1.0 and figures["citations_verbatim"] == 1.0
    assert figures["rougeL"] > figures["lead_rougeL"]
    speech = tmp_path / "speech.jsonl"
    speech.write_text('{"id": "en-1", "language": "en", "text": "The cell meets every month."}\n')
    assert main([*data_dir, "eval", "speech", str(speech)]) == 0
    assert "wer" in json.loads(capsys.readouterr().out)["by_rate"]["140"]["en"]
