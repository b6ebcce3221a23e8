"""The queue engine: commands check the current state and decide the events that follow.

Commands never change state themselves; `HallState.apply` does, event by event. So what is
stored is exactly what happened, and replaying the stored events gives the same state.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from hall.domain import events as ev
from hall.domain.errors import (
    IllegalTransition,
    InvalidCommand,
    NotFound,
    NothingToCall,
)
from hall.domain.model import (
    PRIORITY_RANK,
    HallSetup,
    Priority,
    QueueDef,
    TicketState,
    WindowDef,
    WindowState,
)
from hall.domain.numbers import next_serial, number_key, ticket_number
from hall.domain.policy import Choice, choose, effective_priority
from hall.domain.state import HallState, TicketRec, WindowRec

STATE_LABEL = {
    TicketState.WAITING: "等候中",
    TicketState.CALLED: "已叫号",
    TicketState.SERVING: "办理中",
    TicketState.DONE: "已办结",
    TicketState.NO_SHOW: "过号",
    TicketState.CANCELLED: "已取消",
    TicketState.EXPIRED: "已过期",
}
WINDOW_LABEL = {WindowState.OPEN: "开放", WindowState.PAUSED: "暂停", WindowState.CLOSED: "关闭"}
_HOLDER = re.compile(r"[0-9a-f]{64}")
_MASKED_ID = re.compile(r"\d{6}\*{8}\d{3}[\dX]")


@dataclass(frozen=True)
class Draft:
    """An event decided but not yet stored: the store gives it its sequence number."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)


