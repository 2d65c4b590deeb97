"""Minutes and reports end to end: real HTTP (TestClient), real index for report citations,
an OpenAI-protocol server for the LLM narrative, and the CLI."""

from __future__ import annotations

import io
import json

import docx
import pytest

from assistant.cli import main
from assistant.config import PROJECT_ROOT
from assistant.llm import OpenAICompatibleChat
from assistant.meeting import load_record
from assistant.tasks.minutes import MinutesDrafter
from assistant.tasks.minutes_llm import LLMNarrativeWriter
from tests.conftest import WARD, api_key, keyed_client
from tests.fake_llm import FakeChatServer

pytestmark = pytest.mark.slow

DATASET = PROJECT_ROOT / "evals" / "datasets" / "minutes"
RECORDS = DATASET / "records"


def record_json(name: str) -> dict:
    return load_record(RECORDS / name).model_dump(mode="json")


@pytest.fixture(scope="module")
def client(corpus_assistant):
    with keyed_client(corpus_assistant, "secretary", WARD, "internal") as c:
        yield c


def test_api_minutes_json_markdown_and_docx(client):
    body = {"record": record_json("05-cb5-thuong-ky-01-2026.yaml")}
    draft = client.post("/v1/draft/minutes", json=body).json()
    assert draft["engine"] == "extractive" and draft["field_coverage"] == 1.0 and draft["warnings"] == []
    assert "Có mặt: 14 đồng chí" in draft["markdown"] and len(draft["items"]) == 2

    markdown = client.post("/v1/draft/minutes?format=markdown", json=body)
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text == draft["markdown"]

    word = client.post("/v1/draft/minutes?format=docx", json=body)
    assert word.status_code == 200 and word.headers["content-type"].endswith("wordprocessingml.document")
    assert 'filename="bien-ban-sinh-hoat-thuong-ky' in word.headers["content-disposition"]
    document = docx.Document(io.BytesIO(word.content))
    assert any("Trương Văn Đức" in p.text for p in document.paragraphs)


def test_api_minutes_rejects_bad_records_field_by_field(client):
    record = record_json("01-cb3-thuong-ky-12-2025.yaml")
    broken = {
        **record,
        "members_present": 16,
        "time_end": "19:00",
        "decisions": [{"text": "Thông qua", "votes": {"agree": 17}}],
    }  # more voters than present
    response = client.post("/v1/draft/minutes", json={"record": broken})
    assert response.status_code == 422
    fields = {".".join(map(str, d["loc"])) for d in response.json()["detail"]}
    assert fields == {"body.record.members_present", "body.record.time_end", "body.record.decisions.0.votes"}
    empty_agenda = client.post("/v1/draft/minutes", json={"record": {**record, "agenda": []}})  # a schema rule
    assert empty_agenda.status_code == 422 and empty_agenda.json()["detail"][0]["loc"] == ["body", "record", "agenda"]
    unknown = client.post("/v1/draft/minutes", json={"record": {**record, "kind": "weekly"}})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "record", "kind"]
    assert client.post("/v1/draft/minutes?format=odt", json={"record": record}).status_code == 422


def test_api_report_counts_and_cites_directives(client):
    records = [
        record_json(n)
        for n in (
            "05-cb5-thuong-ky-01-2026.yaml",
            "07-cb3-thuong-ky-01-2026.yaml",
            "08-cb4-thuong-ky-02-2026.yaml",
            "03-cb3-chuyen-de-ai-12-2025.yaml",
        )
    ]
    body = {
        "organization": {"name": "Đảng bộ phường Hương An", "org_unit": WARD, "place_name": "Hương An"},
        "period": {"kind": "quarter", "year": 2026, "number": 1},
        "records": records,
    }
    report = client.post("/v1/draft/report", json=body).json()
    assert [m["organization"] for m in report["meetings"]] == [
        "Chi bộ khu dân cư số 5",
        "Chi bộ khu dân cư số 3",
        "Chi bộ khu dân cư số 4",
    ]  # by date; December left out
    assert report["attendance_rate"] == round((14 + 14 + 15) / (17 + 14 + 18), 4)
    assert len(report["decisions"]) == 4 and len(report["tasks_done"]) == 1
    assert len(report["tasks_overdue"]) == 6  # every open task had its deadline before 31/03/2026
    assert {c["doc_number"] for c in report["citations"]} == {"339-QĐ/TW", "26-HD/BTGDVTW"}
    assert any("outside Q1 2026" in w for w in report["warnings"])
    assert "87,8%" in report["markdown"] and "quý I năm 2026" in report["markdown"]

    elsewhere = {**body, "organization": {"name": "Phường Tân Lập", "org_unit": "tw/tinh-thai-nguyen/phuong-tan-lap"}}
    rejected = client.post("/v1/draft/report", json=elsewhere)
    assert rejected.status_code == 422
    assert rejected.json()["detail"][0]["loc"] == ["body", "records", 0, "organization", "org_unit"]

    word = client.post("/v1/draft/report?format=docx", json=body)
    assert word.status_code == 200 and word.content[:2] == b"PK"


