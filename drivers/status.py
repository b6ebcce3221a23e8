"""What the UI and the hall show about a device: its state, why, and since when."""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class State(enum.StrEnum):
    CONNECTING = "connecting"
    READY = "ready"
    ERROR = "error"  # connected, but the device reports a fault (paper out, cover open ...)
    DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class DeviceStatus:
    device: str
    kind: str
    state: State
    reason: str = ""
    since: float = 0.0
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return self.state is State.READY
