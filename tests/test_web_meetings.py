"""The whole meeting cycle in a real headless Chromium at 360 px: the secretary schedules and publishes, two
members reply (one absent with a reason), the secretary completes the pre-filled record, the chair approves,
a member asks about the decision and gets it cited; a member of a sibling cell does not."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.service import Assistant
from tests.conftest import WARD, make_settings, served
from tests.test_web import browser, open_page, shot  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.slow
CELL, SIBLING = f"{WARD}/chi-bo-3", f"{WARD}/chi-bo-4"
QUESTION = "Chi bộ quyết định trồng bao nhiêu cây xanh?"


@pytest.fixture(scope="module")
def cycle_assistant(tmp_path_factory):
    assistant = Assistant(make_settings(tmp_path_factory.mktemp("web-cycle")))
    yield assistant
    assistant.close()


def card(page):
    return page.locator("article.meeting").first


def ask(page, question: str) -> str:
    page.click("#tab-ask")
    page.fill("#question", question)
    page.click("#ask-form button[type=submit]")
    page.wait_for_selector("#answer .answer")
    return page.inner_text("#answer")


def test_the_whole_meeting_cycle_on_a_phone(browser, cycle_assistant):  # noqa: F811
    a = cycle_assistant
    keys = {
        who: a.keys.create(f"web {who}", role, unit, "internal")[0]
        for who, role, unit in [
            ("secretary", "secretary", CELL),
            ("chair", "secretary", CELL),
            ("member one", "member", CELL),
            ("member two", "member", CELL),
            ("sibling", "member", SIBLING),
        ]
    }
    clock = {"now": a.local_now()}
    a.meetings.clock = a.cycle.minutes_archive.clock = lambda: clock["now"]
    day = clock["now"].date() + dt.timedelta(days=2)
    with served(a) as url:
        secretary = open_page(browser, url, keys["secretary"])
        secretary.click("#tab-meetings")
        for selector, value in {
            "#sc-name": "Chi bộ khu dân cư số 3",
            "#sc-parent": "Đảng bộ phường Hương An",
            "#sc-date": day.isoformat(),
            "#sc-time": "19:30",
            "#sc-place": "Nhà văn hóa tổ 3",
            "#sc-agenda": "Kiểm điểm nhiệm vụ tháng 11\nTrồng cây xanh trong khu dân cư",
        }.items():
            secretary.fill(selector, value)
        secretary.click("#schedule-form button[type=submit]")
        card(secretary).wait_for()
        assert "Chưa gửi thông báo" in card(secretary).inner_text()
        card(secretary).get_by_role("button", name="Gửi thông báo cho đảng viên").click()
        secretary.wait_for_function("!document.querySelector('article.meeting').innerText.includes('Chưa gửi')")

        one, two = open_page(browser, url, keys["member one"]), open_page(browser, url, keys["member two"])
        for member in (one, two):
            member.click("#tab-meetings")
            card(member).wait_for()
        card(one).get_by_role("button", name="Tôi sẽ dự").click()
        one.wait_for_selector("article.meeting:has-text('Trả lời của đồng chí: Tôi sẽ dự')")
        card(two).get_by_label("Lý do").fill("đi khám bệnh")
        card(two).get_by_role("button", name="Không dự được").click()
        two.wait_for_selector("article.meeting:has-text('đi khám bệnh')")
        assert two.evaluate("document.documentElement.scrollWidth") <= 360
        shot(two, "meeting-reply", 360)

        clock["now"] = dt.datetime.combine(day, dt.time(21, 30))  # the meeting has been held
        secretary.click("#tab-ask")
        secretary.click("#tab-meetings")
        card(secretary).get_by_role("button", name="Hoàn thành biên bản").click()
        secretary.wait_for_selector("#panel-minutes:not([hidden])")
        assert secretary.input_value("#m-total") == "4" and secretary.input_value("#m-present") == "1"
        absent = secretary.locator('fieldset[data-group="absent"] .row')
        reasons = [absent.nth(i).locator('[data-field="reason"]').input_value() for i in range(absent.count())]
        assert "đi khám bệnh" in reasons
        for i in reversed(range(absent.count())):  # the secretary and the chair came, without replying
            if not reasons[i]:
                absent.nth(i).locator("button.remove").click()
        for selector, value in {
            "#m-present": "3",
            "#m-end": "21:15",
            "#m-chair": "Nguyễn Văn An",
            "#m-chair-role": "Bí thư chi bộ",
        }.items():
            secretary.fill(selector, value)
        secretary.locator('fieldset[data-group="agenda"] [data-field="notes"]').nth(1).fill(
            "Chi bộ bàn việc trồng cây xanh dọc đường Hương An."
        )
        secretary.click('fieldset[data-group="decisions"] button.add')
        secretary.fill(
            '[data-field="decision_text"]', "Chi bộ quyết định trồng 50 cây xanh dọc đường Hương An trước ngày 31/12"
        )
        secretary.fill('fieldset[data-group="decisions"] [data-field="agree"]', "3")
        secretary.click("#save-record")
        secretary.wait_for_selector("article.meeting:has-text('Biên bản (1, dự thảo)')")
        assert "Nghị quyết (1, dự thảo)" in card(secretary).inner_text()
        assert card(secretary).get_by_role("button", name="Duyệt biên bản, nghị quyết").count() == 1

        chair = open_page(browser, url, keys["chair"])
        chair.click("#tab-meetings")
        chair.get_by_label("Cả các buổi đã qua").check()
        card(chair).get_by_role("button", name="Duyệt biên bản, nghị quyết").click()
        chair.wait_for_selector("article.meeting:has-text('Biên bản (1, đã duyệt)')")
        shot(chair, "meeting-approved", 360)

        answer = ask(one, QUESTION)
        assert "50 cây xanh" in answer and "Chi bộ khu dân cư số 3" in answer, answer
        shot(one, "meeting-asked", 360)
        sibling = open_page(browser, url, keys["sibling"])
        assert "50 cây xanh" not in ask(sibling, QUESTION)
        for page in (secretary, one, two, chair, sibling):
            page.close()
