"""Running the hall server: uvicorn on the app, logging through ours (so the personal-data filter sees it)."""
from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import Any

import uvicorn

from ground import notify
from hall.config import HallConfig
from hall.http_limits import head_limited
from hall.server import create_app

log = logging.getLogger(__name__)


def uvicorn_config(config: HallConfig, data_dir: Path, host: str | None = None,
                   port: int | None = None, **app_options: Any) -> uvicorn.Config:
    """`app_options`: create_app's (`hall_time_offset`, `always_open`)."""
    app = create_app(config, data_dir, **app_options)
    return uvicorn.Config(
        app,
        host=host or config.server.host,
        port=port if port is not None else config.server.port,
        log_config=None,  # keep the root handler (one line per event, personal data masked)
        access_log=False,
        http=head_limited(config.server.head_timeout_seconds),  # a deadline and a size limit on each request's head
        ws="websockets-sansio",
        ws_ping_interval=20,
        # every display gets the same small JSON: compressing it again per connection costs
        # more than it saves on a hall's LAN
        ws_per_message_deflate=False,
        ws_ping_timeout=20,
        timeout_graceful_shutdown=3,
        # systemd's READY=1 and watchdog from the server's own main loop (nothing outside systemd)
        callback_notify=notify.alive_async if notify.enabled() else None, timeout_notify=int(notify.ping_every()),
    )


def tune_gc() -> None:
    """A long-running server with many open connections: what exists at start-up is never garbage,
    and full collections over a thousand connections stall the event loop, so make them rarer.
    Collection is back on here if the start turned it off (`yiciban hall` does, while it imports
    and builds the app: a sixth of its start went to collections that found nothing)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 50)
    gc.enable()


def serve(config: HallConfig, data_dir: Path, host: str | None = None, port: int | None = None) -> None:
    server = uvicorn.Server(uvicorn_config(config, data_dir, host, port))
    tune_gc()
    server.run()
