"""The official form: vote rules (who votes, the base, pass/fail), the cycle's documents (minutes, resolution,
notice, report), and the printed page itself, measured from the PDF LibreOffice makes of our DOCX."""

from __future__ import annotations

import io
import shutil

import pytest
import yaml

from assistant.config import PROJECT_ROOT
from assistant.meeting import MeetingNotice, MeetingRecord, load_record
from assistant.official_form import issuer_code, load_form, number_line, signer_for
from assistant.prompts import PromptLibrary
from assistant.tasks.cell_documents import NoticeDrafter, ResolutionDrafter
from assistant.tasks.minutes import MinutesDrafter
from assistant.votes import outcome

RECORDS = PROJECT_ROOT / "evals" / "datasets" / "minutes" / "records"
EXPECTED = PROJECT_ROOT / "evals" / "datasets" / "minutes" / "expected"
PROMPTS = PromptLibrary(PROJECT_ROOT / "prompts")
MM = 72 / 25.4
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (libreoffice-writer-nogui) missing"
)


def record(**changes) -> MeetingRecord:
    data = load_record(RECORDS / "02-tan-lap-cb1-thuong-ky-11-2025.yaml").model_dump()
    data.update(changes)
    return MeetingRecord.model_validate(data)


def notice(**changes) -> MeetingNotice:
    data = {
        "organization": {
            "name": "Chi bộ khu dân cư số 3",
            "parent": "Đảng bộ phường Hương An",
            "place_name": "Hương An",
        },
        "date": "2026-12-15",
        "time_start": "19:30",
        "place": "Nhà văn hóa tổ dân phố số 3",
        "agenda": ["Kiểm điểm nhiệm vụ tháng 11 năm 2026", "Phương hướng nhiệm vụ tháng 12 năm 2026"],
        "readings": ["339-QĐ/TW"],
        "issued_on": "2026-12-10",
        "signer": {"name": "Nguyễn Văn An", "role": "Bí thư chi bộ"},
        "number": 12,
    }
    data.update(changes)
    return MeetingNotice.model_validate(data)


# -- the rules ----------------------------------------------------------------------------
def test_domain_example_eleven_official_ten_present_five_agree_is_not_passed():
    r = record(
        members_total=11,
        members_probationary=0,
        members_present=10,
        decisions=[{"text": "Thông qua", "votes": {"agree": 5, "disagree": 3, "abstain": 2}}],
    )
    result = outcome(r.decisions[0], r)
    assert (result.passed, result.base, result.needed) == (False, 11, 6)


def test_probationary_members_are_out_of_the_base_and_excluded_categories_too():
    r = record(
        members_total=14,
        members_exempt=1,
        members_probationary=1,
        probationary_present=1,
        members_present=9,
        base_exclusions={"sent_elsewhere": 1, "suspended": 1, "absent_reason_accepted": 1},
        absent=[
            {"name": "A", "reason": "cử đi"},
            {"name": "B", "reason": "đình chỉ"},
            {"name": "C", "reason": "ốm nặng"},
            {"name": "D"},
        ],
        decisions=[{"text": "Thông qua", "votes": {"agree": 5, "disagree": 3}}],
    )
    result = outcome(r.decisions[0], r)
    assert (result.passed, result.base, result.needed) == (True, 9, 5)


def test_admission_needs_two_thirds_of_official_members_and_an_election_more_than_half_each():
    r = record(
        members_total=15,
        members_exempt=1,
        members_probationary=1,
        members_present=12,
        probationary_present=1,
        absent=[{"name": "A", "reason": "ốm"}, {"name": "B"}],
        decisions=[
            {"text": "Kết nạp", "kind": "admission", "votes": {"agree": 9, "disagree": 2}},
            {
                "text": "Bầu",
                "kind": "election",
                "method": "secret_ballot",
                "ballot": {
                    "issued": 11,
                    "returned": 11,
                    "valid": 11,
                    "seats": 2,
                    "candidates": [{"name": "X", "votes": 9}, {"name": "Y", "votes": 8}, {"name": "Z", "votes": 5}],
                },
            },
        ],
    )
    admission, election = (outcome(d, r) for d in r.decisions)
    assert (admission.passed, admission.base, admission.needed) == (False, 14, 10)
    assert election.elected == ["X", "Y"] and election.needed == 8


def test_a_record_without_the_new_fields_still_decides_when_the_bound_allows_and_warns_otherwise():
    clear = record()  # 9 of 11 agree: more than half of any base
    assert outcome(clear.decisions[0], clear).passed is True
    unclear = record(decisions=[{"text": "Thông qua", "votes": {"agree": 5, "disagree": 4, "abstain": 1}}])
    result = outcome(unclear.decisions[0], unclear)
    assert result.passed is None and "members_probationary" in result.reason
    draft = MinutesDrafter(PROMPTS).draft(unclear)
    assert any("cannot be decided" in w for w in draft.warnings) and "chưa xác định được" in draft.markdown


