"""The end of a day's number space: A999 is followed by A1000, which the queue orders after it and
the voice, the window strip and the keypad handle; past A99999 the queue refuses, and says so."""
from __future__ import annotations

import pytest

from drivers.keypad.messages import Display, Request, from_frame, to_frame
from drivers.ledstrip import StripSimulator, open_strip
from drivers.ledstrip.render import spans
from drivers.ledstrip.texts import call_text
from drivers.simserve import SimServer
from hall.domain.engine import QueueEngine
from hall.domain.events import Event
from hall.domain.numbers import LAST_SERIAL, NumbersUsedUp, number_key, ticket_number
from hall.service import HallService
from hall.store import HallStore
from kiosk.models.voice import call_clips, ticket_clips
from tests.unit.hallfixtures import FakeClock, at, small_hall


class Hall:
    """The queue engine with its events applied, as the hall service does, without a store."""

    def __init__(self, **policy: object) -> None:
        self.engine = QueueEngine(small_hall(**policy))
        self.seq = 0
        self.now = at(9)
        self._apply(self.engine.start_day_if_needed(self.now))

    def _apply(self, drafts) -> list[Event]:
        events = []
        for d in drafts:
            self.seq += 1
            events.append(Event(self.seq, self.now, self.engine.day_of(self.now), d.type, d.data))
            self.engine.state.apply(events[-1])
        return events

    def do(self, command: str, **params) -> dict:
        return self._apply(getattr(self.engine, command)(self.now, **params))[-1].data

    def issue_many(self, count: int, queue: str = "general") -> list[str]:
        return [self.do("issue", queue=queue)["number"] for _ in range(count)]


def test_after_a999_comes_a1000_then_on():
    hall = Hall(ticket_digits=3)
    numbers = hall.issue_many(1001)
    assert numbers[:2] == ["A001", "A002"]
    assert numbers[998:] == ["A999", "A1000", "A1001"]
    assert len(set(numbers)) == 1001  # no number twice in a day


def test_the_queue_calls_a999_before_a1000_issued_in_the_same_second():
    hall = Hall(ticket_digits=3)
    for ticket in [hall.do("issue", queue="general")["ticket"] for _ in range(997)]:
        hall.do("cancel", ticket=ticket)
    assert hall.issue_many(3) == ["A998", "A999", "A1000"]  # all at the same moment
    hall.do("open_window", window="w1")
    called = []
    for _ in range(3):
        called.append(hall.do("call_next", window="w1")["number"])
        hall.do("start", window="w1")
        hall.do("finish", window="w1")
    assert called == ["A998", "A999", "A1000"]


def test_number_key_orders_as_issued():
    numbers = ["A1000", "A999", "A010", "A99999", "A10000"]
    assert sorted(numbers, key=number_key) == ["A010", "A999", "A1000", "A10000", "A99999"]


def test_past_the_last_number_the_queue_refuses_and_nothing_changes():
    hall = Hall(ticket_digits=5)
    hall.engine.state.counters["general"] = LAST_SERIAL - 1  # a day of 99,998 tickets so far
    assert hall.do("issue", queue="general")["number"] == "A99999"
    before = (hall.seq, dict(hall.engine.state.counters), len(hall.engine.state.tickets))
    with pytest.raises(NumbersUsedUp) as refused:
        hall.do("issue", queue="general")
    assert refused.value.status == 409 and refused.value.code == "numbers_used_up"
    assert "今日号码已发完" in refused.value.message and "A99999" in refused.value.message
    assert (hall.seq, dict(hall.engine.state.counters), len(hall.engine.state.tickets)) == before
    # other queues go on
    assert hall.do("issue", queue="property")["number"] == "B00001"


def test_a_number_is_never_wider_than_five_digits():
    assert ticket_number("AB", LAST_SERIAL, 3) == "AB99999"
    with pytest.raises(ValueError, match="1 to 99999"):
        ticket_number("A", LAST_SERIAL + 1, 3)


@pytest.mark.parametrize("number", ["A1000", "AB1000", "A99999", "AB99999"])
def test_the_call_voice_reads_every_digit(number):
    clips = ticket_clips(number)
    assert clips == [c if c.isalpha() else f"d{c}" for c in number]
    assert call_clips(number, 16)[1:2 + len(clips)] == ["qing", *clips]


@pytest.mark.parametrize("number", ["A1000", "AB99999"])
@pytest.mark.parametrize("window", [1, 16, 99])
def test_the_window_strip_shows_a_wide_number_whole(number, window):
    """On the hall's 192×32 strips (the sample hall's), in the controller's 16-dot font."""
    sim = StripSimulator(width=192, height=32)
    with SimServer(sim.feed, tcp=0) as server:
        strip = open_strip(server.url, {"protocol": "bx5", "width": 192, "height": 32, "timeout": 2.0})
        try:
            strip.show(call_text(number, window))
        finally:
            strip.close()
    area, styled = sim.areas[0]
    assert styled.text == f"请{number}号到{window}号窗口"
    lines = spans(styled.text, area.width, 16, multi_line=area.multi_line, auto_wrap=area.auto_wrap)
    shown = [styled.text[a:b] for a, b in lines[: area.height // 16]]
    assert "".join(shown) == styled.text  # nothing cut off
    assert any(number in line for line in shown)  # the number not broken over two lines


def test_the_keypad_and_the_pad_take_the_widest_number_and_ticket():
    """A window keypad shows the number; a pad is asked to rate the ticket by its id."""
    number = ticket_number("AB", LAST_SERIAL, 3)
    ticket = f"20261207-{number}"
    for message in (Display(0, number), Request(1, 16, ticket)):
        assert from_frame(to_frame(message, 101, 1)) == message


def test_the_hall_service_refuses_without_storing_anything(tmp_path):
    store = HallStore(tmp_path / "hall.db")
    service = HallService(small_hall(), store, clock=FakeClock(at(9)))
    service.execute("issue", {"queue": "general"})
    service.engine.state.counters["general"] = LAST_SERIAL
    head = service.last_seq
    with pytest.raises(NumbersUsedUp):
        service.execute("issue", {"queue": "general"})
    assert service.last_seq == head and store.events_after(head, 10) == []
    assert service.execute("issue", {"queue": "social"})["ticket"]["number"] == "C001"
