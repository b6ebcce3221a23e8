"""The hall's 好差评 reaching the province: the hall's real service, ledger and outbox, the relay
with the `provincial` adapter, and the reference platform as a real process playing both the
hall's platform and the province's 好差评 endpoint (reached through a proxy that can cut it).

While the province is down the other records still reach the platform and the ratings wait;
when it is back each rating and each change of its follow-up is there once, in the province's
elements, with the follow-up's latest state. A record the province refuses is set aside with
the province's reason naming the element, and goes through once the hall is set right.
"""
from __future__ import annotations

import random
import types

import pytest
import requests

from hall.followups.config import FollowupConfig, WindowOwnerConfig
from hall.followups.engine import Actor
from hall.followups.service import FollowupService
from hall.service import HallService
from hall.store import HallStore
from sync.crypto import Sealer
from sync.outbox import Outbox, migrate
from sync.provincial_client import ProvinceSettingsError, provincial_adapter
from sync.relay import Relay, RelaySettings, open_db
from sync.workdays import WorkCalendar
from tests.support.platform import ADMIN_TOKEN, FaultProxy, PlatformServer, node_token
from tests.unit.hallfixtures import FakeClock, at, small_hall

NODE = "jx-hall"
MATTER = "371107901000"
CONFIG = FollowupConfig(windows=[WindowOwnerConfig(window="w1", department="县市场监管局", lead="lead1")])


@pytest.fixture
def platform(tmp_path):
    """The reference platform, also playing the province (its 好差评 endpoint)."""
    server = PlatformServer(tmp_path / "platform", [NODE])
    try:
        server.start()
        yield server
    finally:
        server.stop()


class Hall:
    """The hall's service, its 差评 ledger and its outbox, on a fake clock."""

    def __init__(self, path, clock: FakeClock) -> None:
        self.store = HallStore(path)
        migrate(self.store.conn, self.store.lock)
        self.outbox = Outbox(Sealer(bytes(range(32))), clock)
        self.service = HallService(small_hall(), self.store, clock=clock, outbox=self.outbox.write_queue_events)
        self.ledger = FollowupService(self.service, CONFIG, WorkCalendar(), "Asia/Shanghai",
                                      types.SimpleNamespace(outbox=self.outbox))
        self.service.execute("open_window", {"window": "w1", "staff": "s1"})

    def served(self) -> str:
        ticket = self.service.execute("issue", {"queue": "general"})["ticket"]["id"]
        self.service.execute("call_next", {"window": "w1"})
        self.service.execute("start", {"window": "w1"})
        self.service.execute("finish", {"window": "w1", "matter": MATTER})
        return ticket

    def rate(self, level: int, channel: str, **more) -> str:
        ticket = self.served()
        self.service.execute("rate", {"ticket": ticket, "level": level, "channel": channel, **more})
        return ticket

    def relay(self, url: str, province_url: str, clock: FakeClock, area: str = "370829", prefix: str = "37",
              token: str | None = None):
        env = {"YICIBAN_PROVINCE_URL": province_url, "YICIBAN_PROVINCE_AREA": area,
               "YICIBAN_PROVINCE_CASE_PREFIX": prefix, **({"YICIBAN_PROVINCE_TOKEN": token} if token else {})}
        client = provincial_adapter(url, NODE, node_token(NODE), timeout=2.0, env=env)
        return Relay(open_db(str(self.store.path)), self.outbox, client, RelaySettings(batch_size=50, pace=0.0),
                     clock=clock, lock=self.store.lock, rng=random.Random(13))

    def states(self) -> dict[str, int]:
        rows = self.store.conn.execute("SELECT state, COUNT(*) FROM sync_outbox GROUP BY state").fetchall()
        return dict(rows)


