"""The login limits' policy: per address and account, per address, and the guard on an account."""
from __future__ import annotations

import pytest

from hall.login_limits import LoginLimiter, LoginPolicy, Refusal

DOOR, DESK, OTHER = "10.0.0.66", "10.0.0.5", "10.0.0.7"


def fail(limiter: LoginLimiter, client: str, account: str, times: int, now: float = 0.0) -> None:
    for _ in range(times):
        assert limiter.begin(client, account, now) is None
        limiter.failed(client, account, now)


def failure(limiter: LoginLimiter, client: str, account: str, now: float = 0.0):
    assert limiter.begin(client, account, now) is None
    return limiter.failed(client, account, now)


def test_five_wrong_passwords_stop_that_address_on_that_account_only():
    limiter = LoginLimiter()
    fail(limiter, DOOR, "admin", 5, now=100.0)
    assert limiter.check(DOOR, "admin", 100.0) == Refusal("client-account", 300)
    # the supervisor at another desk still logs in; the door may still try another account
    assert limiter.check(DESK, "admin", 100.0) is None
    assert limiter.check(DOOR, "staff01", 100.0) is None


def test_the_refusal_says_when_to_try_again_and_ends_then():
    limiter = LoginLimiter()
    for t in (0.0, 10.0, 20.0, 30.0, 40.0):
        fail(limiter, DOOR, "admin", 1, now=t)
    assert limiter.check(DOOR, "admin", 45.5) == Refusal("client-account", 255)  # 0 + 300 - 45.5
    assert limiter.check(DOOR, "admin", 299.0) == Refusal("client-account", 1)
    assert limiter.check(DOOR, "admin", 300.0) is None  # the first failure has aged out
    fail(limiter, DOOR, "admin", 1, now=300.0)
    assert limiter.check(DOOR, "admin", 300.0) == Refusal("client-account", 10)  # until 10 + 300


def test_an_address_guessing_many_accounts_is_stopped_everywhere():
    limiter = LoginLimiter()
    for n in range(20):
        fail(limiter, DOOR, f"user{n:02d}", 1, now=float(n))
    refusal = limiter.check(DOOR, "someone-new", 20.0)
    assert refusal == Refusal("client", 280)
    assert limiter.check(DESK, "user00", 20.0) is None


def test_an_account_under_attack_from_many_addresses_still_lets_a_clean_address_in():
    limiter = LoginLimiter()
    attackers = [f"10.1.0.{n}" for n in range(10)]
    for address in attackers:
        fail(limiter, address, "admin", 2, now=50.0)
    # twenty failures on the account: each attacker is now out, having failed there before
    assert limiter.check(attackers[0], "admin", 51.0) == Refusal("account-guard", 299)
    # the supervisor's own desk never failed: it is checked as usual
    assert limiter.check(DESK, "admin", 51.0) is None
    # a new address gets one wrong try on a guarded account, not five
    fail(limiter, OTHER, "admin", 1, now=52.0)
    assert limiter.check(OTHER, "admin", 52.0) == Refusal("account-guard", 298)
    # once the failures age out the guard lifts
    assert limiter.check(attackers[0], "admin", 352.0) is None


def test_failed_says_which_limit_it_reached_once():
    limiter = LoginLimiter(LoginPolicy(per_client_account=2, per_client=3, per_account=4))
    assert failure(limiter, DOOR, "a").locked is None
    assert failure(limiter, DOOR, "a").locked == "client-account"
    assert failure(limiter, DOOR, "b").locked == "client"
    assert failure(limiter, OTHER, "a").locked is None  # "a": 3 failures
    fourth = failure(limiter, DESK, "a")
    assert (fourth.account, fourth.locked) == (4, "account-guard")
    assert failure(limiter, DESK, "c").locked is None
    assert failure(limiter, "10.9.9.9", "a").locked is None  # "a" is already guarded


def test_a_right_password_forgets_that_addresses_failures_on_the_account():
    limiter = LoginLimiter()
    fail(limiter, DESK, "admin", 4)
    assert limiter.begin(DESK, "admin", 1.0) is None
    limiter.succeeded(DESK, "admin", 1.0)
    fail(limiter, DESK, "admin", 4)  # four more before a refusal, not one
    assert limiter.check(DESK, "admin", 0.0) is None


def test_guesses_sent_at_once_meet_the_same_limit():
    limiter = LoginLimiter()
    answers = [limiter.begin(DOOR, "admin", 7.0) for _ in range(8)]  # none answered yet
    assert answers[:5] == [None] * 5
    assert answers[5:] == [Refusal("client-account", 300)] * 3


def test_a_right_password_is_not_counted_as_a_failure_anywhere():
    limiter = LoginLimiter(LoginPolicy(per_client=2, per_account=2))
    for n in range(5):
        assert limiter.begin(f"10.3.0.{n}", "admin", 1.0) is None
        limiter.succeeded(f"10.3.0.{n}", "admin", 1.0)
    assert limiter.begin(DOOR, "admin", 1.0) is None
    assert limiter.failed(DOOR, "admin", 1.0).account == 1

def test_memory_is_bounded_by_forgetting_the_oldest():
    limiter = LoginLimiter(LoginPolicy(max_tracked=100))
    for n in range(1000):
        failure(limiter, f"10.2.{n // 256}.{n % 256}", f"guess{n}", float(n % 200))
    assert all(len(c.times) <= 100 for c in (limiter._pairs, limiter._clients, limiter._accounts))


@pytest.mark.parametrize("bad", [dict(window_seconds=0), dict(per_client=0), dict(max_tracked=0)])
def test_a_policy_with_a_limit_below_one_is_refused(bad):
    with pytest.raises(ValueError, match="must be"):
        LoginPolicy(**bad)
