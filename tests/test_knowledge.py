"""The two knowledge files load, say what the documents say, and broken copies fail clearly."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from knowledge.lexicon import load_lexicon
from knowledge.loader import (
    DATA_DIR,
    KnowledgeError,
    load_knowledge,
    load_knowledge_file,
    parse_knowledge,
)
from knowledge.schema import (
    Assessment,
    Budget,
    Duty,
    Group,
    Knowledge,
    Mechanism,
    Meeting,
    Office,
    ProjectLibrary,
    Routine,
)

JURISDICTIONS = ["yongjia", "district"]


@pytest.fixture(scope="module")
def yj() -> Knowledge:
    return load_knowledge("yongjia")


@pytest.fixture(scope="module")
def dq() -> Knowledge:
    return load_knowledge("district")


@pytest.fixture(scope="module", params=JURISDICTIONS)
def kb(request: pytest.FixtureRequest) -> Knowledge:
    return load_knowledge(request.param)


# ---------------------------------------------------------------- helpers


def unit_id(kb: Knowledge, name: str) -> str:
    """The id of the unit whose canonical name is exactly `name`."""
    ids = [u.id for u in kb.units if u.name == name]
    assert ids, f"no unit named {name!r}"
    return ids[0]


def names(kb: Knowledge, ids: list[str]) -> list[str]:
    return [kb.unit(i).name for i in ids]


def mechanism(kb: Knowledge, mech_id: str) -> Mechanism:
    found = [m for m in kb.mechanisms if m.id == mech_id]
    assert found, f"no mechanism {mech_id!r}"
    return found[0]


def duties_with(kb: Knowledge, source: str) -> list[Duty]:
    return [d for d in kb.duties if d.source == source]


def normalised(text: str) -> str:
    """Document text without whitespace (page breaks split words) and markdown asterisks."""
    return re.sub(r"[\s*]", "", text)


def source_text(kb: Knowledge) -> str:
    # source_file is relative to the repository root (shared/ sits beside the checkout).
    path = Path(__file__).resolve().parent.parent / kb.jurisdiction.document.source_file
    if not path.exists():
        pytest.skip(f"source document {path} is not available here")
    return normalised(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- both files


def test_both_files_load() -> None:
    for j in JURISDICTIONS:
        kb = load_knowledge(j)
        assert kb.jurisdiction.id == j
        assert kb.jurisdiction.timezone == "Asia/Shanghai"
        assert kb.units and kb.duties and kb.mechanisms and kb.synonyms and kb.stopwords


def test_every_duty_names_an_existing_unit_and_a_source(kb: Knowledge) -> None:
    unit_ids = {u.id for u in kb.units}
    sections = ("一、", "二、", "三、", "四、")
    for d in kb.duties:
        assert d.unit in unit_ids, d.id
        assert d.source.strip() and d.source.startswith(sections), d.id
        assert d.topic.strip() and d.text.strip(), d.id
        assert d.keywords, f"{d.id} has no keywords"


def test_every_mechanism_has_a_source(kb: Knowledge) -> None:
    for m in kb.mechanisms:
        assert m.source.startswith(("一、", "二、", "三、", "四、")), m.id


def test_names_and_aliases_are_unique(kb: Knowledge) -> None:
    seen: dict[str, str] = {}
    for u in kb.units:
        assert len(set(u.aliases)) == len(u.aliases), u.id
        assert u.name not in u.aliases, u.id
        for n in (u.name, *u.aliases):
            assert seen.setdefault(n, u.id) == u.id, f"{n!r}: {seen[n]} and {u.id}"


def test_ids_are_ascii_slugs(kb: Knowledge) -> None:
    for i in [u.id for u in kb.units] + [d.id for d in kb.duties] + [m.id for m in kb.mechanisms]:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", i), i


def test_unit_names_are_written_as_in_the_document(kb: Knowledge) -> None:
    doc = source_text(kb)
    # 领导小组办公室 is the one composed name: the document says “组成领导小组,下设办公室”.
    composed = {"领导小组办公室"}
    for u in kb.units:
        assert u.name in doc or u.name in composed, u.name


def test_texts_are_the_documents_own_words(kb: Knowledge) -> None:
    """Every duty text and every quoted mechanism field occurs in the source ('……' = omission)."""
    doc = source_text(kb)

    def check(where: str, text: str) -> None:
        for part in text.split("……"):
            assert normalised(part) in doc, f"{where}: {part!r} is not in the document"

    for d in kb.duties:
        check(f"duties[{d.id}].text", d.text)
    for m in kb.mechanisms:
        for field in ("text", "rule", "director", "fund"):
            value = getattr(m, field, None)
            if value:
                check(f"mechanisms[{m.id}].{field}", value)
        for field in ("tasks", "schedule", "categories"):
            for value in getattr(m, field, None) or []:
                check(f"mechanisms[{m.id}].{field}", value)


def test_synonyms_point_at_the_documents_terms(kb: Knowledge) -> None:
    doc = source_text(kb)
    terms = [s.term for s in kb.synonyms]
    assert len(set(terms)) == len(terms)
    for s in kb.synonyms:
        for meaning in s.means:
            assert normalised(meaning) in doc, f"{s.term} -> {meaning!r} is not a document term"


def test_stopwords_do_not_swallow_topics_or_units(kb: Knowledge) -> None:
    stop = set(kb.stopwords)
    for word in ("负责", "管理", "工作", "服务业", "发展", "指导协调"):
        assert word in stop
    assert "统计" not in stop
    for d in kb.duties:
        assert d.topic not in stop, d.id
        assert not stop & set(d.keywords) - {"服务业"}, (d.id, stop & set(d.keywords))
    for u in kb.units:
        assert not stop & {u.name, *u.aliases}, u.id


def test_role_verbs_and_overall_duties(kb: Knowledge) -> None:
    for d in kb.duties:
        assert all(v in d.text for v in d.does), d.id  # the schema checks it too
    # the duty over the whole mechanism: the lead / coordinating department's, nobody else's
    overall = [d for d in kb.duties if d.overall]
    assert overall and len({d.unit for d in overall}) == 1
    assert all(d.role == "coordinate" for d in overall)


def test_lexicon_points_at_the_documents_terms() -> None:
    """Every lexicon entry maps to terms the documents use, and applies to some jurisdiction."""
    lex = load_lexicon()
    kbs = [load_knowledge(j) for j in JURISDICTIONS]
    docs = [source_text(k) for k in kbs]
    for entry in lex.industries:
        for term in [*entry.means, *entry.otherwise]:
            assert any(normalised(term) in doc for doc in docs), (entry.sense, term)
    terms = [t.lower() for entry in lex.industries for t in entry.terms]
    assert len(set(terms)) == len(terms), "a lexicon word belongs to one industry"
    for role in lex.roles:
        assert any(v in doc for v in role.does for doc in docs), role.name
    # a homograph is a word the documents or the files' keywords and synonyms use
    known = "|".join(
        [*docs, *(k for kb in kbs for d in kb.duties for k in d.keywords)]
        + [s.term for kb in kbs for s in kb.synonyms]
    )
    for sense in lex.senses:
        assert sense.word in known, sense.word
    # staff's words are not the documents' unit names or stop-words
    for kb in kbs:
        names = {n for u in kb.units for n in (u.name, *u.aliases)}
        assert not names & set(terms)
        assert not set(kb.stopwords) & set(terms)


def test_error_verb_not_in_the_duty_text(tmp_path: Path) -> None:
    old = "    does: [确定]  # 经报区委、区政府确定后\n"
    path, _ = broken_copy(tmp_path, "district", old, "    does: [拍板]\n")
    msg = problem(path)
    assert "duties[qwqzf_targets]" in msg and "does: ['拍板'] not in the duty's text" in msg


def test_routine_owners_are_distinct(kb: Knowledge) -> None:
    for m in kb.mechanisms:
        if isinstance(m, Routine):
            assert m.owner not in m.co_owners


# ---------------------------------------------------------------- 永嘉县

YJ_CLAUSE_3 = {
    1: "县发改局",
    2: "县经贸局",
    3: "县教育局",
    4: "县科技局",
    5: "县民政局",
    6: "县财政局（地税局）",
    7: "县人事劳动社会保障局",
    8: "县国土资源局",
    9: "县规划建设局",
    10: "县交通局",
    11: "县信息办",
    12: "县文化广电新闻出版局",
    13: "县卫生局",
    14: "县林业局",
    15: "县体育局",
    16: "县统计局",
    17: "县工商局",
    18: "县质监局",
    19: "楠溪江风景旅游管理局",
    20: "县金融办",
    21: "县协作办",
    22: "人行县支行",
    23: "县房管局",
    24: "县农办",
    25: "县供销社",
}

YJ_MEMBERS = [
    "县发改局",
    "县经贸局",
    "县教育局",
    "县科技局",
    "县民政局",
    "县财政局（地税局）",
    "县人事劳动社会保障局",
    "县国土资源局",
    "县规划建设局",
    "县交通局",
    "县信息办",
    "县文化广电新闻出版局",
    "县卫生局",
    "县林业局",
    "县体育局",
    "县统计局",
    "县工商局",
    "县质监局",
    "楠溪江风景旅游管理局",
    "县金融办",
    "县协作办",
    "人行县支行",
]


def test_yongjia_document(yj: Knowledge) -> None:
    doc = yj.jurisdiction.document
    assert yj.jurisdiction.name == "永嘉县"
    assert doc.number == "永政办发〔2009〕106号"
    assert doc.issuer == "永嘉县人民政府办公室"
    assert doc.date == dt.date(2009, 7, 6)
    assert doc.date_note and "2009年7月8日印发" in doc.date_note


@pytest.mark.parametrize(("n", "name"), sorted(YJ_CLAUSE_3.items()))
def test_yongjia_clause_3_every_item(yj: Knowledge, n: int, name: str) -> None:
    duties = duties_with(yj, f"三、部门职责分工 第{n}项")
    assert duties, f"item {n} is missing"
    owners = {yj.unit(d.unit).name for d in duties}
    assert name in owners
    # item 17 also gives 县发改局 a part: 县工商局 会同县发改局 … 组织著名商标认定
    assert owners == ({name, "县发改局"} if n == 17 else {name})
    own = [d for d in duties if yj.unit(d.unit).name == name]
    assert all(d.role != "support" for d in own)  # the numbered unit is never a mere helper


def test_yongjia_clause_3_has_exactly_25_items(yj: Knowledge) -> None:
    items = {d.source for d in yj.duties if d.source.startswith("三、部门职责分工")}
    assert items == {f"三、部门职责分工 第{n}项" for n in range(1, 26)}


def test_yongjia_canonical_names_as_written(yj: Knowledge) -> None:
    for name in (
        "县财政局（地税局）",
        "楠溪江风景旅游管理局",
        "人行县支行",
        "县人事劳动社会保障局",
    ):
        unit_id(yj, name)
    czj = yj.unit(unit_id(yj, "县财政局（地税局）"))
    assert "（" in czj.name and "(" not in czj.name  # full-width, as the document writes it
    assert {"财政局", "地税局"} <= set(czj.aliases)
    assert yj.unit(unit_id(yj, "县文化广电新闻出版局")).aliases


def test_yongjia_split_items_keep_their_roles(yj: Knowledge) -> None:
    jyj = yj.duties_of(unit_id(yj, "县教育局"))
    by_role = {d.role: d.text for d in jyj if d.source == "三、部门职责分工 第3项"}
    assert by_role == {
        "lead": "负责服务业人才教育和培训工作的指导协调",
        "statistics": "负责组织和实施全县教育行业统计工作",
    }
    fgj = {d.topic: d for d in yj.duties_of("fgj") if d.source == "三、部门职责分工 第1项"}
    assert fgj["现代物流"].role == "lead"
    assert fgj["服务业发展规划、政策和项目"].role == "coordinate"
    assert fgj["协调会议办公室日常工作"].role == "coordinate"
    tjj = [d for d in yj.duties_of("tjj") if d.source == "三、部门职责分工 第16项"]
    assert tjj and all(d.role == "statistics" for d in tjj)


def test_yongjia_trademark_duty_names_both_units(yj: Knowledge) -> None:
    gsj = [d for d in yj.duties_of("gsj") if "著名商标" in d.text]
    fgj = [d for d in yj.duties_of("fgj") if "著名商标" in d.text]
    assert gsj and gsj[0].role == "lead"
    assert fgj and fgj[0].role == "support" and fgj[0].source == "三、部门职责分工 第17项"


@pytest.mark.parametrize(
    ("topic", "unit"),
    [
        ("现代物流", "县发改局"),
        ("餐饮业", "县经贸局"),
        ("服务外包业", "县经贸局"),
        ("企业二三产分离", "县财政局（地税局）"),
        ("退二进三", "县规划建设局"),
        ("房地产业", "县规划建设局"),
        ("交通物流业", "县交通局"),
        ("计算机服务和软件业统计", "县信息办"),
        ("文化创意产业", "县文化广电新闻出版局"),
        ("宾馆(星级)", "楠溪江风景旅游管理局"),
        ("物业管理和房地产中介服务统计", "县房管局"),
        ("农家乐", "县农办"),
    ],
)
def test_yongjia_topics(yj: Knowledge, topic: str, unit: str) -> None:
    assert any(yj.unit(d.unit).name == unit for d in yj.duties if d.topic == topic)


def test_yongjia_coordination_meeting(yj: Knowledge) -> None:
    m = mechanism(yj, "xthy_meeting")
    assert isinstance(m, Meeting)
    assert m.source == "二、工作机制框架 第2项"
    assert yj.unit(m.convener or "").name == "县长"
    assert names(yj, m.deputy_conveners) == ["分管副县长"]
    assert names(yj, m.assistant_conveners) == ["县府办联系副主任", "县发改局"]
    assert names(yj, m.members) == YJ_MEMBERS
    assert yj.unit(m.office or "").name == "县发改局"
    assert {"每年年初", "年中", "年末"} <= set(m.schedule)
    assert any("工作要点" in t for t in m.tasks)
    assert any("重大项目计划" in t for t in m.tasks)
    assert yj.unit("xthy").kind == "meeting"
    # every member also carries the membership as a support duty
    members = {d.unit for d in yj.duties if d.topic == "县服务业工作部门协调会议成员单位"}
    assert members == set(m.members)
    assert all(
        d.role == "support" for d in yj.duties if d.topic == "县服务业工作部门协调会议成员单位"
    )


def test_yongjia_standing_session(yj: Knowledge) -> None:
    m = mechanism(yj, "cwhy_meeting")
    assert isinstance(m, Meeting)
    assert m.schedule == ["每年年初", "每半年"]
    assert m.source == "二、工作机制框架 第1项"


def test_yongjia_coordination_office(yj: Knowledge) -> None:
    m = mechanism(yj, "xthy_office")
    assert isinstance(m, Office)
    assert yj.unit(m.host).name == "县发改局"
    assert any("绩效考核办法" in t and "乡镇服务业发展状况评价办法" in t for t in m.tasks)
    assert any("日常工作" in t for t in m.tasks)
    rules = [d for d in yj.duties_of("fgj") if d.source == "四、统计考评 第2段"]
    assert rules and rules[0].role == "coordinate"


def test_yongjia_assessment_from_2009(yj: Knowledge) -> None:
    m = mechanism(yj, "bm_jxkh")
    assert isinstance(m, Assessment)
    assert "2009年度" in m.text
    assert names(yj, m.accountable) == YJ_MEMBERS
    assert m.reward_points is None and m.penalty_points is None  # the document gives no points
    towns = mechanism(yj, "xz_fzpj")
    assert isinstance(towns, Assessment) and names(yj, towns.accountable) == ["各乡镇"]


def test_yongjia_evaluation_by_fgj_and_tjj(yj: Knowledge) -> None:
    m = mechanism(yj, "fzzk_pj")
    assert isinstance(m, Routine)
    assert yj.unit(m.owner).name == "县发改局"
    assert names(yj, m.co_owners) == ["县统计局"]
    assert m.frequency is None  # the document does not say how often
    assert "市发改委和市统计局" in m.text
    assert yj.unit(unit_id(yj, "市发改委")).kind == "agency"
    assert yj.unit(unit_id(yj, "市统计局")).kind == "agency"
    clause = duties_with(yj, "四、统计考评 第4段")
    evaluators = {yj.unit(d.unit).name for d in clause if d.topic != "发布服务业工作评价情况"}
    assert evaluators == {"县发改局", "县统计局"}
    # the city bodies' part in the same sentence: they publish the evaluation it follows
    publishers = {yj.unit(d.unit).name for d in clause if d.topic == "发布服务业工作评价情况"}
    assert publishers == {"市发改委", "市统计局"}


def test_yongjia_leaders_and_organisations(yj: Knowledge) -> None:
    for name in ("县长", "分管副县长", "县府办联系副主任", "县政府分管负责人"):
        assert yj.unit(unit_id(yj, name)).kind == "leadership"
    for name in ("永嘉县服务业联合会", "行业协会"):
        assert yj.unit(unit_id(yj, name)).kind == "organisation"
    assert yj.unit(unit_id(yj, "县政府常务会议")).kind == "meeting"
    lhh = mechanism(yj, "fwylhh_group")
    assert isinstance(lhh, Group) and lhh.source == "二、工作机制框架 第5项"


def test_yongjia_aliases(yj: Knowledge) -> None:
    alias_of = {a: u.name for u in yj.units for a in u.aliases}
    assert alias_of["发改局"] == "县发改局"
    assert alias_of["人社局"] == "县人事劳动社会保障局"
    assert alias_of["建设局"] == "县规划建设局"
    assert alias_of["楠管局"] == "楠溪江风景旅游管理局"
    assert alias_of["人行"] == "人行县支行"
    assert alias_of["协调会议"] == "县服务业工作部门协调会议"
    assert "商务局" not in alias_of  # a successor agency's name, not the document's


# ---------------------------------------------------------------- 某区

DQ_DEPARTMENT_LINES = {
    "区发改委": "现代物流业",
    "区科技局": "通讯信息服务业",
    "区财政局": "金融服务业",
    "区房地局": "房地产业",
    "区文体局": "文体服务业",
    "区旅游局": "旅游服务业",
    "区工商联": "专业服务业",
}


def test_district_document(dq: Knowledge) -> None:
    doc = dq.jurisdiction.document
    assert doc.number is None and doc.date is None
    assert doc.date_note and "2022-10-20" in doc.date_note and "文号" in doc.date_note
    assert doc.title == "地方服务业强区创建工作意见"


@pytest.mark.parametrize(("name", "topic"), sorted(DQ_DEPARTMENT_LINES.items()))
def test_district_department_lines(dq: Knowledge, name: str, topic: str) -> None:
    duties = [d for d in duties_with(dq, "一、（一）区直相关部门职责") if d.topic == topic]
    assert len(duties) == 1
    assert dq.unit(duties[0].unit).name == name
    assert duties[0].role == "lead"
    assert topic in duties[0].text and "绩效目标" in duties[0].text


def test_district_first_clause_complete(dq: Knowledge) -> None:
    units = {dq.unit(d.unit).name for d in duties_with(dq, "一、（一）区直相关部门职责")}
    assert units == set(DQ_DEPARTMENT_LINES)
    overall = [d for d in dq.duties_of("fgw") if d.topic == "统筹协调全区现代服务业发展"]
    assert overall and overall[0].role == "coordinate"
    lead = [d for d in dq.duties_of("fgw") if d.source.startswith("一、建立现代服务业")]
    assert lead and lead[0].role == "coordinate" and "重大项目及绩效目标" in lead[0].text
    streets = duties_with(dq, "一、（二）各街道职责")
    assert [dq.unit(d.unit).name for d in streets] == ["各街道"]
    assert streets[0].text == "各街道负责属地现代服务业发展及绩效目标"
    assert dq.unit(unit_id(dq, "各街道")).kind == "street"
    assert dq.unit(unit_id(dq, "区工商联")).kind == "organisation"


def test_district_units_written_differently_stay_apart(dq: Knowledge) -> None:
    for name in ("区文体局", "区旅游局", "文体局(旅游局)", "区房地局", "房产局"):
        unit_id(dq, name)
    assert "(" in dq.unit("wtj_lyj").name  # half-width, as the document writes it
    assert dq.unit("wtj_lyj").note and dq.unit("fcj").note and dq.unit("fdj").note
    alias_of = {a: u.name for u in dq.units for a in u.aliases}
    assert alias_of["财政局"] == "区财政局"
    assert alias_of["文体局"] == "区文体局"
    assert alias_of["工商联"] == "区工商联"
    assert alias_of["街道"] == "各街道"
    assert "房产局" not in alias_of and "房地局" in alias_of


def test_district_one_score_two_records(dq: Knowledge) -> None:
    m = mechanism(dq, "yfljj")
    assert isinstance(m, Assessment)
    assert "“一分两记”" in m.text
    assert m.reward_points == (2, 3)
    assert m.penalty_points == 2
    assert set(names(dq, m.accountable)) == {*DQ_DEPARTMENT_LINES, "各街道"}
    assert m.source == "一、（四）绩效目标考核"


def test_district_annual_targets(dq: Knowledge) -> None:
    m = mechanism(dq, "annual_targets")
    assert isinstance(m, Routine)
    assert m.frequency == "yearly"
    assert dq.unit(m.owner).name == "区发改委"
    assert names(dq, m.recipients) == ["区委、区政府"]
    roles = {dq.unit(d.unit).name: d.role for d in duties_with(dq, "一、（三）目标的构成及目标值")}
    assert roles == {
        "区统计局": "statistics",
        "区发改委": "coordinate",
        "区委、区政府": "lead",
        "各街道": "lead",  # 其中各街道的目标 … 成为各街道现代服务业总量绩效目标与专项绩效目标
    }


def test_district_think_tank_and_budget(dq: Knowledge) -> None:
    six = ["区发改委", "区财政局", "区科技局", "区房地局", "文体局(旅游局)", "区工商联"]
    group = mechanism(dq, "znk_group")
    assert isinstance(group, Group) and names(dq, group.members) == six
    budget = mechanism(dq, "znk_fee")
    assert isinstance(budget, Budget)
    assert dq.unit(budget.funded_by).name == "区科技局"
    assert budget.fund == "区三项科技经费"
    assert (budget.per_item_wan, budget.items, budget.total_wan) == (30, 7, 210)
    assert names(dq, budget.recipients) == six
    assert budget.source == "二、建立智囊库 第3段"
    fund = duties_with(dq, "二、建立智囊库 第3段")
    assert any(dq.unit(d.unit).name == "区科技局" and "210万元" in d.text for d in fund)
    contracts = {dq.unit(d.unit).name for d in duties_with(dq, "二、建立智囊库 第2段")}
    assert contracts == set(six)
    assert len(duties_with(dq, "二、建立智囊库 第1段")) == 4  # 一是 … 四是


def test_district_monthly_circular(dq: Knowledge) -> None:
    m = mechanism(dq, "monthly_circular")
    assert isinstance(m, Routine)
    assert m.frequency == "monthly"
    assert dq.unit(m.owner).name == "区统计局"
    assert set(names(dq, m.recipients)) == {*DQ_DEPARTMENT_LINES, "各街道"}
    duty = duties_with(dq, "三、（一）建立月度统计通报机制")
    assert [(dq.unit(d.unit).name, d.role) for d in duty] == [("区统计局", "statistics")]


def test_district_quarterly_analysis_is_owned_by_the_lead_departments(dq: Knowledge) -> None:
    m = mechanism(dq, "quarterly_analysis")
    assert isinstance(m, Routine)
    assert m.frequency == "quarterly"
    assert dq.unit(m.owner).name == "各区直牵头部门"
    assert m.owner != "fgw"


def test_district_special_linkage(dq: Knowledge) -> None:
    m = mechanism(dq, "special_linkage")
    assert isinstance(m, Routine)
    assert m.frequency == "irregular"
    assert dq.unit(m.owner).name == "分管区长"
    assert names(dq, m.co_owners) == ["区发改委"]


def test_district_project_library(dq: Knowledge) -> None:
    m = mechanism(dq, "major_projects")
    assert isinstance(m, ProjectLibrary)
    assert dq.unit(m.lead).name == "区发改委"
    assert names(dq, m.participants) == [
        "区经贸委",
        "区财政局",
        "外经贸局",
        "规划土地分局",
        "区文体局",
        "房产局",
        "建设局",
        "水务局",
        "园林局",
        "区科技局",
        "区工商联",
    ]
    assert m.categories == ["在建", "新开工", "前期"]
    assert m.horizon_years == (3, 5)
    part = [d for d in duties_with(dq, "三、（四）建立重大项目库") if d.role == "support"]
    assert {d.unit for d in part} == set(m.participants)


def test_district_reward_mechanism_has_no_invented_amount(dq: Knowledge) -> None:
    m = mechanism(dq, "reward_mechanism")
    assert isinstance(m, Group)
    assert dq.unit(m.lead or "").name == "区财政局"
    assert not any(
        isinstance(x, Budget) and x.source.startswith("三、（五）") for x in dq.mechanisms
    )


def test_district_leading_group_and_office(dq: Knowledge) -> None:
    group = mechanism(dq, "leading_group")
    assert isinstance(group, Group)
    assert dq.unit(group.lead or "").name == "区政府主要领导"
    assert names(dq, group.members) == [
        "区经贸委",
        "区财政局",
        "国税分局",
        "地税分局",
        "规划土地分局",
        "环保局",
        "文体局(旅游局)",
        "区科技局",
        "房产局",
        "建设局",
        "区工商联",
    ]
    office = mechanism(dq, "leading_group_office")
    assert isinstance(office, Office)
    assert dq.unit(office.host).name == "区发改委"
    assert office.director == "区发改委主任兼任"
    assert office.tasks == ["全区现代服务业发展政策研究", "统筹协调", "项目推动", "考核评比"]
    for name in ("区政府主要领导", "分管领导", "分管区长", "区委、区政府"):
        assert dq.unit(unit_id(dq, name)).kind == "leadership"
    daily = [d for d in duties_with(dq, "四、加强组织领导") if d.unit == "ldxz_bgs"]
    assert daily and daily[0].role == "coordinate"


# ---------------------------------------------------------------- indicator catalogue

# kinds of unit that fill in figures (not leaders or meetings)
REPORTER_KINDS = {"department", "agency", "street", "organisation"}
DECIMALS = {
    "万元": {2},
    "万吨": {2},
    "万人次": {2},
    "人": {0},
    "个": {0},
    "家": {0},
    "项": {0},
    "%": {1, 2},
}
DEADLINE_DAY = {"monthly": 5, "quarterly": 10, "annual": 20}
STREETS = ["jd_01", "jd_02", "jd_03"]


def test_catalogues_load_with_unique_codes(kb: Knowledge) -> None:
    assert kb.indicators
    codes = [i.code for i in kb.indicators]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", code), code
        assert kb.indicator(code).code == code
    with pytest.raises(KeyError):
        kb.indicator("NO_SUCH_CODE")


def test_catalogues_are_marked_as_editable_examples() -> None:
    for j in JURISDICTIONS:
        text = real_text(j)
        assert "文件未规定具体指标，以下为可修改的示例目录" in text
        assert text.index("EDITABLE EXAMPLE") < text.index("\nindicators:\n")


def test_every_reporter_exists_and_is_a_unit_that_reports(kb: Knowledge) -> None:
    listed = {u.id: u for u in (*kb.units, *kb.reporting_units)}
    wholes = {u.part_of for u in kb.reporting_units}
    for ind in kb.indicators:
        assert len(set(ind.reporters)) == len(ind.reporters), ind.code
        for r in ind.reporters:
            assert r in listed, (ind.code, r)
            assert listed[r].kind in REPORTER_KINDS, (ind.code, r)
            assert r not in wholes, f"{ind.code}: {r} reports through its reporting units"


def test_indicator_sources_are_the_clauses_that_give_the_reporters_a_duty(kb: Knowledge) -> None:
    for ind in kb.indicators:
        assert ind.source, ind.code
        clauses = ind.source.split("；")
        for r in ind.reporters:
            unit = kb.unit(r)
            # a reporting unit answers for the document's unit it is part of
            document_unit = r if unit in kb.units else unit.part_of
            assert document_unit is not None, r
            assert any(d.source in clauses for d in kb.duties_of(document_unit)), (ind.code, r)


def test_indicator_fields_follow_the_catalogue_rules(kb: Knowledge) -> None:
    for ind in kb.indicators:
        assert ind.decimals in DECIMALS[ind.unit], ind.code
        assert ind.min == 0, ind.code
        if ind.unit == "%":
            assert ind.max == 100 and not ind.cumulative, ind.code
        if ind.cumulative:
            # month-on-month change of a year-to-date figure is meaningless
            assert ind.change_warn_pct is None and ind.yoy_warn_pct, ind.code
            assert ind.name.endswith("（累计）"), ind.code
        else:
            assert "累计" not in ind.name, ind.code
        assert ind.deadline.day == DEADLINE_DAY[ind.frequency], ind.code
        assert ind.deadline.time == "17:00", ind.code
        assert ind.name.strip() and ind.group.strip(), ind.code


def test_period_figures_pair_with_their_year_to_date_figures(kb: Knowledge) -> None:
    pairs = [i for i in kb.indicators if i.period_value_of]
    assert pairs
    for period in pairs:
        ytd = kb.indicator(period.period_value_of or "")
        assert ytd.cumulative and not period.cumulative, period.code
        assert ytd.unit == period.unit and ytd.frequency == period.frequency, period.code
        assert ytd.reporters == period.reporters, period.code
        assert ytd.group == period.group, period.code
        assert period.name.endswith("（当月）"), period.code
        assert period.name.removesuffix("（当月）") == ytd.name.removesuffix("（累计）")


def test_indicators_for_and_reporters(kb: Knowledge) -> None:
    reporting = {r for i in kb.indicators for r in i.reporters}
    assert {u.id for u in kb.reporters()} == reporting
    order = [u.id for u in (*kb.units, *kb.reporting_units)]
    assert [u.id for u in kb.reporters()] == [i for i in order if i in reporting]
    for unit in kb.reporters():
        mine = kb.indicators_for(unit.id)
        assert mine and all(unit.id in i.reporters for i in mine)
        assert mine == [i for i in kb.indicators if i in mine]  # catalogue order
    assert kb.indicators_for("no_such_unit") == []


def test_due_in_month(yj: Knowledge) -> None:
    months = range(1, 13)
    monthly = yj.indicator("TRANSPORT_REVENUE_YTD")
    quarterly = yj.indicator("SOFTWARE_REVENUE_YTD")
    annual = yj.indicator("SVC_ENTERPRISES_ABOVE_SCALE")
    assert (monthly.frequency, quarterly.frequency, annual.frequency) == (
        "monthly",
        "quarterly",
        "annual",
    )
    assert [m for m in months if monthly.due_in_month(m)] == list(months)
    assert [m for m in months if quarterly.due_in_month(m)] == [3, 6, 9, 12]
    assert [m for m in months if annual.due_in_month(m)] == [12]
    for bad in (0, 13):
        with pytest.raises(ValueError):
            monthly.due_in_month(bad)


YJ_STATISTICS = {  # 三、部门职责分工: the units given statistics work, and their figures
    "jyj": ["EDUCATION_EMPLOYEES"],
    "mzj": ["SOCIAL_ORGANISATIONS", "GRASSROOTS_SELF_GOVERNANCE_ORGS"],
    "jtj": ["TRANSPORT_REVENUE_YTD", "ROAD_FREIGHT_YTD", "ROAD_PASSENGERS_YTD"],
    "xxb": ["SOFTWARE_REVENUE_YTD"],
    "tjj": ["SVC_VALUE_ADDED_YTD", "SVC_VALUE_ADDED_SHARE", "SVC_ENTERPRISES_ABOVE_SCALE"],
    "nxj": [
        "TOURIST_ARRIVALS_YTD",
        "TOURISM_REVENUE_YTD",
        "TOURISM_REVENUE_MONTH",
        "STAR_HOTEL_OCCUPANCY",
    ],
    "fangguan": ["PROPERTY_MGMT_REVENUE_YTD", "REAL_ESTATE_AGENCY_REVENUE_YTD"],
}


def test_yongjia_catalogue_covers_every_statistics_duty(yj: Knowledge) -> None:
    assert 12 <= len(yj.indicators) <= 16
    assert yj.reporting_units == []
    stats = {
        d.unit: d.source
        for d in yj.duties
        if d.role == "statistics" and d.source.startswith("三、部门职责分工")
    }
    assert set(stats) == set(YJ_STATISTICS)
    for unit, codes in YJ_STATISTICS.items():
        mine = yj.indicators_for(unit)
        assert [i.code for i in mine] == codes
        # reported by that department alone, citing its own numbered item
        assert all(i.reporters == [unit] and i.source == stats[unit] for i in mine), unit
    assert [u.id for u in yj.reporters()] == ["jyj", "mzj", "jtj", "xxb", "tjj", "nxj", "fangguan"]


def test_yongjia_catalogue_details(yj: Knowledge) -> None:
    units = {i.code: i.unit for i in yj.indicators}
    assert units["ROAD_FREIGHT_YTD"] == "万吨"
    assert units["ROAD_PASSENGERS_YTD"] == units["TOURIST_ARRIVALS_YTD"] == "万人次"
    assert yj.indicator("TOURISM_REVENUE_MONTH").period_value_of == "TOURISM_REVENUE_YTD"
    occupancy = yj.indicator("STAR_HOTEL_OCCUPANCY")
    assert occupancy.unit == "%" and (occupancy.min, occupancy.max) == (Decimal(0), Decimal(100))
    assert not occupancy.cumulative and occupancy.change_warn_pct
    staff = yj.indicator("EDUCATION_EMPLOYEES")
    assert (staff.unit, staff.decimals, staff.cumulative) == ("人", 0, False)
    for code in ("TRANSPORT_REVENUE_YTD", "TOURIST_ARRIVALS_YTD", "STAR_HOTEL_OCCUPANCY"):
        assert yj.indicator(code).frequency == "monthly"
    for unit in ("xxb", "fangguan", "jyj", "mzj"):
        assert {i.frequency for i in yj.indicators_for(unit)} == {"quarterly"}


def test_district_example_streets(dq: Knowledge) -> None:
    assert [u.id for u in dq.reporting_units] == STREETS
    assert [u.name for u in dq.reporting_units] == ["一号街道", "二号街道", "三号街道"]
    unit_ids = {u.id for u in dq.units}
    names = {n for u in dq.units for n in (u.name, *u.aliases)}
    for street in dq.reporting_units:
        assert street.kind == "street" and street.part_of == "jd"
        assert street.note and "各街道" in street.note and "示例" in street.note
        assert street.aliases and not {street.name, *street.aliases} & names
        assert street.id not in unit_ids  # the lookup engine indexes `units` only
        assert dq.unit(street.id) is street
    assert dq.unit("jd").name == "各街道"
    with pytest.raises(KeyError):
        dq.unit("jd_99")


def test_district_catalogue(dq: Knowledge) -> None:
    total = dq.indicator("MODERN_SVC_REVENUE_YTD")
    assert total.name == "现代服务业营业收入（累计）"
    # the district total is 区发改委's target (一、（四）); 区统计局 compiles, it does not report
    assert total.reporters == ["fgw", *STREETS]
    assert "一、（四）绩效目标考核" in (total.source or "")
    month = dq.indicator("MODERN_SVC_REVENUE_MONTH")
    assert month.period_value_of == total.code and month.reporters == total.reporters
    for name, industry in DQ_DEPARTMENT_LINES.items():
        [ind] = [i for i in dq.indicators if i.group == industry]
        assert ind.name == f"{industry}营业收入（累计）"
        assert ind.cumulative and ind.unit == "万元"
        assert ind.reporters == [unit_id(dq, name), *STREETS]
    assert len(dq.indicators) == 2 + len(DQ_DEPARTMENT_LINES)
    assert {(i.frequency, i.deadline.day, i.deadline.time) for i in dq.indicators} == {
        ("monthly", 5, "17:00")
    }
    assert dq.indicators_for("tjj") == [] and dq.indicators_for("jd") == []
    for street in STREETS:
        assert dq.indicators_for(street) == dq.indicators
    assert [u.id for u in dq.reporters()] == [
        "fgw",
        "kjj",
        "czj",
        "fdj",
        "wtj",
        "lyj",
        "gsl",
        *STREETS,
    ]


def test_lookup_does_not_see_the_example_streets() -> None:
    from knowledge.lookup import engine_for

    answer = engine_for("district").ask("一号街道负责什么")
    assert all(not m.unit_id.startswith("jd_") for m in answer.matches)


# ---------------------------------------------------------------- loader errors on broken copies


def real_text(jurisdiction: str) -> str:
    return (DATA_DIR / f"{jurisdiction}.yaml").read_text(encoding="utf-8")


def line_of(text: str, snippet: str) -> int:
    assert text.count(snippet) == 1, f"{snippet!r} must occur once"
    return text[: text.index(snippet)].count("\n") + 1


def broken_copy(tmp_path: Path, jurisdiction: str, old: str, new: str) -> tuple[Path, str]:
    text = real_text(jurisdiction)
    assert text.count(old) == 1, f"{old!r} must occur once"
    text = text.replace(old, new)
    path = tmp_path / f"{jurisdiction}.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def problem(path: Path) -> str:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge_file(path)
    return str(info.value)


def test_real_text_parses_the_same_way() -> None:
    for j in JURISDICTIONS:
        assert parse_knowledge(real_text(j)) == load_knowledge(j)


def test_error_unknown_unit_id(tmp_path: Path) -> None:
    old = "  - id: jyj_stats\n    unit: jyj\n"
    path, text = broken_copy(tmp_path, "yongjia", old, old.replace("unit: jyj", "unit: nosuch"))
    line = line_of(text, "    unit: nosuch\n")
    assert problem(path) == f"{path}:{line}: duties[jyj_stats].unit: unknown unit id 'nosuch'"


def test_error_unknown_unit_id_in_a_mechanism(tmp_path: Path) -> None:
    old = "    funded_by: kjj\n"
    path, text = broken_copy(tmp_path, "district", old, "    funded_by: kejiju\n")
    item = line_of(text, "  - kind: budget\n")
    field = line_of(text, "    funded_by: kejiju\n")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge_file(path)
    [p] = info.value.problems
    assert (p.file, p.field, p.reason) == (
        str(path),
        "mechanisms[znk_fee].funded_by",
        "unknown unit id 'kejiju'",
    )
    assert p.line is not None and item <= p.line <= field


def test_error_line_of_a_mechanism_field_is_the_fields_line(tmp_path: Path) -> None:
    old = "    funded_by: kjj\n"
    path, text = broken_copy(tmp_path, "district", old, "    funded_by: kejiju\n")
    line = line_of(text, "    funded_by: kejiju\n")
    assert problem(path).startswith(f"{path}:{line}: mechanisms[znk_fee].funded_by: ")


def test_error_missing_source(tmp_path: Path) -> None:
    old = "    keywords: [科技服务业, 科技服务, 科技中介]\n    source: 三、部门职责分工 第4项\n"
    new = "    keywords: [科技服务业, 科技服务, 科技中介]\n"
    path, text = broken_copy(tmp_path, "yongjia", old, new)
    line = line_of(text, "  - id: kjj_techservice\n")
    assert problem(path) == f"{path}:{line}: duties[kjj_techservice].source: Field required"


def test_error_bad_role(tmp_path: Path) -> None:
    old = "    text: 负责组织和实施全县教育行业统计工作\n    role: statistics\n"
    path, text = broken_copy(tmp_path, "yongjia", old, old.replace("statistics", "boss"))
    line = line_of(text, "    role: boss\n")
    msg = problem(path)
    assert msg.startswith(f"{path}:{line}: duties[jyj_stats].role: Input should be 'lead'")
    assert "'statistics' or 'support'" in msg


def test_error_yaml_syntax(tmp_path: Path) -> None:
    old = "  - id: jyj\n    name: 县教育局\n"
    path, text = broken_copy(tmp_path, "yongjia", old, "  - id: jyj\n    name: 县教育局: 错\n")
    line = line_of(text, "    name: 县教育局: 错\n")
    msg = problem(path)
    assert msg.startswith(f"{path}:{line}: YAML syntax: ")
    assert "mapping values are not allowed here" in msg


def test_error_unknown_key(tmp_path: Path) -> None:
    old = "  - id: jyj\n    name: 县教育局\n"
    path, text = broken_copy(tmp_path, "yongjia", old, old + "    colour: 红\n")
    line = line_of(text, "    colour: 红\n")
    assert problem(path) == f"{path}:{line}: units[jyj].colour: Extra inputs are not permitted"


def test_error_budget_does_not_add_up(tmp_path: Path) -> None:
    path, _ = broken_copy(tmp_path, "district", "    total_wan: 210\n", "    total_wan: 200\n")
    msg = problem(path)
    assert str(path) in msg and "mechanisms[znk_fee]" in msg
    assert "per_item_wan × items = 210, not total_wan 200" in msg


def test_error_duplicate_alias(tmp_path: Path) -> None:
    old = "    aliases: [经贸局, 经贸, 经济贸易局, 县经济贸易局]\n"
    new = "    aliases: [经贸局, 经贸, 经济贸易局, 县经济贸易局, 发改局]\n"
    path, _ = broken_copy(tmp_path, "yongjia", old, new)
    msg = problem(path)
    assert str(path) in msg
    assert "name or alias '发改局' belongs to both fgj and jmj" in msg


def test_error_reporting_unit_repeats_a_unit_name(tmp_path: Path) -> None:
    path, text = broken_copy(tmp_path, "district", "    name: 二号街道\n", "    name: 区统计局\n")
    line = line_of(text, "  - id: jd_02\n")
    assert problem(path) == (
        f"{path}:{line}: reporting_units[jd_02]: "
        "name or alias '区统计局' belongs to both tjj and jd_02"
    )


def test_error_reporting_unit_repeats_a_unit_alias(tmp_path: Path) -> None:
    old = "    aliases: [街道一]\n"
    path, text = broken_copy(tmp_path, "district", old, "    aliases: [街道一, 街道]\n")
    line = line_of(text, "  - id: jd_01\n")
    assert problem(path) == (
        f"{path}:{line}: reporting_units[jd_01]: name or alias '街道' belongs to both jd and jd_01"
    )


def test_error_reporting_unit_repeats_a_unit_id(tmp_path: Path) -> None:
    path, text = broken_copy(tmp_path, "district", "  - id: jd_03\n", "  - id: tjj\n")
    line = line_of(text, "  - id: tjj\n    name: 三号街道\n")
    msg = problem(path)
    assert msg.startswith(f"{path}:{line}: reporting_units[tjj]: id 'tjj' is already a unit's id")


def test_error_reporting_units_repeat_each_other(tmp_path: Path) -> None:
    old = "    aliases: [街道三]\n"
    path, _ = broken_copy(tmp_path, "district", old, "    aliases: [街道三, 街道一]\n")
    msg = problem(path)
    assert str(path) in msg and "name or alias '街道一' belongs to both jd_01 and jd_03" in msg


def test_error_part_of_must_be_a_document_unit(tmp_path: Path) -> None:
    old = "    aliases: [街道二]\n    part_of: jd\n"
    path, text = broken_copy(
        tmp_path, "district", old, old.replace("part_of: jd", "part_of: jd_01")
    )
    line = line_of(text, "    part_of: jd_01\n")
    assert (
        problem(path) == f"{path}:{line}: reporting_units[jd_02].part_of: unknown unit id 'jd_01'"
    )


def test_error_indicator_names_an_unknown_reporter(tmp_path: Path) -> None:
    path, text = broken_copy(
        tmp_path, "yongjia", "    reporters: [xxb]\n", "    reporters: [xinxi]\n"
    )
    line = line_of(text, "    reporters: [xinxi]\n")
    assert problem(path) == (
        f"{path}:{line}: indicators[SOFTWARE_REVENUE_YTD].reporters[0]: unknown unit id 'xinxi'"
    )


def test_error_indicator_names_an_unknown_street(tmp_path: Path) -> None:
    old = "    reporters: [gsl, jd_01, jd_02, jd_03]\n"
    path, text = broken_copy(tmp_path, "district", old, old.replace("jd_02", "jd_04"))
    line = line_of(text, "    reporters: [gsl, jd_01, jd_04, jd_03]\n")
    assert problem(path) == (
        f"{path}:{line}: indicators[PROFESSIONAL_REVENUE_YTD].reporters[2]: unknown unit id 'jd_04'"
    )


def test_error_whole_unit_reports_through_its_streets(tmp_path: Path) -> None:
    old = "    reporters: [gsl, jd_01, jd_02, jd_03]\n"
    path, text = broken_copy(tmp_path, "district", old, "    reporters: [gsl, jd]\n")
    line = line_of(text, "    reporters: [gsl, jd]\n")
    msg = problem(path)
    assert msg.startswith(f"{path}:{line}: indicators[")
    assert msg.endswith(
        ".reporters[1]: 'jd' reports through its reporting units; name them instead"
    )


def test_error_period_figure_with_other_reporters(tmp_path: Path) -> None:
    old = "    period_value_of: TOURISM_REVENUE_YTD\n    reporters: [nxj]\n"
    path, _ = broken_copy(tmp_path, "yongjia", old, old.replace("[nxj]", "[nxj, jtj]"))
    msg = problem(path)
    assert str(path) in msg
    assert "TOURISM_REVENUE_MONTH: period_value_of 'TOURISM_REVENUE_YTD' has other reporters" in msg


def test_error_typical_range_reversed(tmp_path: Path) -> None:
    old = "    typical_min: 500\n    typical_max: 100000\n"
    path, text = broken_copy(tmp_path, "yongjia", old, old.replace("500", "200000", 1))
    line = line_of(text, "    typical_min: 200000\n    typical_max: 100000\n") + 1
    assert problem(path) == (
        f"{path}:{line}: indicators[EDUCATION_EMPLOYEES].typical_max: "
        "100000 is below typical_min (200000)"
    )


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("    typical_max: 90\n", "    typical_max: 120\n", "typical_max: 120 is above max (100)"),
        ("    typical_min: 50\n", "    typical_min: -1\n", "typical_min: -1 is below min (0)"),
    ],
)
def test_error_typical_range_outside_the_hard_limits(
    tmp_path: Path, old: str, new: str, reason: str
) -> None:
    path, text = broken_copy(tmp_path, "yongjia", old, new)
    msg = problem(path)
    assert (
        msg
        == f"{path}:{line_of(text, new)}: indicators[{msg.split('[')[1].split(']')[0]}].{reason}"
    )
    assert "\n" not in msg  # one problem, on its own field


def test_error_streets_typical_range_reversed(tmp_path: Path) -> None:
    old = "    part_typical_min: 1000\n    part_typical_max: 10000000\n"
    path, text = broken_copy(tmp_path, "district", old, old.replace("10000000", "10"))
    line = line_of(text, "    part_typical_min: 1000\n    part_typical_max: 10\n") + 1
    assert problem(path) == (
        f"{path}:{line}: indicators[MODERN_SVC_REVENUE_YTD].part_typical_max: "
        "10 is below part_typical_min (1000)"
    )


def test_every_indicator_has_a_typical_range(kb: Knowledge) -> None:
    parts = {u.id for u in kb.reporting_units if u.part_of}
    for ind in kb.indicators:
        low, high = ind.typical()
        assert low is not None and low > 0, ind.code
        # a percentage's hard max is its typical top too
        assert high is not None or ind.max is not None, ind.code
        if any(r in parts for r in ind.reporters):
            part_low, part_high = ind.typical(part=True)
            assert part_low is not None and part_high is not None, ind.code
            # a street's figure is a part of the whole's
            assert part_low < low and high is not None and part_high < high, ind.code
        else:
            assert (ind.part_typical_min, ind.part_typical_max) == (None, None), ind.code


def test_typical_ranges_are_generous_but_catch_a_thousandfold_slip(kb: Knowledge) -> None:
    """Between the ends there is room for a year's year-to-date growth and for places of
    different sizes, and a thousandfold slip of a figure in the middle falls outside."""
    for ind in kb.indicators:
        for part in (False, True):
            low, high = ind.typical(part)
            if low is None or high is None or ind.unit == "%":
                continue
            assert high / low >= 100, (ind.code, part)
            middle = (low * high).sqrt()  # the geometric middle of the range
            assert middle * 1000 > high and middle / 1000 < low, (ind.code, part)


def test_peers_are_the_units_that_rank_together(dq: Knowledge, yj: Knowledge) -> None:
    total = dq.indicator("MODERN_SVC_REVENUE_YTD")
    assert dq.peers(total, "jd_01") == ["jd_02", "jd_03"]
    assert dq.peers(total, "fgw") == []  # the district's figure: no other whole reports it
    assert (dq.peer_key("jd_02"), dq.peer_key("fgw"), dq.is_part("jd_03")) == ("jd", "", True)
    assert all(yj.peers(i, r) == [] for i in yj.indicators for r in i.reporters)
    for kb in (dq, yj):  # has_peers and peer_groups agree with peers, without making lists
        for ind in kb.indicators:
            for unit in kb.reporting_units:
                assert kb.has_peers(ind, unit.id) == bool(kb.peers(ind, unit.id))
        groups = kb.peer_groups()
        assert sorted(u for units in groups.values() for u in units) == sorted(
            u.id for u in kb.reporting_units
        )
        assert all(kb.peer_key(u) == key for key, units in groups.items() for u in units)


def test_without_the_loader_references_are_still_checked() -> None:
    """Validating the data directly (no loader context) still refuses unknown reporters."""
    data = yaml.safe_load(real_text("district"))
    assert Knowledge.model_validate(data) == load_knowledge("district")
    data["indicators"][0]["reporters"].append("jd_09")
    with pytest.raises(ValidationError, match=r"unknown reporters \['jd_09'\]"):
        Knowledge.model_validate(data)
    data = yaml.safe_load(real_text("district"))
    data["reporting_units"][1]["part_of"] = "jd_01"
    with pytest.raises(ValidationError, match="part_of 'jd_01' is not another unit"):
        Knowledge.model_validate(data)


def test_every_knowledge_file_ships_in_the_package() -> None:
    """A YAML file the engine reads but the wheel leaves out breaks an installed bot (Docker)."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["knowledge"]
    for path in (root / "knowledge").rglob("*.yaml"):
        name = path.relative_to(root / "knowledge").as_posix()
        assert any(fnmatch.fnmatch(name, p) for p in patterns), f"{name} is not package data"
