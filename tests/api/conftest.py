import pytest
from fastapi.testclient import TestClient

from hall.config import load_config
from hall.server import create_app
from tests.support.halls import PASSWORD, TOKENS, write_small_hall
from tests.unit.hallfixtures import FakeClock, at


@pytest.fixture
def clock():
    return FakeClock(at(9))


@pytest.fixture
def client(tmp_path, clock):
    config = load_config(write_small_hall(tmp_path))
    app = create_app(config, tmp_path / "data", clock=clock)
    with TestClient(app) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def dispenser():
    return bearer(TOKENS["dispenser"])


@pytest.fixture
def operator():
    return bearer(TOKENS["operator"])


def login(client, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return bearer(r.json()["token"])
