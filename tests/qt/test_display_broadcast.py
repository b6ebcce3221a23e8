"""The operators' urgent broadcast on the Qt hall display, against a real hall server: shown
over the board, spoken twice (espeak-ng, queued after any call), and gone when it ends; and
their notices on the display's ticker as soon as they publish them."""
from __future__ import annotations

import shutil

import pytest
import requests

from kiosk.models.voice import wav_seconds
from kiosk.voice_player import SPEECH
from tests.qt import test_voice_player as players
from tests.qt.test_display import display
from tests.qt.test_voice_player import FakeEffect
from tests.support.halls import TOKENS

# the voice player tests' fixtures, known to pytest by these names
make_voice, reset_fakes = players.make_voice, players._reset_fakes

OPERATOR = {"Authorization": f"Bearer {TOKENS['operator']}"}


def test_a_notice_the_operators_publish_reaches_the_ticker_at_once(qtbot, make_shell, hall_server):
    view = display(qtbot, make_shell, hall_server)
    r = requests.put(f"{hall_server.base_url}/api/v1/operators/notices/parking", headers=OPERATOR,
                     json={"kind": "policy", "title": "停车新规", "body": "地下车库免费两小时"}, timeout=10)
    assert r.status_code == 200, r.text
    qtbot.waitUntil(lambda: "【停车新规】地下车库免费两小时" in view.board.ticker.text, timeout=8000)


def test_the_operators_ticker_lines_reach_the_display_in_its_language(qtbot, make_shell, hall_server):
    view = display(qtbot, make_shell, hall_server)
    r = requests.put(f"{hall_server.base_url}/api/v1/operators/board", headers=OPERATOR, timeout=10,
                     json={"tickers": ["欢迎光临", "请保管好随身物品"], "tickers_en": ["Welcome"]})
    assert r.status_code == 200, r.text
    qtbot.waitUntil(lambda: "欢迎光临" in view.board.ticker.text, timeout=8000)
    assert "请保管好随身物品" in view.board.ticker.text and "Welcome" not in view.board.ticker.text
    view.context.languages.switch("en")
    try:
        qtbot.waitUntil(lambda: "Welcome" in view.board.ticker.text, timeout=3000)  # retranslated
        assert "欢迎光临" not in view.board.ticker.text
        assert "请保管好随身物品" in view.board.ticker.text  # no English given: its Chinese
    finally:
        view.context.languages.switch("zh")
    qtbot.waitUntil(lambda: "欢迎光临" in view.board.ticker.text, timeout=3000)


def broadcast(hall_server, method: str, body: dict | None = None) -> None:
    r = requests.request(method, f"{hall_server.base_url}/api/v1/operators/broadcast", headers=OPERATOR,
                         json=body, timeout=10)
    assert r.status_code == 200, r.text


def test_the_display_shows_and_speaks_the_broadcast_until_it_ends(qtbot, make_shell, hall_server, tmp_path):
    view = display(qtbot, make_shell, hall_server)
    assert not view.broadcast.isVisible()
    broadcast(hall_server, "POST", {"text": "消防演练，请听从工作人员指引", "minutes": 5})
    qtbot.waitUntil(lambda: view.broadcast.isVisible(), timeout=8000)
    assert "消防演练，请听从工作人员指引" in view.broadcast.text()
    qtbot.waitUntil(lambda: len(view.voice.history) == 2, timeout=8000)
    assert view.voice.history == [[SPEECH + "消防演练，请听从工作人员指引"]] * 2
    band = view.broadcast.geometry()
    assert band.width() == view.width() and band.height() > 0  # across the whole board
    view.grab().save(str(tmp_path / "display-broadcast.png"))

    broadcast(hall_server, "DELETE")
    qtbot.waitUntil(lambda: not view.broadcast.isVisible(), timeout=8000)
    assert len(view.voice.history) == 2  # the end is not spoken


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_broadcast_is_spoken_by_espeak_after_the_call_before_it(qtbot, make_voice):
    voice, events = make_voice(audio=True, effect_factory=FakeEffect)
    with qtbot.waitSignal(voice.call_finished, check_params_cb=lambda n, w: n == "broadcast", timeout=30000):
        voice.announce("A017", 3)
        voice.say("消防演练，请听从工作人员指引")
    assert [e[1] for e in events] == ["A017", "A017", "broadcast", "broadcast"]
    spoken = FakeEffect.played[1]
    assert spoken[:4] == b"RIFF" and 1.0 < wav_seconds(spoken) < 30.0  # espeak-ng's speech, not silence
