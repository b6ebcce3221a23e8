"""The contactless reader's typed interface (PC/SC): what the screens program against.

`drivers.contactless.reader.PcscReader` implements it over pcscd.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from drivers.contactless.model import ApduScript, CardEventCallback, CardInfo, ScriptResult


class ContactlessReader(Protocol):
    def readers(self) -> list[str]: ...

    def wait_for_card(self, timeout: float) -> CardInfo: ...

    def read_card(self) -> CardInfo: ...

    def run_script(self, script: ApduScript) -> ScriptResult: ...

    def watch(self, on_event: CardEventCallback) -> Any: ...

    def close(self) -> None: ...
