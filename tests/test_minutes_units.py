"""Fast tests of the meeting record rules, the narrative, the checker, DOCX and ROUGE (no model, no index)."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from pydantic import ValidationError

from assistant.config import PROJECT_ROOT
from assistant.docx_writer import markdown_to_docx
from assistant.errors import BackendUnavailable, InvalidInput
from assistant.formatting import clock, long_date, percent, short_date
from assistant.meeting import InvalidRecord, MeetingRecord, load_record, record_problems
from assistant.prompts import PromptLibrary
from assistant.tasks.condense import condense
from assistant.tasks.minutes import MinutesDrafter
from assistant.tasks.minutes_check import check_minutes
from assistant.tasks.report import ReportPeriod
from assistant.tasks.transcript import parse_transcript, split_by_agenda
from evals.rouge import rouge

RECORDS = PROJECT_ROOT / "evals" / "datasets" / "minutes" / "records"
PROMPTS = PromptLibrary(PROJECT_ROOT / "prompts")


def sample(**changes) -> MeetingRecord:
    """The first shipped record, with ``changes`` applied to its fields (validated anew)."""
    data = load_record(RECORDS / "01-cb3-thuong-ky-12-2025.yaml").model_dump()
    data.update(changes)
    return MeetingRecord.model_validate(data)


def problem_fields(record: MeetingRecord) -> set[str]:
    return {p.where() for p in record_problems(record)}


def test_shipped_records_are_valid():
    paths = sorted(RECORDS.glob("*.yaml"))
    assert len(paths) >= 10
    for path in paths:
        assert record_problems(load_record(path)) == [], path


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"members_present": 16}, "members_present"),
        ({"members_present": 11}, "absent"),  # 11 present + 2 absent != 14 expected
        ({"time_end": dt.time(19, 0)}, "time_end"),
        (
            {"decisions": [{"text": "X", "votes": {"agree": 12, "disagree": 1}}]},
            "decisions.0.votes",
        ),  # 13 voters, 12 present
        (
            {
                "members_probationary": 2,
                "probationary_present": 2,
                "decisions": [{"text": "X", "votes": {"agree": 11}}],
            },
            "decisions.0.votes",
        ),  # probationary members do not vote
        ({"members_probationary": 1, "probationary_present": 2}, "probationary_present"),
        ({"members_probationary": 15}, "members_probationary"),
        ({"base_exclusions": {"absent_reason_accepted": 3}}, "base_exclusions.absent_reason_accepted"),
        (
            {
                "decisions": [
                    {
                        "text": "X",
                        "method": "secret_ballot",
                        "votes": {"agree": 8},
                        "ballot": {"issued": 10, "returned": 11, "valid": 11},
                    }
                ]
            },
            "decisions.0.ballot.returned",
        ),
        (
            {
                "decisions": [
                    {
                        "text": "X",
                        "method": "secret_ballot",
                        "votes": {"agree": 8},
                        "ballot": {"issued": 12, "returned": 12, "valid": 10, "invalid": 1},
                    }
                ]
            },
            "decisions.0.ballot.valid",
        ),
        (
            {
                "decisions": [
                    {
                        "text": "X",
                        "method": "secret_ballot",
                        "votes": {"agree": 8},
                        "ballot": {"issued": 13, "returned": 12, "valid": 12},
                    }
                ]
            },
            "decisions.0.ballot.issued",
        ),
        (
            {
                "decisions": [
                    {
                        "text": "Bầu bí thư",
                        "kind": "election",
                        "method": "secret_ballot",
                        "ballot": {
                            "issued": 12,
                            "returned": 12,
                            "valid": 12,
                            "candidates": [{"name": "A", "votes": 13}],
                        },
                    }
                ]
            },
            "decisions.0.ballot.candidates.0.votes",
        ),
        ({"decisions": [{"text": "Bầu bí thư", "kind": "election"}]}, "decisions.0.ballot"),
        ({"decisions": [{"text": "X", "agenda_item": 5}]}, "decisions.0.agenda_item"),
        ({"kind": "thematic"}, "topic"),
        ({"place": "", "online": False}, "place"),
        ({"tasks": [{"assignee": "A", "what": "B", "deadline": "2025-01-01"}]}, "tasks.0.deadline"),
    ],
)
def test_each_broken_rule_names_its_field(changes, field):
    assert field in problem_fields(sample(**changes))


def test_type_errors_are_pydantic_field_errors():
    with pytest.raises(ValidationError) as caught:
        sample(kind="weekly", members_total=-1, agenda=[])
    assert {e["loc"][0] for e in caught.value.errors()} == {"kind", "members_total", "agenda"}


def test_load_record_reports_every_problem(tmp_path):
    bad = (RECORDS / "01-cb3-thuong-ky-12-2025.yaml").read_text(encoding="utf-8")
    bad = bad.replace("members_present: 12", "members_present: 16").replace("agree: 12", "agree: 17")
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(InvalidRecord) as caught:
        load_record(path)
    assert {p.where() for p in caught.value.problems} == {"members_present", "decisions.0.votes"}
    assert caught.value.under("record").problems[0].loc[0] == "record"


def test_times_in_yaml_forms():
    assert sample(time_start=19 * 60 + 5).time_start == dt.time(19, 5)  # YAML 1.1 reads 19:05 as 1145
    assert sample(time_start="19h30").time_start == dt.time(19, 30)
    zoned = sample(time_start="19:30:00+07:00", time_end="21:00:00Z")  # found by fuzzing: used to raise TypeError
    assert zoned.time_start == dt.time(19, 30) and problem_fields(zoned) == set()
    assert "time_end" in problem_fields(sample(time_start="19:30:00Z", time_end=dt.time(8, 0)))
    with pytest.raises(ValidationError):
        sample(time_end=False)  # not midnight


def test_formatting():
    day = dt.date(2026, 3, 4)
    assert long_date(day, "vi") == "ngày 04 tháng 03 năm 2026" and long_date(day, "en") == "4 March 2026"
    assert short_date(day, "vi") == "04/03/2026" and clock(dt.time(9, 5), "vi") == "9 giờ 05 phút"
    assert percent(12, 13, "vi") == "92,3%" and percent(12, 12, "en") == "100%" and percent(1, 0, "en") == "0%"


def test_condense_keeps_facts_verbatim_and_in_order():
    notes = (
        "Chi bộ họp bàn việc làm đường. Trời hôm nay mưa. Bà con đóng góp được 45 triệu đồng cho việc làm đường. "
        "Việc làm đường sẽ xong trước ngày 30 tháng 11. Mọi người vui vẻ."
    )
    kept = condense(notes)
    assert "45 triệu đồng" in kept and "30 tháng 11" in kept and "Trời hôm nay mưa" not in kept
    sentences = [s.strip() for s in kept.split(". ") if s]
    assert all(s.rstrip(".") in notes for s in sentences)
    assert kept.index("45 triệu") < kept.index("30 tháng 11")


def test_transcript_turns_and_agenda_walk():
    turns = parse_transcript(
        "[19:30] Chủ trì (Nguyễn Văn An): Hôm nay bàn kiểm điểm tháng 10 và kế hoạch tháng 11.\n"
        "Đ/c Lan: Tháng 10 đã làm đường.\n"
        "tiếp tục báo cáo phần thu quỹ.\n"
        "Đ/c Lan: Quỹ được 5 triệu.\n"
        "Nguyễn Văn An: Sang kế hoạch tháng 11, cần làm camera.\n"
        "Long: Tôi nhất trí.\n"
    )
    assert [t.speaker for t in turns] == ["Nguyễn Văn An", "Lan", "Nguyễn Văn An", "Long"]
    assert turns[1].text == "Tháng 10 đã làm đường. tiếp tục báo cáo phần thu quỹ. Quỹ được 5 triệu."
    first, second = split_by_agenda(turns, ["Kiểm điểm tháng 10", "Kế hoạch tháng 11"])
    assert [t.speaker for t in first] == ["Lan"]  # the agenda announcement belongs to no item
    assert [t.speaker for t in second] == ["Nguyễn Văn An", "Long"]


def test_a_turn_that_names_one_item_best_moves_the_walk_there():
    turns = parse_transcript(
        "Hải: Chương trình gồm kiểm điểm nhiệm vụ tháng 10 năm 2025 và phương hướng nhiệm vụ tháng 11 năm 2025.\n"
        "Lan: Trong tháng 10 chi bộ vận động được 45 triệu đồng.\n"
        "Hải: Sang phương hướng nhiệm vụ tháng 11 năm 2025, chi bộ hoàn thành làm đường ngõ 5.\n"
    )
    first, second = split_by_agenda(
        turns, ["Kiểm điểm nhiệm vụ tháng 10 năm 2025", "Phương hướng nhiệm vụ tháng 11 năm 2025"]
    )
    assert [t.speaker for t in first] == ["Lan"] and [t.speaker for t in second] == ["Hải"]


def test_draft_states_every_fact_and_invents_none():
    record = sample()
    draft = MinutesDrafter(PROMPTS).draft(record)
    assert draft.field_coverage == 1.0 and draft.warnings == [] and draft.engine == "extractive"
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in draft.markdown and "Tán thành: 12/12" in draft.markdown
    assert (
        draft.markdown.index("II. THÀNH PHẦN")
        < draft.markdown.index("III. NỘI DUNG")
        < draft.markdown.index("IV. KẾT THÚC")
    )


def test_checker_catches_wrong_missing_and_invented_facts():
    record = sample()
    markdown = MinutesDrafter(PROMPTS).draft(record).markdown
    tampered = (
        markdown.replace("Tán thành: 12/12", "Tán thành: 11/12").replace("Phạm Thị Dung", "")
        + "\nĐồng chí Lê Văn Tám đề nghị chi 99 triệu đồng.\n"
    )
    report = check_minutes(tampered, record)
    missing = {f.field for f in report.facts if not f.found}
    assert missing == {"decisions.0.votes.agree", "absent.1"}
    assert report.invented == ["number 99", "person 'Lê Văn Tám'"]
    assert report.coverage < 1.0 and len(report.warnings()) == 4


def test_inquorate_meeting_is_flagged():
    record = sample(
        members_present=7,
        absent=[{"name": f"Người {i}"} for i in range(7)],
        decisions=[{"text": "X", "votes": {"agree": 7}}],
    )
    draft = MinutesDrafter(PROMPTS).draft(record)
    assert not draft.quorate and "not more than half" in draft.warnings[0]
    assert "chưa quá một nửa" in draft.markdown


def test_english_template():
    draft = MinutesDrafter(PROMPTS).draft(load_record(RECORDS / "06-riverside-cell-regular-02-2026.yaml"))
    assert draft.field_coverage == 1.0 and "COMMUNIST PARTY OF VIET NAM" in draft.markdown
    assert "For: 9 of 10 present (90%)" in draft.markdown and draft.language == "en"


class _FailingWriter:
    name, prompt_version = "broken-model", "minutes_v1"

    def rewrite(self, record, sources, drafts):
        raise BackendUnavailable("server down")


def test_llm_failure_falls_back_flagged_or_fails_when_required():
    record = sample()
    drafter = MinutesDrafter(PROMPTS, _FailingWriter())
    draft = drafter.draft(record)
    assert draft.engine == "extractive" and "server down" in draft.fallback
    with pytest.raises(BackendUnavailable):
        drafter.draft(record, engine="llm")
    with pytest.raises(InvalidInput, match="no language model"):
        MinutesDrafter(PROMPTS).draft(record, engine="llm")


def test_docx_has_letterhead_title_and_signatures():
    data = markdown_to_docx(MinutesDrafter(PROMPTS).draft(sample()).markdown)
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[:3] == ["BIÊN BẢN", "sinh hoạt chi bộ thường kỳ tháng 12 năm 2025", "-----"]
    title = next(p for p in document.paragraphs if p.text == "BIÊN BẢN")
    assert title.alignment == 1 and title.runs[0].font.size.pt == 16 and title.runs[0].bold  # centred, 16 pt bold
    assert not any(p.style.name.startswith("Heading") for p in document.paragraphs)  # the form's sizes, not Word's
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, not US Letter
    assert [
        round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ] == [20, 20, 30, 15]
    header, *_, signatures = document.tables
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in header.rows[0].cells[1].text
    assert "Trần Thị Bình" in signatures.rows[1].cells[0].text and "Nguyễn Văn An" in signatures.rows[1].cells[1].text
    assert not any("**" in t for t in texts)


def test_rouge():
    assert rouge("chi bộ họp", "chi bộ họp") == {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}
    assert rouge("a b", "c d")["rouge1"] == 0.0
    scores = rouge("đảng viên dự họp đầy đủ", "đảng viên họp đầy đủ")
    assert scores["rouge1"] == pytest.approx(10 / 11, abs=1e-4) and scores["rougeL"] == scores["rouge1"]


def test_report_period():
    quarter = ReportPeriod(kind="quarter", year=2026, number=1)
    assert (quarter.first_day, quarter.last_day) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert (
        quarter.label("vi") == "quý I năm 2026"
        and ReportPeriod(kind="month", year=2026, number=2).label("en") == "February 2026"
    )
    with pytest.raises(ValidationError):
        ReportPeriod(kind="quarter", year=2026, number=5)


def test_minutes_dataset_is_built_from_its_sources(tmp_path):
    from evals.build_minutes_dataset import DATASET, build

    shipped = (DATASET / "minutes.jsonl").read_text(encoding="utf-8")
    copy = tmp_path / "minutes"
    for sub in ("records", "references", "transcripts", "expected"):
        (copy / sub).mkdir(parents=True)
        for f in (DATASET / sub).iterdir():
            (copy / sub / f.name).write_bytes(f.read_bytes())
    assert build(copy) >= 10
    assert (copy / "minutes.jsonl").read_text(encoding="utf-8") == shipped


def test_names_and_numbers_on_their_own_line_in_the_notes_are_known():
    item = {"title": "Góp ý", "notes": "Ý kiến:\nNguyễn Văn Tư cho rằng cần thêm 3 buổi."}
    record = sample(agenda=[item], decisions=[])
    assert check_minutes("Đồng chí Nguyễn Văn Tư đề nghị thêm 3 buổi.", record).invented == []
