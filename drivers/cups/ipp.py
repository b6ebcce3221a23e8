"""Just enough IPP (RFC 8010) to ask CUPS how one job is doing.

`lpstat` lists a job as "completed" whether it printed, was cancelled or was aborted (CUPS 2.4
even reports job-state-reasons `processing-to-stop-point` for all three once the job is
reloaded), so the job's real state comes from a Get-Job-Attributes request. Encoding and
decoding are pure functions; `get_job_attributes` posts one request over HTTP, on TCP or on
the scheduler's unix socket, with a timeout.
"""
from __future__ import annotations

import http.client
import socket
import struct
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from drivers.errors import DeviceError, DeviceProtocolError, DeviceTimeout, DeviceUnavailable

GET_JOB_ATTRIBUTES = 0x0009
OPERATION_GROUP, JOB_GROUP, END = 0x01, 0x02, 0x03

TAG_INTEGER, TAG_BOOLEAN, TAG_ENUM = 0x21, 0x22, 0x23
TAG_TEXT_LANG, TAG_NAME_LANG = 0x35, 0x36
TAG_TEXT, TAG_NAME, TAG_KEYWORD, TAG_URI, TAG_CHARSET, TAG_LANGUAGE = (
    0x41, 0x42, 0x44, 0x45, 0x47, 0x48,
)
TAG_EXTENSION = 0x7F

NOT_FOUND = 0x0406

JOB_ATTRIBUTES = (
    "job-id",
    "job-state",
    "job-state-reasons",
    "job-printer-state-message",
    "job-impressions-completed",
)

Attributes = dict[str, list[Any]]


class JobNotFound(DeviceError):
    """CUPS does not know the job (never existed, or purged from its history)."""


def _attr(tag: int, name: str, values: Sequence[bytes]) -> bytes:
    out = b""
    for i, value in enumerate(values):
        key = name.encode() if i == 0 else b""  # further values of a set: empty name
        out += struct.pack(">BH", tag, len(key)) + key + struct.pack(">H", len(value)) + value
    return out


def encode_request(
    operation: int,
    request_id: int,
    attributes: Iterable[tuple[int, str, Sequence[bytes]]],
) -> bytes:
    """A request with one operation-attributes group (charset and language come first)."""
    body = struct.pack(">BBHI", 2, 0, operation, request_id) + bytes([OPERATION_GROUP])
    body += _attr(TAG_CHARSET, "attributes-charset", [b"utf-8"])
    body += _attr(TAG_LANGUAGE, "attributes-natural-language", [b"en"])
    for tag, name, values in attributes:
        body += _attr(tag, name, values)
    return body + bytes([END])


def get_job_request(job_uri: str, user: str, request_id: int = 1) -> bytes:
    return encode_request(
        GET_JOB_ATTRIBUTES,
        request_id,
        [
            (TAG_URI, "job-uri", [job_uri.encode()]),
            (TAG_NAME, "requesting-user-name", [user.encode()]),
            (TAG_KEYWORD, "requested-attributes", [a.encode() for a in JOB_ATTRIBUTES]),
        ],
    )


def _value(tag: int, raw: bytes) -> Any:
    if tag in (TAG_INTEGER, TAG_ENUM):
        if len(raw) != 4:
            raise DeviceProtocolError(f"IPP integer of {len(raw)} bytes")
        return struct.unpack(">i", raw)[0]
    if tag == TAG_BOOLEAN:
        return raw != b"\x00"
    if 0x40 <= tag <= 0x4F:  # character-string types
        return raw.decode("utf-8", "replace")
    if tag in (TAG_TEXT_LANG, TAG_NAME_LANG) and len(raw) >= 4:
        (lang_len,) = struct.unpack(">H", raw[:2])
        rest = raw[2 + lang_len:]
        return rest[2:].decode("utf-8", "replace")
    return raw  # dates, resolutions, ranges, collections, out-of-band: kept as bytes


