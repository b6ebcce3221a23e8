"""The reference platform's configuration: node tokens, the admin token, the database.

From a small TOML file:

    database = "sqlite:///var/lib/yiciban-platform/platform.db"   # or postgresql://...
    admin_token = "..."                                            # at least 16 characters

    [[nodes]]
    id = "county-hall"
    token = "..."

or from the environment: YICIBAN_PLATFORM_ADMIN_TOKEN, YICIBAN_PLATFORM_DATABASE and
YICIBAN_PLATFORM_NODES="county-hall=token1,town-3=token2" (each adds to the file's values).
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

_NODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
MIN_TOKEN = 16


class PlatformConfigError(Exception):
    pass


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass
class PlatformSettings:
    database: str | None = None
    admin_digest: bytes | None = None
    nodes: dict[bytes, str] = field(default_factory=dict)  # token digest -> node id

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
    unknown = set(data) - {"database", "admin_token", "nodes"}
    if unknown:
        raise PlatformConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    settings = PlatformSettings(database=env.get("YICIBAN_PLATFORM_DATABASE") or data.get("database"))
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
