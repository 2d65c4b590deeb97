"""API keys, roles and what each role may do.

A key is ``ga_<key id>_<secret>``; only a SHA-256 hash of it is stored (the secret is 256 random
bits, so a fast hash is enough: there is nothing to brute-force). Each key carries a role, an org
unit and a clearance; :meth:`Principal.scope` turns those into the retrieval filter every task uses.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from assistant.domain import AccessLevel, DocumentMeta
from assistant.errors import AccessDenied, InvalidInput, NotFound
from assistant.filters import SearchFilter, is_under
from assistant.text import normalize_org_unit

KEY_PATTERN = re.compile(r"^ga_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
DEV_ADMIN_NAME = "dev-admin"


class Role(str, Enum):
    member = "member"
    secretary = "secretary"
    committee = "committee"
    admin = "admin"


class Permission(str, Enum):
    read = "read"  # ask, search, list and read documents, summarize, bulletins, transcribe
    draft = "draft"  # minutes and reports
    ingest = "ingest"  # upload and delete documents of one's own org unit
    admin = "admin"  # the audit log, every org unit


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.member: frozenset({Permission.read}),
    Role.secretary: frozenset({Permission.read, Permission.draft}),
    Role.committee: frozenset({Permission.read, Permission.draft, Permission.ingest}),
    Role.admin: frozenset(Permission),
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id and name, role, org unit ('' = the whole organization) and clearance."""

    key_id: str
    name: str
    role: Role
    org_unit: str
    clearance: AccessLevel

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise AccessDenied(f"a {self.role.value} key may not do this (needs the '{permission.value}' permission)")

    def scope(self) -> SearchFilter:
        """What this caller may read: its org unit's line (above and below) up to its clearance."""
        return SearchFilter(viewer_org_unit=self.org_unit or None, access_levels=SearchFilter.clearance(self.clearance))

    def manages(self, org_unit: str) -> bool:
        """May this caller add or remove documents of ``org_unit``? (its own subtree; admins: all)."""
        whole_organization = self.role == Role.admin or not self.org_unit
        return self.can(Permission.ingest) and (whole_organization or is_under(org_unit, self.org_unit))

    def check_manages(self, meta: DocumentMeta, replacing: DocumentMeta | None = None) -> None:
        """Refuse to index ``meta`` (replacing ``replacing``) outside this caller's unit or above its clearance."""
        self.require(Permission.ingest)
        for doc in filter(None, (meta, replacing)):
            if not self.manages(doc.org_unit):
                unit = doc.org_unit or "(the whole organization)"
                raise AccessDenied(f"document '{doc.doc_id}' belongs to {unit}; your key manages {self.org_unit} only")
            if doc.access_level.rank > self.clearance.rank:
                raise AccessDenied(
                    f"document '{doc.doc_id}' is {doc.access_level.value}, above your clearance "
                    f"({self.clearance.value})"
                )


@dataclass(frozen=True)
class KeyInfo:
    """A stored key, without its secret."""

    key_id: str
    name: str
    role: Role
    org_unit: str
    clearance: AccessLevel
    created_at: float
    revoked_at: float | None
    expires_at: float | None = None

    def usable(self, now: float | None = None) -> bool:
        """Not revoked, and not past its expiry."""
        now = time.time() if now is None else now
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def principal(self) -> Principal:
        return Principal(self.key_id, self.name, self.role, self.org_unit, self.clearance)

    def as_dict(self) -> dict:
        return {
            "key_id": self.key_id,
            "name": self.name,
            "role": self.role.value,
            "org_unit": self.org_unit,
            "clearance": self.clearance.value,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
            "expires_at": self.expires_at,
        }


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    org_unit TEXT NOT NULL,
    clearance TEXT NOT NULL,
    created_at REAL NOT NULL,
    revoked_at REAL,
    expires_at REAL
);
"""


_COLUMNS = "key_id, name, role, org_unit, clearance, created_at, revoked_at, expires_at"  # the order KeyInfo takes them


class KeyStore:
    """API keys in SQLite (hashes only). Safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)
        if "expires_at" not in {row[1] for row in self._conn.execute("PRAGMA table_info(api_keys)")}:
            self._conn.execute("ALTER TABLE api_keys ADD COLUMN expires_at REAL")  # a key store from before expiry
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def create(
        self,
        name: str,
        role: Role | str,
        org_unit: str = "",
        clearance: AccessLevel | str = AccessLevel.public,
        expires_at: float | None = None,
    ) -> tuple[str, KeyInfo]:
        """A new key: returns the key itself (shown once, never stored) and its record; ``expires_at`` (a Unix time)
        ends it by itself."""
        name = name.strip()
        if not name or len(name) > 100:
            raise InvalidInput("a key needs a name of 1 to 100 characters (who or what uses it)")
        try:
            role, clearance = Role(role), AccessLevel(clearance)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        key_id = secrets.token_hex(6)
        key = f"ga_{key_id}_{secrets.token_urlsafe(32)}"
        if expires_at is not None and expires_at <= time.time():
            raise InvalidInput("the key would expire before it is used: give a date in the future")
        info = KeyInfo(key_id, name, role, normalize_org_unit(org_unit), clearance, time.time(), None, expires_at)
        with self._lock:
            self._conn.execute(
                "INSERT INTO api_keys (key_id, key_hash, name, role, org_unit, clearance, created_at, "
                "revoked_at, expires_at) VALUES(?,?,?,?,?,?,?,NULL,?)",
                (key_id, _hash(key), name, role.value, info.org_unit, clearance.value, info.created_at, expires_at),
            )
        return key, info

    def authenticate(self, key: str) -> Principal | None:
        """The caller a key stands for, or None for a malformed, unknown, revoked or expired key."""
        match = KEY_PATTERN.match(key.strip())
        if not match:
            return None
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLUMNS}, key_hash FROM api_keys WHERE key_id=?", (match.group(1),)
            ).fetchone()
        if row is None or not hmac.compare_digest(row[-1], _hash(key.strip())):
            return None
        info = _info(row)
        return info.principal() if info.usable() else None

    def get(self, key_id: str) -> KeyInfo | None:
        with self._lock:
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE key_id=?", (key_id,)).fetchone()
        return _info(row) if row else None

    def list(self, include_revoked: bool = True) -> list[KeyInfo]:
        where = "" if include_revoked else "WHERE revoked_at IS NULL"
        with self._lock:
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM api_keys {where} ORDER BY created_at").fetchall()
        return [_info(r) for r in rows]

    def revoke(self, key_id: str) -> KeyInfo:
        """Revoke a key at once (it stays listed, marked revoked)."""
        with self._lock:
            changed = self._conn.execute(
                "UPDATE api_keys SET revoked_at=? WHERE key_id=? AND revoked_at IS NULL", (time.time(), key_id)
            ).rowcount
        info = self.get(key_id)
        if info is None:
            raise NotFound(f"no key with id '{key_id}'")
        if not changed:
            raise InvalidInput(f"key '{key_id}' was already revoked")
        return info

    def dev_admin_key(self, path: Path) -> str:
        """The development admin key kept in ``path`` (mode 0600), created when missing or no longer valid."""
        if path.is_file():
            key = path.read_text(encoding="utf-8").strip()
            if self.authenticate(key) is not None:
                return key
        key, _ = self.create(DEV_ADMIN_NAME, Role.admin, "", AccessLevel.confidential)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
        return key


def _info(row: tuple) -> KeyInfo:
    return KeyInfo(row[0], row[1], Role(row[2]), row[3], AccessLevel(row[4]), row[5], row[6], row[7])
