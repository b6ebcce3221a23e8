"""Captured documents at rest: sealed with AES-256-GCM until the platform acknowledges them, then
wiped. A capture is personal data (an ID card, a form with a name and an ID number), so it
never lies on the kiosk's disk in the clear and never reaches a log: the store logs counts only.

Each item is one file `<id>.sealed` in a directory only the owner may enter (0700; files 0600):
`b"\\x01" + nonce (12 bytes) + ciphertext and tag`, with the item's id as associated data, so a
file renamed to another id does not open. The key is 32 bytes the caller holds (the kiosk's
configured key; the copy service uses a fresh key per session, so even a crash leaves nothing
readable). `wipe()` overwrites every file with zeros before unlinking it.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

_VERSION = b"\x01"
_NONCE = 12
_SUFFIX = ".sealed"
_ID = re.compile(r"^[0-9a-f]{32}$")


class StoreError(Exception):
    """An item is missing, was altered, or was sealed with another key; the message says which."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


class CaptureStore:
    def __init__(self, directory: str | Path, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError(f"the capture store's key must be 32 bytes (AES-256), not {len(key)}")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        self._aead = AESGCM(key)

    def _path(self, item: str) -> Path:
        if not _ID.match(item):
            raise StoreError(f"not a capture id: {item[:40]!r}")
        return self.directory / f"{item}{_SUFFIX}"

    def put(self, data: bytes) -> str:
        """Seals `data` to a new file; returns its id."""
        item = secrets.token_hex(16)
        nonce = secrets.token_bytes(_NONCE)
        sealed = _VERSION + nonce + self._aead.encrypt(nonce, data, item.encode("ascii"))
        path = self._path(item)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(sealed)
            out.flush()
            os.fsync(out.fileno())
        return item

    def get(self, item: str) -> bytes:
        path = self._path(item)
        try:
            sealed = path.read_bytes()
        except FileNotFoundError:
            raise StoreError(f"capture {item} is not in the store (wiped or never kept)") from None
        if len(sealed) < 1 + _NONCE + 16 or sealed[:1] != _VERSION:
            raise StoreError(f"capture {item} is not a sealed capture")
        try:
            return self._aead.decrypt(sealed[1:1 + _NONCE], sealed[1 + _NONCE:], item.encode("ascii"))
        except InvalidTag:
            raise StoreError(f"capture {item} does not open: altered, moved, or sealed with another key") from None

    def ids(self) -> list[str]:
        return sorted(p.name[: -len(_SUFFIX)] for p in self.directory.glob(f"*{_SUFFIX}")
                      if _ID.match(p.name[: -len(_SUFFIX)]))

    def delete(self, item: str) -> None:
        """Overwrites the item's file with zeros and removes it (the platform acknowledged it)."""
        _shred(self._path(item))

    def wipe(self) -> int:
        """Every item overwritten and removed; returns how many there were."""
        items = self.ids()
        for item in items:
            self.delete(item)
        for leftover in self.directory.glob(f"*{_SUFFIX}"):
            _shred(leftover)
        log.info("capture store wiped: %d items", len(items))
        return len(items)


def _shred(path: Path) -> None:
    try:
        size = path.stat().st_size
        with open(path, "r+b") as out:
            out.write(b"\0" * size)
            out.flush()
            os.fsync(out.fileno())
        path.unlink()
    except FileNotFoundError:
        return
