"""Values of the case domain: states, channels, how a material was provided, who applied.

Personal data is kept as the queue keeps it: an ID number only as its keyed hash and its
masked form, a name only masked, a phone number only masked.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any

from hall.cases.errors import InvalidCase


class CaseState(enum.StrEnum):
    PRESUBMITTED = "presubmitted"  # 预审: submitted, waiting for a window's check
    CORRECTION = "correction"  # 补正: missing materials told at once, waiting with its own deadline
    REFUSED = "refused"  # 不予受理
    ACCEPTED = "accepted"  # 受理: the promised date runs
    HANDLING = "handling"  # 办理中: steps under way
    CONCLUDED = "concluded"  # 办结: approved or not, the result waits for 出件
    DELIVERED = "delivered"  # 出件: handed over or posted
    CLOSED = "closed"


STATE_LABEL = {
    CaseState.PRESUBMITTED: "预审",
    CaseState.CORRECTION: "补正",
    CaseState.REFUSED: "不予受理",
    CaseState.ACCEPTED: "已受理",
    CaseState.HANDLING: "办理中",
    CaseState.CONCLUDED: "已办结",
    CaseState.DELIVERED: "已出件",
    CaseState.CLOSED: "已归档",
}

# the hall's clock runs (and a light shows) only while the case is in the hall's hands
CLOCK_STATES = frozenset({CaseState.ACCEPTED, CaseState.HANDLING})
OPEN_STATES = frozenset(
    {CaseState.PRESUBMITTED, CaseState.CORRECTION, CaseState.ACCEPTED, CaseState.HANDLING,
     CaseState.CONCLUDED, CaseState.DELIVERED}
)


class Channel(enum.StrEnum):
    WINDOW = "window"
    KIOSK = "kiosk"
    VILLAGE = "village"  # 村（社区）代办点
    PHONE = "phone"


class Provision(enum.StrEnum):
    """How one material of the checklist was provided."""

    ORIGINAL = "original"  # 原件
    COPY = "copy"  # 复印件
    LICENCE = "licence"  # 电子证照
    IMAGE = "image"  # 采集的影像
    MISSING = "missing"


PROVISION_LABEL = {
    Provision.ORIGINAL: "原件",
    Provision.COPY: "复印件",
    Provision.LICENCE: "电子证照",
    Provision.IMAGE: "影像",
    Provision.MISSING: "未提供",
}


class Delivery(enum.StrEnum):
    PICKUP = "pickup"  # at the result window (出件窗口)
    POST = "post"  # free post (免费寄递)


class PickupProof(enum.StrEnum):
    ID_CARD = "id_card"
    NOTICE_QR = "notice_qr"


# steps whose time does not count toward the limit (行政许可法 §45)
PAUSING_STEPS = frozenset({"听证", "检验", "检测", "鉴定", "专家评审"})

_HASH = re.compile(r"[0-9a-f]{64}")
_MASKED_ID = re.compile(r"\d{6}\*{8}\d{3}[\dX]")
_MASKED_PHONE = re.compile(r"\d{3}\*{4}\d{4}")
_MASKED_NAME = re.compile(r"\S\**( \S\**)*")


@dataclass(frozen=True)
class MaterialDef:
    """One line of the matter's checklist (from its service guide)."""

    name: str
    form: str = ""  # what the guide asks for: 原件, 复印件, ...
    required: bool = True  # False: conditional, needed only when its condition applies
    note: str = ""  # the condition, for conditional materials


@dataclass(frozen=True)
class MatterDef:
    code: str  # the matter's unified code (基本编码)
    name: str
    department: str
    promised_days: int  # working days; 0 is 即办 (the same day)
    legal_days: int | None = None
    materials: tuple[MaterialDef, ...] = ()

    def material(self, name: str) -> MaterialDef | None:
        return next((m for m in self.materials if m.name == name), None)


@dataclass(frozen=True)
class CasePolicy:
    number_pattern: str = "{area}{year}{serial:06d}"
    area: str = "000000"
    yellow_working_days: int = 2  # yellow when this many working days or fewer remain
    correction_working_days: int = 5  # the applicant's deadline for 补正, by default