@pytest.mark.parametrize("path", sorted(EXPECTED.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_decision_has_the_result_worked_out_by_hand(path):
    r = load_record(RECORDS / path.name)
    for decision, want in zip(r.decisions, yaml.safe_load(path.read_text(encoding="utf-8"))["decisions"], strict=True):
        result = outcome(decision, r)
        for key, value in want.items():
            assert getattr(result, key) == value, (path.stem, decision.text, key)


# -- the documents ------------------------------------------------------------------------
def test_minutes_state_the_base_the_result_the_ballot_and_reserved_opinions():
    markdown = (
        MinutesDrafter(PROMPTS).draft(load_record(RECORDS / "12-cb7-bieu-quyet-khong-thong-qua-04-2026.yaml")).markdown
    )
    assert "Tán thành: 5/11 đảng viên chính thức được triệu tập (45,5%)" in markdown
    assert "Kết quả: **không được thông qua** (cần ít nhất 6/11 phiếu tán thành)" in markdown
    assert "Ý kiến bảo lưu của đồng chí Lưu Thị Hoa" in markdown
    assert "trong đó 2 đảng viên dự bị (không biểu quyết)" in markdown
    election = MinutesDrafter(PROMPTS).draft(load_record(RECORDS / "13-cb8-bau-bi-thu-05-2026.yaml"))
    assert "Số phiếu phát ra: 8; số phiếu thu về: 8; số phiếu hợp lệ: 7; số phiếu không hợp lệ: 1" in election.markdown
    assert "đồng chí Trịnh Văn Hòa **trúng cử** (cần ít nhất 5/9 phiếu)" in election.markdown
    assert election.field_coverage == 1.0 and election.warnings == []


def test_the_resolution_carries_what_passed_and_who_does_what_but_not_what_failed():
    failed = load_record(RECORDS / "14-cb2-ket-nap-cong-nhan-05-2026.yaml")
    draft = ResolutionDrafter(PROMPTS).draft(failed, number=5)
    assert "Số 05-NQ/CB" in draft.markdown and "# NGHỊ QUYẾT" in draft.markdown
    assert "Đề nghị kết nạp quần chúng Nguyễn Thị Phương vào Đảng" in draft.markdown
    assert "công nhận đồng chí Chu Văn Lâm là đảng viên chính thức" not in draft.markdown
    assert any("did not pass" in w for w in draft.warnings)
    assert "| Hoàn thiện hồ sơ đề nghị kết nạp gửi Đảng ủy phường | Phùng Văn Sơn | 25/05/2026 |" in draft.markdown
    assert "**T/M CHI BỘ**<br>**BÍ THƯ**" in draft.markdown and "Lưu chi bộ." in draft.markdown
    assert draft.field_coverage == 1.0


def test_the_notice_lists_time_place_agenda_readings_with_titles_and_refuses_impossible_dates():
    draft = NoticeDrafter(PROMPTS).draft(
        notice(), lambda n: "Quy định về Sổ tay đảng viên" if n == "339-QĐ/TW" else None
    )
    assert "Số 12-TB/CB" in draft.markdown and "# THÔNG BÁO" in draft.markdown
    assert "19 giờ 30 phút, ngày 15 tháng 12 năm 2026" in draft.markdown
    assert "- 339-QĐ/TW: Quy định về Sổ tay đảng viên." in draft.markdown and draft.warnings == []
    from assistant.meeting import InvalidRecord

    with pytest.raises(InvalidRecord, match="issued_on"):
        NoticeDrafter(PROMPTS).draft(notice(issued_on="2026-12-20"))


def test_form_rules():
    form = load_form()
    assert (form.width_mm, form.height_mm) == (210, 297) and form.style("header_party").rule_under
    assert issuer_code("Chi bộ khu dân cư số 3") == "CB" and issuer_code("Đảng bộ phường Hương An") == "ĐU"
    assert number_line("resolution", "Chi bộ 3", 5) == "Số 05-NQ/CB"
    assert signer_for("Chi bộ 3", "A", "Phó Bí thư chi bộ").title == "PHÓ BÍ THƯ"


def test_impossible_records_are_field_level_422s(corpus_assistant):
    from tests.conftest import keyed_client

    body = record(
        members_probationary=2, probationary_present=2, decisions=[{"text": "X", "votes": {"agree": 9}}]
    ).model_dump(mode="json")
    with keyed_client(corpus_assistant, role="secretary", org_unit="tw") as client:
        response = client.post("/v1/draft/resolution", json={"record": body})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "record", "decisions", 0, "votes"]


# -- the printed page ---------------------------------------------------------------------
def _pdf_pages(data: bytes):
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(page.width, page.height, [c for c in page.chars if c["text"].strip()]) for page in pdf.pages]


