"""The ESC/POS driver against the simulated printer, over a real pty and over TCP (port 9100 style)."""
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from drivers.errors import DeviceFault, DeviceTimeout, DeviceUnavailable
from drivers.escpos import commands as cmd
from drivers.escpos import doctor, make_link, render
from drivers.escpos.commands import Align
from drivers.escpos.engine import Engine
from drivers.escpos.jobs import PrintJob
from drivers.escpos.printer import connect
from drivers.escpos.profiles import PROFILES
from drivers.escpos.simulator import Simulator
from drivers.escpos.ticket import (
    Barcode,
    Cut,
    Document,
    Pair,
    Text,
    encode,
    expected_text,
    queue_ticket,
)
from drivers.status import State

FAST = {"reply_timeout": 0.5, "job_timeout": 3, "poll_interval": 0.05}
URL = "https://zwfw.example.gov.cn/q?t=A017"


@pytest.fixture
def rig(request, tmp_path):
    """Starts simulators; `rig(width)` gives (simulator, url) over the transport under test."""
    sims = []

    def start(width=80, out=None):
        sim = Simulator(width, out)
        sims.append(sim)
        if request.param == "pty":
            return sim, sim.start_pty(tmp_path / f"yiciban-printer-{len(sims)}")
        return sim, f"socket://127.0.0.1:{sim.start_tcp(0)}"

    yield start
    for sim in sims:
        sim.stop()


both = pytest.mark.parametrize("rig", ["pty", "tcp"], indirect=True)


@pytest.fixture
def printer():
    """Opens drivers and closes them all after the test: a driver left to the garbage collector
    would be closed on whatever thread collects it (pyserial's socket close sleeps 0.3 s)."""
    opened = []

    def open_printer(url, width=80, **settings):
        p = connect(url, {"width": width, **FAST, **settings}, device="test-printer")
        opened.append(p)
        return p

    yield open_printer
    for p in opened:
        p.close()


def job(key, *blocks):
    return PrintJob(key, Document(tuple(blocks)))


def ticket_doc():
    return queue_ticket("蓝天区政务服务中心", "A017", "社保医保业务", 12, 25, datetime(2025, 6, 18, 9, 32), URL,
                        "请留意叫号，过号请重新取号。")


@both
def test_chinese_arrives_as_gb18030_in_chinese_mode(rig, tmp_path, printer):
    sim, url = rig(80, tmp_path / "out")
    p = printer(url)
    words = "请到３号窗口办理，谢谢！（社保·医保）"
    doc = (Text(words, bold=True), Pair("前面等候", "3 人"), Cut())
    result = p.print_job(job("t1", *doc))
    assert result.printed and result.confirmed and not result.duplicate
    [t] = sim.tickets
    assert t.text == expected_text(doc, p.profile) == f"{words}\n前面等候{' ' * 36}3 人"
    assert t.raw.startswith(cmd.INIT + cmd.CHINESE_ON)
    assert words.encode("gb18030") in t.raw and b"?" not in t.raw
    assert t.missing == [] and t.images == []
    [saved] = (tmp_path / "out").glob("ticket-0001-*.txt")  # not a queue ticket: count and time
    assert re.fullmatch(r"ticket-0001-\d{6}\.txt", saved.name), saved.name
    assert saved.read_text("utf-8") == t.text + "\n"
    assert saved.with_suffix(".png").stat().st_size > 0
    p.close()