class QueueEngine:
    def __init__(self, setup: HallSetup, state: HallState | None = None) -> None:
        self.setup = setup
        self.state = state or HallState()
        self.tz = ZoneInfo(setup.policy.timezone)
        self.queues: dict[str, QueueDef] = {q.id: q for q in setup.queues}
        self.windows: dict[str, WindowDef] = {w.id: w for w in setup.windows}

    # -- the hall day

    def day_of(self, now: float) -> str:
        return ev.hall_day(now, self.tz)

    def current_day(self, now: float) -> str:
        """The hall day events are stamped with: the clock's day, never one before the day
        already started (a clock set back across midnight does not reopen yesterday)."""
        day = self.day_of(now)
        return day if self.state.day is None or day > self.state.day else self.state.day

    def start_day_if_needed(self, now: float) -> list[Draft]:
        """A new hall day: open tickets of the old day expire, numbering starts again at 1.

        The old day's events stay stored; nothing is deleted.
        """
        day = self.day_of(now)
        if self.state.day is not None and day <= self.state.day:
            return []  # the same day, or a clock set back: numbering goes on, nothing issued twice
        expired = sorted(t.id for t in self.state.tickets.values() if t.is_open)
        windows = {
            w.id: {"state": w.state.value, "staff": w.staff}
            for w in self.state.windows.values()
            if w.state is not WindowState.CLOSED
        }
        return [
            Draft(
                ev.DAY_STARTED,
                {"day": day, "previous": self.state.day, "expired": expired, "windows": windows},
            )
        ]

    # -- tickets

    def issue(
        self,
        now: float,
        queue: str,
        priority: Priority = Priority.NORMAL,
        channel: str = "api",
        slot_start: float | None = None,
        slot_end: float | None = None,
        holder: str | None = None,
        id_masked: str | None = None,
        appointment: str | None = None,
    ) -> list[Draft]:
        """A new ticket. `holder` and `id_masked` are what a ticket may keep of an ID number (its
        keyed hash and its masked form, never the number); `appointment` the one checked in."""
        q = self._queue(queue)
        priority = Priority(priority)
        if priority is Priority.APPOINTMENT and (slot_start is None or slot_end is None):
            raise InvalidCommand("预约票需要预约时段（slot_start 与 slot_end）", field="slot_start")
        if slot_start is not None and slot_end is not None and slot_end < slot_start:
            raise InvalidCommand("预约时段的结束早于开始", field="slot_end")
        if holder is not None and not _HOLDER.fullmatch(holder):
            raise InvalidCommand("holder 须为身份证号的密钥散列（64 位十六进制），不能是号码本身", field="holder")
        if id_masked is not None and not _MASKED_ID.fullmatch(id_masked):
            raise InvalidCommand("id_masked 须为遮蔽后的身份证号（如 110105********002X）", field="id_masked")
        if appointment is not None:
            prior = self.state.ticket_of_appointment(appointment)
            if prior is not None:
                raise IllegalTransition(f"该预约已签到，票号 {prior.number}", ticket=prior.id,
                                        appointment=appointment)
        issued = self.state.counters.get(q.id, 0)
        for first, last in self.state.leased(q.id):  # a dispenser's block is its own: step over it
            if first <= issued + 1 <= last:
                issued = last
        serial = next_serial(q.prefix, q.name, issued)
        number = ticket_number(q.prefix, serial, self.setup.policy.ticket_digits)
        ticket = f"{self.current_day(now).replace('-', '')}-{number}"
        data: dict[str, Any] = {
            "ticket": ticket,
            "number": number,
            "serial": serial,
            "queue": q.id,
            "priority": priority.value,
            "channel": channel,
        }
        if slot_start is not None:
            data["slot_start"], data["slot_end"] = slot_start, slot_end
        for name, value in (("holder", holder), ("id_masked", id_masked), ("appointment", appointment)):
            if value is not None:
                data[name] = value
        return [Draft(ev.TICKET_ISSUED, data)]

    def cancel(self, now: float, ticket: str, reason: str = "") -> list[Draft]:
        t = self._ticket(ticket)
        if t.state not in (TicketState.WAITING, TicketState.CALLED):
            raise IllegalTransition(
                f"{t.number} {STATE_LABEL[t.state]}，不能取消（只有等候中或已叫号的票可以取消）",
                ticket=t.id, state=t.state.value,
            )
        return [Draft(ev.TICKET_CANCELLED, {"ticket": t.id, "window": t.window, "reason": reason})]

    def transfer(
        self,
        now: float,
        ticket: str,
        to_queue: str | None = None,
        to_window: str | None = None,
        keep_place: bool = False,
        by_window: str | None = None,
    ) -> list[Draft]:
        t = self._ticket(ticket)
        if not t.is_open:
            raise IllegalTransition(
                f"{t.number} {STATE_LABEL[t.state]}，不能转移", ticket=t.id, state=t.state.value
            )
        if to_queue is None and to_window is None:
            raise InvalidCommand("转移需要目标业务队列（to_queue）或目标窗口（to_window）")
        target_window = self._window(to_window) if to_window else None
        if to_queue is not None:
            queue = self._queue(to_queue).id
        elif target_window is not None:
            queue = t.queue if t.queue in target_window.queues else target_window.queues[0]
        if target_window is not None and queue not in target_window.queues:
            raise InvalidCommand(
                f"{target_window.name} 不办理 {self.queues[queue].name}", to_window=to_window
            )
        if queue == t.queue and target_window is None and t.state is TicketState.WAITING:
            raise InvalidCommand(f"{t.number} 已在 {self.queues[queue].name} 排队")
        if target_window is not None and target_window.id == t.window:
            raise InvalidCommand(f"{t.number} 已在 {target_window.name}")
        data = {
            "ticket": t.id,
            "from_queue": t.queue,
            "to_queue": queue,
            "to_window": to_window,
            "keep_place": bool(keep_place),
            "window": t.window or by_window,
        }
        return [Draft(ev.TICKET_TRANSFERRED, data)]

    def rate(
        self,
        now: float,
        ticket: str,
        level: int,
        reasons: list[str] | tuple[str, ...] = (),
        text: str = "",
        channel: str = "pad",
        cases: list[str] | tuple[str, ...] = (),
        case_matter: str | None = None,
    ) -> list[Draft]:
        """好差评: one rating per visit, after the service; 不满意 and 非常不满意 need a reason.

        `cases` are the numbers of the cases opened during the visit and `case_matter` their
        matter: the national 好差评 binds a rating to its case (一事一评)."""
        t = self._ticket(ticket)
        if not 1 <= int(level) <= 5:
            raise InvalidCommand("评价等级须为 1（非常不满意）到 5（非常满意）", field="level")
        if t.state is not TicketState.DONE:
            raise IllegalTransition(f"{t.number} {STATE_LABEL[t.state]}，办结后才能评价", ticket=t.id)
        if t.rating is not None:
            raise IllegalTransition(f"{t.number} 已评价（一次一评）", ticket=t.id)
        reasons = [str(r).strip() for r in reasons if str(r).strip()]
        if int(level) <= 2 and not (reasons or text.strip()):
            raise InvalidCommand("差评须选择或填写原因", field="reasons")
        return [
            Draft(
                ev.TICKET_RATED,
                {
                    "ticket": t.id, "number": t.number, "level": int(level), "reasons": reasons,
                    "text": text.strip(), "channel": channel, "window": t.window, "staff": t.staff,
                    "matter": case_matter or t.matter, "queue": t.queue, "cases": list(cases),
                },
            )
        ]

    # -- windows

    def call_next(self, now: float, window: str) -> list[Draft]:
        w, rec = self._window_ready(window)
        choice = choose(w, rec, self.state.waiting(), self.queues, self.setup.policy, now)
        if choice is None:
            raise NothingToCall(f"{w.name} 办理的业务当前无人等候", window=w.id)
        return [self._called(w, rec, choice)]

    def call(self, now: float, window: str, ticket: str) -> list[Draft]:
        w, rec = self._window_ready(window)
        t = self._ticket(ticket)
        if t.state is not TicketState.WAITING:
            raise IllegalTransition(
                f"{t.number} {STATE_LABEL[t.state]}，不能叫号", ticket=t.id, state=t.state.value
            )
        if t.target_window not in (None, w.id):
            raise IllegalTransition(f"{t.number} 已转至其他窗口", ticket=t.id, window=t.target_window)
        if t.queue not in w.queues and t.target_window != w.id:
            raise IllegalTransition(
                f"{w.name} 不办理 {self.queues[t.queue].name}，不能叫 {t.number}", ticket=t.id
            )
        klass = "normal" if effective_priority(t, now, self.setup.policy) is Priority.NORMAL else "priority"
        choice = Choice(t, "manual", klass, "工作人员指定叫号")
        return [self._called(w, rec, choice)]

    def recall(self, now: float, window: str) -> list[Draft]:
        w = self._window(window)
        t = self._current(w, TicketState.CALLED, "重呼")
        limit = self.setup.policy.no_show_after_recalls
        if t.recalls >= limit:
            return [
                Draft(
                    ev.TICKET_NO_SHOW,
                    {"ticket": t.id, "window": w.id, "reason": "recalls", "recalls": t.recalls},
                )
            ]
        return [Draft(ev.TICKET_RECALLED, {"ticket": t.id, "window": w.id, "recalls": t.recalls + 1})]

    def no_show(self, now: float, window: str) -> list[Draft]:
        w = self._window(window)
        t = self._current(w, TicketState.CALLED, "过号")
        return [
            Draft(ev.TICKET_NO_SHOW, {"ticket": t.id, "window": w.id, "reason": "staff", "recalls": t.recalls})
        ]

    def start(self, now: float, window: str) -> list[Draft]:
        w = self._window(window)
        t = self._current(w, TicketState.CALLED, "开始办理")
        return [Draft(ev.SERVICE_STARTED, {"ticket": t.id, "window": w.id, "staff": self._staff(w)})]

    def finish(self, now: float, window: str, matter: str | None = None) -> list[Draft]:
        w = self._window(window)
        t = self._current(w, None, "办结")
        drafts = []
        if t.state is TicketState.CALLED:
            # the window pressed "finish" without "start": the service ran from the call
            drafts.append(
                Draft(ev.SERVICE_STARTED, {"ticket": t.id, "window": w.id, "staff": self._staff(w), "implicit": True})
            )
        data = {"ticket": t.id, "window": w.id, "staff": self._staff(w)}
        if matter:
            data["matter"] = matter
        drafts.append(Draft(ev.SERVICE_FINISHED, data))
        return drafts

    def open_window(self, now: float, window: str, staff: str | None = None) -> list[Draft]:
        w = self._window(window)
        rec = self.state.window(w.id)
        if rec.state is not WindowState.CLOSED:
            raise IllegalTransition(f"{w.name} 已{WINDOW_LABEL[rec.state]}，无需重复开放", window=w.id)
        return [Draft(ev.WINDOW_OPENED, {"window": w.id, "staff": staff})]

    def pause(self, now: float, window: str, reason: str = "") -> list[Draft]:
        w = self._window(window)
        rec = self.state.window(w.id)
        if rec.state is not WindowState.OPEN:
            raise IllegalTransition(f"{w.name} {WINDOW_LABEL[rec.state]}中，不能暂停", window=w.id)
        return [Draft(ev.WINDOW_PAUSED, {"window": w.id, "reason": reason})]

    def resume(self, now: float, window: str) -> list[Draft]:
        w = self._window(window)
        rec = self.state.window(w.id)
        if rec.state is not WindowState.PAUSED:
            raise IllegalTransition(f"{w.name} 未暂停，不能恢复", window=w.id)
        return [Draft(ev.WINDOW_RESUMED, {"window": w.id})]

    def close_window(self, now: float, window: str) -> list[Draft]:
        w = self._window(window)
        rec = self.state.window(w.id)
        if rec.state is WindowState.CLOSED:
            raise IllegalTransition(f"{w.name} 已关闭", window=w.id)
        if rec.ticket is not None:
            t = self.state.tickets[rec.ticket]
            raise IllegalTransition(
                f"{w.name} 还有 {t.number}（{STATE_LABEL[t.state]}），请先办结、过号或转移", window=w.id
            )
        return [Draft(ev.WINDOW_CLOSED, {"window": w.id})]

    # -- what the operators send to the screens (checked by hall.operators.rules before)

    def broadcast(self, now: float, text: str, until: float, by: str, text_en: str = "") -> list[Draft]:
        """An urgent text every screen shows until `until` (an empty text ends the one shown);
        `text_en` its English for English screens (empty: they show the Chinese)."""
        return [Draft(ev.HALL_BROADCAST, {"text": text, "text_en": text_en, "until": until, "by": by})]

    def board_changed(self, now: float, what: str, by: str) -> list[Draft]:
        """The board's settings or announcements changed: the screens read them again."""
        return [Draft(ev.BOARD_CHANGED, {"what": what, "by": by})]

    # -- views

    def people_ahead(self, t: TicketRec, now: float) -> int:
        """Waiting tickets of the same queue that its windows would call before this one."""
        if t.state is not TicketState.WAITING:
            return 0
        policy = self.setup.policy
        if (t.target_window is None and self.state.is_last_in_line(t)
                and effective_priority(t, now, policy) is Priority.NORMAL):
            # the newest normal ticket (the one just issued): everyone waiting in line is ahead
            directed = sum(1 for x in self.state.directed() if x.queue == t.queue)
            return self.state.count_waiting_in(t.queue) - 1 - directed

        def key(x: TicketRec) -> tuple:
            return (PRIORITY_RANK[effective_priority(x, now, policy)], x.order_at, number_key(x.number))

        mine = key(t)
        return sum(
            1
            for x in self.state.waiting_in(t.queue)
            if x.id != t.id and x.target_window == t.target_window and key(x) < mine
        )

    def estimated_wait_minutes(self, t: TicketRec, now: float, ahead: int | None = None) -> int:
        if t.state is not TicketState.WAITING:
            return 0
        if ahead is None:
            ahead = self.people_ahead(t, now)
        mean = self.state.stats.mean_service_seconds(t.queue)
        if mean is None:
            mean = self.queues[t.queue].service_minutes * 60 if t.queue in self.queues else 480
        windows = sum(
            1
            for w in self.setup.windows
            if t.queue in w.queues and self.state.window(w.id).state is WindowState.OPEN
        )
        return math.ceil((ahead + 0.5) * mean / max(1, windows) / 60)

    def ticket_view(self, t: TicketRec, now: float) -> dict[str, Any]:
        q = self.queues.get(t.queue)
        w = self.windows.get(t.window) if t.window else None
        ahead = self.people_ahead(t, now)
        return {
            "id": t.id,
            "number": t.number,
            "queue": t.queue,
            "queue_name": q.name if q else t.queue,
            "priority": t.priority.value,
            "state": t.state.value,
            "state_label": STATE_LABEL[t.state],
            "issued_at": ev.iso_utc(t.issued_at),
            "day": self.state.day,
            "window": t.window,
            "window_number": w.number if w else None,
            "window_name": w.name if w else None,
            "target_window": t.target_window,
            "recalls": t.recalls,
            "people_ahead": ahead,
            "estimated_wait_minutes": self.estimated_wait_minutes(t, now, ahead),
            "id_masked": t.id_masked,
            "appointment": t.appointment,
        }

    # -- helpers

    def _called(self, w: WindowDef, rec: WindowRec, choice: Choice) -> Draft:
        return Draft(
            ev.TICKET_CALLED,
            {
                "ticket": choice.ticket.id,
                "number": choice.ticket.number,
                "window": w.id,
                "window_number": w.number,
                "staff": rec.staff,
                "class": choice.klass,
                "ratio_normal": w.ratio_normal,
                "ratio_priority": w.ratio_priority,
                "reason": choice.reason(),
            },
        )

    def _queue(self, queue: str) -> QueueDef:
        q = self.queues.get(queue)
        if q is None:
            raise NotFound(f"没有业务队列 {queue!r}（可选：{', '.join(self.queues)}）", queue=queue)
        return q

    def _window(self, window: str) -> WindowDef:
        w = self.windows.get(window)
        if w is None:
            raise NotFound(f"没有窗口 {window!r}", window=window)
        return w

    def _ticket(self, ticket: str) -> TicketRec:
        t = self.state.tickets.get(ticket)
        if t is None:
            raise NotFound(f"今天没有票 {ticket!r}", ticket=ticket)
        return t

    def _window_ready(self, window: str) -> tuple[WindowDef, WindowRec]:
        w = self._window(window)
        rec = self.state.window(w.id)
        if rec.state is not WindowState.OPEN:
            raise IllegalTransition(f"{w.name} {WINDOW_LABEL[rec.state]}中，不能叫号", window=w.id)
        if rec.ticket is not None:
            t = self.state.tickets[rec.ticket]
            raise IllegalTransition(
                f"{w.name} 还有 {t.number}（{STATE_LABEL[t.state]}），请先办结、过号或转移",
                window=w.id, ticket=t.id,
            )
        return w, rec

    def _current(self, w: WindowDef, needed: TicketState | None, action: str) -> TicketRec:
        rec = self.state.window(w.id)
        if rec.ticket is None:
            raise IllegalTransition(f"{w.name} 当前没有票，不能{action}", window=w.id)
        t = self.state.tickets[rec.ticket]
        if needed is not None and t.state is not needed:
            raise IllegalTransition(
                f"{t.number} {STATE_LABEL[t.state]}，不能{action}", ticket=t.id, state=t.state.value
            )
        return t

    def _staff(self, w: WindowDef) -> str | None:
        return self.state.window(w.id).staff
