"""A matter's one-time notice as a phone opens it (`/g/<code>`), from the sample hall's server:
in Chinese, or with `?lang=en` in the hall's English all the way."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient

from hall.config import load_demo_config
from hall.server import create_app

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")

HAN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uff60]+")
CODE = "371501901000"  # 建筑工程施工许可证核发: ten materials, over two pages in English


@pytest.fixture
def sample_hall(tmp_path, clock):
    config = load_demo_config()
    with TestClient(create_app(config, tmp_path / "data", clock=clock)) as client:
        yield client, config


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                         check=True, timeout=30)
    return " ".join(out.stdout.decode().split())


def test_the_english_notice_is_english_all_the_way(sample_hall):
    client, config = sample_hall
    matter = next(m for m in config.matters if m.code == CODE)
    answer = client.get(f"/g/{CODE}", params={"lang": "en"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.content)
    assert HAN.findall(text) == []
    queue = config.queue(matter.queue)
    assert queue is not None
    for expected in (matter.name_en, queue.name_en, config.hall.name_en, config.hall.phone_en,
                     config.hall.address_en, "Construction permit application form", "Original and copy"):
        assert expected in text, expected


def test_the_chinese_notice_stays_chinese(sample_hall):
    client, config = sample_hall
    matter = next(m for m in config.matters if m.code == CODE)
    for params in ({}, {"lang": "zh"}):
        text = pdf_text(client.get(f"/g/{CODE}", params=params).content)
        assert matter.name in text and "一次性告知单" in text and config.hall.phone in text
        assert matter.name_en not in text and "Original" not in text


def test_an_unknown_language_is_refused_and_names_it(sample_hall):
    client, _ = sample_hall
    answer = client.get(f"/g/{CODE}", params={"lang": "fr"})
    assert answer.status_code == 422 and "lang" in answer.text
