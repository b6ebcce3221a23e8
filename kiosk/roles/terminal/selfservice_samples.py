"""The sample screens of the 自助申报 and 补正 flows (`yiciban screenshots`): the demo hall's
self-service matters, a checklist with pages captured from a drawn sheet, the page strip, a
signature, the receipt's QR. No hall, camera or card is asked; what is captured is wiped when
the screenshots leave the flow."""
from __future__ import annotations

from typing import Any

from kiosk.models.terminal.application import for_correction
from kiosk.models.terminal.samples import drawn_page, drawn_sheet, sample_case, sample_guides
from kiosk.roles.terminal.selfservice_flow import DONE

SIGNATURE = [(0.08, 0.62), (0.18, 0.3), (0.26, 0.7), (0.36, 0.28), (0.44, 0.66), (0.56, 0.4), (0.7, 0.58),
             (0.86, 0.35)]


def self_service_guides() -> list[dict[str, Any]]:
    return [g for g in sample_guides() if g.get("self_service")]


def add_sheet(app: Any, material: str, seed: int) -> None:
    """The drawn sheet `seed` captured as the material's next page of `app`."""
    frame, quad, page = drawn_page(seed, str(app.mode))
    app.add(material, frame, quad, cleaned=page)


def with_pages(page: Any, guide: dict[str, Any], pages: dict[str, int]) -> None:
    """`page` (a CaptureFlow) with an application of `guide` and the pages named captured."""
    page.start_application(guide)
    for n, (material, count) in enumerate(pages.items()):
        for i in range(count):
            add_sheet(page.app, material, n * 10 + i)


def application_screens(page: Any) -> list[tuple[str, Any]]:
    guide = self_service_guides()[0]
    first = guide["materials"][0]["name"]

    def matters() -> None:
        page.matters = self_service_guides()
        page.show_matters()

    def checklist() -> None:
        with_pages(page, guide, {first: 2})
        page.show_checklist()

    def capture() -> None:
        with_pages(page, guide, {first: 3})
        page.material = first
        page.show_capture()
        page._arm(False)

    def corners() -> None:
        with_pages(page, guide, {first: 1})
        page.material = first
        frame, quad = drawn_sheet(40)
        quad[2] += (-90, -120)  # a corner the camera found wrong: a finger lay on the page
        page.app.replace(first, 1, frame, quad)
        page.show_capture()
        page._arm(False)
        page.on_corners_button_clicked()

    def sign() -> None:
        with_pages(page, guide, {first: 2})
        page.show_sign()
        page.pad.stroke(SIGNATURE)

    def done() -> None:
        page.case = {**sample_case("presubmitted"), "state_label": "预审"}
        page.done_panel.show_message(page.tr("已提交，办件号 {number}").format(number=page.case["number"]),
                                     "", icon_name="check", tone="ok")
        page.views.setCurrentIndex(DONE)
        page.show_qr("https://zwfw.example.gov.cn" + page.case["follow_path"])

    return [("card", page.show_card_prompt), ("matters", matters), ("checklist", checklist), ("capture", capture),
            ("corners", corners), ("sign", sign), ("receipt-qr", done)]


def supplement_screens(page: Any) -> list[tuple[str, Any]]:
    case = sample_case("correction")

    def cases() -> None:
        page.id_number = "440304199001010011"
        page.found = [case, {**case, "number": "3708292026000131", "matter_name": "公共场所卫生许可",
                             "matter_name_en": "Public venue hygiene licence"}]
        page.show_cases()

    def checklist() -> None:
        page.case = case
        guide = for_correction({**case, "correction": {**case["correction"], "items": [
            *case["correction"]["items"],
            {"material": "申请书", "material_en": "Application form", "form": "原件", "reason": "未签字"}]}})
        page.start_application(guide)
        add_sheet(page.app, guide["materials"][0]["name"], 3)
        page.show_checklist()

    return [("cases", cases), ("checklist", checklist)]
