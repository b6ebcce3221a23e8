"""The hall's catalog of matters (办事指南) in its configuration: each matter, its materials,
its time limits and its self-service mark, checked as the rest of the file is."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from hall.config_fields import _MATTER_CODE_RE, Id, Text, _Section
from hall.config_issues import CrossReferenceError

MaterialForm = Literal["原件", "复印件", "原件+复印件", "原件验收复印件", "电子"]

MatterKind = Literal[
    "行政许可",
    "行政确认",
    "行政给付",
    "行政征收",
    "行政裁决",
    "行政奖励",
    "行政检查",
    "其他行政权力",
    "公共服务",
]


class MaterialConfig(_Section):
    name: Text
    name_en: str = ""
    form: MaterialForm
    count: int = Field(default=1, ge=1, le=20)
    required: bool = True  # false: only needed in the cases the note describes
    note: str = ""
    note_en: str = ""


class MatterConfig(_Section):
    """One service-guide entry (办事指南). Time limits are in working days; 0 means 即办."""

    code: str  # 12-digit 基本编码
    code_verified: bool = False  # true only where the code was seen in a published catalog
    name: Text
    name_en: str = ""  # each *_en: what an English screen shows (hall.config_english checks them)
    department: Text
    department_en: str = ""
    kind: MatterKind
    queue: Id
    legal_days: int | None = Field(default=None, ge=0, le=365)
    promised_days: int | None = Field(default=None, ge=0, le=365)
    legal_limit_text: str = ""  # keeps what a number cannot: "法定60日", "+30 in remote areas"
    legal_limit_text_en: str = ""
    promised_limit_text: str = ""
    promised_limit_text_en: str = ""
    fee: Text
    fee_en: str = ""
    visits: int = Field(ge=0, le=5)  # hall visits required (跑动次数)
    online: str = ""  # 全程网办 / 网上预约 / ...
    online_en: str = ""
    conditions: str = ""
    conditions_en: str = ""
    materials: list[MaterialConfig] = Field(min_length=1)
    steps: list[Text] = Field(default_factory=list)
    steps_en: list[str] = Field(default_factory=list)  # one for each step, in the same order
    basis: str = ""  # the laws it rests on, by title
    basis_en: str = ""  # their English titles: a citizen reading English cannot read 《…》
    notes: str = ""
    notes_en: str = ""
    sources: list[Text] = Field(default_factory=list)
    verified: bool = False  # true once checked against the current provincial guide
    self_service: bool = False  # 自助申报: citizens may apply at the kiosk, capturing the materials

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _MATTER_CODE_RE.fullmatch(value):
            raise ValueError("a 12-digit 基本编码 in quotes, like '000131128000'")
        return value

    @model_validator(mode="after")
    def _days(self) -> MatterConfig:
        if (
            self.legal_days is not None
            and self.promised_days is not None
            and self.promised_days > self.legal_days
        ):
            raise CrossReferenceError(
                [
                    (
                        ("promised_days",),
                        f"a promised time no longer than legal_days ({self.legal_days})",
                        repr(self.promised_days),
                    )
                ]
            )
        electronic = [m.name for m in self.materials if m.required and m.form == "电子"]
        if self.self_service and electronic:
            raise CrossReferenceError([(("self_service",), "false, or every required material on paper the "
                                        f"document camera can capture (electronic: {', '.join(electronic)})",
                                        "true")])
        return self
