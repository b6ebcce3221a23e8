"""Every kind of mistake a hall.toml can hold: each names its key and value, several are told
together, a secret is never echoed, and a file that cannot be read says why."""

from __future__ import annotations

import re

import pytest

from hall.config import (
    ConfigError,
    ConfigIssue,
    load_config,
    parse_config,
)
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

# --- broken configurations ----------------------------------------------------------------------


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
