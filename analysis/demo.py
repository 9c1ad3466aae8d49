"""Demo data telling DOMAIN.md's story: seeded, regenerable 问卷星 exports plus feedback and actions.

Two units, nine waves, laid out as real 问卷星 "按选项文本" CSV downloads:

* 滨江区委党校 trainee (学员) surveys 2012–2016. Accommodation (住宿) and catering (餐饮)
  climb to 96 % and 91 % in 2014, the best on record; 2015 and 2016 stay just below. The 2012
  form uses the 好差评 scale with 基本满意; the 2013 file is GBK, as zh-CN Excel saves it.
* 江城职业技术学院 student surveys 2018–2021. October 2019: 150 distributed to student
  representatives of every department, 150 valid returned; maintenance (维修) is the weakest area.
  After the corrective actions of autumn 2019 (WeChat repair requests, "fix at once or explain",
  free electricity 5 → 8 kWh, 3 % cheaper canteen prices, bed rails) and the east-campus power
  upgrade that let dormitories get air conditioning in 2020, the 2020 and 2021 waves improve.
  2020/2021 also ask teachers, staff and a handful of parents (家长, 3–4 people: below the
  anonymity threshold), and carry planted speeders, straight-liners and a duplicate submission.

How the answers are drawn
-------------------------
Each respondent has a general disposition ``z`` and one factor per service area
(``0.6 z + 0.8 u``); an item's score adds item noise and planned shifts (e.g. east-campus
dormitories without air conditioning before 2020). For every item the number of satisfied
answers is fixed in advance, ``K = round(rate × valid answers)``, and the ``K`` highest scores
get 非常满意/满意 — so the realised satisfaction rate equals the planned one to within
``0.5 / valid`` (per item) while group differences and inter-item correlation stay realistic.
The overall item (总体而言…) is ``0.45 z`` plus the area-specific parts ``u`` weighted by each
area's importance for that population, so IPA's derived importance has something to recover.

Everything comes from ``numpy.random.default_rng`` with fixed seeds: the same bytes every run.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "DemoWave",
    "demo_waves",
    "demo_feedback",
    "demo_actions",
    "FEEDBACK_CHANNELS",
    "FEEDBACK_COLUMNS",
    "ACTION_COLUMNS",
    "FEEDBACK_STATUSES",
    "ACTION_STATUSES",
    "WAVE_META_KEYS",
]

WAVE_META_KEYS = ["name", "unit", "period", "channel", "distributed", "returned", "description"]
FEEDBACK_COLUMNS = ["date", "channel", "group", "area", "text", "tags", "status"]
ACTION_COLUMNS = [
    "problem", "area", "source", "measure", "owner", "department", "target_area", "target_rate",
    "deadline", "status", "completed_on", "evidence",
]
FEEDBACK_CHANNELS: tuple[str, ...] = ("问卷开放题", "个别访谈", "座谈会", "电话访谈", "信访", "意见箱", "微信报修")
# Status keys (translated by the UI): feedback records and corrective actions.
FEEDBACK_STATUSES: dict[str, str] = {"open": "待处理", "replied": "已答复", "in_action": "整改中", "resolved": "已解决"}
ACTION_STATUSES: dict[str, str] = {"planned": "计划中", "in_progress": "进行中", "done": "已完成"}

SKIP = "(跳过)"
EMPTY = "(空)"
NOT_KNOWN = "不了解"
_META_HEADER = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]

# Scales as the questionnaires print them, best → worst (DESIGN.md "Scale").
_SCALE_VERY = ("非常满意", "满意", "一般", "不满意", "非常不满意")
_SCALE_HEN = ("很满意", "比较满意", "一般", "不太满意", "很不满意")
_SCALE_BASIC = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")


@dataclass(frozen=True)
class DemoWave:
    """One demo export: wave metadata (``WAVE_META_KEYS``), a file name and the file's bytes."""

    meta: dict
    filename: str
    data: bytes


@dataclass(frozen=True)
class _Item:
    header: str  # the export's column header, e.g. "第4题(住宿房间整洁舒适)"
    area: str  # canonical area key (drives the latent factor and the comments)
    rate: float  # planned satisfaction rate among valid answers
    na: float = 0.0  # share answering 不了解 (not applicable)
    na_by_group: dict = field(default_factory=dict)  # group → share overriding ``na``


@dataclass(frozen=True)
class _Shift:
    item: str  # substring of the item header ("" = every item of ``area``)
    column: str  # respondent column ("campus", "group" …)
    value: str
    shift: float  # added to the latent score, in SD units
    area: str = ""


@dataclass
class _WaveSpec:
    meta: dict
    filename: str
    seed: int
    encoding: str  # "utf-8-sig" or "gbk"
    scale: tuple[str, ...]
    start: dt.datetime
    days: int
    region: str
    ip_prefixes: tuple[str, ...]
    sources: tuple[tuple[str, str, float], ...]  # (来源, 来源详情, weight)
    attributes: list[tuple[str, str]]  # (header, respondent column) in file order, before the items
    items: list[_Item]
    overall_header: str
    overall_rate: float
    weights: dict[str, float]  # area → weight in the overall judgement (derived importance)
    text_header: str
    comments: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # area → (complaints, praise)
    comment_rate: float
    make_respondents: object  # callable(rng) -> DataFrame with group/campus/… and "resident"
    shifts: list[_Shift] = field(default_factory=list)
    n_speeders: int = 0
    n_straight: int = 0
    n_duplicates: int = 0


# ---------------------------------------------------------------------------------------------
# Party school (trainees), 2012–2016
# ---------------------------------------------------------------------------------------------

