"""A scanner in USB HID keyboard mode, read from `/dev/input/event*` with the device grabbed.

`KeyDecoder` is pure: it takes evdev-like `(type, code, value)` tuples (as `evtest` shows them,
or as recorded in tests/fixtures/hid/) and returns completed lines. It decodes a **US layout**
(the scanner's usual factory setting): letters and digits with Shift and Caps Lock, the
punctuation row, keypad keys, Ctrl+letter and Ctrl+] (GS, the GS1 separator) as control
characters. Enter or keypad Enter ends a line; Tab does too when asked, else it is a "\\t".
Key releases, autorepeats (value 2), SYN and MSC events carry no characters.

**Alt+numpad codes.** Many scanners send characters outside ASCII (Chinese) as Windows Alt
codes: Alt held, the code typed in decimal on the keypad, Alt released. `alt_codes="gbk"`
(default, what scanners set to "GBK Alt mode" send): codes of 256 and above are a two-byte GBK
code (Alt+54992 = 0xD6D0 = 中); below 128 ASCII (Alt+029 = GS); 128-255 Windows-1252 when typed
with a leading zero, else code page 437, as Windows does. `alt_codes="unicode"`: the number is a
Unicode code point (Alt+20013 = 中). A code that is no character makes the line `Rejected`.

`HidScanner` opens the device through evdev and grabs it (EVIOCGRAB), so the keystrokes reach
only this process and never the focused window of the kiosk UI.
"""
from __future__ import annotations

import errno
import logging
import os
import select
import time
from collections.abc import Callable, Iterable
from typing import Any

from drivers.errors import DeviceUnavailable
from drivers.link import StatusCallback
from drivers.scanner.codec import DEFAULT_MAX_LENGTH, split_aim
from drivers.scanner.reader import LinkedScanner, RejectedCallback
from drivers.scanner.scan import RAW_HEAD, Rejected, Scan

log = logging.getLogger(__name__)

# linux/input-event-codes.h
EV_SYN, EV_KEY, EV_MSC = 0x00, 0x01, 0x04
KEY_TAB, KEY_ENTER, KEY_KPENTER = 15, 28, 96
KEY_LEFTCTRL, KEY_RIGHTCTRL = 29, 97
KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 42, 54
KEY_LEFTALT, KEY_RIGHTALT = 56, 100
KEY_CAPSLOCK = 58
KEY_RIGHTBRACE = 27

SHIFTS = frozenset({KEY_LEFTSHIFT, KEY_RIGHTSHIFT})
ALTS = frozenset({KEY_LEFTALT, KEY_RIGHTALT})
CTRLS = frozenset({KEY_LEFTCTRL, KEY_RIGHTCTRL})


def _us_layout() -> dict[int, tuple[str, str]]:
    """keycode -> (plain, shifted) on a US keyboard."""
    keys: dict[int, tuple[str, str]] = {}
    for first, plain, shifted in (
        (2, "1234567890-=", "!@#$%^&*()_+"),
        (16, "qwertyuiop[]", "QWERTYUIOP{}"),
        (30, "asdfghjkl;'`", 'ASDFGHJKL:"~'),
        (43, "\\zxcvbnm,./", "|ZXCVBNM<>?"),
    ):
        for i, (p, s) in enumerate(zip(plain, shifted, strict=True)):
            keys[first + i] = (p, s)
    keys[57] = (" ", " ")
    return keys


US_KEYS = _us_layout()
# keypad: (character, digit for Alt codes or None); NumLock is assumed on, as scanners send it
KEYPAD: dict[int, tuple[str, str | None]] = {
    71: ("7", "7"), 72: ("8", "8"), 73: ("9", "9"), 75: ("4", "4"), 76: ("5", "5"),
    77: ("6", "6"), 79: ("1", "1"), 80: ("2", "2"), 81: ("3", "3"), 82: ("0", "0"),
    83: (".", None), 55: ("*", None), 74: ("-", None), 78: ("+", None), 98: ("/", None),
}
ALT_CODES = ("gbk", "unicode")
MAX_ALT_DIGITS = 7  # 1114111, the largest code point, has 7


