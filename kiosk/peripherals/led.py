"""Window LED strips driven by the hall display: `--device led_strip:w01=socket://10.0.3.21:5005`.

Each strip is named for the window it hangs over (`led_strip:<window id>`), and its settings are
those of `drivers.ledstrip.open_strip` (`--setting led_strip:w01.protocol=line`), plus `idle_text`,
what it shows while the window is open and nobody is called. The strip runs on its own thread
(`DeviceWorker`); `WindowStrip` keeps what it should show and shows it again when the strip
comes back after a power cut or a pulled cable.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Slot

from drivers.registry import make_link
from drivers.status import DeviceStatus, State
from kiosk.devices import DeviceWorker

log = logging.getLogger(__name__)

KIND = "led_strip"
OWN_SETTINGS = ("idle_text",)  # read by the display, not by the strip's driver
_TRUE, _FALSE = ("true", "yes", "on"), ("false", "no", "off")


def strip_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The driver's settings from the command line's strings ("false" is not true)."""
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if key in OWN_SETTINGS:
            continue
        text = str(value).strip().lower() if isinstance(value, str) else None
        out[key] = True if text in _TRUE else False if text in _FALSE else value
    return out


def worker(name: str, url: str, settings: Mapping[str, Any]) -> DeviceWorker:
    """The strip on its own thread, over the registry's link (bad settings fail here, where the
    status row shows why)."""
    return DeviceWorker(make_link(KIND, name, url, strip_settings(settings)))


def show_action(text: str) -> Callable[[Any], str]:
    """The action that puts `text` on a strip (nothing: dark); it answers the text shown."""
    def action(strip: Any) -> str:
        if text:
            strip.show(text)
        else:
            strip.clear()
        return text
    return action


class WindowStrip(QObject):
    """The strip over one window: what it should show, sent when it can be."""

    def __init__(self, device: DeviceWorker, idle_text: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.device, self.idle_text = device, idle_text
        self.wanted: str | None = None
        self.shown: str | None = None
        self._ready = device.status.state is State.READY
        device.action_finished.connect(self.on_device_action_finished)
        device.action_failed.connect(self.on_device_action_failed)
        device.status_changed.connect(self.on_device_status_changed)

    def show(self, text: str, *, again: bool = False) -> None:
        """Shows `text` unless it is already shown (`again`: a recall is shown anew)."""
        if text == self.wanted and text == self.shown and not again:
            return
        self.wanted = text
        if self._ready:
            self.device.act("show", show_action(text))

    @Slot(str, object)
    def on_device_action_finished(self, name: str, result: object) -> None:
        if name == "show":
            self.shown = str(result)

    @Slot(str, object)
    def on_device_action_failed(self, name: str, error: object) -> None:
        if name == "show":
            self.shown = None  # shown again when the strip is back
            log.warning("%s: could not show the call: %s", self.device.name, getattr(error, "message", error))

    @Slot(object)
    def on_device_status_changed(self, status: DeviceStatus) -> None:
        was, self._ready = self._ready, status.state is State.READY
        if self._ready and not was and self.wanted is not None and self.shown != self.wanted:
            self.device.act("show", show_action(self.wanted))
