"""The hall configuration: the demo hall, every kind of mistake a hall.toml can hold, and the check command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from hall.config import (
    ConfigError,
    ConfigIssue,
    HallConfig,
    check_command,
    demo_config_path,
    load_config,
    parse_config,
    parse_ratio,
)
from hall.domain.model import HallSetup, Policy, SelectionMode
from hall.passwords import hash_password, verify_password

DEMO_QUEUE_IDS = "general, property, social, police, business, tax, fund, travel, civil, employment"

MINIMAL = """
[hall]
id = "mini"
name = "最小大厅"
area_code = "370829"

[[queues]]
id = "general"
prefix = "A"
name = "综合受理"

[[windows]]
id = "w1"
number = 1
name = "1号窗口"
queues = ["general"]
"""


@pytest.fixture(autouse=True)
def _no_assets_override(monkeypatch):
    monkeypatch.delenv("YICIBAN_ASSETS", raising=False)


@pytest.fixture(scope="module")
def demo_text() -> str:
    return demo_config_path().read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo() -> HallConfig:
    return load_config(demo_config_path())


def write(tmp_path: Path, text: str, name: str = "hall.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(text: str, old: str, new: str, count: int = 1) -> str:
    """``text`` with ``old`` replaced; fails loudly if ``old`` is not there (a stale test)."""
    assert old in text, f"test fixture out of date: {old!r} not in the file"
    return text.replace(old, new, count)


def issues_of(path: Path) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.errors


def only_issue(path: Path) -> ConfigIssue:
    issues = issues_of(path)
    assert len(issues) == 1, "\n".join(map(str, issues))
    return issues[0]


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


# --- broken configurations ----------------------------------------------------------------------

W04 = 'id = "w04"\nnumber = 4\nname = "企业开办"\nname_en = "Business Start-up"\nqueues = ["business"]'

BROKEN = [
    pytest.param(
        "aging_minutes = 30",
        "ageing_minutes = 30",
        "policy.ageing_minutes",
        "30",
        "a known key (one of: no_show_after_recalls, aging_minutes,",
        id="typo-in-key",
    ),
    pytest.param(
        "port = 8470",
        'port = "8470"',
        "server.port",
        "'8470'",
        "a whole number",
        id="number-in-quotes",
    ),
    pytest.param(
        "ticket_digits = 3 ",
        "ticket_digits = 3.5 ",
        "policy.ticket_digits",
        "3.5",
        "a whole number",
        id="float-for-int",
    ),
    pytest.param(
        "demo = true",
        'demo = "yes"',
        "hall.demo",
        "'yes'",
        "true or false",
        id="string-for-bool",
    ),
    pytest.param(
        W04,
        W04.replace('["business"]', '["business", "propety"]'),
        "windows[3].queues[1]",
        "'propety'",
        f"a queue id defined in [[queues]] (one of: {DEMO_QUEUE_IDS})",
        id="unknown-queue-in-window",
    ),
    pytest.param(
        'prefix = "B"',
        'prefix = "A"',
        "queues[1].prefix",
        "'A'",
        "a prefix not used elsewhere (queues[0] already has it)",
        id="duplicate-prefix",
    ),
    pytest.param(
        'prefix = "B"',
        'prefix = "b"',
        "queues[1].prefix",
        "'b'",
        "1 or 2 uppercase letters",
        id="lowercase-prefix",
    ),
    pytest.param(
        '[[queues]]\nid = "employment"',
        '[[queues]]\nid = "tax"\nprefix = "Z"\nname = "又一个税务"\n\n[[queues]]\nid = "employment"',
        "queues[9].id",
        "'tax'",
        "an id not used elsewhere (queues[5] already has it)",
        id="duplicate-queue-id",
    ),
    pytest.param(
        'ratio = "3:1"',
        'ratio = "2-1"',
        "windows[2].ratio",
        "'2-1'",
        "a ratio 'normal:priority'",
        id="bad-ratio",
    ),
    pytest.param(
        'mode = "longest_wait"',
        'mode = "fifo"',
        "windows[0].mode",
        "'fifo'",
        "one of 'sequence' or 'longest_wait'",
        id="unknown-mode",
    ),
    pytest.param(
        "number = 2\n",
        "number = 1\n",
        "windows[1].number",
        "1",
        "a number not used elsewhere (windows[0] already has it)",
        id="duplicate-window-number",
    ),
    pytest.param(
        'timezone = "Asia/Shanghai"',
        'timezone = "Asia/Beijing"',
        "hall.timezone",
        "'Asia/Beijing'",
        "an IANA time zone name",
        id="bad-timezone",
    ),
    pytest.param(
        'area_code = "370829"\n',
        "",
        "hall.area_code",
        "nothing",
        "a value (this key is required)",
        id="missing-key",
    ),
    pytest.param(
        'area_code = "370829"',
        "area_code = 370829",
        "hall.area_code",
        "370829",
        "a text in quotes",
        id="area-code-unquoted",
    ),
    pytest.param(
        'username = "staff02"',
        'username = "staff01"',
        "staff[1].username",
        "'staff01'",
        "a username not used elsewhere (staff[0] already has it)",
        id="duplicate-username",
    ),
    pytest.param(
        'windows = ["w02"]',
        'windows = ["w02", "w99"]',
        "staff[1].windows[1]",
        "'w99'",
        "a window id defined in [[windows]] (one of: w01, w02,",
        id="staff-at-unknown-window",
    ),
    pytest.param(
        'role = "supervisor"',
        'role = "boss"',
        "staff[16].role",
        "'boss'",
        "one of 'staff', 'supervisor' or 'operator'",
        id="unknown-staff-role",
    ),
    pytest.param(
        'window = "w02"',
        'window = "w2"',
        "devices[4].window",
        "'w2'",
        "a window id defined in [[windows]]",
        id="device-at-unknown-window",
    ),
    pytest.param(
        'role = "kiosk"',
        'role = "tablet"',
        "devices[1].role",
        "'tablet'",
        "one of 'dispenser', 'kiosk', 'display', 'pad', 'keypad' or 'operator'",
        id="unknown-device-role",
    ),
    pytest.param(
        'id = "keypad-w01"\nrole = "keypad"\ntoken = "demo-keypad-w01-token"\nwindow = "w01"\n',
        'id = "keypad-w01"\nrole = "keypad"\ntoken = "demo-keypad-w01-token"\n',
        "devices[7].window",
        "nothing",
        "the window this keypad calls for",
        id="keypad-without-window",
    ),
    pytest.param(
        'queue = "property"',
        'queue = "estate"',
        "matters[0].queue",
        "'estate'",
        "a queue id defined in [[queues]]",
        id="matter-in-unknown-queue",
    ),
    pytest.param(
        'code = "371107902000"',
        'code = "371107901000"',
        "matters[1].code",
        "'371107901000'",
        "a code not used elsewhere (matters[0] already has it)",
        id="duplicate-matter-code",
    ),
    pytest.param(
        'code = "371107901000"',
        'code = "3711079"',
        "matters[0].code",
        "'3711079'",
        "a 12-digit 基本编码",
        id="short-matter-code",
    ),
    pytest.param(
        'kind = "行政确认"',
        'kind = "行政审批"',
        "matters[0].kind",
        "'行政审批'",
        "one of '行政许可', '行政确认'",
        id="unknown-matter-kind",
    ),
    pytest.param(
        "promised_days = 7\n",
        "promised_days = -1\n",
        "matters[0].promised_days",
        "-1",
        "a whole number >= 0",
        id="negative-days",
    ),
    pytest.param(
        "promised_days = 7\n",
        "promised_days = 45\n",
        "matters[0].promised_days",
        "45",
        "a promised time no longer than legal_days (30)",
        id="promise-beyond-legal-limit",
    ),
    pytest.param(
        '{ name = "不动产登记申请书", name_en = "Real estate registration application", form = "原件", count = 1, required = true }',
        '{ name = "不动产登记申请书", name_en = "Real estate registration application", form = "原本", count = 1, required = true }',
        "matters[0].materials[0].form",
        "'原本'",
        "one of '原件', '复印件', '原件+复印件', '原件验收复印件' or '电子'",
        id="unknown-material-form",
    ),
    pytest.param(
        '{ name = "不动产登记申请书", name_en = "Real estate registration application", form = "原件", count = 1, required = true }',
        '{ name = "不动产登记申请书", name_en = "Real estate registration application", form = "原件", count = 1, required = true, copies = 2 }',
        "matters[0].materials[0].copies",
        "2",
        "a known key (one of: name, name_en, form, count, required, note, note_en)",
        id="unknown-material-key",
    ),
    pytest.param(
        "[evaluation]\ncallback_hours = 24",
        "[evaluation]\ncallback_hours = 0",
        "evaluation.callback_hours",
        "0",
        "a whole number >= 1",
        id="zero-callback-hours",
    ),
    pytest.param(
        "[platform]\n",
        '[platform]\nurl = "ftp://platform.example"\n',
        "platform.url",
        "'ftp://platform.example'",
        "an http:// or https:// address",
        id="platform-url-scheme",
    ),
    pytest.param(
        "[policy]",
        "[polcy]",
        "polcy",
        "{'no_show_after_recalls': 2,",
        "a known key (one of: hall, server, policy, queues, windows,",
        id="misspelt-section",
    ),
]


@pytest.mark.parametrize(("old", "new", "key_path", "found", "expected"), BROKEN)
def test_broken_config_names_key_and_value(
    tmp_path, demo_text, old, new, key_path, found, expected
):
    path = write(tmp_path, edited(demo_text, old, new))
    issue = only_issue(path)
    assert issue.file == str(path)
    assert issue.key_path == key_path
    assert issue.found.startswith(found)
    assert issue.expected.startswith(expected), issue.expected


def test_error_text_lists_one_issue_per_line(tmp_path, demo_text):
    text = edited(demo_text, W04, W04.replace('["business"]', '["business", "propety"]'))
    text = edited(text, "aging_minutes = 30", "aging_minutes = -5")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{path}: policy.aging_minutes: expected a number > 0, found -5",
    ]
    # Cross-section checks run once the sections themselves are valid.
    path = write(tmp_path, edited(text, "aging_minutes = -5", "aging_minutes = 30"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).splitlines() == [
        f"{path}: windows[3].queues[1]: expected a queue id defined in [[queues]] "
        f"(one of: {DEMO_QUEUE_IDS}), found 'propety'"
    ]


def test_several_mistakes_are_reported_together(tmp_path, demo_text):
    text = edited(demo_text, "port = 8470", "port = 70000")
    text = edited(text, 'ratio = "3:1"', 'ratio = "0:1"')
    text = edited(text, 'token = "demo-kiosk-1-token"', 'token = "short"')
    issues = issues_of(write(tmp_path, text))
    assert [i.key_path for i in issues] == ["server.port", "windows[2].ratio", "devices[1].token"]
    assert issues[0].expected == "a whole number <= 65535"
    assert issues[2].expected == "a text of at least 16 characters"


def test_tables_written_as_a_plain_value_are_explained(tmp_path):
    block = '[[windows]]\nid = "w1"\nnumber = 1\nname = "1号窗口"\nqueues = ["general"]\n'
    text = 'windows = "w1"\n' + edited(MINIMAL, block, "")
    issue = only_issue(write(tmp_path, text))
    assert issue.key_path == "windows"
    assert issue.expected == "an array of tables ([[windows]] blocks)"
    assert issue.found == "'w1'"


def test_queues_and_windows_are_required(tmp_path):
    text = 'windows = []\n[hall]\nid = "x"\nname = "空大厅"\narea_code = "370829"\n'
    issues = issues_of(write(tmp_path, text))
    by_path = {i.key_path: i for i in issues}
    assert set(by_path) == {"queues", "windows"}
    assert by_path["queues"].found == "nothing"
    assert by_path["windows"].expected == "at least 1 entry"
    assert by_path["windows"].found == "[]"


def test_plain_password_in_password_hash_is_not_echoed(tmp_path, demo_text):
    start = demo_text.index('username = "staff03"\npassword_hash = "') + len(
        'username = "staff03"\n'
    )
    end = demo_text.index("\n", start)
    text = demo_text[:start] + 'password_hash = "Secret-Pass-99"' + demo_text[end:]
    issue = only_issue(write(tmp_path, text))
    assert issue.key_path == "staff[2].password_hash"
    assert issue.expected.startswith("a password hash made by 'yiciban staff hash-password'")
    assert "Secret-Pass-99" not in str(issue)
    assert issue.found == "a text of 14 characters (not shown)"


def test_duplicate_token_is_reported_without_showing_it(tmp_path):
    text = (
        MINIMAL
        + '[[devices]]\nid = "a"\nrole = "display"\ntoken = "s3cret-token-0001"\n'
        + '[[devices]]\nid = "b"\nrole = "kiosk"\ntoken = "s3cret-token-0001"\n'
    )
    issue = only_issue(write(tmp_path, text))
    assert issue.key_path == "devices[1].token"
    assert issue.expected == "a token not used elsewhere (devices[0] already has it)"
    assert "s3cret" not in str(issue)


def test_toml_syntax_error_gives_line_and_column(tmp_path, demo_text):
    text = edited(demo_text, "port = 8470", "port = = 8470")
    line = text.splitlines().index("port = = 8470") + 1
    path = write(tmp_path, text)
    issue = only_issue(path)
    assert issue.key_path == f"line {line}, column 8"
    assert issue.expected == "valid TOML"
    assert issue.found == "invalid value"
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(path))}: line {line}, column 8: "):
        load_config(path)


def test_unclosed_string_is_a_syntax_error(tmp_path):
    path = write(tmp_path, MINIMAL.replace('name = "最小大厅"', 'name = "最小大厅'))
    issue = only_issue(path)
    assert issue.key_path.startswith("line 4, column ")
    assert issue.expected == "valid TOML"


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "hall.toml"
    issue = only_issue(path)
    assert issue == ConfigIssue(str(path), "", "a hall configuration file", "no such file")
    assert str(issue) == f"{path}: expected a hall configuration file, found no such file"


def test_directory_instead_of_file(tmp_path):
    issue = only_issue(tmp_path)
    assert issue.found == "a directory"


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_bytes(MINIMAL.encode("gb18030"))
    issue = only_issue(path)
    assert issue.key_path == "line 4"
    assert issue.expected == "UTF-8 text"


def test_parse_config_reports_with_the_given_file_name():
    with pytest.raises(ConfigError) as caught:
        parse_config({"hall": {"id": "x", "name": "x", "area_code": "0123"}}, "inline.toml")
    paths = {(i.file, i.key_path) for i in caught.value.errors}
    assert ("inline.toml", "hall.area_code") in paths
    assert ("inline.toml", "queues") in paths


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
