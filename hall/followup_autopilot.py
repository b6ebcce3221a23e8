"""The demo's 好差评 and its follow-ups: some citizens rate their visit on their phone after the
service (the ticket's QR), a few of them 不满意 or 非常不满意 with a reason; the staff who answer for
each 差评 (谁办理、谁负责: the window's lead, else who served; a supervisor for appeals) call the
citizen back and fix, rectify by a deadline, explain or appeal, feed the result back and close it.
Some 差评 are left as they are, so the ledger's lights have something to show.

`FollowupPlayer` decides without I/O, from the ledger's listing and the time; `FollowupPilot`
carries its actions out through `HallClient`s logged in as those staff (in the demo, whose
staff share its published password).
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any

from hall.client import HallClient, HallError, HallUnavailable
from hall.config import HallConfig

log = logging.getLogger(__name__)

RATE_SHARE = 0.35  # citizens who rate on their phone after the service
BAD_SHARE = 0.15  # of those: 不满意 (2) or 非常不满意 (1)
LEAVE_SHARE = 0.3  # 差评 nobody works on for now: their lights go yellow, then red
OUTCOME_MIX = (("fix_now", 0.45), ("rectify", 0.25), ("explain", 0.2), ("appeal", 0.1))
LIST_EVERY = 5.0  # seconds between two reads of the ledger, at pace 1
TEXTS = ("等了很久才叫到号", "窗口说明不清楚，多跑了一趟", "")
NOTES = {
    "fix_now": "已电话回访核实，当场调整叫号安排",
    "rectify": "已电话回访核实，纳入整改台账",
    "explain": "已电话回访，按规定作出解释说明",
    "appeal": "评价与办理情况不符，提出申诉",
}


@dataclass(frozen=True)
class FollowupAction:
    op: str  # "rate" or "followup" (HallClient methods)
    kwargs: dict[str, Any]
    as_staff: str | None = None  # the staff id whose login carries it out; None: the pilot's own client


class FollowupPlayer:
    """Decides the citizens' ratings and the staff's follow-up work. Pure: no I/O, no clock."""

    def __init__(self, config: HallConfig, pace: float = 1.0, rng: random.Random | None = None) -> None:
        self.pace, self.rng = pace, rng or random.Random()
        self.reasons = list(config.evaluation.bad_reasons)
        self.supervisors = [s.id for s in config.staff if s.role == "supervisor"]
        self.to_rate: list[tuple[float, str]] = []  # (when, ticket)
        self.due: dict[str, float] = {}  # follow-up id -> when its next step is due
        self.left: set[str] = set()  # follow-ups nobody works on
        self.counts: dict[str, int] = {}

    def _later(self, now: float, low: float, high: float) -> float:
        return now + self.rng.uniform(low, high) / self.pace

    def finished(self, ticket: str | None, now: float) -> None:
        """A service ended: the citizen may rate it in a little while."""
        if ticket and self.rng.random() < RATE_SHARE:
            self.to_rate.append((self._later(now, 3, 15), ticket))

    def ratings(self, now: float) -> list[FollowupAction]:
        due = [t for when, t in self.to_rate if when <= now]
        self.to_rate = [(when, t) for when, t in self.to_rate if when > now]
        return [self._rating(t) for t in due]

    def _rating(self, ticket: str) -> FollowupAction:
        if self.rng.random() < BAD_SHARE:
            level = self.rng.choice((1, 2, 2))
            reasons = [self.rng.choice(self.reasons)]
            text = self.rng.choice(TEXTS)
        else:
            level, reasons, text = self.rng.choices((5, 4, 3), (70, 25, 5))[0], [], ""
        return FollowupAction("rate", {"id": ticket, "level": level, "reasons": reasons, "text": text,
                                       "channel": "qr"})

    def work(self, followups: list[dict[str, Any]], now: float) -> list[FollowupAction]:
        """The follow-up steps due now, each by the staff who answer for it."""
        actions = []
        for f in followups:
            ident, state = f["id"], f["state"]
            if ident in self.left or state in ("closed", "excluded"):
                continue
            if ident not in self.due:
                if state == "verify" and self.rng.random() < LEAVE_SHARE:
                    self.left.add(ident)
                    continue
                self.due[ident] = self._later(now, 15, 45)
            if now < self.due[ident]:
                continue
            self.due[ident] = self._later(now, 20, 60)  # the next step, or this one again if it fails
            action = self._step(f)
            if action is not None:
                actions.append(action)
        return actions

    def _step(self, f: dict[str, Any]) -> FollowupAction | None:
        who = f.get("lead") or f.get("staff")
        state, ident = f["state"], f["id"]
        if state == "verify":
            outcome = self.rng.choices([o for o, _ in OUTCOME_MIX], [w for _, w in OUTCOME_MIX])[0]
            body = {"outcome": outcome, "note": NOTES[outcome]}
            return FollowupAction("followup", {"id": ident, "command": "verify", "body": body}, who)
        if state == "rectifying":
            if self.rng.random() < 0.5:
                return None  # the fix takes a while
            return FollowupAction("followup", {"id": ident, "command": "rectified",
                                               "body": {"note": "整改完成"}}, who)
        if state == "appealed":
            if not self.supervisors:
                return None
            body = {"upheld": self.rng.random() < 0.5, "note": "核查办理记录后决定"}
            return FollowupAction("followup", {"id": ident, "command": "appeal-decision", "body": body},
                                  self.supervisors[0])
        if state in ("fixed", "explained"):
            how = self.rng.choice(("phone", "phone", "sms", "visit"))
            body = {"how": how, "note": "已将处理结果反馈评价人"}
            return FollowupAction("followup", {"id": ident, "command": "feedback", "body": body}, who)
        if state == "fed_back":
            return FollowupAction("followup", {"id": ident, "command": "close"}, who)
        return None

    def settle(self, action: FollowupAction, outcome: dict[str, Any] | HallError) -> None:
        key = action.kwargs.get("command") or action.op
        if isinstance(outcome, HallError):
            self.counts["refused"] = self.counts.get("refused", 0) + 1
            if action.op == "followup" and outcome.status in (403, 404):
                self.left.add(action.kwargs["id"])  # not ours to work: let it be
            return
        self.counts[key] = self.counts.get(key, 0) + 1


class FollowupPilot:
    """Carries the player's actions out: ratings through the autopilot's client, follow-up work
    through each answering staff member's own login, the ledger read by a supervisor."""

    def __init__(self, config: HallConfig, client: HallClient, password: str, pace: float = 1.0,
                 rng: random.Random | None = None) -> None:
        self.client, self.password = client, password
        self.player = FollowupPlayer(config, pace, rng)
        self.usernames = {s.id: s.username for s in config.staff if s.username}
        self.logins: dict[str, HallClient] = {}
        self.next_list = 0.0
        self.list_every = LIST_EVERY / pace

    def finished(self, outcome: Any, now: float) -> None:
        ticket = outcome.get("ticket") if isinstance(outcome, dict) else None
        self.player.finished(ticket.get("id") if isinstance(ticket, dict) else None, now)

    def step(self, now: float) -> None:
        actions = self.player.ratings(now)
        if now >= self.next_list and self.player.supervisors:
            self.next_list = now + self.list_every
            try:
                listing = self._as(self.player.supervisors[0]).followups(limit=2000)["followups"]
            except HallUnavailable:
                return
            except HallError as exc:
                log.debug("autopilot: the ledger cannot be read: %s", exc)
                self._forget_login(self.player.supervisors[0], exc)
                listing = []
            actions += self.player.work(listing, now)
        for action in actions:
            try:
                client = self.client if action.as_staff is None else self._as(action.as_staff)
                result = getattr(client, action.op)(**action.kwargs)
            except HallUnavailable:
                return
            except HallError as exc:
                log.debug("autopilot: %s %s refused: %s", action.op, action.kwargs.get("command", ""), exc)
                if action.as_staff is not None:
                    self._forget_login(action.as_staff, exc)
                self.player.settle(action, exc)
                continue
            self.player.settle(action, result)

    def _as(self, staff: str) -> HallClient:
        """A client logged in as `staff` (once; again when its session has ended)."""
        client = self.logins.get(staff)
        if client is None:
            client = HallClient(self.client.base_url, None, timeout=self.client.timeout)
            self.logins[staff] = client
        if client.token is None:
            username = self.usernames.get(staff)
            if username is None:
                raise HallError(403, "forbidden", f"staff {staff} has no login")
            client.login(username, self.password)
        return client

    def _forget_login(self, staff: str, exc: HallError) -> None:
        """A session that ended (401) is logged in again next time."""
        if exc.status == 401 and staff in self.logins:
            self.logins[staff].token = None

    def close(self) -> None:
        for client in self.logins.values():
            client.close()