_PS_UNIT = "滨江区委党校"
_PS_CLASSES = ("中青年干部培训班", "科级干部进修班", "新任公务员初任培训班", "村（社区）干部培训班")
# Planned item rates per year: accommodation ×3, catering ×3, property, maintenance, cleaning,
# greening, security, utilities; then the overall item. 2014 pools to 96 % / 91 %, the best year.
_PS_RATES = {
    2012: ([0.84, 0.80, 0.82], [0.74, 0.78, 0.76], [0.80, 0.72, 0.83, 0.86, 0.85, 0.80], 0.80),
    2013: ([0.89, 0.86, 0.88], [0.82, 0.84, 0.83], [0.84, 0.78, 0.86, 0.88, 0.87, 0.83], 0.84),
    2014: ([0.97, 0.95, 0.96], [0.92, 0.89, 0.92], [0.90, 0.86, 0.93, 0.92, 0.91, 0.89], 0.93),
    2015: ([0.94, 0.92, 0.93], [0.89, 0.87, 0.90], [0.89, 0.87, 0.91, 0.92, 0.90, 0.88], 0.91),
    2016: ([0.95, 0.93, 0.94], [0.90, 0.88, 0.90], [0.91, 0.88, 0.92, 0.93, 0.91, 0.90], 0.92),
}
_PS_N = {2012: 118, 2013: 136, 2014: 182, 2015: 164, 2016: 171}
_PS_DISTRIBUTED = {2012: 130, 2013: 150, 2014: 190, 2015: 180, 2016: 185}
_PS_SCALE = {2012: _SCALE_BASIC, 2013: _SCALE_HEN, 2014: _SCALE_VERY, 2015: _SCALE_VERY, 2016: _SCALE_HEN}
_PS_PLANTED = {2012: (0, 0), 2013: (1, 0), 2014: (0, 0), 2015: (2, 1), 2016: (1, 1)}  # speeders, straight
_PS_DESCRIPTION = {
    2012: "各主体班次结业前集中填写；本年问卷采用“非常满意/满意/基本满意/不满意/非常不满意”（好差评）量表。",
    2013: "各主体班次结业前填写；客房部分设施更新后的首次测评。文件为 Excel 另存的 GBK 编码 CSV。",
    2014: "学员公寓、学员餐厅改造完成后的测评：住宿满意率约 96%、餐饮满意率约 91%，均为历史最好水平。",
    2015: "常规年度测评；督查小组定期检查住宿、餐饮服务质量。",
    2016: "常规年度测评；后勤服务社会化探索中。",
}

_PS_COMMENTS = {
    "early": {
        "accommodation": (
            ("客房设施比较陈旧，空调制冷效果不好", "房间隔音效果差，晚上休息受影响", "卫生间有异味，建议改造通风",
             "被褥更换不够及时"),
            ("客房干净整洁，服务员很热情",),
        ),
        "catering": (
            ("餐厅菜品比较单一，希望多些地方特色菜", "就餐时间安排太紧，中午来不及休息", "饭菜偏咸偏油，建议清淡一些",
             "早餐品种少，希望增加面食"),
            ("伙食总体不错，分量足",),
        ),
        "property": (("教室投影设备经常出故障，影响上课", "会议室话筒音质差"), ("会务安排周到",)),
        "maintenance": (("房间台灯坏了报修后两天才修好",), ()),
        "cleaning": (("公共卫生间保洁不够及时",), ("校园很干净",)),
        "security": (("晚上门卫登记手续繁琐",), ()),
        "utilities": (("热水供应时间太短，晚上经常没有热水",), ()),
        "greening": ((), ("校园绿化很好，环境优美",)),
    },
    "late": {
        "accommodation": (
            ("个别房间网络信号弱", "希望客房配备熨斗和衣架"),
            ("住宿条件改善很大，感谢后勤工作人员", "学员公寓改造后很舒适，像家一样", "客房干净整洁，服务热情周到"),
        ),
        "catering": (
            ("建议增加早餐品种", "晚餐可以再丰富一些水果"),
            ("学员餐厅环境好，饭菜可口", "伙食安排合理，营养搭配好", "餐饮服务人员态度很好"),
        ),
        "property": (("会议室音响效果可以再改进",), ("教室设施齐全，会务服务周到",)),
        "maintenance": (("房间空调遥控器失灵，希望及时维修",), ("报修后很快就修好了",)),
        "cleaning": ((), ("校园环境整洁",)),
        "security": ((), ("门卫值守认真负责",)),
        "utilities": (("热水有时不够热",), ()),
        "greening": ((), ("校园绿化美化做得好", "建议晚上开放阅览室和运动场所")),
    },
}


def _party_school_items(year: int) -> list[_Item]:
    acc, cat, rest, _ = _PS_RATES[year]
    acc_rows = ["住宿房间整洁舒适", "住宿用品及设施配备", "住宿服务（前台与客房）"]
    cat_rows = ["餐饮菜品质量与口味", "餐饮卫生与就餐环境", "餐饮服务态度"]
    other = [
        ("教室会议室物业服务", "property"),
        ("设施设备报修维修及时", "maintenance"),
        ("校园环境卫生保洁", "cleaning"),
        ("校园绿化美化", "greening"),
        ("门卫安保服务", "security"),
        ("水电及热水供应", "utilities"),
    ]
    items = [_Item(f"第4题({r})", "accommodation", p) for r, p in zip(acc_rows, acc, strict=True)]
    items += [_Item(f"第4题({r})", "catering", p) for r, p in zip(cat_rows, cat, strict=True)]
    items += [_Item(f"第5题({r})", a, p, na=0.02) for (r, a), p in zip(other, rest, strict=True)]
    return items


def _party_school_respondents(year: int):
    def make(rng: np.random.Generator) -> pd.DataFrame:
        n = _PS_N[year]
        cls = rng.choice(len(_PS_CLASSES), size=n, p=[0.3, 0.3, 0.2, 0.2])
        # local village cadres often go home at night: they skip the accommodation block
        p_home = np.where(cls == 3, 0.35, 0.08)
        resident = rng.random(n) >= p_home
        return pd.DataFrame(
            {
                "group": ["学员"] * n,
                "class": [_PS_CLASSES[i] for i in cls],
                "resident": resident,
            }
        )

    return make


def _party_school_spec(year: int) -> _WaveSpec:
    speeders, straight = _PS_PLANTED[year]
    n = _PS_N[year]
    name = f"{year}年学员满意度测评"
    return _WaveSpec(
        meta={
            "name": name,
            "unit": _PS_UNIT,
            "period": f"{year}-06",
            "channel": "问卷调查",
            "distributed": _PS_DISTRIBUTED[year],
            "returned": n + speeders + straight,
            "description": _PS_DESCRIPTION[year],
        },
        filename=f"{year}-06_{name}.csv",
        seed=20120 + year,
        encoding="gbk" if year == 2013 else "utf-8-sig",
        scale=_PS_SCALE[year],
        start=dt.datetime(year, 6, 3, 8, 30),
        days=24,
        region="重庆-重庆",
        ip_prefixes=("113.204", "183.230", "222.178", "106.91"),
        sources=(("链接", "直接访问", 0.7), ("手机提交", "直接访问", 0.3))
        if year < 2015 else (("微信", "N/A", 0.6), ("手机提交", "直接访问", 0.4)),
        attributes=[("1、您的身份", "group"), ("2、您参加的培训班次", "class"),
                    ("3、培训期间您是否在校住宿？", "resident_text")],
        items=_party_school_items(year),
        overall_header="6、总体而言，您对后勤服务满意吗？",
        overall_rate=_PS_RATES[year][3],
        weights={"accommodation": 1.0, "catering": 1.0, "property": 0.6, "cleaning": 0.4, "maintenance": 0.4,
                 "utilities": 0.3, "security": 0.2, "greening": 0.2},
        text_header="7、您对我校后勤服务有何意见和建议？",
        comments=_PS_COMMENTS["early" if year < 2014 else "late"],
        comment_rate=0.3,
        make_respondents=_party_school_respondents(year),
        n_speeders=speeders,
        n_straight=straight,
    )


