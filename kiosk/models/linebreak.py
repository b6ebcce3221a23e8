"""Chinese line breaking on the screens: labels break only where `ground.linebreak` allows.

Qt's own line breaking puts a break between any two Chinese characters. Joining the
characters of each unit with WORD JOINER (U+2060, no width, never a break) leaves Qt free
to break only between units, at whatever width the label has now or gets later, so
"请刷身份证" never becomes "请刷身份/证" and "3号窗口" never "3号窗/口". A text that ends in a
single-character unit has it joined to the unit before, so no line holds one character alone;
a space inside a unit ("约 75 分钟") becomes a no-break space.
`unglue` gives the text back as written (what tests and the accessibility name read).
"""
from __future__ import annotations

from collections.abc import Sequence

from ground.linebreak import LineProblem, is_cjk, line_problems, segment, visible_length

JOINER = "\u2060"
NO_BREAK_SPACE = "\u00a0"  # Qt breaks after any plain space, a joiner beside it or not


def glue(text: str) -> str:
    """`text` with a WORD JOINER inside every unit; text without Chinese is returned as it is."""
    if not text or JOINER in text or not any(is_cjk(c) for c in text) or rich(text):
        return text
    lines = []
    for paragraph in text.split("\n"):
        units = segment(paragraph)
        words = [i for i, u in enumerate(units) if not u.isspace()]
        if len(words) > 1 and visible_length(units[words[-1]]) == 1:
            last = words[-1]
            units[words[-2]:last + 1] = ["".join(units[words[-2]:last + 1])]
        lines.append("".join(JOINER.join(unit.replace(" ", NO_BREAK_SPACE)) if any(is_cjk(c) for c in unit)
                             else unit for unit in units))
    return "\n".join(lines)


def rich(text: str) -> bool:
    """Markup that a label renders as rich text: left alone (a joiner inside a tag breaks it)."""
    return "<" in text and ">" in text


def unglue(text: str) -> str:
    return text.replace(JOINER, "").replace(NO_BREAK_SPACE, " ")


def label_problems(lines: Sequence[str]) -> list[LineProblem]:
    """The line rules' breaches in a label's laid-out lines (joiners ignored)."""
    return line_problems([unglue(line) for line in lines])
