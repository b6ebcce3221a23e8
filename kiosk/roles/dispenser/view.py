"""The queue ticket dispenser (排队叫号机): choose a queue or find a matter, take a ticket.

Flow: home (a tile per queue with its waiting count and estimated wait, refreshed from the
hall's snapshot) or search (pinyin initials on the on-screen keys: GTGSH finds 个体工商户设立登记)
→ issue (with elderly priority when a swiped ID card says the holder is old enough; with
disabled priority when the citizen asks for it on the home screen, the ticket marked for the
window to see the 残疾人证) → print
→ the ticket on screen; home again after a few seconds, or on a tap.

Nothing blocks: without a printer (none, paper out, an error) the ticket is shown whole with
its QR code for a phone; when the hall does not answer, a calm message and a retry that
reuses the same idempotency key, so a ticket issued before the answer was lost is not issued
twice. The swiped card lives in `context.session` only until the ticket is issued.

The view also works as a page inside the kiosk terminal (`embedded=True`): a back button on
its first screen, and `flow_finished` when the citizen is done.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QSizePolicy, QStackedWidget, QVBoxLayout, QWidget
from shiboken6 import isValid

from drivers.idcard.card import IdCard, mask_name
from hall.client import HallError, HallUnavailable
from kiosk.context import Context
from kiosk.models import dispenser as model
from kiosk.models import opening
from kiosk.models.clock import hall_today
from kiosk.models.dispenser_lease import Issued, offline_answer, offline_document
from kiosk.peripherals.idcard import CardProblem
from kiosk.roles.dispenser.catalog import Catalog
from kiosk.roles.dispenser.leases import DispenserLeases
from kiosk.roles.dispenser.offhours import OffHoursPage
from kiosk.roles.dispenser.pages import HomePage
from kiosk.roles.dispenser.printing import TicketPrinting
from kiosk.roles.dispenser.search import SearchPage
from kiosk.roles.dispenser.ticket import BusyPage, IdCardPage, MessagePage, TicketPage, queue_label
from kiosk.shell import RoleView
from kiosk.theme import Theme

if TYPE_CHECKING:
    from hall.wire import IssueAnswer

log = logging.getLogger(__name__)

RESULT_SECONDS = 8
HOURS_EVERY_MS = 60_000  # how often an idle dispenser asks whether the hall issues tickets


class DispenserView(RoleView):
    flow_finished = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None, *, embedded: bool = False) -> None:
        super().__init__(context, parent)
        self.setObjectName("dispenser")
        self.embedded = embedded
        self.sample = False  # showing sample screens: no hall, no device
        self.problem = False
        self.queue_id: str | None = None  # the queue being issued
        self.key: str | None = None  # idempotency key of that issue, kept for a retry
        self.answer: IssueAnswer | None = None
        self.offline: Issued | None = None  # the ticket came from this dispenser's lease (the hall away)
        # a ticket machine of its own holds leases of numbers; the kiosk's ticket part does not
        self.leases = DispenserLeases(context, parent=self) if context.settings.role == "dispenser" else None
        self._reader: Any = None
        theme = context.theme
        self.stack = QStackedWidget(self)
        self.home = HomePage(theme, embedded, self.stack)
        self.search = SearchPage(theme, self.stack)
        self.idcard = IdCardPage(theme, self.stack)
        self.busy = BusyPage(theme, self.stack)
        self.ticket = TicketPage(theme, self.stack)
        self.message = MessagePage(theme, self.stack)
        self.offhours = OffHoursPage(theme, self.stack)
        self.hours: dict[str, Any] = {}  # the hall's last word on its opening hours
        for page in (self.home, self.search, self.idcard, self.busy, self.ticket, self.message, self.offhours):
            # a hidden page's height must not stretch the screen: each page fits the room it gets
            page.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
            self.stack.addWidget(page)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.stack)
        self.home.queue_chosen.connect(self.on_home_queue_chosen)
        self.home.search_clicked.connect(self.on_home_search_clicked)
        self.home.back_clicked.connect(self.finish)
        self.search.entry_chosen.connect(self.on_search_entry_chosen)
        self.search.back_clicked.connect(self.on_search_back_clicked)
        for strip in (self.home.strip, self.search.strip):
            strip.tapped.connect(self.on_strip_tapped)
            strip.clear_clicked.connect(self.on_strip_clear_clicked)
        self.idcard.back_clicked.connect(self.on_idcard_back_clicked)
        self.ticket.done_clicked.connect(self.finish)
        self.message.retry_clicked.connect(self.on_message_retry_clicked)
        self.message.home_clicked.connect(self.on_message_home_clicked)
        self.offhours.home_clicked.connect(self.on_offhours_home_clicked)
        self.hours_timer = QTimer(self)
        self.hours_timer.setInterval(HOURS_EVERY_MS)
        self.hours_timer.timeout.connect(self.on_hours_timer_timeout)
        self.catalog = Catalog(context, self)
        self.catalog.loads_changed.connect(self.on_catalog_loads_changed)
        self.catalog.index_built.connect(self.on_catalog_index_built)
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self.on_countdown_timeout)
        self._seconds = 0
        self.printing = TicketPrinting(context.devices, self)
        self.printing.finished.connect(self.on_printing_finished)
        context.devices.status_changed.connect(self.on_devices_status_changed)
        context.link.online_changed.connect(self.on_link_online_changed)
        context.languages.language_changed.connect(self.on_languages_language_changed)
        self._hook_devices()
        if context.hall:
            self.on_context_hall_loaded(context.hall)
        self.show_identity()

    # -- the hall's data

    def hall(self) -> dict[str, Any]:
        """The hall's description; sample screens use the sample hall unless one was given."""
        if self.sample and not self.context.hall.get("queues"):
            return model.SAMPLE_HALL
        return self.context.hall

    def _alive(self, fn: Callable[..., None]) -> Callable[..., None]:
        """A callback for a pool job that may finish after this view is gone (the terminal
        dropped its page, the test ended): then it does nothing."""
        def call(*args: Any) -> None:
            if isValid(self):
                fn(*args)
        return call

    @Slot(dict)
    def on_context_hall_loaded(self, hall: dict) -> None:
        if self.sample:
            return
        self.home.set_queues(hall.get("queues", []), self.context.language)
        self.idcard.set_age(model.elderly_age(hall))
        self.show_identity()
        self.catalog.load_guides()
        if self.leases is not None:
            self.leases.start()
        if self.isVisible():
            self.catalog.refresh()

    @Slot(dict)
    def on_catalog_loads_changed(self, loads: dict) -> None:
        if not self.sample:
            self.home.set_loads(loads)

    @Slot(object)
    def on_catalog_index_built(self, _index: Any) -> None:
        if not self.sample:
            self.show_index()

    def show_index(self) -> None:
        names = {q.get("id"): queue_label(self.hall(), q.get("id"), self.context.language)
                 for q in self.hall().get("queues", [])}
        self.search.set_index(self.catalog.index, names, self.context.language)

    @Slot(bool, str)
    def on_link_online_changed(self, online: bool, _reason: str) -> None:
        if self.sample:
            return
        if not self.hall().get("queues"):
            self.home.set_reachable(online)
        elif online and self.isVisible():
            self.catalog.refresh()

    # -- devices

    def _hook_devices(self) -> None:
        reader = self.context.devices.get("idcard")
        if reader is not None and reader is not self._reader:
            reader.watched.connect(self.on_idcard_watched)
            self._reader = reader
            self.show_identity()

    @Slot(object)
    def on_devices_status_changed(self, _status: Any) -> None:
        self._hook_devices()

    @Slot(object)
    def on_idcard_watched(self, seen: Any) -> None:
        if not self.isVisible() or self.stack.currentWidget() not in (self.home, self.search, self.idcard):
            return  # a card on the reader while a ticket is printed is not this flow's
        if isinstance(seen, CardProblem):
            self.problem = True
        elif isinstance(seen, IdCard):
            self.problem = False
            self.context.session.hold(seen)
            if self.stack.currentWidget() is self.idcard:
                self.stack.setCurrentWidget(self.home)
        self.show_identity()

    def show_identity(self) -> None:
        hall, card = self.hall(), self.context.session.identity
        age = model.elderly_age(hall)
        if isinstance(card, IdCard):
            elderly = model.priority_for(card.birth_date, hall, hall_today(hall)) == "elderly"
            state, values = "read", {"name": mask_name(card.name or card.english_name), "age": age,
                                     "elderly": elderly}
        elif self.problem:
            state, values = "problem", {}
        elif age and (self.sample or self.context.devices.get("idcard") is not None):
            state, values = "prompt", {"age": age}
        else:
            state, values = "hidden", {}
        self.home.strip.show_state(state, **values)
        # on the search screen the strip only reports a read card; the prompt stays on the first screen
        self.search.strip.show_state(state if state in ("read", "problem") else "hidden", **values)

    @Slot()
    def on_strip_tapped(self) -> None:
        self.stack.setCurrentWidget(self.idcard)
        self.context.speak("swipe_card")
        reader = self.context.devices.get("idcard")
        if reader is not None:  # a card lying on the reader since the last ticket is read now
            reader.rearm()

    @Slot()
    def on_strip_clear_clicked(self) -> None:
        self.context.session.identity = None
        self.problem = False
        self.show_identity()

    @Slot()
    def on_idcard_back_clicked(self) -> None:
        self.stack.setCurrentWidget(self.home)

    # -- choosing

    @Slot()
    def on_home_search_clicked(self) -> None:
        self.search.clear()
        if not self.catalog.guides and not self.sample:
            self.catalog.load_guides()
        self.stack.setCurrentWidget(self.search)

    @Slot()
    def on_search_back_clicked(self) -> None:
        self.search.clear()
        self.stack.setCurrentWidget(self.home)

    @Slot(str)
    def on_home_queue_chosen(self, queue: str) -> None:
        self.start_issue(queue)

    @Slot(dict)
    def on_search_entry_chosen(self, entry: dict) -> None:
        if entry.get("queue"):
            self.start_issue(str(entry["queue"]))

    # -- issuing

    def start_issue(self, queue: str) -> None:
        if self.key is not None or self.answer is not None:
            return  # a second tap while the first is under way
        self.queue_id, self.key = queue, uuid.uuid4().hex
        self._issue()

    def _priority(self) -> str:
        card = self.context.session.identity
        return model.priority_for(card.birth_date if isinstance(card, IdCard) else None, self.hall(),
                                  hall_today(self.hall()), disabled_asked=self.home.disabled.isChecked())

    def _issue(self) -> None:
        card = self.context.session.identity
        kwargs: dict[str, Any] = {
            "queue": self.queue_id, "channel": self.context.settings.role or "dispenser",
            "priority": self._priority(), "idempotency_key": self.key,
        }
        if isinstance(card, IdCard) and card.id_number:
            kwargs["id_number"] = card.id_number
        self.busy.show_mode("issuing")
        self.stack.setCurrentWidget(self.busy)
        key = self.key
        self.context.link.call("issue", done=self._alive(lambda answer: self.on_issue_done(key, answer)),
                               failed=self._alive(lambda exc: self.on_issue_failed(key, exc)), **kwargs)

    def on_issue_done(self, key: str | None, answer: IssueAnswer) -> None:
        if key != self.key:
            return  # the citizen left before the answer came
        self.key = None
        self.answer = answer
        ticket = answer.ticket
        self.context.session.ticket = ticket
        self.context.session.identity = None  # the card was needed for the issue only
        self.problem = False
        self.show_identity()
        log.info("ticket %s issued (%s)", ticket.number, ticket.priority)
        self._print()

    def on_issue_failed(self, key: str | None, exc: BaseException) -> None:
        if key != self.key:
            return
        if isinstance(exc, HallError) and exc.code == "not_issuing":  # closed, cut-off, quota
            self.key = None
            words = opening.from_refusal(exc.message, exc.details, self.context.language)
            self.show_off_hours(words, for_the_hall=exc.details.get("reason") in ("closed", "lunch"))
            return
        refused = isinstance(exc, HallError) and not isinstance(exc, HallUnavailable)
        if not refused and self.leases is not None and self.queue_id and key is not None:
            waiting = {q: load.waiting for q, load in self.catalog.loads.items()}
            self.leases.issue(self.queue_id, self._priority(), key, waiting,
                              done=self._alive(lambda issued: self.on_lease_issued(key, issued)),
                              failed=self._alive(lambda error: self._failed(error, refused=False)))
            return
        self._failed(exc, refused=refused)

    def on_lease_issued(self, key: str, issued: Issued) -> None:
        """The hall did not answer: the ticket comes from this dispenser's lease, printed as usual."""
        if key != self.key:
            return
        self.offline = issued
        self.on_issue_done(key, offline_answer(self.hall(), issued))

    def _failed(self, exc: BaseException, *, refused: bool) -> None:
        log.warning("issue failed: %s", exc)
        message = getattr(exc, "message", "") if refused else ""
        self.message.show_failure(refused, message)
        self.stack.setCurrentWidget(self.message)

    @Slot()
    def on_message_retry_clicked(self) -> None:
        if self.key is not None:
            self._issue()  # the same key: a ticket issued before the answer was lost comes back
        else:
            self.go_home()

    @Slot()
    def on_message_home_clicked(self) -> None:
        self.go_home()

    # -- out of hours (the 24-hour self-service mode)

    @Slot()
    def on_hours_timer_timeout(self) -> None:
        if not self.sample:
            self.context.link.call("hall_hours", done=self._alive(self.on_hall_hours))

    def on_hall_hours(self, hours: dict) -> None:
        self.hours = hours
        current = self.stack.currentWidget()
        if not opening.issuing(hours) and current is self.home and self.at_home():
            self.show_off_hours(opening.from_hours(hours, self.context.language))
        elif opening.issuing(hours) and current is self.offhours and self.offhours.for_the_hall:
            self.go_home()  # a queue's own refusal stays until the citizen leaves it

    def show_off_hours(self, words: opening.OffHours, for_the_hall: bool = True) -> None:
        self.offhours.for_the_hall = for_the_hall
        self.offhours.show_words(words)
        # a dispenser on its own has nothing else while the hall is closed; in the terminal the
        # button leads back to the flows that stay open, and after one queue's refusal to the others
        self.offhours.home.setVisible(self.embedded or not for_the_hall)
        self.stack.setCurrentWidget(self.offhours)

    @Slot()
    def on_offhours_home_clicked(self) -> None:
        self.finish()

    # -- printing

    def _qr_url(self) -> str:
        assert self.answer is not None
        url = model.SAMPLE_HALL_URL if self.sample else self.context.settings.hall_url
        return model.follow_url(url, self.answer, str(self.hall().get("public_url") or ""), self.context.language)

    def _print(self) -> None:
        assert self.answer is not None
        self._hook_devices()
        ticket = self.answer.ticket
        if self.offline is not None:
            document = offline_document(self.hall(), self.offline, self._qr_url())
        else:
            document = model.ticket_document(self.hall(), ticket, self._qr_url())
        if not self.printing.start(ticket.id, document):
            self.show_on_screen(self.printing.fault)
            return
        self.busy.show_mode("printing", ticket.number)
        self.stack.setCurrentWidget(self.busy)

    @Slot(bool, str)
    def on_printing_finished(self, printed: bool, fault: str) -> None:
        if self.answer is None:
            return
        if not printed:
            self.show_on_screen(fault)
            return
        self.show_ticket(printed=True)
        self._seconds = self._result_seconds()
        self.ticket.show_countdown(self._seconds)
        self.countdown.start()

    def _reason(self, code: str) -> str:
        reasons = {"paper_out": self.tr("（缺纸）"), "cover_open": self.tr("（纸仓盖未关好）")}
        return reasons.get(code, "")

    def show_on_screen(self, code: str) -> None:
        self.show_ticket(printed=False, reason=self._reason(code))

    def _result_seconds(self) -> int:
        """How long the ticket stays on screen: twice as long in elder mode, and the text says so."""
        return RESULT_SECONDS * (2 if self.context.theme.elder else 1)

    def show_ticket(self, *, printed: bool, reason: str = "") -> None:
        assert self.answer is not None
        ticket = self.answer.ticket
        name = queue_label(self.hall(), ticket.queue, self.context.language)
        self.ticket.show_ticket(ticket, name, self._qr_url(), printed=printed, reason=reason)
        self.stack.setCurrentWidget(self.ticket)
        if printed:
            self.context.speak("take_ticket")

    @Slot()
    def on_countdown_timeout(self) -> None:
        self._seconds -= 1
        if self._seconds <= 0:
            self.finish()
        else:
            self.ticket.show_countdown(self._seconds)

    # -- the end of a visit

    @Slot()
    def finish(self) -> None:
        """The citizen is done (ticket taken, or back from the first screen): nothing of them stays."""
        self.context.session.wipe()
        self.go_home()
        self.flow_finished.emit()

    def at_home(self) -> bool:
        return self.stack.currentWidget() is self.home and self.context.session.identity is None

    def go_home(self) -> None:
        self.countdown.stop()
        self.printing.cancel()
        self.key = self.queue_id = self.answer = self.offline = None
        self.problem = False
        self.home.disabled.setChecked(False)  # the next citizen asks for themselves
        self.search.clear()
        self.ticket.show_countdown(None)
        self.stack.setCurrentWidget(self.home)
        self.show_identity()
        if self.isVisible() and not self.sample:
            self.catalog.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self.sample:
            self.catalog.start()
            self.hours_timer.start()
            self.on_hours_timer_timeout()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        self.catalog.stop()
        self.hours_timer.stop()

    def shutdown(self) -> None:
        if self.leases is not None:
            self.leases.shutdown()
        self.catalog.stop()
        self.hours_timer.stop()
        self.countdown.stop()
        self.printing.cancel()

    # -- language and theme

    @Slot(str)
    def on_languages_language_changed(self, _language: str) -> None:
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        if self.hall():
            self.home.set_queues(self.hall().get("queues", []), self.context.language)
        else:
            self.home.retranslate()
        self.show_index()
        for page in (self.search, self.idcard, self.busy, self.message):
            page.retranslate()
        if self.stack.currentWidget() is self.offhours and self.hours and not opening.issuing(self.hours):
            self.offhours.show_words(opening.from_hours(self.hours, self.context.language))
        self.offhours.retranslate()
        if self.answer is not None and self.stack.currentWidget() is self.ticket:
            self.show_ticket(printed=self.ticket.printed, reason=self.ticket.reason)
        self.show_identity()

    def apply_theme(self, theme: Theme) -> None:
        for page in (self.home, self.search, self.idcard, self.busy, self.ticket, self.message, self.offhours):
            page.apply_theme(theme)

    # -- sample screens (no hall, no device)

    def sample_screens(self) -> list[tuple[str, object]]:
        """The dispenser's screens with the sample data of `kiosk.models.dispenser`."""
        return [("home", self._sample_home), ("search", self._sample_search),
                ("idcard", lambda: self._sample_page(self.idcard)),
                ("printing", self._sample_printing), ("ticket", self._sample_ticket),
                ("ticket_on_screen", self._sample_ticket_on_screen),
                ("hall_offline", self._sample_hall_offline), ("off_hours_lunch", self._sample_lunch),
                ("off_hours_night", self._sample_night), ("quota_full", self._sample_quota_full),
                ("disabled_asked", self._sample_disabled)]

    def _sample_disabled(self) -> None:
        """残疾人优先 asked for on the home screen, and the ticket it gives, marked for the window."""
        self._sample_home()
        self.home.disabled.setChecked(True)
        answer = model.sample_answer()
        self.answer = answer.model_copy(update={"ticket": answer.ticket.model_copy(update={"priority": "disabled"})})
        self.show_ticket(printed=True)

    def _sample_home(self) -> None:
        self.sample = True  # from now on the view asks neither the hall nor a device
        self.catalog.stop()
        self.go_home()
        hall = self.hall()
        self.home.set_queues(hall.get("queues", []), self.context.language)
        self.home.set_loads(model.sample_loads(hall))
        self.idcard.set_age(model.elderly_age(hall))
        self.show_identity()

    def _sample_page(self, page: QWidget) -> None:
        self._sample_home()
        self.stack.setCurrentWidget(page)

    def _sample_search(self) -> None:
        from kiosk.models.search import GuideIndex
        from kiosk.models.terminal.samples import sample_guides

        self._sample_home()  # the guides of the same hall as every other screen
        self.catalog.use_index(GuideIndex(model.search_entries(sample_guides(), self.hall())))
        self.show_index()
        self._sample_page(self.search)
        # what each citizen types: pinyin initials in Chinese, a word of the English name in English
        self.search.keyboard.type_text("ESTATE" if self.context.language == "en" else "BDC")

    def _sample_printing(self) -> None:
        self._sample_page(self.busy)
        self.busy.show_mode("printing", model.sample_answer().ticket.number)

    def _sample_ticket(self) -> None:
        self._sample_home()
        self.answer = model.sample_answer()
        self.show_ticket(printed=True)
        self.ticket.show_countdown(self._result_seconds())

    def _sample_ticket_on_screen(self) -> None:
        self._sample_home()
        self.answer = model.sample_answer()
        self.show_on_screen("paper_out")

    def _sample_hall_offline(self) -> None:
        self._sample_page(self.message)
        self.message.show_failure(False)

    def _sample_lunch(self) -> None:
        self._sample_home()
        self.hours = opening.SAMPLE_HOURS
        self.show_off_hours(opening.from_hours(self.hours, self.context.language))

    def _sample_night(self) -> None:
        self._sample_home()
        self.hours = opening.SAMPLE_NIGHT
        self.show_off_hours(opening.from_hours(self.hours, self.context.language))

    def _sample_quota_full(self) -> None:
        self._sample_home()
        self.hours = {}
        details = {"reason": "quota", "text_en": "Today's tickets are all taken. Tickets from 8:30 tomorrow.",
                   "opens_text": "明天8:30", "opens_text_en": "8:30 tomorrow"}
        self.show_off_hours(opening.from_refusal("今日号源已满，明天8:30开始取号", details, self.context.language))
