"""The `provincial` platform adapter: everything goes to the hall's platform as before, and each
好差评 (a `ticket.rated` event) and each change of a 差评 follow-up also goes to the province's
好差评 endpoint, as the province's record (sync.provincial).

A record is acknowledged only when both have it, so the outbox keeps it until then: nothing is
lost. A province that is down or slow leaves its records without a result (the relay retries
them with its backoff; the platform answers `duplicate` the next time) while every other record
goes on. A record the province refuses, or one that cannot be put in the province's elements,
is answered `rejected` with the province's reason, so the relay sets it aside (kept, shown to
the operators, retried on request). The province recognises a record sent again by its
recordId (the outbox key) and answers `duplicate`: pushing twice never stores twice.

Settings from the environment, which the hall's relay process inherits:
YICIBAN_PROVINCE_URL, YICIBAN_PROVINCE_TOKEN (default: the node's own token), YICIBAN_PROVINCE_AREA
(the hall's 区划, 6 or 12 digits) and YICIBAN_PROVINCE_CASE_PREFIX (default 37).
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

import requests

from sync import protocol as p
from sync.client import HttpPlatformClient, _message, _short, bearer_session, retry_after
from sync.provincial import ProvinceRules, Unmappable, to_province

log = logging.getLogger(__name__)

RECORDS_PATH = "/province/haochaping/v1/records"
MAX_BATCH = 500
_ANSWERS = {"accepted", "duplicate", "refused"}


class ProvinceSettingsError(ValueError):
    """The adapter cannot start: a setting is missing or wrong (the message names it)."""


def province_from_env(env: Mapping[str, str], node_id: str) -> tuple[str, str | None, ProvinceRules]:
    url = (env.get("YICIBAN_PROVINCE_URL") or "").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ProvinceSettingsError("YICIBAN_PROVINCE_URL: the province's 好差评 endpoint (http:// or https://)")
    area = env.get("YICIBAN_PROVINCE_AREA") or ""
    try:
        rules = ProvinceRules(area, node_id, env.get("YICIBAN_PROVINCE_CASE_PREFIX") or "37")
    except ValueError as exc:
        raise ProvinceSettingsError(f"YICIBAN_PROVINCE_AREA / _CASE_PREFIX: {exc}") from None
    return url, env.get("YICIBAN_PROVINCE_TOKEN") or None, rules


class ProvinceClient:
    """Pushes province records to the province's endpoint; one answer per recordId."""

    def __init__(self, url: str, token: str | None, *, ca_file: str | None = None, timeout: float = 10.0,
                 session: requests.Session | None = None) -> None:
        self.url = url.rstrip("/") + RECORDS_PATH
        self.timeout = timeout
        self.session = bearer_session(token, ca_file, session)

    def close(self) -> None:
        self.session.close()

    def push(self, batch: Sequence[dict[str, Any]]) -> dict[str, tuple[str, str | None]]:
        """(status, reason) by recordId; raises a `SyncError` when no usable answer came."""
        try:
            resp = self.session.post(self.url, data=json.dumps({"records": list(batch)}, ensure_ascii=False)
                                     .encode(), headers={"Content-Type": "application/json"},
                                     timeout=(min(self.timeout, 5.0), self.timeout))
        except requests.Timeout:
            raise p.Unavailable(f"province: no answer within {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise p.Unavailable(f"province: cannot reach {self.url}: {_short(exc)}") from None
        status = resp.status_code
        if status in (401, 403):
            raise p.Unauthorized(f"province: HTTP {status}, the token was refused ({_message(resp.content)})")
        if status != 200:
            wait = retry_after(resp.headers.get("Retry-After"), resp.headers.get("Date"), 0.0)
            raise p.Unavailable(f"province: HTTP {status}: {_message(resp.content)}", retry_after=wait)
        try:
            results = resp.json()["results"]
            return {str(r["recordId"]): (r["status"], r.get("reason")) for r in results
                    if r.get("status") in _ANSWERS and r.get("recordId")}
        except (ValueError, KeyError, TypeError):
            raise p.Unavailable("province: HTTP 200 without a usable results list") from None


class ProvincialAdapter:
    """`PlatformClient`: the hall's platform for everything, the province for 好差评 as well."""

    def __init__(self, platform: p.PlatformClient, province: ProvinceClient, rules: ProvinceRules) -> None:
        self.platform, self.province, self.rules = platform, province, rules
        self.last_province_error: str | None = None

    def close(self) -> None:
        self.platform.close()
        self.province.close()

    def pull(self, dataset: str, since: int, *, cursor: str | None = None, etag: str | None = None) -> p.Page:
        return self.platform.pull(dataset, since, cursor=cursor, etag=etag)

    def push(self, records: Sequence[p.Record]) -> list[p.ItemResult]:
        mapped: dict[str, dict[str, Any]] = {}
        refused: dict[str, str] = {}
        for r in records:
            try:
                body = to_province(r, self.rules)
            except (Unmappable, ValueError, TypeError) as exc:
                refused[r.key] = f"cannot be put in the province's 好差评 record: {exc}"
                continue
            if body is not None:
                mapped[r.key] = body
        answers = self._to_province(list(mapped.values()))
        out = []
        for res in self.platform.push(records):
            if res.status == p.REJECTED or res.key not in mapped and res.key not in refused:
                out.append(res)
            elif res.key in refused:
                out.append(p.ItemResult(res.key, p.REJECTED, refused[res.key]))
            elif res.key in answers:
                status, reason = answers[res.key]
                out.append(res if status != "refused" else
                           p.ItemResult(res.key, p.REJECTED, f"the province refused it: {reason or 'no reason given'}"))
            # else: the province has not answered for it: no result, the relay tries it again
        return out

    def _to_province(self, batch: list[dict[str, Any]]) -> dict[str, tuple[str, str | None]]:
        answers: dict[str, tuple[str, str | None]] = {}
        for start in range(0, len(batch), MAX_BATCH):
            try:
                answers.update(self.province.push(batch[start:start + MAX_BATCH]))
            except p.SyncError as exc:
                if str(exc) != self.last_province_error:
                    log.warning("好差评 not delivered to the province (kept, retried): %s", exc)
                self.last_province_error = str(exc)
                return answers
        if self.last_province_error and batch:
            log.info("the province takes 好差评 records again")
            self.last_province_error = None
        return answers


def provincial_adapter(url: str, node_id: str, token: str | None, *, ca_file: str | None = None,
                       timeout: float = 10.0, env: Mapping[str, str] | None = None,
                       **kw: Any) -> ProvincialAdapter:
    """The adapter registered as `provincial` (sync.client.ADAPTERS)."""
    p_url, p_token, rules = province_from_env(os.environ if env is None else env, node_id)
    platform = HttpPlatformClient(url, node_id, token, ca_file=ca_file, timeout=timeout, **kw)
    return ProvincialAdapter(platform, ProvinceClient(p_url, p_token or token, ca_file=ca_file, timeout=timeout),
                             rules)

