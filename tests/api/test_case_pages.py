"""A case's pages over HTTP against the real app: the kiosk uploads a material's PDF, the hall
keeps it sealed, the window's staff open it, a real platform process acknowledges its records
and the hall wipes its copy; bad uploads are refused by name and leave nothing behind; a 补正
handed in at the kiosk sends the case back to its window."""
from __future__ import annotations

import base64
import sqlite3
import time

import pytest
from fastapi.testclient import TestClient

from hall.case_pages import MAX_BYTES, PART_BYTES
from hall.config import load_config
from hall.server import create_app
from tests.api.authz_matrix import ID_NUMBER
from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS, small_hall_toml
from tests.support.pages import sample_pdf
from tests.support.platform import PlatformServer, hall_toml_with_platform

A = "/api/v1"
MATTER = "000131128000"
MATERIAL = "登记申请书"
PDF = {"Content-Type": "application/pdf"}


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    server = PlatformServer(tmp_path_factory.mktemp("platform"), ["test-hall"])
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(tmp_path, platform, monkeypatch):
    for name, value in {"INTERVAL": "0.1", "BACKOFF_BASE": "0.1", "BACKOFF_MAX": "0.5", "RELAY": "thread"}.items():
        monkeypatch.setenv(f"YICIBAN_SYNC_{name}", value)
    path = tmp_path / "hall.toml"
    path.write_text(hall_toml_with_platform(platform.base_url), encoding="utf-8")
    app = create_app(load_config(path), tmp_path / "data", clock=time.time)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def offline(tmp_path):
    """A hall with no platform: its records wait, so its pages stay."""
    path = tmp_path / "hall.toml"
    path.write_text(small_hall_toml(), encoding="utf-8")
    app = create_app(load_config(path), tmp_path / "data", clock=time.time)
    with TestClient(app) as c:
        yield c


KIOSK = bearer(TOKENS["kiosk"])


def kiosk_case(client, materials=None) -> str:
    body = {"matter": MATTER, "applicant": {"id_number": ID_NUMBER}, "channel": "kiosk",
            "materials": {MATERIAL: "image"} if materials is None else materials}
    r = client.post(f"{A}/cases", json=body, headers=KIOSK)
    assert r.status_code == 201, r.text
    return r.json()["case"]["number"]


def upload(client, number, data, material=MATERIAL, headers=PDF):
    return client.post(f"{A}/cases/{number}/pages", params={"material": material}, content=data,
                       headers={**KIOSK, **headers})


def stored(client) -> list[tuple]:
    conn = sqlite3.connect(client.app.state.sync.db_path)
    try:
        return conn.execute("SELECT id, sealed, wiped FROM case_pages").fetchall()
    finally:
        conn.close()


def test_the_window_opens_the_pages_sealed_at_rest_and_wiped_once_the_platform_has_them(client, platform):
    number = kiosk_case(client)
    pdf = sample_pdf(3)
    r = upload(client, number, pdf)
    assert r.status_code == 201, r.text
    assert r.json()["pages"]["pages"] == 3 and r.json()["pages"]["bytes"] == len(pdf)
    item = r.json()["pages"]["id"]
    ((_, sealed, _),) = stored(client)
    assert pdf[:200] not in sealed and not sealed.startswith(b"%PDF")  # sealed, not the PDF
    wang = login(client, "wang")  # staff of w1: a kiosk's 预审 no window has taken is theirs to see
    listed = client.get(f"{A}/cases/{number}/pages", headers=wang).json()["pages"]
    assert [(p["material"], p["pages"]) for p in listed] == [(MATERIAL, 3)]
    assert number in [c["number"] for c in client.get(f"{A}/cases", headers=wang).json()["cases"]]
    # the platform process acknowledges the records; the hall's sweep (its own, or this one) wipes its copy
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and stored(client)[0][2] is None:
        client.app.state.pages.sweep()
        time.sleep(0.1)
    records = [x for x in platform.records("test-hall", personal=True) if x["type"] == "case.pages"]
    assert records, "the platform never got the pages"
    carried = b"".join(base64.b64decode(x["personal"]["pdf"])
                       for x in sorted(records, key=lambda x: x["payload"]["part"]))
    assert carried == pdf and {x["payload"]["material"] for x in records} == {MATERIAL}
    ((_, sealed, wiped),) = stored(client)
    assert sealed is None and wiped is not None
    gone = client.get(f"{A}/cases/{number}/pages/{item}", headers=wang)
    assert gone.status_code == 410 and "平台" in gone.json()["message"]
    assert client.get(f"{A}/cases/{number}/pages", headers=wang).json()["pages"][0]["held"] is False


