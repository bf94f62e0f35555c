"""Questions that describe a term or a unit instead of naming it (knowledge/describe.py)."""

from __future__ import annotations

import pytest

from handlers.render import answer_html
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
        "农户找谁，吃饭的事",  # the groups are in different clauses
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


def test_the_clause_unit_that_does_what_is_asked_answers() -> None:
    """专项联动: 分管区长 leads, 区发改委 organises, 各责任单位 feed back the problems."""
    engine = engine_for("district")
    for question in ("专项联动碰到困难谁往上报", "专项联动里的难题由谁报上来"):
        assert engine.ask(question).matches[0].unit == "各责任单位"
    assert engine.ask("专项联动谁牵头").matches[0].unit == "分管区长"
    assert engine.ask("专项联动谁组织").matches[0].unit == "区发改委"


def test_a_long_unit_name_is_known_without_an_inner_word() -> None:
    engine = engine_for("yongjia")
    unit = engine.find_unit("楠溪江旅游管理局", fuzzy=False)
    assert unit is not None and unit.name == "楠溪江风景旅游管理局"
    # 管 of 管理局 is no description of a unit; the documents give 农家乐 to 县农办
    answer = engine.ask("农家乐是不是楠溪江风景旅游管理局管的")
    assert answer.matches[0].unit == "县农办"


@pytest.mark.parametrize(
    ("jurisdiction", "question"),
    [
        ("yongjia", "住的宾馆里东西被偷了找谁"),
        ("district", "家里宽带老掉线该找谁反映"),
        ("yongjia", "出租车拒载是不是归县交通局管"),
    ],
)
def test_a_residents_own_trouble_is_declined(jurisdiction: str, question: str) -> None:
    assert not engine_for(jurisdiction).ask(question).answered


def test_the_role_after_the_question_word_is_the_one_asked() -> None:
    """提建议 is told, 确定 is asked: 区委、区政府 decide what 区发改委 proposes."""
    engine = engine_for("district")
    answer = engine.ask("年度服务业目标由区发改委提建议后，报给谁确定")
    assert answer.matches[0].unit == "区委、区政府"
    assert engine.ask("年度服务业目标谁提建议").matches[0].unit == "区发改委"


def test_an_industry_named_picks_its_part_of_the_scoring_clause() -> None:
    """一分两记: an industry's single indicator is its lead department's part, not the streets'."""
    engine = engine_for("district")
    assert engine.ask("超额完成旅游目标加分加给谁").matches[0].unit == "区旅游局"
    assert engine.ask("物流业目标完成加2~3分给谁").matches[0].unit == "区发改委"


def test_a_described_units_name_asked_is_that_unit() -> None:
    answer = engine_for("district").ask("领导小组成员单位名单里管房产的叫什么局")
    assert answer.answered and answer.matches[0].unit == "房产局"


@pytest.mark.parametrize(
    ("jurisdiction", "question", "unit"),
    [
        # a yes/no question checks a unit against a body's matter: whose it is answers
        ("yongjia", "协调会办公室是设在统计局吗", "县发改局"),
        ("district", "智囊库经费是区财政局拨的吗", "区科技局"),
        # whether a unit is in the body at all is the unit's matter (项目库, not 领导小组)
        ("district", "外经贸局是不是领导小组成员？它参与什么", "外经贸局"),
        # a clause cited by its number: its unit that does what is asked
        ("district", "第3部分(三)专项联动谁去组织", "区发改委"),
    ],
)
def test_yes_no_and_cited_questions_answer_whose_it_is(
    jurisdiction: str, question: str, unit: str
) -> None:
    answer = engine_for(jurisdiction).ask(question)
    assert answer.answered and answer.matches[0].unit == unit


def test_a_named_units_kind_of_work_of_another_sort_is_declined() -> None:
    answer = engine_for("district").ask("区统计局统计执法检查谁搞")
    assert not answer.answered and answer.reason == "unit_other"