@both
@pytest.mark.parametrize(("width", "name", "as_image"), [
    (58, "朱镕基", True),  # GBK only: a GB2312 printer lacks it
    (80, "朱镕基", False),
    (80, "李㐂", True),  # CJK extension A: 4 bytes in GB18030
    (80, "𠮷野家 😀", True),
])
def test_characters_the_font_lacks_go_as_a_raster_image(rig, width, name, as_image, printer):
    sim, url = rig(width)
    p = printer(url, width)
    doc = (Text("姓名"), Text(name, align=Align.CENTER), Cut())
    p.print_job(job("r1", *doc))
    [t] = sim.tickets
    assert t.text == expected_text(doc, p.profile)
    assert t.missing == []
    if not as_image:
        assert t.text == f"姓名\n{name}" and t.images == []
        return
    assert t.text.startswith("姓名\n[IMAGE ") and t.images == [(p.profile.dots, 30)]
    assert name.encode("gb18030") not in t.raw
    sent = render.to_raster(render.text_mask(name, p.profile.dots, align=Align.CENTER))
    [raster] = [i for i in t.items if i[0] == "raster"]
    assert (raster[1], raster[2], raster[3]) == sent and any(sent[2])


@both
def test_qr_code_and_barcode_decode_from_the_printed_ticket(rig, printer):
    sim, url = rig(58)
    p = printer(url, 58)
    p.print_job(PrintJob("q1", ticket_doc()))
    p.print_job(job("b1", Barcode("A017", height=60, module=2), Cut()))
    qr_ticket, bar_ticket = sim.tickets
    assert qr_ticket.qr == [URL]
    assert [(c.type, c.data.decode()) for c in decode(qr_ticket.render())] == [("QRCODE", URL)]
    assert [(c.type, c.data.decode()) for c in decode(bar_ticket.render())] == [("CODE128", "A017")]


@both
@pytest.mark.parametrize(("fault", "code"), [
    ("paper_out", "paper_out"), ("open_cover", "cover_open"), ("go_offline", "offline"),
    ("cutter_error", "cutter_error"),
])
def test_a_fault_is_reported_at_once_and_nothing_is_sent(rig, fault, code, printer):
    sim, url = rig()
    p = printer(url)
    getattr(sim, fault)()
    start = time.monotonic()
    with pytest.raises(DeviceFault) as err:
        p.print_job(PrintJob("f1", ticket_doc()))
    assert err.value.code == code and time.monotonic() - start < 1.0
    sim.clear_faults()
    assert sim.tickets == [] and not sim.engine.pending  # no job waits inside the printer
    assert p.print_job(PrintJob("f1", ticket_doc())).printed
    assert len(sim.tickets) == 1


@both
def test_a_printer_that_stops_answering_times_out(rig, printer):
    sim, url = rig()
    p = printer(url)
    sim.silence()
    start = time.monotonic()
    with pytest.raises(DeviceTimeout):
        p.status()
    with pytest.raises(DeviceTimeout):
        p.print_job(PrintJob("s1", ticket_doc()))
    assert time.monotonic() - start < 2.0


@both
def test_a_retried_job_prints_once_even_after_reconnecting(rig, tmp_path, printer):
    sim, url = rig()
    keys = tmp_path / "printed-keys"
    p = printer(url, keys_file=str(keys))
    first = p.print_job(PrintJob("A017-20250618", ticket_doc()))
    again = p.print_job(PrintJob("A017-20250618", ticket_doc()))
    assert first.printed and not again.printed and again.duplicate
    p.close()
    p = printer(url, keys_file=str(keys))  # a new process would read the same file
    assert p.print_job(PrintJob("A017-20250618", ticket_doc())).duplicate
    assert p.print_job(PrintJob("A018-20250618", ticket_doc())).printed
    assert len(sim.tickets) == 2


@both
def test_paper_running_out_mid_job_fails_it_and_the_retry_prints_it_once(rig, printer):
    sim, url = rig()
    p = printer(url)
    sim.run_out_after(4)  # the roll ends after the fourth printed row of the ticket
    with pytest.raises(DeviceFault) as err:
        p.print_job(PrintJob("m1", ticket_doc()))
    assert err.value.code == "paper_out"
    assert sim.tickets == [] and sim.engine.cleared == 1  # the unprinted rest was dropped
    sim.load_paper()
    assert sim.tickets == []  # nothing of the failed job comes out afterwards
    assert p.print_job(PrintJob("m1", ticket_doc())).printed
    assert p.print_job(PrintJob("m1", ticket_doc())).duplicate
    [t] = sim.tickets
    assert t.text == expected_text(ticket_doc(), p.profile)