def test_a_large_pdf_travels_in_parts_and_opens_whole_for_the_window(offline):
    number = kiosk_case(offline)
    pdf = sample_pdf(4, seed=3, noise=True)
    assert len(pdf) > PART_BYTES, "the sample must need more than one part"
    item = upload(offline, number, pdf).json()["pages"]["id"]
    boss = login(offline, "boss")
    r = offline.get(f"{A}/cases/{number}/pages/{item}", headers=boss)
    assert r.status_code == 200 and r.content == pdf and r.headers["content-type"] == "application/pdf"
    conn = sqlite3.connect(offline.app.state.sync.db_path)
    parts = conn.execute("SELECT count(*) FROM sync_outbox WHERE type = 'case.pages'").fetchone()[0]
    conn.close()
    assert parts == -(-len(pdf) // PART_BYTES)
    assert offline.app.state.pages.sweep() == 0  # nothing acknowledged: nothing wiped
    li = login(offline, "li")  # staff of w2 and w3 see a kiosk's 预审, as every window's staff do
    assert offline.get(f"{A}/cases/{number}/pages/{item}", headers=li).status_code == 200


@pytest.mark.parametrize(("data", "headers", "status", "word"), [
    (sample_pdf(), {"Content-Type": "image/png"}, 415, "PDF"),
    (b"", PDF, 422, "空"),
    (b"GIF89a not a pdf at all", PDF, 422, "%PDF-"),
    (sample_pdf()[:-200], PDF, 422, "%%EOF"),
    (sample_pdf(21), PDF, 422, "20 页"),
    (b"%PDF-1.4\n" + b"0" * (MAX_BYTES + 10) + b"%%EOF", PDF, 413, "8 MB"),  # the hall's own check
    (b"%PDF-1.4\n" + b"0" * (MAX_BYTES + 10_000) + b"%%EOF", PDF, 413, "bytes"),  # the server's body limit
])
def test_bad_uploads_are_refused_by_name_and_keep_nothing(offline, data, headers, status, word):
    number = kiosk_case(offline)
    r = upload(offline, number, data, headers=headers)
    assert r.status_code == status, r.text
    assert word in r.json()["message"]
    assert stored(offline) == []


def test_an_upload_for_a_material_not_on_the_list_or_a_decided_case_is_refused(offline):
    number = kiosk_case(offline)
    assert upload(offline, number, sample_pdf(), material="申请人签名").status_code == 201  # the signature
    r = upload(offline, number, sample_pdf(), material="营业执照")
    assert r.status_code == 422 and "营业执照" in r.json()["message"]
    boss = login(offline, "boss")
    assert offline.post(f"{A}/cases/{number}/accept", json={"window": "w1"}, headers=boss).status_code == 200
    r = upload(offline, number, sample_pdf())
    assert r.status_code == 409 and number in r.json()["message"]
    assert len(stored(offline)) == 1  # the signature only
    assert upload(offline, "3708292026999999", sample_pdf()).status_code == 404


def test_a_supplement_at_the_kiosk_sends_the_case_back_to_its_window(offline):
    number = kiosk_case(offline, materials={MATERIAL: "missing"})
    boss = login(offline, "boss")
    r = offline.post(f"{A}/cases/{number}/correction", json={"window": "w1"}, headers=boss)
    assert r.status_code == 200 and r.json()["case"]["state"] == "correction"
    body = {"id_number": ID_NUMBER, "materials": [MATERIAL]}
    r = offline.post(f"{A}/cases/{number}/supplement", json=body, headers=KIOSK)
    assert r.status_code == 422 and MATERIAL in r.json()["message"]  # no pages uploaded yet
    assert upload(offline, number, sample_pdf()).status_code == 201
    other = {**body, "id_number": "11010519491231003X"[:17] + "8"}
    assert offline.post(f"{A}/cases/{number}/supplement", json=other, headers=KIOSK).status_code in (404, 422)
    wrong = {**body, "materials": ["营业执照"]}
    assert offline.post(f"{A}/cases/{number}/supplement", json=wrong, headers=KIOSK).status_code == 422
    both = {**body, "signed": "X.Y"}
    assert offline.post(f"{A}/cases/{number}/supplement", json=both, headers=KIOSK).status_code == 422
    forged = {"signed": number + ".AAAA", "materials": [MATERIAL]}
    assert offline.post(f"{A}/cases/{number}/supplement", json=forged, headers=KIOSK).status_code == 404
    signed = offline.get(f"{A}/cases/{number}", headers=boss).json()["follow_path"].removeprefix("/c/")
    r = offline.post(f"{A}/cases/{number}/supplement", json={"signed": signed, "materials": [MATERIAL]},
                     headers=KIOSK)  # the notice's QR proves it as the ID card does
    assert r.status_code == 200, r.text
    assert r.json()["case"]["state"] == "presubmitted" and r.json()["case"]["missing"] == []
    wang = login(offline, "wang")
    case = offline.get(f"{A}/cases/{number}", headers=wang).json()
    assert case["window"] == "w1" and [(x["name"], x["provision"]) for x in case["materials"]] == [(MATERIAL, "image")]
    assert offline.post(f"{A}/cases/{number}/accept", json={"window": "w1"}, headers=wang).json()["case"][
        "state"] == "accepted"
    again = offline.post(f"{A}/cases/{number}/supplement", json=body, headers=KIOSK)
    assert again.status_code == 409
