"""Where a ticket's QR leads: the signed follow page, at the address phones can reach."""
from __future__ import annotations

from hall.wire import IssueAnswer
from kiosk.models.dispenser import follow_url, sample_answer

ANSWER = IssueAnswer.read({**sample_answer().to_json(), "follow_path": "/t/20261128-A001.W3NRAWN5ST"})


def test_the_follow_page_is_at_the_halls_public_address_when_it_has_one():
    assert follow_url("http://192.168.1.10:8470", ANSWER, "https://zwfw.example.cn/jx/") == \
        "https://zwfw.example.cn/jx/t/20261128-A001.W3NRAWN5ST"


def test_without_a_public_address_the_devices_own_is_used():
    assert follow_url("http://192.168.1.10:8470/", ANSWER) == "http://192.168.1.10:8470/t/20261128-A001.W3NRAWN5ST"


def test_a_hall_without_follow_pages_gets_its_board_link():
    answer = ANSWER.model_copy(update={"follow_path": ""})
    assert follow_url("http://hall:8470", answer) == "http://hall:8470/ui/#ticket=20250618-B017"
