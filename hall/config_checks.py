"""Checks of a hall configuration that span its sections, or that no single field can make.

Unique ids, every reference pointing at something defined, and nothing public in a real hall:
with ``hall.demo = false`` the sample hall's device tokens and the published demo password are
refused, so a hall cannot go live with credentials printed in the README.

Each issue is ``(key path, expected, found)``; ``HallConfig`` turns them into ``ConfigIssue``s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hall.config_english import english_issues
from hall.config_issues import found_text, one_of
from hall.followups.config import followup_issues
from hall.hours_config import opening_issues
from hall.passwords import PUBLISHED_DEMO_PASSWORDS, is_published_demo_hash

# the checks read a validated HallConfig; they take it untyped, because hall.config imports them
HallConfig = Any

Issue = tuple[tuple[str | int, ...], str, str]


def _article(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o") else "a"  # "a username", "an id"


def _duplicates(
    section: str, key: str, values: Iterable[Any], show: Callable[[Any], str] = repr
) -> list[Issue]:
    """Issues for every repeat of a value, pointing at the later entry and naming the first."""
    seen: dict[Any, int] = {}
    issues: list[Issue] = []
    for index, value in enumerate(values):
        if value in seen:
            issues.append(
                (
                    (section, index, key),
                    f"{_article(key)} {key} not used elsewhere "
                    f"({section}[{seen[value]}] already has it)",
                    show(value),
                )
            )
        else:
            seen[value] = index
    return issues


def cross_check(cfg: HallConfig) -> Iterable[Issue]:
    """Checks that span sections: unique ids, references to something defined, no public secrets."""
    yield from _duplicates("queues", "id", (q.id for q in cfg.queues))
    yield from _duplicates("queues", "prefix", (q.prefix for q in cfg.queues))
    yield from _duplicates("windows", "id", (w.id for w in cfg.windows))
    yield from _duplicates("windows", "number", (w.number for w in cfg.windows))
    yield from _duplicates("staff", "id", (s.id for s in cfg.staff))
    yield from _duplicates("staff", "username", (s.username for s in cfg.staff))
    yield from _duplicates("devices", "id", (d.id for d in cfg.devices))
    yield from _duplicates(
        "devices", "token", (d.token for d in cfg.devices), lambda t: found_text(t, ("token",))
    )
    yield from _duplicates("matters", "code", (m.code for m in cfg.matters))
    yield from _duplicates("announcements", "id", (a.id for a in cfg.announcements))
    yield from followup_issues(cfg)
    yield from opening_issues(cfg)
    yield from english_issues(cfg)

    queue_ids = [q.id for q in cfg.queues]
    window_ids = [w.id for w in cfg.windows]
    known_queue = f"a queue id defined in [[queues]] (one of: {one_of(queue_ids)})"
    known_window = f"a window id defined in [[windows]] (one of: {one_of(window_ids)})"

    for wi, window in enumerate(cfg.windows):
        seen: set[str] = set()
        for qi, queue_id in enumerate(window.queues):
            if queue_id not in queue_ids:
                yield ("windows", wi, "queues", qi), known_queue, repr(queue_id)
            elif queue_id in seen:
                yield (
                    ("windows", wi, "queues", qi),
                    "each queue listed once per window",
                    repr(queue_id),
                )
            seen.add(queue_id)

    for si, member in enumerate(cfg.staff):
        for wi, window_id in enumerate(member.windows):
            if window_id not in window_ids:
                yield ("staff", si, "windows", wi), known_window, repr(window_id)

    if not cfg.hall.demo:
        yield from _published_passwords(cfg)

    for di, device in enumerate(cfg.devices):
        if device.window is not None and device.window not in window_ids:
            yield ("devices", di, "window"), known_window, repr(device.window)
        if device.role == "keypad" and device.window is None:
            yield ("devices", di, "window"), "the window this keypad calls for", "nothing"
        if not cfg.hall.demo and device.token.startswith("demo-"):
            yield (
                ("devices", di, "token"),
                "a token of this hall's own (demo tokens are public; hall.demo is false)",
                "a token starting 'demo-'",
            )

    yield from _duplicates("peripherals", "id", (p.id for p in cfg.peripherals))
    hosts = ["hall", *(d.id for d in cfg.devices)]
    for pi, peripheral in enumerate(cfg.peripherals):
        if peripheral.host not in hosts:
            yield (
                ("peripherals", pi, "host"),
                f"\"hall\" or a device id defined in [[devices]] (one of: {one_of(hosts)})",
                repr(peripheral.host),
            )
        if peripheral.window is not None and peripheral.window not in window_ids:
            yield ("peripherals", pi, "window"), known_window, repr(peripheral.window)

    kiosks = [d.id for d in cfg.devices if d.role == "kiosk"]
    for mi, matter in enumerate(cfg.matters):
        if matter.queue not in queue_ids:
            yield ("matters", mi, "queue"), known_queue, repr(matter.queue)
        if matter.self_service and not kiosks:
            yield (("matters", mi, "self_service"), "false, or a kiosk in [[devices]] (role = \"kiosk\") to apply at",
                   "true")


def _published_passwords(cfg: HallConfig) -> Iterable[Issue]:
    """Staff whose password is a published demo password (the sample's hashes among them)."""
    shown = " or ".join(repr(p) for p in PUBLISHED_DEMO_PASSWORDS)
    for si, member in enumerate(cfg.staff):
        if is_published_demo_hash(member.password_hash):
            yield (
                ("staff", si, "password_hash"),
                f"a password of this hall's own for {member.username!r} (hall.demo is false): "
                f"make its hash with 'yiciban staff hash-password'",
                f"a hash of the published demo password {shown}",
            )
