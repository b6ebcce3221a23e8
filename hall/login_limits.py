"""How many wrong passwords the hall takes, from whom, before it stops listening for a while.

Three counts of failed logins over a sliding window (five minutes by default):

- per client address and account: five wrong passwords for one account from one address stop
  that address trying that account;
- per client address: twenty wrong passwords from one address, whatever the accounts, stop that
  address logging in at all;
- per account: twenty wrong passwords for one account from all addresses put the account under
  guard: from then on an address gets one wrong try on it instead of five.

An address that has not failed on an account is never refused because of other addresses'
failures: the supervisor at their own desk logs in while someone else guesses at the door.
A refusal says when to try again (``retry_after`` seconds, for the ``Retry-After`` header).

A login is counted as a failure from the moment it is checked (``begin``) until it turns out
right (``succeeded``): a hundred guesses sent at once meet the same limits as a hundred in a row.

Policy only: the caller passes the time; nothing here does I/O or logs.
"""
from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass


@dataclass(frozen=True)
class LoginPolicy:
    window_seconds: float = 300.0
    per_client_account: int = 5
    per_client: int = 20
    per_account: int = 20
    guarded_tries: int = 1  # wrong tries per address on an account under guard
    max_tracked: int = 10_000  # addresses, accounts and pairs each; the oldest are forgotten first

    def __post_init__(self) -> None:
        if self.window_seconds <= 0:
            raise ValueError(f"window_seconds must be positive, not {self.window_seconds}")
        limits = (self.per_client_account, self.per_client, self.per_account, self.guarded_tries)
        if min(limits) < 1:
            raise ValueError(f"every limit must be at least 1, not {limits}")
        if self.max_tracked < 1:
            raise ValueError(f"max_tracked must be at least 1, not {self.max_tracked}")


@dataclass(frozen=True)
class Refusal:
    """Why a login is not even checked, and in how many whole seconds to try again."""

    scope: str  # "client-account", "client" or "account-guard"
    retry_after: int


@dataclass(frozen=True)
class Failure:
    """What one more wrong password did: the counts after it, and whether it closed something."""

    client_account: int
    client: int
    account: int
    locked: str | None  # the scope this failure closed, if any


class _Counts:
    """Failure times per key, oldest key forgotten first once there are too many."""

    def __init__(self, window: float, cap: int) -> None:
        self.window = window
        self.cap = cap
        self.times: OrderedDict[object, deque[float]] = OrderedDict()

    def recent(self, key: object, now: float) -> deque[float]:
        times = self.times.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self.times[key]
        return times

    def add(self, key: object, now: float) -> int:
        times = self.recent(key, now)
        if key not in self.times:
            self.times[key] = times
        times.append(now)
        self.times.move_to_end(key)
        while len(self.times) > self.cap:
            self.times.popitem(last=False)
        return len(times)

    def clear(self, key: object) -> None:
        self.times.pop(key, None)

    def withdraw(self, key: object, at: float) -> None:
        """Take back one time ``at`` counted for ``key`` (an attempt that was not a failure)."""
        times = self.times.get(key)
        if times is not None and at in times:
            times.remove(at)
            if not times:
                del self.times[key]

    def wait(self, times: deque[float], limit: int, now: float) -> float:
        """Seconds until fewer than ``limit`` of ``times`` are within the window."""
        if len(times) < limit:
            return 0.0
        return times[len(times) - limit] + self.window - now


class LoginLimiter:
    """Counts failed logins and says whether a login may be checked at all."""

    def __init__(self, policy: LoginPolicy | None = None) -> None:
        self.policy = p = policy or LoginPolicy()
        self._pairs = _Counts(p.window_seconds, p.max_tracked)
        self._clients = _Counts(p.window_seconds, p.max_tracked)
        self._accounts = _Counts(p.window_seconds, p.max_tracked)
        self._lock = threading.Lock()  # logins are checked on a thread pool

    def check(self, client: str, account: str, now: float) -> Refusal | None:
        """None if a login from ``client`` for ``account`` may be checked now (counts nothing)."""
        p = self.policy
        pair = self._pairs.recent((client, account), now)
        wait = self._pairs.wait(pair, p.per_client_account, now)
        if wait > 0:
            return Refusal("client-account", _whole(wait))
        wait = self._clients.wait(self._clients.recent(client, now), p.per_client, now)
        if wait > 0:
            return Refusal("client", _whole(wait))
        account_times = self._accounts.recent(account, now)
        guarded = self._accounts.wait(account_times, p.per_account, now)
        if guarded > 0 and len(pair) >= p.guarded_tries:
            # free again when the guard lifts or this address's own failures age out
            own = self._pairs.wait(pair, p.guarded_tries, now)
            return Refusal("account-guard", _whole(min(guarded, own)))
        return None

    def begin(self, client: str, account: str, now: float) -> Refusal | None:
        """A login about to be checked: a Refusal, or None and the attempt counts as a failure
        until ``succeeded`` says otherwise, so guesses sent all at once are limited too."""
        with self._lock:
            refusal = self.check(client, account, now)
            if refusal is None:
                self._pairs.add((client, account), now)
                self._clients.add(client, now)
                self._accounts.add(account, now)
            return refusal

    def failed(self, client: str, account: str, now: float) -> Failure:
        """The attempt begun at ``now`` was a wrong password: it stays counted. Says the counts,
        and the limit this failure reached, if any."""
        p = self.policy
        with self._lock:
            pair = len(self._pairs.recent((client, account), now))
            by_client = len(self._clients.recent(client, now))
            by_account = len(self._accounts.recent(account, now))
        locked = None
        if by_client == p.per_client:
            locked = "client"
        elif pair == p.per_client_account:
            locked = "client-account"
        elif by_account == p.per_account:
            locked = "account-guard"
        return Failure(pair, by_client, by_account, locked)

    def succeeded(self, client: str, account: str, now: float) -> None:
        """The attempt begun at ``now`` was right: it is not a failure, and that address's
        earlier failures on the account are forgotten."""
        with self._lock:
            self._pairs.clear((client, account))
            self._clients.withdraw(client, now)
            self._accounts.withdraw(account, now)


def _whole(seconds: float) -> int:
    return max(1, int(seconds) + (seconds % 1 > 0))
