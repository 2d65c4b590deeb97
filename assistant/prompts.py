"""Jinja2 prompt and document templates from ``prompts/``, versioned by file name.

``ask_v1.system.j2`` and ``ask_v1.user.j2`` make up prompt version ``ask_v1``; a new wording is a
new file (``ask_v2...``) selected by a setting, so every response can say which version wrote it.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from assistant.errors import AssistantError
from assistant.formatting import FILTERS

_DATA_ESCAPES = str.maketrans({"<": "‹", ">": "›"})


def as_data(text: str) -> str:
    """Document text inside a prompt: angle brackets swapped for look-alikes so it cannot close its tags."""
    return text.translate(_DATA_ESCAPES)


class PromptLibrary:
    """Loads and renders the templates of one directory (strict: a missing variable is an error)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(directory)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["as_data"] = as_data
        self.env.filters.update(FILTERS)

    def render(self, name: str, **context: object) -> str:
        try:
            return self.env.get_template(name).render(**context).strip()
        except jinja2.TemplateNotFound as exc:
            raise AssistantError(f"prompt template '{name}' not found in {self.directory}") from exc

    def exists(self, name: str) -> bool:
        return (self.directory / name).is_file()
