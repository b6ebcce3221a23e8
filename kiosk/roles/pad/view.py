"""The evaluation pad (评价器) at one window: 好差评 for each service the window finishes.

Between services it shows, calmly, which window this is and who serves there. When the
window finishes a service (`service.finished` in the hall's event stream), it wakes with the
ticket's number, the window, the staff member and the matter, and the five levels. One rating
per service: once rated (here, or already at the hall by the ticket's QR), it is never offered
again. The rating is stored on the pad first and then sent (kiosk.pending), so a hall that is
away loses nothing. A thanks screen, then back to waiting.

Nobody rating is not a rating: after `pad.rating_seconds` the pad goes back to waiting and
records nothing (`pad.on_timeout = "nothing"`, the default). The national 好差评 rules let a
citizen rate, never rate for them; where local rules count an unrated visit as satisfied,
`pad.on_timeout = "satisfied"` records 满意 with a note saying it was not given by the citizen.

Settings (`device_settings["pad"]`): data_dir, on_timeout, rating_seconds (120), thanks_seconds
(5), retry_seconds (10).
"""
from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from hall.localized import localized
from kiosk.context import Context
from kiosk.first_paint import after_first_paint
from kiosk.i18n import pick, pick_field
from kiosk.models.pad import Service, WindowWatch
from kiosk.roles.pad.outbox import RatingOutbox
from kiosk.roles.pad.screens import IdleScreen, RatingScreen, Shown, ThanksScreen
from kiosk.shell import RoleView
from kiosk.theme import Theme

if TYPE_CHECKING:
    from hall.wire import StreamEvent

log = logging.getLogger(__name__)

ON_TIMEOUT = ("nothing", "satisfied")
TIMEOUT_NOTE = "超时未评价，按本地规定记为满意"  # stored with the hall's data, not shown on screen
RETRY_SNAPSHOT_MS = 5000
SATISFIED = 4
SAMPLE_HALL = {
    "name": "政务服务中心",
    "windows": [{"id": "w1", "number": 1, "name": "1号窗口", "queues": ["general"]}],
    "staff": [{"id": "s1", "name": "王芳"}],
    "queues": [{"id": "general", "prefix": "A", "name": "综合受理", "name_en": "General affairs"}],
    "evaluation": {"bad_reasons": ["服务态度不好", "办事效率低", "一次性告知不清楚", "要求提交不必要的材料",
                                   "等候时间过长", "多次跑动", "其他"]},
}


