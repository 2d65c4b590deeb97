"""The web page at ``/``: one Jinja2 template with its stylesheet inline, a small script and a service worker;
no build step, nothing external.

Static files are addressed with a version (``/static/app.js?v=<hash of the files>``) and cached for a year;
the page and the service worker are checked on every visit (``no-cache``), so a new version reaches phones on
their next visit, and the service worker keeps the versioned files for offline use."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.types import Scope

from api.web_text import interface_text

HERE = Path(__file__).parent
mimetypes.add_type("application/manifest+json", ".webmanifest")
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html", "j2"]))
VERSIONED = ("app.js", "consult.js", "manifest.webmanifest", "icon-192.png", "icon-512.png")


def _asset_version() -> str:
    digest = hashlib.sha256()
    for path in [
        *(HERE / "static" / name for name in VERSIONED),
        HERE / "static" / "app.css",
        HERE / "templates" / "sw.js.j2",
        HERE / "templates" / "index.html.j2",
    ]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


ASSET_VERSION = _asset_version()
STYLE = (HERE / "static" / "app.css").read_text(encoding="utf-8")  # inline: no extra round trip on 3G


def _script_text_keys() -> tuple[frozenset[str], tuple[str, ...]]:
    """The interface strings the scripts use (``T.name``, and ``T["prefix_" + …]`` for families of them): only
    those travel inside the page as JSON; the rest are already in its HTML."""
    scripts = "".join(
        (HERE / "static" / name).read_text(encoding="utf-8") for name in VERSIONED if name.endswith(".js")
    )
    return frozenset(re.findall(r"\bT\.(\w+)", scripts)), tuple(re.findall(r"\bT\[\"(\w+)\" \+", scripts))


SCRIPT_KEYS, SCRIPT_PREFIXES = _script_text_keys()


class VersionedStaticFiles(StaticFiles):
    """A year of caching for versioned addresses (``?v=``); the plain address is checked every time."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if versioned else "no-cache"
        return response


STATIC = VersionedStaticFiles(directory=HERE / "static")

router = APIRouter(include_in_schema=False)


def page_language(request: Request, asked: str | None) -> str:
    """``?lang=`` when given, else the browser's first choice between Vietnamese and English (Vietnamese by default)."""
    if asked in ("vi", "en"):
        return asked
    accepted = request.headers.get("accept-language", "").lower()
    return "en" if accepted.startswith("en") else "vi"


@router.get("/", response_class=HTMLResponse)
def index(request: Request, lang: str | None = Query(default=None, pattern="^(vi|en)$")) -> HTMLResponse:
    language = page_language(request, lang)
    text = interface_text(language)
    script_text = {k: v for k, v in text.items() if k in SCRIPT_KEYS or k.startswith(SCRIPT_PREFIXES)}
    html = _templates.get_template("index.html.j2").render(
        lang=language, t=text, script_text=script_text, v=ASSET_VERSION, style=STYLE
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker, from the site's root so that it may serve the whole page offline; it names this
    version's files, so a new version replaces the old cache."""
    script = _templates.get_template("sw.js.j2").render(v=ASSET_VERSION, files=VERSIONED)
    return Response(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
