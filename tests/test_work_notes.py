"""A progress note written in one reply (bot/supervision/notes.py)."""

from __future__ import annotations

from bot.supervision.notes import Parsed, parse_note


def test_progress_percent_and_problems() -> None:
    assert parse_note("规划初稿已完成，完成60%") == Parsed("规划初稿已完成，完成60%", 60, None)
    assert parse_note("  进度 75.5％\n\n问题：缺数据\n困难: 人手不足 ") == Parsed(
        "进度 75.5％", 76, "缺数据；人手不足"
    )
    assert parse_note("已召开协调会\n存在问题：用地指标不足") == Parsed(
        "已召开协调会", None, "用地指标不足"
    )
    assert parse_note("从30%提高到50%") == Parsed("从30%提高到50%", 50, None)  # the last one


def test_refusals() -> None:
    assert parse_note("   ").refused == "empty"
    assert parse_note("问题：只有问题").refused == "empty"
    assert parse_note("完成120%").refused == "percent"
    assert parse_note("很" * 1001).refused == "too_long"
