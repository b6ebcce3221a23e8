"""Staff photos and numbers for the window's pad (亮牌上岗): the hall config names a PNG or JPEG
beside hall.toml, `config check` refuses a photo that is missing or not an image, naming the
staff entry, and a device fetches it as base64."""
from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from hall.app import create_app
from hall.config import load_config
from hall.config_issues import ConfigError
from tests.support.halls import TOKENS
from tests.support.photos import write_hall_with_photo
from tests.unit.hallfixtures import FakeClock, at

A = "/api/v1"


def test_a_pad_gets_the_staff_number_and_photo_and_a_staff_without_one_is_told(tmp_path):
    path = write_hall_with_photo(tmp_path / "hall")
    photo = (tmp_path / "hall" / "photos" / "s1.png").read_bytes()
    app = create_app(load_config(path), tmp_path / "data", clock=FakeClock(at(9)))
    pad = {"Authorization": f"Bearer {TOKENS['pad']}"}
    with TestClient(app) as client:
        staff = {s["id"]: s for s in client.get(f"{A}/hall", headers=pad).json()["staff"]}
        assert staff["s1"] == {"id": "s1", "name": "王芳", "number": "3708290001", "photo": True}
        assert staff["s2"]["photo"] is False and staff["s2"]["number"] == ""
        r = client.get(f"{A}/staff/s1/photo", headers=pad)
        assert r.status_code == 200 and r.json()["media_type"] == "image/png"
        assert base64.b64decode(r.json()["data"]) == photo
        missing = client.get(f"{A}/staff/s2/photo", headers=pad)
        assert missing.status_code == 404 and "没有照片" in missing.json()["message"]
        assert client.get(f"{A}/staff/nobody/photo", headers=pad).status_code == 404
        assert client.get(f"{A}/staff/s1/photo").status_code == 401


@pytest.mark.parametrize(("content", "found"), [
    (None, "no such file"),
    (b"GIF89a not a png", "not a PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n" + bytes(300 * 1024), "bytes (at most"),
])
def test_config_check_refuses_an_unusable_photo_naming_the_staff_entry(tmp_path, content, found):
    path = write_hall_with_photo(tmp_path / "hall")
    target = tmp_path / "hall" / "photos" / "s1.png"
    if content is None:
        target.unlink()
    else:
        target.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [issue] = caught.value.errors
    assert issue.key_path == "staff[0].photo" and found in issue.found
