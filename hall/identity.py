"""The hall's identity key: matching a citizen by ID number (or an appointment by the booker's
mobile number) without keeping the number, and signing the follow links printed on tickets.

The key is 32 random bytes, kept like the sync key (sync/crypto.py): `YICIBAN_IDENTITY_KEY`
(base64), a file named by `YICIBAN_IDENTITY_KEY_FILE`, or `identity.key` in the hall's data
directory, made with mode 0600 on first start. The platform hashes the `holder` of an
appointment with the same key (docs/sync-protocol.md), so a hall keeps its key for good.

An ID number or a mobile number lives only in the request that carries it: what is stored is
its keyed hash (`holder`, `phone_hash`, to match) and its masked form (to show and print).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from ground.privacy import (
    is_mobile_number,
    is_valid_id_number,
    keyed_hash,
    mask_id,
    mask_phone,
    normalise_phone,
)
from hall.domain.errors import InvalidCommand
from sync.crypto import SealingKeyError, create_key_file, parse_key, read_key_file

KEY_ENV = "YICIBAN_IDENTITY_KEY"
KEY_FILE_ENV = "YICIBAN_IDENTITY_KEY_FILE"
KEY_FILE = "identity.key"
SIG_LENGTH = 10
_WHAT = "identity key"


class IdentityKeyError(Exception):
    """The identity key is missing, malformed or not private; the message says how to fix it."""


class InvalidIdNumber(InvalidCommand):
    code = "invalid_id_number"


class InvalidPhone(InvalidCommand):
    code = "invalid_phone"


def load_identity_key(data_dir: str | Path, env: Mapping[str, str] | None = None) -> bytes:
    """Precedence: $YICIBAN_IDENTITY_KEY > $YICIBAN_IDENTITY_KEY_FILE > `identity.key` in the
    data directory (created with mode 0600 when missing)."""
    env = os.environ if env is None else env
    try:
        if env.get(KEY_ENV):
            return parse_key(env[KEY_ENV], _WHAT)
        if env.get(KEY_FILE_ENV):
            return read_key_file(Path(env[KEY_FILE_ENV]), _WHAT)
        path = Path(data_dir) / KEY_FILE
        if path.exists():
            return read_key_file(path, _WHAT)
        try:
            return create_key_file(path, _WHAT)
        except FileExistsError:  # another process made it first
            return read_key_file(path, _WHAT)
    except SealingKeyError as exc:
        raise IdentityKeyError(str(exc)) from None


def normalise_id_number(value: str) -> str:
    """Full-width digits and a lower-case x, as a Chinese input method may type them, made plain."""
    return unicodedata.normalize("NFKC", value).strip().upper()


class Identity:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise IdentityKeyError("the identity key is 32 bytes")
        self._key = key

    def holder(self, id_number: str) -> str:
        """The keyed hash that stands for the citizen (64 hex digits)."""
        return keyed_hash(self.checked(id_number), self._key)

    def checked(self, id_number: str) -> str:
        """The number, normalised; InvalidIdNumber (which never repeats it) if it is not one."""
        number = normalise_id_number(id_number)
        if not is_valid_id_number(number):
            raise InvalidIdNumber(
                "身份证号码无效（位数、出生日期或校验位不符），请重新刷卡或核对后再输入",
                field="id_number", length=len(number),
            )
        return number

    def ticket_fields(self, id_number: str | None) -> dict[str, str]:
        """What a ticket keeps of its holder: the keyed hash and the masked number."""
        if id_number is None:
            return {}
        number = self.checked(id_number)
        return {"holder": keyed_hash(number, self._key), "id_masked": mask_id(number)}

    def checked_phone(self, phone: str) -> str:
        """The mobile number, plain (13812345678); InvalidPhone saying what was wrong with it (never
        repeating it) if it is not 11 digits starting with 1."""
        number = normalise_phone(phone)
        if is_mobile_number(number):
            return number
        if not number:
            why = "没有收到手机号"
        elif not (number.isascii() and number.isdigit()):
            why = "手机号只能由数字组成，收到的内容里有字母或其他字符"
        elif len(number) != 11:
            why = f"手机号应为 11 位数字，收到 {len(number)} 位"
        else:
            why = "手机号应以 1 开头"
        raise InvalidPhone(f"{why}（手机号是 1 开头的 11 位数字），请核对后再输入", field="phone",
                           length=len(number))

    def phone_fields(self, phone: str) -> dict[str, str]:
        """What matches an appointment to its booker's mobile number: the keyed hash and the masked number."""
        number = self.checked_phone(phone)
        return {"phone_hash": keyed_hash(number, self._key), "phone_masked": mask_phone(number)}

    def masked(self, id_number: str) -> str:
        return mask_id(normalise_id_number(id_number))

    def day_tag(self, holder: str, day: str) -> str:
        """What stands for a holder in a kiosk's copy of one day's appointments (see `day_tag`)."""
        return day_tag(self._key, holder, day)

    # -- the signed follow link of a ticket: /t/<ticket>.<sig>

    def sign(self, ticket: str) -> str:
        digest = hmac.new(self._key, ticket.encode(), hashlib.sha256).digest()
        return base64.b32encode(digest).decode()[:SIG_LENGTH]

    def follow_path(self, ticket: str) -> str:
        return f"/t/{ticket}.{self.sign(ticket)}"

    def verify(self, signed: str) -> str | None:
        """The ticket id of `<ticket>.<sig>` when the signature is right, else None."""
        # ticket ids and signatures are upper-case: a link typed in small letters still opens
        ticket, dot, sig = signed.upper().rpartition(".")
        if not (dot and ticket and len(sig) == SIG_LENGTH):
            return None
        if not hmac.compare_digest(self.sign(ticket).encode(), sig.encode()):
            return None
        return ticket


def day_tag(key: bytes, holder: str, day: str) -> str:
    """A holder's keyed hash re-keyed for one hall day (`HMAC(HMAC(key, day), holder)`, hex).

    A kiosk's copy of today's appointments (for check-ins while the hall is away) carries this,
    never the holder hash itself: the copy matches nobody on another day or anywhere else, and
    without the identity key it matches nobody at all. A kiosk given the key (the hall's IT
    person, as for the hall) computes it from the card it reads."""
    day_key = hmac.new(key, f"offline-check-in/{day}".encode(), hashlib.sha256).digest()
    return hmac.new(day_key, holder.encode(), hashlib.sha256).hexdigest()
