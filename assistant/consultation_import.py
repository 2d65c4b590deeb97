"""Comments gathered on paper, typed into a spreadsheet by the cell's secretary: CSV (UTF-8) or XLSX.

Columns (a header row, Vietnamese or English names, any order): ``noi_dung`` / ``text`` (required),
``dieu`` / ``target`` (the article, e.g. "Điều 2"; empty: the whole draft), ``y_kien`` / ``stance``
(đồng ý / không đồng ý / đề xuất, or agree / disagree / propose; empty: not marked), ``nguoi_gop_y`` /
``author``. Every problem is reported with its row and column, and nothing is kept unless every row is good.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from assistant.errors import InvalidInput
from assistant.meeting import FieldProblem, InvalidRecord
from assistant.tasks.synthesis import Stance
from assistant.text import fold_accents

COLUMNS = {
    "text": ("noi_dung", "noi dung", "text", "y kien gop y"),
    "target": ("dieu", "target", "dieu khoan"),
    "stance": ("y_kien", "stance", "thai do", "loai y kien"),
    "author": ("nguoi_gop_y", "author", "ho ten"),
}
STANCES: dict[str, Stance] = {
    "dong y": "agree",
    "tan thanh": "agree",
    "agree": "agree",
    "nhat tri": "agree",
    "khong dong y": "disagree",
    "phan doi": "disagree",
    "disagree": "disagree",
    "khong tan thanh": "disagree",
    "de xuat": "propose",
    "de xuat sua": "propose",
    "de nghi sua": "propose",
    "propose": "propose",
    "gop y sua": "propose",
}
MAX_ROWS = 5000


def _key(name: object) -> str:
    return " ".join(fold_accents(str(name or "")).casefold().replace("_", " ").split())


def _rows(data: bytes, filename: str) -> list[list[str]]:
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # a damaged or disguised file
            raise InvalidInput(f"cannot read {filename} as an Excel workbook: {exc}") from exc
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{filename} is not UTF-8 text: save the spreadsheet as CSV UTF-8") from exc
        return list(csv.reader(io.StringIO(text)))
    raise InvalidInput(f"comments come as .csv or .xlsx, not '{suffix or filename}'")


def read_paper_comments(data: bytes, filename: str, resolve_target: Callable[[str], str]) -> list[dict]:
    """The rows as ``{author, target, stance, text, row}``, each target resolved to the draft's article by
    ``resolve_target`` (which raises ``InvalidInput`` for an article the draft lacks); :class:`InvalidRecord`
    names every bad cell at once."""
    rows = [r for r in _rows(data, filename) if any(cell.strip() for cell in r)]
    if not rows:
        raise InvalidInput(f"{filename} has no rows")
    header = [_key(h) for h in rows[0]]
    where = {
        field: next((i for i, h in enumerate(header) if h in {_key(n) for n in names}), None)
        for field, names in COLUMNS.items()
    }
    if where["text"] is None:
        raise InvalidRecord(
            [
                FieldProblem(
                    ("file", 1),
                    "no column for the comment itself: name one 'noi_dung' "
                    f"(or 'text'); found {', '.join(map(str, rows[0]))}",
                )
            ]
        )
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidInput(f"{len(rows) - 1} rows: at most {MAX_ROWS} in one file")
    out, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        cell = {f: (row[i].strip() if i is not None and i < len(row) else "") for f, i in where.items()}
        if not cell["text"]:
            problems.append(FieldProblem(("file", number, "noi_dung"), "the comment is empty"))
        elif len(cell["text"]) > 3000:
            problems.append(FieldProblem(("file", number, "noi_dung"), "longer than 3,000 characters"))
        stance = STANCES.get(_key(cell["stance"])) if cell["stance"] else None
        if cell["stance"] and stance is None:
            problems.append(
                FieldProblem(
                    ("file", number, "y_kien"),
                    f"'{cell['stance']}' is not one of: đồng ý, không đồng ý, đề xuất (or empty)",
                )
            )
        try:
            target = resolve_target(cell["target"])
        except InvalidInput as exc:
            problems.append(FieldProblem(("file", number, "dieu"), str(exc)))
            target = ""
        out.append(
            {"author": cell["author"][:200], "target": target, "stance": stance, "text": cell["text"], "row": number}
        )
    if problems:
        raise InvalidRecord(problems)
    return out
