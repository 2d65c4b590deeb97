"""The web page at ``/``: one Jinja2 template, a stylesheet and a small script; no build step, nothing external."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.web_text import interface_text

HERE = Path(__file__).parent
STATIC = StaticFiles(directory=HERE / "static")
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html", "j2"]))

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
    html = _templates.get_template("index.html.j2").render(lang=language, t=interface_text(language))
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
