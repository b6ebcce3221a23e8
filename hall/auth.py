"""Who is asking: devices by the token in the hall config, staff by a session from logging in.

Staff act only on the windows they are assigned to; supervisors and the hall's operator
device act on every window. A keypad or pad acts only for its own window.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass

from hall.config import HallConfig
from hall.login_limits import LoginLimiter, LoginPolicy
from hall.passwords import verify_password
from hall.store import HallStore

# what each kind of caller may do, beyond reading the hall's state
ISSUERS = frozenset({"dispenser", "kiosk", "operator", "staff", "supervisor"})
MANAGERS = frozenset({"operator", "supervisor"})
WINDOW_DEVICES = frozenset({"keypad"})

log = logging.getLogger(__name__)


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
    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after  # seconds, for a 429's Retry-After header


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Authenticator:
    def __init__(self, config: HallConfig, store: HallStore, clock=time.time,
                 login_policy: LoginPolicy | None = None) -> None:
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
        self.limits = LoginLimiter(login_policy)

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

    def login(self, username: str, password: str,
              client: str = "unknown") -> tuple[str, Principal, float]:
        """Check a staff login from the address ``client``; AuthError 401 or 429 if refused."""
        now = self.clock()
        who = self._loggable(username)
        refusal = self.limits.begin(client, username, now)
        if refusal is not None:
            log.warning("login refused for %s from %s: too many failures (%s), retry in %d s",
                        who, client, refusal.scope, refusal.retry_after)
            minutes = -(-refusal.retry_after // 60)
            raise AuthError(429, f"登录失败次数过多，请 {minutes} 分钟后再试",
                            retry_after=refusal.retry_after)
        s = self.staff.get(username)
        # verify against a real hash even for unknown users, so timing does not tell who exists
        ok = verify_password(password, s.password_hash if s else _DUMMY_HASH)
        if not (s and ok):
            failure = self.limits.failed(client, username, now)
            log.warning("login failed for %s from %s (%d for this account from this address, "
                        "%d from this address, %d for this account)", who, client,
                        failure.client_account, failure.client, failure.account)
            if failure.locked is not None:
                log.warning("logins locked (%s) for %s from %s for up to %d s", failure.locked,
                            who, client, int(self.limits.policy.window_seconds))
            raise AuthError(401, "用户名或密码错误")
        self.limits.succeeded(client, username, now)
        token = secrets.token_urlsafe(32)
        expires = now + self.session_seconds
        self.store.add_session(token_hash(token), username, now, expires)
        return token, Principal("staff", s.id, s.role, frozenset(s.windows), s.name), expires

    def _loggable(self, username: str) -> str:
        """A configured username as is; anything else typed there might be a person's name."""
        if username in self.staff:
            return repr(username)
        return f"an unknown username of {len(username)} characters"

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
