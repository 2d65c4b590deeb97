"""Consultations in a real headless Chromium at 360 px: a member comments on Điều 2 and edits it, a member of
another cell disagrees, the committee's synthesis shows both under Điều 2 with the right counts; a member
outside the scope does not see the consultation."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.store.consultations import ConsultationPlan
from tests.conftest import WARD, served
from tests.test_web import browser, open_page, shot  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.slow
CELL, SIBLING = f"{WARD}/chi-bo-3", f"{WARD}/chi-bo-4"


def comment_on_article_2(page, stance: str, text: str) -> None:
    page.click("#tab-consult")
    page.get_by_role("button", name="Đọc và góp ý").click()
    article = page.locator('details[data-target$="Điều 2"]')
    article.locator("summary").click()
    article.get_by_label("Ý kiến", exact=True).select_option(stance)
    article.locator("textarea").fill(text)
    article.get_by_role("button", name="Gửi góp ý").click()
    page.wait_for_selector(f'details[data-target$="Điều 2"] ul.mine:has-text("{text[:20]}")')


def test_members_comment_and_the_committee_sees_the_synthesis(browser, regulation_assistant):  # noqa: F811
    a = regulation_assistant
    keys = {
        who: a.keys.create(f"web {who}", role, unit, "internal")
        for who, role, unit in [
            ("committee", "committee", WARD),
            ("one", "member", CELL),
            ("two", "member", SIBLING),
            ("outsider", "member", "tw/tinh-thai-nguyen/phuong-khac"),
        ]
    }
    plan = ConsultationPlan(
        doc_id="qd-339-so-tay-dang-vien", org_units=[CELL, SIBLING], deadline=a.local_now() + dt.timedelta(days=7)
    )
    a.consultations.open(keys["committee"][1].principal(), plan)
    with served(a) as url:
        one = open_page(browser, url, keys["one"][0])
        comment_on_article_2(one, "propose", "Đề nghị chi bộ cử người hướng dẫn đảng viên cao tuổi cài ứng dụng.")
        article = one.locator('details[data-target$="Điều 2"]')
        article.locator("ul.mine").get_by_role("button", name="Sửa").click()
        article.locator("ul.mine textarea").fill("Đề nghị chi bộ cử người hướng dẫn tận nhà cho đảng viên cao tuổi.")
        article.locator("ul.mine").get_by_role("button", name="Lưu").click()
        one.wait_for_selector('details[data-target$="Điều 2"] ul.mine:has-text("tận nhà")')
        assert one.evaluate("document.documentElement.scrollWidth") <= 360
        shot(one, "consultation-comment", 360)

        two = open_page(browser, url, keys["two"][0])
        comment_on_article_2(two, "disagree", "Không đồng ý bắt buộc đảng viên trên 80 tuổi phải dùng ứng dụng.")

        committee = open_page(browser, url, keys["committee"][0])
        committee.click("#tab-consult")
        committee.get_by_role("button", name="Đọc và góp ý").click()
        committee.get_by_role("button", name="Tổng hợp ý kiến").click()
        committee.wait_for_selector("#synthesis")
        synthesis = committee.inner_text("#synthesis")
        assert "2 ý kiến" in synthesis and "Điều 2 (2)" in synthesis
        assert "tận nhà" in synthesis and "trên 80 tuổi" in synthesis
        assert "(Đồng ý 0, Không đồng ý 1, Đề xuất sửa 1)" in synthesis  # both in one theme, each counted once
        shot(committee, "consultation-synthesis", 360)

        outsider = open_page(browser, url, keys["outsider"][0])
        outsider.click("#tab-consult")
        outsider.wait_for_selector("#consultations:has-text('Chưa có dự thảo nào')")
        for page in (one, two, committee, outsider):
            page.close()
