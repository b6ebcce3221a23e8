"""The autopilot: simulated citizens and window staff that keep a demo hall alive.

`HallPlayer` decides, without any I/O: given the hall's snapshot and the time, it returns the
actions due (open a window, issue a ticket, call, start, finish, ...), and learns from what
each action returned. `Autopilot` fetches snapshots, carries the actions out through a
`HallClient` and never stops for an error: a refused action is noted, an unreachable server
is waited for.

Times are compressed so that a demo moves: a service of N minutes takes about
N * SECONDS_PER_SERVICE_MINUTE seconds at pace 1, and `pace` makes everything faster still.
"""
from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hall.case_autopilot import CasePilot
from hall.client import HallClient, HallError, HallUnavailable
from hall.config import HallConfig
from hall.followup_autopilot import FollowupPilot

log = logging.getLogger(__name__)

SECONDS_PER_SERVICE_MINUTE = 2.2
ARRIVAL_SECONDS = 3.0  # mean gap between two citizens in a hall of REFERENCE_WINDOWS at pace 1
REFERENCE_WINDOWS = 14
CLOSED_SHARE = 0.12  # windows left closed at the start
BUSY_WORDS = ("综合", "社保")  # 综合受理 and 社保 draw more people than their windows' share
BUSY_WEIGHT = 2.2
MATTER_SHARE = 0.3  # citizens who pick their matter on the kiosk rather than a queue
PRIORITY_MIX = (("elderly", 0.04), ("green", 0.015), ("agent", 0.02), ("appointment", 0.025))
NO_SHOW_RATE = 0.05
TRANSFER_RATE = 0.03
CANCEL_RATE = 0.02
PAUSE_EVERY = 120.0  # seconds between two pauses somewhere in the hall, at pace 1
SUMMARY_EVERY = 60.0  # seconds of wall time between two log lines of counts


@dataclass(frozen=True)
class Action:
    """One call of a `HallClient` method: `op` is its name, `kwargs` its arguments."""

    op: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def window(self) -> str | None:
        return self.kwargs.get("window")


@dataclass
class _WindowPlan:
    key: tuple[str, str] | None = None  # (ticket, state) this plan was made for
    step: str = "call_next"  # what is due: call_next | start | recall | finish | transfer
    due: float = 0.0
    matter: str | None = None
    resume_at: float | None = None  # when a paused window is resumed


