"""A dispenser's offline tickets refused at hand-in reach the floor staff, across real processes.

The dispenser (the Qt-free model its screen runs: `LeasedIssuer` over a `LeaseBook` on disk) takes
its leases from a real `yiciban hall`; the hall PC dies (SIGKILL) and the dispenser prints from its
lease; the hall PC comes back on a fresh disk (its database lost), so it knows no lease of today and
refuses those tickets for good. The dispenser marks them dead in its book; the hall has recorded
them for the staff, who find each number with its device and printed time, and the record survives
another SIGKILL and restart.
"""
from __future__ import annotations

import requests

from hall.client import HallClient
from kiosk.models.dispenser_lease import LeaseBook, LeasedIssuer
from tests.support.halls import PASSWORD, write_small_hall
from tests.support.hallserver import HallServer, free_port

A = "/api/v1"


def test_offline_tickets_the_hall_refuses_are_listed_for_the_staff_after_restarts(tmp_path):
    hall = HallServer(write_small_hall(tmp_path), tmp_path / "data", tmp_path / "hall.log", free_port())
    book = LeaseBook(tmp_path / "dispenser.sqlite3", "Asia/Shanghai")
    issuer = LeasedIssuer(HallClient(hall.base_url, hall.tokens["dispenser"], timeout=2.0), book, ["general"],
                          size=5, renew_below=2)
    hall.start()
    try:
        issuer.sync()  # the morning's lease
        assert book.remaining("general") == 5
        hall.kill()
        printed = [issuer.issue("general").offline for _ in range(2)]
        assert all(t is not None for t in printed), "the dispenser printed from its lease"

        hall.data_dir = tmp_path / "new-disk"  # the hall PC comes back without its database
        hall.start()
        delivery = issuer.sync(force=True)
        assert {key for key, _ in delivery.refused} == {t.id for t in printed}
        assert all("404 not_found" in why for _, why in delivery.refused)

        def listed() -> dict:
            login = requests.post(f"{hall.base_url}{A}/auth/login", json={"username": "wang", "password": PASSWORD},
                                  timeout=10).json()
            r = requests.get(f"{hall.base_url}{A}/refusals", headers={"Authorization": f"Bearer {login['token']}"},
                             timeout=10)
            assert r.status_code == 200, r.text
            return r.json()

        day = listed()
        assert [r["number"] for r in day["open"]] == [t.number for t in printed]
        for r, t in zip(day["open"], printed, strict=True):
            assert (r["device"], r["kind"], r["queue"], r["lease"]) == ("dispenser-1", "dispenser", "general", t.lease)
            assert abs(r["printed_at"] - t.issued_at) < 0.001 and r["code"] == "not_found"
            assert "找不到" in r["reason"]

        hall.restart()  # SIGKILL and back on the same disk: the record is the hall's day
        assert listed() == day
    finally:
        hall.kill()
        book.close()
