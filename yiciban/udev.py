"""`yiciban udev suggest`: a udev rule giving a plugged device a stable name under /dev/yiciban/.

Two USB-serial adapters swap /dev/ttyUSB0 and /dev/ttyUSB1 when they are plugged in another
order or a port is changed; the hall's configuration then talks to the printer as if it were
the ID card reader. A rule that matches the device by its USB vendor and product id and its
serial number (or, when it has none, by the USB port it sits in) adds a symlink such as
`/dev/yiciban/idcard` that the configuration names instead. The facts come from sysfs; the
root is a parameter so that a test can give a fake tree.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# the device classes a hall's devices appear in: serial ports, USB printers (usblp), HID
CLASSES = ("tty", "usbmisc", "hidraw")
RULES_FILE = "/etc/udev/rules.d/61-yiciban-local.rules"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


class UdevError(Exception):
    """A device that cannot be named: not found, not on USB, or a bad name."""


@dataclass(frozen=True)
class UsbDevice:
    kernel: str  # ttyUSB0, lp0, hidraw1
    subsystem: str  # tty, usbmisc, hidraw
    vendor: str  # idVendor, 4 hex digits
    product: str  # idProduct
    serial: str | None  # the USB serial number, when the device reports one
    port: str  # the USB device's sysfs name: bus-port path such as 1-1.2
    interface: str | None  # bInterfaceNumber, for adapters with several ports
    description: str  # manufacturer and product strings


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    return text or None


def find_device(sysfs: Path, device: str) -> UsbDevice:
    """`device` (`/dev/ttyUSB0` or `ttyUSB0`) as sysfs describes it."""
    kernel = Path(device).name
    for subsystem in CLASSES:
        node = sysfs / "class" / subsystem / kernel
        if node.exists():
            return _describe(node, kernel, subsystem)
    raise UdevError(f"{device}: no such device in {sysfs}/class/{{{','.join(CLASSES)}}} (is it plugged in?)")


def plugged(sysfs: Path) -> list[UsbDevice]:
    """Every USB device of the classes above that is plugged in now."""
    found = []
    for subsystem in CLASSES:
        directory = sysfs / "class" / subsystem
        for node in sorted(directory.iterdir()) if directory.is_dir() else ():
            try:
                found.append(_describe(node, node.name, subsystem))
            except UdevError:
                continue  # a built-in serial port or a virtual console: not on USB
    return found


def _describe(node: Path, kernel: str, subsystem: str) -> UsbDevice:
    real = node.resolve()
    interface = None
    for parent in [real, *real.parents]:
        if interface is None and (parent / "bInterfaceNumber").is_file():
            interface = _read(parent / "bInterfaceNumber")
        vendor, product = _read(parent / "idVendor"), _read(parent / "idProduct")
        if vendor and product:
            words = [_read(parent / "manufacturer"), _read(parent / "product")]
            return UsbDevice(kernel, subsystem, vendor, product, _read(parent / "serial"), parent.name,
                             interface, " ".join(w for w in words if w) or "USB device")
    raise UdevError(f"{kernel}: not a USB device (no idVendor/idProduct above {real})")


def rule(device: UsbDevice, name: str) -> str:
    """The rule line (with a comment line above it) that links /dev/yiciban/NAME to `device`."""
    if not NAME_PATTERN.match(name):
        raise UdevError(f"name {name!r}: use lower-case letters, digits and '-' (like idcard, keypad-bus)")
    match = [f'SUBSYSTEM=="{device.subsystem}"', f'ATTRS{{idVendor}}=="{device.vendor}"',
             f'ATTRS{{idProduct}}=="{device.product}"']
    if device.serial:
        match.append(f'ATTRS{{serial}}=="{_quoted(device.serial)}"')
        why = f"serial {device.serial}"
    else:
        match.append(f'KERNELS=="{device.port}"')
        why = f"no serial number: tied to USB port {device.port}, keep it plugged there"
    if device.interface is not None and device.subsystem == "tty":
        match.append(f'ENV{{ID_USB_INTERFACE_NUM}}=="{device.interface}"')
    group = "lp" if device.subsystem == "usbmisc" else "dialout"
    comment = f"# {name}: {device.description} {device.vendor}:{device.product} ({why}), now {device.kernel}"
    return comment + "\n" + ", ".join(match) + f', SYMLINK+="yiciban/{name}", GROUP="{group}", MODE="0660"\n'


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def suggest_command(args: argparse.Namespace) -> int:
    sysfs = Path(args.sysfs)
    try:
        if args.device:
            text = rule(find_device(sysfs, args.device), args.name or Path(args.device).name.lower())
        else:
            devices = plugged(sysfs)
            if not devices:
                sys.stderr.write("yiciban udev suggest: no USB serial port, printer or HID device under "
                                 f"{sysfs}\n")
                return 1
            text = "".join(rule(d, d.kernel.lower()) for d in devices)
    except UdevError as exc:
        sys.stderr.write(f"yiciban udev suggest: {exc}\n")
        return 2
    if args.output:
        with open(args.output, "a", encoding="utf-8") as out:
            out.write(text)
        sys.stderr.write(f"appended to {args.output}; then run: "
                         "udevadm control --reload && udevadm trigger\n")
    else:
        sys.stdout.write(text)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    u = sub.add_parser("udev", help="stable device names under /dev/yiciban/")
    usub = u.add_subparsers(dest="udev_command", metavar="ACTION", required=True)
    s = usub.add_parser("suggest", help="a udev rule for a plugged device, from its USB ids and serial")
    s.add_argument("device", nargs="?", metavar="DEVICE",
                   help="/dev/ttyUSB0, lp0, hidraw1 ... (default: a rule for every plugged USB device)")
    s.add_argument("--name", help="the name under /dev/yiciban/: idcard, printer, keypad-bus, led-strip ...")
    s.add_argument("--output", help=f"append the rule to this file (such as {RULES_FILE})")
    s.add_argument("--sysfs", default="/sys", help=argparse.SUPPRESS)
    s.set_defaults(func=suggest_command)
