"""The industries projects and problems are filed under (knowledge `industries`): each names the
lead duty that gives it a guiding unit, in the document's own words, and is found however staff
spell it."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from knowledge.loader import DATA_DIR, load_knowledge
from knowledge.schema import Knowledge

JURISDICTIONS = ["yongjia", "district"]


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_every_industry_is_named_by_its_lead_duty(jurisdiction: str) -> None:
    kb = load_knowledge(jurisdiction)
    assert len(kb.industries) >= 7
    for industry in kb.industries:
        duty = kb.industry_duty(industry)
        assert duty.role == "lead"
        # the name is the document's: it stands in the duty's text, as the clause says it
        assert industry.name in duty.text, (industry.id, duty.text)
        assert kb.unit(duty.unit)


def test_the_district_s_industries_and_their_departments() -> None:
    kb = load_knowledge("district")
    leads = {i.name: kb.unit(kb.industry_duty(i).unit).name for i in kb.industries}
    assert leads == {
        "现代物流业": "区发改委",
        "通讯信息服务业": "区科技局",
        "金融服务业": "区财政局",
        "房地产业": "区房地局",
        "文体服务业": "区文体局",
        "旅游服务业": "区旅游局",
        "专业服务业": "区工商联",
    }
    assert {kb.industry_duty(i).source for i in kb.industries} == {"一、（一）区直相关部门职责"}


def test_yongjia_s_industries_follow_the_duties_clauses() -> None:
    kb = load_knowledge("yongjia")
    tourism = kb.industry("旅游")
    assert tourism is not None and tourism.name == "旅游业"
    duty = kb.industry_duty(tourism)
    assert kb.unit(duty.unit).name == "楠溪江风景旅游管理局"
    assert duty.source == "三、部门职责分工 第19项"
    # two logistics industries with two departments: a bare 物流 is neither
    assert kb.industry("物流") is None
    assert kb.unit(kb.industry_duty(kb.industry("交通物流")).unit).name == "县交通局"  # type: ignore[arg-type]
    assert kb.unit(kb.industry_duty(kb.industry("现代物流")).unit).name == "县发改局"  # type: ignore[arg-type]


def test_an_industry_is_found_by_id_name_or_alias_in_any_width_and_spacing() -> None:
    kb = load_knowledge("yongjia")
    hotels = kb.industry("hotels")
    assert hotels is not None
    for typed in ("宾馆(星级)", "宾馆（星级）", " 星级 宾馆 ", "HOTELS"):
        assert kb.industry(typed) is hotels, typed
    assert kb.industry("造船业") is None


def _data(jurisdiction: str) -> dict[str, object]:
    text = (DATA_DIR / f"{jurisdiction}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def test_an_industry_must_name_an_existing_lead_duty_and_a_spelling_of_its_own() -> None:
    data = _data("district")
    assert Knowledge.model_validate(data).industries
    industries = data["industries"]
    assert isinstance(industries, list)

    industries[0]["duty"] = "fgw_nowhere"
    with pytest.raises(ValidationError, match="unknown duty 'fgw_nowhere'"):
        Knowledge.model_validate(data)

    industries[0]["duty"] = next(
        d["id"]
        for d in data["duties"]
        if d["role"] != "lead"  # type: ignore[index,union-attr]
    )
    with pytest.raises(ValidationError, match="is not a lead duty"):
        Knowledge.model_validate(data)

    data = _data("district")
    data["industries"][1]["aliases"].append("现代 物流")  # type: ignore[index]
    with pytest.raises(ValidationError, match="belongs to logistics and telecom_info"):
        Knowledge.model_validate(data)
