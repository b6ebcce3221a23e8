"""The ID card reader's typed interface: what the screens program against, whatever the model.

`drivers.idcard.reader.SamReader` implements it over the SAM serial protocol.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from drivers.idcard.card import IdCard
    from drivers.idcard.photo import Photo


class IdCardReader(Protocol):
    """What the kiosk needs of an ID card reader."""

    def sam_status(self) -> None:
        """Raises `DeviceFault` when the SAM reports a fault (0x60 self-test, 0x66 ...)."""

    def sam_id(self) -> str: ...

    def read_card(self, *, fingerprint: bool = False) -> IdCard:
        """find → select → read; `DeviceFault` `no_card` / `lift_card` when there is none."""

    def decode_photo(self, card: IdCard) -> Photo: ...

    def close(self) -> None: ...
