"""The sample notices written to files: `make screenshots` and `yiciban notices` use it.

Each case notice of `hall.notices.samples` goes to `<out>/<kind>.pdf`, and the 一次性告知单 of
the sample hall's matter with the most materials, in Chinese and in English, to
`<out>/guide-notice.pdf` and `<out>/guide-notice-en.pdf`; each also, read back the way a person
would look at it, to a PNG of its first page through poppler's pdftoppm.
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

from hall.notices.render import case_notice_pdf
from hall.notices.samples import sample_notices

DOCS = Path(__file__).resolve().parents[2] / "docs" / "notices"
PNG_DPI = 60
GUIDE_PRINTED = dt.datetime(2026, 12, 7, 10, 25)  # a fixed time: the same files on every run


class PdftoppmMissing(RuntimeError):
    """The PNG pictures need poppler-utils' pdftoppm."""


def guide_notices() -> dict[str, bytes]:
    """The sample hall's 一次性告知单 of its matter with the most materials, Chinese and English."""
    from hall.config import load_demo_config
    from hall.notices.guide import notice_pdf

    cfg = load_demo_config()
    matter = max(cfg.matters, key=lambda m: len(m.materials))
    queue = next(q for q in cfg.queues if q.id == matter.queue)
    guide = matter.model_dump() | {"queue_name": queue.name, "queue_name_en": queue.name_en}
    hall = cfg.hall.model_dump()
    return {name: notice_pdf(guide, hall, printed_at=GUIDE_PRINTED, lang=lang)
            for name, lang in (("guide-notice", "zh"), ("guide-notice-en", "en"))}


def write_samples(out: Path | None = None, *, png: bool = True) -> list[Path]:
    """Render every sample notice into `out` (default docs/notices); the paths written."""
    out = out or DOCS
    tool = shutil.which("pdftoppm")
    if png and tool is None:
        raise PdftoppmMissing("pdftoppm not found: install poppler-utils, or pass --no-png")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    documents = {kind: case_notice_pdf(notice) for kind, notice in sample_notices().items()}
    for kind, document in (documents | guide_notices()).items():
        pdf = out / f"{kind}.pdf"
        pdf.write_bytes(document)
        written.append(pdf)
        if png and tool:
            subprocess.run([tool, "-r", str(PNG_DPI), "-png", "-singlefile", str(pdf),
                            str(out / kind)], check=True, timeout=60)
            written.append(out / f"{kind}.png")
    return written
