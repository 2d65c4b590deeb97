"""Metadata filters applied inside retrieval: as a Chroma ``where`` clause and as a post-check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.domain import AccessLevel, DocType, DocumentMeta
from assistant.text import normalize_org_unit, org_ancestors

ORG_DEPTH = 8  # org units deeper than this are matched on their first ORG_DEPTH levels only


def org_level_fields(org_unit: str) -> dict[str, str]:
    """``org_l0``..``org_l7``: the unit's prefix at each depth, so subtree tests become equality tests."""
    prefixes = org_ancestors(org_unit)
    return {f"org_l{i}": (prefixes[i] if i < len(prefixes) else "") for i in range(ORG_DEPTH)}


def date_int(iso: str | None) -> int:
    """``2025-07-10`` -> 20250710 (0 when unknown), for range filters in Chroma."""
    if not iso:
        return 0
    try:
        return int(iso[:10].replace("-", ""))
    except ValueError:
        return 0


def vector_metadata(meta: DocumentMeta, version: str) -> dict[str, Any]:
    """Per-chunk metadata stored with each vector."""
    return {
        "doc_id": meta.doc_id,
        "version": version,
        "org_unit": meta.org_unit,
        "access_level": meta.access_level.value,
        "doc_type": meta.doc_type.value,
        "date_int": date_int(meta.issued_date),
        "language": meta.language,
        **org_level_fields(meta.org_unit),
    }


def is_under(unit: str, prefix: str) -> bool:
    return unit == prefix or unit.startswith(prefix + "/")


@dataclass
class SearchFilter:
    """Which chunks a search may return.

    - ``viewer_org_unit``: access scope of the caller: documents of their unit, of units above it
      (directives from higher levels), of units below it, and documents with no unit.
    - ``org_unit_prefix``: only documents inside this subtree.
    - ``access_levels``: allowed access levels (``None`` = all).
    """

    viewer_org_unit: str | None = None
    org_unit_prefix: str | None = None
    access_levels: set[AccessLevel] | None = None
    doc_types: set[DocType] | None = None
    date_from: str | None = None
    date_to: str | None = None
    doc_ids: set[str] | None = None
    languages: set[str] | None = field(default=None)

    def __post_init__(self) -> None:
        if self.access_levels is not None:
            self.access_levels = {AccessLevel(a) for a in self.access_levels}
        if self.doc_types is not None:
            self.doc_types = {DocType(t) for t in self.doc_types}
        if self.viewer_org_unit is not None:
            self.viewer_org_unit = normalize_org_unit(self.viewer_org_unit)
        if self.org_unit_prefix is not None:
            self.org_unit_prefix = normalize_org_unit(self.org_unit_prefix) or None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (sets as sorted lists), e.g. to keep a job's scope in the store."""
        return {
            name: sorted(str(v.value if hasattr(v, "value") else v) for v in value) if isinstance(value, set) else value
            for name, value in vars(self).items()
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchFilter:
        return cls(**{name: set(value) if isinstance(value, list) else value for name, value in data.items()})  # type: ignore[arg-type]

    @staticmethod
    def clearance(level: AccessLevel) -> set[AccessLevel]:
        """Access levels visible to someone cleared up to ``level``."""
        return {lvl for lvl in AccessLevel if lvl.rank <= level.rank}

    def _org_depth_field(self, unit: str) -> str:
        return f"org_l{min(len(unit.split('/')), ORG_DEPTH) - 1}"

    def allows_everything(self) -> bool:
        """True when no rule narrows anything (the operator's view)."""
        return self.to_where() is None

    def to_where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause (``None`` when nothing is filtered)."""
        clauses: list[dict[str, Any]] = []
        if self.viewer_org_unit is not None:
            visible_up = [""] + org_ancestors(self.viewer_org_unit)
            scope: list[dict[str, Any]] = [{"org_unit": {"$in": visible_up}}]
            if self.viewer_org_unit:
                scope.append({self._org_depth_field(self.viewer_org_unit): self.viewer_org_unit})
            clauses.append(scope[0] if len(scope) == 1 else {"$or": scope})
        if self.org_unit_prefix:
            clauses.append({self._org_depth_field(self.org_unit_prefix): self.org_unit_prefix})
        if self.access_levels is not None:
            clauses.append({"access_level": {"$in": sorted(a.value for a in self.access_levels) or ["-"]}})
        if self.doc_types:
            clauses.append({"doc_type": {"$in": sorted(t.value for t in self.doc_types)}})
        if self.languages:
            clauses.append({"language": {"$in": sorted(self.languages)}})
        if self.date_from:
            clauses.append({"date_int": {"$gte": date_int(self.date_from)}})
        if self.date_to:
            clauses.append({"date_int": {"$lte": date_int(self.date_to)}})
        if self.doc_ids is not None:
            clauses.append({"doc_id": {"$in": sorted(self.doc_ids) or ["-"]}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def matches(self, meta: DocumentMeta) -> bool:
        """The same rules in Python: the post-check every result passes before it is returned."""
        unit = meta.org_unit
        if self.viewer_org_unit is not None:
            viewer = self.viewer_org_unit
            visible = unit == "" or is_under(viewer, unit) or (viewer != "" and is_under(unit, viewer))
            if not visible:
                return False
        if self.org_unit_prefix and not is_under(unit, self.org_unit_prefix):
            return False
        if self.access_levels is not None and meta.access_level not in self.access_levels:
            return False
        if self.doc_types and meta.doc_type not in self.doc_types:
            return False
        if self.languages and meta.language not in self.languages:
            return False
        if self.date_from and date_int(meta.issued_date) < date_int(self.date_from):
            return False
        if self.date_to and date_int(meta.issued_date) > date_int(self.date_to):
            return False
        if self.doc_ids is not None and meta.doc_id not in self.doc_ids:
            return False
        return True
