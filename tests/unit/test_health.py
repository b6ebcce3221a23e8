"""How the hall's health judges each thing it sees (hall.health, pure)."""
from hall import health

GIB = 1024**3


def test_a_device_connecting_at_start_up_is_a_warning_then_an_error():
    row = {"device": "led-w1", "kind": "led_strip", "state": "connecting", "for_seconds": 5,
           "reason": "connecting to socket://10.0.3.21:5005"}
    assert health.device_item("hall", row, 1000.0).state == health.WARNING
    late = health.device_item("hall", {**row, "for_seconds": 125}, 1000.0)
    assert late.state == health.ERROR
    assert late.reason == "connecting for 2 min: connecting to socket://10.0.3.21:5005"
    assert late.details["since"] == 875.0 and late.id == "led-w1"
    on_screen = health.device_item("kiosk-1", {**row, "state": "ready", "reason": "ok"}, 1000.0)
    assert (on_screen.id, on_screen.state) == ("kiosk-1/led-w1", health.OK)


def test_the_disk_is_judged_by_what_is_left():
    assert health.disk_item("hall", 50 * GIB, 100 * GIB).state == health.OK
    assert health.disk_item("hall", 1.5 * GIB, 100 * GIB).state == health.WARNING
    full = health.disk_item("hall", 100 * 1024**2, 100 * GIB)
    assert full.state == health.ERROR and full.reason.startswith("disk almost full: 0.1 GiB free of 100.0 GiB")


def test_the_sync_backlog_is_judged_by_the_age_of_the_oldest_record():
    status = {"upstream": "https://platform", "pending": 3, "dead": 0, "oldest_pending": {"age_seconds": 60},
              "relay": {}}
    assert health.sync_item(status, 0).state == health.OK
    stuck = {**status, "oldest_pending": {"age_seconds": 7200},
             "relay": {"consecutive_failures": 40, "last_error": "platform answered 503"}}
    item = health.sync_item(stuck, 0)
    assert item.state == health.WARNING
    assert item.reason == "3 records waiting, the oldest for 2.0 h; last error: platform answered 503"
    assert health.sync_item({**stuck, "oldest_pending": {"age_seconds": 7 * 3600}}, 0).state == health.ERROR
    assert health.sync_item({**status, "dead": 1}, 0).reason.endswith("; 1 set aside")


def test_the_worst_item_is_the_halls_state_and_problems_come_worst_first():
    full = health.report(hall="h", now=100.0, version="0.1.0",
                         hall_devices=[{"device": "bus", "kind": "keypad_bus", "state": "ready"},
                                       {"device": "led-w1", "kind": "led_strip", "state": "connecting",
                                        "for_seconds": 10}],
                         screens=[("kiosk-1", "kiosk")], beats={}, disk=(500 * GIB, 1000 * GIB),
                         sync={"upstream": None, "pending": 0})
    assert full["state"] == health.WARNING
    assert full["problems"] == ["led-w1: connecting for 10 s", "kiosk-1: no heartbeat since the hall started"]
    summary = health.summary(full)
    assert "details" not in summary["items"][0]
    assert health.verdicts(full)[0] == ("peripheral", "bus", "ok")


def test_the_platform_and_the_hall_take_a_health_record_and_refuse_a_broken_one():
    import uuid

    from sync.records import HALL_HEALTH, check_item

    full = health.report(hall="h", now=100.0, version="0.1.0", hall_devices=[], screens=[], beats={},
                         disk=(500 * GIB, 1000 * GIB), sync={"upstream": None, "pending": 0})
    item = {"key": str(uuid.uuid4()), "seq": 1, "created": 100.0, "type": HALL_HEALTH,
            "payload": health.summary(full)}
    assert check_item(item) is None
    assert check_item({**item, "payload": {**item["payload"], "state": "fine"}}) == (
        "hall.health needs its state: ok, warning or error")
    assert check_item({**item, "personal": {"name": "x"}}) == "hall.health carries no personal data"