def _line_of(chars, text: str):
    """The characters of the first printed line that starts with ``text``."""
    by_line: dict[float, list] = {}
    for c in chars:
        by_line.setdefault(round(c["top"], 0), []).append(c)
    for top in sorted(by_line):
        line = sorted(by_line[top], key=lambda c: c["x0"])
        joined = "".join(c["text"] for c in line)
        if text.replace(" ", "") in joined:
            start = joined.index(text.replace(" ", ""))
            return line[start : start + len(text.replace(" ", ""))]
    raise AssertionError(f"{text!r} not printed")


@pytest.mark.slow
@needs_soffice
@pytest.mark.parametrize("kind", ["minutes", "resolution", "notice", "report"])
def test_each_document_prints_in_the_official_form(corpus_assistant, kind):
    from tests.conftest import keyed_client

    long_record = load_record(RECORDS / "11-cb6-thuong-ky-du-bi-04-2026.yaml").model_dump(mode="json")
    bodies = {
        "minutes": {"record": long_record},
        "resolution": {"record": long_record, "number": 5},
        "notice": notice().model_dump(mode="json"),
        "report": {
            "organization": long_record["organization"],
            "period": {"kind": "month", "year": 2026, "number": 4},
            "records": [long_record],
            "number": 3,
        },
    }
    titles = {"minutes": "BIÊN BẢN", "resolution": "NGHỊ QUYẾT", "notice": "THÔNG BÁO", "report": "BÁO CÁO"}
    with keyed_client(corpus_assistant, role="secretary", org_unit="tw") as client:
        response = client.post(f"/v1/draft/{kind}", params={"format": "pdf"}, json=bodies[kind])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf" and response.content[:5] == b"%PDF-"
    pages = _pdf_pages(response.content)
    form = load_form()
    width, height, chars = pages[0]
    assert abs(width - 210 * MM) < 1 and abs(height - 297 * MM) < 1  # A4
    assert abs(min(c["x0"] for c in chars) - form.margin_left_mm * MM) < 1 * MM
    assert abs(width - max(c["x1"] for c in chars) - form.margin_right_mm * MM) < 1 * MM
    assert abs(min(c["top"] for c in chars) - form.margin_top_mm * MM) < 1 * MM
    assert all(height - c["bottom"] >= (form.margin_bottom_mm - 1) * MM for _, _, cs in pages for c in cs)
    party = _line_of(chars, "ĐẢNG CỘNG SẢN VIỆT NAM")
    issuer = _line_of(chars, "CHI BỘ KHU DÂN CƯ SỐ")
    assert party[0]["x0"] > width / 2 - 20 > issuer[-1]["x1"] - 60  # right column / left column
    assert {round(c["size"]) for c in party} == {15} and all("Bold" in c["fontname"] for c in party)
    assert {round(c["size"]) for c in issuer} == {14} and all("Bold" in c["fontname"] for c in issuer)
    date = _line_of(chars, "Hương An, ngày")
    assert {round(c["size"]) for c in date} == {14} and all("Italic" in c["fontname"] for c in date)
    title = _line_of(chars, titles[kind])
    assert {round(c["size"]) for c in title} == {16} and abs(
        (title[0]["x0"] + title[-1]["x1"]) / 2 - (30 + 165 / 2) * MM
    ) < 3 * MM  # centred
    assert any(round(c["size"]) == 14 and "Bold" not in c["fontname"] for c in chars)  # 14 pt body
    if kind != "minutes":
        assert {round(c["size"]) for c in _line_of(pages[-1][2], "- Lưu chi bộ")} == {12}  # Nơi nhận, small type
    first_page_top = [c for c in chars if c["top"] < form.margin_top_mm * MM - 1]
    assert first_page_top == []  # no page number on page 1
    for number, (_, _, page_chars) in enumerate(pages[1:], start=2):
        header = [c for c in page_chars if c["top"] < (form.margin_top_mm - 1) * MM]
        assert "".join(c["text"] for c in header) == str(number)
        assert abs(header[0]["x0"] - (30 + 165 / 2) * MM) < 5 * MM  # centred at the top


def test_pdf_without_libreoffice_is_refused_with_the_install_hint(corpus_assistant, monkeypatch):
    from assistant.ingest import office
    from tests.conftest import keyed_client

    monkeypatch.setattr(office, "soffice_binary", lambda: None)
    with keyed_client(corpus_assistant, role="secretary", org_unit="tw") as client:
        response = client.post("/v1/draft/notice", params={"format": "pdf"}, json=notice().model_dump(mode="json"))
    assert response.status_code == 503 and "libreoffice-writer-nogui" in response.json()["detail"]


def test_control_characters_typed_into_a_record_do_not_break_the_docx():
    import docx

    from assistant.docx_writer import markdown_to_docx

    data = markdown_to_docx("# BIÊN BẢN\n\nĐồng chí A\x14 phát biểu\x00 \ud8b1 xong.")
    assert "Đồng chí A phát biểu  xong." in [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
