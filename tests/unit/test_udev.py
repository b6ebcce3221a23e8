"""`yiciban udev suggest` on a fake sysfs tree laid out as the kernel lays out USB devices."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from yiciban.udev import UdevError, find_device, plugged, rule

REPO = Path(__file__).resolve().parents[2]


def _usb_device(sysfs: Path, port: str, vendor: str, product: str, serial: str | None,
                manufacturer: str = "QinHeng", name: str = "USB Serial") -> Path:
    device = sysfs / "devices" / "pci0000:00" / "0000:00:14.0" / "usb1" / port
    device.mkdir(parents=True)
    for key, value in {"idVendor": vendor, "idProduct": product, "manufacturer": manufacturer,
                       "product": name, **({"serial": serial} if serial else {})}.items():
        (device / key).write_text(value + "\n")
    return device


def _node(sysfs: Path, device: Path, subsystem: str, kernel: str, interface: str = "00") -> None:
    intf = device / f"{device.name}:1.{int(interface)}"
    intf.mkdir()
    (intf / "bInterfaceNumber").write_text(interface + "\n")
    target = intf / kernel / subsystem / kernel
    target.mkdir(parents=True)
    (sysfs / "class" / subsystem).mkdir(parents=True, exist_ok=True)
    os.symlink(target, sysfs / "class" / subsystem / kernel)


@pytest.fixture
def sysfs(tmp_path: Path) -> Path:
    root = tmp_path / "sys"
    reader = _usb_device(root, "1-1.2", "0400", "c35a", "ID0042", "Synjones", "ID Reader")
    _node(root, reader, "tty", "ttyUSB0")
    bus = _usb_device(root, "1-1.3", "1a86", "7523", None)
    _node(root, bus, "tty", "ttyUSB1")
    printer = _usb_device(root, "1-1.4", "0416", "5011", "PRN7", "Winbond", "POS58")
    _node(root, printer, "usbmisc", "lp0")
    console = root / "devices" / "virtual" / "tty" / "console"
    console.mkdir(parents=True)
    os.symlink(console, root / "class" / "tty" / "console")
    return root


def test_a_device_with_a_serial_is_matched_by_ids_and_serial(sysfs: Path) -> None:
    reader = find_device(sysfs, "/dev/ttyUSB0")
    assert (reader.vendor, reader.product, reader.serial, reader.port) == ("0400", "c35a", "ID0042", "1-1.2")
    text = rule(reader, "idcard")
    line = text.splitlines()[1]
    assert line == ('SUBSYSTEM=="tty", ATTRS{idVendor}=="0400", ATTRS{idProduct}=="c35a", '
                    'ATTRS{serial}=="ID0042", ENV{ID_USB_INTERFACE_NUM}=="00", '
                    'SYMLINK+="yiciban/idcard", GROUP="dialout", MODE="0660"')
    assert text.startswith("# idcard: Synjones ID Reader 0400:c35a (serial ID0042), now ttyUSB0")


def test_a_device_without_a_serial_is_tied_to_its_usb_port(sysfs: Path) -> None:
    text = rule(find_device(sysfs, "ttyUSB1"), "keypad-bus")
    assert 'KERNELS=="1-1.3"' in text and "ATTRS{serial}" not in text
    assert "tied to USB port 1-1.3" in text and 'SYMLINK+="yiciban/keypad-bus"' in text


def test_a_usb_printer_goes_to_the_lp_group(sysfs: Path) -> None:
    text = rule(find_device(sysfs, "lp0"), "printer")
    assert 'SUBSYSTEM=="usbmisc"' in text and 'GROUP="lp"' in text and "ID_USB_INTERFACE_NUM" not in text


def test_every_plugged_usb_device_is_listed_and_the_console_is_not(sysfs: Path) -> None:
    assert sorted(d.kernel for d in plugged(sysfs)) == ["lp0", "ttyUSB0", "ttyUSB1"]


def test_bad_devices_and_names_are_refused_with_the_reason(sysfs: Path) -> None:
    with pytest.raises(UdevError, match="ttyUSB9: no such device"):
        find_device(sysfs, "/dev/ttyUSB9")
    with pytest.raises(UdevError, match="console: not a USB device"):
        find_device(sysfs, "console")
    with pytest.raises(UdevError, match="name 'ID Card'"):
        rule(find_device(sysfs, "ttyUSB0"), "ID Card")


def test_the_command_appends_the_rule_to_a_file(sysfs: Path, tmp_path: Path) -> None:
    out = tmp_path / "61-yiciban-local.rules"
    out.write_text("# existing\n")
    cmd = [sys.executable, "-m", "yiciban.cli", "udev", "suggest", "/dev/ttyUSB0", "--name", "idcard",
           "--sysfs", str(sysfs), "--output", str(out)]
    done = subprocess.run(cmd, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith("# existing\n# idcard:") and 'SYMLINK+="yiciban/idcard"' in out.read_text()
    bad = subprocess.run(cmd[:5] + ["ttyUSB7", "--sysfs", str(sysfs)], cwd=REPO,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "ttyUSB7: no such device" in bad.stderr
