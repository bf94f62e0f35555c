"""HTML rendering: escaping and splitting under Telegram's 4096-character limit."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.words.html import MAX_MESSAGE, shorten, split_html

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


def _answer(jurisdiction: str, duty_ids: list[str]) -> tuple[object, object]:
    from knowledge.loader import load_knowledge
    from knowledge.lookup import Answer, Match

    kb = load_knowledge(jurisdiction)
    by_id = {d.id: d for d in kb.duties}
    matches = tuple(
        Match(
            unit_id=by_id[i].unit,
            unit=kb.unit(by_id[i].unit).name,
            duty_id=i,
            topic=by_id[i].topic,
            duty=by_id[i].text,
            role=by_id[i].role,
            source=by_id[i].source,
            score=90.0,
        )
        for i in duty_ids
    )
    return Answer("测试", True, matches, "duty", False), kb


def _duties_with_source(jurisdiction: str, source: str) -> list[str]:
    from knowledge.loader import load_knowledge

    return [d.id for d in load_knowledge(jurisdiction).duties if d.source == source]


def test_units_sharing_a_clause_are_listed_above_it_once() -> None:
    from handlers.render import answer_html

    ids = _duties_with_source("district", "三、（四）建立重大项目库")
    assert len(ids) > 3
    answer, kb = _answer("district", ids[:4])
    html = answer_html(answer, kb)  # type: ignore[arg-type]
    assert html.count("按在建、新开工、前期项目三大类") == 1
    assert "<b>区发改委</b>（牵头负责）" in html and "（配合参与）" in html
    # Different roles: not presented as shared responsibility.
    assert "共同负责" not in html


def test_related_mechanism_figures_are_shown() -> None:
    from handlers.render import answer_html

    ids = _duties_with_source("district", "二、建立智囊库 第3段")
    answer, kb = _answer("district", ids[:1])
    html = answer_html(answer, kb)  # type: ignore[arg-type]
    assert "区三项科技经费" in html and "30万元" in html and "210万元" in html

    ids = _duties_with_source("district", "一、（四）绩效目标考核")
    answer, kb = _answer("district", ids[:1])
    html = answer_html(answer, kb)  # type: ignore[arg-type]
    assert "加2-3分" in html and "扣2分" in html