def test_a_description_may_list_its_items_with_spaces_but_keeps_errands() -> None:
    engine = engine_for("yongjia")
    assert engine.ask("诊所 医院 门诊这些看病的服务 谁来指导").matches[0].unit == "县卫生局"
    assert engine.ask("燃气 自来水这类城市公共事业谁来管").matches[0].unit == "县规划建设局"
    for errand in ("去医院看病挂号找谁", "自来水停水了找谁"):
        assert not engine.ask(errand).answered


@pytest.mark.parametrize(
    ("jurisdiction", "question", "unit"),
    [
        # a unit's head stands for the unit, where no name is asked
        ("yongjia", "县体育局局长在协调会里算什么", "县体育局"),
        ("district", "科技局长手里要管智囊库那笔钱吗", "区科技局"),
        ("district", "工商联主席那边管的是哪个产业的目标", "区工商联"),
        # 领导小组办公室主任 is a post of its own
        ("district", "领导小组办公室主任由谁兼", "区发改委"),
        # a unit without duties of its own, in the sentences that name it and what is asked
        ("yongjia", "乡镇也要考核服务业吗", "各乡镇"),
        # 要不要 asks yes or no
        ("yongjia", "县卫生局要不要参加服务业协调会议", "县卫生局"),
    ],
)
def test_heads_bystanders_and_yes_no_frames(jurisdiction: str, question: str, unit: str) -> None:
    answer = engine_for(jurisdiction).ask(question)
    assert answer.answered and answer.matches[0].unit == unit


def test_a_heads_name_stays_declined() -> None:
    answer = engine_for("yongjia").ask("发改局局长叫什么")
    assert not answer.answered


@pytest.mark.parametrize(
    ("jurisdiction", "question"),
    [
        ("district", "张主任是不是领导小组办公室主任"),
        ("yongjia", "分管服务业的副县长是不是张某某"),
        ("district", "领导小组办公室主任现在是谁"),
    ],
)
def test_a_person_named_or_the_holder_now_is_declined(jurisdiction: str, question: str) -> None:
    assert not engine_for(jurisdiction).ask(question).answered


def test_a_surname_inside_a_units_name_is_no_person() -> None:
    assert engine_for("district").ask("园林局长在项目库里干啥").matches[0].unit == "园林局"


@pytest.mark.parametrize(
    ("jurisdiction", "question", "unit"),
    [
        ("district", "专服业归谁管", "区工商联"),
        ("district", "金服业的绩效目标谁负责", "区财政局"),
        ("yongjia", "社服业谁来指导", "县民政局"),
    ],
)
def test_an_industry_is_known_by_its_abbreviation(
    jurisdiction: str, question: str, unit: str
) -> None:
    assert engine_for(jurisdiction).ask(question).matches[0].unit == unit


def test_a_unit_the_document_lacks_is_declined_with_whose_the_matter_is() -> None:
    engine = engine_for("district")
    answer = engine.ask("区交通局负责现代物流业吗")
    assert not answer.answered and answer.reason == "no_such_unit"
    assert [m.unit for m in answer.hints] == ["区发改委"]
    reply = answer_html(answer, engine.kb)
    assert "区交通局" in reply and "区发改委" in reply and "现代物流业" in reply
    # nothing asked beyond the unit: no hint
    assert not engine.ask("区审计局负责什么").hints


@pytest.mark.parametrize(
    ("jurisdiction", "question", "unit"),
    [
        ("yongjia", "协调会上排第二位的那个召集人是谁", "分管副县长"),
        ("yongjia", "协调会那个排第二的召集人是谁", "分管副县长"),  # 那个 before the rank
        ("yongjia", "服务业部门协调会议，第一召集人是哪个位子上的人", "县长"),
        ("yongjia", "协调会议正的召集人是谁", "县长"),
        ("district", "领导小组排第二的组长是谁", "分管领导"),
    ],
)
def test_a_posts_rank_picks_the_head_or_the_deputy(
    jurisdiction: str, question: str, unit: str
) -> None:
    assert engine_for(jurisdiction).ask(question).matches[0].unit == unit