def test_report_citations_respect_the_callers_scope(client):
    body = {
        "organization": {"name": "Chi bộ khu dân cư số 3", "org_unit": f"{WARD}/chi-bo-3"},
        "period": {"kind": "month", "year": 2025, "number": 12},
        "records": [record_json("03-cb3-chuyen-de-ai-12-2025.yaml")],
    }
    public = client.post("/v1/draft/report", json=body).json()
    assert {c["doc_number"] for c in public["citations"]} == {"05-HD/ĐU", "339-QĐ/TW"}
    outsider = api_key(client.app.state.assistant, "secretary", "tw/tinh-thai-nguyen/phuong-tan-lap", "internal")
    scoped = client.post("/v1/draft/report", json=body, headers=outsider).json()
    assert {c["doc_number"] for c in scoped["citations"]} == {"339-QĐ/TW"}  # 05-HD/ĐU belongs to Hương An ward
    assert any("05-HD/ĐU" in w and "not in the documents you can see" in w for w in scoped["warnings"])


@pytest.fixture(scope="module")
def llm_server():
    with FakeChatServer() as server:
        yield server


def llm_drafter(corpus_assistant, server: FakeChatServer, model: str) -> MinutesDrafter:
    writer = LLMNarrativeWriter(OpenAICompatibleChat(server.base_url, model, timeout_s=10), corpus_assistant.prompts)
    return MinutesDrafter(corpus_assistant.prompts, writer)


def test_llm_narrative_is_used_when_faithful(corpus_assistant, llm_server):
    record = load_record(RECORDS / "04-cb2-bat-thuong-ket-nap-01-2026.yaml")
    draft = llm_drafter(corpus_assistant, llm_server, "minutes-faithful").draft(record)
    assert draft.engine == "minutes-faithful" and draft.prompt_version == "minutes_v1"
    assert draft.items[0].summary.startswith("Báo cáo nêu rõ: quần chúng Cao Văn Sơn")
    assert draft.items[0].opinions[0].text.startswith("Đồng chí phát biểu:")
    assert draft.field_coverage == 1.0 and draft.warnings == []
    assert "<notes>" in llm_server.last_user_prompt()


def test_llm_cannot_add_numbers_people_or_speakers(corpus_assistant, llm_server):
    record = load_record(RECORDS / "04-cb2-bat-thuong-ket-nap-01-2026.yaml")
    draft = llm_drafter(corpus_assistant, llm_server, "minutes-inventing").draft(record)
    assert "99 triệu" not in draft.markdown and "Lê Văn Tám" not in draft.markdown and "Người Lạ" not in draft.markdown
    assert any("number 99" in w for w in draft.warnings) and any("Người Lạ" in w for w in draft.warnings)
    assert draft.items[0].opinions[0].text.startswith("Đồng chí phát biểu:")  # the faithful part is still used
    assert draft.engine == "minutes-inventing" and draft.field_coverage == 1.0


def test_cli_draft_minutes_report_and_eval(corpus_assistant, tmp_path, capsys):
    data = str(corpus_assistant.settings.data_dir)
    record = str(RECORDS / "02-tan-lap-cb1-thuong-ky-11-2025.yaml")
    transcript = str(DATASET / "transcripts" / "02-tan-lap-cb1-thuong-ky-11-2025.txt")
    assert main(["--data-dir", data, "draft", "minutes", record, "--transcript", transcript]) == 0
    out = capsys.readouterr()
    assert "45 triệu đồng" in out.out and "coverage 100%" in out.err
    target = tmp_path / "bien-ban.docx"
    assert main(["--data-dir", data, "draft", "minutes", record, "-o", str(target)]) == 0
    assert target.read_bytes()[:2] == b"PK"

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (RECORDS / "02-tan-lap-cb1-thuong-ky-11-2025.yaml")
        .read_text(encoding="utf-8")
        .replace("agree: 9", "agree: 14")
        .replace("kind: regular", "kind: monthly"),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["--data-dir", data, "draft", "minutes", str(bad)]) == 2
    assert "error: kind:" in capsys.readouterr().err
    bad.write_text(bad.read_text(encoding="utf-8").replace("kind: monthly", "kind: regular"), encoding="utf-8")
    assert main(["--data-dir", data, "draft", "minutes", str(bad)]) == 2
    assert "error: decisions.0.votes: votes add up to 15" in capsys.readouterr().err

    assert (
        main(
            [
                "--data-dir",
                data,
                "draft",
                "report",
                str(RECORDS / "07-cb3-thuong-ky-01-2026.yaml"),
                "--period",
                "2026-01",
                "--format",
                "json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["meetings_by_kind"]["regular"] == 1 and report["tasks_done"][0]["task"]["assignee"] == "Lý Thị Ngọc"
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", data, "draft", "report", record, "--period", "2026-13"])
    assert exited.value.code == 2 and "the month must be 1-12" in capsys.readouterr().err

    assert main(["--data-dir", data, "eval", "minutes", str(DATASET)]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["records"] >= 10 and scores["field_coverage"] == 1.0 and scores["invented_facts"] == 0
    assert scores["rougeL"] > scores["rougeL_without_narrative"]