@dataclass(frozen=True)
class Person:
    """A person as a case keeps one: keyed hash and masked ID number, masked name."""

    holder: str
    id_masked: str
    name_masked: str = ""

    def __post_init__(self) -> None:
        if not _HASH.fullmatch(self.holder):
            raise InvalidCase("holder 须为身份证号的密钥散列（64 位十六进制），不能是号码本身", field="holder")
        if not _MASKED_ID.fullmatch(self.id_masked):
            raise InvalidCase("id_masked 须为遮蔽后的身份证号（如 110105********002X）", field="id_masked")
        if self.name_masked and not _MASKED_NAME.fullmatch(self.name_masked):
            raise InvalidCase("name_masked 须为遮蔽后的姓名（如 张*）", field="name_masked")

    def to_dict(self) -> dict[str, Any]:
        return {"holder": self.holder, "id_masked": self.id_masked, "name_masked": self.name_masked}


@dataclass(frozen=True)
class Applicant:
    """A person (`person`) or an organisation (`credit_code` and `org_name`), never both."""

    person: Person | None = None
    credit_code: str | None = None
    org_name: str = ""

    def __post_init__(self) -> None:
        from hall.cases.codes import check_credit_code

        if (self.person is None) == (self.credit_code is None):
            raise InvalidCase("申请人须为个人（身份证）或单位（统一社会信用代码），二者选一", field="applicant")
        if self.credit_code is not None:
            check_credit_code(self.credit_code)
            if not self.org_name.strip():
                raise InvalidCase("单位申请人须有单位名称", field="org_name")

    @property
    def kind(self) -> str:
        return "person" if self.person is not None else "organisation"

    def to_dict(self) -> dict[str, Any]:
        if self.person is not None:
            return {"kind": "person", **self.person.to_dict()}
        return {"kind": "organisation", "credit_code": self.credit_code, "org_name": self.org_name}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Applicant:
        if d.get("kind") == "organisation":
            return cls(credit_code=d["credit_code"], org_name=d["org_name"])
        return cls(person=Person(d["holder"], d["id_masked"], d.get("name_masked", "")))


def check_masked_phone(phone: str) -> str:
    if not _MASKED_PHONE.fullmatch(phone):
        raise InvalidCase("phone_masked 须为遮蔽后的手机号（如 138****1234）", field="phone_masked")
    return phone


@dataclass(frozen=True)
class Step:
    """A step of handling. A pausing step's time is added back to the promised date."""

    name: str
    started: str  # ISO hall day
    limit_days: int | None = None  # the step's own limit in working days, if it has one
    finished: str | None = None

    @property
    def pauses(self) -> bool:
        return self.name in PAUSING_STEPS

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "started": self.started, "limit_days": self.limit_days,
                "finished": self.finished, "pauses": self.pauses}


@dataclass
class CaseRec:
    id: str  # the case number
    serial: int
    year: int
    matter: str
    matter_name: str
    department: str  # the handling department (同城通办: may be elsewhere)
    applicant: Applicant
    channel: Channel
    created_at: float
    created_day: str
    state: CaseState = CaseState.PRESUBMITTED
    agent: Person | None = None  # 代办人
    phone_masked: str = ""
    ticket: str | None = None
    window: str | None = None
    staff: str | None = None  # who accepted (or checked) it
    materials: dict[str, Provision] = field(default_factory=dict)
    applies: tuple[str, ...] = ()  # conditional materials whose condition applies
    promised_days: int = 0
    accepted_day: str | None = None
    due: str | None = None
    due_provisional: bool = False
    due_source: str = ""
    correction: dict[str, Any] | None = None  # items, deadline, issued day
    refusal: dict[str, Any] | None = None  # reason, redirect
    steps: list[Step] = field(default_factory=list)
    concluded_day: str | None = None
    approved: bool | None = None
    on_time: bool | None = None
    delivery: dict[str, Any] | None = None
    light: str | None = None
    light_reason: str = ""
    from_platform: bool = False  # the last change came from a department's back office

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def open_step(self) -> Step | None:
        return next((s for s in self.steps if s.finished is None), None)
