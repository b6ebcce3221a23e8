"""The sample case notices written to files: `make screenshots` and `yiciban notices` use it.

Each notice of `hall.notices.samples` goes to `<out>/<kind>.pdf`, and, read back the way a
person would look at it, to `<out>/<kind>.png` through poppler's pdftoppm.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hall.notices.render import case_notice_pdf
from hall.notices.samples import sample_notices

DOCS = Path(__file__).resolve().parents[2] / "docs" / "notices"
PNG_DPI = 60


class PdftoppmMissing(RuntimeError):
    """The PNG pictures need poppler-utils' pdftoppm."""


def write_samples(out: Path | None = None, *, png: bool = True) -> list[Path]:
    """Render every sample notice into `out` (default docs/notices); the paths written."""
    out = out or DOCS
    tool = shutil.which("pdftoppm")
    if png and tool is None:
        raise PdftoppmMissing("pdftoppm not found: install poppler-utils, or pass --no-png")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for kind, notice in sample_notices().items():
        pdf = out / f"{kind}.pdf"
        pdf.write_bytes(case_notice_pdf(notice))
        written.append(pdf)
        if png and tool:
            subprocess.run([tool, "-r", str(PNG_DPI), "-png", "-singlefile", str(pdf),
                            str(out / kind)], check=True, timeout=60)
            written.append(out / f"{kind}.png")
    return written
