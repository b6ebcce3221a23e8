"""Log lines: one per event, journald prefixes under systemd, personal data masked."""
from __future__ import annotations

import io
import logging
import re

import pytest

from ground import privacy
from ground.logs import PersonalDataFilter, journal_priority, setup_logging
from ground.privacy import SensitiveNames

ID = "440304199001010011"
MASKED = "440304********0011"
PLAIN_LINE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} (\w+) ([\w.]+): (.*)$")


@pytest.fixture
def out(monkeypatch):
    """setup_logging writing to a buffer; the root logger is put back afterwards."""
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    privacy.sensitive_names.clear()
    buffer = io.StringIO()
    setup_logging("DEBUG", stream=buffer)
    yield buffer
    for handler in list(root.handlers):
        if handler not in saved_handlers:
            root.removeHandler(handler)
    root.setLevel(saved_level)
    privacy.sensitive_names.clear()


def lines(buffer: io.StringIO) -> list[str]:
    return buffer.getvalue().splitlines()


def test_plain_format(out):
    logging.getLogger("hall.server").info("ticket %s issued", "A017")
    [line] = lines(out)
    match = PLAIN_LINE.match(line)
    assert match is not None, line
    assert match.groups() == ("INFO", "hall.server", "ticket A017 issued")


def test_id_number_in_message_is_masked(out):
    logging.getLogger("hall.server").info("check-in for 身份证" + ID)
    text = out.getvalue()
    assert ID not in text
    assert f"身份证{MASKED}" in text


def test_id_number_in_arguments_is_masked(out):
    logging.getLogger("kiosk.session").info("card read: %s (%d pages)", ID, 3)
    text = out.getvalue()
    assert ID not in text
    assert f"card read: {MASKED} (3 pages)" in text


def test_id_number_in_exception_message_and_traceback_is_masked(out):
    log = logging.getLogger("sync.relay")
    try:
        raise ValueError("no applicant 440304199001010011")
    except ValueError:
        log.exception("upload failed for %s", "11010519491231002X")
    text = out.getvalue()
    assert ID not in text and "11010519491231002X" not in text
    assert "upload failed for 110105********002X" in text
    assert f"ValueError: no applicant {MASKED}" in text
    # The traceback's source line held the number too.
    assert f'raise ValueError("no applicant {MASKED}")' in text


def test_id_number_in_stack_info_is_masked(out):
    logging.getLogger("hall.server").info("where %s", "440304199001010011", stack_info=True)
    text = out.getvalue()
    assert ID not in text
    assert "Stack (most recent call last)" in text


def test_registered_name_is_masked_wherever_it_appears(out):
    log = logging.getLogger("kiosk.session")
    with privacy.sensitive_names.holding("张三丰"):
        log.info("%s 刷卡成功", "张三丰")
        log.info("applicant 张三丰 submitted")
        try:
            raise RuntimeError("张三丰 has no appointment")
        except RuntimeError:
            log.exception("check-in refused")
    text = out.getvalue()
    assert "张三丰" not in text
    assert "张** 刷卡成功" in text
    assert "RuntimeError: 张** has no appointment" in text


def test_traceback_is_one_line(out):
    log = logging.getLogger("hall.server")

    def inner():
        raise KeyError("window 3")

    try:
        inner()
    except KeyError:
        log.exception("call failed")
    log.info("next event")
    first, second = lines(out)
    assert first.count(" | ") >= 4
    assert "call failed | Traceback (most recent call last):" in first
    assert first.endswith("KeyError: 'window 3'")
    assert second.endswith("hall.server: next event")


def test_newline_in_a_value_cannot_forge_a_second_line(out):
    logging.getLogger("hall.server").warning("name=%s", "x\n2026-11-27 10:00:00,000 INFO fake")
    assert len(lines(out)) == 1


def test_arguments_that_do_not_fit_still_log(out):
    logging.getLogger("hall.server").info("two %s %s", ID)
    [line] = lines(out)
    assert "two %s %s" in line
    assert ID not in line


def test_journald_format(monkeypatch, out):
    monkeypatch.setenv("JOURNAL_STREAM", "8:123456")
    setup_logging("DEBUG", stream=out)
    log = logging.getLogger("hall.server")
    log.debug("d")
    log.info("i %s", ID)
    log.warning("w")
    log.error("e")
    log.critical("c")
    assert lines(out) == [
        "<7>hall.server: d",
        f"<6>hall.server: i {MASKED}",
        "<4>hall.server: w",
        "<3>hall.server: e",
        "<2>hall.server: c",
    ]


def test_journald_traceback_is_one_entry(monkeypatch, out):
    monkeypatch.setenv("JOURNAL_STREAM", "8:123456")
    setup_logging("INFO", stream=out)
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        logging.getLogger("hall.server").exception("boom")
    [line] = lines(out)
    assert line.startswith("<3>hall.server: boom | Traceback")
    assert line.endswith("ZeroDivisionError: division by zero")


def test_journal_priority_between_levels():
    assert journal_priority(logging.INFO + 5) == 6
    assert journal_priority(5) == 7


def test_setup_is_idempotent(out):
    setup_logging("DEBUG", stream=out)
    setup_logging("DEBUG", stream=out)
    logging.getLogger("hall.server").info("once")
    assert len(lines(out)) == 1


def test_level_is_applied(out):
    setup_logging("warning", stream=out)
    log = logging.getLogger("hall.server")
    log.info("hidden")
    log.warning("shown")
    assert len(lines(out)) == 1
    assert lines(out)[0].endswith("WARNING hall.server: shown")


def test_filter_on_its_own_handler_with_a_private_registry():
    names = SensitiveNames()
    names.add("李四")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(PersonalDataFilter(names))
    log = logging.getLogger("tests.logs.private")
    log.propagate = False
    log.addHandler(handler)
    try:
        log.warning("%s %s", "李四", ID)
    finally:
        log.removeHandler(handler)
        log.propagate = True
    assert buffer.getvalue() == f"李* {MASKED}\n"


def test_tokens_in_query_strings_never_reach_the_log():
    import io
    import logging

    from ground.logs import setup_logging

    out = io.StringIO()
    setup_logging("INFO", stream=out)
    try:
        logging.getLogger("uvicorn.error").info(
            '%s - "WebSocket %s" [accepted]', "127.0.0.1:4899",
            "/api/v1/events/ws?after=2&token=demo-display-1-token")
    finally:
        setup_logging("INFO")
    text = out.getvalue()
    assert "demo-display-1-token" not in text
    assert "after=2&token=***" in text


def test_signed_follow_links_never_reach_the_log():
    import io
    import logging

    from ground.logs import setup_logging

    out = io.StringIO()
    setup_logging("INFO", stream=out)
    try:
        log = logging.getLogger("hall.client")
        log.info("GET %s: ConnectionError; retrying once", "/public/tickets/20261127-A001.W3NRAWN5ST")
        log.info('%s - "GET %s HTTP/1.1" 200', "127.0.0.1:4899", "/t/20261127-B017.AB12CD34EF")
    finally:
        setup_logging("INFO")
    text = out.getvalue()
    assert "W3NRAWN5ST" not in text and "AB12CD34EF" not in text
    assert "/public/tickets/20261127-A001.***" in text and "/t/20261127-B017.***" in text
