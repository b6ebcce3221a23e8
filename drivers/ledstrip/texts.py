"""What a window's LED strip says, wherever it is driven from (the hall PC or the hall display)."""
from __future__ import annotations


def call_text(number: str, window_number: int) -> str:
    return f"请{number}号到{window_number}号窗口"


def paused_text(window_number: int) -> str:
    return f"{window_number}号窗口 暂停服务"


def open_text(window_number: int) -> str:
    return f"{window_number}号窗口 欢迎办理"
