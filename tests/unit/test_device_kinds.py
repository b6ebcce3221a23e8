"""One list of device kinds: the hall config, the screens' `--device`, `yiciban doctor` and `yiciban
sim` take exactly the kinds of `drivers.registry`, and every kind offers the same entry points."""
from __future__ import annotations

import argparse
import importlib
import inspect
import logging
from typing import Protocol

import pytest
from pydantic import ValidationError

from drivers import registry
from drivers.link import Link
from hall.config import PeripheralConfig
from kiosk.main import add_arguments, settings_from
from yiciban.cli import build_parser
from yiciban.doctor import check_all

# every name any part of the house ever used for a kind, and some that never were one
CANDIDATES = sorted({*registry.NAMES, *registry.ALIASES, "escpos", "printer", "led", "cups", "keypad",
                     "fax_machine", "Printer", "receipt-printer", "", "led_strip:w1"})


def config_kind(name: str) -> str | None:
    try:
        return PeripheralConfig(id="d1", kind=name, url="/dev/null").kind
    except ValidationError:
        return None


def screen_device(name: str) -> str | None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["kiosk", "--token", "t", "--device", f"{name}=/dev/null"])
    try:
        return next(iter(settings_from(args).devices))
    except ValueError:
        return None


def sim_kind(name: str) -> str | None:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    kind = next(a for a in sub.choices["sim"]._actions if a.dest == "kind")
    try:
        value = kind.type(name)
    except argparse.ArgumentTypeError:
        return None
    return value if value in kind.choices else None


def test_the_config_takes_exactly_the_registrys_kinds_and_their_older_names():
    accepted = {name: config_kind(name) for name in CANDIDATES}
    assert {n for n, k in accepted.items() if k is not None} == {*registry.NAMES, *registry.ALIASES}
    assert {k for k in accepted.values() if k is not None} == set(registry.NAMES)
    assert accepted["printer"] == accepted["escpos"] == "receipt_printer"
    assert accepted["led"] == "led_strip"


def test_the_screens_take_exactly_the_registrys_screen_kinds():
    accepted = {name: screen_device(name) for name in CANDIDATES if ":" not in name}
    kinds = {k for k in accepted.values() if k is not None}
    assert kinds == set(registry.SCREEN_KINDS)
    assert set(registry.NAMES) - kinds == {"keypad_bus"}  # its keys act on the queue: the hall PC's
    assert accepted["printer"] == "receipt_printer"
    assert screen_device("led:w1") == "led_strip:w1"


def test_sim_takes_exactly_the_registrys_kinds():
    accepted = {name: sim_kind(name) for name in CANDIDATES}
    assert {k for k in accepted.values() if k is not None} == set(registry.NAMES)
    assert {n for n, k in accepted.items() if k is not None} == {*registry.NAMES, *registry.ALIASES}


def test_an_older_name_says_what_to_write(caplog):
    with caplog.at_level(logging.WARNING, logger="drivers.registry"):
        assert config_kind("printer") == "receipt_printer"
    assert "write 'receipt_printer'" in caplog.text
    assert registry.alias_note("receipt_printer") is None


def test_an_unknown_kind_is_refused_with_the_known_ones():
    with pytest.raises(ValidationError) as exc:
        PeripheralConfig(id="d1", kind="fax_machine", url="/dev/null")
    assert "receipt_printer" in str(exc.value)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["kiosk", "--token", "t", "--device", "keypad_bus=/dev/null"])
    with pytest.raises(ValueError, match="hall config"):
        settings_from(args)


@pytest.mark.parametrize("kind", registry.NAMES)
def test_every_kind_offers_the_same_entry_points(kind):
    package = registry.package(kind)
    for entry in ("make_link", "doctor", "sim_main"):
        assert callable(getattr(package, entry, None)), f"{kind} has no {entry}"
    assert list(inspect.signature(package.doctor).parameters)[:3] == ["url", "settings", "timeout"]
    api = importlib.import_module(f"{registry.KINDS[kind].package}.api")
    protocols = [v for v in vars(api).values()
                 if isinstance(v, type) and issubclass(v, Protocol) and v.__module__ == api.__name__]
    assert protocols, f"{api.__name__} holds no Protocol"


def nowhere(kind: str, tmp_path) -> str:
    """A URL of the kind's form where no device answers."""
    return {"a4_printer": "cups://nothing-here", "contactless": "pcsc://Nothing Here"}.get(
        kind, str(tmp_path / "nothing-here"))


@pytest.mark.parametrize("kind", registry.NAMES)
def test_the_registry_builds_a_link_that_reports_a_missing_device(tmp_path, kind):
    settings = {"keypads": "1"} if kind == "keypad_bus" else {}
    link = registry.make_link(kind, f"{kind}-1", nowhere(kind, tmp_path), settings)
    assert isinstance(link, Link)
    link.step()
    assert link.status.state.value in ("disconnected", "error"), link.status
    assert link.status.kind == kind and link.status.device == f"{kind}-1"
    link.close()


def test_doctor_checks_every_kind_through_the_registry(tmp_path):
    rows = check_all([PeripheralConfig(id=f"d-{k}", kind=k, url=nowhere(k, tmp_path)) for k in registry.NAMES],
                     0.5)
    assert [r["kind"] for r in rows] == list(registry.NAMES)
    for r in rows:
        assert r["state"] in ("disconnected", "error"), r
        assert not r["reason"].startswith("check failed"), r  # the kind's doctor answered, not a crash