# ---------------------------------------------------------------------------------------------
# Vocational college (students, teachers, staff, parents), 2018–2021
# ---------------------------------------------------------------------------------------------

_VC_UNIT = "江城职业技术学院后勤保障处"
_CAMPUSES = ("东校区", "西校区", "南校区", "医学院", "师范学院")
_COLLEGES = {
    "东校区": ("机电工程学院", "汽车工程学院"),
    "西校区": ("经济管理学院", "艺术设计学院"),
    "南校区": ("信息技术学院", "建筑工程学院"),
    "医学院": ("护理系", "医学技术系"),
    "师范学院": ("学前教育系", "小学教育系"),
}
# Item rows per block, area, and planned rates for 2018, 2019, 2020, 2021.
_VC_ITEMS: list[tuple[int, str, str, tuple[float, float, float, float], float]] = [
    (6, "学生公寓住宿条件", "accommodation", (0.70, 0.66, 0.78, 0.88), 0.0),
    (6, "宿舍床铺及护栏安全", "accommodation", (0.74, 0.70, 0.86, 0.90), 0.0),
    (6, "学生公寓空调", "accommodation", (0.48, 0.42, 0.80, 0.86), 0.0),
    (6, "公寓管理员服务", "accommodation", (0.78, 0.76, 0.84, 0.88), 0.02),
    (7, "食堂饭菜质量", "catering", (0.72, 0.68, 0.80, 0.86), 0.0),
    (7, "食堂饭菜价格", "catering", (0.60, 0.55, 0.74, 0.80), 0.0),
    (7, "食堂就餐环境", "catering", (0.76, 0.74, 0.82, 0.86), 0.0),
    (7, "食堂营业时间", "catering", (0.70, 0.66, 0.76, 0.85), 0.0),
    (8, "报修渠道便捷", "maintenance", (0.62, 0.55, 0.84, 0.90), 0.04),
    (8, "维修响应速度", "maintenance", (0.55, 0.48, 0.78, 0.87), 0.06),
    (8, "维修质量与服务态度", "maintenance", (0.66, 0.62, 0.80, 0.86), 0.06),
    (9, "楼道保洁", "cleaning", (0.78, 0.75, 0.84, 0.90), 0.0),
    (9, "校园环境卫生", "cleaning", (0.80, 0.78, 0.86, 0.91), 0.0),
    (9, "校园绿化", "greening", (0.84, 0.83, 0.88, 0.92), 0.01),
    (9, "教学楼物业服务", "property", (0.76, 0.74, 0.82, 0.88), 0.08),
    (10, "开水供应", "utilities", (0.68, 0.65, 0.72, 0.85), 0.02),
    (10, "水电供应与用电额度", "utilities", (0.66, 0.60, 0.82, 0.86), 0.02),
    (10, "校园班车", "transport", (0.70, 0.68, 0.70, 0.82), 0.30),
    (10, "医务室医疗服务", "medical", (0.72, 0.70, 0.74, 0.80), 0.25),
    (10, "校园安保与门卫", "security", (0.84, 0.85, 0.86, 0.88), 0.02),
]
_VC_YEARS = (2018, 2019, 2020, 2021)
_VC_OVERALL = {2018: 0.70, 2019: 0.64, 2020: 0.80, 2021: 0.87}
_VC_GROUPS = {  # 学生, 教师, 职工, 家长
    2018: (288, 0, 0, 0),
    2019: (150, 0, 0, 0),
    2020: (296, 38, 24, 4),
    2021: (331, 44, 27, 3),
}
_VC_DISTRIBUTED = {2018: 350, 2019: 150, 2020: 400, 2021: 450}
_VC_SCALE = {2018: _SCALE_VERY, 2019: _SCALE_HEN, 2020: _SCALE_VERY, 2021: _SCALE_VERY}
_VC_PLANTED = {2018: (3, 2, 0), 2019: (0, 0, 0), 2020: (4, 3, 1), 2021: (3, 2, 1)}  # speeders, straight, dup
_VC_WINDOW = {2018: (dt.datetime(2018, 10, 15, 8), 11), 2019: (dt.datetime(2019, 10, 12, 8), 7),
              2020: (dt.datetime(2020, 10, 12, 8), 11), 2021: (dt.datetime(2021, 10, 11, 8), 11)}
_VC_NAME = {
    2018: "2018年后勤服务满意度问卷调查",
    2019: "2019年学生后勤保障服务问卷调查",
    2020: "2020年后勤服务满意度测评",
    2021: "2021年后勤服务满意度测评",
}
_VC_DESCRIPTION = {
    2018: "面向在校学生的年度问卷（微信推送）。",
    2019: "10月12日—19日面向各院系学生代表发放问卷150份，回收有效问卷150份；"
          "与新生代表座谈会、青年教师座谈会、个别访谈、家长电话访谈一起，查找公寓、餐饮、维修、后勤社会化四方面问题。",
    2020: "整改后的首次测评：微信报修与“能马上修的马上修”、免费用电由每月5度调至8度、食堂价格下调3%、"
          "床铺护栏加固、东校区电力增容后宿舍安装空调。首次同时调查教师、职工和学生家长。",
    2021: "南校区二期新建6栋学生公寓投入使用；保洁、绿化、物业社会化外包；南校区食堂二楼开设教工窗口；开水送进宿舍楼。",
}
_VC_CAMPUS_P = {
    2018: (0.36, 0.26, 0.18, 0.12, 0.08),
    2019: (0.34, 0.26, 0.20, 0.12, 0.08),
    2020: (0.34, 0.25, 0.21, 0.12, 0.08),
    2021: (0.28, 0.22, 0.32, 0.11, 0.07),
}

