"""`yiciban platform`: the reference platform as a process (uvicorn), on its data directory."""
from __future__ import annotations

import argparse
import logging
import os
import secrets
from pathlib import Path

from ground.paths import private_dir

log = logging.getLogger(__name__)

ADMIN_TOKEN_FILE = "admin.token"


def _admin_token_file(data_dir: Path) -> str:
    """A platform started without an admin token makes one, readable only by its owner."""
    path = data_dir / ADMIN_TOKEN_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(token + "\n")
    log.info("no admin token configured: made one in %s", path)
    return token


def build(data_dir: Path, config: str | None):
    from sync.platform.app import create_platform_app
    from sync.platform.config import load_settings, token_digest
    from sync.platform.db import Database
    from sync.platform.store import PlatformStore

    settings = load_settings(config)
    private_dir(data_dir)  # it will hold personal data: its owner only
    if settings.admin_digest is None:
        settings.admin_digest = token_digest(_admin_token_file(data_dir))
    if not settings.nodes:
        log.warning("no nodes configured ([[nodes]] or YICIBAN_PLATFORM_NODES): every push will be refused")
    database = settings.database or f"sqlite:///{data_dir / 'platform.db'}"
    store = PlatformStore(Database(database))
    log.info("platform storage: %s, %d nodes", "PostgreSQL" if database.startswith("postgres") else database,
             len(settings.nodes))
    app = create_platform_app(store, settings)
    from sync.platform.provincial import ProvinceStore, province_router

    app.include_router(province_router(ProvinceStore(data_dir / "province.db"), settings))  # a province's 好差评
    return app


def openapi_text() -> str:
    """The platform API's OpenAPI schema, as committed in docs/openapi/platform.json."""
    import json
    import tempfile

    from sync.platform.app import create_platform_app
    from sync.platform.config import PlatformSettings
    from sync.platform.db import Database
    from sync.platform.store import PlatformStore

    with tempfile.TemporaryDirectory() as tmp:
        store = PlatformStore(Database(Path(tmp) / "platform.db"))
        try:
            schema = create_platform_app(store, PlatformSettings()).openapi()
        finally:
            store.close()
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def run(args: argparse.Namespace) -> int:
    import sys

    import uvicorn

    if getattr(args, "openapi", False):
        sys.stdout.write(openapi_text())
        return 0

    from ground.paths import data_dir as default_data_dir
    from sync.platform.config import PlatformConfigError

    directory = Path(args.data_dir) if args.data_dir else default_data_dir() / "platform"
    try:
        app = build(directory, args.config)
    except PlatformConfigError as exc:
        log.error("%s", exc)
        return 2
    from ground import notify

    uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_config=None, access_log=False,
                                  timeout_graceful_shutdown=3, timeout_notify=int(notify.ping_every()),
                                  callback_notify=notify.alive_async if notify.enabled() else None)).run()
    return 0
