"""The `[cases]` section of a hall's config: the case-number pattern and the light's thresholds."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hall.cases.codes import check_number_pattern


class CaseConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # {area}: the hall's 6-digit 区划 code; {year}: four digits; {serial}: per hall and year
    number_pattern: str = Field(default="{area}{year}{serial:06d}", max_length=64)
    yellow_working_days: int = Field(default=2, ge=0, le=30)  # yellow with this many days or fewer left
    correction_working_days: int = Field(default=5, ge=1, le=60)  # the applicant's 补正 deadline

    @field_validator("number_pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return check_number_pattern(value)
