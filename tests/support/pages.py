"""Small real PDFs of captured pages for the tests of a case's pages: grey A5-sized sheets at
100 dpi with a few lines of "text", made by the kiosk's own PDF writer."""
from __future__ import annotations

import numpy as np

from drivers.camera.pdf import pages_pdf


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
