"""The receipt of a self-service application (自助申报回执) or of a 补正 handed in at the kiosk:
what the citizen takes home after submitting at the terminal.

It is not a notice of a decision (no seal: no window has looked at it yet). It says the case
number, the matter, when it was submitted, each material with the pages captured (or that it
was not provided), that the applicant signed on the screen, and what happens next: a window
checks it and the 受理通知书 or the 补正材料通知书 follows. The QR opens the case's follow page.
Built on the notices' page (`hall.notices.base`): A4, the embedded CJK font, the same header.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from hall.notices.base import (
    BODY_W,
    FONT_PATH,
    Page,
    build,
    field_table,
    grid,
    header,
    register_font,
    styles,
)
from hall.notices.base import text as _t

LABELS = {
    "zh": {
        "apply": "自助申报回执", "supplement": "补正材料回执", "number": "办件编号", "matter": "申请事项",
        "applicant": "申请人", "submitted": "提交时间", "state": "办件状态", "materials": "提交的材料",
        "name": "材料名称", "pages": "页数", "none": "未提供", "signed": "申请人已在自助终端上签名确认。",
        "scan": "扫码查看办理进度", "page": "第 {page} 页 共 {total} 页", "pages_of": "{n} 页",
        "next_apply": "您的申请已提交预审。窗口工作人员审核后：材料齐全的，出具受理通知书；材料不全或不符合要求的，"
                      "出具补正材料通知书，一次告知需要补正的全部材料。结果会显示在办理进度中，也可凭本回执到窗口询问。",
        "next_supplement": "您的补正材料已提交，办件已退回窗口审核。审核通过后出具受理通知书。",
        "footer": "本回执由自助终端打印，不是受理凭证。请妥善保管，凭本回执或申请人身份证件查询办理进度。",
    },
    "en": {
        "apply": "Self-service application receipt", "supplement": "Receipt of supplementary materials",
        "number": "Case number", "matter": "Matter", "applicant": "Applicant", "submitted": "Submitted",
        "state": "State", "materials": "Materials submitted", "name": "Material", "pages": "Pages",
        "none": "not provided", "signed": "The applicant signed on the terminal's screen.",
        "scan": "Scan to follow the case", "page": "Page {page} of {total}", "pages_of": "{n} pages",
        "next_apply": "Your application is waiting for a window's check. If every material is in order you get "
                      "the notice of acceptance; otherwise the notice of materials to supplement lists all of them "
                      "at once. The result shows in the case's progress.",
        "next_supplement": "Your supplementary materials were handed in; the case is back at its window.",
        "footer": "Printed by the self-service terminal; not a notice of acceptance. Keep it to follow the case.",
    },
}


def receipt_pdf(case: Mapping[str, Any], hall_name: str, follow_url: str, pages: Sequence[tuple[str, int]], *,
                submitted_at: dt.datetime, signed: bool, supplement: bool = False, lang: str = "zh",
                font_path: Path = FONT_PATH) -> bytes:
    """The receipt as A4 PDF bytes. `case` is the hall's view of the case (number, matter_name,
    state_label, applicant with its masked forms); `pages` each material's name and the pages
    captured for it (0: not provided)."""
    t = LABELS["en" if lang == "en" else "zh"]
    font = register_font(font_path)
    s = styles(font, "en" if lang == "en" else "zh")
    title = t["supplement" if supplement else "apply"]
    number = str(case.get("number", ""))
    applicant = case.get("applicant") or {}
    who = " ".join(str(applicant.get(k) or "") for k in ("name_masked", "id_masked")).strip()
    rows = [[Paragraph(t["name"], s["label"]), Paragraph(t["pages"], s["label"])]]
    rows += [[Paragraph(_t(name), s["cell"]),
              Paragraph(t["pages_of"].format(n=n) if n else t["none"], s["cell"])] for name, n in pages]
    story: list[Flowable] = [
        *header(hall_name, title, s, qr_payload=follow_url, qr_caption=t["scan"], number=number),
        Spacer(1, 3 * mm),
        field_table([[(t["number"], _t(number)), (t["submitted"], _t(f"{submitted_at:%Y-%m-%d %H:%M}"))],
                     [(t["matter"], _t(case.get("matter_name", "")))],
                     [(t["applicant"], _t(who)), (t["state"], _t(case.get("state_label", "")))]], s),
        Paragraph(t["materials"], s["heading"]),
        grid(rows, [BODY_W - 40 * mm, 40 * mm], font, repeat=1),
        Spacer(1, 3 * mm),
    ]
    if signed:
        story.append(Paragraph(t["signed"], s["body"]))
    story += [Spacer(1, 2 * mm), Paragraph(t["next_supplement" if supplement else "next_apply"], s["text"])]
    page = Page(font=font, title=title, author=hall_name, subject=number, footer=Paragraph(t["footer"], s["small"]),
                page_label=t["page"])
    return build(story, page)