def province(platform: PlatformServer) -> list[dict]:
    r = requests.get(f"{platform.base_url}/province/haochaping/v1/evaluations",
                     headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
    r.raise_for_status()
    return r.json()["evaluations"]


def drain(relay: Relay, clock: FakeClock, steps: int = 20) -> None:
    for _ in range(steps):
        step = relay.step()
        if step.sent == 0:
            return
        clock.advance(max(step.delay, 1.0))
    raise AssertionError("the relay did not catch up")


def test_ratings_and_follow_ups_reach_the_province_once_after_an_outage(platform, tmp_path):
    clock = FakeClock(at(9))  # Friday 2026-11-27, Beijing time
    hall = Hall(tmp_path / "hall.db", clock)
    proxy = FaultProxy(platform.port)
    proxy.set_plan([], default="reset")  # the province's line is down
    relay = hall.relay(platform.base_url, proxy.url, clock)
    try:
        good = hall.rate(5, "pad")
        bad = hall.rate(2, "pad", reasons=["等候时间过长"])
        worst = hall.rate(1, "qr", text="窗口无人")
        fu = hall.ledger.get(f"fu-{bad}")
        hall.ledger.execute("verify", fu.id, Actor.of("s1", "staff"), {"outcome": "fix_now", "note": "增开窗口"})
        hall.ledger.execute("feedback", fu.id, Actor.of("s1", "staff"), {"how": "phone", "at": clock(), "note": "已电话告知"})
        hall.ledger.execute("close", fu.id, Actor.of("lead1", "staff"), {})

        step = relay.step()
        assert step.acked > 0 and step.failed > 0 and step.dead == 0  # the rest went on
        assert hall.states()["pending"] == step.failed
        assert province(platform) == []

        proxy.set_plan([], default="pass")  # the line is back
        clock.advance(3600)
        drain(relay, clock)
        assert hall.states() == {"acked": sum(hall.states().values())}

        held = {e["evaluateId"]: e for e in province(platform)}
        assert set(held) == {f"{NODE}:{good}", f"{NODE}:{bad}", f"{NODE}:{worst}"}
        b = held[f"{NODE}:{bad}"]
        assert (b["recordType"], b["rectifyState"], b["handleWay"], b["feedbackWay"]) == (
            "rectification", "7", "1", "1")
        assert (b["alternate"], b["pf"], b["badReasons"], b["areaCode"], b["taskCode"], b["windowNo"],
                b["staffNo"]) == ("2", "4", ["等候时间过长"], "370829000000", MATTER, "w1", "s1")
        assert b["assessTime"] == "2026-11-27 09:00:00" and b["feedbackStaff"] == "s1"
        assert b["records"] == 5  # the rating, then opened, verified, fed back, closed: the latest kept
        w = held[f"{NODE}:{worst}"]
        assert (w["pf"], w["rectifyState"], w["writingEvaluation"]) == ("3", "0", "窗口无人")
        assert held[f"{NODE}:{good}"]["recordType"] == "evaluation"

        # the same records pushed again: the province answers duplicate, stores nothing twice
        answers = requests.get(f"{platform.base_url}/province/haochaping/v1/evaluations",
                               headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10).json()["answers"]
        before = answers[NODE]["accepted"]
        rows = relay.conn.execute("SELECT key FROM sync_outbox").fetchall()
        relay.conn.execute("UPDATE sync_outbox SET state = 'pending', next_attempt = 0")
        drain(relay, clock)
        after = requests.get(f"{platform.base_url}/province/haochaping/v1/evaluations",
                             headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10).json()["answers"]
        assert after[NODE]["accepted"] == before and after[NODE]["duplicate"] == before
        assert len(rows) == sum(hall.states().values())
    finally:
        relay.client.close()
        proxy.close()
        hall.store.close()


def test_a_refused_record_is_set_aside_with_the_reason_and_goes_once_the_hall_is_set_right(platform, tmp_path):
    clock = FakeClock(at(10))
    hall = Hall(tmp_path / "hall.db", clock)
    wrong = hall.relay(platform.base_url, platform.base_url, clock, area="320104", prefix="32")  # not Shandong
    try:
        bad = hall.rate(2, "kiosk", reasons=["服务态度不好"])
        api = hall.rate(4, "api")  # given through the API: the province has no channel for it
        drain(wrong, clock)
        dead = dict(hall.store.conn.execute("SELECT json_extract(payload, '$.data.ticket'), last_error"
                                            " FROM sync_outbox WHERE state = 'dead' AND type = 'queue.event'"))
        assert "the province refused it: areaCode: '320104000000' is not" in dead[bad]
        assert "pf: channel 'api' has no provincial code" in dead[api]
        assert province(platform) == []

        right = hall.relay(platform.base_url, platform.base_url, clock)
        hall.outbox.requeue(right.conn, lock=hall.store.lock)
        drain(right, clock)
        held = {e["evaluateId"]: e for e in province(platform)}
        assert f"{NODE}:{bad}" in held and held[f"{NODE}:{bad}"]["areaCode"] == "370829000000"
        assert hall.states().get("dead") == 1  # the API's rating: still kept, with its reason
        right.client.close()
    finally:
        wrong.client.close()
        hall.store.close()


def test_a_token_the_province_refuses_keeps_the_ratings_and_says_so(platform, tmp_path, caplog):
    clock = FakeClock(at(11))
    hall = Hall(tmp_path / "hall.db", clock)
    relay = hall.relay(platform.base_url, platform.base_url, clock, token="not-a-token-the-province-knows")
    try:
        bad = hall.rate(1, "pad", reasons=["多次跑动"])
        with caplog.at_level("WARNING", logger="sync.provincial_client"):
            step = relay.step()
        assert step.dead == 0 and step.acked > 0 and step.failed > 0  # the rest reached the platform
        assert "token was refused" in caplog.text
        waiting = [t for (t,) in hall.store.conn.execute(
            "SELECT json_extract(payload, '$.data.ticket') FROM sync_outbox WHERE state = 'pending'"
            " AND json_extract(payload, '$.type') = 'ticket.rated'")]
        assert waiting == [bad] and province(platform) == []
    finally:
        relay.client.close()
        hall.store.close()


def test_the_adapter_names_a_missing_setting():
    with pytest.raises(ProvinceSettingsError, match="YICIBAN_PROVINCE_URL"):
        provincial_adapter("http://127.0.0.1:9", NODE, "t" * 20, env={"YICIBAN_PROVINCE_AREA": "370829"})
    with pytest.raises(ProvinceSettingsError, match="6 or 12 digits"):
        provincial_adapter("http://127.0.0.1:9", NODE, "t" * 20, env={"YICIBAN_PROVINCE_URL": "http://127.0.0.1:9",
                                                                      "YICIBAN_PROVINCE_AREA": "jiaxiang"})
