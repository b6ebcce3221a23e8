"""What a case notice prints: one frozen dataclass per notice, built by the case domain.

The four notices a window hands over (行政许可法 §32; CATALOG.md §3–§4): 受理通知书
(`Acceptance`), 补正材料通知书 (`Correction`), 不予受理通知书 (`Refusal`) and the
办结/领取通知 (`Completion`). Each carries a `NoticeCase` (document number, hall, applicant,
matter, dates, who issued it, the signed follow URL) and its own fields. Nothing here draws;
`hall.notices.render` turns a notice into PDF bytes.

Paper leaves the hall, so the applicant is printed masked only: a `Party` takes the masked
forms the case store keeps (`ground.privacy.mask_name`/`mask_id`), and refuses a full
18-character ID number or an unmasked phone number.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from ground.privacy import mask_id, mask_name
from sync.workdays import DueDate

PartyKind = Literal["person", "organisation"]
DeliveryMethod = Literal["pickup", "post"]
SPECIAL_STEPS = ("听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审")

_FULL_ID = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
_FULL_PHONE = re.compile(r"^1\d{10}$")


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678; a hall's landline (with "-") is left as it is."""
    phone = phone.strip()
    return phone[:3] + "****" + phone[-4:] if _FULL_PHONE.match(phone) else phone


@dataclass(frozen=True)
class Party:
    """The applicant or the agent as printed: a person masked, an organisation in full."""

    kind: PartyKind
    name: str  # 张* for a person; the organisation's registered name
    id_text: str = ""  # 440304********0011, or the 18-character unified social credit code
    phone: str = ""  # 138****5678
    agent_name: str = ""  # 代办人, masked
    agent_id: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("person", "organisation"):
            raise ValueError(f"party kind must be person or organisation, not {self.kind!r}")
        if not self.name.strip():
            raise ValueError("the applicant's name is empty")
        ids = [self.agent_id] + ([self.id_text] if self.kind == "person" else [])
        if any(_FULL_ID.match(i.strip()) for i in ids):
            raise ValueError("a notice prints ID numbers masked: pass ground.privacy.mask_id(...)")
        if _FULL_PHONE.match(self.phone.strip()):
            raise ValueError("a notice prints phone numbers masked: pass mask_phone(...)")

    @classmethod
    def person(cls, name: str, id_number: str = "", phone: str = "", *, agent_name: str = "",
               agent_id: str = "") -> Party:
        """A person from full data, masked here (nothing unmasked is kept)."""
        return cls("person", mask_name(name), mask_id(id_number) if id_number else "", mask_phone(phone),
                   mask_name(agent_name), mask_id(agent_id) if agent_id else "")


@dataclass(frozen=True)
class HallInfo:
    """The issuing hall: printed in the header, the seal area and the follow-up lines."""

    name: str  # 济宁市任城区政务服务中心
    agency: str  # the body whose seal goes on the notice (受理专用章)
    phone: str  # the hall's enquiry number
    address: str = ""
    hours: str = ""
    complaint_phone: str = ""  # 12345 or the hall's own


@dataclass(frozen=True)
class Matter:
    name: str
    code: str  # the unified matter code from the catalog
    department: str  # the handling department (同城通办: may be elsewhere)
    legal_days: int | None = None  # 法定办结时限, working days; None when the guide gives none
    promised_days: int | None = None  # 承诺办结时限; 0 is 即办
    basis: str = ""  # 法律依据
    fee: str = ""  # 不收费, or the fee


@dataclass(frozen=True)
class Material:
    """A material received (受理) or missing with its required standard (补正)."""

    name: str
    form: str = ""  # 原件, 复印件, 电子证照, 影像
    count: int = 1
    standard: str = ""  # what it must be like: 加盖公章, 有效期内, A4 复印 …
    note: str = ""  # why it is missing or non-conforming


@dataclass(frozen=True)
class Delivery:
    """How the result reaches the applicant: picked up at a window, or sent by free post."""

    method: DeliveryMethod
    place: str = ""  # the result window (pickup)
    when: str = ""  # from when, and the opening hours (pickup)
    address: str = ""  # the postal address as printed, masked by the caller (post)
    tracking: str = ""  # the tracking number, once posted

    def __post_init__(self) -> None:
        if self.method not in ("pickup", "post"):
            raise ValueError(f"delivery must be pickup or post, not {self.method!r}")


@dataclass(frozen=True)
class NoticeCase:
    """What every case notice prints, whatever its kind."""

    number: str  # the document number: 任政服受字〔2026〕第0001号
    case_number: str  # the case (办件) number the citizen quotes
    hall: HallInfo
    applicant: Party
    matter: Matter
    received: dt.date  # the day the materials were received
    issued: dt.datetime  # when this notice is printed
    staff: str  # 受理人 / 承办人 (name or staff number)
    follow_url: str  # the case's signed follow page, printed as a QR
    staff_phone: str = ""
    window: str = ""  # the window that issued it

    def __post_init__(self) -> None:
        for name in ("number", "case_number", "staff", "follow_url"):
            if not str(getattr(self, name)).strip():
                raise ValueError(f"a notice needs its {name.replace('_', ' ')}")


@dataclass(frozen=True)
class Acceptance:
    """受理通知书: the case is accepted; the promised date counts from the next working day."""

    case: NoticeCase
    accepted: dt.date
    materials: tuple[Material, ...]  # the materials received
    due: DueDate  # provisional prints "（如遇节假日调整顺延）"
    delivery: Delivery
    special_steps: tuple[str, ...] = SPECIAL_STEPS  # not counted in the limit
    kind: Literal["acceptance"] = field(default="acceptance", init=False)


@dataclass(frozen=True)
class Correction:
    """补正材料通知书: every missing or non-conforming material at once, and the deadline."""

    case: NoticeCase
    missing: tuple[Material, ...]
    deadline: dt.date  # bring them by this day
    reason: str = ""
    received: tuple[Material, ...] = ()  # what was handed in and kept
    kind: Literal["correction"] = field(default="correction", init=False)

    def __post_init__(self) -> None:
        if not self.missing:
            raise ValueError("a 补正材料通知书 lists at least one missing material")


@dataclass(frozen=True)
class Refusal:
    """不予受理通知书: the reason, and the body to apply to instead."""

    case: NoticeCase
    reason: str
    apply_to: str = ""  # the competent body, with its address or phone
    basis: str = ""  # the legal ground for refusing
    remedy: str = ""  # 复议/诉讼: where and within how long; a standard sentence when empty
    kind: Literal["refusal"] = field(default="refusal", init=False)

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("a 不予受理通知书 must give the reason")


@dataclass(frozen=True)
class Completion:
    """办结/领取通知: the result, and where and when to pick it up, or the post's tracking."""

    case: NoticeCase
    completed: dt.date
    approved: bool
    result: str  # 准予许可, the licence's name and number, or why not
    delivery: Delivery
    bring: tuple[str, ...] = ("申请人本人身份证件或本通知书",)  # what to bring to pick up
    kind: Literal["completion"] = field(default="completion", init=False)

    def __post_init__(self) -> None:
        if not self.result.strip():
            raise ValueError("a 办结通知 must say the result")


CaseNotice = Acceptance | Correction | Refusal | Completion
