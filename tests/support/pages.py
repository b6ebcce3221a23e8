"""For the tests of a case's pages: small real PDFs of captured pages (grey A5-sized sheets at
100 dpi with a few lines of "text", made by the kiosk's own PDF writer), and a hall process
with a matter marked for self-service."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from drivers.camera.pdf import pages_pdf
from tests.support.halls import small_hall_toml
from tests.support.hallserver import HallServer, free_port


def sample_pdf(pages: int = 1, seed: int = 0, noise: bool = False) -> bytes:
    """`noise`: speckled sheets, which JPEG cannot shrink (a PDF of several hundred KB)."""
    rng = np.random.default_rng(seed)
    sheets = []
    for n in range(pages):
        sheet = np.full((830, 580), 245, np.uint8)
        for row in range(60, 780, 40):
            width = int(rng.integers(200, 500))
            sheet[row:row + 12, 40:40 + width] = 30 + n
        if noise:
            sheet = np.clip(sheet.astype(np.int16) + rng.integers(-40, 40, sheet.shape), 0, 255).astype(np.uint8)
        sheets.append(sheet)
    return pages_pdf(sheets, 100, title="材料")


def self_service_hall(directory: Path) -> Iterator[HallServer]:
    """A real hall process whose 食品经营许可 (申请书, 营业执照 required; 委托书 conditional) is
    marked for self-service application at the kiosk."""
    from tests.api.test_cases import MATTER_TOML

    config = Path(directory) / "hall.toml"
    matter = MATTER_TOML.replace("visits = 1\n", "visits = 1\nself_service = true\n", 1)
    config.write_text(small_hall_toml() + matter, encoding="utf-8")
    server = HallServer(config, Path(directory) / "data", Path(directory) / "hall-server.log", free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()
