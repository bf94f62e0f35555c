"""Lookup latency at scale: `python benchmarks/lookup.py --duties 10000 [--queries 2000]`.

Builds a synthetic knowledge base by scaling the real matrix (both jurisdictions' units and duties)
to N duties: every copy is another "county" whose units carry a place prefix and whose duties get
varied industry terms in topic, keywords and text, so the index grows realistically instead of
repeating one copy. Runs a mixed query set (real-style questions, typos, unit questions, off-topic)
and prints one JSON line: {"duties", "queries", "p50_ms", "p99_ms", "build_s", "model"}. The
engine weighs Yongjia's learned question model (knowledge/learned.py) with the shipped arbiter
(knowledge/arbiter.py) unless `--rules`.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

import numpy as np

from knowledge.arbiter import load_arbiter
from knowledge.learned import model_for
from knowledge.loader import load_knowledge
from knowledge.lookup import LookupEngine
from knowledge.schema import Knowledge

# Industry terms mixed into the synthetic duties.
INDUSTRIES = tuple(
    str.split(
        "冷链物流 跨境电商 养老服务 家政服务 会展经济 健康管理 快递物流 直播电商 研学旅游 文旅融合 "
        "数字经济 软件外包 工业设计 检验检测 知识产权 人力资源 法律服务 会计审计 广告创意 影视制作 "
        "动漫游戏 体育赛事 健身休闲 托育服务 物业服务 汽车租赁 二手车交易 商务咨询 融资租赁 "
        "小额贷款 "
        "保险代理 农村电商 乡村民宿 森林康养 温泉度假 夜间经济 社区商业 城市配送 港口物流 航空货运 "
        "大数据 云计算 人工智能 信息安全 节能环保 碳交易 绿色金融 科技金融 供应链金融 创业孵化 "
        "技术转移 科技中介 职业培训 家庭教育 养老护理 医疗美容 中医药服务 旅行社 导游服务 餐饮连锁"
    )
)

# Place names for the synthetic counties (two characters each, combined).
PLACE_CHARS = "东西南北中新安平和兴华永江山河湖海城乡泰康宁丰盛清云龙凤林石阳明光"

QUESTIONS = [
    "物流归谁管",
    "现代物流找哪个部门",
    "物留发展找谁",
    "餐饮业归谁管",
    "餐yin业找哪个局",
    "您好，请问一下我们这边有个关于星级宾馆发展的事情应该找哪个部门对接呀？",
    "服务业统计数据库建设谁负责",
    "农家落归谁管",
    "金触归谁管",
    "房地厂业发展归谁管",
    "交同局负责什么",
    "统记局负责啥",
    "发改局管哪些事",
    "人社局管什么",
    "文广局管啥",
    "服务外包归哪个部门",
    "驰名商标推荐",
    "服务业标准化归哪个部门",
    "金融",
    "退二进三谁负责",
    "冷链物流归谁管",
    "跨境电商找哪个部门",
    "养老服务谁牵头",
    "乡村民宿发展找谁",
    "直播电商的统计数据报给谁",
    "科技金融归哪个局",
    "麻烦问一下服务业质量管理是哪家负责的",
    "我想咨询一下，服务业用地规划归哪个局管？",
    "领导小组办公室设在哪个部门",
    "智囊库的专项经费从哪里出",
    "通讯信息服务业归谁管",
    "今天天气怎么样",
    "帮我订个外卖",
    "明天放假吗",
    "你好",
    "asdfghjkl",
    "食堂今天吃什么",
    "电脑开不了机怎么办",
    "怎么请年假",
    "给我讲个笑话",
]


def synthetic_kb(duties: int, seed: int = 7) -> Knowledge:
    """A knowledge base of `duties` duties made by scaling the two real jurisdictions."""
    rng = random.Random(seed)
    real = [load_knowledge("yongjia"), load_knowledge("district")]
    places = [a + b for a in PLACE_CHARS for b in PLACE_CHARS if a != b]
    rng.shuffle(places)
    units: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    copy = 0
    while len(out) < duties:
        for kb in real:
            place = places[copy % len(places)] + ("" if copy < len(places) else str(copy))
            tag = f"c{copy}_{kb.jurisdiction.id}"
            for u in kb.units:
                data = u.model_dump()
                data["id"] = f"{u.id}_{tag}"
                data["name"] = place + u.name if copy else u.name
                data["aliases"] = [place + a for a in u.aliases] if copy else list(u.aliases)
                units.append(data)
            for d in kb.duties:
                if len(out) >= duties:
                    break
                data = d.model_dump()
                data["id"] = f"{d.id}_{tag}"
                data["unit"] = f"{d.unit}_{tag}"
                if copy:
                    extra = rng.sample(INDUSTRIES, 2)
                    data["topic"] = f"{d.topic}（{extra[0]}）"
                    data["keywords"] = [*d.keywords[:4], *extra]
                    data["text"] = f"{d.text}，含{extra[0]}、{extra[1]}"
                out.append(data)
            copy += 1
    return Knowledge.model_validate(
        {
            "version": 1,
            "jurisdiction": {
                "id": "synthetic",
                "name": "合成",
                "document": {"title": "synthetic", "issuer": "benchmark", "source_file": "-"},
            },
            "units": units,
            "duties": out,
            "synonyms": [s.model_dump() for kb in real for s in kb.synonyms],
            "stopwords": sorted({w for kb in real for w in kb.stopwords}),
        }
    )


def main() -> None:
    """Build the engine on a synthetic KB, time the query mix, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duties", type=int, required=True)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument(
        "--rules", action="store_true", help="the rules alone, without the learned model"
    )
    args = parser.parse_args()

    kb = synthetic_kb(args.duties)
    # Yongjia's learned model: its labels are the first copy's unit names
    model = None if args.rules else model_for("yongjia")
    start = time.perf_counter()
    engine = LookupEngine(kb, model=model, arbiter=None if args.rules else load_arbiter())
    build_s = time.perf_counter() - start

    rng = random.Random(11)
    places = sorted({u.name[:2] for u in kb.units if u.name[:2] not in ("县发", "区发")})
    pool = [*QUESTIONS, *(f"{p}交通局负责什么" for p in places[:20])]
    queries = [rng.choice(pool) for _ in range(args.queries)]
    for q in pool:  # warm-up: first calls of jieba and numpy
        engine.ask(q)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        engine.ask(q)
        times.append((time.perf_counter() - t0) * 1000)
    arr = np.array(times)
    print(
        json.dumps(
            {
                "duties": len(kb.duties),
                "queries": len(queries),
                "p50_ms": round(float(np.percentile(arr, 50)), 3),
                "p99_ms": round(float(np.percentile(arr, 99)), 3),
                "build_s": round(build_s, 2),
                "model": model is not None,
            }
        )
    )


if __name__ == "__main__":
    main()
