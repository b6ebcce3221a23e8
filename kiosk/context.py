"""What every screen role is given: settings, the hall link, devices, language, theme, session."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from kiosk.devices import DeviceHub
from kiosk.hall_link import HallLink
from kiosk.i18n import Languages
from kiosk.session import Session
from kiosk.theme import Theme
from kiosk.workers import Jobs


@dataclass
class Settings:
    role: str
    hall_url: str
    token: str
    devices: dict[str, str] = field(default_factory=dict)  # KIND[:NAME] -> URL (receipt_printer, ...)
    device_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    window: str | None = None  # the pad's window
    idle_seconds: float = 90.0
    warn_seconds: float = 10.0
    admin_pin_hash: str | None = None
    windowed: bool = False  # a desktop window (demo, development) instead of full screen
    language: str = "zh"
    elder: bool = False
    screen: int | None = None
    size: tuple[int, int] | None = None
    region: tuple[float, float, float, float] | None = None  # windowed: where, kiosk.models.placement

    def __post_init__(self) -> None:
        """Devices named by an older kind name (`printer`, `led:w01`) go by their kind's name."""
        self.devices = {_device_name(k): v for k, v in self.devices.items()}
        self.device_settings = {_device_name(k): v for k, v in self.device_settings.items()}


def _device_name(name: str) -> str:
    """The device's name under its kind's own name; an unknown kind is left for the status row."""
    from drivers.registry import UnknownKind, device_name

    try:
        return device_name(name)
    except UnknownKind:
        return name


class Context(QObject):
    """Shared by the shell and the role's views. `theme_changed` follows elder mode."""

    theme_changed = Signal(object)
    hall_loaded = Signal(dict)
    visit_modes_reset = Signal()  # the shell turns elder mode back to this screen's own

    def __init__(self, settings: Settings, theme: Theme, jobs: Jobs, link: HallLink, devices: DeviceHub,
                 languages: Languages, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings, self.theme, self.jobs, self.link = settings, theme, jobs, link
        self.devices, self.languages = devices, languages
        self.session = Session()
        self.hall: dict[str, Any] = {}
        self._voice: Any = None  # kiosk.voice_player.CallVoice, made on the first prompt

    @property
    def voice(self):
        """The screen's voice (QtMultimedia loads on first use, after the screen is up)."""
        if self._voice is None:
            from kiosk.voice_player import CallVoice

            self._voice = CallVoice(parent=self)
        return self._voice

    def speak(self, prompt: str) -> None:
        """Says a prompt (kiosk.models.voice.PROMPTS) aloud in elder mode (适老化); silent otherwise."""
        if self.theme.elder:
            self.voice.prompt(prompt)

    @property
    def language(self) -> str:
        return self.languages.current

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.theme_changed.emit(theme)

    def visit_modes_changed(self) -> bool:
        """The citizen chose another language or elder mode than this screen starts in."""
        return self.language != self.settings.language or self.theme.elder != self.settings.elder

    def reset_visit_modes(self) -> None:
        """The screen's own language and mode again, so the next citizen does not inherit them."""
        if self.language != self.settings.language:
            self.languages.switch(self.settings.language)
        self.visit_modes_reset.emit()

    def set_hall(self, hall: dict[str, Any]) -> None:
        self.hall = hall
        self.hall_loaded.emit(hall)

    def queue_name(self, queue_id: str) -> str:
        from kiosk.i18n import pick

        for q in self.hall.get("queues", []):
            if q.get("id") == queue_id:
                return pick(q.get("name", queue_id), q.get("name_en", ""), self.language)
        return queue_id

    def ticket_queue_name(self, ticket: dict[str, Any]) -> str:
        """The queue a ticket the hall answered is in, in the screen's language: by its id where
        the answer has one, else as the answer names it (the public follow view: `queue_name`
        and `queue_name_en`)."""
        from kiosk.i18n import pick_field

        return self.queue_name(ticket["queue"]) if ticket.get("queue") else \
            pick_field(ticket, "queue_name", self.language)
