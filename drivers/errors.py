"""One error hierarchy for every device: library exceptions never reach a caller."""
from __future__ import annotations


class DeviceError(Exception):
    """A device could not do what was asked. `message` says what, in words staff understand."""

    def __init__(self, message: str, *, device: str = "") -> None:
        super().__init__(f"{device}: {message}" if device else message)
        self.message = message
        self.device = device


class DeviceUnavailable(DeviceError):
    """Not connected: unplugged, switched off, port missing, or refused to open."""


class DeviceTimeout(DeviceError):
    """Connected, but no (complete) answer in time."""


class DeviceProtocolError(DeviceError):
    """The device's bytes make no sense: bad framing, checksum, length or content."""


class DeviceFault(DeviceError):
    """The device answered, and said it cannot: paper out, cover open, no card, SAM failure ..."""

    def __init__(self, message: str, *, device: str = "", code: str = "") -> None:
        super().__init__(message, device=device)
        self.code = code
