"""The web page in a real headless Chromium (Playwright, Debian's /usr/bin/chromium) against the app served on
loopback: ask and open a citation, fill and download minutes, summarize and get audio, errors in plain words,
keyboard tabs, both languages. Screenshots at 360 and 1280 px go to artifacts/screenshots/."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pytest

from assistant.config import PROJECT_ROOT
from tests.conftest import WARD, served

pytestmark = pytest.mark.slow
playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (Debian packages chromium and chromium-driver)", allow_module_level=True)
SHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
WIDTHS = (360, 1280)


@pytest.fixture(scope="module")
def base_url(corpus_assistant):
    with served(corpus_assistant) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def committee_key(corpus_assistant):
    return corpus_assistant.keys.create("web committee", "committee", WARD, "internal")[0]


def open_page(browser, base_url, key: str | None, width: int = 360, lang: str = "vi"):
    page = browser.new_page(viewport={"width": width, "height": 800}, accept_downloads=True)
    page.goto(f"{base_url}/?lang={lang}")
    if key:
        page.fill("#api-key", key)
        page.click("#key-form button[type=submit]")
        page.wait_for_selector("#who:has-text('web')")
    return page


def shot(page, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_ask_and_open_a_citation(browser, base_url, committee_key, width):
    page = open_page(browser, base_url, committee_key, width)
    page.fill("#question", "Mật khẩu phải có ít nhất bao nhiêu ký tự?")
    page.click("#ask-form button[type=submit]")
    first = page.locator("#answer .citations details").first
    first.wait_for()
    assert "8 ký tự" in page.inner_text("#answer .answer")
    first.locator("summary").click()
    assert first.get_attribute("open") is not None
    assert "339-QĐ/TW" in first.inner_text() and "8 ký tự" in first.locator("blockquote").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
    shot(page, "ask", width)
    page.close()


def fill_minutes(page) -> None:
    values = {
        "#m-org-name": "Chi bộ khu dân cư số 3",
        "#m-org-parent": "Đảng bộ phường Hương An",
        "#m-org-unit": f"{WARD}/chi-bo-3",
        "#m-place-name": "Hương An",
        "#m-date": "2026-03-05",
        "#m-start": "19:30",
        "#m-end": "21:00",
        "#m-place": "Nhà văn hóa tổ 3",
        "#m-chair": "Nguyễn Văn An",
        "#m-chair-role": "Bí thư chi bộ",
        "#m-secretary": "Trần Thị Bình",
        "#m-secretary-role": "Phó Bí thư",
        "#m-total": "10",
        "#m-exempt": "0",
        "#m-present": "9",
    }
    for selector, value in values.items():
        page.fill(selector, value)
    for group in ("absent", "agenda", "decisions"):
        page.click(f'fieldset[data-group="{group}"] button.add')
    page.click('fieldset[data-group="agenda"] button.add')  # a second item, removed again
    page.locator('fieldset[data-group="agenda"] .row').nth(1).locator("button.remove").click()
    assert page.locator('fieldset[data-group="agenda"] .row').count() == 1
    page.fill('fieldset[data-group="absent"] [data-field="name"]', "Lê Văn Cường")
    page.fill('fieldset[data-group="absent"] [data-field="reason"]', "ốm")
    page.fill('fieldset[data-group="agenda"] [data-field="item_title"]', "Triển khai Quy định 339")
    page.fill('fieldset[data-group="agenda"] [data-field="notes"]', "Đồng chí Bí thư quán triệt nội dung Quy định 339.")
    page.fill('fieldset[data-group="decisions"] [data-field="decision_text"]', "Hoàn thành cài đặt Sổ tay trước 30/4")
    page.fill('fieldset[data-group="decisions"] [data-field="agree"]', "9")


@pytest.mark.parametrize("width", WIDTHS)
def test_fill_minutes_preview_and_download_docx(browser, base_url, committee_key, width):
    page = open_page(browser, base_url, committee_key, width)
    page.click("#tab-minutes")
    fill_minutes(page)
    page.click("#minutes-form button[type=submit]")
    page.wait_for_selector("#minutes-preview pre.draft")
    preview = page.inner_text("#minutes-preview")
    assert "Chi bộ khu dân cư số 3" in preview and "Lê Văn Cường" in preview and "9" in preview
    shot(page, "minutes", width)
    with page.expect_download() as download:
        page.click("#minutes-docx")
    data = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.endswith(".docx") and data[:2] == b"PK"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "Triển khai Quy định 339" in text and "Nguyễn Văn An" in text
    if shutil.which("soffice") and width == WIDTHS[0]:  # the cell's resolution, printed to PDF
        with page.expect_download() as download:
            page.click("#resolution-pdf")
        assert download.value.suggested_filename.endswith(".pdf")
        assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_summarize_a_document_and_get_audio(browser, base_url, committee_key, width):
    page = open_page(browser, base_url, committee_key, width)
    page.click("#tab-summaries")
    page.wait_for_selector("#s-doc option[value='qd-339-so-tay-dang-vien']", state="attached")
    page.select_option("#s-doc", "qd-339-so-tay-dang-vien")
    page.click("#summary-form button[type=submit]")
    page.wait_for_selector("#summary ol.points li")
    assert page.locator("#summary ol.points li").count() == 5 and page.locator("#summary .citations li").count() >= 5
    if shutil.which("espeak-ng"):
        page.click("#make-audio")
        audio = page.locator("#audio audio")
        audio.wait_for(timeout=120_000)
        assert audio.get_attribute("src").startswith("blob:")
        with page.expect_download() as download:
            page.click("#audio a.button")
        assert Path(download.value.path()).stat().st_size > 10_000
    shot(page, "summaries", width)
    page.close()


def test_errors_are_shown_in_plain_words(browser, base_url, corpus_assistant):
    page = open_page(browser, base_url, None)
    page.fill("#question", "Mật khẩu?")
    page.click("#ask-form button[type=submit]")
    assert "khóa truy cập" in page.inner_text("#error").lower()  # no key yet
    page.fill("#api-key", "ga_000000000000_" + "A" * 43)
    page.click("#key-form button[type=submit]")
    page.click("#ask-form button[type=submit]")
    page.wait_for_selector("#error:has-text('thu hồi')")
    member = corpus_assistant.keys.create("web member", "member", f"{WARD}/chi-bo-3", "internal")[0]
    page.fill("#api-key", member)
    page.click("#key-form button[type=submit]")
    page.wait_for_selector("#who:has-text('member')")
    page.click("#tab-minutes")
    fill_minutes(page)
    page.click("#minutes-form button[type=submit]")
    page.wait_for_selector("#error:has-text('không được')")  # 403: a member may not draft
    error = page.inner_text("#error")
    assert "Traceback" not in error and "member" in error
    page.click("#tab-documents")
    assert page.locator("#upload-form").is_hidden()  # only roles that may ingest see the upload form
    page.close()


def test_keyboard_tabs_labels_and_english(browser, base_url, committee_key):
    page = open_page(browser, base_url, committee_key, lang="en")
    assert page.get_attribute("html", "lang") == "en" and page.inner_text("#tab-ask") == "Ask"
    page.focus("#tab-ask")
    page.keyboard.press("ArrowRight")
    assert page.get_attribute("#tab-minutes", "aria-selected") == "true" and page.is_visible("#panel-minutes")
    unlabeled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => e.closest('template') === null && !e.labels.length).map(e => e.id || e.name)""")
    assert unlabeled == []
    page.click("#tab-documents")
    page.wait_for_selector("#documents li")
    assert page.is_visible("#upload-form")
    page.set_input_files(
        "#u-file",
        files=[
            {
                "name": "tb-web.md",
                "mimeType": "text/markdown",
                "buffer": "# Thông báo\nĐiều 1. Chi bộ họp ngày 5.".encode(),
            }
        ],
    )
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-result:has-text('tb-web')")
    assert "tb-web" in page.inner_text("#documents")
    corpus_assistant_delete = page.request.delete(
        f"{base_url}/v1/documents/tb-web", headers={"Authorization": f"Bearer {committee_key}"}
    )
    assert corpus_assistant_delete.status == 200
    page.close()
