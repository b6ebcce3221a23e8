"""Print jobs, their results, and the memory of printed job keys that makes a retry print once.

A job's key says "this ticket". The driver records a key only once the printer has confirmed the
whole job (GS r 1 answered after the cut); a job retried with a recorded key is acknowledged
without printing. Keys live in a bounded memory, optionally kept in a small file (one key a
line, appended and synced per job, compacted when it grows to twice the bound).
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from drivers.escpos.status import PrinterStatus
from drivers.escpos.ticket import Document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintJob:
    key: str  # idempotency key: the same ticket printed again carries the same key
    document: Document

    def __post_init__(self) -> None:
        if not self.key or len(self.key) > 200 or any(c in self.key for c in "\r\n\t"):
            raise ValueError("a job key is 1..200 characters without tabs or line breaks")

    @property
    def digest(self) -> str:
        return hashlib.sha256(repr(self.document).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class JobResult:
    key: str
    printed: bool  # this call printed the job
    duplicate: bool = False  # the key was printed before: acknowledged, nothing sent
    confirmed: bool = False  # the printer reported the whole job done (not only received)
    bytes_sent: int = 0
    status: PrinterStatus | None = None
    warnings: tuple[str, ...] = field(default=())


class PrintedKeys:
    """Recently printed job keys: at most `capacity`, oldest forgotten first."""

    def __init__(self, capacity: int = 2000, path: str | Path | None = None) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.path = Path(path) if path else None
        self._keys: OrderedDict[str, str] = OrderedDict()
        self._lines = 0
        self._lock = threading.Lock()
        if self.path is not None:
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("cannot read printed job keys from %s: %s", self.path, exc)
            return
        for line in text.splitlines():
            key, _, digest = line.partition("\t")
            if key:
                self._remember(key, digest)
                self._lines += 1

    def _remember(self, key: str, digest: str) -> None:
        self._keys[key] = digest
        self._keys.move_to_end(key)
        while len(self._keys) > self.capacity:
            self._keys.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._keys

    def __len__(self) -> int:
        with self._lock:
            return len(self._keys)

    def digest(self, key: str) -> str | None:
        with self._lock:
            return self._keys.get(key)

    def add(self, key: str, digest: str = "") -> None:
        with self._lock:
            self._remember(key, digest)
            if self.path is None:
                return
            try:
                if self._lines >= 2 * self.capacity:
                    self._compact()
                else:
                    with open(self.path, "a", encoding="utf-8") as f:
                        f.write(f"{key}\t{digest}\n")
                        f.flush()
                        os.fsync(f.fileno())
                    self._lines += 1
            except OSError as exc:  # the ticket is printed: losing the record must not fail it
                log.warning("cannot record printed job key in %s: %s", self.path, exc)

    def _compact(self) -> None:
        assert self.path is not None
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.writelines(f"{k}\t{d}\n" for k, d in self._keys.items())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        self._lines = len(self._keys)
        with contextlib.suppress(OSError):
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
