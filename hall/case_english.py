"""English beside the Chinese in what a citizen is told about a case (办件), from the hall file.

A case keeps the Chinese names it was filed with (its matter, its department, the materials
still missing); an English screen (the kiosk's 办件进度, the phone) reads the hall's English
for them here: `matter_name_en`, `department_en`, `missing_en` (one for each of `missing`, in
its order), each correction item's `material_en`, the pick-up place's `address_en`,
`hours_en` and `phone_en`, and the 差评 reasons' `bad_reasons_en` (one for each, in order).
Where the hall file has no English, the field is empty and the screen shows the Chinese (a
`yiciban config check` warning says so beforehand).
"""
from __future__ import annotations

from typing import Any

from hall.config import HallConfig


def with_english(view: dict[str, Any], config: HallConfig) -> dict[str, Any]:
    """The citizen's view of a case (`matter`, `matter_name`, `department`, `missing`,
    `correction`, `pickup`) with the hall's English beside each Chinese name."""
    matter = config.matter(str(view.get("matter") or ""))
    materials = {m.name: m.name_en for m in matter.materials} if matter else {}
    out = dict(view)
    out["matter_name_en"] = matter.name_en if matter else ""
    # a case handled by another department (同城通办) names it in the hall's words only
    out["department_en"] = matter.department_en if matter and view.get("department") == matter.department else ""
    out["missing_en"] = [materials.get(name, "") for name in view.get("missing") or []]
    correction = view.get("correction")
    if correction:
        items = [{**item, "material_en": materials.get(str(item.get("material", "")), "")}
                 for item in correction.get("items") or []]
        out["correction"] = {**correction, "items": items}
    if "bad_reasons" in view:
        out["bad_reasons_en"] = config.evaluation.reasons_en()
    if view.get("pickup") is not None:
        out["pickup"] = {**view["pickup"], "address_en": config.hall.address_en, "hours_en": config.hall.hours_en,
                         "phone_en": config.hall.phone_en}
    return out
