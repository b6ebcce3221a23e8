"""A social-security card on the terminal's contactless reader (pcscd + vpcd + our virtual card):
read once per placement; it identifies its holder only when the configured APDU script yields a
valid ID number."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.contactless.demo_card import SSC_AID, DemoCard, demo_files, tlv
from drivers.contactless.stack import READER, running_pcscd, unavailable_reason
from hall.client import HallClient
from kiosk.devices import DeviceHub
from kiosk.peripherals import contactless
from kiosk.peripherals.contactless import NumberScript, SocialCard, simple_tlv
from kiosk.roles.terminal.progress import MESSAGE, RESULT
from tests.support.halls import TOKENS

NUMBER = "440304199001010011"  # the resident sample card's, a valid ID number
SCRIPT = {
    "script": ["00A404000F" + SSC_AID.hex(), "00A40200020006", {"apdu": "00B0000000", "name": "holder"}],
    "number_step": "holder", "number_tag": "08",
}
needs_pcscd = pytest.mark.skipif(bool(unavailable_reason()), reason=unavailable_reason() or "ok")
# the machine has one pcscd: the tests that use it (the demo too) run on one worker, in turn
pytestmark = pytest.mark.xdist_group("pcscd")


def card_with(number: str) -> DemoCard:
    files = demo_files()
    files["3F00/DF01/0006"] = tlv(0x08, number.encode()) + tlv(0x09, "测试样卡".encode("gbk"))
    return DemoCard(files=files)


def test_the_number_is_taken_only_when_it_is_a_valid_id_number():
    from drivers.contactless.model import ApduStep, CardInfo, ScriptResult, StepResult

    script = NumberScript(SCRIPT)

    def result(data: bytes, sw: bytes = b"\x90\x00") -> ScriptResult:
        step = ApduStep(bytes.fromhex("00B0000000"), name="holder")
        return ScriptResult("card number", CardInfo("r", b"\x3b"), (StepResult(step, data, sw),))

    assert script.number(result(tlv(0x08, NUMBER.encode()))) == NUMBER
    assert script.number(result(tlv(0x08, b"370829199001010020"))) is None  # wrong check digit
    assert script.number(result(tlv(0x08, NUMBER.encode()), b"\x6a\x82")) is None
    assert script.number(result(b"\x08\x12" + NUMBER.encode()[:5])) is None  # cut short
    assert simple_tlv(tlv(1, b"a") + tlv(2, b"bc")) == {1: b"a", 2: b"bc"}
    assert NUMBER not in repr(SocialCard("r", b"\x3b", None, NUMBER))
    with pytest.raises(ValueError):
        NumberScript({"script": ["00A4 zz"]})


@pytest.fixture(scope="module")
def pcscd():
    with running_pcscd() as stack:
        yield stack


@pytest.fixture
def virtual_card(pcscd) -> Iterator:
    from drivers.contactless.virtual_card import VirtualCard

    cards = []

    def make(card: DemoCard) -> VirtualCard:
        vc = VirtualCard(card, port=pcscd.port)
        cards.append(vc)
        return vc

    yield make
    for vc in cards:
        vc.close()


@needs_pcscd
def test_a_placed_card_is_read_once_with_its_atr_and_uid(qtbot, virtual_card):
    hub = DeviceHub()
    try:
        worker = hub.add(contactless.worker("contactless", f"pcsc://{READER}", SCRIPT))
        qtbot.waitUntil(lambda: hub.usable("contactless"), timeout=10000)
        card = virtual_card(DemoCard())
        with qtbot.waitSignal(worker.watched, timeout=10000) as seen:
            card.insert()
        read = seen.args[0]
        assert isinstance(read, SocialCard) and read.reader == READER
        assert read.atr == DemoCard().atr and read.uid == DemoCard().uid
        assert read.id_number is None  # the demo card's number is nobody's
        with qtbot.assertNotEmitted(worker.watched, wait=1200):
            pass  # still on the reader: not read again
    finally:
        hub.stop_all()


@needs_pcscd
def test_a_card_swapped_between_two_looks_is_read_as_a_new_placement(qtbot, virtual_card):
    """A citizen lifts one card and lays down another faster than the screen looks (here once a
    second): the reader's event count shows the swap, and the second card is read."""
    hub = DeviceHub()
    try:
        worker = hub.add(contactless.worker("contactless", f"pcsc://{READER}", {**SCRIPT, "watch_interval": 1.5}))
        qtbot.waitUntil(lambda: hub.usable("contactless"), timeout=10000)
        first = virtual_card(DemoCard())
        with qtbot.waitSignal(worker.watched, timeout=10000) as seen:
            first.insert()
        assert seen.args[0].id_number is None
        with qtbot.waitSignal(worker.watched, timeout=10000) as seen:
            first.remove()
            virtual_card(card_with(NUMBER)).insert()
        assert seen.args[0].id_number == NUMBER
    finally:
        hub.stop_all()


@needs_pcscd
def test_a_card_with_a_valid_number_finds_its_holders_tickets(qtbot, make_shell, hall_server, virtual_card,
                                                              tmp_path):
    with HallClient(hall_server.base_url, TOKENS["operator"]) as desk:
        issued = desk.issue(queue="general", id_number=NUMBER)
    shell = make_shell("kiosk", hall_server.base_url, TOKENS["kiosk"],
                       devices={"contactless": f"pcsc://{READER}"},
                       device_settings={"contactless": SCRIPT, "kiosk": {"data_dir": str(tmp_path / "kiosk")}})
    qtbot.waitUntil(lambda: shell.context.devices.usable("contactless") and bool(shell.context.hall), timeout=10000)
    view = shell.view
    view.tiles["progress"].click()
    page = view.page("progress")
    nobody = virtual_card(DemoCard())
    nobody.insert()
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=10000)
    assert page.message.title.text() == "这张卡读不出身份证号码"
    nobody.remove()
    reader = shell.context.devices.get("contactless")
    qtbot.waitUntil(lambda: not reader.holds_card(), timeout=10000)  # the screen has seen it lifted
    page.again_button.click()
    virtual_card(card_with(NUMBER)).insert()
    qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=10000)
    assert [s.number.text() for s in page.statuses] == [issued.ticket.number]
    page.done_button.click()
    assert shell.context.session.empty