class HallPlayer:
    """Decides what the hall's citizens and staff do next. Pure: no I/O, no clock of its own."""

    def __init__(self, config: HallConfig, pace: float = 1.0, rng: random.Random | None = None) -> None:
        if pace <= 0:
            raise ValueError("pace must be above 0")
        self.config = config
        self.pace = pace
        self.rng = rng or random.Random()
        self.tz = ZoneInfo(config.hall.timezone)
        self.recall_limit = config.policy.no_show_after_recalls
        self.service_minutes = {q.id: q.service_minutes for q in config.queues}
        self.staff_of: dict[str, str] = {}
        for s in sorted(config.staff, key=lambda s: s.role != "staff"):
            for w in s.windows:
                self.staff_of.setdefault(w, s.id)
        self.matters: dict[str, list[str]] = {}
        for m in config.matters:
            self.matters.setdefault(m.queue, []).append(m.code)
        self.queue_ids, self.queue_weights = self._weights()
        self.arrival_gap = ARRIVAL_SECONDS * REFERENCE_WINDOWS / len(config.windows)
        self.managed: set[str] = set()
        self.opened: set[str] = set()  # windows opened (or found open) once: not reopened after
        self.plans: dict[str, _WindowPlan] = {}
        self.waiting: deque[str] = deque(maxlen=200)  # tickets issued, not yet seen at a window
        self.ticket_matter: dict[str, str] = {}
        self.next_arrival: float | None = None
        self.next_pause = 0.0
        self.counts: Counter[str] = Counter()

    # -- set-up

    def _weights(self) -> tuple[list[str], list[float]]:
        """Arrivals per queue in proportion to what its windows can serve, busier where people crowd."""
        ids, weights = [], []
        for q in self.config.queues:
            share = sum(1 / len(w.queues) for w in self.config.windows if q.id in w.queues)
            if share == 0:
                continue
            weight = share / q.service_minutes
            if any(word in q.name for word in BUSY_WORDS):
                weight *= BUSY_WEIGHT
            ids.append(q.id)
            weights.append(weight)
        return ids, weights

    def _choose_managed(self, window_ids: list[str]) -> set[str]:
        """Most windows; the ones left closed never leave a queue without a window."""
        serves = {w.id: set(w.queues) for w in self.config.windows}
        managed = set(window_ids)
        for wid in self.rng.sample(window_ids, len(window_ids)):
            if len(window_ids) - len(managed) >= math.floor(len(window_ids) * CLOSED_SHARE):
                break
            rest = managed - {wid}
            if all(any(q in serves.get(o, ()) for o in rest) for q in serves.get(wid, ())):
                managed = rest
        return managed

    # -- durations, scaled by pace

    def _seconds(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high) / self.pace

    def _service_seconds(self, queue: str) -> float:
        mean = self.service_minutes.get(queue, 8.0) * SECONDS_PER_SERVICE_MINUTE
        drawn = self.rng.lognormvariate(math.log(mean) - 0.08, 0.4)
        return min(3 * mean, max(0.3 * mean, drawn)) / self.pace

    # -- deciding

    def next_due(self, now: float) -> float:
        """The next moment after `now` something is planned (an arrival, a window's next step)."""
        times = [p.due for p in self.plans.values()]
        times += [p.resume_at for p in self.plans.values() if p.resume_at is not None]
        times += [self.next_arrival or now, self.next_pause]
        return min((t for t in times if t > now), default=now + 1.0)

    def decide(self, snapshot: dict[str, Any], now: float) -> list[Action]:
        windows = snapshot.get("windows") or []
        if self.next_arrival is None:
            self.managed = self._choose_managed([w["id"] for w in windows])
            self.next_arrival = now + self._seconds(0.2, 1.0)
            self.next_pause = now + self.rng.expovariate(self.pace / PAUSE_EVERY)
        actions: list[Action] = []
        for w in windows:
            if w["id"] in self.managed:
                actions.extend(self._window(w, now))
        for w in windows:
            if w.get("ticket"):
                self._forget_waiting(w["ticket"]["id"])
        actions.extend(self._arrivals(now))
        actions.extend(self._maybe_pause(windows, now))
        return actions

    def _window(self, w: dict[str, Any], now: float) -> list[Action]:
        wid, state, ticket = w["id"], w["state"], w.get("ticket")
        plan = self.plans.setdefault(wid, _WindowPlan(due=now))
        if state == "closed":
            if wid in self.opened:
                return []  # closed by someone else after we opened it: theirs now
            plan.due = now + 2.0 / self.pace
            return [Action("open_window", {"window": wid, "staff": self.staff_of.get(wid)})]
        self.opened.add(wid)
        if state == "paused":
            if plan.resume_at is None:
                plan.resume_at = now + self._seconds(15, 40)
            if now < plan.resume_at:
                return []
            plan.resume_at = now + 2.0 / self.pace  # tried again if this resume fails
            return [Action("resume", {"window": wid})]
        plan.resume_at = None
        if ticket is None:
            if plan.key is not None:  # a service just ended: a little wrap-up first
                plan.key, plan.step = None, "call_next"
                plan.due = now + self._seconds(0.5, 2.5)
            plan.step = "call_next"
            if now < plan.due:
                return []
            plan.due = now + self._seconds(1.0, 2.0)
            return [Action("call_next", {"window": wid})]
        key = (ticket["id"], ticket["state"])
        if plan.key != key:
            self._plan(plan, key, ticket, now)
        if now < plan.due:
            return []
        return self._window_step(plan, wid, ticket, now)

    def _plan(self, plan: _WindowPlan, key: tuple[str, str], ticket: dict[str, Any], now: float) -> None:
        plan.key = key
        if ticket["state"] == "serving":
            plan.due = now + self._service_seconds(ticket["queue"])
            others = [q for q in self.queue_ids if q != ticket["queue"]]
            if others and self.rng.random() < TRANSFER_RATE:
                plan.step = "transfer"
            else:
                plan.step = "finish"
                known = self.ticket_matter.pop(ticket["id"], None)
                codes = self.matters.get(ticket["queue"], [])
                plan.matter = known or (self.rng.choice(codes) if codes and self.rng.random() < 0.7 else None)
        else:  # called: the citizen walks up, or does not come
            shows = self.rng.random() >= NO_SHOW_RATE
            plan.step = "start" if shows else "recall"
            plan.due = now + (self._seconds(2, 6) if shows else self._seconds(4, 7))

    def _window_step(self, plan: _WindowPlan, wid: str, ticket: dict[str, Any], now: float) -> list[Action]:
        step = plan.step
        plan.due = now + 2.0 / self.pace  # the next try, if this one fails
        if step == "start":
            return [Action("start", {"window": wid})]
        if step == "recall":
            plan.due = now + self._seconds(4, 7)
            if ticket.get("recalls", 0) >= self.recall_limit:
                return [Action("no_show", {"window": wid})]
            return [Action("recall", {"window": wid})]
        if step == "transfer":
            others = [q for q in self.queue_ids if q != ticket["queue"]]
            to = self.rng.choice(others)
            return [Action("transfer", {"id": ticket["id"], "to_queue": to, "keep_place": True,
                                        "by_window": wid})]
        if step == "finish":
            return [Action("finish", {"window": wid, "matter": plan.matter})]
        return []

    def _arrivals(self, now: float) -> list[Action]:
        assert self.next_arrival is not None
        if now - self.next_arrival > 10 * self.arrival_gap / self.pace:
            self.next_arrival = now  # after a long outage: no crowd bursting in at once
        actions: list[Action] = []
        while self.next_arrival <= now and len(actions) < 4:
            actions.append(self._citizen(now))
            if self.waiting and self.rng.random() < CANCEL_RATE:
                gone = self.waiting[self.rng.randrange(len(self.waiting))]
                self._forget_waiting(gone)
                actions.append(Action("cancel", {"id": gone, "reason": "群众离开"}))
            self.next_arrival += self.rng.expovariate(self.pace / self.arrival_gap)
        return actions

    def _citizen(self, now: float) -> Action:
        queue = self.rng.choices(self.queue_ids, self.queue_weights)[0]
        priority, roll = "normal", self.rng.random()
        for name, share in PRIORITY_MIX:
            if roll < share:
                priority = name
                break
            roll -= share
        kwargs: dict[str, Any] = {"priority": priority, "channel": "dispenser"}
        codes = self.matters.get(queue, [])
        if codes and self.rng.random() < MATTER_SHARE:
            kwargs.update(matter=self.rng.choice(codes), channel="kiosk")
        else:
            kwargs["queue"] = queue
        if priority == "appointment":
            start = now + self.rng.uniform(-600, 300)
            kwargs.update(channel="appointment",
                          slot_start=datetime.fromtimestamp(start, self.tz),
                          slot_end=datetime.fromtimestamp(start + 1800, self.tz))
        return Action("issue", kwargs)

    def _maybe_pause(self, windows: list[dict[str, Any]], now: float) -> list[Action]:
        if now < self.next_pause:
            return []
        self.next_pause = now + self.rng.expovariate(self.pace / PAUSE_EVERY)
        idle = [w["id"] for w in windows
                if w["id"] in self.managed and w["state"] == "open" and not w.get("ticket")]
        if not idle:
            return []
        return [Action("pause", {"window": self.rng.choice(sorted(idle)), "reason": "暂时离开"})]

    def _forget_waiting(self, ticket: str) -> None:
        try:
            self.waiting.remove(ticket)
        except ValueError:
            pass

    # -- learning from outcomes

    def settle(self, action: Action, outcome: dict[str, Any] | HallError, now: float) -> None:
        """What an action returned: the server's answer, or the HallError it raised."""
        if isinstance(outcome, HallError):
            if action.op == "call_next" and outcome.code == "nothing_to_call":
                plan = self.plans.get(action.window or "")
                if plan is not None:
                    plan.due = now + self._seconds(1.5, 3.0)
                return
            self.counts["refused"] += 1
            if action.op == "open_window" and not isinstance(outcome, HallUnavailable):
                self.opened.add(action.window or "")  # open already, or not ours to open
            return
        self.counts[action.op] += 1
        if action.op == "open_window":
            self.opened.add(action.window or "")
        elif action.op == "issue":
            ticket = outcome.ticket.id  # a hall.wire.IssueAnswer
            if ticket:
                self.waiting.append(ticket)
                if action.kwargs.get("matter"):
                    self.ticket_matter[ticket] = action.kwargs["matter"]
                    if len(self.ticket_matter) > 500:
                        self.ticket_matter.pop(next(iter(self.ticket_matter)))


