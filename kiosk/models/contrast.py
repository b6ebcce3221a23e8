"""Contrast as WCAG 2.x measures it: text must stand out from what it is drawn on.

DOMAIN.md's 适老化 rules and WCAG agree on the numbers: 4.5:1 for text, 3:1 for the edge of a
component (a tile, a card, a key). The theme's tests and the layout rules over every screen
measure with these functions; colours are "#RRGGBB" (or "#AARRGGBB", drawn over a background).
"""
from __future__ import annotations

TEXT_MIN = 4.5
EDGE_MIN = 3.0


def rgb(colour: str) -> tuple[int, int, int]:
    """"#RRGGBB" as three channels; anything else is a ValueError that names the colour."""
    text = colour.strip().lstrip("#")
    if len(text) == 8:  # #AARRGGBB: the colour without its alpha
        text = text[2:]
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"colour {colour!r} is not #RRGGBB")
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        raise ValueError(f"colour {colour!r} is not #RRGGBB") from None


def luminance(colour: str | tuple[int, int, int]) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    channels = rgb(colour) if isinstance(colour, str) else colour

    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: str | tuple[int, int, int], b: str | tuple[int, int, int]) -> float:
    """The contrast ratio between two colours, 1 to 21."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def over(colour: str, alpha: float, background: str) -> str:
    """`colour` drawn at `alpha` over `background`, as the colour the eye sees."""
    top, bottom = rgb(colour), rgb(background)
    mixed = (round(t * alpha + b * (1 - alpha)) for t, b in zip(top, bottom, strict=True))
    return "#" + "".join(f"{c:02X}" for c in mixed)
