"""The platform's side of the 差评 ledger: a `followup.event` record pushed by a hall is stored
with its event type, and one that carries personal data or lacks its follow-up is refused with
the reason, on the platform as at the hall (the same checks)."""
from __future__ import annotations

import uuid

from sync import records
from sync.platform.db import Database
from sync.platform.store import PlatformStore

FOLLOWUP = {"id": "fu-20261127-A017", "state": "verify", "light": "green", "counted": True}


def item(seq: int, kind: str, followup: dict | None = FOLLOWUP, personal: dict | None = None) -> dict:
    payload = {"seq": seq * 10, "type": kind, "data": {"followup": "fu-20261127-A017"}}
    if followup is not None:
        payload["followup"] = followup
    return {"key": str(uuid.uuid4()), "seq": seq, "type": records.FOLLOWUP_EVENT, "created": 1_800_000_000.0,
            "payload": payload, "personal": personal}


def test_follow_up_records_are_stored_with_their_event_type_and_bad_ones_refused(platform_database):
    store = PlatformStore(Database(platform_database), clock=lambda: 1_800_000_000.0)
    try:
        results = store.push("hall-a", [
            item(1, "followup.opened"),
            item(2, "followup.verified", {**FOLLOWUP, "state": "fixed"}),
            item(3, "followup.closed", None),
            item(4, "followup.fed_back", personal={"name": "张三"}),
            item(5, "ticket.called"),
        ])
        assert [r["status"] for r in results] == ["accepted", "accepted", "rejected", "rejected", "rejected"]
        assert "needs the follow-up" in results[2]["reason"]
        assert "no personal data" in results[3]["reason"]
        assert "must be a follow-up event" in results[4]["reason"]
        stored = store.records(node="hall-a", type=records.FOLLOWUP_EVENT)
        assert [(r["seq"], r["payload"]["followup"]["state"]) for r in stored] == [(1, "verify"), (2, "fixed")]
        with store.db.transaction(write=False) as tx:
            assert [r[0] for r in tx.all("SELECT subtype FROM records ORDER BY seq")] == [
                "followup.opened", "followup.verified"]
    finally:
        store.close()
