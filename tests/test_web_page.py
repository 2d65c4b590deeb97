"""The web page as served (no browser, no model): small, self-contained, labelled, in both languages."""

from __future__ import annotations

import gzip
import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import make_settings


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(make_settings(tmp_path / "data"))) as c:
        yield c


def test_page_is_small_and_fetches_nothing_from_outside(client):
    total = 0
    script = re.search(r'src="(/static/app\.js\?v=\w+)"', client.get("/").text).group(1)
    for path in ("/", script, "/sw.js"):  # the stylesheet is inside the page
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
        assert not re.search(r"(src|href|url)\s*[=(]\s*[\"']?(https?:)?//", response.text), path  # no CDN, no web font
        total += len(gzip.compress(response.content))
    assert total < 15_000  # bytes over the wire: a weak 2G connection (~50 kbit/s) loads the page in ~2 s


def test_both_languages_and_labels(client):
    vietnamese, english = client.get("/").text, client.get("/?lang=en").text
    assert '<html lang="vi">' in vietnamese and "Hỏi đáp" in vietnamese
    assert '<html lang="en">' in english and ">Ask<" in english
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', vietnamese))
    assert ids and ids <= set(re.findall(r'<label[^>]*\bfor="([^"]+)"', vietnamese))
    assert client.get("/?lang=fr").status_code == 422


def test_installable_parts_are_served(client):
    manifest = client.get("/static/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.headers["content-type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["start_url"] == "/" and data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}
    for icon in data["icons"]:
        assert client.get(icon["src"]).headers["content-type"] == "image/png"
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and "javascript" in worker.headers["content-type"]
    assert worker.headers["cache-control"] == "no-cache"  # a new version is picked up at once
    script = re.search(r'src="(/static/app\.js\?v=(\w+))"', client.get("/").text)
    assert script.group(1) in worker.text and f"shell-{script.group(2)}" in worker.text  # kept for offline use
    assert "immutable" in client.get(script.group(1)).headers["cache-control"]
    assert client.get("/static/app.js").headers["cache-control"] == "no-cache"
    page = client.get("/").text
    assert 'rel="manifest"' in page and 'id="offline"' in page and 'id="set-large"' in page
