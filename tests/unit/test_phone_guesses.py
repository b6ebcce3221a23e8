"""The limit on mobile numbers typed without an appointment: per desk, per number, lifted in time."""
from __future__ import annotations

import pytest

from hall.auth import AuthError
from hall.phone_guesses import POLICY, PhoneGuesses


def miss(guesses: PhoneGuesses, caller: str, number: str, now: float) -> None:
    guesses.admit(caller, number, now)
    guesses.settle(caller, number, now, found=False)


def test_ten_numbers_without_an_appointment_stop_that_desk_until_the_window_passes():
    guesses = PhoneGuesses()
    for n in range(POLICY.per_client):
        miss(guesses, "device/kiosk-1", f"hash-{n}", 100.0 + n)
    with pytest.raises(AuthError) as refused:
        guesses.admit("device/kiosk-1", "hash-right", 120.0)
    assert refused.value.status == 429 and refused.value.retry_after == 600 - 20
    assert "10 分钟后再试" in refused.value.message
    guesses.admit("device/kiosk-2", "hash-right", 120.0)  # another desk is not held back
    guesses.admit("device/kiosk-1", "hash-right", 100.0 + 600)  # the first miss has aged out


def test_one_number_missed_five_times_is_stopped_there_and_a_found_number_is_no_miss():
    guesses = PhoneGuesses()
    for n in range(4):
        miss(guesses, "device/kiosk-1", "hash-a", float(n))
    guesses.admit("device/kiosk-1", "hash-b", 10.0)
    guesses.settle("device/kiosk-1", "hash-b", 10.0, found=True)
    miss(guesses, "device/kiosk-1", "hash-a", 11.0)
    with pytest.raises(AuthError):
        guesses.admit("device/kiosk-1", "hash-a", 12.0)
    for n in range(20):  # found numbers never add up to a lock
        guesses.admit("device/kiosk-1", f"hash-found-{n}", 20.0 + n)
        guesses.settle("device/kiosk-1", f"hash-found-{n}", 20.0 + n, found=True)
    guesses.admit("device/kiosk-1", "hash-c", 50.0)


def test_numbers_sent_all_at_once_count_before_their_answers():
    guesses = PhoneGuesses()
    for n in range(POLICY.per_client):
        guesses.admit("device/kiosk-1", f"hash-{n}", 1.0)  # none settled yet
    with pytest.raises(AuthError):
        guesses.admit("device/kiosk-1", "hash-x", 1.0)