def alt_code_char(digits: str, alt_codes: str = "gbk") -> str:
    """The character Windows types for Alt+`digits` under the given policy; ValueError if none."""
    n = int(digits)
    if alt_codes == "unicode":
        if n > 0x10FFFF or 0xD800 <= n <= 0xDFFF:
            raise ValueError(f"Alt code {digits} is not a Unicode character")
        return chr(n)
    if n < 128:
        return chr(n)
    if n < 256:
        return bytes([n]).decode("cp1252" if digits.startswith("0") else "cp437", "replace")
    if n > 0xFFFF:
        raise ValueError(f"Alt code {digits} is larger than a GBK code")
    try:
        return bytes([n >> 8, n & 0xFF]).decode("gbk")
    except UnicodeDecodeError:
        raise ValueError(f"Alt code {digits} (0x{n:04X}) is not a GBK character") from None


class KeyDecoder:
    """Key events in, lines out (str), or `Rejected` for a line that cannot be a scan."""

    def __init__(
        self,
        *,
        tab_ends_line: bool = False,
        alt_codes: str = "gbk",
        max_length: int = DEFAULT_MAX_LENGTH,
    ) -> None:
        if alt_codes not in ALT_CODES:
            raise ValueError(f"alt_codes {alt_codes!r}: use one of {', '.join(ALT_CODES)}")
        self.tab_ends_line = tab_ends_line
        self.alt_codes = alt_codes
        self.max_length = max_length
        self.reset()

    def reset(self) -> None:
        self._chars: list[str] = []
        self._held: set[int] = set()
        self._caps = False
        self._alt_digits: str | None = None
        self._error = ""
        self._too_long = False

    def feed(self, event: tuple[int, int, int]) -> str | Rejected | None:
        etype, code, value = event
        if etype != EV_KEY:
            return None
        if value == 0:
            self._held.discard(code)
            if code in ALTS and not (self._held & ALTS):
                self._end_alt()
            return None
        if value != 1:  # autorepeat: a scanner never holds a key; a repeat is no new character
            return None
        self._held.add(code)
        if code in ALTS:
            if self._alt_digits is None:
                self._alt_digits = ""
            return None
        if code in SHIFTS or code in CTRLS:
            return None
        if code == KEY_CAPSLOCK:
            self._caps = not self._caps
            return None
        if code in (KEY_ENTER, KEY_KPENTER) or (code == KEY_TAB and self.tab_ends_line):
            return self._end_line()
        if self._held & ALTS:
            digit = KEYPAD.get(code, ("", None))[1]
            if digit is not None and self._alt_digits is not None:
                if len(self._alt_digits) < MAX_ALT_DIGITS:
                    self._alt_digits += digit
                else:
                    self._error = self._error or f"Alt code longer than {MAX_ALT_DIGITS} digits"
            else:
                log.debug("ignoring Alt+key %d (a shortcut, not a character)", code)
            return None
        char = self._char(code)
        if char is None:
            log.debug("ignoring key %d: no character on a US layout", code)
            return None
        self._add(char)
        return None

    def _char(self, code: int) -> str | None:
        if code == KEY_TAB:
            return "\t"
        if code in KEYPAD:
            return KEYPAD[code][0]
        pair = US_KEYS.get(code)
        if pair is None:
            return None
        shifted = bool(self._held & SHIFTS)
        if pair[0].isalpha() and self._caps:
            shifted = not shifted
        char = pair[1] if shifted else pair[0]
        if self._held & CTRLS:
            if char.isalpha():
                return chr(ord(char.upper()) & 0x1F)
            if code == KEY_RIGHTBRACE:
                return "\x1d"
            return None
        return char

    def _add(self, char: str) -> None:
        if self._too_long:
            return
        self._chars.append(char)
        if len(self._chars) > self.max_length:
            self._too_long = True

    def _end_alt(self) -> None:
        digits, self._alt_digits = self._alt_digits, None
        if not digits:
            return
        try:
            self._add(alt_code_char(digits, self.alt_codes))
        except ValueError as exc:
            self._error = self._error or str(exc)

    def _end_line(self) -> str | Rejected | None:
        text = "".join(self._chars)
        error, too_long = self._error, self._too_long
        self._chars, self._error, self._too_long = [], "", False
        head = text.encode("utf-8", "replace")[:RAW_HEAD]
        if too_long:
            return Rejected(f"line longer than {self.max_length} characters", head)
        if error:
            return Rejected(error, head)
        return text or None

    def feed_all(self, events: Iterable[tuple[int, int, int]]) -> list[str | Rejected]:
        out: list[str | Rejected] = []
        for event in events:
            item = self.feed(event)
            if item is not None:
                out.append(item)
        return out