_VC_COMMENTS = {
    "early": {
        "maintenance": (
            ("报修后等了一个星期才有人来修，希望提高维修效率", "宿舍水龙头坏了报修好几次都没人管",
             "不知道去哪里报修，希望有统一的报修渠道", "维修师傅来了说没有配件，又拖了好几天",
             "希望开通网上报修，能查到处理进度"),
            (),
        ),
        "accommodation": (
            ("东校区宿舍夏天太热，希望尽快安装空调", "上铺护栏太矮，晚上睡觉不安全", "宿舍住八个人太拥挤了",
             "宿舍有人用大功率电器，存在安全隐患"),
            ("宿管阿姨很负责",),
        ),
        "catering": (
            ("食堂饭菜价格偏高，分量少", "菜品种类少，希望多一些家常菜", "下晚自习后食堂已经关门，希望延长营业时间",
             "高峰期排队时间太长", "希望南校区能开设夜宵"),
            ("食堂饭菜干净卫生",),
        ),
        "utilities": (
            ("每月免费电量太少，经常要自己买电", "开水房离宿舍太远，打水不方便", "经常停水，影响生活"),
            (),
        ),
        "cleaning": (("楼道垃圾清理不及时", "卫生间有异味，希望增加保洁频次"), ("校园环境整洁",)),
        "transport": (("东校区到南校区上课来回不方便，希望开通校园班车",), ()),
        "medical": (("医务室晚上没人值班", "希望医务室多备一些常用药"), ()),
        "property": (("教学楼厕所灯坏了很久没人管",), ()),
        "security": (("校门口外卖电动车太多，存在安全隐患",), ("保安很负责",)),
        "greening": ((), ("校园绿化很漂亮",)),
    },
    "late": {
        "maintenance": (
            ("维修质量还需提高，有时修好没几天又坏了", "周末报修响应慢一些"),
            ("微信报修很方便，师傅当天就来了", "报修进度能在公众号上查，很放心", "维修师傅态度好，修不了也会说明原因"),
        ),
        "accommodation": (
            ("老宿舍楼的卫生间还需要改造",),
            ("宿舍装了空调，今年夏天舒服多了", "南校区新公寓条件很好", "床铺护栏加高后睡上铺安心多了"),
        ),
        "catering": (
            ("食堂饭菜口味还可以再丰富一些", "希望食堂多开几个窗口，减少排队"),
            ("食堂价格降了，饭菜质量也有提高", "教工窗口开了以后，老师吃饭不用排长队了", "食堂营业时间延长了，很方便"),
        ),
        "utilities": (
            ("希望开水供应时间再延长",),
            ("免费电量提高到8度，基本够用了", "开水送进宿舍楼，方便多了"),
        ),
        "cleaning": ((), ("保洁外包后环境卫生比以前干净多了", "楼道每天都有人打扫")),
        "transport": (("班车高峰期太挤",), ("校园班车准时，在校区之间往返方便了",)),
        "medical": (("医务室药品种类偏少",), ("医务室开展了健康讲座，很实用",)),
        "property": ((), ("教学楼物业服务及时",)),
        "security": ((), ("校园安全有保障",)),
        "greening": ((), ("校园绿化越来越好",)),
    },
}


def _college_items(year: int) -> list[_Item]:
    k = _VC_YEARS.index(year)
    items = []
    for block, row, area, rates, na in _VC_ITEMS:
        # parents judge what their child tells them: many 不了解 outside dormitory and canteen
        parent_na = 0.15 if area in ("accommodation", "catering") else 0.5
        staff_na = {"medical": 0.2, "transport": 0.2}.get(area, 0.03)
        items.append(_Item(f"第{block}题({row})", area, rates[k], na=na,
                           na_by_group={"家长": parent_na, "教师": staff_na, "职工": staff_na}))
    return items


def _college_respondents(year: int):
    def make(rng: np.random.Generator) -> pd.DataFrame:
        counts = _VC_GROUPS[year]
        groups = np.repeat(np.array(["学生", "教师", "职工", "家长"]), counts)
        rng.shuffle(groups)
        n = len(groups)
        campus_idx = rng.choice(len(_CAMPUSES), size=n, p=_VC_CAMPUS_P[year])
        campus = [_CAMPUSES[i] for i in campus_idx]
        college = [_COLLEGES[c][j] for c, j in zip(campus, rng.integers(0, 2, size=n), strict=True)]
        intake_years = (year - 2, year - 1, year)
        intake = [f"{intake_years[j]}级" for j in rng.choice(3, size=n, p=[0.3, 0.33, 0.37])]
        resident = rng.random(n) >= 0.08
        is_student = groups == "学生"
        return pd.DataFrame(
            {
                "group": groups,
                "campus": campus,
                "college": college,
                # teachers, staff and parents skip the intake-year and residence questions (问卷星 logic)
                "intake": np.where(is_student, intake, SKIP),
                "resident": np.where(is_student, resident, groups == "家长"),
                "resident_text": np.where(is_student, np.where(resident, "是", "否"), SKIP),
            }
        )

    return make


def _college_shifts(year: int) -> list[_Shift]:
    shifts = []
    if year <= 2019:
        # east campus: no air conditioning until the power upgrade of 2020
        shifts.append(_Shift("学生公寓空调", "campus", "东校区", -1.6))
        shifts.append(_Shift("", "group", "教师", -0.4, area="catering"))
    else:
        shifts.append(_Shift("学生公寓空调", "campus", "东校区", 0.3))
    if year == 2021:
        shifts.append(_Shift("学生公寓住宿条件", "campus", "南校区", 0.8))  # six new apartment buildings
        shifts.append(_Shift("", "group", "教师", 0.4, area="catering"))  # staff-only window
    shifts.append(_Shift("", "campus", "医学院", 0.3, area="medical"))
    return shifts


