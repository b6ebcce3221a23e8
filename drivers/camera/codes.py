"""Codes from images: QR codes and barcodes in camera frames, photos and screen captures.

`decode(image)` runs a short pipeline of stages and stops at the first stage that reads
something (`exhaustive=True` runs them all and merges). The default order was chosen by
measurement on the BoofCV QR benchmark (docs/benchmarks/qr.md):

1. zxing-cpp on the grey image (it already tries rotations, inversion and a downscale pyramid);
2. zxing-cpp on the image upscaled x2, for images up to 1280 px (small, distant codes);
3. ZBar on the image downscaled to at most 1280 px (ZBar at full resolution reads almost
   nothing shown on monitor screens, and is slow on large photos);
4. ZBar on an adaptive-threshold binarised version (codes without their quiet zone, uneven light);
5. ZBar on a slightly blurred version (print dots, moire, sensor noise);
6. zxing-cpp on each large quadrilateral outline (ticket, card, phone screen) warped to a
   square: codes seen at a steep angle (rectify.py).

`CLAHE_STAGE` (contrast-limited histogram equalisation, then zxing-cpp) is available for callers
that want it; it read nothing more on the benchmark, so it is not in the default list.

Text: zxing-cpp's text honours ECI (a UTF-8 + ECI QR code reads right). A code without ECI whose
bytes are not UTF-8 and that zxing-cpp could only read by guessing Latin-1 or Shift_JIS is read
as GB18030 when that gives clean text with Chinese in it (Chinese generators commonly write GBK
without ECI); `legacy_encoding=None` turns this off. ZBar gives its own UTF-8 conversion.
Content is not validated: any payload, even garbage bytes, is returned as read, with its format.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import cv2
import numpy as np

from drivers.camera import rectify

log = logging.getLogger(__name__)

Point = tuple[float, float]
Hit = tuple[str, str, list[Point], bytes]  # text, format, corners, raw

# ZBar's symbol names -> the format names used here (zxing-cpp's)
ZBAR_FORMATS: dict[str, str] = {
    "QRCODE": "QRCode", "CODE128": "Code128", "CODE39": "Code39", "CODE93": "Code93",
    "EAN13": "EAN13", "EAN8": "EAN8", "UPCA": "UPCA", "UPCE": "UPCE", "ISBN13": "EAN13",
    "ISBN10": "EAN13", "I25": "ITF", "CODABAR": "Codabar", "DATABAR": "DataBar",
    "DATABAR_EXP": "DataBarExpanded", "PDF417": "PDF417", "EAN2": "EAN2", "EAN5": "EAN5",
}
_FORMAT_ALIASES = {"DataBarExp": "DataBarExpanded", "DataBarLtd": "DataBarLimited"}


@dataclass(frozen=True)
class Code:
    text: str
    format: str  # "QRCode", "MicroQRCode", "Code128", "EAN13", "DataMatrix", ...
    position: tuple[Point, Point, Point, Point]  # corners in the input image's pixels
    raw: bytes = b""  # the payload bytes (ZBar: its UTF-8 conversion)
    reader: str = ""  # "zxing" or "zbar"
    stage: str = ""  # the pipeline stage that read it

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """Bounding rectangle (x0, y0, x1, y1)."""
        xs = [p[0] for p in self.position]
        ys = [p[1] for p in self.position]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class Stage:
    name: str
    reader: str  # "zxing" or "zbar"
    prep: str = "gray"  # gray | adaptive | blur | clahe | rectified
    scale: float = 1.0  # resize before reading (after max_side)
    max_side: int = 0  # first downscale so the longer side is at most this; 0: as is
    below: int = 0  # run only for images whose longer side is at most this; 0: always


DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("zxing", "zxing"),
    Stage("zxing-x2", "zxing", scale=2.0, below=1280),
    Stage("zbar", "zbar", max_side=1280),
    Stage("zbar-binarised", "zbar", prep="adaptive", max_side=1280),
    Stage("zbar-blurred", "zbar", prep="blur", max_side=1280),
    Stage("zxing-rectified", "zxing", prep="rectified"),
)
FAST_STAGES: tuple[Stage, ...] = DEFAULT_STAGES[:1]
CLAHE_STAGE = Stage("zxing-clahe", "zxing", prep="clahe", max_side=1280)
ADAPTIVE_BLOCK, ADAPTIVE_C = 21, 5


@functools.cache
def _zxing() -> ModuleType | None:
    try:
        import zxingcpp
    except ImportError as exc:
        log.warning("zxing-cpp is not available (%s); reading with ZBar only", exc)
        return None
    return zxingcpp


@functools.cache
def _zbar() -> ModuleType | None:
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError) as exc:  # the package, or libzbar0, is missing
        log.warning("pyzbar/libzbar is not available (%s); reading with zxing-cpp only", exc)
        return None
    return pyzbar


def to_gray(image: np.ndarray) -> np.ndarray:
    """A contiguous 8-bit grey image from grey, BGR or BGRA; ValueError for anything else."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"decode needs a numpy image, not {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ValueError(f"decode needs an 8-bit image, not {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    if image.ndim == 3 and image.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        return cv2.cvtColor(image, code)
    raise ValueError(f"decode needs a grey, BGR or BGRA image, not shape {image.shape}")


def _resize(gray: np.ndarray, scale: float) -> np.ndarray:
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp)


Prepared = tuple[np.ndarray, float]  # image, scale relative to the original


def _prepare(gray: np.ndarray, stage: Stage, cache: dict[Any, Prepared]) -> Prepared:
    """The stage's input image, and its scale relative to the original."""
    key = (stage.max_side, stage.prep, stage.scale)
    if key in cache:
        return cache[key]
    scale = 1.0
    img = gray
    longest = max(gray.shape[:2])
    if stage.max_side and longest > stage.max_side:
        scale = stage.max_side / longest
        base_key = (stage.max_side, "gray", 1.0)
        if base_key not in cache:
            cache[base_key] = (_resize(gray, scale), scale)
        img = cache[base_key][0]
    if stage.prep == "adaptive":
        img = cv2.adaptiveThreshold(img, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                    ADAPTIVE_BLOCK, ADAPTIVE_C)
    elif stage.prep == "blur":
        img = cv2.GaussianBlur(img, (5, 5), 0)
    elif stage.prep == "clahe":
        img = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(img)
    elif stage.prep != "gray":
        raise ValueError(f"unknown preparation {stage.prep!r} in stage {stage.name}")
    if stage.scale != 1.0:
        img = _resize(img, stage.scale)
        scale *= stage.scale
    cache[key] = (img, scale)
    return img, scale


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


def legacy_text(raw: bytes, text: str, legacy_encoding: str | None = "gb18030") -> str:
    """zxing-cpp's text, or the GB18030 reading of `raw` when zxing-cpp could only guess."""
    if not legacy_encoding or not raw or raw.isascii():
        return text
    try:
        raw.decode("utf-8")
        return text
    except UnicodeDecodeError:
        pass
    guesses = {raw.decode("latin-1")}
    try:
        guesses.add(raw.decode("shift_jis"))
    except UnicodeDecodeError:
        pass
    if text not in guesses:
        return text  # an ECI said what the bytes are
    try:
        legacy = raw.decode(legacy_encoding)
    except UnicodeDecodeError:
        return text
    return legacy if _has_cjk(legacy) and legacy.isprintable() else text


def _read_zxing(img: np.ndarray, formats: Any, legacy_encoding: str | None) -> list[Hit]:
    zxingcpp = _zxing()
    if zxingcpp is None:
        return []
    kwargs: dict[str, Any] = {"text_mode": zxingcpp.TextMode.Plain}
    if formats is not None:
        kwargs["formats"] = formats
    out = []
    for b in zxingcpp.read_barcodes(img, **kwargs):
        raw = bytes(b.bytes)
        if not b.text and not raw:
            continue
        p = b.position
        corners = [p.top_left, p.top_right, p.bottom_right, p.bottom_left]
        out.append((legacy_text(raw, b.text, legacy_encoding), b.format.name,
                    [(float(c.x), float(c.y)) for c in corners], raw))
    return out


def _read_zbar(img: np.ndarray, symbols: list[Any] | None) -> list[Hit]:
    pyzbar = _zbar()
    if pyzbar is None:
        return []
    out = []
    for d in pyzbar.decode(img, symbols=symbols):
        if not d.data:
            continue
        pts = [(float(p.x), float(p.y)) for p in d.polygon]
        if len(pts) == 4:
            pts = [pts[0], pts[3], pts[2], pts[1]]  # ZBar goes anticlockwise; make it clockwise
        else:
            box = cv2.boxPoints(cv2.minAreaRect(np.array(pts or [(0, 0)], dtype=np.float32)))
            pts = [(float(x), float(y)) for x, y in box]
        out.append((d.data.decode("utf-8", "replace"), ZBAR_FORMATS.get(d.type, d.type), pts, bytes(d.data)))
    return out


def _read_rectified(gray: np.ndarray, stage: Stage, read: Callable[[np.ndarray], list[Hit]]) -> list[Hit]:
    """Each large quadrilateral outline warped square and read; stops at the first that reads."""
    for quad in rectify.find_quads(gray, stage.max_side or 1280):
        image, inverse = rectify.warp(gray, quad)
        hits = read(image)
        if hits:
            return [(t, f, rectify.map_back(pts, inverse), r) for t, f, pts, r in hits]
    return []


def _formats(names: Iterable[str] | None) -> tuple[Any, list[Any] | None, bool]:
    """(zxing-cpp formats or None, ZBar symbols or None, whether ZBar can read any of them)."""
    if names is None:
        return None, None, True
    wanted = {_FORMAT_ALIASES.get(n, n) for n in names}
    zx = None
    zxingcpp = _zxing()
    if zxingcpp is not None:
        try:
            zx = zxingcpp.barcode_formats_from_str(",".join(sorted(wanted)))
        except ValueError as exc:
            raise ValueError(f"unknown code format in {sorted(wanted)}: {exc}") from None
    pyzbar = _zbar()
    symbols = None
    if pyzbar is not None:
        symbols = [s for s in pyzbar.ZBarSymbol if ZBAR_FORMATS.get(s.name) in wanted]
    return zx, symbols, bool(symbols)


def _same(a: Code, b: Code) -> bool:
    """One code read twice (by two stages): same format and text, overlapping rectangles."""
    ra, rb = a.rect, b.rect
    overlap = min(ra[2], rb[2]) > max(ra[0], rb[0]) and min(ra[3], rb[3]) > max(ra[1], rb[1])
    return a.format == b.format and a.text == b.text and overlap


def decode(
    image: np.ndarray,
    *,
    formats: Iterable[str] | None = None,
    exhaustive: bool = False,
    stages: Sequence[Stage] = DEFAULT_STAGES,
    legacy_encoding: str | None = "gb18030",
) -> list[Code]:
    """Every code read in `image` (grey, BGR or BGRA, 8-bit), by the first stage that reads any.

    `formats`: names such as {"QRCode", "Code128"} (default: all both readers know).
    `exhaustive`: run every stage and merge (a second code in the picture is not missed).
    """
    gray = to_gray(image)
    if gray.size == 0:
        return []
    zx_formats, zbar_symbols, zbar_useful = _formats(formats)
    longest = max(gray.shape[:2])
    cache: dict[Any, Prepared] = {}
    found: list[Code] = []
    for stage in stages:
        if stage.below and longest > stage.below:
            continue
        if stage.reader == "zbar" and not zbar_useful:
            continue
        if stage.reader == "zxing":
            read = functools.partial(_read_zxing, formats=zx_formats, legacy_encoding=legacy_encoding)
        elif stage.reader == "zbar":
            read = functools.partial(_read_zbar, symbols=zbar_symbols)
        else:
            raise ValueError(f"unknown reader {stage.reader!r} in stage {stage.name}")
        if stage.prep == "rectified":
            hits = _read_rectified(gray, stage, read)
        else:
            img, scale = _prepare(gray, stage, cache)
            hits = [(t, f, [(x / scale, y / scale) for x, y in pts], r) for t, f, pts, r in read(img)]
        new = 0
        for text, fmt, corners, raw in hits:
            code = Code(text, fmt, tuple(corners), raw, stage.reader, stage.name)  # type: ignore[arg-type]
            if any(_same(c, code) for c in found):
                continue
            found.append(code)
            new += 1
        if new:
            log.debug("stage %s read %d code(s)", stage.name, new)
            if not exhaustive:
                break
    return found
