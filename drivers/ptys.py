"""Pseudo-terminal pairs for simulators: the device's end, and a stable path for the driver.

A simulator owns the master end and speaks the device's side of the protocol. The driver opens
the slave through a symlink (as it would open a udev symlink such as /dev/yiciban-idcard), so a
simulated unplug and replug (`unplug()`, then `replug()`) gives the driver a new pty under the
same name, exactly as a USB serial adapter that comes back does.
"""
from __future__ import annotations

import contextlib
import os
import termios
import tty
from pathlib import Path


class PtyPort:
    def __init__(self, link: str | Path | None = None) -> None:
        self.link = Path(link) if link else None
        self.master: int | None = None
        self.slave: int | None = None
        self.slave_name = ""
        self.replug()

    @property
    def path(self) -> str:
        """What a driver opens: the symlink when one was asked for, else the pty's own name."""
        return str(self.link) if self.link else self.slave_name

    def replug(self) -> None:
        self.unplug()
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        attrs = termios.tcgetattr(slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        # the simulator keeps the slave open too, so the driver closing its end is not a hangup
        self.master, self.slave, self.slave_name = master, slave, os.ttyname(slave)
        if self.link:
            tmp = self.link.with_name(self.link.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(self.slave_name)
            tmp.replace(self.link)

    def unplug(self) -> None:
        """Closes both ends: the driver's reads and writes fail as on a pulled USB cable."""
        for fd in (self.master, self.slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.master = self.slave = None
        if self.link:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()

    def close(self) -> None:
        self.unplug()
