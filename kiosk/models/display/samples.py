"""Sample boards for the display's sample screens: the shape of the hall that is loaded (its
queues and windows), made-up numbers, and no hall server (Qt-free)."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from kiosk.models.clock import hall_today

if TYPE_CHECKING:
    from hall.wire import StreamEvent

_FALLBACK_QUEUES = [
    {"id": "general", "prefix": "A", "name": "综合受理", "name_en": "General Services"},
    {"id": "property", "prefix": "B", "name": "不动产登记", "name_en": "Real Estate Registration"},
    {"id": "social", "prefix": "C", "name": "社保医保", "name_en": "Social and Medical Insurance"},
]
_FALLBACK_WINDOWS = [{"id": f"w{n}", "number": n, "name": f"{n}号窗口"} for n in range(1, 7)]
_WAITING = (12, 3, 7, 0, 5, 2, 9, 1, 4, 6, 8, 2)

SAMPLE_ANNOUNCEMENTS = [
    {"title": "办事时间", "body": "大厅工作日 9:00—17:00 办公，周六上午提供预约服务；自助服务区 24 小时开放。"},
    {"title": "老年人优先", "body": "65 周岁以上老年人刷身份证取号可优先办理，咨询服务台提供帮办代办。"},
]


def _day(hall: dict[str, Any], now: float) -> str:
    return hall_today(hall, now).isoformat()  # the hall's day, whatever the machine's zone


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ts))


def sample_snapshot(hall: dict[str, Any] | None, *, calls: int = 9, now: float | None = None) -> dict[str, Any]:
    """A snapshot of a busy morning in `hall` (its queues and windows), `calls` calls made."""
    now = time.time() if now is None else now
    hall = hall or {}
    queues = [q for q in hall.get("queues", []) if q.get("prefix")] or _FALLBACK_QUEUES
    windows = sorted(hall.get("windows", []) or _FALLBACK_WINDOWS, key=lambda w: w.get("number", 0))
    serials = {q["id"]: 20 + 7 * i for i, q in enumerate(queues)}
    made: list[dict[str, Any]] = []
    for i in range(calls):
        w = windows[i % len(windows)]
        served = [q for q in queues if q["id"] in w.get("queues", [])] or queues
        q = served[i % len(served)]
        serials[q["id"]] += 1
        number = f"{q['prefix']}{serials[q['id']]:03d}"
        made.append({"ticket": f"{_day(hall, now).replace('-', '')}-{number}", "number": number, "window": w["id"],
                     "window_number": w["number"], "state": "no_show" if i == 2 else "serving",
                     "at": _iso(now - 60 * (calls - i))})
    states = ["open"] * len(windows)
    if len(windows) > 3:
        states[-1] = "closed"
        states[len(windows) // 2] = "paused"
    snapshot_windows = []
    for w, state in zip(windows, states, strict=True):
        at = next((c for c in reversed(made) if c["window"] == w["id"] and c["state"] == "serving"), None)
        snapshot_windows.append({
            "id": w["id"], "number": w["number"], "name": w.get("name", ""), "queues": w.get("queues", []),
            "state": state, "ticket": None if at is None or state != "open" else
            {"id": at["ticket"], "number": at["number"], "state": "serving", "queue": None},
        })
    return {
        "seq": 100, "day": _day(hall, now), "now": _iso(now),
        "queues": [{"id": q["id"], "prefix": q["prefix"], "name": q.get("name", q["id"]),
                    "name_en": q.get("name_en", ""), "waiting": _WAITING[i % len(_WAITING)],
                    "next": [], "next_ids": []} for i, q in enumerate(queues)],
        "windows": snapshot_windows,
        "recent_calls": list(reversed(made)),
    }


def sample_call(snapshot: dict[str, Any], *, now: float | None = None) -> StreamEvent:
    """The event of the next call in a sample snapshot: the first queue's next number, at the
    first open window with nobody at it (or the first open one)."""
    from hall.wire import StreamEvent

    now = time.time() if now is None else now
    queue = snapshot["queues"][0]
    taken = [c["number"] for c in snapshot["recent_calls"] if c["number"].startswith(queue["prefix"])]
    serial = max((int(n[len(queue["prefix"]):]) for n in taken), default=16) + 1
    number = f"{queue['prefix']}{serial:03d}"
    opened = [w for w in snapshot["windows"] if w["state"] == "open"]
    window = next((w for w in opened if w["ticket"] is None), opened[0] if opened else snapshot["windows"][0])
    return StreamEvent.read({"seq": snapshot["seq"] + 1, "type": "ticket.called", "ts": now,
                             "data": {"ticket": f"{snapshot['day'].replace('-', '')}-{number}", "number": number,
                                      "window": window["id"], "window_number": window["number"]}})
