"""The hall configuration: the demo hall, its defaults, ratios, the check command and lookups
(every kind of mistake a hall.toml can hold: test_config_errors.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from hall.config import (
    ConfigError,
    check_command,
    demo_config_path,
    load_config,
    parse_ratio,
)
from hall.domain.model import HallSetup, Policy, SelectionMode
from hall.passwords import hash_password, verify_password
from tests.unit.hallconfig_support import (  # noqa: F401  (the fixtures, used by their names)
    DEMO_QUEUE_IDS,
    MINIMAL,
    W04,
    demo_fixture,
    demo_text_fixture,
    edited,
    issues_of,
    no_assets_override_fixture,
    only_issue,
    write,
)

# --- the demo hall ----------------------------------------------------------------------------


def test_demo_path_is_in_this_checkout():
    path = demo_config_path()
    assert path == Path(__file__).resolve().parents[2] / "assets" / "halls" / "demo" / "hall.toml"
    assert path.is_file()


def test_demo_path_follows_yiciban_assets(monkeypatch, tmp_path):
    monkeypatch.setenv("YICIBAN_ASSETS", str(tmp_path))
    assert demo_config_path() == tmp_path / "halls" / "demo" / "hall.toml"


def test_demo_is_marked_as_demo_data(demo, demo_text):
    assert demo.hall.demo is True  # what says it is a sample: screens show the name as a hall's
    assert "示例" not in demo.hall.name
    assert demo.hall.area_code == "370829"
    assert demo.hall.platform_area_code == "370829000000"
    assert "DEMO DATA" in demo_text.splitlines()[0]
    assert all(m.verified is False for m in demo.matters)


def test_demo_has_realistic_size(demo):
    assert len(demo.queues) >= 8
    assert len(demo.windows) >= 14
    assert len(demo.matters) >= 35
    assert [w.number for w in demo.windows] == list(range(1, len(demo.windows) + 1))
    assert any(len(w.queues) >= 3 for w in demo.windows)  # a 综合窗口
    assert {w.ratio for w in demo.windows} >= {"2:1", "3:1"}
    assert {w.mode for w in demo.windows} == {"sequence", "longest_wait"}


def test_demo_converts_to_the_engine_setup(demo):
    setup = demo.setup()
    assert isinstance(setup, HallSetup)
    assert [q.id for q in setup.queues] == DEMO_QUEUE_IDS.split(", ")
    assert setup.queue("property").prefix == "B"
    assert setup.queue("property").service_minutes > setup.queue("tax").service_minutes
    w01 = setup.window("w01")
    assert w01.queues == ("general", "business", "civil")
    assert (w01.ratio_normal, w01.ratio_priority) == (2, 1)
    assert w01.mode is SelectionMode.LONGEST_WAIT
    assert setup.window("w03").ratio_normal == 3
    assert setup.window("w04").mode is SelectionMode.SEQUENCE
    for window in setup.windows:
        assert all(setup.queue(q) is not None for q in window.queues)
    assert setup.policy == Policy(
        timezone="Asia/Shanghai",
        no_show_after_recalls=2,
        aging_minutes=30,
        appointment_grace_minutes=15,
        service_level_minutes=20,
        ticket_digits=3,
    )


def test_demo_staff_use_the_documented_demo_password(demo, demo_text):
    assert "demo1234" in demo_text
    assert [s.username for s in demo.staff if s.role == "staff"] == [
        f"staff{i:02d}" for i in range(1, 17)
    ]
    admin = demo.staff_member("admin")
    assert admin is not None and admin.role == "supervisor"
    for member in demo.staff:
        assert verify_password("demo1234", member.password_hash), member.username
    assert not verify_password("demo12345", admin.password_hash)
    windows_staffed = {w for s in demo.staff for w in s.windows}
    assert windows_staffed == {w.id for w in demo.windows}


def test_demo_devices(demo):
    ids = {d.id: d for d in demo.devices}
    assert set(ids) == {
        "dispenser-1",
        "kiosk-1",
        "display-1",
        "pad-w01",
        "pad-w02",
        "pad-w03",
        "pad-w04",
        "keypad-w01",
        "operator-1",
        "pad-w05",
    }
    assert ids["pad-w03"].role == "pad" and ids["pad-w03"].window == "w03"
    assert ids["keypad-w01"].role == "keypad" and ids["keypad-w01"].window == "w01"
    assert ids["dispenser-1"].token == "demo-dispenser-1-token"
    assert len({d.token for d in demo.devices}) == len(demo.devices)


def test_demo_matters_follow_the_catalog(demo):
    codes = [m.code for m in demo.matters]
    assert len(set(codes)) == len(codes) == 35
    assert all(re.fullmatch(r"\d{12}", c) for c in codes)
    individual = demo.matter("000131128000")
    assert individual is not None
    assert individual.name == "个体工商户设立登记"
    assert individual.code_verified is True
    assert individual.promised_days == 0
    assert demo.matter("000131024000").code_verified is True
    unverified = [m for m in demo.matters if not m.code_verified]
    assert all(m.code.startswith("37") for m in unverified)
    queue_ids = {q.id for q in demo.queues}
    for matter in demo.matters:
        assert matter.queue in queue_ids
        assert matter.materials, matter.name
        assert matter.sources, matter.name
    divorce = next(m for m in demo.matters if m.name == "离婚登记")
    assert divorce.visits == 2
    assert [m.name for m in demo.matters_for_queue("fund")] == ["住房公积金提取（购买自住住房）"]


def test_demo_leaves_sync_off(demo):
    assert demo.platform.url is None
    assert demo.node_id == "jiaxiang-demo"


# --- defaults ---------------------------------------------------------------------------------


def test_minimal_config_gets_the_documented_defaults(tmp_path):
    cfg = load_config(write(tmp_path, MINIMAL))
    assert cfg.hall.timezone == "Asia/Shanghai"
    assert cfg.hall.demo is False
    assert (cfg.server.host, cfg.server.port, cfg.server.max_body_bytes, cfg.server.head_timeout_seconds) == (
        "127.0.0.1",
        8470,
        65536,
        5.0,
    )
    assert cfg.policy.elderly_age == 65
    assert cfg.policy.staff_session_hours == 12
    assert cfg.evaluation.callback_hours == 24
    assert cfg.evaluation.fix_working_days == 5
    assert cfg.evaluation.bad_reasons
    assert cfg.node_id == "mini"
    assert (cfg.staff, cfg.devices, cfg.matters) == ([], [], [])
    window = cfg.setup().window("w1")
    assert (window.ratio_normal, window.ratio_priority, window.mode) == (
        2,
        1,
        SelectionMode.SEQUENCE,
    )
    assert cfg.setup().policy == Policy()


def test_relative_ca_file_is_taken_from_the_config_directory(tmp_path):
    text = MINIMAL + '\n[platform]\nurl = "https://platform.example"\nca_file = "ca.pem"\n'
    cfg = load_config(write(tmp_path, text))
    assert cfg.platform.ca_file == str(tmp_path.resolve() / "ca.pem")


# --- ratios ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"), [("2:1", (2, 1)), ("3:1", (3, 1)), (" 1 : 4 ", (1, 4))]
)
def test_parse_ratio(text, parsed):
    assert parse_ratio(text) == parsed


@pytest.mark.parametrize("text", ["2-1", "2:", ":1", "0:1", "2:0", "a:b", "21:1", "2:1:1", ""])
def test_parse_ratio_refuses(text):
    with pytest.raises(ValueError, match="normal:priority"):
        parse_ratio(text)


# --- yiciban config check ---------------------------------------------------------------------------


def test_check_command_accepts_the_demo(capsys, demo):
    assert check_command(str(demo_config_path())) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out == (
        f"OK: {demo.hall.name}: {len(demo.queues)} queues, {len(demo.windows)} windows, "
        f"{len(demo.staff)} staff, {len(demo.devices)} devices, {len(demo.matters)} matters\n"
    )
    assert out.startswith("OK: 嘉祥县政务服务中心: 10 queues, 16 windows, 18 staff")


def test_check_command_lists_problems_on_stderr(tmp_path, capsys, demo_text):
    text = edited(demo_text, W04, W04.replace('["business"]', '["business", "propety"]'))
    text = edited(text, 'prefix = "B"', 'prefix = "A"')
    path = write(tmp_path, text)
    assert check_command(str(path)) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert f"{path}: queues[1].prefix: expected a prefix not used elsewhere" in lines[0]
    assert lines[1].startswith(f"{path}: windows[3].queues[1]: expected a queue id")
    assert lines[1].endswith("found 'propety'")
    assert lines[2] == "2 problems found"


def test_check_command_on_a_missing_file(tmp_path, capsys):
    assert check_command(str(tmp_path / "absent.toml")) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "found no such file" in err


# --- lookups ---------------------------------------------------------------------------------------


def test_lookups(demo):
    assert demo.queue("tax").prefix == "F"
    assert demo.queue("nope") is None
    assert demo.window("w16").number == 16
    assert demo.device("pad-w01").window == "w01"
    assert demo.staff_member("staff05").windows == ["w05"]
    assert demo.staff_member("nobody") is None
    assert demo.matter("999999999999") is None


def test_config_is_immutable(demo):
    with pytest.raises(ValidationError):
        demo.hall.name = "改名"  # type: ignore[misc]


def test_hash_from_hash_password_is_accepted(tmp_path):
    text = MINIMAL + (
        f'[[staff]]\nid = "s1"\nname = "王芳"\nusername = "wang"\n'
        f'password_hash = "{hash_password("pass-word-1")}"\nwindows = ["w1"]\n'
    )
    cfg = load_config(write(tmp_path, text))
    assert verify_password("pass-word-1", cfg.staff_member("wang").password_hash)


def test_peripherals_are_checked_against_hosts_and_windows(tmp_path):
    from tests.support.halls import small_hall_toml

    text = small_hall_toml() + """
