"""What a citizen is told about a case (办件), as the OpenAPI documents it: the kiosk's 办件进度,
the phone's page behind a notice's QR and the case lookup answer the same view
(hall.api.cases.CaseDesk.citizen_view). Each Chinese name a screen shows has the hall's
English beside it (hall.case_english); an empty English means the hall gave none.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(extra="allow")  # documents the fields; the answer may carry more


class CorrectionItem(_View):
    material: str = Field(description="a material the hall asked for (补正), in the hall file's words")
    material_en: str = Field("", description="its English name from the hall file")
    reason: str = ""
    form: str = Field("", description="原件, 复印件, 原件+复印件, 原件验收复印件 or 电子")


class Correction(_View):
    items: list[CorrectionItem] = Field(default_factory=list)
    deadline: str | None = Field(None, description="ISO date: bring them by this day")
    deadline_provisional: bool | None = None


class Pickup(_View):
    address: str
    address_en: str = ""
    hours: str
    hours_en: str = ""
    phone: str
    phone_en: str = ""


class CaseHall(_View):
    name: str
    name_en: str = ""


class CitizenCase(_View):
    number: str
    matter: str = Field(description="the matter's code")
    matter_name: str
    matter_name_en: str = Field("", description="the matter's English name from the hall file")
    department: str
    department_en: str = ""
    state: str
    state_label: str
    light: str | None = Field(None, description="green, yellow or red")
    due: str | None = None
    due_provisional: bool = False
    accepted_day: str | None = None
    missing: list[str] = Field(default_factory=list, description="required materials not yet provided")
    missing_en: list[str] = Field(default_factory=list, description="one for each of `missing`, in its order")
    correction: Correction | None = None
    refusal: dict[str, Any] | None = None
    steps: list[dict[str, Any]] = Field(default_factory=list)
    approved: bool | None = None
    concluded_day: str | None = None
    delivery: dict[str, Any] | None = None
    pickup: Pickup
    hall: CaseHall
    follow_path: str
    rated: bool
    rating_level: int | None = None
    may_rate: bool
    bad_reasons: list[str] = Field(default_factory=list)
    bad_reasons_en: list[str] = Field(default_factory=list, description="one for each of `bad_reasons`, in its "
                                      "order (\"\" where the hall gave none); a rating sends the Chinese")


class CaseLookupAnswer(_View):
    day: str = Field(description="the hall's day, ISO date")
    cases: list[CitizenCase]
