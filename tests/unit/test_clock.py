"""The screens show the hall's time, not the machine's zone, and notice a machine's clock that
is off the hall's (no Qt; a real HTTP server on loopback stands in for the hall's clock)."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest

from ground.clocks import skew_note, zone_note
from hall.client import HallClient, HallUnavailable
from kiosk.models.clock import DEFAULT_ZONE, hall_now, hall_today, hall_zone, header_text
from kiosk.models.dispenser import issued_at, sample_answer
from yiciban.doctor import clock_rows

# 2026-12-07 02:18 UTC: 10:18 in Shanghai, 21:18 the evening before in New York
MOMENT = dt.datetime(2026, 12, 7, 2, 18, tzinfo=dt.UTC).timestamp()


@pytest.fixture
def machine_in_utc(monkeypatch) -> Iterator[None]:
    """The machine left in UTC, as a screen's often is."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_clock_shows_the_halls_zone_whatever_the_machines_zone(machine_in_utc):
    assert time.strftime("%H:%M", time.localtime(MOMENT)) == "02:18"
    assert header_text({"timezone": "Asia/Shanghai"}, MOMENT) == "12-07 10:18"
    assert header_text({"timezone": "America/New_York"}, MOMENT) == "12-06 21:18"
    assert hall_today({"timezone": "America/New_York"}, MOMENT) == dt.date(2026, 12, 6)


def test_before_the_hall_answers_the_configs_default_zone_is_shown(caplog):
    assert DEFAULT_ZONE == "Asia/Shanghai"
    assert header_text({}, MOMENT) == header_text(None, MOMENT) == "12-07 10:18"
    assert hall_zone({"timezone": "Mars/Olympus_Mons"}).key == DEFAULT_ZONE
    assert "Mars/Olympus_Mons" in caplog.text
    assert hall_now({"timezone": "Asia/Urumqi"}, MOMENT).hour == 8


def test_a_printed_ticket_shows_the_halls_time_even_before_the_hall_named_its_zone():
    ticket = sample_answer().ticket.model_copy(update={"issued_at": "2026-12-07T02:18:00Z"})
    assert issued_at(ticket, {}).strftime("%H:%M") == "10:18"
    assert issued_at(ticket, {"timezone": "Europe/Berlin"}).strftime("%H:%M") == "03:18"


@pytest.mark.parametrize(("skew", "said"), [
    (None, None), (0.0, None), (59.0, None), (-60.0, None),
    (61.0, "this machine's clock is 1 min behind the hall's"),
    (-8 * 3600.0, "this machine's clock is 8.0 h ahead of the hall's"),
])
def test_a_clock_more_than_a_minute_off_is_named(skew, said):
    note = skew_note(skew)
    assert (note is None) == (said is None)
    if said is not None:
        assert note.startswith(said)
        assert "NTP" in note


class _Hall(BaseHTTPRequestHandler):
    ahead = 0.0  # seconds the hall's clock is ahead of this machine's

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = json.dumps({"status": "ok", "hall": "test", "seq": 1}).encode()
        self.send_response_only(200)
        self.send_header("Date", formatdate(dt.datetime.now(dt.UTC).timestamp() + self.ahead, usegmt=True))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def hall_clock() -> Iterator[tuple[str, type[_Hall]]]:
    handler = type("Hall", (_Hall,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_the_halls_date_header_tells_how_far_this_clock_is_off(hall_clock):
    url, handler = hall_clock
    with HallClient(url) as client:
        assert client.clock_skew() == 0.0
        handler.ahead = 600.0
        assert 597 <= client.clock_skew() <= 603
        handler.ahead = -3 * 3600.0
        assert -3 * 3600 - 3 <= client.clock_skew() <= -3 * 3600 + 3


def test_a_hall_that_does_not_answer_is_unavailable_not_skewed():
    with HallClient("http://127.0.0.1:9", timeout=1.0) as client, pytest.raises(HallUnavailable) as err:
        client.clock_skew()
    assert "GET /health" in str(err.value)


@pytest.mark.parametrize(("local", "hall", "said"), [
    ("UTC", "Asia/Shanghai", "this machine's time zone (UTC, UTC+00:00) is not the hall's (Asia/Shanghai, UTC+08:00)"),
    ("Asia/Shanghai", "Asia/Shanghai", None),
    ("Asia/Chongqing", "Asia/Shanghai", None),  # another name, the same time: nothing to say
    ("Etc/GMT-1", "Europe/Berlin", "this machine's time zone (Etc/GMT-1, UTC+01:00) is not the hall's "
                                   "(Europe/Berlin, UTC+02:00)"),  # agrees in winter only
    ("UTC", "Mars/Olympus_Mons", "the hall's time zone 'Mars/Olympus_Mons' is unknown on this machine"),
])
def test_a_machine_zone_apart_from_the_halls_is_named(local, hall, said):
    note = zone_note(hall, MOMENT, ZoneInfo(local))
    assert (note is None) == (said is None)
    if said is not None:
        assert note.startswith(said)
    if said and "timedatectl" in note:
        assert note.endswith(f"`timedatectl set-timezone {hall}`")


def test_doctor_says_a_clock_off_the_halls_and_a_hall_that_named_no_zone(hall_clock):
    url, handler = hall_clock
    handler.ahead = 600.0  # this machine is ten minutes behind
    clock, zone = clock_rows(url, 3.0)
    assert (clock["kind"], clock["state"]) == ("clock", "error")
    assert clock["reason"].startswith("this machine's clock is 10 min behind the hall's")
    assert (zone["kind"], zone["state"]) == ("time_zone", "warning")
    assert "did not say its time zone" in zone["reason"]
    handler.ahead = 0.0
    assert clock_rows(url, 3.0)[0]["state"] == "ready"


def test_doctor_says_a_hall_that_does_not_answer():
    [row] = clock_rows("http://127.0.0.1:9", 1.0)
    assert row["state"] == "error" and "GET /health" in row["reason"]