def _college_spec(year: int) -> _WaveSpec:
    speeders, straight, dups = _VC_PLANTED[year]
    n = sum(_VC_GROUPS[year])
    start, days = _VC_WINDOW[year]
    attributes = [("1、您的身份", "group"), ("2、您所在的校区", "campus"), ("3、您所在（或子女所在）的学院", "college"),
                  ("4、您的入学年份", "intake"), ("5、您是否住在学生公寓？", "resident_text")]
    return _WaveSpec(
        meta={
            "name": _VC_NAME[year],
            "unit": _VC_UNIT,
            "period": f"{year}-10",
            "channel": "问卷调查",
            "distributed": _VC_DISTRIBUTED[year],
            "returned": n + speeders + straight + dups,
            "description": _VC_DESCRIPTION[year],
        },
        filename=f"{year}-10_{_VC_NAME[year]}.csv",
        seed=20180 + year,
        encoding="utf-8-sig",
        scale=_VC_SCALE[year],
        start=start,
        days=days,
        region="湖北-孝感",
        ip_prefixes=("58.19", "111.47", "27.17", "171.113"),
        sources=(("微信", "N/A", 0.7), ("手机提交", "直接访问", 0.3)),
        attributes=attributes,
        items=_college_items(year),
        overall_header="11、总体而言，您对后勤服务满意吗？",
        overall_rate=_VC_OVERALL[year],
        weights={"maintenance": 1.0, "catering": 1.0, "accommodation": 0.9, "utilities": 0.5, "cleaning": 0.4,
                 "medical": 0.3, "security": 0.2, "property": 0.2, "transport": 0.2, "greening": 0.1},
        text_header="12、您对学校后勤服务还有哪些意见和建议？",
        comments=_VC_COMMENTS["early" if year <= 2019 else "late"],
        comment_rate=0.35,
        make_respondents=_college_respondents(year),
        shifts=_college_shifts(year),
        n_speeders=speeders,
        n_straight=straight,
        n_duplicates=dups,
    )


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------


def _labels_for(rng: np.random.Generator, score: np.ndarray, rate: float, scale: tuple[str, ...]) -> np.ndarray:
    """Scale labels for valid answers: exactly ``round(rate × n)`` satisfied, the highest scores."""
    n = len(score)
    out = np.empty(n, dtype=object)
    if n == 0:
        return out
    k = int(round(rate * n))
    order = np.argsort(-score, kind="stable")
    sat, unsat = order[:k], order[k:]
    # 非常满意 among the satisfied: a larger share where satisfaction is high; a second noise
    # draw keeps the split from being a perfect function of the item score
    top_share = min(0.6, 0.1 + 0.55 * rate)
    if len(sat):
        s2 = 0.5 * score[sat] + rng.standard_normal(len(sat))
        n_top = int(round(top_share * len(sat)))
        ranked = sat[np.argsort(-s2, kind="stable")]
        out[ranked[:n_top]] = scale[0]
        out[ranked[n_top:]] = scale[1]
    if len(unsat):
        s2 = score[unsat] + 0.5 * rng.standard_normal(len(unsat))
        ranked = unsat[np.argsort(s2, kind="stable")]  # worst first
        n_worst = int(round(0.12 * len(unsat)))
        n_bad = int(round(0.30 * len(unsat)))
        out[ranked[:n_worst]] = scale[4]
        out[ranked[n_worst:n_worst + n_bad]] = scale[3]
        out[ranked[n_worst + n_bad:]] = scale[2]
    return out


def _shift_vector(spec: _WaveSpec, item: _Item, resp: pd.DataFrame) -> np.ndarray:
    total = np.zeros(len(resp))
    for s in spec.shifts:
        hit = (s.item and s.item in item.header) or (not s.item and s.area == item.area)
        if hit:
            total += np.where(resp[s.column].to_numpy() == s.value, s.shift, 0.0)
    return total


def _format_time(t: dt.datetime) -> str:
    # 问卷星 writes "2019/10/12 9:05:33": month, day and hour without leading zeros
    return f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}"


