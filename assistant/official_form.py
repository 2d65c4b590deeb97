"""The official form of Party documents, read from one style definition (``prompts/official_form.yaml``),
and the small rules the document templates share: the number line, who signs and under which title.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.config import PROJECT_ROOT

FORM_PATH = PROJECT_ROOT / "prompts" / "official_form.yaml"

# Codes of document types on the number line (Số 05-NQ/CB).
TYPE_CODES = {"resolution": "NQ", "minutes": "BB", "notice": "TB", "report": "BC", "decision": "QĐ", "plan": "KH"}


@dataclass(frozen=True)
class ElementStyle:
    """How one element of the form is set: type size (pt), weight, slant, alignment details."""

    size: float = 14.0
    bold: bool = False
    italic: bool = False
    justify: bool = False
    first_line_indent_mm: float = 0.0
    rule_under: bool = False
    text: str = ""
    from_page: int = 2


@dataclass(frozen=True)
class OfficialForm:
    width_mm: float
    height_mm: float
    margin_top_mm: float
    margin_bottom_mm: float
    margin_left_mm: float
    margin_right_mm: float
    font: str
    line_spacing: float
    paragraph_after_pt: float
    elements: dict[str, ElementStyle] = field(default_factory=dict)

    def style(self, element: str) -> ElementStyle:
        return self.elements.get(element, self.elements.get("body", ElementStyle()))

    @property
    def text_width_mm(self) -> float:
        return self.width_mm - self.margin_left_mm - self.margin_right_mm


@lru_cache(maxsize=4)
def load_form(path: Path = FORM_PATH) -> OfficialForm:
    """The form described by the YAML file at ``path``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    page = data["page"]
    elements = {}
    for name, values in (data.get("elements") or {}).items():
        known = {k: v for k, v in (values or {}).items() if k in ElementStyle.__dataclass_fields__}
        elements[name] = ElementStyle(**known)
    return OfficialForm(
        width_mm=page["width_mm"],
        height_mm=page["height_mm"],
        margin_top_mm=page["margin_top_mm"],
        margin_bottom_mm=page["margin_bottom_mm"],
        margin_left_mm=page["margin_left_mm"],
        margin_right_mm=page["margin_right_mm"],
        font=data.get("font", "Times New Roman"),
        line_spacing=float(data.get("line_spacing", 1.0)),
        paragraph_after_pt=float(data.get("paragraph_after_pt", 0)),
        elements=elements,
    )


def issuer_code(organization_name: str) -> str:
    """``CB`` for a cell, ``ĐU`` for a party committee (Đảng bộ / Đảng ủy / a ward)."""
    name = organization_name.strip().casefold()
    return "CB" if name.startswith(("chi bộ", "chi bo", "cell", "party cell")) or " cell" in name else "ĐU"


def number_line(kind: str, organization_name: str, number: int | None, language: str = "vi") -> str:
    """``Số 05-NQ/CB`` (no colon after Số); blank for the number when it is not given yet (filled by hand)."""
    code = f"{TYPE_CODES[kind]}/{issuer_code(organization_name)}"
    shown = f"{number:02d}" if number is not None else "\u00a0\u00a0\u00a0\u00a0"
    return f"{'Số' if language == 'vi' else 'No.'} {shown}-{code}"


@dataclass(frozen=True)
class Signer:
    """The signature block on the right: ``T/M CHI BỘ`` over ``BÍ THƯ``, then the name."""

    on_behalf: str
    title: str
    name: str


def signer_for(organization_name: str, name: str, role: str, language: str = "vi") -> Signer:
    """Who signs for the cell (or committee): its secretary, or the deputy secretary when that is the role."""
    committee = issuer_code(organization_name) == "ĐU"
    deputy = "phó" in role.casefold() or "deputy" in role.casefold()
    if language == "vi":
        return Signer("T/M ĐẢNG ỦY" if committee else "T/M CHI BỘ", "PHÓ BÍ THƯ" if deputy else "BÍ THƯ", name)
    return Signer(
        "FOR THE PARTY COMMITTEE" if committee else "FOR THE PARTY CELL",
        "DEPUTY SECRETARY" if deputy else "SECRETARY",
        name,
    )


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s (the month a regular meeting reviews)."""
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
