"""schemathesis hooks for the API fuzz (loaded through SCHEMATHESIS_HOOKS).

The one body that is not JSON is a case's captured pages, `application/pdf`: schemathesis knows
no serializer for that type, so the fuzzer sends whatever it generated for that body as raw bytes,
the way a broken kiosk or a hostile client could.
"""
from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.transport.serialization import serialize_binary


@schemathesis.serializer("application/pdf")
def pdf_bytes(ctx: Any, value: Any) -> bytes:
    return serialize_binary(value)
