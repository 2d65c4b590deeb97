"""The page with no network, in a real headless Chromium at 360 px (service worker on): a meeting's notice, a
draft under consultation and the answers read yesterday stay readable offline; a reply, a question and a
comment on the draft made offline are delivered exactly once when the network returns (also when the first answer is lost on the way); a revoked key's cache is gone
after the next online call; read-aloud gives playable audio."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.service import Assistant
from assistant.store.consultations import ConsultationPlan
from tests.conftest import WARD, served
from tests.test_meetings_store import plan
from tests.test_web import CHROMIUM, playwright_api, shot

pytestmark = pytest.mark.slow
CELL = f"{WARD}/chi-bo-3"
QUESTION = "Mật khẩu phải có ít nhất bao nhiêu ký tự?"


def ask_count(assistant: Assistant) -> int:
    return len(assistant.audit.query(action="ask", limit=1000))


def test_offline_notice_queue_and_revoked_key(regulation_assistant):
    a = regulation_assistant
    secretary = a.keys.create("web secretary", "secretary", CELL, "internal")[1].principal()
    member_key, member = a.keys.create("web member", "member", CELL, "internal")
    day = a.local_now().date() + dt.timedelta(days=3)
    meeting = a.meetings.schedule(secretary, plan(date=day.isoformat()))
    a.cycle.publish(secretary, meeting.id, 4, "vi", lambda number: None)
    ward = a.keys.create("web ward", "committee", WARD, "internal")[1].principal()
    consultation = a.consultations.open(
        ward,
        ConsultationPlan(
            doc_id="qd-339-so-tay-dang-vien", org_units=[CELL], deadline=a.local_now() + dt.timedelta(days=5)
        ),
    )
    with served(a) as url, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 360, "height": 800})
        page = context.new_page()
        page.goto(f"{url}/?lang=vi")
        page.fill("#api-key", member_key)
        page.click("#key-form button[type=submit]")
        page.wait_for_selector("#who:has-text('web member')")
        assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now under the service worker's control
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.click("#tab-meetings")
        page.wait_for_selector("article.meeting")
        page.click("#tab-consult")
        page.get_by_role("button", name="Đọc và góp ý").click()  # the draft is kept for reading offline
        page.wait_for_selector('details[data-target$="Điều 2"]')
        page.click("#tab-ask")
        page.fill("#question", QUESTION)
        page.click("#ask-form button[type=submit]")
        page.wait_for_selector("#answer .answer")
        assert "8 ký tự" in page.inner_text("#answer")

        # read aloud: playable audio from the server's own voice
        page.click("#answer button.speak")
        page.wait_for_selector("#answer audio")
        duration = page.evaluate("""() => new Promise((done) => { const a = document.querySelector('#answer audio');
            if (a.readyState >= 1) done(a.duration); else a.addEventListener('loadedmetadata', () => done(a.duration)); })""")
        assert duration > 1

        # no network: the page, the notice and yesterday's answer are still there
        context.set_offline(True)
        page.reload()
        page.wait_for_selector("#offline:not([hidden])")
        page.click("#tab-meetings")
        page.wait_for_selector("article.meeting")
        page.click("article.meeting details summary:has-text('Thông báo')")
        assert "THÔNG BÁO" in page.inner_text("article.meeting details")
        page.click("#tab-ask")
        page.click(f"#recent-list button:has-text('{QUESTION[:20]}')")
        assert "8 ký tự" in page.inner_text("#answer")
        shot(page, "offline-answer", 360)

        # offline actions wait on the phone...
        page.click("#tab-meetings")
        page.get_by_role("button", name="Tôi sẽ dự").click()
        page.click("#tab-ask")
        page.fill("#question", "Khi mất thiết bị phải báo cho ai?")
        page.click("#ask-form button[type=submit]")
        page.click("#tab-consult")
        page.get_by_role("button", name="Đọc và góp ý").click()
        article = page.locator('details[data-target$="Điều 2"]')
        article.locator("summary").click()
        assert "Đối tượng áp dụng" in article.inner_text()  # the draft, read offline
        article.locator("textarea").fill("Đề nghị hướng dẫn riêng cho đảng viên cao tuổi.")
        article.get_by_role("button", name="Gửi góp ý").click()
        page.wait_for_selector("#outbox:not([hidden])")
        page.wait_for_function("document.querySelectorAll('#outbox-list li').length === 3")
        shot(page, "offline-outbox", 360)
        asked_before = ask_count(a)

        # ...and are delivered once when the network returns, though the first reply's answer is lost
        lost = {"count": 0}

        def lose_first_answer(route):
            if lost["count"] == 0:
                lost["count"] += 1
                route.fetch()  # the server does it...
                route.abort("failed")  # ...but the phone never hears back
            else:
                route.continue_()

        page.route("**/v1/meetings/*/reply", lose_first_answer)
        context.set_offline(False)
        page.wait_for_function("navigator.onLine")
        page.evaluate("flushOutbox()")  # (the page also tries on the "online" event and every 20 s)
        while not lost["count"]:
            page.wait_for_timeout(100)
        page.wait_for_function("!flushing")
        assert page.locator("#outbox-list li").count() == 3  # the reply whose answer was lost waits again
        page.evaluate("flushOutbox()")  # sent again with the same keys
        page.wait_for_selector("#outbox", state="hidden")
        replies = a.meetings.get(secretary, meeting.id).replies
        assert lost["count"] == 1 and [(r.member_name, r.version) for r in replies] == [("web member", 1)]
        assert ask_count(a) == asked_before + 1
        comments = a.consultations.store.comments(ward, consultation.id)[1]
        assert [c.text for c in comments] == ["Đề nghị hướng dẫn riêng cho đảng viên cao tuổi."]
        page.click("#tab-ask")
        page.wait_for_selector("#answer:has-text('Khi mất thiết bị')")  # the answer to the queued question

        # a revoked key: the next online call clears what the phone kept
        a.keys.revoke(member.key_id)
        page.click("#tab-meetings")
        page.wait_for_selector("#error:has-text('thu hồi')")
        page.wait_for_function("caches.keys().then((names) => !names.some((n) => n.startsWith('api-')))")
        assert page.evaluate("localStorage.getItem('answers')") is None
        browser.close()
