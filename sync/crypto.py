"""Personal data at rest in the outbox: AES-256-GCM, with the key from the node's
configuration (base64) or from a key file that only its owner may read (mode 0600).

A sealed value is `b"\\x01" + key id (4 bytes) + nonce (12 bytes) + ciphertext and tag`.
The row's idempotency key is the associated data, so a sealed value copied into another row
does not open. The key id names which key sealed it: a node can rotate its key and still
open what the previous key sealed until that is delivered.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ground.paths import private_dir

log = logging.getLogger(__name__)

KEY_ENV = "YICIBAN_SYNC_KEY"
KEY_FILE_ENV = "YICIBAN_SYNC_KEY_FILE"
_VERSION = b"\x01"
_NONCE = 12


class SealingKeyError(Exception):
    """The sealing key is missing, malformed or not private; the message says how to fix it."""


class SealError(Exception):
    """A sealed value could not be opened: another key sealed it, or it was altered."""


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"yiciban-sync-key" + key).digest()[:4]


class Sealer:
    """Seals with the first key; opens with any of them."""

    def __init__(self, *keys: bytes) -> None:
        if not keys:
            raise SealingKeyError("no sealing key")
        for key in keys:
            if len(key) != 32:
                raise SealingKeyError("a sealing key is 32 bytes (AES-256)")
        self._keys = {key_id(k): AESGCM(k) for k in keys}
        self._current = key_id(keys[0])

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        return _VERSION + self._current + nonce + self._keys[self._current].encrypt(nonce, plaintext, aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        if len(sealed) < 1 + 4 + _NONCE + 16 or sealed[:1] != _VERSION:
            raise SealError("not a sealed value")
        aead = self._keys.get(sealed[1:5])
        if aead is None:
            raise SealError("sealed with a key this node no longer has")
        try:
            return aead.decrypt(sealed[5:5 + _NONCE], sealed[5 + _NONCE:], aad)
        except InvalidTag:
            raise SealError("sealed value does not match its row (altered or moved)") from None


def parse_key(text: str, what: str = "sealing key") -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SealingKeyError(f"the {what} must be 32 bytes in base64 (44 characters)") from None
    if len(key) != 32:
        raise SealingKeyError(f"the {what} must be 32 bytes in base64, found {len(key)} bytes")
    return key


def read_key_file(path: Path, what: str = "sealing key") -> bytes:
    """A key file's key; refused when others may read the file or another user owns it.
    `what` names the key in messages (the hall's identity key uses the same kind of file)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise SealingKeyError(f"cannot read the {what} file {path}: {exc.strerror}") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SealingKeyError(
            f"the {what} file {path} is readable by others (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run `chmod 600 {path}`"
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise SealingKeyError(f"the {what} file {path} belongs to another user")
    return parse_key(path.read_text(encoding="ascii", errors="replace"), what)


def create_key_file(path: Path, what: str = "sealing key") -> bytes:
    """Writes a new random key, mode 0600 from the start (never readable by others, even briefly)."""
    key = secrets.token_bytes(32)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(base64.b64encode(key).decode() + "\n")
    log.info("created the %s file %s", what, path)
    return key


def load_sealer(default_file: Path, *, key: str | None = None, key_file: str | Path | None = None,
                env: dict[str, str] | None = None) -> Sealer:
    """The node's sealer. Precedence: `key` > $YICIBAN_SYNC_KEY > `key_file` >
    $YICIBAN_SYNC_KEY_FILE > `default_file` (created with mode 0600 when missing)."""
    env = dict(os.environ) if env is None else env
    text = key or env.get(KEY_ENV)
    if text:
        return Sealer(parse_key(text))
    chosen = key_file or env.get(KEY_FILE_ENV)
    if chosen:
        return Sealer(read_key_file(Path(chosen)))
    path = Path(default_file)
    if path.exists():
        return Sealer(read_key_file(path))
    try:
        return Sealer(create_key_file(path))
    except FileExistsError:  # another process made it first
        return Sealer(read_key_file(path))
