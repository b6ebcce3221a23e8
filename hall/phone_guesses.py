"""How many mobile numbers without an appointment a desk may type before the hall stops looking
phone numbers up for it a while: a phone number is short enough to guess, and the answer to a
right guess says what someone booked and when.

The login's limits (hall.login_limits) count them, with a policy of their own: the "client" is the
device or staff member asking, the "account" the number's keyed hash. Ten numbers without an
appointment today from one desk in ten minutes stop that desk's phone look-ups; five tries of one
number stop that number there. A number that has an appointment today is no wrong guess, and
forgets that desk's misses of it. A malformed number never reaches here (it is no guess).
Check-in by code or ID card is not affected.
"""
from __future__ import annotations

import logging

from hall.auth import AuthError
from hall.login_limits import LoginLimiter, LoginPolicy

log = logging.getLogger(__name__)

POLICY = LoginPolicy(window_seconds=600.0, per_client_account=5, per_client=10, per_account=20, guarded_tries=2)


class PhoneGuesses:
    def __init__(self, policy: LoginPolicy = POLICY) -> None:
        self.limits = LoginLimiter(policy)

    def admit(self, caller: str, phone_hash: str, now: float) -> None:
        """Raises AuthError 429 (with Retry-After) when `caller` missed too often; else the look-up
        counts as a miss until `settle` says it found something."""
        refusal = self.limits.begin(caller, phone_hash, now)
        if refusal is None:
            return
        log.warning("check-in by phone refused for %s: too many numbers without an appointment (%s), "
                    "retry in %d s", caller, refusal.scope, refusal.retry_after)
        minutes = -(-refusal.retry_after // 60)
        raise AuthError(429, f"手机号查询次数过多，请 {minutes} 分钟后再试，或用预约核验码、身份证签到",
                        retry_after=refusal.retry_after)

    def settle(self, caller: str, phone_hash: str, now: float, *, found: bool) -> None:
        """The look-up admitted at `now` found an appointment today, or did not (a miss)."""
        if found:
            self.limits.succeeded(caller, phone_hash, now)
            return
        miss = self.limits.failed(caller, phone_hash, now)
        if miss.locked is not None:
            log.warning("check-in by phone locked (%s) for %s after %d numbers without an appointment",
                        miss.locked, caller, miss.client)
