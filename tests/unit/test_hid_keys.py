"""Keyboard-mode scanners: key events to text, on recorded event streams (tests/fixtures/hid/),
and the evdev scanner around the decoder with a stand-in input device (no /dev/uinput here)."""
from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceUnavailable
from drivers.scanner.hid import (
    EV_KEY,
    EV_MSC,
    EV_SYN,
    KEYPAD,
    US_KEYS,
    HidScanner,
    KeyDecoder,
    alt_code_char,
    keyboard_devices,
    line_to_scan,
)
from drivers.scanner.scan import Rejected, Scan
from drivers.status import State

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hid"
SHIFT, ALT, CTRL, CAPS, ENTER, TAB = 42, 56, 29, 58, 28, 15


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def press(code: int) -> list[tuple[int, int, int]]:
    return [(EV_KEY, code, 1), (EV_SYN, 0, 0), (EV_KEY, code, 0), (EV_SYN, 0, 0)]


def held(mod: int, *codes: int) -> list[tuple[int, int, int]]:
    events = [(EV_KEY, mod, 1)]
    for code in codes:
        events += press(code)
    return events + [(EV_KEY, mod, 0)]


KP = {ch: code for code, (ch, _) in KEYPAD.items()}


def alt_code(digits: str) -> list[tuple[int, int, int]]:
    return held(ALT, *(KP[d] for d in digits))


# -- recorded streams


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.json")))
def test_recorded_streams_decode_to_what_was_scanned(name):
    data = fixture(name)
    decoder = KeyDecoder(alt_codes=data.get("alt_codes", "gbk"))
    assert decoder.feed_all(tuple(e) for e in data["events"]) == data["expected"]


def test_the_fixtures_hold_what_a_hid_keyboard_reports():
    for path in FIXTURES.glob("*.json"):
        events = json.loads(path.read_text(encoding="utf-8"))["events"]
        assert {e[0] for e in events} <= {EV_SYN, EV_KEY, EV_MSC}, path.name
        scans = [e[2] for e in events if e[0] == EV_MSC]
        assert scans and all(0x70000 <= v <= 0x700FF for v in scans), path.name  # keyboard usage page


def test_the_ticket_url_arrives_whole():
    assert KeyDecoder().feed_all(tuple(e) for e in fixture("ticket_url")["events"]) == [
        "https://hall.example/t/20261127-A001"
    ]


def test_the_aim_fixture_becomes_a_qr_scan():
    data = fixture("aim_qr")
    [line] = KeyDecoder().feed_all(tuple(e) for e in data["events"])
    scan = line_to_scan(line, 5.0, aim=True)
    assert scan == Scan("https://hall.example/t/20261127-A002", "QRCode",
                        b"https://hall.example/t/20261127-A002", 5.0, "]Q1")
    assert line_to_scan("A001", 5.0, aim=True) == Scan("A001", None, b"A001", 5.0)


def test_the_us_layout_matches_the_kernels_key_codes():
    ecodes = pytest.importorskip("evdev.ecodes")
    names = {"-": "MINUS", "=": "EQUAL", "[": "LEFTBRACE", "]": "RIGHTBRACE", ";": "SEMICOLON",
             "'": "APOSTROPHE", "`": "GRAVE", "\\": "BACKSLASH", ",": "COMMA", ".": "DOT",
             "/": "SLASH", " ": "SPACE"}
    for code, (plain, _) in US_KEYS.items():
        assert getattr(ecodes, "KEY_" + names.get(plain, plain.upper())) == code, plain
    pad = {".": "KPDOT", "*": "KPASTERISK", "-": "KPMINUS", "+": "KPPLUS", "/": "KPSLASH"}
    for code, (char, _) in KEYPAD.items():
        assert getattr(ecodes, "KEY_" + pad.get(char, "KP" + char)) == code, char


# -- decoding rules


def test_shift_caps_lock_and_their_combination():
    q, one = 16, 2
    d = KeyDecoder()
    events = press(q) + held(SHIFT, q, one) + press(CAPS) + press(q) + held(SHIFT, q)
    events += press(CAPS) + press(one)
    assert d.feed_all(events + press(ENTER)) == ["qQ!Qq1"]