def _answer_grid(spec: _WaveSpec, rng: np.random.Generator, resp: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Likert answers (text) for the clean respondents, and each respondent's overall score."""
    n = len(resp)
    areas = list(dict.fromkeys(it.area for it in spec.items))
    z = rng.standard_normal(n)
    unique = {a: rng.standard_normal(n) for a in areas}
    factor = {a: 0.6 * z + 0.8 * unique[a] for a in areas}
    groups = resp["group"].to_numpy()
    resident = resp["resident"].to_numpy().astype(bool)
    cols: dict[str, np.ndarray] = {}
    for it in spec.items:
        col = np.full(n, SKIP, dtype=object)
        asked = resident if it.area == "accommodation" else np.ones(n, dtype=bool)
        na_p = np.array([it.na_by_group.get(g, it.na) for g in groups])
        na = asked & (rng.random(n) < na_p)
        col[na] = NOT_KNOWN
        valid = asked & ~na
        score = 0.8 * factor[it.area] + 0.6 * rng.standard_normal(n) + _shift_vector(spec, it, resp)
        col[valid] = _labels_for(rng, score[valid], it.rate, spec.scale)
        cols[it.header] = col
    # the overall judgement: the general disposition plus the area-specific parts weighted by how
    # much each area matters to this population (what IPA's derived importance recovers)
    w = np.array([spec.weights.get(a, 0.2) for a in areas])
    w = w / np.sqrt((w**2).sum())
    overall_score = 0.45 * z + sum(wi * unique[a] for wi, a in zip(w, areas, strict=True))
    overall_score = overall_score + 0.35 * rng.standard_normal(n)
    cols[spec.overall_header] = _labels_for(rng, overall_score, spec.overall_rate, spec.scale)
    # the lowest-scoring area per respondent picks the comment topic
    fac = np.column_stack([factor[a] for a in areas])
    return pd.DataFrame(cols), fac.argmin(axis=1) if len(areas) else np.zeros(n, dtype=int)


def _comments(spec: _WaveSpec, rng: np.random.Generator, grid: pd.DataFrame, worst_area: np.ndarray,
              resp: pd.DataFrame) -> np.ndarray:
    areas = list(dict.fromkeys(it.area for it in spec.items))
    n = len(grid)
    out = np.full(n, EMPTY, dtype=object)
    satisfied = set(spec.scale[:2])
    overall = grid[spec.overall_header].to_numpy()
    writes = rng.random(n) < spec.comment_rate
    picks = rng.random(n)
    praise_areas = [a for a in areas if spec.comments.get(a, ((), ()))[1]]
    for i in np.flatnonzero(writes):
        area = areas[worst_area[i]]
        complaints, praise = spec.comments.get(area, ((), ()))
        if overall[i] in satisfied and (praise or praise_areas) and picks[i] < 0.55:
            if not praise:
                area = praise_areas[int(picks[i] * 1000) % len(praise_areas)]
                praise = spec.comments[area][1]
            pool = praise
        else:
            pool = complaints or praise
        if not pool:
            continue
        text = pool[int(rng.integers(0, len(pool)))]
        if resp["group"].iat[i] == "家长" and not text.startswith("孩子"):
            text = "孩子反映：" + text
        out[i] = text
    return out


def _planted_rows(spec: _WaveSpec, rng: np.random.Generator, resp: pd.DataFrame) -> list[dict]:
    """Speeders (random answers in seconds) and straight-liners (one label everywhere)."""
    rows = []
    likert = [it.header for it in spec.items] + [spec.overall_header]
    base = resp[resp["group"] == resp["group"].mode().iloc[0]]
    for kind, count in (("speeder", spec.n_speeders), ("straight", spec.n_straight)):
        for _ in range(count):
            donor = base.iloc[int(rng.integers(0, len(base)))].to_dict()
            donor["resident"] = True
            if "resident_text" in donor and donor["resident_text"] != SKIP:
                donor["resident_text"] = "是"
            if kind == "speeder":
                answers = {h: spec.scale[int(rng.integers(0, 5))] for h in likert}
                seconds = int(rng.integers(9, 27))
            else:
                label = spec.scale[int(rng.choice([0, 1, 2], p=[0.3, 0.5, 0.2]))]
                answers = {h: label for h in likert}
                seconds = int(rng.integers(55, 95))
            rows.append({"resp": donor, "answers": answers, "seconds": seconds, "text": EMPTY, "kind": kind})
    return rows


def _build(spec: _WaveSpec) -> DemoWave:
    rng = np.random.default_rng(spec.seed)
    resp = spec.make_respondents(rng)
    if "resident_text" not in resp:
        resp["resident_text"] = np.where(resp["resident"], "是", "否")
    n = len(resp)
    grid, worst = _answer_grid(spec, rng, resp)
    texts = _comments(spec, rng, grid, worst, resp)
    n_items = len(spec.items) + 1
    median_s = 30 + 6.5 * n_items
    # genuine respondents never come near the speeder zone (planted speeders take 9–26 s)
    seconds = np.maximum(0.5 * median_s, rng.lognormal(np.log(median_s), 0.35, size=n)).astype(int)

    records = [
        {"resp": r, "answers": a, "seconds": int(sec), "text": txt, "kind": "clean"}
        for r, a, sec, txt in zip(resp.to_dict("records"), grid.to_dict("records"), seconds, texts, strict=True)
    ]
    planted = _planted_rows(spec, rng, resp)
    # planted rows take random places in submission order
    for row in planted:
        records.insert(int(rng.integers(0, len(records) + 1)), row)

    total = len(records)
    # answers arrive in the daytime, 08:00–22:00, on any day of the window
    stamps = np.sort(rng.integers(0, spec.days, size=total) * 86400 + rng.integers(0, 14 * 3600, size=total))
    day0 = spec.start.replace(hour=8, minute=0, second=0)
    times = [day0 + dt.timedelta(seconds=int(s)) for s in stamps]
    weights = np.array([w for _, _, w in spec.sources])
    src_idx = rng.choice(len(spec.sources), size=total, p=weights / weights.sum())
    ip_pref = rng.integers(0, len(spec.ip_prefixes), size=total)
    ip_tail = rng.integers(1, 255, size=(total, 2))

    header = _META_HEADER + [h for h, _ in spec.attributes] + [it.header for it in spec.items]
    header += [spec.overall_header, spec.text_header]
    lines = []
    for i, rec in enumerate(records):
        src, detail, _ = spec.sources[src_idx[i]]
        ip = f"{spec.ip_prefixes[ip_pref[i]]}.{ip_tail[i, 0]}.{ip_tail[i, 1]}({spec.region})"
        row = [str(i + 1), _format_time(times[i]), f"{rec['seconds']}秒", src, detail, ip]
        row += [str(rec["resp"][col]) for _, col in spec.attributes]
        row += [rec["answers"][it.header] for it in spec.items]
        row += [rec["answers"][spec.overall_header], rec["text"]]
        lines.append(row)

    # duplicates: the same person submitting twice from the same IP a few minutes apart
    for _ in range(spec.n_duplicates):
        j = int(rng.integers(0, len(lines)))
        dup = list(lines[j])
        t = times[j] + dt.timedelta(minutes=int(rng.integers(2, 9)))
        dup[1] = _format_time(t)
        dup[2] = f"{int(rng.integers(60, 120))}秒"
        pos = bisect.bisect_right(times, t)
        lines.insert(pos, dup)
        times.insert(pos, t)
    for i, row in enumerate(lines):
        row[0] = str(i + 1)

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    text = buf.getvalue()
    data = ("\ufeff" + text).encode("utf-8") if spec.encoding == "utf-8-sig" else text.encode("gbk")
    meta = dict(spec.meta)
    meta["returned"] = len(lines)
    return DemoWave(meta=meta, filename=spec.filename, data=data)


def _specs() -> list[_WaveSpec]:
    return [_party_school_spec(y) for y in sorted(_PS_N)] + [_college_spec(y) for y in _VC_YEARS]


def demo_waves() -> list[DemoWave]:
    """The demo exports, oldest first: trainee surveys 2012–2016, then college surveys 2018–2021.

    Returns
    -------
    list of DemoWave
        ``meta`` has the keys ``WAVE_META_KEYS`` (``returned`` = rows in the file, so
        ``distributed ≥ returned ≥ valid``); ``filename`` like ``"2014-06_2014年学员满意度测评.csv"``;
        ``data`` the CSV bytes (UTF-8 with BOM, except the 2013 wave: GBK without BOM).

    Notes
    -----
    Deterministic: every call returns the same bytes (fixed seeds, no clock). The 2014 rates
    were checked by counting the generated labels by hand in tests/test_demo.py (96 % / 91 %).
    """
    return [_build(spec) for spec in _specs()]


# ---------------------------------------------------------------------------------------------
# Feedback records and corrective actions (the 2019 campaign of DOMAIN.md, paraphrased)
# ---------------------------------------------------------------------------------------------

_FEEDBACK: list[tuple[str, str, str, str, str, str, str]] = [
    # date, channel, group, area, text, tags, status
    # individual interviews with 8 teachers, early October
    ("2019-10-08", "个别访谈", "教师", "catering", "教师午餐与学生挤在一起排队，希望开设教工窗口", "教工窗口;排队", "in_action"),
    ("2019-10-08", "个别访谈", "教师", "maintenance", "办公室空调坏了报修两周才修好", "报修;响应慢", "resolved"),
    ("2019-10-09", "个别访谈", "教师", "transport", "东校区和南校区之间上课往返不便，希望有定时班车", "班车", "in_action"),
    ("2019-10-09", "个别访谈", "教师", "cleaning", "教学楼卫生间保洁不及时", "保洁", "resolved"),
    ("2019-10-10", "个别访谈", "教师", "maintenance", "教室多媒体设备故障后不知道找谁修", "报修渠道", "resolved"),
    ("2019-10-10", "个别访谈", "教师", "accommodation", "学生宿舍夏季闷热，影响学生休息和学习状态", "空调", "resolved"),
    ("2019-10-11", "个别访谈", "教师", "medical", "希望校医务室加强健康指导", "健康指导", "in_action"),
    ("2019-10-11", "个别访谈", "教师", "catering", "食堂菜价近两年涨得较快", "价格", "resolved"),
    # forum with the 2019 new-student representatives, evening of Oct 15
    ("2019-10-15", "座谈会", "学生", "accommodation", "新生代表反映东校区宿舍没有空调，夏季太热", "空调;东校区", "resolved"),
    ("2019-10-15", "座谈会", "学生", "maintenance", "宿舍报修后长时间无人处理，也不知道进度", "报修;响应慢", "resolved"),
    ("2019-10-15", "座谈会", "学生", "utilities", "每月免费用电5度不够用", "用电额度", "resolved"),
    ("2019-10-15", "座谈会", "学生", "catering", "晚自习后食堂关门，希望延长营业时间、开设夜宵", "营业时间;夜宵", "in_action"),
    # young teachers' forum, Oct 17 (morning and afternoon)
    ("2019-10-17", "座谈会", "教师", "catering", "青年教师希望在南校区食堂设置教工窗口", "教工窗口", "in_action"),
    ("2019-10-17", "座谈会", "教师", "maintenance", "希望建立统一的网上报修渠道", "报修渠道", "resolved"),
    ("2019-10-17", "座谈会", "教师", "transport", "希望开通校区间定时定点班车", "班车", "in_action"),
    # individual interviews with 12 students of the 2018 and 2019 intakes, in dormitories and canteens
    ("2019-10-14", "个别访谈", "学生", "accommodation", "2019级学生：上铺护栏太矮，担心夜里摔下", "床铺;护栏", "resolved"),
    ("2019-10-14", "个别访谈", "学生", "catering", "2019级学生：饭菜价格偏高", "价格", "resolved"),
    ("2019-10-14", "个别访谈", "学生", "maintenance", "2018级学生：水龙头漏水报修三次才修好", "报修;响应慢", "resolved"),
    ("2019-10-15", "个别访谈", "学生", "utilities", "2018级学生：开水房离宿舍远，打水不方便", "开水", "in_action"),
    ("2019-10-15", "个别访谈", "学生", "accommodation", "2018级学生：有同学使用大功率电器，担心安全", "安全;大功率电器", "resolved"),
    ("2019-10-16", "个别访谈", "学生", "catering", "2019级学生：午餐高峰排队时间长", "排队", "in_action"),
    ("2019-10-16", "个别访谈", "学生", "cleaning", "2019级学生：宿舍楼道垃圾清运不及时", "保洁", "resolved"),
    ("2019-10-16", "个别访谈", "学生", "accommodation", "2018级学生：宿舍夏天太热，晚上睡不好", "空调", "resolved"),
    ("2019-10-17", "个别访谈", "学生", "utilities", "2019级学生：免费电量不够，每月要自己买电", "用电额度", "resolved"),
    ("2019-10-17", "个别访谈", "学生", "maintenance", "2019级学生：不知道去哪里报修", "报修渠道", "resolved"),
    ("2019-10-18", "个别访谈", "学生", "catering", "2018级学生：菜品种类少，口味单一", "菜品", "in_action"),
    ("2019-10-18", "个别访谈", "学生", "medical", "2018级学生：晚上医务室没人值班", "值班", "replied"),
    # parents: three phone interviews and one face-to-face, mid-October
    ("2019-10-16", "电话访谈", "家长", "accommodation", "家长担心孩子宿舍夏季高温，询问能否安装空调", "空调", "resolved"),
    ("2019-10-17", "电话访谈", "家长", "catering", "家长反映孩子说食堂饭菜贵", "价格", "resolved"),
    ("2019-10-18", "电话访谈", "家长", "maintenance", "家长反映宿舍门锁坏了迟迟没修", "报修;响应慢", "resolved"),
    ("2019-10-18", "个别访谈", "家长", "accommodation", "家长到校面谈：关注宿舍用电安全", "安全", "resolved"),
    # five petitions through the provincial education department's sunshine channel
    ("2019-10-11", "信访", "学生", "accommodation", "阳光信访：宿舍没有空调，暑期高温难以入睡", "空调", "resolved"),
    ("2019-10-13", "信访", "学生", "utilities", "阳光信访：宿舍免费电量过低", "用电额度", "resolved"),
    ("2019-10-16", "信访", "家长", "catering", "阳光信访：食堂饭菜价格偏高", "价格", "resolved"),
    ("2019-10-19", "信访", "学生", "maintenance", "阳光信访：宿舍卫生间堵塞多次报修未处理", "报修;响应慢", "resolved"),
    ("2019-10-22", "信访", "学生", "accommodation", "阳光信访：床铺护栏过低存在安全隐患", "床铺;护栏", "resolved"),
    # open answers summarised from the October questionnaire
    ("2019-10-19", "问卷开放题", "学生", "maintenance", "多名学生代表反映报修响应慢、无处查询进度", "报修;响应慢", "resolved"),
    ("2019-10-19", "问卷开放题", "学生", "accommodation", "东校区学生集中反映宿舍无空调", "空调;东校区", "resolved"),
    ("2019-10-19", "问卷开放题", "学生", "catering", "希望食堂降价并增加菜品", "价格;菜品", "resolved"),
    # suggestion box and the new WeChat repair column after the rectification started
    ("2019-11-05", "意见箱", "职工", "cleaning", "建议对校园保洁、绿化实行外包，提高质量", "社会化;外包", "in_action"),
    ("2019-11-20", "微信报修", "学生", "maintenance", "东校区3号楼312室灯管不亮，报修后当天修复", "报修", "resolved"),
    ("2019-12-02", "微信报修", "学生", "maintenance", "南校区食堂水泵异响，已说明需采购配件，三日内修复", "报修;水泵", "resolved"),
]

_ACTIONS: list[tuple] = [
    # problem, area, source, measure, owner, department, target_area, target_rate, deadline, status,
    # completed_on, evidence
    ("学生床位紧张，宿舍拥挤", "accommodation", "2019年学生问卷；新生代表座谈会",
     "配合南校区二期建设，新建学生公寓6栋，新增床位约4000个", "基建科科长", "后勤保障处",
     "accommodation", 0.85, "2021-09-01", "done", "2021-08-25", "2021年测评：学生公寓住宿条件满意率提升"),
    ("东校区宿舍无空调，夏季高温", "accommodation", "阳光信访；新生代表座谈会；家长电话访谈",
     "东校区电力增容申报与施工，秋季开学前完成学生宿舍空调安装", "能源管理科科长", "后勤保障处",
     "accommodation", 0.80, "2020-08-31", "done", "2020-08-20", "2020年测评：学生公寓空调满意率由42%升至80%"),
    ("上铺护栏偏低，存在安全隐患", "accommodation", "学生个别访谈；阳光信访",
     "全面检查学生宿舍床铺，护栏加高、加长、加固", "公寓管理科科长", "后勤保障处",
     "accommodation", 0.85, "2019-11-30", "done", "2019-11-15", "护栏改造验收记录"),
    ("学生公寓违规使用大功率电器", "security", "学生个别访谈；家长面谈",
     "联合保卫处、学工部对东区、西区、南区、医学院、师范学院学生公寓开展安全大检查，收缴违禁电器", "公寓管理科科长",
     "后勤保障处、保卫处、学工部", "", None, "2019-10-31", "done", "2019-10-30", "检查通报及收缴物品清单"),
    ("宿舍免费用电额度偏低", "utilities", "新生代表座谈会；阳光信访",
     "学生寝室免费供电由每月5度调整为每月8度", "能源管理科科长", "后勤保障处",
     "utilities", 0.80, "2019-10-31", "done", "2019-10-31", "调整通知；2020年水电供应满意率82%"),
    ("食堂饭菜价格偏高", "catering", "2019年学生问卷；学生访谈；阳光信访",
     "规范档口管理，原材料价格及档口管理费下调3%，让利师生", "饮食管理科科长", "后勤保障处",
     "catering", 0.75, "2019-11-30", "done", "2019-11-18", "调价文件；2020年饭菜价格满意率74%"),
    ("教师就餐排队时间长", "catering", "青年教师座谈会；教师个别访谈",
     "南校区食堂二楼开设教工窗口", "饮食管理科科长", "后勤保障处",
     "catering", 0.85, "2020-09-01", "done", "2020-09-01", "教工窗口开放通知"),
    ("缺少食品安全突发事件处置预案", "catering", "自查",
     "制定饮食应急事件处置机制，提高突发公共事件处理能力", "饮食管理科科长", "后勤保障处",
     "", None, "2019-12-31", "done", "2019-12-20", "应急预案文本及演练记录"),
    ("保洁、绿化、物业服务质量不稳定", "cleaning", "意见箱；教师个别访谈",
     "学生公寓卫生、校园环境卫生、物业、绿化、水泵维护逐步社会化外包；妥善安置外聘员工", "综合办公室主任",
     "后勤保障处", "cleaning", 0.88, "2021-06-30", "done", "2021-03-01", "外包合同；2021年环境卫生满意率91%"),
    ("报修渠道少、响应慢、无进度反馈", "maintenance", "2019年学生问卷；座谈会；阳光信访",
     "制定维修管理规定；在学校官方微信和公众号开设维修专栏；能马上修的马上修，不能马上修的说明情况",
     "维修中心主任", "后勤保障处", "maintenance", 0.85, "2019-12-31", "done", "2019-11-15",
     "微信报修上线；2020年维修满意率约80%，2021年约87%"),
    ("紧急维修多头找人", "maintenance", "教师个别访谈",
     "推行应急维修“首接负责制”和“一站式”服务", "维修中心主任", "后勤保障处",
     "maintenance", 0.88, "2021-12-31", "in_progress", None, ""),
    ("晚自习后无处就餐", "catering", "新生代表座谈会",
     "南校区开设夜宵，延长食堂营业时间", "饮食管理科科长", "后勤保障处",
     "catering", 0.85, "2021-03-01", "done", "2021-02-26", "2021年食堂营业时间满意率85%"),
    ("开水房离宿舍远", "utilities", "学生个别访谈",
     "试行开水供应进宿舍楼", "能源管理科科长", "后勤保障处",
     "utilities", 0.85, "2021-09-01", "done", "2021-09-01", "2021年开水供应满意率85%"),
    ("校区间往返不便", "transport", "青年教师座谈会；教师个别访谈",
     "开通校园班车定时定点服务", "车队队长", "后勤保障处",
     "transport", 0.80, "2021-09-01", "done", "2021-09-06", "班车时刻表"),
    ("医务室夜间无人值班、健康指导不足", "medical", "学生个别访谈；教师个别访谈",
     "医务室夜间值班，开展健康讲座与健康指导", "校医院院长", "校医院",
     "medical", 0.85, "2022-06-30", "planned", None, ""),
]


def demo_feedback() -> pd.DataFrame:
    """Feedback records of the autumn-2019 campaign (DOMAIN.md), columns ``FEEDBACK_COLUMNS``.

    Forums on 15 and 17 October, 12 student and 8 teacher interviews, 3 parent phone interviews
    plus one face-to-face, 5 petitions (阳光信访), a few questionnaire open answers, a
    suggestion-box note and WeChat repair requests. ``area`` is a canonical area key, ``tags``
    a ``;``-separated string, ``status`` a key of ``FEEDBACK_STATUSES``, ``date`` a datetime64.
    """
    df = pd.DataFrame(_FEEDBACK, columns=FEEDBACK_COLUMNS)
    df["date"] = pd.to_datetime(df["date"])
    return df.sort_values("date", kind="stable").reset_index(drop=True)


def demo_actions() -> pd.DataFrame:
    """The corrective-action register (整改台账) of DOMAIN.md, columns ``ACTION_COLUMNS``.

    ``target_area`` is an area key (empty when the measure has no survey target), ``target_rate``
    a fraction in (0, 1] or NaN, ``deadline`` / ``completed_on`` datetime64 (NaT while open),
    ``status`` a key of ``ACTION_STATUSES``.
    """
    df = pd.DataFrame(_ACTIONS, columns=ACTION_COLUMNS)
    df["target_rate"] = df["target_rate"].astype("float64")
    df["deadline"] = pd.to_datetime(df["deadline"])
    df["completed_on"] = pd.to_datetime(df["completed_on"])
    return df