[[peripherals]]
id = "idcard-1"
kind = "idcard"
url = "/dev/yiciban-idcard"
host = "dispenser-1"
settings = { baudrate = 115200 }

[[peripherals]]
id = "strip-9"
kind = "led_strip"
url = "socket://10.0.0.9:5005"
host = "kiosk-7"
window = "w9"

[[peripherals]]
id = "fax"
kind = "fax_machine"
url = "/dev/ttyS0"
"""
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    paths = {issue.key_path: issue for issue in exc.value.errors}
    assert "peripherals[2].kind" in paths
    assert "'fax_machine'" in paths["peripherals[2].kind"].found
    # cross-references are checked once every section is valid
    path.write_text(text.rsplit("[[peripherals]]", 1)[0], encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    paths = {issue.key_path: issue for issue in exc.value.errors}
    assert paths["peripherals[1].host"].found == "'kiosk-7'"
    assert paths["peripherals[1].window"].found == "'w9'"
    assert "peripherals[0].host" not in paths


def test_the_head_deadline_is_a_few_seconds_or_a_clear_error(tmp_path):
    path = write(tmp_path, MINIMAL + "\n[server]\nhead_timeout_seconds = 0.1\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).splitlines() == [
        f"{path}: server.head_timeout_seconds: expected a number >= 0.5, found 0.1"]
    cfg = load_config(write(tmp_path, MINIMAL + "\n[server]\nhead_timeout_seconds = 2\n"))
    assert cfg.server.head_timeout_seconds == 2.0
