"""What travels on the keypad bus, in words: keys, 好差评 levels and reasons, and the events a
bus master hands to its caller.

Codes are data shared by the codec, the bus master and the simulator. The reason list is ours:
the normative list of 差评 content (GB/T 39734-2020, Annex A) is not public, so a pad may be set
up with other reason keys; unknown reason codes travel as plain ints.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

DeviceKind = Literal["keypad", "pad"]


class DeviceType(enum.IntEnum):
    """What a device says it is, in IDLE and INFO replies."""

    KEYPAD = 1  # window caller keypad (呼叫器)
    PAD = 2  # evaluation key pad (评价器)

    @property
    def kind(self) -> DeviceKind:
        return "keypad" if self is DeviceType.KEYPAD else "pad"


class Key(enum.IntEnum):
    """Caller keypad keys."""

    NEXT = 1  # 叫号: call the next ticket
    RECALL = 2  # 重呼: call the current ticket again
    NO_SHOW = 3  # 过号: the citizen did not come
    TRANSFER = 4  # 转移: to another queue or window (value = its number, typed before the key)
    PAUSE = 5  # 暂停: pause / resume the window
    FINISH = 6  # 完成: service finished


KEY_NAMES: dict[str, Key] = {
    "next": Key.NEXT,
    "recall": Key.RECALL,
    "noshow": Key.NO_SHOW,
    "no-show": Key.NO_SHOW,
    "no_show": Key.NO_SHOW,
    "transfer": Key.TRANSFER,
    "pause": Key.PAUSE,
    "finish": Key.FINISH,
}


class Level(enum.IntEnum):
    """The five 好差评 levels (国办发〔2019〕51号); 1 and 2 are 差评."""

    VERY_DISSATISFIED = 1  # 非常不满意
    DISSATISFIED = 2  # 不满意
    FAIR = 3  # 基本满意
    SATISFIED = 4  # 满意
    VERY_SATISFIED = 5  # 非常满意

    @property
    def is_bad(self) -> bool:
        return self <= Level.DISSATISFIED

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS: dict[Level, str] = {
    Level.VERY_DISSATISFIED: "非常不满意",
    Level.DISSATISFIED: "不满意",
    Level.FAIR: "基本满意",
    Level.SATISFIED: "满意",
    Level.VERY_SATISFIED: "非常满意",
}


class Reason(enum.IntEnum):
    """Reason keys of the evaluation pad (our default set)."""

    SLOW = 1  # 办理慢、等候久 (服务效率)
    ATTITUDE = 2  # 服务态度差
    SKILL = 3  # 业务不熟练 (服务水平)
    GUIDANCE = 4  # 未一次性告知
    PROCESS = 5  # 材料、流程繁琐
    ENVIRONMENT = 6  # 环境、设施
    OTHER = 7  # 其他

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS: dict[Reason, str] = {
    Reason.SLOW: "办理慢、等候久",
    Reason.ATTITUDE: "服务态度差",
    Reason.SKILL: "业务不熟练",
    Reason.GUIDANCE: "未一次性告知",
    Reason.PROCESS: "材料、流程繁琐",
    Reason.ENVIRONMENT: "环境、设施",
    Reason.OTHER: "其他",
}

REASON_NAMES: dict[str, Reason] = {r.name.lower(): r for r in Reason}


class Led(enum.IntEnum):
    OFF = 0
    GREEN = 1
    RED = 2
    AMBER = 3


class RatingRefused(ValueError):
    """A rating that the 好差评 rules do not allow (e.g. a 差评 without a reason)."""


def as_reason(code: int) -> int:
    """A known reason code as its `Reason`, an unknown one (1-255) as itself."""
    try:
        return Reason(code)
    except ValueError:
        return code


def check_rating(level: int, reasons: tuple[int, ...]) -> None:
    """Raises `RatingRefused` unless the rating is one the rules allow.

    Levels are 1-5; a 差评 (1 or 2) needs at least one reason; reason codes are 1-255, each once.
    """
    if not 1 <= level <= 5:
        raise RatingRefused(f"level {level} is not one of 1-5")
    if any(not 1 <= r <= 255 for r in reasons):
        raise RatingRefused(f"reason codes must be 1-255: {list(reasons)}")
    if len(set(reasons)) != len(reasons):
        raise RatingRefused(f"a reason is given twice: {list(reasons)}")
    if Level(level).is_bad and not reasons:
        raise RatingRefused(f"差评 ({Level(level).label}) needs at least one reason")


def parse_reasons(text: str) -> tuple[int, ...]:
    """`slow,attitude` or `1,2` (names or codes, comma separated) as reason codes."""
    out: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        if part.isdigit():
            out.append(as_reason(int(part)))
        elif part.lower() in REASON_NAMES:
            out.append(REASON_NAMES[part.lower()])
        else:
            raise ValueError(f"unknown reason {part!r} (known: {', '.join(REASON_NAMES)})")
    return tuple(out)


# -- what the bus master hands to its caller


@dataclass(frozen=True)
class BusDevice:
    """One device on the bus, as configured: its address, what it is, its answer timeout."""

    address: int
    kind: DeviceKind
    timeout: float | None = None  # None: the bus's default

    def __post_init__(self) -> None:
        if not 1 <= self.address <= 247:
            raise ValueError(f"bus address {self.address} is not 1-247")
        if self.kind not in ("keypad", "pad"):
            raise ValueError(f"device kind {self.kind!r} is not keypad or pad")


@dataclass(frozen=True)
class KeyPressed:
    address: int
    key: Key
    counter: int  # the device's event counter: the same counter is the same press
    value: int = 0  # a number typed before the key (transfer target), 0 if none


@dataclass(frozen=True)
class EvaluationResult:
    address: int
    level: Level
    reasons: tuple[int, ...]
    counter: int
    request_id: int  # the evaluation request this rating answers (0: none was pending)
    ticket: str = ""  # the ticket the pad was asked to rate, as the pad echoes it
    window: int = 0

    @property
    def is_bad(self) -> bool:
        return self.level.is_bad


BusEvent = KeyPressed | EvaluationResult


@dataclass(frozen=True)
class DeviceInfo:
    """A device's answer to STATUS."""

    address: int
    type: DeviceType
    version: int
    evaluating: bool  # a pad waiting for a rating
    queued: int  # events not yet acknowledged
    request_id: int  # the pending evaluation request, 0 if none


