"""The dispenser's screens with sample data and no hall or device, for `make screenshots`."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.roles import dispenser_model as model

if TYPE_CHECKING:
    from kiosk.roles.dispenser import DispenserView

SAMPLE_SECONDS = 8


def screens(view: DispenserView) -> list[tuple[str, object]]:
    return [
        ("home", lambda: home(view)),
        ("search", lambda: search(view)),
        ("idcard", lambda: idcard(view)),
        ("printing", lambda: printing(view)),
        ("ticket", lambda: ticket(view)),
        ("ticket_on_screen", lambda: ticket_on_screen(view)),
        ("hall_offline", lambda: hall_offline(view)),
    ]


def home(view: DispenserView) -> None:
    view.sample = True  # from now on the view asks neither the hall nor a device
    view.catalog.stop()
    view.go_home()
    hall = view.hall()
    view.home.set_queues(hall.get("queues", []), view.context.language)
    view.home.set_loads(model.sample_loads(hall))
    view.idcard.set_age(model.elderly_age(hall))
    view.show_identity()


def search(view: DispenserView) -> None:
    from kiosk.search import GuideIndex

    home(view)
    view.catalog.use_index(GuideIndex(model.search_entries(model.SAMPLE_GUIDES, view.hall())))
    view.show_index()
    view.stack.setCurrentWidget(view.search)
    view.search.keyboard.type_text("BDC")


def idcard(view: DispenserView) -> None:
    home(view)
    view.stack.setCurrentWidget(view.idcard)


def printing(view: DispenserView) -> None:
    home(view)
    view.busy.show_mode("printing", model.SAMPLE_ANSWER["ticket"]["number"])
    view.stack.setCurrentWidget(view.busy)


def ticket(view: DispenserView) -> None:
    home(view)
    view.answer = model.SAMPLE_ANSWER
    view.show_ticket(printed=True)
    view.ticket.show_countdown(SAMPLE_SECONDS)


def ticket_on_screen(view: DispenserView) -> None:
    home(view)
    view.answer = model.SAMPLE_ANSWER
    view.show_on_screen("paper_out")


def hall_offline(view: DispenserView) -> None:
    home(view)
    view.message.show_failure(False)
    view.stack.setCurrentWidget(view.message)