def test_ctrl_letters_and_ctrl_bracket_are_control_characters():
    d = KeyDecoder()
    gs1 = press(11) + press(2) + held(CTRL, 27) + press(3)  # "01" GS "2"
    assert d.feed_all(gs1 + held(CTRL, 50) + press(ENTER)) == ["01\x1d2\r"]  # Ctrl+M is CR


def test_releases_autorepeats_and_other_events_carry_no_characters():
    d = KeyDecoder()
    events = [(EV_MSC, 4, 0x70004), (EV_KEY, 30, 1), (EV_KEY, 30, 2), (EV_KEY, 30, 2), (EV_KEY, 30, 0),
              (EV_KEY, 30, 0), (EV_SYN, 0, 0), (2, 0, 5), (EV_KEY, 59, 1), (EV_KEY, 59, 0)]  # F1: nothing
    assert d.feed_all(events + press(ENTER)) == ["a"]


def test_keypad_enter_ends_a_line_and_empty_lines_give_nothing():
    d = KeyDecoder()
    assert d.feed_all(press(ENTER) + press(96) + press(KP["7"]) + press(96)) == ["7"]


def test_tab_is_a_character_unless_it_ends_lines():
    events = press(30) + press(TAB) + press(48) + press(ENTER)
    assert KeyDecoder().feed_all(events) == ["a\tb"]
    assert KeyDecoder(tab_ends_line=True).feed_all(events) == ["a", "b"]


@pytest.mark.parametrize(
    ("digits", "policy", "char"),
    [
        ("54992", "gbk", "中"),
        ("52932", "gbk", "文"),
        ("45292", "gbk", "办"),
        ("065", "gbk", "A"),
        ("29", "gbk", "\x1d"),
        ("0128", "gbk", "€"),  # leading zero: Windows-1252
        ("128", "gbk", "Ç"),  # no leading zero: code page 437
        ("20013", "unicode", "中"),
        ("65", "unicode", "A"),
    ],
)
def test_alt_codes(digits, policy, char):
    assert alt_code_char(digits, policy) == char
    assert KeyDecoder(alt_codes=policy).feed_all(alt_code(digits) + press(ENTER)) == [char]


def test_an_alt_code_that_is_no_character_rejects_the_line():
    d = KeyDecoder()
    [item] = d.feed_all(press(30) + alt_code("65535") + press(30) + press(ENTER))
    assert isinstance(item, Rejected)
    assert item.reason == "Alt code 65535 (0xFFFF) is not a GBK character"
    assert item.raw == b"aa"
    assert d.feed_all(press(48) + press(ENTER)) == ["b"]  # the next line is clean
    with pytest.raises(ValueError, match="larger than a GBK code"):
        alt_code_char("70000")
    with pytest.raises(ValueError, match="not a Unicode character"):
        alt_code_char("55296", "unicode")


def test_alt_with_a_non_keypad_key_is_a_shortcut_not_text():
    d = KeyDecoder()
    assert d.feed_all(held(ALT, TAB, 30) + press(48) + press(ENTER)) == ["b"]


def test_both_alt_keys_end_the_code_only_when_both_are_up():
    d = KeyDecoder()
    events = [(EV_KEY, 56, 1), (EV_KEY, 100, 1)] + press(KP["6"]) + [(EV_KEY, 56, 0)] + press(KP["5"])
    events += [(EV_KEY, 100, 0)] + press(ENTER)
    assert d.feed_all(events) == ["A"]


def test_an_oversize_line_is_rejected_and_the_next_one_read():
    d = KeyDecoder(max_length=5)
    [item] = d.feed_all(press(30) * 9 + press(ENTER))
    assert isinstance(item, Rejected) and item.reason == "line longer than 5 characters"
    assert d.feed_all(press(48) + press(ENTER)) == ["b"]


