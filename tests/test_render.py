"""HTML rendering: escaping and splitting under Telegram's 4096-character limit."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from handlers.render import MAX_MESSAGE, shorten, split_html

TAG = re.compile(r"</?([a-z]+)[^>]*>")


def _balanced(chunk: str) -> bool:
    stack: list[str] = []
    for m in TAG.finditer(chunk):
        name = m.group(1)
        if m.group(0).startswith("</"):
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_short_text_is_one_chunk() -> None:
    assert split_html("<b>县交通局</b>\n负责物流") == ["<b>县交通局</b>\n负责物流"]


def test_long_text_splits_on_lines_and_keeps_tags_whole() -> None:
    lines = [f"<b>单位{i}</b>（牵头负责）<i>出处：三、部门职责分工 第{i}项</i>" for i in range(400)]
    chunks = split_html("\n".join(lines))
    assert len(chunks) > 1
    assert all(len(c) <= MAX_MESSAGE for c in chunks)
    assert all(_balanced(c) for c in chunks)
    assert "\n".join(chunks) == "\n".join(lines)


@given(st.lists(st.text(alphabet="服务业物流 abc", min_size=0, max_size=300), max_size=60))
def test_split_never_exceeds_the_limit_and_loses_nothing(parts: list[str]) -> None:
    text = "\n".join(parts)
    chunks = split_html(text, limit=500)
    assert all(len(c) <= 500 for c in chunks)
    joined = "".join(chunks).replace("\n", "").replace(" ", "")
    assert joined == text.replace("\n", "").replace(" ", "")


def test_shorten() -> None:
    assert shorten("物流") == "物流"
    long = "我" * 100
    assert shorten(long) == "我" * 39 + "…"