@both
def test_near_end_is_a_warning_and_asb_reports_changes(rig, printer):
    sim, url = rig()
    p = printer(url, enable_asb=True)
    sim.near_end()
    result = p.print_job(PrintJob("n1", ticket_doc()))
    assert result.printed and result.warnings == ("paper_near_end",)
    assert p.poll()["paper"] == "near_end"
    sim.open_cover()
    with pytest.raises(DeviceFault):
        p.poll()
    assert p.last_asb is not None and p.last_asb.cover_open


def test_unplug_and_replug_through_link(tmp_path):
    sim = Simulator(80)
    path = sim.start_pty(tmp_path / "yiciban-printer")
    seen = []
    link = make_link("printer-1", path, {"width": 80, **FAST}, on_status=seen.append)
    try:
        link.step()
        assert link.status.state is State.READY and link.status.details["paper"] == "ok"
        sim.paper_out()
        link.step()
        assert link.status.state is State.ERROR and link.status.details["code"] == "paper_out"
        sim.load_paper()
        link.step()
        assert link.status.state is State.READY
        sim.unplug()
        link.step()
        assert link.status.state is State.DISCONNECTED
        with pytest.raises(DeviceUnavailable):
            link.use(lambda p: p.print_job(PrintJob("u1", ticket_doc())))
        sim.replug()
        link.step()
        assert link.status.state is State.READY
        assert link.use(lambda p: p.print_job(PrintJob("u1", ticket_doc()))).printed
        assert link.use(lambda p: p.print_job(PrintJob("u1", ticket_doc()))).duplicate
        assert len(sim.tickets) == 1
        assert [s.state for s in seen].count(State.DISCONNECTED) == 1
    finally:
        link.close()
        sim.stop()


@both
def test_doctor_reads_dle_eot(rig):
    sim, url = rig(58)
    ok = doctor(url, {"width": 58}, timeout=0.5)
    assert ok["state"] == "ready" and ok["details"]["paper"] == "ok" and ok["details"]["raw"] == "12 12 12 12"
    sim.open_cover()
    assert doctor(url, {"width": 58}, timeout=0.5)["state"] == "error"
    sim.close_cover()
    sim.silence()
    assert doctor(url, {"width": 58}, timeout=0.3)["state"] == "disconnected"


def test_doctor_of_nothing(tmp_path):
    assert doctor(str(tmp_path / "no-such-printer"), {}, 0.3)["state"] == "disconnected"
    assert doctor("socket://127.0.0.1:1", {}, 0.3)["state"] == "disconnected"
    assert doctor("file:" + str(tmp_path / "capture.bin"), {"width": 99}, 0.3)["state"] == "error"


def test_usb_printer_class_device_is_a_plain_file(tmp_path, printer):
    sim = Simulator(58)
    path = sim.start_pty(tmp_path / "lp0")  # a character device both ways, as /dev/usb/lp0 is
    try:
        p = printer("usblp:" + path, 58)
        assert p.print_job(PrintJob("l1", ticket_doc())).confirmed
        sim.paper_out()
        with pytest.raises(DeviceFault):
            p.print_job(PrintJob("l2", ticket_doc()))
        assert len(sim.tickets) == 1
        p.close()
    finally:
        sim.stop()


def test_capture_file_gets_exactly_the_job_bytes(tmp_path, printer):
    capture = tmp_path / "capture.bin"
    p = printer(f"file:{capture}", 80)
    result = p.print_job(PrintJob("c1", ticket_doc()))
    assert result.printed and not result.confirmed
    assert p.print_job(PrintJob("c1", ticket_doc())).duplicate
    p.close()
    assert capture.read_bytes() == encode(ticket_doc(), p.profile)
    engine = Engine(p.profile)
    engine.receive(capture.read_bytes())
    assert engine.tickets[0].text == expected_text(ticket_doc(), p.profile)
    assert doctor(f"file:{capture}", {}, 0.3)["state"] == "ready"


