"""Service-area taxonomy and the classifier from question text (Chinese or English) to an area key.

Canonical keys follow DESIGN.md "Service areas". The classifier picks the area whose longest
keyword occurs in the text (so 卫生所 → medical beats 卫生 → cleaning, 食品安全 → catering beats
安全 → security); text with no area keyword but an "overall" word is ``overall``; anything else is
``unclassified`` for the user to map in the codebook.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Area", "AREAS", "UNCLASSIFIED", "classify_area", "area_name"]

UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class Area:
    key: str
    zh: str
    en: str
    keywords: tuple[str, ...]


AREAS: dict[str, Area] = {
    a.key: a
    for a in [
        Area("accommodation", "住宿/公寓", "Accommodation",
             ("住宿", "公寓", "宿舍", "寝室", "客房", "床铺", "床位", "学生公寓", "楼管", "宿管",
              "accommodation", "dorm", "apartment", "housing", "residence hall", "residence", "guest room")),
        Area("catering", "餐饮/食堂", "Catering",
             ("餐饮", "食堂", "饭菜", "菜品", "伙食", "餐厅", "就餐", "饮食", "夜宵", "早餐", "午餐", "晚餐", "食品安全",
              "饭堂", "菜价", "canteen", "dining", "food", "meal", "catering", "cafeteria", "dish")),
        Area("maintenance", "维修", "Maintenance",
             ("维修", "报修", "修缮", "维护", "故障", "维修响应", "repair", "maintenance", "fix")),
        Area("cleaning", "保洁/环境卫生", "Cleaning",
             ("保洁", "卫生", "清洁", "环境卫生", "垃圾", "厕所", "卫生间", "cleaning", "clean", "hygiene",
              "sanitation", "janitor", "restroom", "toilet")),
        Area("greening", "绿化", "Greening",
             ("绿化", "园林", "草坪", "花木", "校园环境美化", "greening", "landscap", "garden", "green space")),
        Area("utilities", "水电/供暖/开水", "Utilities",
             ("水电", "供暖", "开水", "热水", "供水", "供电", "电费", "空调", "暖气", "用电", "停水", "停电", "饮用水",
              "hot water", "water supply", "electric", "power supply", "heating", "utilities", "air condition")),
        Area("transport", "交通/班车", "Transport",
             ("交通", "班车", "校车", "通勤", "停车", "车辆", "接驳", "shuttle", "bus", "transport", "parking", "commut")),
        Area("medical", "医疗/医护", "Medical care",
             ("医疗", "医护", "医务", "校医", "卫生所", "卫生院", "门诊", "保健", "体检", "医务室", "看病",
              "medical", "clinic", "health care", "healthcare", "nurse", "doctor")),
        Area("property", "物业/场馆/会议接待", "Property & venues",
             ("物业", "场馆", "会议", "接待", "会务", "体育馆", "教室", "楼宇", "办公楼", "property", "venue",
              "conference", "meeting", "reception", "facilit", "classroom")),
        Area("security", "安保", "Security",
             ("安保", "保安", "门卫", "安全", "治安", "消防", "security", "guard", "safety")),
        Area("overall", "总体", "Overall",
             ("总体", "整体", "综合评价", "总的来说", "总体而言", "overall", "in general", "general satisfaction")),
    ]
}

_SPECIFIC = [a for a in AREAS.values() if a.key != "overall"]


def _norm(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).lower()


def _longest_hit(text: str, area: Area) -> int:
    best = 0
    for word in area.keywords:
        if len(word) > best:
            if re.search(r"[a-z]", word):
                if re.search(r"\b" + re.escape(word), text):
                    best = len(word)
            elif word in text:
                best = len(word)
    return best


def classify_area(text: object) -> str:
    """Map question or row text to a service-area key.

    Examples: ``"学生公寓"`` → ``accommodation``; ``"食堂菜品"`` → ``catering``;
    ``"Repair response"`` → ``maintenance``; ``"总体而言，您对后勤服务满意吗？"`` → ``overall``;
    ``"校园网速度"`` → ``unclassified``.
    """
    return _classify_text(_norm(text))


@lru_cache(maxsize=4096)
def _classify_text(t: str) -> str:
    """:func:`classify_area` of normalised text (cached: the codebook asks up to three times per
    column, and the same headers come back with every upload of a questionnaire)."""
    if not t.strip():
        return UNCLASSIFIED
    scores = [(_longest_hit(t, a), -i, a.key) for i, a in enumerate(_SPECIFIC)]
    best = max(scores)
    if best[0] > 0:
        return best[2]
    if _longest_hit(t, AREAS["overall"]) > 0:
        return "overall"
    return UNCLASSIFIED


def area_name(key: str, lang: str = "zh") -> str:
    """Display name of an area key in ``lang`` (``zh`` or ``en``)."""
    if key in AREAS:
        return AREAS[key].zh if lang == "zh" else AREAS[key].en
    return "未分类" if lang == "zh" else "Unclassified"
