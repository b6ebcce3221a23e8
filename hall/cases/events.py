"""Event types of cases. They share the hall's event log and its sequence with the queue's."""
from __future__ import annotations

PREFIX = "case."
CREATED = "case.created"
MATERIALS_UPDATED = "case.materials_updated"
ACCEPTED = "case.accepted"
CORRECTION_REQUESTED = "case.correction_requested"  # 补正
REFUSED = "case.refused"  # 不予受理
SUPPLEMENTED = "case.supplemented"  # 补正 brought (at the kiosk): back to the window as 预审
STEP_STARTED = "case.step_started"
STEP_FINISHED = "case.step_finished"
CONCLUDED = "case.concluded"  # 办结
DELIVERED = "case.delivered"  # 出件
CLOSED = "case.closed"
LIGHT = "case.light"  # the light, its reason or the due date changed
RATED = "case.rated"  # 好差评 of the case, once (一事一评)
DUE_CHANGED = "case.due_changed"  # a provisional due date recomputed when its year is published

CASE_EVENT_TYPES = frozenset(
    {CREATED, MATERIALS_UPDATED, ACCEPTED, CORRECTION_REQUESTED, REFUSED, SUPPLEMENTED, STEP_STARTED,
     STEP_FINISHED, CONCLUDED, DELIVERED, CLOSED, LIGHT, RATED, DUE_CHANGED}
)


def is_case_event(event_type: str) -> bool:
    return event_type.startswith(PREFIX)
