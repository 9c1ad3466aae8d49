"""Service-area classifier (expected keys from DESIGN.md "Service areas")."""

import pytest

from analysis.areas import AREAS, area_name, classify_area


@pytest.mark.parametrize(
    "text,key",
    [("学生公寓", "accommodation"), ("冬季供暖", "utilities"), ("食堂菜品", "catering"), ("维修响应速度", "maintenance"),
     ("楼道保洁", "cleaning"), ("校园绿化", "greening"), ("开水供应", "utilities"), ("校园班车", "transport"),
     ("校医院/卫生所服务", "medical"), ("会议接待", "property"), ("门卫安保", "security"),
     ("食品安全", "catering"), ("总体而言，您对后勤服务满意吗？", "overall"), ("Student apartments", "accommodation"),
     ("Canteen dishes", "catering"), ("Repair response", "maintenance"), ("Hot water supply", "utilities"),
     ("Overall satisfaction", "overall"), ("校园网速度", "unclassified"), ("", "unclassified")],
)
def test_classify(text, key):
    assert classify_area(text) == key


def test_every_design_key_present_with_names():
    for key in ["accommodation", "catering", "maintenance", "cleaning", "greening", "utilities", "transport",
                "medical", "property", "security", "overall"]:
        assert key in AREAS
    assert area_name("catering") == "餐饮/食堂" and area_name("catering", "en") == "Catering"
    assert area_name("unclassified", "en") == "Unclassified"
