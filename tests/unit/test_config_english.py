"""English beside every name and text of a hall file: missing is a warning, unpaired an error."""
from __future__ import annotations

import pytest

from hall.config import ConfigError, check_command, demo_config_path, load_config
from hall.config_english import english_gaps
from hall.localized import localized
from tests.support.halls import write_beside_sample


@pytest.fixture(scope="module")
def demo_text() -> str:
    return demo_config_path().read_text(encoding="utf-8")




def test_the_sample_hall_has_english_for_everything(demo_text):
    cfg = load_config(demo_config_path())
    assert english_gaps(cfg) == []
    assert all(m.name_en and m.department_en and m.fee_en for m in cfg.matters)
    assert all(x.name_en for m in cfg.matters for x in m.materials)
    assert all(w.name_en for w in cfg.windows)
    assert len(cfg.evaluation.bad_reasons_en) == len(cfg.evaluation.bad_reasons)
    assert all(a.title_en and a.body_en for a in cfg.announcements)
    assert "示例" not in cfg.hall.name and not any("示例" in a.title + a.body for a in cfg.announcements)


def test_missing_english_is_a_warning_that_names_the_place(tmp_path, capsys, demo_text):
    text = demo_text.replace('name_en = "Real Estate (Mortgage, Cancellation)"\n', "", 1)
    text = text.replace('title_en = "Opening hours"\n', "", 1)
    assert text != demo_text
    assert check_command(str(write_beside_sample(tmp_path, text))) == 0  # usable all the same
    out, err = capsys.readouterr()
    assert out.startswith("OK: ")
    lines = err.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("warning: windows[") and ".name_en: no English" in lines[0]
    assert "'不动产登记（抵押、注销）'" in lines[0]
    assert lines[1].startswith("warning: announcements[0].title_en: no English")


def test_a_guides_time_limits_legal_basis_and_notes_without_english_are_warnings(tmp_path, capsys, demo_text):
    """What the guide detail shows under "how long", "legal basis" and "notes" has English too."""
    text = demo_text
    for line in ('legal_limit_text_en = "30 working days by law"\n',
                 'promised_limit_text_en = "5 working days promised (Xiangyin County)"\n',
                 'basis_en = "Interim Regulations on Real Estate Registration and their implementing rules"\n',
                 'notes_en = "The registration details are the same nationwide."\n'):
        assert line in text, line
        text = text.replace(line, "", 1)
    assert check_command(str(write_beside_sample(tmp_path, text))) == 0  # usable all the same
    warnings = capsys.readouterr().err.splitlines()
    assert [w.split(": ")[1] for w in warnings] == [
        "matters[0].legal_limit_text_en", "matters[1].promised_limit_text_en", "matters[1].basis_en",
        "matters[4].notes_en"], warnings
    assert "'《不动产登记暂行条例》及其实施细则'" in warnings[2]


def test_english_steps_that_do_not_pair_up_are_an_error(tmp_path, demo_text):
    text = demo_text.replace('steps_en = ["Guidance", "Application", ', 'steps_en = ["Application", ', 1)
    assert text != demo_text
    with pytest.raises(ConfigError) as caught:
        load_config(write_beside_sample(tmp_path, text))
    message = str(caught.value)
    assert "steps_en" in message and "10 English texts, one for each of steps in the same order" in message


def test_an_english_screen_reads_the_english_and_falls_back_to_chinese():
    guide = {"name": "出生登记", "name_en": "Birth registration", "fee": "不收费", "fee_en": "",
             "steps": ["申请", "受理"], "steps_en": ["Application", "Acceptance"],
             "materials": [{"name": "户口簿", "name_en": "Household register booklet", "note": "补领时"}]}
    shown = localized(guide, "en")
    assert shown["name"] == "Birth registration"
    assert shown["fee"] == "不收费"  # no English given: the Chinese, never a blank
    assert shown["steps"] == ["Application", "Acceptance"]
    assert shown["materials"] == [{"name": "Household register booklet", "name_en": "Household register booklet",
                                   "note": "补领时"}]
    assert localized(guide, "zh") is guide
    assert localized({**guide, "steps_en": ["Application"]}, "en")["steps"] == ["申请", "受理"]  # unpaired