def line_to_scan(text: str, at: float, aim: bool = False) -> Scan:
    """A typed line as a `Scan`. HID has no bytes on the wire: `raw` is the text in UTF-8."""
    raw = text.encode("utf-8")
    if aim:
        aim_id, symbology, payload = split_aim(raw)
        if aim_id:
            return Scan(payload.decode("utf-8"), symbology, payload, at, aim_id)
    return Scan(text, None, raw, at)


class HidSession:
    def __init__(self, device: Any, grabbed: bool) -> None:
        self.device = device
        self.grabbed = grabbed

    def close(self) -> None:
        try:
            if self.grabbed:
                self.device.ungrab()
        except OSError:
            pass  # an unplugged device is ungrabbed by the kernel
        self.device.close()


class HidScanner(LinkedScanner[HidSession]):
    """Scans from a keyboard-mode scanner at `path` (prefer a stable /dev/input/by-id/ link)."""

    def __init__(
        self,
        path: str,
        *,
        device: str = "scanner",
        grab: bool = True,
        aim: bool = False,
        tab_ends_line: bool = False,
        alt_codes: str = "gbk",
        max_length: int = DEFAULT_MAX_LENGTH,
        device_factory: Callable[[str], Any] | None = None,
        backoff: tuple[float, float] = (0.2, 5.0),
        clock: Callable[[], float] = time.time,
        on_status: StatusCallback | None = None,
        on_rejected: RejectedCallback | None = None,
    ) -> None:
        self.path = path
        self.grab = grab
        self.aim = aim
        self.decoder = KeyDecoder(tab_ends_line=tab_ends_line, alt_codes=alt_codes, max_length=max_length)
        self._device_factory = device_factory
        super().__init__(device, backoff=backoff, clock=clock, on_status=on_status, on_rejected=on_rejected)

    def _open(self) -> HidSession:
        try:
            if self._device_factory is not None:
                dev = self._device_factory(self.path)
            else:
                import evdev  # only here: the decoder and its tests need no evdev

                dev = evdev.InputDevice(self.path)
        except OSError as exc:
            raise DeviceUnavailable(f"cannot open {self.path}: {exc}", device=self.device) from exc
        if self.grab:
            try:
                dev.grab()
            except OSError as exc:
                dev.close()
                why = "another process holds it" if exc.errno == errno.EBUSY else str(exc)
                raise DeviceUnavailable(f"cannot grab {self.path}: {why}", device=self.device) from exc
        self.decoder.reset()
        grabbed = " grabbed" if self.grab else ""
        log.info("scanner %s opened %s (%s)%s", self.device, self.path, dev.name, grabbed)
        return HidSession(dev, self.grab)

    def _read_chunk(self, session: HidSession) -> list[Scan | Rejected]:
        dev = session.device
        try:
            ready, _, _ = select.select([dev.fd], [], [], 0.05)
            if not ready:
                return []
            events = [(e.type, e.code, e.value) for e in dev.read()]
        except BlockingIOError:
            return []
        except OSError as exc:  # ENODEV: unplugged
            raise DeviceUnavailable(f"{self.path}: {exc}", device=self.device) from exc
        out: list[Scan | Rejected] = []
        for item in self.decoder.feed_all(events):
            at = self.clock()
            if isinstance(item, Rejected):
                out.append(Rejected(item.reason, item.raw, at))
            else:
                out.append(line_to_scan(item, at, self.aim))
        return out

    def _details(self) -> dict[str, Any]:
        return {"path": self.path, "grabbed": self.grab, "rejected": self.rejected}


def keyboard_devices(root: str = "/dev/input/by-id") -> list[str]:
    """Stable paths of keyboard-like input devices (where a HID scanner appears); no opening."""
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    return [os.path.join(root, n) for n in names if n.endswith("-event-kbd")]
