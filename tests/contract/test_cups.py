"""The A4 printer driver against a real, private cupsd with a cups-pdf queue.

The PDFs come back out of cups-pdf and are read with pdftotext, so a job "completed" means
the Chinese text really went through the CUPS filter chain.
"""
from __future__ import annotations

import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.cups import PrinterCondition, PrintSettings, doctor, ipp, lptools
from drivers.cups.model import JobState
from drivers.cups.printer import CupsPrinter, JobKeys, parse_url
from drivers.cups.simulator import CUPS_PDF_CONF_DIR, QUEUE_PREFIX, free_port
from drivers.errors import (
    DeviceError,
    DeviceFault,
    DeviceProtocolError,
    DeviceTimeout,
    DeviceUnavailable,
)
from tests.support.cupsd import CupsTestServer, pdftotext, private_cupsd, unavailable_reason

REPO = Path(__file__).resolve().parents[2]
WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
TEXT = "一次办 政务服务中心 办件回执"

needs_cupsd = pytest.mark.skipif(bool(unavailable_reason()), reason=unavailable_reason() or "ok")


def chinese_pdf(path: Path, *lines: str) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", WQY, subfontIndex=0))
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("WQY", 16)
    for i, line in enumerate(lines):
        c.drawString(72, 760 - 24 * i, line)
    c.save()
    return path


@pytest.fixture(scope="module")
def cups() -> CupsTestServer:
    with private_cupsd() as server:
        yield server


@pytest.fixture
def printer(cups: CupsTestServer) -> CupsPrinter:
    cups.restore()
    p = CupsPrinter.from_url(cups.url, PrintSettings(job_timeout=20, poll_interval=0.1))
    yield p
    p.close()
    cups.restore()


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    return chinese_pdf(tmp_path_factory.mktemp("pdf") / "receipt.pdf", TEXT, "受理编号 A001")


# -- against cupsd


@needs_cupsd
def test_a_chinese_pdf_prints_and_reads_back(cups, printer, pdf):
    result = printer.print_pdf(pdf, title="办件回执")
    assert result.ok and result.state is JobState.COMPLETED
    assert result.pages == 1
    out = cups.queue.output(result.job_id)
    assert out is not None, sorted(cups.queue.out_dir.iterdir())
    text = pdftotext(out)
    assert TEXT in text and "受理编号 A001" in text


@needs_cupsd
def test_a_retried_key_prints_once(cups, printer, pdf):
    first = printer.print_pdf(pdf, title="retry", key="ticket-A002-receipt")
    again = printer.print_pdf(pdf, title="retry", key="ticket-A002-receipt")
    other = printer.print_pdf(pdf, title="retry", key="ticket-A003-receipt")
    assert again == first and other.job_id != first.job_id
    assert len(list(cups.queue.out_dir.glob(f"*job_{first.job_id}.pdf"))) == 1
    completed = cups.admin("lpstat", "-W", "completed", "-o", cups.queue.name)
    assert completed.count(f"{cups.queue.name}-{first.job_id} ") == 1


@needs_cupsd
def test_a_retried_key_prints_again_after_the_job_was_cancelled(cups, printer, pdf):
    cups.admin("cupsdisable", cups.queue.name)
    job = lptools.parse_job_id(cups.admin("lp", "-d", cups.queue.name, str(pdf)))
    printer.keys.put("ticket-A004", job)
    printer.cancel(job)
    cups.restore()
    result = printer.print_pdf(pdf, key="ticket-A004")
    assert result.ok and result.job_id != job
    assert printer.job(job).state is JobState.CANCELED


@needs_cupsd
def test_a_disabled_printer_is_a_fault_and_nothing_is_queued(cups, printer, pdf):
    cups.admin("cupsdisable", "-r", "卡纸 paper jam", cups.queue.name)
    started = time.monotonic()
    with pytest.raises(DeviceFault, match="stopped: 卡纸 paper jam") as caught:
        printer.print_pdf(pdf, key="ticket-B001")
    assert caught.value.code == "printer-stopped"
    assert time.monotonic() - started < 3
    assert cups.admin("lpstat", "-o", cups.queue.name).strip() == ""
    assert printer.keys.get("ticket-B001") is None  # a retry after the repair prints


