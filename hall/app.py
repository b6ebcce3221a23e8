"""Running the hall server: uvicorn on the app, logging through ours (so the personal-data filter sees it)."""
from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from hall.config import HallConfig
from hall.server import create_app

log = logging.getLogger(__name__)


def uvicorn_config(config: HallConfig, data_dir: Path, host: str | None = None,
                   port: int | None = None) -> uvicorn.Config:
    app = create_app(config, data_dir)
    return uvicorn.Config(
        app,
        host=host or config.server.host,
        port=port if port is not None else config.server.port,
        log_config=None,  # keep the root handler (one line per event, personal data masked)
        access_log=False,
        ws="websockets-sansio",
        ws_ping_interval=20,
        ws_ping_timeout=20,
        timeout_graceful_shutdown=3,
    )


def serve(config: HallConfig, data_dir: Path, host: str | None = None, port: int | None = None) -> None:
    uvicorn.Server(uvicorn_config(config, data_dir, host, port)).run()
