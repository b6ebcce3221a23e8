"""Printer profiles as data: paper geometry, the 2-byte font's coverage, what the model supports.

The figures are those of common 203 dpi Chinese thermal printers (PROTOCOLS.md §2); check them
against the model and override them per device through its settings.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FONTS = ("gb2312", "gbk")


@dataclass(frozen=True)
class Profile:
    name: str
    paper_mm: int
    dots: int  # printable width in dots
    font: str = "gbk"  # what the built-in 2-byte font covers: "gb2312" or "gbk" (GB18030 2-byte)
    ascii_cell: int = 12  # font A: 12 x 24 dots
    cjk_cell: int = 24  # 24 x 24 dots
    char_height: int = 24
    line_spacing: int = 30  # dots, the default of ESC 2
    qr_native: bool = True  # GS ( k; False: QR codes are sent as raster images
    qr_module: int = 6
    barcode_native: bool = True
    cut_feed: int = 3  # GS V 66 n: feed n units, then a partial cut
    partial_cut: bool = True
    confirm: bool = True  # answers GS r 1 in sequence: the job is known to be printed
    clear_buffers: bool = True  # supports DLE DC4 fn=8 to drop an unprinted job after a fault
    status_requests: tuple[int, ...] = (1, 2, 3, 4)  # the DLE EOT n the model answers
    raster_band: int = 256  # rows per GS v 0 command (small receive buffers)
    raster_font: str = ""  # a font file tried first for the raster fallback (rare characters)
    dpi: int = 203

    def __post_init__(self) -> None:
        if self.font not in FONTS:
            raise ValueError(f"font must be one of {', '.join(FONTS)}, not {self.font!r}")
        if self.dots % 8 or not 0 < self.dots <= 4096:
            raise ValueError(f"printable width must be a multiple of 8 dots, not {self.dots}")

    @property
    def columns(self) -> int:
        """Single-byte characters per line at normal size (a Chinese character takes two)."""
        return self.dots // self.ascii_cell

    @property
    def paper_dots(self) -> int:
        return round(self.paper_mm * self.dpi / 25.4)


# Many 58 mm printers carry only a GB2312 font; 80 mm ones usually the GBK (GB18030 2-byte) set.
PROFILES: dict[int, Profile] = {
    58: Profile("58mm", 58, 384, font="gb2312", qr_module=5, line_spacing=30),
    80: Profile("80mm", 80, 576, font="gbk", qr_module=6, line_spacing=30),
}

_BOOL_TRUE = {"1", "true", "yes", "on"}


def _coerce(field: dataclasses.Field[Any], value: Any) -> Any:
    kind = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", "")
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).strip().lower() in _BOOL_TRUE
    if kind == "int":
        return int(value)
    if kind.startswith("tuple"):
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        return tuple(int(x) for x in items if str(x).strip())
    return str(value)


def profile_for(settings: Mapping[str, Any] | None = None) -> Profile:
    """The profile for a device's settings: `width` (58 or 80, default 80) picks the base, and any
    profile field named in the settings (font, qr_native, confirm ...) overrides it."""
    settings = settings or {}
    width = int(settings.get("width", 80))
    if width not in PROFILES:
        raise ValueError(f"paper width must be one of {', '.join(map(str, PROFILES))} mm, not {width}")
    base = PROFILES[width]
    changes = {f.name: _coerce(f, settings[f.name]) for f in dataclasses.fields(Profile)
               if f.name in settings and f.name not in ("name", "paper_mm")}
    return dataclasses.replace(base, **changes) if changes else base
