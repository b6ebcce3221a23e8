"""Who is asking: devices by the token in the hall config, staff by a session from logging in.

Staff act only on the windows they are assigned to; supervisors and the hall's operator
device act on every window. A keypad or pad acts only for its own window.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from hall.config import HallConfig
from hall.passwords import verify_password
from hall.store import HallStore

# what each kind of caller may do, beyond reading the hall's state
ISSUERS = frozenset({"dispenser", "kiosk", "operator", "staff", "supervisor"})
MANAGERS = frozenset({"operator", "supervisor"})
WINDOW_DEVICES = frozenset({"keypad"})

LOGIN_FAILURES_ALLOWED = 5
LOGIN_LOCKOUT_SECONDS = 300


@dataclass(frozen=True)
class Principal:
    kind: str  # "device" or "staff"
    id: str
    role: str  # device role, or staff/supervisor
    windows: frozenset[str] = frozenset()
    name: str = ""

    def may_issue(self) -> bool:
        return self.role in ISSUERS

    def may_manage(self) -> bool:
        return self.role in MANAGERS

    def may_operate(self, window: str) -> bool:
        if self.role in MANAGERS:
            return True
        if self.role == "staff" or self.role in WINDOW_DEVICES:
            return window in self.windows
        return False


class AuthError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Authenticator:
    def __init__(self, config: HallConfig, store: HallStore, clock=time.time) -> None:
        self.store = store
        self.clock = clock
        self.session_seconds = config.policy.staff_session_hours * 3600
        self.devices = {
            token_hash(d.token): Principal(
                "device", d.id, d.role, frozenset([d.window]) if d.window else frozenset()
            )
            for d in config.devices
        }
        self.staff = {s.username: s for s in config.staff}
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def principal(self, token: str | None) -> Principal:
        if not token:
            raise AuthError(401, "需要登录或设备令牌（missing bearer token）")
        h = token_hash(token)
        device = self.devices.get(h)
        if device is not None:
            return device
        session = self.store.session(h)
        if session is None or session[1] < self.clock():
            raise AuthError(401, "令牌无效或登录已过期（invalid or expired token）")
        s = self.staff.get(session[0])
        if s is None:  # removed from the config since logging in
            raise AuthError(401, "该工作人员已不在本厅配置中")
        return Principal("staff", s.id, s.role, frozenset(s.windows), s.name)

    def login(self, username: str, password: str) -> tuple[str, Principal, float]:
        now = self.clock()
        recent = self.failures[username]
        while recent and recent[0] < now - LOGIN_LOCKOUT_SECONDS:
            recent.popleft()
        if len(recent) >= LOGIN_FAILURES_ALLOWED:
            raise AuthError(429, "登录失败次数过多，请 5 分钟后再试")
        s = self.staff.get(username)
        # verify against a real hash even for unknown users, so timing does not tell who exists
        ok = verify_password(password, s.password_hash if s else _DUMMY_HASH)
        if not (s and ok):
            recent.append(now)
            raise AuthError(401, "用户名或密码错误")
        recent.clear()
        token = secrets.token_urlsafe(32)
        expires = now + self.session_seconds
        self.store.add_session(token_hash(token), username, now, expires)
        return token, Principal("staff", s.id, s.role, frozenset(s.windows), s.name), expires

    def logout(self, token: str) -> None:
        self.store.drop_session(token_hash(token))


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "="
