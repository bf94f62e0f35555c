"""Questions that describe a term or a unit instead of naming it (knowledge/describe.py)."""

from __future__ import annotations

import pytest

from knowledge.describe import Describer
from knowledge.lexicon import load_lexicon, parse_lexicon
from knowledge.lookup import engine_for

LEXICON = parse_lexicon(
    """
subject: [服务业]
descriptions:
  - term: 农家乐
    cues:
      - [农户, 农民, 村里]
      - [吃饭, 住宿, 吃住]
  - term: 房地产业
    cues:
      - [买房, 卖房, 盖楼]
  - term: 退二进三
    cues: []
remits:
  - unit: 水务局
    words: [管水, 供水, 河道]
  - unit: 园林局
    words: [公园, 绿化]
  - unit: 环保局
    words: [污染, 生态]
  - unit: 区经贸委
    words: [工业, 经济运行]
  - unit: 外经贸局
    words: [外贸, 经济合作]
  - unit: 教育局
    words: [学校]
"""
)
DOCUMENT = "农家乐发展的指导协调\n房地产业的发展\n旅游服务业的发展\n区经贸委、水务局为成员"
NAMES = {"水务局", "园林局", "环保局", "区经贸委", "经贸委", "外经贸局"}


def describer(document: str = DOCUMENT) -> Describer:
    known = {"水务局", "园林局", "环保局", "区经贸委", "外经贸局"}  # 教育局 is not a unit here

    def spans(text: str) -> list[tuple[int, int, str]]:
        return [(text.find(n), text.find(n) + len(n), n) for n in NAMES if n in text]

    return Describer(LEXICON, document, lambda n: n if n in known else None, NAMES, spans)


@pytest.mark.parametrize(
    ("question", "read"),
    [
        # every cue group has a word: the stretch from the first cue to the last is the term
        ("村里农户开的让城里人来吃饭住宿的 归谁管", "农家乐的 归谁管"),
        ("买房卖房那个行业谁负责", "房地产业那个行业谁负责"),
        # only one clause is read as the description; the question in the next stays
        ("农民家里吃住那种，谁指导", "农家乐那种，谁指导"),
    ],
)
def test_a_described_term_is_read_as_the_term(question: str, read: str) -> None:
    assert describer().terms(question) == read


@pytest.mark.parametrize(
    "question",
    [
        "农户补贴谁发",  # one group only
        "买房子贷款找谁",  # one everyday word alone is no description
        "农户找谁 吃饭的事",  # the groups are in different clauses
        "农民谁管吃饭",  # the stretch would swallow the question
        "农家乐农户吃饭谁管",  # the term is named already
    ],
)
def test_no_description_without_every_group_in_one_clause(question: str) -> None:
    assert describer().terms(question) == question


def test_a_term_the_document_lacks_is_never_described() -> None:
    assert describer("旅游服务业的发展").terms("村里农户吃住谁管") == "村里农户吃住谁管"


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("项目库里管河道供水的是哪个局", "项目库里水务局是哪个局"),
        ("管公园绿化的那个部门参加了吗", "园林局参加了吗"),
        ("公园绿化归口的那个局", "园林局"),
        ("领导小组里管污染的成员是谁", "领导小组里环保局成员是谁"),
        ("管水的是谁", "水务局是谁"),  # the verb and one character: 管水
        # the unit's own name weighs: 经贸 of 区经贸委; 委员会 asks for a 委, not a 局
        ("管经贸的那个委员会", "区经贸委"),
        ("管经济和外贸合作的那个委", "区经贸委"),
    ],
)
def test_a_unit_described_by_its_remit_is_named(question: str, read: str) -> None:
    assert describer().units(question) == read


@pytest.mark.parametrize(
    "question",
    [
        "管旅游服务业的发展的是哪个",  # the documents' own words: theirs to answer
        "管学校的是哪个局",  # 教育局 is not a unit here
        "管水务局的那个领导是谁",  # a unit is named already
        "河道供水归谁管",  # no unit is described (管 … 的 + a unit's noun)
        "管河道和公园的那个部门",  # two units described alike: neither
    ],
)
def test_no_unit_is_named_without_a_clear_description(question: str) -> None:
    assert describer().units(question) == question


@pytest.mark.parametrize(
    ("jurisdiction", "question", "unit"),
    [
        ("yongjia", "村民把自家房子腾出来给城里游客吃住 这种归谁指导", "县农办"),
        ("yongjia", "山里林区的观光游玩谁来指导", "县林业局"),
        ("district", "买房卖房盖楼这行的目标归谁", "区房地局"),
        ("district", "管公园绿化的是哪个局", "园林局"),
        ("district", "收地方税的那个分局是不是领导小组成员", "地税分局"),
        ("district", "管旅游服务业的是哪个", "区旅游局"),
    ],
)
def test_the_engine_answers_descriptions(jurisdiction: str, question: str, unit: str) -> None:
    answer = engine_for(jurisdiction).ask(question)
    assert answer.answered and answer.matches[0].unit == unit
    assert answer.question == question  # the reply quotes what was typed


@pytest.mark.parametrize(
    ("jurisdiction", "question"),
    [
        ("district", "新能源汽车补贴谁发"),  # one everyday word (补贴) of a description
        ("yongjia", "管水的是哪个局"),  # 水务局 is the district's, not Yongjia's
        ("district", "区旅游局导游证怎么考"),  # a unit's own matter stays declined
    ],
)
def test_descriptions_do_not_answer_what_the_documents_do_not(
    jurisdiction: str, question: str
) -> None:
    assert not engine_for(jurisdiction).ask(question).answered


def test_a_unit_introduced_as_the_asker_is_asked_about_beside_a_body() -> None:
    answer = engine_for("district").ask(
        "你好，我是地税分局的，想问下我们是不是领导小组的成员单位？"
    )
    assert answer.answered and answer.matches[0].unit == "地税分局"


def test_yes_no_tails_are_no_content() -> None:
    for question in ("房产局进领导小组了没有", "地税分局算不算领导小组成员"):
        answer = engine_for("district").ask(question)
        assert answer.answered and answer.matches[0].unit in question


def test_the_shared_lexicon_describes_only_with_two_cue_words_or_more() -> None:
    lexicon = load_lexicon()
    assert lexicon.descriptions and lexicon.remits
    for entry in lexicon.descriptions:
        words = {w for group in entry.cues for w in group}
        assert not entry.cues or len(words) >= 2, entry.term


def test_every_description_and_remit_points_at_the_documents() -> None:
    """A description's term is a document's term; a remit's unit is a unit of a document."""
    lexicon = load_lexicon()
    engines = [engine_for(j) for j in ("yongjia", "district")]
    for entry in lexicon.descriptions:
        assert any(entry.term in d.topic + d.text for e in engines for d in e.kb.duties), entry.term
    for remit in lexicon.remits:
        assert any(e.find_unit(remit.unit, fuzzy=False) for e in engines), remit.unit
