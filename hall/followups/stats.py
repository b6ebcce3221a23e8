"""The ledger's figures: 回访率 (follow-ups called back over all), 整改率 (fixed over those the
callback found needed a fix), how many are open by light, and the ratings upheld appeals took
out of the statistics. Pure: from follow-up records, grouped by whatever key the caller picks."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hall.cases.timing import LIGHTS
from hall.followups.model import FIX_NOW, OPEN_STATES, RECTIFY, FollowupRec


def rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def figures(recs: Iterable[FollowupRec]) -> dict[str, Any]:
    total = called = to_fix = fixed = excluded = closed = 0
    lights = dict.fromkeys(LIGHTS, 0)
    for f in recs:
        total += 1
        called += f.called_back
        if not f.counted:
            excluded += 1
            continue
        if f.outcome in (FIX_NOW, RECTIFY):
            to_fix += 1
            fixed += f.fixed_ts is not None
        if f.state in OPEN_STATES and f.light in lights:
            lights[f.light] += 1
        closed += f.state.value == "closed"
    return {"total": total, "called_back": called, "callback_rate": rate(called, total),
            "to_fix": to_fix, "fixed": fixed, "fix_rate": rate(fixed, to_fix),
            "excluded_by_appeal": excluded, "closed": closed, "open_by_light": lights}


def by(recs: Iterable[FollowupRec], key: Callable[[FollowupRec], str | None]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[FollowupRec]] = {}
    for f in recs:
        groups.setdefault(key(f) or "-", []).append(f)
    return {k: figures(v) for k, v in sorted(groups.items())}
