"""Which ticket a window calls next, and why.

The order of rules, each explained in the call's reason:
1. a ticket transferred to this very window;
2. aging: a ticket that has waited longer than the hall's limit (oldest first), so nobody starves;
3. the window's ratio of normal to priority calls (e.g. 2 normal : 1 priority) when both wait;
   otherwise whichever class has tickets.
Within a class: priority rank (green channel, elderly and disabled, appointment, agent), then the
window's queue order (mode "sequence") or nobody's queue first ("longest_wait"), then place in line.
An appointment counts as priority only within its slot plus the grace period.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hall.domain.model import (
    PRIORITY_LABEL,
    PRIORITY_RANK,
    Policy,
    Priority,
    QueueDef,
    SelectionMode,
    WindowDef,
)
from hall.domain.numbers import number_key
from hall.domain.state import TicketRec, WindowRec


@dataclass(frozen=True)
class Choice:
    ticket: TicketRec
    rule: str  # transferred | aging | ratio | only_priority | only_normal | manual
    klass: str  # priority | normal | directed
    text: str  # the reason as staff read it

    def reason(self) -> dict[str, Any]:
        return {"rule": self.rule, "class": self.klass, "text": self.text}


def effective_priority(t: TicketRec, now: float, policy: Policy) -> Priority:
    """An appointment outside its slot (plus grace) goes in line like everyone else."""
    if t.priority is Priority.APPOINTMENT:
        grace = policy.appointment_grace_minutes * 60
        if t.slot_start is None or t.slot_end is None:
            return Priority.NORMAL
        if not (t.slot_start - grace <= now <= t.slot_end + grace):
            return Priority.NORMAL
    return t.priority


def choose(
    window: WindowDef,
    wrec: WindowRec,
    waiting: list[TicketRec],
    queues: dict[str, QueueDef],
    policy: Policy,
    now: float,
) -> Choice | None:
    served = set(window.queues)
    directed = [t for t in waiting if t.target_window == window.id]
    if directed:
        t = min(directed, key=lambda t: (t.order_at, number_key(t.number)))
        origin = f"由 {t.transferred_from} 转来" if t.transferred_from else "转来"
        return Choice(t, "transferred", "directed", f"转至本窗口的票（{origin}），先于排队者叫号")

    pool = [t for t in waiting if t.queue in served and t.target_window is None]
    if not pool:
        return None

    limit = policy.aging_minutes * 60
    aged = [t for t in pool if now - t.order_at >= limit]
    if aged:
        t = min(aged, key=lambda t: (t.order_at, number_key(t.number)))
        minutes = int((now - t.order_at) // 60)
        klass = "normal" if effective_priority(t, now, policy) is Priority.NORMAL else "priority"
        return Choice(
            t, "aging", klass,
            f"已等候 {minutes} 分钟，超过 {policy.aging_minutes:g} 分钟上限，先于其他票叫号",
        )

    prio = [t for t in pool if effective_priority(t, now, policy) is not Priority.NORMAL]
    normal = [t for t in pool if effective_priority(t, now, policy) is Priority.NORMAL]
    order = {q: i for i, q in enumerate(window.queues)}

    def key(t: TicketRec) -> tuple:
        rank = PRIORITY_RANK[effective_priority(t, now, policy)]
        qpos = order[t.queue] if window.mode is SelectionMode.SEQUENCE else 0
        return (rank, qpos, t.order_at, number_key(t.number))

    ratio = f"普通:优先 = {window.ratio_normal}:{window.ratio_priority}"
    if prio and normal:
        if wrec.normal_run >= window.ratio_normal:
            t = min(prio, key=key)
            label = PRIORITY_LABEL[effective_priority(t, now, policy)]
            return Choice(
                t, "ratio", "priority",
                f"{label}优先：本窗口已连续叫普通号 {wrec.normal_run} 个（{ratio}）"
                + _where(t, window, queues),
            )
        t = min(normal, key=key)
        return Choice(
            t, "ratio", "normal",
            f"按比例叫普通号（{ratio}，本轮第 {wrec.normal_run + 1} 个）" + _where(t, window, queues),
        )
    if prio:
        t = min(prio, key=key)
        label = PRIORITY_LABEL[effective_priority(t, now, policy)]
        return Choice(t, "only_priority", "priority", f"{label}优先：无普通号等候" + _where(t, window, queues))
    t = min(normal, key=key)
    return Choice(t, "only_normal", "normal", "无优先号等候，叫普通号" + _where(t, window, queues))


def _where(t: TicketRec, window: WindowDef, queues: dict[str, QueueDef]) -> str:
    name = queues[t.queue].name if t.queue in queues else t.queue
    if window.mode is SelectionMode.SEQUENCE and len(window.queues) > 1:
        return f"；按本窗口业务顺序，{name} 中排在最前"
    return f"；{name} 中等候最久"