@needs_cupsd
def test_a_job_waiting_on_a_stopped_printer_is_a_fault_and_is_cancelled(cups, printer, pdf):
    cups.admin("cupsdisable", "-r", "cover open", cups.queue.name)
    job = lptools.parse_job_id(cups.admin("lp", "-d", cups.queue.name, str(pdf)))
    with pytest.raises(DeviceFault, match="cover open"):
        printer.follow(job, deadline=time.monotonic() + 10)
    assert printer.job(job).state is JobState.CANCELED  # it will not come out after the repair


@needs_cupsd
def test_a_rejecting_printer_is_a_fault(cups, printer, pdf):
    cups.admin("cupsreject", "-r", "maintenance", cups.queue.name)
    with pytest.raises(DeviceFault) as caught:
        printer.print_pdf(pdf)
    assert caught.value.code == "not-accepting"
    assert doctor(cups.url)["state"] == "error"


@needs_cupsd
def test_a_deadline_cancels_the_job_and_says_so(cups, printer, pdf):
    with pytest.raises(DeviceTimeout, match="not finished in time") as caught:
        printer.print_pdf(pdf, timeout=0)
    job = int(caught.value.message.split()[1])
    assert printer.job(job).state is JobState.CANCELED


@needs_cupsd
def test_a_damaged_pdf_is_a_fault_and_is_cancelled(cups, printer, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj garbage\n%%EOF\n")
    with pytest.raises(DeviceFault, match=r"job \d+ stopped: ") as caught:  # "Filter failed", or why
        printer.print_pdf(broken, key="ticket-C001")
    assert caught.value.code == "job-stopped"
    job = printer.keys.get("ticket-C001")
    assert job is not None and printer.job(job).state is JobState.CANCELED


@needs_cupsd
def test_the_printer_state_is_reported(cups, printer):
    state = printer.state()
    assert state.condition is PrinterCondition.IDLE and state.accepting and state.ready
    assert state.queue == cups.queue.name
    report = doctor(cups.url, {}, 5)
    assert report["state"] == "ready"
    assert report["details"]["accepting"] is True


@needs_cupsd
def test_without_a_server_the_one_libcups_uses_is_asked(cups, pdf, monkeypatch):
    monkeypatch.setenv("CUPS_SERVER", cups.server)  # as a client.conf ServerName would
    printer = CupsPrinter.from_url(f"cups://{cups.queue.name}")
    assert printer.server is None
    assert printer.print_pdf(pdf).ok
    assert doctor(f"cups://{cups.queue.name}")["state"] == "ready"


def test_an_unreachable_cupsd_is_unavailable(tmp_path):
    printer = CupsPrinter("nowhere", f"127.0.0.1:{free_port()}", PrintSettings(command_timeout=5))
    with pytest.raises(DeviceUnavailable, match="not reachable"):
        printer.state()
    with pytest.raises(DeviceUnavailable):
        printer.print_pdf(chinese_pdf(tmp_path / "a.pdf", TEXT))
    assert doctor(f"ipp://127.0.0.1:{free_port()}/printers/nowhere")["state"] == "disconnected"


@needs_cupsd
def test_an_unknown_queue_is_unavailable(cups):
    with pytest.raises(DeviceUnavailable, match="has no printer 'no-such-queue'"):
        CupsPrinter("no-such-queue", cups.server).state()


@needs_cupsd
def test_the_simulator_announces_its_queue_and_cleans_up():
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from drivers.cups import sim_main; sys.exit(sim_main([]))"],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("listening cups://127.0.0.1:"), line
        url = line.removeprefix("listening ")
        assert doctor(url)["state"] == "ready"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        proc.stdout.close()
    assert not list(CUPS_PDF_CONF_DIR.glob(f"cups-pdf-{QUEUE_PREFIX}-{proc.pid}-*.conf"))


# -- pure parts


def test_urls_name_the_queue_and_the_server():
    assert parse_url("cups://A4") == ("A4", None)
    assert parse_url("A4") == ("A4", None)
    assert parse_url("cups://127.0.0.1:6310/A4") == ("A4", "127.0.0.1:6310")
    assert parse_url("ipp://print-server/printers/hall-a4") == ("hall-a4", "print-server:631")
    with pytest.raises(ValueError):
        parse_url("ipp://print-server/classes/x/y")


def test_lpstat_output_is_read():
    out = (
        "printer hall is idle.  enabled since Fri Nov 27 22:39:10 2026\n"
        "\tForm mounted:\n\tAlerts: none\n\tUsers allowed:\n\t\t(all)\n"
        "hall accepting requests since Fri Nov 27 22:39:10 2026\n"
    )
    state = lptools.parse_printer(out, "hall")
    assert state.ready and state.condition is PrinterCondition.IDLE and state.message == ""
    out = (
        "printer hall disabled since Fri Nov 27 22:39:10 2026 -\n\t卡纸\n"
        "\tForm mounted:\n\tAlerts: paused media-jam-error\n"
        "hall not accepting requests since Fri Nov 27 22:39:10 2026 -\n\t卡纸\n"
    )
    state = lptools.parse_printer(out, "hall")
    assert state.condition is PrinterCondition.STOPPED and not state.accepting
    assert state.message == "卡纸" and state.alerts == ("paused", "media-jam-error")
    assert state.problem == "printer hall is stopped: 卡纸"
    state = lptools.parse_printer(
        "printer hall now printing hall-17.  enabled since x\nhall accepting requests since x\n", "hall"
    )
    assert state.condition is PrinterCondition.PRINTING and state.printing_job == 17
    with pytest.raises(DeviceProtocolError):
        lptools.parse_printer("printer other is idle.\n", "hall")
    assert lptools.parse_job_id("request id is hall-42 (1 file(s))\n") == 42


def test_a_get_job_request_has_the_exact_bytes():
    req = ipp.encode_request(ipp.GET_JOB_ATTRIBUTES, 7, [(ipp.TAG_INTEGER, "job-id", [b"\0\0\0\x05"])])
    assert req[:9] == bytes.fromhex("0200 0009 00000007 01")
    assert req[9:] == (
        b"\x47\x00\x12attributes-charset\x00\x05utf-8"
        b"\x48\x00\x1battributes-natural-language\x00\x02en"
        b"\x21\x00\x06job-id\x00\x04\x00\x00\x00\x05"
        b"\x03"
    )
    multi = ipp.get_job_request("ipp://localhost/jobs/3", "kiosk")
    assert b"\x44\x00\x14requested-attributes\x00\x06job-id\x44\x00\x00\x00\x09job-state" in multi


def _attr(tag: int, name: bytes, value: bytes) -> bytes:
    return bytes([tag]) + struct.pack(">H", len(name)) + name + struct.pack(">H", len(value)) + value


def test_a_job_response_is_decoded():
    body = (
        bytes.fromhex("0200 0000 00000001") + b"\x01"
        + _attr(0x47, b"attributes-charset", b"utf-8")
        + b"\x02"
        + _attr(0x23, b"job-state", b"\0\0\0\x09")
        + _attr(0x44, b"job-state-reasons", b"job-completed-successfully")
        + _attr(0x44, b"", b"printer-stopped")
        + _attr(0x41, b"job-printer-state-message", "卡纸".encode())
        + b"\x03"
    )
    status, request_id, groups = ipp.decode_response(body)
    assert (status, request_id) == (0, 1)
    assert groups[1] == (2, {"job-state": [9], "job-printer-state-message": ["卡纸"],
                             "job-state-reasons": ["job-completed-successfully", "printer-stopped"]})


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_garbage_responses_raise_only_protocol_errors(data):
    try:
        ipp.decode_response(data)
    except DeviceProtocolError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=9, max_value=60))
def test_truncated_responses_raise_protocol_errors(cut):
    body = bytes.fromhex("0200 0000 00000001") + b"\x02" + _attr(0x23, b"job-state", b"\0\0\0\x05")
    with pytest.raises(DeviceProtocolError):
        ipp.decode_response((body + b"\x03")[: min(cut, len(body))])


def test_remembered_keys_are_bounded():
    keys = JobKeys(limit=3)
    for i in range(5):
        keys.put(f"k{i}", i)
    assert len(keys) == 3 and keys.get("k0") is None and keys.get("k4") == 4


def test_a_missing_pdf_is_refused_before_cups_is_asked(tmp_path):
    with pytest.raises(DeviceError, match="does not exist"):
        CupsPrinter("any").print_pdf(tmp_path / "missing.pdf")


@needs_cupsd
def test_cancelling_a_finished_or_unknown_job_is_no_error(cups, printer, pdf):
    done = printer.print_pdf(pdf)
    printer.cancel(done.job_id)
    printer.cancel(99999)
    assert printer.job(99999).state is JobState.UNKNOWN
    assert printer.job(done.job_id).state is JobState.COMPLETED