@settings(max_examples=300, deadline=None)
@given(
    events=st.lists(
        st.tuples(st.sampled_from([EV_SYN, EV_KEY, EV_MSC, 2]), st.integers(0, 120), st.integers(-1, 3)),
        max_size=300,
    ),
    policy=st.sampled_from(["gbk", "unicode"]),
)
def test_random_key_events_never_crash(events, policy):
    d = KeyDecoder(alt_codes=policy, max_length=50)
    for item in d.feed_all(events + press(ENTER)):
        assert isinstance(item, str | Rejected)
        if isinstance(item, str):
            assert item and len(item) <= 50
    assert d.feed_all(press(ENTER)) == []


def test_a_runaway_alt_code_is_rejected():
    [item] = KeyDecoder().feed_all(alt_code("1" * 40) + press(ENTER))
    assert isinstance(item, Rejected) and item.reason == "Alt code longer than 7 digits"


def test_unknown_alt_code_policy_is_refused():
    with pytest.raises(ValueError, match="alt_codes"):
        KeyDecoder(alt_codes="big5")


# -- the evdev scanner around the decoder, with a stand-in device


class FakeInputDevice:
    """What HidScanner uses of evdev.InputDevice: fd, name, grab/ungrab, read, close."""

    def __init__(self, path: str, events: list, *, busy: bool = False) -> None:
        self.path, self.name, self.events, self.busy = path, "Fake HID scanner", list(events), busy
        self.r, self.w = os.pipe()
        os.write(self.w, b"!")  # readable: select() sees events waiting
        self.fd = self.r
        self.grabbed = self.closed = False
        self.unplugged = False

    def grab(self) -> None:
        if self.busy:
            raise OSError(errno.EBUSY, "Device or resource busy")
        self.grabbed = True

    def ungrab(self) -> None:
        self.grabbed = False

    def read(self):
        if self.unplugged:
            raise OSError(errno.ENODEV, "No such device")
        if not self.events:
            raise BlockingIOError
        batch, self.events = self.events, []
        return [SimpleNamespace(type=t, code=c, value=v) for t, c, v in batch]

    def close(self) -> None:
        self.closed = True
        for fd in (self.r, self.w):
            os.close(fd)


def test_the_scanner_grabs_reads_and_ungrabs():
    events = [tuple(e) for e in fixture("ticket_url")["events"]]
    devices: list[FakeInputDevice] = []

    def factory(path):
        devices.append(FakeInputDevice(path, events))
        return devices[-1]

    scanner = HidScanner("/dev/input/by-id/usb-scanner-event-kbd", device_factory=factory, clock=lambda: 7.0)
    scan = scanner.read(2)
    assert scan == Scan("https://hall.example/t/20261127-A001", None,
                        b"https://hall.example/t/20261127-A001", 7.0)
    assert devices[0].grabbed and scanner.status.state is State.READY
    assert scanner.status.details["grabbed"] is True
    scanner.close()
    assert not devices[0].grabbed and devices[0].closed


def test_an_unplugged_keyboard_scanner_is_reopened():
    devices: list[FakeInputDevice] = []
    queue = [[tuple(e) for e in fixture("shifted_number")["events"]],
             [tuple(e) for e in fixture("alt_gbk")["events"]]]

    def factory(path):
        if not queue:
            raise OSError(errno.ENOENT, "No such file or directory")
        devices.append(FakeInputDevice(path, queue.pop(0)))
        return devices[-1]

    scanner = HidScanner("/dev/input/event7", device_factory=factory, backoff=(0.01, 0.02))
    assert scanner.read(2).text == "+86 (010) 6512-3456 #8*"
    devices[0].unplugged = True
    assert scanner.read(2).text == "中文A001"
    assert len(devices) == 2 and devices[0].closed
    scanner.close()


def test_a_device_another_process_holds_is_reported_not_stolen():
    scanner = HidScanner("/dev/input/event7", device_factory=lambda p: FakeInputDevice(p, [], busy=True))
    assert scanner.read(0.05) is None
    assert scanner.status.state is State.DISCONNECTED
    assert "another process holds it" in scanner.status.reason
    scanner.close()


def test_a_missing_device_is_unavailable():
    scanner = HidScanner("/nonexistent/event99")
    with pytest.raises(DeviceUnavailable, match="cannot open /nonexistent/event99"):
        scanner._open()
    assert keyboard_devices("/nonexistent") == []
