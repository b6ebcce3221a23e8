"""A hall server whose clock a test can move on by a day, to live a week in minutes.

    python -m tests.e2e.week_hall --config hall.toml --data-dir DIR --port PORT

The same app and server settings as `yiciban hall` (hall.app), with one difference: the hall's
clock is the real one plus whole days, and each SIGUSR1 adds one. The next request then starts a
new hall day (open tickets expire, numbering starts again), as at the first request of a morning.
The memory soak (test_memory_soak.py) uses it to see that a day's memory is given back.
"""
from __future__ import annotations

import argparse
import functools
import signal
import time
from pathlib import Path

import uvicorn

import hall.app
from hall.config import load_config
from hall.server import create_app

DAY = 86400.0


class DayClock:
    """time.time() plus the days the test has asked for."""

    def __init__(self) -> None:
        self.days = 0

    def __call__(self) -> float:
        return time.time() + self.days * DAY

    def next_day(self, *_: object) -> None:
        self.days += 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.e2e.week_hall")
    p.add_argument("--config", required=True)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--port", type=int, required=True)
    args = p.parse_args(argv)
    from ground.logs import setup_logging

    setup_logging("WARNING")
    config = load_config(Path(args.config))
    clock = DayClock()
    signal.signal(signal.SIGUSR1, clock.next_day)
    # the hall's own server settings, around an app whose clock moves by days
    hall.app.create_app = functools.partial(create_app, clock=clock)
    server = uvicorn.Server(hall.app.uvicorn_config(config, Path(args.data_dir), "127.0.0.1", args.port))
    hall.app.tune_gc()
    server.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
