"""Staff password hashes: scrypt from the standard library, stored as one self-describing string.

An encoded hash looks like ``scrypt$16384$8$1$<salt base64>$<hash base64>``: the cost
parameters travel with the hash, so they can be raised later without breaking old entries.
"""

from __future__ import annotations

import base64
import binascii
import functools
import getpass
import hashlib
import hmac
import os
import sys

SCHEME = "scrypt"
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PASSWORD_LENGTH = 8  # enforced when a new password is hashed from the command line

# Passwords printed in the README and the sample hall (assets/halls/demo/hall.toml): a hall that
# is not a demo must not accept them, whatever salt their hash has.
PUBLISHED_DEMO_PASSWORDS = ("demo1234",)

# Bounds on parameters read back from a stored hash, so a crafted entry cannot make
# verification use unbounded memory or time.
_MAX_N = 2**17
_MAX_R = 16
_MAX_P = 4


def _b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # scrypt needs about 128 * r * n bytes; leave headroom over OpenSSL's 32 MiB default.
    maxmem = 256 * r * n * p + 2**20
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen
    )


def hash_password(password: str) -> str:
    """Hash ``password`` with a fresh random salt; the result is safe to store in hall.toml."""
    if not isinstance(password, str) or not password:
        raise ValueError("password must be a non-empty string")
    salt = os.urandom(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64encode(salt)}${_b64encode(digest)}"


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    """Split an encoded hash into (n, r, p, salt, digest), or None if it is not one of ours."""
    if not isinstance(encoded, str):
        return None
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = _b64decode(parts[4])
        digest = _b64decode(parts[5])
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return None
    if not (2 <= n <= _MAX_N and n & (n - 1) == 0):  # n must be a power of two
        return None
    if not (1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        return None
    if len(salt) < 8 or len(digest) < 16:
        return None
    return n, r, p, salt, digest


def is_password_hash(encoded: str) -> bool:
    """True if ``encoded`` is well-formed output of :func:`hash_password` (checks form, not password)."""
    return _parse(encoded) is not None


def verify_password(password: str, encoded: str) -> bool:
    """Check ``password`` against an encoded hash. False for a wrong password or a malformed hash."""
    parsed = _parse(encoded)
    if parsed is None or not isinstance(password, str) or not password:
        return False
    n, r, p, salt, expected = parsed
    try:
        actual = _scrypt(password, salt, n, r, p, len(expected))
    except (ValueError, MemoryError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(actual, expected)


@functools.lru_cache(maxsize=256)
def is_published_demo_hash(encoded: str) -> bool:
    """True if ``encoded`` is a hash of a published demo password (one scrypt per password, cached)."""
    return any(verify_password(password, encoded) for password in PUBLISHED_DEMO_PASSWORDS)


def hash_command(password: str | None) -> int:
    """Body of ``yiciban staff hash-password``: print the hash to paste as a staff password_hash.

    With no password given, asks for it twice without echo. Returns a process exit code.
    """
    if password is None:
        try:
            password = getpass.getpass("Password: ")
            repeated = getpass.getpass("Repeat password: ")
        except (EOFError, KeyboardInterrupt):
            print("no password entered", file=sys.stderr)  # noqa: T201
            return 1
        if password != repeated:
            print("the two passwords differ", file=sys.stderr)  # noqa: T201
            return 1
    if len(password) < MIN_PASSWORD_LENGTH:
        print(  # noqa: T201
            f"password too short: use at least {MIN_PASSWORD_LENGTH} characters", file=sys.stderr
        )
        return 1
    if password in PUBLISHED_DEMO_PASSWORDS:
        print("that is the published demo password: choose one of this hall's own",  # noqa: T201
              file=sys.stderr)
        return 1
    print(hash_password(password))  # noqa: T201
    return 0
