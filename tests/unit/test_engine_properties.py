"""Random operation sequences against the queue service, checking its invariants after every step."""
import shutil
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from hall.domain.errors import QueueError
from hall.domain.model import TicketState
from hall.domain.state import HallState
from hall.domain.stats import DayStats
from hall.service import HallService
from hall.store import HallStore
from tests.unit.hallfixtures import FakeClock, at, small_hall

QUEUES = ["general", "property", "social"]
WINDOWS = ["w1", "w2", "w3"]
PRIORITIES = ["normal", "green", "elderly", "agent", "appointment"]


class QueueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="yiciban-prop-"))
        self.clock = FakeClock(at(8, 30))
        self.setup = small_hall(no_show_after_recalls=1, aging_minutes=20)
        self.svc = HallService(self.setup, HallStore(self.dir / "hall.db"), clock=self.clock)
        self.failures = 0

    def teardown(self) -> None:
        self.svc.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _run(self, command: str, **params) -> None:
        before = self.svc.last_seq
        try:
            self.svc.execute(command, params)
        except QueueError:
            self.failures += 1
            # a refused command changes nothing, in memory or on disk (a day start may precede it)
            stored = self.svc.store.last_seq()
            assert stored == self.svc.last_seq
            assert all(e.type == "day.started" for e in self.svc.store.events_after(before))

    def _some_ticket(self, data) -> str:
        ids = sorted(self.svc.state.tickets) or ["20261127-A001"]
        return data.draw(st.sampled_from(ids))

    @rule(queue=st.sampled_from(QUEUES), priority=st.sampled_from(PRIORITIES))
    def issue(self, queue, priority):
        params = {"queue": queue, "priority": priority}
        if priority == "appointment":
            params.update(slot_start=self.clock.now - 600, slot_end=self.clock.now + 1200)
        self._run("issue", **params)

    @rule(window=st.sampled_from(WINDOWS), op=st.sampled_from(
        ["open_window", "pause", "resume", "close_window", "call_next", "recall", "no_show", "start", "finish"]))
    def window_op(self, window, op):
        self._run(op, window=window)

    @rule(window=st.sampled_from(WINDOWS), data=st.data())
    def call_specific(self, window, data):
        self._run("call", window=window, ticket=self._some_ticket(data))

    @rule(data=st.data(), to_queue=st.one_of(st.none(), st.sampled_from(QUEUES)),
          to_window=st.one_of(st.none(), st.sampled_from(WINDOWS)), keep=st.booleans())
    def transfer(self, data, to_queue, to_window, keep):
        self._run("transfer", ticket=self._some_ticket(data), to_queue=to_queue,
                  to_window=to_window, keep_place=keep)

    @rule(data=st.data())
    def cancel(self, data):
        self._run("cancel", ticket=self._some_ticket(data))

    @rule(seconds=st.integers(min_value=1, max_value=900))
    def wait(self, seconds):
        self.clock.advance(seconds)

    @rule(window=st.sampled_from(WINDOWS))
    def open_and_call(self, window):
        if self.svc.state.window(window).state.value == "closed":
            self._run("open_window", window=window)
        self._run("call_next", window=window)

    @rule(window=st.sampled_from(WINDOWS), start=st.booleans())
    def serve(self, window, start):
        if start:
            self._run("start", window=window)
        self._run("finish", window=window)

    @rule(roll=st.integers(min_value=0, max_value=9))
    def next_day(self, roll):
        # now and then, jump past midnight in the hall's time zone
        if roll == 0:
            self.clock.advance(24 * 3600)
            self.svc.tick()

    @invariant()
    def each_ticket_in_one_place(self):
        state = self.svc.state
        at_windows = Counter(w.ticket for w in state.windows.values() if w.ticket)
        for t in state.tickets.values():
            if t.state in (TicketState.CALLED, TicketState.SERVING):
                assert at_windows[t.id] == 1, f"{t.number} is {t.state} but at {at_windows[t.id]} windows"
                assert state.windows[t.window].ticket == t.id
            else:
                assert at_windows[t.id] == 0, f"{t.number} is {t.state} yet held by a window"
        assert all(n == 1 for n in at_windows.values())
        # the waiting index agrees with the tickets' states
        assert {t.id for t in state.waiting()} == {
            t.id for t in state.tickets.values() if t.state is TicketState.WAITING
        }

    @invariant()
    def people_ahead_matches_a_plain_count(self):
        from hall.domain.model import PRIORITY_RANK
        from hall.domain.policy import effective_priority

        engine, now, policy = self.svc.engine, self.clock.now, self.setup.policy
        waiting = [t for t in self.svc.state.tickets.values() if t.state is TicketState.WAITING]

        def key(x):
            return (PRIORITY_RANK[effective_priority(x, now, policy)], x.order_at, x.number)

        for t in waiting:
            plain = sum(1 for x in waiting if x.queue == t.queue and x.id != t.id
                        and x.target_window == t.target_window and key(x) < key(t))
            assert engine.people_ahead(t, now) == plain, t.number

    @invariant()
    def numbers_unique_per_queue_and_day_and_seq_has_no_gap(self):
        events = self.svc.store.events_after(0)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        serials = defaultdict(list)
        numbers = Counter()
        for e in events:
            if e.type == "ticket.issued":
                serials[(e.day, e.data["queue"])].append(e.data["serial"])
                numbers[(e.day, e.data["number"])] += 1
        assert all(n == 1 for n in numbers.values())
        for got in serials.values():
            assert got == list(range(1, len(got) + 1))

    @invariant()
    def statistics_equal_a_recount_and_replay_equals_memory(self):
        state = self.svc.state
        if state.day is None:
            return
        target = self.setup.policy.service_level_minutes * 60
        recount = DayStats.from_events(self.svc.store.events_of_day(state.day))
        assert recount.report(self.clock.now, target) == state.stats.report(self.clock.now, target)
        arrivals = sum(q["arrivals"] for q in state.stats.report(self.clock.now, target)["queues"].values())
        assert arrivals == len(state.tickets)
        served = sum(1 for t in state.tickets.values() if t.state is TicketState.DONE)
        assert state.stats.report(self.clock.now, target)["total"]["served"] == served
        # a restart rebuilds exactly this state from the snapshot and the stored events
        snap = self.svc.store.last_snapshot()
        rebuilt = HallState.from_dict(snap[1]) if snap else HallState()
        for e in self.svc.store.iter_events_after(rebuilt.last_seq):
            rebuilt.apply(e)
        assert rebuilt.to_dict() == state.to_dict()


QueueMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestQueueMachine = QueueMachine.TestCase
