"""The reference platform's configuration: node tokens, the admin token, the database.

From a small TOML file:

    database = "sqlite:///var/lib/yiciban-platform/platform.db"   # or postgresql://...
    admin_token = "..."                                            # at least 16 characters

    [[nodes]]
    id = "county-hall"
    token = "..."

or from the environment: YICIBAN_PLATFORM_ADMIN_TOKEN, YICIBAN_PLATFORM_DATABASE and
YICIBAN_PLATFORM_NODES="county-hall=token1,town-3=token2" (each adds to the file's values).

How many pushes store at once, and how long one may wait to start before it is answered 503
with Retry-After (sync.platform.admission), from an optional table or the environment
(YICIBAN_PLATFORM_WRITERS, YICIBAN_PLATFORM_WAIT_SECONDS, which win over the file):

    [admission]
    writers = 4          # default: twice the machine's cores, at least 2
    wait_seconds = 4.0   # well under a relay's 10 s push timeout
Tokens are kept as SHA-256 digests in memory and compared in constant time.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.platform.admission import AdmissionSettings

_NODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
MIN_TOKEN = 16
MAX_WRITERS = 64
WAIT_SECONDS = 4.0
WAIT_RANGE = (0.1, 60.0)


def default_writers() -> int:
    """Twice the cores, at least 2: a push spends part of its time waiting on the disk's sync."""
    return max(2, 2 * (os.cpu_count() or 1))


def default_admission() -> AdmissionSettings:
    return AdmissionSettings(writers=default_writers(), wait_seconds=WAIT_SECONDS)


class PlatformConfigError(Exception):
    pass


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass
class PlatformSettings:
    database: str | None = None
    admin_digest: bytes | None = None
    nodes: dict[bytes, str] = field(default_factory=dict)  # token digest -> node id
    admission: AdmissionSettings = field(default_factory=default_admission)

    def node_for(self, token: str | None) -> str | None:
        if not token:
            return None
        wanted = token_digest(token)
        found = None
        for digest, node in self.nodes.items():
            if hmac.compare_digest(digest, wanted):
                found = node
        return found

    def is_admin(self, token: str | None) -> bool:
        return bool(token and self.admin_digest and hmac.compare_digest(self.admin_digest, token_digest(token)))


def _token(value: Any, where: str) -> str:
    if not isinstance(value, str) or len(value) < MIN_TOKEN or any(c.isspace() for c in value):
        raise PlatformConfigError(f"{where}: expected a token of at least {MIN_TOKEN} characters without spaces")
    return value


def _node(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _NODE.fullmatch(value):
        raise PlatformConfigError(f"{where}: expected a node id (letters, digits, '_', '.', ':', '-')")
    return value


def load_settings(path: str | Path | None = None, env: dict[str, str] | None = None) -> PlatformSettings:
    env = dict(os.environ) if env is None else env
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise PlatformConfigError(f"{path}: cannot read ({exc.strerror})") from None
        except tomllib.TOMLDecodeError as exc:
            raise PlatformConfigError(f"{path}: not valid TOML ({exc})") from None
    where = str(path or "environment")
    unknown = set(data) - {"database", "admin_token", "nodes", "admission"}
    if unknown:
        raise PlatformConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    settings = PlatformSettings(database=env.get("YICIBAN_PLATFORM_DATABASE") or data.get("database"),
                                admission=_admission(data.get("admission", {}), env, where))
    admin = env.get("YICIBAN_PLATFORM_ADMIN_TOKEN") or data.get("admin_token")
    if admin is not None:
        settings.admin_digest = token_digest(_token(admin, f"{where}: admin_token"))
    pairs: list[tuple[str, str]] = []
    nodes = data.get("nodes", [])
    if not isinstance(nodes, list):
        raise PlatformConfigError(f"{where}: nodes must be [[nodes]] tables")
    for i, entry in enumerate(nodes):
        if not isinstance(entry, dict) or set(entry) - {"id", "token"}:
            raise PlatformConfigError(f"{where}: nodes[{i}] holds id and token only")
        pairs.append((_node(entry.get("id"), f"{where}: nodes[{i}].id"),
                      _token(entry.get("token"), f"{where}: nodes[{i}].token")))
    for i, part in enumerate(p for p in env.get("YICIBAN_PLATFORM_NODES", "").split(",") if p.strip()):
        ident, _, token = part.strip().partition("=")
        pairs.append((_node(ident, f"YICIBAN_PLATFORM_NODES[{i}]"),
                      _token(token, f"YICIBAN_PLATFORM_NODES[{i}]")))
    for ident, token in pairs:
        digest = token_digest(token)
        if digest in settings.nodes and settings.nodes[digest] != ident:
            raise PlatformConfigError(f"{where}: nodes {settings.nodes[digest]} and {ident} share a token")
        settings.nodes[digest] = ident
    return settings


def _admission(table: Any, env: dict[str, str], where: str) -> AdmissionSettings:
    if not isinstance(table, dict):
        raise PlatformConfigError(f"{where}: admission must be an [admission] table")
    unknown = set(table) - {"writers", "wait_seconds"}
    if unknown:
        raise PlatformConfigError(f"{where}: [admission] has unknown keys {', '.join(sorted(unknown))} "
                                  "(known: writers, wait_seconds)")
    writers: Any = table.get("writers", default_writers())
    wait: Any = table.get("wait_seconds", WAIT_SECONDS)
    writers_at, wait_at = f"{where}: admission.writers", f"{where}: admission.wait_seconds"
    if "YICIBAN_PLATFORM_WRITERS" in env:
        writers, writers_at = _number(env["YICIBAN_PLATFORM_WRITERS"], int), "YICIBAN_PLATFORM_WRITERS"
    if "YICIBAN_PLATFORM_WAIT_SECONDS" in env:
        wait, wait_at = _number(env["YICIBAN_PLATFORM_WAIT_SECONDS"], float), "YICIBAN_PLATFORM_WAIT_SECONDS"
    if isinstance(writers, bool) or not isinstance(writers, int) or not 1 <= writers <= MAX_WRITERS:
        raise PlatformConfigError(f"{writers_at}: expected a whole number of pushes from 1 to {MAX_WRITERS}, "
                                  f"got {writers!r}")
    low, high = WAIT_RANGE
    if isinstance(wait, bool) or not isinstance(wait, int | float) or not low <= wait <= high:
        raise PlatformConfigError(f"{wait_at}: expected seconds from {low} to {high:.0f} (a relay gives up "
                                  f"on a push after 10 s: keep it well under that), got {wait!r}")
    return AdmissionSettings(writers=writers, wait_seconds=float(wait))


def _number(text: str, kind: type) -> Any:
    """An environment variable's number, or its text as given (then refused, named, by the caller)."""
    try:
        return kind(text.strip())
    except ValueError:
        return text
