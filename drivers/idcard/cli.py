"""`yiciban idcard decode HEX|FILE [--reveal]`: a card answer or text block, as JSON.

The input is a full answer frame to 30 01 or 30 10, or the bare 256-byte text block; as
hex (spaces, colons and dashes allowed) on the command line or in a file, or as a binary
file. The JSON is masked unless `--reveal`. Bad input: what is wrong on stderr, exit 1.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from drivers.errors import DeviceError
from drivers.idcard import codec
from drivers.idcard.card import TEXT_BLOCK_SIZE, IdCard, parse_text_block

PROG = "yiciban idcard decode"
_HEX_NOISE = re.compile(r"0x|[\s:,-]", re.IGNORECASE)
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


class InputError(ValueError):
    pass


def _hex(text: str) -> bytes | None:
    cleaned = _HEX_NOISE.sub("", text)
    return bytes.fromhex(cleaned) if _HEX.fullmatch(cleaned) else None


def read_input(source: str) -> bytes:
    """The bytes named by `source`: a file (hex text or binary), or hex itself."""
    path = Path(source)
    try:
        is_file = path.is_file()
    except OSError:  # a long hex string is no valid path
        is_file = False
    if is_file:
        raw = path.read_bytes()
        try:
            decoded = _hex(raw.decode("ascii"))
        except UnicodeDecodeError:
            decoded = None
        return raw if decoded is None else decoded
    decoded = _hex(source)
    if decoded is None:
        raise InputError(f"{source[:40]!r} is neither a file nor hex bytes")
    return decoded


def decode_bytes(data: bytes) -> IdCard:
    """An answer frame (starting AA AA AA 96 69) or a bare text block, to a card."""
    if data.startswith(codec.PREAMBLE):
        response = codec.decode_response(data)
        if response.sw3 != codec.SW3_OK:
            raise codec.sw3_error(response.sw3, doing="reading the card")
        parts = codec.split_read_data(response.data)
        return parse_text_block(parts.text, photo=parts.photo, fingerprint=parts.fingerprint)
    if len(data) == TEXT_BLOCK_SIZE:
        return parse_text_block(data)
    raise InputError(
        f"{len(data)} bytes: expected an answer frame starting AA AA AA 96 69 "
        f"(1,295 bytes for 30 01; 1,297, 1,809 or 2,321 for 30 10) or a {TEXT_BLOCK_SIZE}-byte text block"
    )


def decode_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="Decode an ID card reader's answer as JSON (masked).")
    parser.add_argument("source", metavar="HEX|FILE", help="hex bytes, or a file of hex or binary")
    parser.add_argument("--reveal", action="store_true", help="show names, numbers and dates unmasked")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors: argparse has printed them
        return int(exc.code or 0)
    try:
        card = decode_bytes(read_input(args.source))
    except (InputError, DeviceError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    print(json.dumps(card.to_dict(reveal=args.reveal), ensure_ascii=False, indent=2))  # noqa: T201
    return 0