def decode_response(data: bytes) -> tuple[int, int, list[tuple[int, Attributes]]]:
    """(status code, request id, [(group tag, {name: [values]})]); `DeviceProtocolError` on
    anything malformed, whatever the bytes."""
    if len(data) < 9:
        raise DeviceProtocolError(f"IPP response of {len(data)} bytes is too short")
    _major, _minor, status, request_id = struct.unpack(">BBHI", data[:8])
    groups: list[tuple[int, Attributes]] = []
    pos, name = 8, ""
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag == END:
            return status, request_id, groups
        if tag < 0x10:  # a delimiter: a new attribute group begins
            groups.append((tag, {}))
            name = ""
            continue
        if tag == TAG_EXTENSION:
            raise DeviceProtocolError("IPP extension tags are not supported")
        if pos + 2 > len(data):
            break
        (name_len,) = struct.unpack(">H", data[pos:pos + 2])
        pos += 2
        if pos + name_len + 2 > len(data):
            break
        raw_name = data[pos:pos + name_len]
        pos += name_len
        (value_len,) = struct.unpack(">H", data[pos:pos + 2])
        pos += 2
        if pos + value_len > len(data):
            break
        raw = data[pos:pos + value_len]
        pos += value_len
        if not groups:
            raise DeviceProtocolError("IPP attribute outside any group")
        if name_len:
            name = raw_name.decode("utf-8", "replace")
        elif not name:
            raise DeviceProtocolError("IPP additional value without an attribute")
        groups[-1][1].setdefault(name, []).append(_value(tag, raw))
    raise DeviceProtocolError("IPP response is truncated")


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.unix_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def connection(server: str, timeout: float) -> http.client.HTTPConnection:
    """`host:port`, `host` (port 631) or a unix socket path, as `lpstat -H` prints them."""
    if server.startswith("/"):
        return _UnixHTTPConnection(server, timeout)
    if server.startswith("["):  # [v6 address]:port
        host, _, port = server[1:].partition("]")
        port = port.lstrip(":")
    elif server.count(":") == 1:
        host, port = server.split(":")
    else:
        host, port = server, ""
    try:
        return http.client.HTTPConnection(host, int(port or 631), timeout=timeout)
    except ValueError as exc:
        raise DeviceUnavailable(f"bad CUPS server address {server!r}") from exc


def post(server: str, request: bytes, timeout: float) -> bytes:
    conn = connection(server, timeout)
    try:
        conn.request("POST", "/", body=request, headers={"Content-Type": "application/ipp"})
        response = conn.getresponse()
        body = response.read()
    except TimeoutError as exc:
        raise DeviceTimeout(f"CUPS at {server} did not answer in {timeout:g} s") from exc
    except (ConnectionError, FileNotFoundError, socket.gaierror) as exc:
        raise DeviceUnavailable(f"CUPS at {server} is not reachable: {exc}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise DeviceError(f"IPP request to {server} failed: {exc}") from exc
    finally:
        conn.close()
    if response.status != 200:
        raise DeviceProtocolError(f"CUPS at {server} answered HTTP {response.status}")
    return body


def get_job_attributes(server: str, job_id: int, user: str, timeout: float) -> Mapping[str, Any]:
    """The job's attributes with single values unwrapped; `DeviceError` if CUPS says no."""
    request = get_job_request(f"ipp://localhost/jobs/{job_id}", user, request_id=job_id & 0x7FFF)
    status, _, groups = decode_response(post(server, request, timeout))
    if status == NOT_FOUND:
        raise JobNotFound(f"job {job_id} is not known to CUPS at {server}")
    if status >= 0x0400:
        raise DeviceError(f"CUPS at {server} refused Get-Job-Attributes: status 0x{status:04x}")
    job: dict[str, Any] = {}
    for tag, attrs in groups:
        if tag == JOB_GROUP:
            job.update({k: v[0] if len(v) == 1 else v for k, v in attrs.items()})
    return job
