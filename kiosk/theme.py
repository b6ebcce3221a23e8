"""The look of every screen: one palette, one type scale, one style sheet.

Sizes follow the screen: the base type size is a fraction of the shorter side, so a 1080p
portrait screen and a 1280×800 tablet read alike at arm's length. Elder mode (适老化) scales
the type by 1.5 and switches to a high-contrast palette. Touch targets never drop below
15 mm (`min_target`), whatever the scale. Every text colour stands 4.5:1 against the
backgrounds it is drawn on and every component edge (`border`, `faint`) 3:1, in both
palettes (tests/unit/test_contrast.py measures each pair).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from ground.paths import assets_dir

FONT_FAMILY = "WenQuanYi Micro Hei"
ELDER_SCALE = 1.5
ELDER_LINE_HEIGHT = 1.35  # line pitch in font sizes in elder mode; the 适老化 rule is ≥ 1.3
TARGET_MM = 15.0


@dataclass(frozen=True)
class Palette:
    background: str = "#F2F5FA"
    surface: str = "#FFFFFF"
    text: str = "#1B2433"
    muted: str = "#5B6678"
    primary: str = "#1557D6"  # 政务蓝
    primary_dark: str = "#0D3F9F"
    on_primary: str = "#FFFFFF"
    accent: str = "#C8102E"  # 中国红, for the hall's name and emphasis
    ok: str = "#0E7C45"
    warn: str = "#8F5500"
    bad: str = "#C62828"
    border: str = "#7D8798"  # a card's, a tile's, a key's edge: 3:1 on the background
    header: str = "#0D3F9F"
    on_header: str = "#FFFFFF"
    board: str = "#06163A"  # the hall display's dark board
    on_board: str = "#FFFFFF"
    highlight: str = "#FFC94A"
    faint: str = "#5F6A7C"  # what cannot be used now (a dead key): dashed, yet still legible
    pressed: str = "#D5DCE8"  # a button held down


HIGH_CONTRAST = Palette(
    background="#FFFFFF", surface="#FFFFFF", text="#000000", muted="#1F1F1F",
    primary="#002E8A", primary_dark="#001B52", accent="#A00000", ok="#005A2B",
    warn="#6B3F00", bad="#A00000", border="#000000", header="#000000", on_header="#FFFFFF",
    faint="#595959", pressed="#D9D9D9",
)


@dataclass(frozen=True)
class Theme:
    """Everything a view needs to size and colour itself."""

    base_px: int  # body text, in pixels
    min_target: int  # smallest touch target, in pixels (15 mm)
    elder: bool
    palette: Palette

    def px(self, factor: float) -> int:
        """A size relative to the body text."""
        return max(1, round(self.base_px * factor))


def mm_to_px(mm: float, dpi: float) -> int:
    return round(mm / 25.4 * dpi)


def make_theme(width: int, height: int, dpi: float = 96.0, *, elder: bool = False) -> Theme:
    """The theme for a screen of `width`×`height` pixels at `dpi` (physical dots per inch).

    The body text is 1/40 of the shorter side (27 px on 1080p, 20 px on 800), never under
    18 px; elder mode multiplies it by 1.5.
    """
    short = max(480, min(width, height))
    base = max(18, round(short / 40))
    if elder:
        base = round(base * ELDER_SCALE)
    target = max(mm_to_px(TARGET_MM, dpi), round(base * 2.6))
    return Theme(base_px=base, min_target=target, elder=elder,
                 palette=HIGH_CONTRAST if elder else Palette())


def with_elder(theme: Theme, elder: bool) -> Theme:
    if theme.elder == elder:
        return theme
    base = round(theme.base_px * ELDER_SCALE) if elder else round(theme.base_px / ELDER_SCALE)
    return replace(theme, base_px=base, elder=elder, min_target=max(theme.min_target, round(base * 2.6)),
                   palette=HIGH_CONTRAST if elder else Palette())


@cache
def _template() -> str:
    return (assets_dir() / "kiosk" / "style.qss").read_text(encoding="utf-8")


def style_sheet(theme: Theme) -> str:
    """The application style sheet: assets/kiosk/style.qss with the theme's values filled in."""
    p = theme.palette
    values = {f"c_{name}": getattr(p, name) for name in Palette.__dataclass_fields__}
    values.update(
        font=FONT_FAMILY, base=theme.base_px, small=theme.px(0.8), large=theme.px(1.3),
        title=theme.px(1.8), huge=theme.px(3.2), target=theme.min_target,
        radius=theme.px(0.7), pad=theme.px(0.6), gap=theme.px(0.4), border=2 if theme.elder else 1,
    )
    text = _template()
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def icon_path(name: str) -> Path:
    """An SVG icon from assets/icons; a missing one is a packaging error, raised clearly."""
    path = assets_dir() / "icons" / f"{name}.svg"
    if not path.exists():
        raise FileNotFoundError(f"icon {name!r} missing: {path}")
    return path
