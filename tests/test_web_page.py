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
    for path in ("/", "/static/app.js", "/static/app.css"):
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