def test_a_printer_that_takes_no_more_data_times_out_the_write(tmp_path, printer):
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    p = printer(f"usblp:{fifo}", 80, write_timeout=0.2, confirm=False, status_requests="")
    big = Document((Text("满" * 40),) * 2000)  # far more than the pipe holds
    start = time.monotonic()
    with pytest.raises(DeviceTimeout):
        p.print_job(PrintJob("w1", big))
    assert time.monotonic() - start < 1.0
    assert "w1" not in p.keys


def test_sim_main_listens_takes_fault_flags_and_commands_and_saves_tickets(tmp_path, printer):
    out = tmp_path / "tickets"
    code = "import sys; from drivers.escpos import sim_main; sys.exit(sim_main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--tcp", "0", "--width", "58", "--out", str(out), "--paper-out"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        cwd=Path(__file__).resolve().parents[2])
    try:
        first = proc.stdout.readline().split()
        assert first[:2] == ["listening", "tcp"]
        p = printer(f"socket://{first[2]}", 58)
        with pytest.raises(DeviceFault, match="out of paper"):
            p.print_job(PrintJob("s1", ticket_doc()))
        proc.stdin.write("load_paper\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "load_paper: ok"
        assert p.print_job(PrintJob("s1", ticket_doc())).confirmed
        [saved] = out.glob("ticket-0001-A017-*.txt")  # the queue ticket's number is in the name
        assert saved.read_text("utf-8") == expected_text(ticket_doc(), p.profile) + "\n"
        assert decode(Image.open(saved.with_suffix(".png")))[0].data.decode() == URL
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_a_printer_left_running_keeps_only_its_last_tickets(tmp_path, printer):
    """The demo's printer prints for days: memory and disk hold the last `keep` tickets."""
    sim = Simulator(80, tmp_path / "out", keep=3, clock=lambda: datetime(2025, 6, 18, 9, 32, 5))
    try:
        # the simulator draws and writes each kept ticket's PNG on its own thread between the
        # tickets: on a loaded machine that can hold an answer past the fast 0.5 s of the others
        p = printer(sim.start_pty(tmp_path / "yiciban-printer"), reply_timeout=5)
        for i in range(1, 6):
            assert p.print_job(job(f"t{i}", Text(f"第{i}张"), Cut())).printed
        assert sim.wait_tickets(5, timeout=5)[-1].text == "第5张"
        assert [t.index for t in sim.tickets] == [3, 4, 5] and sim.engine.printed == 5
        assert sorted(f.name for f in (tmp_path / "out").glob("ticket-*.png")) == [
            "ticket-0003-093205.png", "ticket-0004-093205.png", "ticket-0005-093205.png"]
        assert (tmp_path / "out" / "ticket-0005-093205.txt").read_text("utf-8") == "第5张\n"
        assert len(list((tmp_path / "out").glob("ticket-*.txt"))) == 3
    finally:
        sim.stop()


def test_kept_tickets_share_one_cell_per_character_and_style():
    profile = PROFILES[80]
    engine = Engine(profile)
    job = encode(ticket_doc(), profile)
    engine.receive(job + job)
    first, second = (list(t.items) for t in engine.tickets)
    assert engine.tickets[0].text == engine.tickets[1].text == expected_text(ticket_doc(), profile)
    cells = [[c for item in items if item[0] == "row" for c in item[2]] for items in (first, second)]
    assert cells[0] and len(cells[0]) == len(cells[1])
    assert all(a is b for a, b in zip(*cells, strict=True))  # the second ticket adds no cell of its own
    assert len({id(c) for c in cells[0]}) < len(cells[0])  # a character printed twice is one cell
