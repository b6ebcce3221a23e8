"""Drawing a simulated ticket: the engine's items (rows, feeds, images, QR codes, barcodes) on a
strip of paper as wide as the roll, ink black, with the printer's side margins."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PIL import Image, ImageDraw

from drivers.escpos import render
from drivers.escpos.profiles import Profile

TOP_MARGIN = 24  # dots between the last cut and the first printed row (the head-to-cutter gap)


def _item_mask(item: tuple[Any, ...], dots: int) -> Image.Image | None:
    kind = item[0]
    if kind == "row":
        _, align, cells, height = item
        return render.draw_row(cells, align, dots, height)
    if kind == "feed":
        return Image.new("L", (dots, item[1]), 0) if item[1] > 0 else None
    if kind == "raster":
        _, wb, rows, data, mode, align = item
        mask = render.from_raster(wb, rows, data)
        if mode:
            sx, sy = (2 if mode & 1 else 1), (2 if mode & 2 else 1)
            mask = mask.resize((mask.width * sx, mask.height * sy), Image.Resampling.NEAREST)
        return render.place(mask, dots, align)
    if kind == "qr":
        _, data, module, ec, align = item
        return render.place(render.qr_mask(data, module, ec), dots, align)
    if kind == "barcode":
        _, name, text, height, module, hri, align = item
        return render.place(render.barcode_mask(name, text, height, module, hri), dots, align)
    return None


def draw_ticket(items: Sequence[tuple[Any, ...]], profile: Profile) -> Image.Image:
    """The ticket as a grayscale image: white paper, black dots, a thin grey edge."""
    dots = profile.dots
    masks = [m for m in (_item_mask(i, dots) for i in items) if m is not None]
    body = render.stack(masks, dots)
    paper_w = max(profile.paper_dots, dots)
    margin = (paper_w - dots) // 2
    paper = Image.new("L", (paper_w, body.height + TOP_MARGIN), 255)
    paper.paste(0, (margin, TOP_MARGIN), body)
    ImageDraw.Draw(paper).rectangle((0, 0, paper.width - 1, paper.height - 1), outline=200)
    return paper
