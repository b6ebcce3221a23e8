"""Captured pages as one multi-page PDF, each page the size it is on paper, small enough to send.

Grey and colour pages are embedded as JPEG (reportlab passes JPEG through untouched), at the
highest quality that keeps a page within `max_page_bytes` (300 KB by default: a grey A4 page at
200 dpi is well within it at the starting quality). Black-and-white pages are embedded
losslessly (deflate), which packs two-level pages small. The page size follows from the image's pixels and the
dpi, so an A4 capture prints as A4 and an ID card sheet too. Everything happens in memory: the
PDF is personal data, and the caller seals it (store.py) before it touches a disk.
"""
from __future__ import annotations

import io
from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

MAX_PAGE_BYTES = 300_000
QUALITIES = (85, 78, 70, 62, 55, 48, 40, 32)
POINTS_PER_INCH = 72.0


def jpeg_within(image: np.ndarray, max_bytes: int) -> bytes:
    """The page as JPEG at the best quality of QUALITIES that fits `max_bytes`; ValueError if none does."""
    for quality in QUALITIES:
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality,
                                                cv2.IMWRITE_JPEG_OPTIMIZE, 1])
        if ok and len(data) <= max_bytes:
            return data.tobytes()
    raise ValueError(f"a page of {image.shape[1]}x{image.shape[0]} does not fit {max_bytes} bytes "
                     f"even at JPEG quality {QUALITIES[-1]}")


def _is_bw(image: np.ndarray) -> bool:
    return image.ndim == 2 and bool(np.isin(image[::7, ::7], (0, 255)).all()) and bool(
        np.isin(np.unique(image), (0, 255)).all())


def pages_pdf(pages: Sequence[np.ndarray], dpi: int = 200, *, max_page_bytes: int = MAX_PAGE_BYTES,
              title: str = "") -> bytes:
    """One PDF page per image (BGR colour, grey, or black-and-white 0/255), in order."""
    if not pages:
        raise ValueError("a PDF needs at least one page")
    a85, rl_config.useA85 = rl_config.useA85, 0  # binary streams: ASCII85 would add a quarter
    try:
        return _write(pages, dpi, max_page_bytes, title)
    finally:
        rl_config.useA85 = a85


def _write(pages: Sequence[np.ndarray], dpi: int, max_page_bytes: int, title: str) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pageCompression=1)
    pdf.setTitle(title)
    pdf.setCreator("yiciban")
    for number, image in enumerate(pages, 1):
        if image.ndim not in (2, 3) or image.size == 0:
            raise ValueError(f"page {number} is not an image (shape {image.shape})")
        height, width = image.shape[:2]
        size = (width / dpi * POINTS_PER_INCH, height / dpi * POINTS_PER_INCH)
        pdf.setPageSize(size)
        if _is_bw(image):
            reader = ImageReader(Image.fromarray(image, "L"))  # 0/255 grey: deflate packs it small
        else:
            reader = ImageReader(io.BytesIO(jpeg_within(image, max_page_bytes)))
        pdf.drawImage(reader, 0, 0, width=size[0], height=size[1])
        pdf.showPage()
    pdf.save()
    return out.getvalue()