class Autopilot:
    """Plays a hall's citizens and staff against a running hall server until told to stop."""

    def __init__(self, base_url: str, config: HallConfig, pace: float = 1.0, seed: int | None = None,
                 operator_token: str | None = None, *, login: tuple[str, str] | None = None,
                 client: HallClient | None = None, clock: Callable[[], float] = time.time,
                 staff_password: str | None = None) -> None:
        if operator_token is None and login is None and client is None:
            operator_token = next((d.token for d in config.devices if d.role == "operator"), None)
            if operator_token is None:
                raise ValueError("the autopilot needs an operator device token or a supervisor login")
        self.client = client or HallClient(base_url, operator_token)
        self.login = login
        self.clock = clock
        self.player = HallPlayer(config, pace, random.Random(seed))
        # 办件 beside the queue, through a client that has the case API (a queue-only client plays none)
        self.cases = CasePilot(config, self.client, pace, random.Random(seed)) \
            if hasattr(self.client, "create_case") else None
        # 好差评 after services, and the staff working the 差评 (they log in: the demo's password)
        self.feedback = FollowupPilot(config, self.client, staff_password, pace, random.Random(seed)) \
            if staff_password and hasattr(self.client, "followups") else None
        self.down_since: float | None = None
        self.last_summary = clock()

    def step(self) -> float:
        """One round: snapshot, decide, act. Returns the seconds to wait before the next round."""
        now = self.clock()
        try:
            if self.login is not None and self.client.token is None:
                self.client.login(*self.login)
            snapshot = self.client.snapshot()
        except HallUnavailable as exc:
            return self._unavailable(exc, now)
        except HallError as exc:
            log.warning("autopilot: cannot read the hall: %s", exc)
            if exc.status == 401 and self.login is not None:
                self.client.token = None
            return 5.0
        if self.down_since is not None:
            log.info("autopilot: hall server answers again after %.0f s", now - self.down_since)
            self.down_since = None
        for action in self.player.decide(snapshot, now):
            try:
                result = getattr(self.client, action.op)(**action.kwargs)
            except HallUnavailable as exc:
                return self._unavailable(exc, now)
            except HallError as exc:
                log.debug("autopilot: %s %s refused: %s", action.op, action.kwargs, exc)
                self.player.settle(action, exc, now)
                if exc.status == 401 and self.login is not None:
                    self.client.token = None
                continue
            self.player.settle(action, result, now)
            if action.op == "finish" and self.feedback is not None:
                self.feedback.finished(result, now)
        if self.cases is not None:
            self.cases.step(snapshot, now)
        if self.feedback is not None:
            self.feedback.step(now)
        if now - self.last_summary >= SUMMARY_EVERY:
            self.last_summary = now
            self._summary(snapshot)
        now = self.clock()
        return min(1.0, max(0.2, self.player.next_due(now) - now))

    def run(self, stop: threading.Event) -> None:
        log.info("autopilot playing the hall at pace %g", self.player.pace)
        while not stop.is_set():
            try:
                delay = self.step()
            except Exception:  # a demo must not die of a surprise: note it and go on
                log.exception("autopilot: step failed")
                delay = 2.0
            stop.wait(delay)
        if self.feedback is not None:
            self.feedback.close()
        log.info("autopilot stopped: %s", dict(self.player.counts))

    def _unavailable(self, exc: HallError, now: float) -> float:
        if self.down_since is None:
            self.down_since = now
            log.warning("autopilot: %s; waiting for it", exc.message)
        return 1.0

    def _summary(self, snapshot: dict[str, Any]) -> None:
        waiting = sum(q.get("waiting", 0) for q in snapshot.get("queues", []))
        serving = sum(1 for w in snapshot.get("windows", []) if w.get("ticket"))
        c = self.player.counts
        log.info("autopilot: %d issued, %d called, %d finished, %d no-shows, %d transfers, "
                 "%d cancelled; now %d waiting, %d windows busy",
                 c["issue"], c["call_next"], c["finish"], c["no_show"], c["transfer"],
                 c["cancel"], waiting, serving)