class PadView(RoleView):
    idle_enabled = False  # the pad keeps its own time: a rating has its own timeout, thanks a few seconds
    home_prompt = None  # the pad speaks when a service asks for a rating
    follows_events = True  # from its window's snapshot

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        options = context.settings.device_settings.get("pad", {})
        self.on_timeout = str(options.get("on_timeout", "nothing"))
        if self.on_timeout not in ON_TIMEOUT:
            log.error("pad.on_timeout %r is not one of %s; recording nothing", self.on_timeout, ON_TIMEOUT)
            self.on_timeout = "nothing"
        self.rating_seconds = float(options.get("rating_seconds", 120))
        self.thanks_seconds = float(options.get("thanks_seconds", 5))
        self.window = context.settings.window
        self.watch = WindowWatch(self.window or "")
        self.service: Service | None = None
        self.offered: set[str] = set()  # tickets this pad offered: each is offered once
        self.matters: dict[str, str] = {}  # matter code -> name
        self.photos: dict[str, bytes] = {}  # staff id -> their photo, as the hall sent it
        self._asked_photos: set[str] = set()
        self._following = False
        self.outbox = RatingOutbox(context.jobs, context.settings.hall_url, context.settings.token,
                                   data_dir=options.get("data_dir"),
                                   retry_seconds=float(options.get("retry_seconds", 10)), parent=self)
        self.outbox.pending_changed.connect(self.on_outbox_pending_changed)
        self.outbox.rating_refused.connect(self.on_outbox_rating_refused)

        theme = context.theme
        self.pages = QStackedWidget(self)
        self.idle = IdleScreen(theme, self.pages)
        self.rating = RatingScreen(theme, self.pages)
        self.thanks = ThanksScreen(theme, self.pages)
        for page in (self.idle, self.rating, self.thanks):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.rating.panel.rating_chosen.connect(self.on_panel_rating_chosen)
        self.rating.panel.level_chosen.connect(self.on_panel_level_chosen)

        self.rating_timer = QTimer(self)
        self.rating_timer.setSingleShot(True)
        self.rating_timer.timeout.connect(self.on_rating_timer_timeout)
        self.thanks_timer = QTimer(self)
        self.thanks_timer.setSingleShot(True)
        self.thanks_timer.timeout.connect(self.on_thanks_timer_timeout)
        self.follow_timer = QTimer(self)
        self.follow_timer.setSingleShot(True)
        self.follow_timer.setInterval(RETRY_SNAPSHOT_MS)
        self.follow_timer.timeout.connect(self._start_following)

        context.link.event_received.connect(self.on_link_event_received)
        context.link.online_changed.connect(self.on_link_online_changed)
        if context.hall:
            self.on_context_hall_loaded(context.hall)
        self._refresh_idle()
        if context.settings.hall_url:  # once the idle screen shows: the hall over HTTP
            after_first_paint(self, self._start_outbox_and_following)

    def _start_outbox_and_following(self) -> None:
        self.outbox.start()
        self._start_following()

    # -- following the hall

    def _start_following(self) -> None:
        if self.window:
            self.context.link.call("snapshot", done=self.on_snapshot_loaded, failed=self.on_snapshot_failed)
        else:  # the pad's token names its window
            self.context.link.call("me", done=self.on_me_loaded, failed=self.on_snapshot_failed)

    def on_me_loaded(self, me: dict[str, Any]) -> None:
        windows = me.get("windows") or []
        if not windows:
            log.error("this pad's token is bound to no window; set the pad's window")
            return
        self.window = windows[0]
        self.watch = WindowWatch(self.window)
        self._start_following()

    def on_snapshot_loaded(self, snapshot: dict[str, Any]) -> None:
        self.watch.load_snapshot(snapshot)
        self._refresh_idle()
        if not self._following:
            self._following = True
            self.context.link.start_events(snapshot.get("seq", 0))

    def on_snapshot_failed(self, exc: BaseException) -> None:
        log.info("pad: hall not reachable yet (%s); trying again", exc)
        self.follow_timer.start()

    @Slot(object)
    def on_link_event_received(self, event: StreamEvent) -> None:
        finished = self.watch.apply(event)
        if finished is not None:
            self.wake(finished)
        elif (event.type == "ticket.rated" and self.service is not None
              and event.ticket == self.service.ticket and self.at_rating()):
            self.go_home()  # rated meanwhile on the citizen's phone: nothing left to ask
        if self.at_home():
            self._refresh_idle()

    @Slot(bool, str)
    def on_link_online_changed(self, online: bool, _reason: str) -> None:
        if online:
            self.outbox.flush(force=True)

    def on_context_hall_loaded(self, hall: dict) -> None:
        self._set_reasons()
        self._refresh_idle()
        if self.service is not None:
            self.rating.show_service(self._shown(self.service))

    def _set_reasons(self) -> None:
        """The hall's 差评 reasons in the language shown, recorded in the hall's words."""
        evaluation = self.context.hall.get("evaluation") or {}
        reasons = list(evaluation.get("bad_reasons") or [])
        self.rating.panel.set_reasons(reasons, localized(evaluation, self.context.language).get("bad_reasons", reasons))

    # -- names for ids

    def _window_def(self) -> dict[str, Any]:
        for w in self.context.hall.get("windows", []):
            if w.get("id") == self.window:
                return w
        return {}

    def _staff(self, staff: str | None) -> dict[str, Any]:
        for s in self.context.hall.get("staff", []):
            if s.get("id") == staff:
                return s
        return {}

    def _staff_name(self, staff: str | None) -> str:
        return str(self._staff(staff).get("name", ""))

    def _shown(self, service: Service | None = None) -> Shown:
        w = self._window_def()
        if service is None:
            return Shown(window_number=w.get("number"), window_name=pick_field(w, "name", self.context.language),
                         staff=self._staff_name(self.watch.staff), window_state=self.watch.state,
                         staff_number=str(self._staff(self.watch.staff).get("number") or ""))
        matter = self.matters.get(service.matter or "", "")
        if not matter and service.queue:
            matter = self.context.queue_name(service.queue)
        return Shown(window_number=w.get("number"), window_name=pick_field(w, "name", self.context.language),
                     staff=self._staff_name(service.staff), window_state=self.watch.state,
                     number=service.number or "", matter=matter)

    def _refresh_idle(self) -> None:
        staff = self.watch.staff
        self.idle.show_info(self._shown(), self.outbox.pending, self.photos.get(staff or ""))
        if staff and self._staff(staff).get("photo") and staff not in self.photos and staff not in self._asked_photos:
            self._asked_photos.add(staff)  # once: the photo does not change during the day
            self.context.link.call("staff_photo", staff, done=self.on_staff_photo,
                                   failed=lambda exc, s=staff: self._asked_photos.discard(s))

    def on_staff_photo(self, answer: dict[str, Any]) -> None:
        """The hall's answer to `staff_photo`: kept for the day, shown when that staff is on duty."""
        try:
            self.photos[str(answer["staff"])] = base64.b64decode(str(answer["data"]), validate=True)
        except (KeyError, ValueError, binascii.Error):
            log.warning("the hall's staff photo could not be read")
            return
        if self.at_home():
            self._refresh_idle()

    # -- a service to rate

    def wake(self, service: Service) -> None:
        """The window finished `service`: ask for its rating (once)."""
        if service.ticket in self.offered or service.ticket in self.watch.rated:
            return
        self.offered.add(service.ticket)
        self.service = service
        self.thanks_timer.stop()
        self.rating.panel.reset()
        self.rating.show_service(self._shown(service))
        self.pages.setCurrentWidget(self.rating)
        self.context.speak("rate")
        self.rating_timer.start(self._rating_ms())
        self.context.link.call("progress", service.ticket, done=self.on_progress_loaded,
                               failed=lambda exc: log.info("pad: no progress for %s: %s", service.ticket, exc))
        if service.matter and service.matter not in self.matters:
            self.context.link.call("guide", service.matter, done=self.on_guide_loaded,
                                   failed=lambda exc: log.info("pad: no guide %s: %s", service.matter, exc))

    def _rating_ms(self) -> int:
        factor = 2.0 if self.context.theme.elder else 1.0  # no hurrying in elder mode
        return max(1000, round(self.rating_seconds * factor * 1000))

    def on_progress_loaded(self, progress: dict[str, Any]) -> None:
        if self.service is None or progress.get("id") != self.service.ticket:
            return
        if progress.get("rated"):
            log.info("pad: %s was rated already; not asking again", self.service.ticket)
            self.watch.rated.add(self.service.ticket)
            if self.at_rating():
                self.go_home()
            return
        self.service = self.service.with_progress(progress)
        self.rating.show_service(self._shown(self.service))

    def on_guide_loaded(self, guide: dict[str, Any]) -> None:
        code = guide.get("code")
        if code:
            self.matters[code] = pick(guide.get("name", code), guide.get("name_en", ""), self.context.language)
        if self.service is not None and self.service.matter == code:
            self.rating.show_service(self._shown(self.service))

    @Slot(int)
    def on_panel_level_chosen(self, _level: int) -> None:
        if self.rating_timer.isActive():
            self.rating_timer.start(self._rating_ms())  # the citizen is here: their time starts again

    @Slot(int, list, str)
    def on_panel_rating_chosen(self, level: int, reasons: list, text: str) -> None:
        if self.service is None:
            return
        self._record(self.service, level, reasons, text)
        self.rating_timer.stop()
        self.thanks.show_thanks(level, kept_offline=self.context.link.online is False)
        self.pages.setCurrentWidget(self.thanks)
        self.context.speak("thanks")
        factor = 2.0 if self.context.theme.elder else 1.0  # time to read the thanks, too
        self.thanks_timer.start(max(1000, round(self.thanks_seconds * factor * 1000)))

    def _record(self, service: Service, level: int, reasons: list[str], text: str) -> str:
        context = {"window": service.window, "staff": service.staff, "matter": service.matter,
                   "number": service.number, "queue": service.queue}
        return self.outbox.record(service.ticket, level, reasons, text, context)

    @Slot()
    def on_rating_timer_timeout(self) -> None:
        if self.service is not None and self.on_timeout == "satisfied":
            log.info("pad: %s not rated in time; recorded as satisfied (pad.on_timeout)", self.service.ticket)
            self._record(self.service, SATISFIED, [], TIMEOUT_NOTE)
        self.go_home()
        self.context.reset_visit_modes()

    @Slot()
    def on_thanks_timer_timeout(self) -> None:
        self.go_home()
        self.context.reset_visit_modes()

    @Slot(int)
    def on_outbox_pending_changed(self, _count: int) -> None:
        if self.at_home():
            self._refresh_idle()

    @Slot(str, str)
    def on_outbox_rating_refused(self, ticket: str, reason: str) -> None:
        log.warning("pad: the hall refused the rating of %s: %s", ticket, reason)

    # -- RoleView

    def at_home(self) -> bool:
        return self.pages.currentWidget() is self.idle

    def at_rating(self) -> bool:
        return self.pages.currentWidget() is self.rating

    def go_home(self) -> None:
        self.rating_timer.stop()
        self.thanks_timer.stop()
        self.service = None
        self.rating.panel.reset()
        self._refresh_idle()
        self.pages.setCurrentWidget(self.idle)

    def retranslate_ui(self) -> None:
        if self.at_home():
            self._refresh_idle()  # the window's name in the language now shown
        self.idle.retranslate_ui()
        self._set_reasons()
        self.rating.retranslate_ui()
        self.thanks.retranslate_ui()

    def apply_theme(self, theme: Theme) -> None:
        self.idle.apply_theme(theme)
        self.rating.apply_theme(theme)
        self.thanks.apply_theme(theme)

    def shutdown(self) -> None:
        self.follow_timer.stop()
        self.rating_timer.stop()
        self.thanks_timer.stop()
        self.outbox.shutdown()

    def sample_screens(self) -> list[tuple[str, object]]:
        service = Service(ticket="20260101-A017", window="w1", number="A017", matter="sample")

        from kiosk.models.terminal.samples import sample_guide

        def prepare() -> Service:
            if not self.context.hall.get("windows"):
                self.context.set_hall(SAMPLE_HALL)
            hall = self.context.hall
            window = next((w for w in hall["windows"] if w.get("id") == self.window), hall["windows"][0])
            staff = (hall.get("staff") or [{}])[0].get("id")
            self.window = window["id"]
            self.watch.window, self.watch.state, self.watch.staff = self.window, "open", staff
            self.matters["sample"] = pick_field(sample_guide(), "name", self.context.language)
            self._sample_photo(staff)
            return replace(service, window=self.window, staff=staff)

        def idle() -> None:
            prepare()
            self.outbox.pending = 0
            self.go_home()

        def rating() -> None:
            self._show_sample(prepare())

        def reasons() -> None:
            rating()
            self.rating.panel.choose(2)
            self.rating.panel.toggle_reason(self.rating.panel.reasons[1])

        def thanks() -> None:
            prepare()
            self.thanks.show_thanks(4, kept_offline=False)
            self.pages.setCurrentWidget(self.thanks)

        def thanks_kept_offline() -> None:
            prepare()
            self.thanks.show_thanks(2, kept_offline=True)
            self.pages.setCurrentWidget(self.thanks)

        def offline_pending() -> None:
            idle()
            self.outbox.pending = 1
            self._refresh_idle()

        return [("idle", idle), ("rating", rating), ("reasons", reasons), ("thanks", thanks),
                ("thanks-offline", thanks_kept_offline), ("offline-pending", offline_pending)]

    def _sample_photo(self, staff: str | None) -> None:
        """The sample hall's drawn photo of `staff` (assets/halls/demo/staff), as the hall would send it."""
        from ground.paths import assets_dir

        path = assets_dir() / "halls" / "demo" / "staff" / f"{staff}.png"
        if staff and path.is_file():
            self.photos[staff] = path.read_bytes()
            self._asked_photos.add(staff)

    def _show_sample(self, service: Service) -> None:
        """The rating screen for `service`, without asking the hall anything."""
        self.service = service
        self.rating.panel.reset()
        self.rating.show_service(self._shown(service))
        self.pages.setCurrentWidget(self.rating)
