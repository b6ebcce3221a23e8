"""Sample data for the terminal's sample screens: the demo hall's guides and announcements, and
answers shaped like the hall's (a ticket's progress, a check-in), a sheet drawn lying on a desk
as the document camera would see it. No hall or device is asked."""
from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

SAMPLE_TICKET = "20261127-A017"
SAMPLE_FOLLOW = "/t/20261127-A017.ABCDEFGH23"
FOOD_LICENCE = "000131024000"  # the sample case's matter, as the demo hall lists it


@cache
def _demo() -> Any:
    from hall.config import load_demo_config

    return load_demo_config()


def sample_hall() -> dict[str, Any]:
    config = _demo()
    return {"name": config.hall.name, "name_en": config.hall.name_en,
            "guide_url": "https://zwfw.example.gov.cn/guide/{code}"}


def sample_guides() -> list[dict[str, Any]]:
    config = _demo()
    names = {q.id: q.name for q in config.queues}
    names_en = {q.id: q.name_en for q in config.queues}
    return [{**m.model_dump(), "queue_name": names.get(m.queue, m.queue), "queue_name_en": names_en.get(m.queue, ""),
             "source": "hall"} for m in config.matters]


def sample_guide(name: str = "个体工商户设立登记") -> dict[str, Any]:
    return next(g for g in sample_guides() if g["name"] == name)


def sample_announcements() -> list[dict[str, Any]]:
    found = [{"id": a.id, "title": a.title, "body": a.body, "title_en": a.title_en, "body_en": a.body_en,
              "valid_from": a.valid_from.isoformat() if a.valid_from else None,
              "valid_until": a.valid_until.isoformat() if a.valid_until else None,
              "published": None, "source": "hall"} for a in _demo().announcements]
    found.insert(0, {"id": "sample-holiday", "title": "元旦假期办事安排",
                     "body": "1月1日大厅休息，自助服务区照常开放。1月2日起恢复正常办公。\n"
                             "不动产登记、社保业务可通过网上办事大厅预约，预约后凭短信二维码到自助终端签到取号。",
                     "title_en": "New Year holiday arrangements",
                     "body_en": "The hall is closed on 1 January; the self-service area stays open. Normal hours"
                                " resume on 2 January.\nBook real estate and social insurance services online,"
                                " then check in at a self-service terminal with the QR code in the text message.",
                     "valid_from": "2026-12-20", "valid_until": "2027-01-02", "published": "2026-12-20",
                     "source": "platform"})
    return found


def sample_progress(state: str = "waiting") -> dict[str, Any]:
    called = state in ("called", "serving")
    return {
        "id": SAMPLE_TICKET, "number": "A017", "queue": "general", "queue_name": "综合受理",
        "priority": "normal", "state": state, "people_ahead": 4 if state == "waiting" else 0,
        "estimated_wait_minutes": 18 if state == "waiting" else 0,
        "window": "w3" if called else None, "window_number": 3 if called or state == "done" else None,
        "window_name": "3号窗口" if called or state == "done" else None,
        "rated": False, "may_rate": state == "done", "day": "2026-11-27",
    }


def sample_check_in() -> dict[str, Any]:
    ticket = {**sample_progress(), "number": "A018", "id": "20261127-A018", "priority": "appointment",
              "people_ahead": 1, "estimated_wait_minutes": 6, "issued_at": "2026-11-27T01:12:00Z"}
    return {"ticket": ticket, "follow_path": "/t/20261127-A018.ABCDEFGH23",
            "appointment": {"id": "appt-1", "date": "2026-11-27", "slot_start": "09:00", "slot_end": "09:30",
                            "matter_name": "个体工商户设立登记",
                            "matter_name_en": "Registration of an individual business", "queue_name": "综合受理"},
            "already_checked_in": False, "hall": {"id": "demo", "name": sample_hall()["name"]}}


def sample_offline_check_in() -> Any:
    """A check-in the kiosk made from its own copy while the hall was away (offline_checkin.CheckedIn)."""
    from kiosk.models.dispenser_lease import Issued, OfflineTicket
    from kiosk.models.terminal.offline_checkin import CheckedIn

    ticket = OfflineTicket("20261127-A990", "A990", "general", "20261127-kiosk-1-general-990", 1795741920.0,
                           "appointment", appointment="appt-1")
    appointment = {**sample_check_in()["appointment"], "checked_in": True, "ticket": ticket.id,
                   "ticket_number": ticket.number}
    return CheckedIn(Issued(offline=ticket, people_ahead=3, wait_minutes=14), appointment, again=False)


def sample_case(state: str = "accepted") -> dict[str, Any]:
    """A case of the demo hall's food business licence as `POST /cases/lookup` and
    `/public/cases/...` give it (the citizen's view), the hall's English beside its Chinese."""
    from hall.case_english import with_english

    config = _demo()
    matter = config.matter(FOOD_LICENCE)
    if matter is None:
        raise LookupError(f"the sample case's matter {FOOD_LICENCE} is not among the demo hall's matters")
    licence = matter.materials[1]  # 营业执照或其他主体资格证明
    correction = {"items": [{"material": licence.name, "reason": "未提供", "form": licence.form}],
                  "deadline": "2026-12-10"} if state == "correction" else None
    hall = config.hall
    return with_english({
        "number": "3708292026000123", "matter": matter.code, "matter_name": matter.name,
        "department": matter.department, "state": state,
        "light": {"accepted": "green", "correction": "yellow", "handling": "red"}.get(state, "green"),
        "due": "2027-01-04", "due_provisional": state == "accepted", "accepted_day": "2026-12-07",
        "missing": [licence.name] if state == "correction" else [], "correction": correction, "refusal": None,
        "steps": [], "approved": True if state == "concluded" else None, "delivery": None,
        "pickup": {"address": hall.address, "hours": hall.hours, "phone": hall.phone},
        "follow_path": "/c/3708292026000123.ABCDEFGH23",
    }, config)


def drawn_sheet(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A frame with a printed-looking A4 sheet lying straight on a grey desk, and its corners."""
    rng = np.random.default_rng(seed)
    frame = np.full((1080, 1400, 3), 96, np.uint8)
    x0, y0, x1, y1 = 380, 60, 1020, 1010
    frame[y0:y1, x0:x1] = 246
    for row in range(y0 + 80, y1 - 60, 34):
        frame[row:row + 10, x0 + 60:x0 + 60 + int(rng.integers(200, 500))] = 40
    quad = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
    return frame, quad


def drawn_page(seed: int, mode: str, corner: int | None = None,
               by: tuple[int, int] = (0, 0)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`drawn_sheet(seed)` with one corner found `by` pixels off (a finger on the page), and the
    page cleaned from it in `mode` at the kiosk's resolution. The sample screens are drawn again
    for every mode and shell; each page is cleaned once."""
    return *_nudged(seed, corner, by), _cleaned(seed, mode, corner, by)


def _nudged(seed: int, corner: int | None, by: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    frame, quad = drawn_sheet(seed)
    if corner is not None:
        quad[corner] += by
    return frame, quad


@cache
def _cleaned(seed: int, mode: str, corner: int | None, by: tuple[int, int]) -> np.ndarray:
    from drivers.camera.clean import clean_page
    from kiosk.models.terminal.copying import DPI

    page = clean_page(*_nudged(seed, corner, by), mode, DPI)[0]
    page.flags.writeable = False
    return page
