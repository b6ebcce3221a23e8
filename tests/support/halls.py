"""Hall configurations written to disk for tests: small, complete, with known credentials."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from hall.passwords import hash_password

PASSWORD = "test-pass-1"
TOKENS = {
    "dispenser": "test-dispenser-token-1",
    "display": "test-display-token-01",
    "operator": "test-operator-token-1",
    "keypad": "test-keypad-w1-token",
    "pad": "test-pad-w1-token-001",
    "kiosk": "test-kiosk-token-0001",
}


@cache
def _hash() -> str:
    return hash_password(PASSWORD)


def small_hall_toml() -> str:
    h = _hash()
    return f"""
[hall]
id = "test-hall"
name = "测试政务服务中心"
area_code = "370829"

[policy]
no_show_after_recalls = 2

[[queues]]
id = "general"
prefix = "A"
name = "综合受理"
service_minutes = 6

[[queues]]
id = "property"
prefix = "B"
name = "不动产登记"
service_minutes = 15

[[windows]]
id = "w1"
number = 1
name = "1号窗口"
queues = ["general"]

[[windows]]
id = "w2"
number = 2
name = "2号窗口"
queues = ["general", "property"]
ratio = "3:1"

[[windows]]
id = "w3"
number = 3
name = "3号窗口"
queues = ["property"]
mode = "longest_wait"

[[staff]]
id = "s1"
name = "王芳"
username = "wang"
password_hash = "{h}"
windows = ["w1"]

[[staff]]
id = "s2"
name = "李强"
username = "li"
password_hash = "{h}"
windows = ["w2", "w3"]

[[staff]]
id = "boss"
name = "赵主任"
username = "boss"
password_hash = "{h}"
role = "supervisor"

[[devices]]
id = "dispenser-1"
role = "dispenser"
token = "{TOKENS['dispenser']}"

[[devices]]
id = "kiosk-1"
role = "kiosk"
token = "{TOKENS['kiosk']}"

[[devices]]
id = "display-1"
role = "display"
token = "{TOKENS['display']}"

[[devices]]
id = "operator-1"
role = "operator"
token = "{TOKENS['operator']}"

[[devices]]
id = "keypad-w1"
role = "keypad"
window = "w1"
token = "{TOKENS['keypad']}"

[[devices]]
id = "pad-w1"
role = "pad"
window = "w1"
token = "{TOKENS['pad']}"

[[matters]]
code = "000131128000"
name = "个体工商户设立登记"
department = "县行政审批服务局"
kind = "行政许可"
queue = "general"
promised_days = 0
fee = "不收费"
visits = 1
materials = [{{ name = "登记申请书", form = "原件", count = 1, required = true }}]
"""


def write_small_hall(directory: Path) -> Path:
    path = Path(directory) / "hall.toml"
    path.write_text(small_hall_toml(), encoding="utf-8")
    return path


def write_beside_sample(tmp_path: Path, text: str, name: str = "hall.toml") -> Path:
    """`text` (the sample hall's file, edited) written to `tmp_path`, with the sample hall's staff
    photos beside it where the file names them."""
    from hall.config import demo_config_path

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    photos = tmp_path / "staff"
    if not photos.exists():
        photos.symlink_to(demo_config_path().parent / "staff", target_is_directory=True)
    return path
