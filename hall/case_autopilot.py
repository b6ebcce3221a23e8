"""The demo's case (办件) traffic: windows open a case for many services, accept most, send some
to 补正 and refuse a few; a back office moves accepted cases through their steps to 办结 and
出件, and leaves some to run late so the lights show yellow and, on later days, red.

`CasePlayer` decides without I/O, from the hall's snapshot and what each action returned;
`CasePilot` carries its actions out through a `HallClient` beside the queue's autopilot.
Applicants are organisations with a valid unified social credit code, or people with a made-up
ID number that passes its check (no real person's): the hall keeps only its hash and mask.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from typing import Any

from ground.privacy import id_check_digit
from hall.cases.codes import CREDIT_CHARS, credit_check_char
from hall.client import HallClient, HallError, HallUnavailable
from hall.config import HallConfig

log = logging.getLogger(__name__)

CASE_SHARE = 0.6  # services with a matter that open a case
REFUSE_RATE = 0.06
INCOMPLETE_RATE = 0.15  # a material missing: 补正
LATE_RATE = 0.25  # accepted cases the back office leaves alone (they run late)
PAUSING_STEP_RATE = 0.15  # a 鉴定 that stops the clock
ORGS = ("金乡县宏达商贸有限公司", "济宁市惠民餐饮店", "金乡县蒜都物流有限公司", "山东鲁西建材有限公司")
PROVIDED = ("original", "copy", "licence", "image")


@dataclass
class _Case:
    number: str
    stage: str  # what is due next: accept | correction | refusal | supply | step | finish_step | conclude
    due: float
    window: str | None = None
    late: bool = False
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CaseAction:
    op: str  # a HallClient method
    kwargs: dict[str, Any]
    case: str | None = None


class CasePlayer:
    def __init__(self, config: HallConfig, pace: float = 1.0, rng: random.Random | None = None) -> None:
        self.pace, self.rng = pace, rng or random.Random()
        self.area = config.hall.area_code
        self.matters: dict[str, list[Any]] = {}
        for m in config.matters:
            self.matters.setdefault(m.queue, []).append(m)
        self.seen: set[str] = set()  # tickets already considered
        self.cases: dict[str, _Case] = {}
        self.pending: dict[str, tuple[str, list[str]]] = {}  # idempotency key -> (window, missing)
        self.counts: dict[str, int] = {}

    def _later(self, now: float, low: float, high: float) -> float:
        return now + self.rng.uniform(low, high) / self.pace

    def applicant(self) -> dict[str, str]:
        if self.rng.random() < 0.4:
            body = "91" + self.area + "".join(self.rng.choice(CREDIT_CHARS[:10]) for _ in range(9))
            return {"credit_code": body + credit_check_char(body), "org_name": self.rng.choice(ORGS)}
        born = f"{self.rng.randint(1950, 2004)}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}"
        body = self.area + born + f"{self.rng.randint(0, 999):03d}"
        return {"id_number": body + id_check_digit(body), "name": self.rng.choice("张王李赵刘陈杨") + "某某"}

    def decide(self, snapshot: dict[str, Any], now: float) -> list[CaseAction]:
        actions = []
        for w in snapshot.get("windows") or []:
            t = w.get("ticket")
            if not t or t.get("state") != "serving" or t["id"] in self.seen:
                continue
            self.seen.add(t["id"])
            matters = [m for m in self.matters.get(t.get("queue"), []) if m.materials]
            if matters and self.rng.random() < CASE_SHARE:
                actions.append(self._open(w["id"], self.rng.choice(matters)))
        if len(self.seen) > 2000:
            self.seen = set(list(self.seen)[-500:])
        for c in list(self.cases.values()):
            if now >= c.due:
                actions.extend(self._next(c, now))
        return actions

    def _open(self, window: str, matter: Any) -> CaseAction:
        names = [x.name for x in matter.materials if x.required]
        missing = [self.rng.choice(names)] if names and self.rng.random() < INCOMPLETE_RATE else []
        materials = {n: ("missing" if n in missing else self.rng.choice(PROVIDED)) for n in names}
        key = f"case-{self.rng.getrandbits(64):016x}"
        self.pending[key] = (window, missing)
        body = {"matter": matter.code, "applicant": self.applicant(), "window": window, "materials": materials,
                "phone": f"13{self.rng.randint(100000000, 999999999)}"}
        return CaseAction("create_case", {"body": body, "idempotency_key": key})

    def _next(self, c: _Case, now: float) -> list[CaseAction]:
        c.due = self._later(now, 4, 10)  # tried again then, if this one fails
        body: dict[str, Any] | None = None
        if c.stage == "accept":
            action, body = "accept", {"window": c.window}
        elif c.stage == "correction":
            action, body = "correction", {"window": c.window, "deadline_days": 5}
        elif c.stage == "refusal":
            action, body = "refusal", {"window": c.window, "reason": "申请事项不属于本机关职权范围",
                                       "redirect": "县自然资源局"}
        elif c.stage == "supply":
            action, body = "materials", {"materials": {n: "original" for n in c.missing}}
        elif c.stage == "step":
            pausing = self.rng.random() < PAUSING_STEP_RATE
            action, body = "steps", {"step": "鉴定" if pausing else "审查", "limit_days": None if pausing else 1}
        elif c.stage == "finish_step":
            action = "steps/finish"
        elif c.stage == "conclude":
            action, body = "conclusion", {"approved": self.rng.random() < 0.92}
        elif c.stage == "deliver":
            post = self.rng.random() < 0.3
            action, body = "delivery", ({"method": "post", "address": "山东省济宁市金乡县金城路 1 号",
                                         "tracking": f"EMS{self.rng.randint(10**9, 10**10 - 1)}"}
                                        if post else {"method": "pickup", "proof": "notice_qr"})
        else:
            action = "close"
        return [CaseAction("case_action", {"number": c.number, "action": action, "body": body}, c.number)]

    def settle(self, action: CaseAction, outcome: dict[str, Any] | HallError, now: float) -> None:
        if isinstance(outcome, HallError):
            self.counts["refused"] = self.counts.get("refused", 0) + 1
            if action.op == "create_case":
                self.pending.pop(action.kwargs["idempotency_key"], None)
            elif action.case and outcome.status in (404, 409):
                self.cases.pop(action.case, None)  # moved on elsewhere (the platform, staff): let it be
            return
        case = outcome.get("case") or {}
        state = case.get("state")
        self.counts[state or action.op] = self.counts.get(state or action.op, 0) + 1
        if action.op == "create_case":
            window, missing = self.pending.pop(action.kwargs["idempotency_key"], (None, []))
            roll = self.rng.random()
            stage = "correction" if missing else "refusal" if roll < REFUSE_RATE else "accept"
            self.cases[case["number"]] = _Case(case["number"], stage, self._later(now, 1, 3), window,
                                               missing=missing)
            return
        c = self.cases.get(action.case or "")
        done = action.kwargs.get("action")
        if c is None:
            return
        if done not in _NEXT or (done == "accept" and self.rng.random() < LATE_RATE):
            self.cases.pop(c.number, None)  # refused, closed, or left to run late
            return
        c.stage, low, high = _NEXT[done]
        c.due = self._later(now, low, high)


# what the back office does after each action, and how many seconds later (at pace 1)
_NEXT = {"accept": ("step", 10, 30), "correction": ("supply", 20, 40), "materials": ("accept", 1, 3),
         "steps": ("finish_step", 15, 45), "steps/finish": ("conclude", 5, 20),
         "conclusion": ("deliver", 5, 20), "delivery": ("close", 10, 30)}


class CasePilot:
    """Carries the case player's actions out beside the queue's autopilot; never stops for an error."""

    def __init__(self, config: HallConfig, client: HallClient, pace: float = 1.0,
                 rng: random.Random | None = None) -> None:
        self.client = client
        self.player = CasePlayer(config, pace, rng)

    def step(self, snapshot: dict[str, Any], now: float) -> None:
        for action in self.player.decide(snapshot, now):
            try:
                result = getattr(self.client, action.op)(**action.kwargs)
            except HallUnavailable:
                return
            except HallError as exc:
                log.debug("autopilot: case %s refused: %s", action.case or "new", exc)
                self.player.settle(action, exc, now)
                continue
            self.player.settle(action, result, now)
