"""The off-hours page's words, from the hall's hours and from a refused issue, in both languages."""
from __future__ import annotations

from kiosk.models import opening


def test_lunch_says_when_the_afternoon_opens_and_what_works_now():
    zh = opening.from_hours(opening.SAMPLE_HOURS, "zh")
    assert (zh.headline, zh.when) == ("午休时间，暂停取号", "今天13:30开始取号")
    assert "自助复印" in zh.still and "办件进度查询" in zh.still and zh.reason == ""
    en = opening.from_hours(opening.SAMPLE_HOURS, "en")
    assert (en.headline, en.when) == ("Lunch break: no tickets now", "Tickets from 13:30 today.")
    assert "Copying" in en.still


def test_a_closed_day_gives_its_reason():
    hours = {"state": "closed", "opens_text": "12月25日（周五）8:30", "opens_text_en": "8:30 on Fri 25 Dec",
             "reason": "系统升级", "reason_en": "system upgrade"}
    assert opening.from_hours(hours, "zh").reason == "系统升级"
    assert opening.from_hours(hours, "en").when == "Tickets from 8:30 on Fri 25 Dec."


def test_a_refusal_says_its_reason_and_when():
    details = {"reason": "cutoff", "text_en": "No more tickets today. Tickets from 8:30 tomorrow.",
               "opens_text": "明天8:30", "opens_text_en": "8:30 tomorrow"}
    zh = opening.from_refusal("今日取号已截止，明天8:30开始取号", details, "zh")
    assert (zh.headline, zh.when) == ("今日取号已截止", "明天8:30开始取号")
    en = opening.from_refusal("今日取号已截止，明天8:30开始取号", details, "en")
    assert (en.headline, en.when) == ("No more tickets today", "Tickets from 8:30 tomorrow.")


def test_a_refusal_of_an_older_hall_keeps_the_halls_words():
    details = {"reason": "quota", "text_en": "Today's tickets are all taken. Tickets from 8:30 tomorrow."}
    zh = opening.from_refusal("今日号源已满，明天8:30开始取号", details, "zh")
    assert (zh.headline, zh.when) == ("今日号源已满", "今日号源已满，明天8:30开始取号")
    assert opening.from_refusal("今日号源已满，明天8:30开始取号", details, "en").when == details["text_en"]


def test_whether_the_hall_issues():
    assert opening.issuing({}) and opening.issuing({"state": "open"})
    assert not opening.issuing({"state": "lunch"}) and not opening.issuing({"state": "appointments"})
