"""analysis.actions_import: registers as offices keep them, written here with openpyxl.

Expected fields are read off the rows this test writes (a labelled set); the second workbook
copies the layout of the shared example register (编号/问题描述/牵头部门/整改时限/进展情况, a title
row, Excel and typed dates) cell by cell.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from analysis.actions_import import choose_series, parse_date, read_register, register_targets, resolve_targets


def workbook(rows: list[list], *, title: str | None = "后勤保障处2019年整改台账", sheet="Sheet1") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = ["序号", "存在问题", "整改措施", "责任部门", "责任人", "整改目标", "完成时限", "完成情况", "完成日期"]
ROWS = [
    [1, "报修响应慢", "开设微信报修", "维修中心", "赵一", "维修响应速度满意率达到85%以上", dt.datetime(2019, 12, 31),
     "已完成", dt.datetime(2019, 11, 15)],
    [2, "饭菜价格高", "下调3%", "饮食中心", "钱二", "饭菜价格满意率不低于75%", "2019年11月30日", "已完成", "2019/11/18"],
    [3, "宿舍无空调", "电力增容", "能源科", "孙三", "学生公寓满意率≥80%", 44074, "推进中", None],  # 44074 = 2020-08-31
    [4, "班车不便", "开通班车", "车队", "李四", "班车满意率提升5个百分点", "2021年9月", "未启动", None],
    [5, "菜品单一", "增加菜品", "饮食中心", "周五", "明显提升", "2020-06-30", "已完成", "2020-06-01"],
    [6, "应急预案缺", "制定预案", "饮食中心", "吴六", None, "2019-12-31", "已办结", None],
    [None, None, None, None, None, None, None, None, None],  # blank line in the middle
    [7, "夜宵", "延长营业时间", "饮食中心", "郑七", "提升5%", "2021-03-01", "差不多", None],
]


def test_register_with_a_title_row():
    reg = read_register(workbook([HEADER, *ROWS]), "台账.xlsx")
    assert reg.header_row == 2 and reg.columns["problem"] == "存在问题" and reg.columns["completed_on"] == "完成日期"
    assert [r.line for r in reg.rows] == [3, 4, 5, 6, 7, 8, 10]
    f = {r.fields["register_no"]: r.fields for r in reg.rows}
    assert f["1"]["status"] == "done" and f["1"]["completed_on"] == dt.date(2019, 11, 15)
    assert f["1"]["deadline"] == dt.date(2019, 12, 31)
    assert (f["1"]["target_kind"], f["1"]["target_key"], f["1"]["target_rate"]) == ("item", "维修响应速度", 0.85)
    assert f["2"]["deadline"] == dt.date(2019, 11, 30) and f["2"]["completed_on"] == dt.date(2019, 11, 18)
    assert f["3"]["deadline"] == dt.date(2020, 8, 31) and f["3"]["status"] == "in_progress"
    assert (f["3"]["target_kind"], f["3"]["target_key"]) == ("area", "accommodation")
    assert f["4"]["deadline"] == dt.date(2021, 9, 30) and f["4"]["status"] == "planned"
    assert f["4"]["target_change"] == 5.0 and f["4"]["target_key"] == "transport"
    assert "target_kind" not in f["6"] and f["6"]["status"] == "done"
    bad = {r.fields["register_no"]: r.problems for r in reg.unparsed}
    assert set(bad) == {"5", "7"}
    assert any("明显提升" in p for p in bad["5"])
    assert any("提升5%" in p for p in bad["7"]) and any("差不多" in p for p in bad["7"])


def test_records_keep_the_typed_target_but_no_unparsed_one():
    reg = read_register(workbook([HEADER, *ROWS]), "台账.xlsx")
    recs = {r["register_no"]: r for r in reg.records(series_id=6)}
    assert recs["5"]["target_text"] == "明显提升" and "target_kind" not in recs["5"]
    assert recs["1"]["series_id"] == 6 and recs["1"]["origin"] == "import"


def test_shared_example_layout():
    rows = [
        ["编号", "问题描述", "整改措施", "牵头部门", "责任人", "整改目标", "整改时限", "进展情况", "备注"],
        [1, "宿舍热水供应时间短", "热水供应延长至24:00", "公寓中心", "周敏", "热水供应满意率提高到85%",
         dt.datetime(2025, 6, 30), "已完成", None],
        [2, "食堂早餐品种少", "二食堂增设早餐面点窗口", "饮食中心", "吴刚", "早餐满意率不低于80%", "2025年9月1日", "推进中", None],
        [3, "洗衣机故障多", "更换洗衣房设备，纳入日常巡检", "公寓中心", "周敏", None, dt.datetime(2025, 5, 31), "已完成",
         "无量化目标"],
        [4, "快递柜不足", "南门增设快递柜20组", "物业中心", "郑丽", "物业服务满意率≥75%", dt.datetime(2025, 9, 30), "未启动", None],
        [5, "校车周末停运", "周末开通东西校区班车", "车队", "孙涛", "班车满意率提升5个百分点", dt.datetime(2025, 9, 1), "已完成",
         "目标为提升幅度"],
    ]
    reg = read_register(workbook(rows, title="后勤服务中心2025年整改任务清单", sheet="台账"), "x.xlsx")
    assert reg.sheet == "台账" and reg.header_row == 2 and len(reg.rows) == 5 and not reg.unparsed
    got = [(r.fields.get("target_kind"), r.fields.get("target_key"), r.fields.get("target_rate"),
            r.fields.get("target_change"), r.fields["status"]) for r in reg.rows]
    assert got == [("item", "热水供应", 0.85, None, "done"), ("item", "早餐", 0.80, None, "in_progress"),
                   (None, None, None, None, "done"), ("area", "property", 0.75, None, "planned"),
                   ("area", "transport", None, 5.0, "done")]
    assert reg.rows[1].fields["deadline"] == dt.date(2025, 9, 1)
    assert reg.rows[2].fields["evidence"] == "无量化目标"
    # against a series that asks neither 热水供应 nor 早餐, both are listed for the manager
    msgs = resolve_targets(reg, ["维修响应", "食堂菜品"], ["maintenance", "catering", "property", "transport"])
    assert len(msgs) == 2 and "热水供应" in msgs[0] and "早餐" in msgs[1]


def test_item_targets_resolve_to_the_series_label():
    reg = read_register(workbook([HEADER, ROWS[0]]), "t.xlsx")
    assert resolve_targets(reg, ["报修渠道便捷", "维修响应速度与质量"], ["maintenance"]) == []
    assert reg.rows[0].fields["target_key"] == "维修响应速度与质量"


def test_no_header_is_a_clear_error():
    with pytest.raises(ValueError, match="表头"):
        read_register(workbook([["a", "b"], [1, 2]], title=None), "t.xlsx")
    with pytest.raises(ValueError, match="xlsx"):
        read_register(b"not a workbook", "t.xlsx")


def test_csv_register_in_gb18030():
    text = "序号,问题,措施,责任人,目标,时限,状态\r\n1,报修慢,微信报修,赵一,维修满意率≥85%,2020-06-30,已完成\r\n"
    reg = read_register(text.encode("gb18030"), "台账.csv")
    assert reg.rows[0].fields["target_key"] == "maintenance" and reg.rows[0].fields["status"] == "done"


@pytest.mark.parametrize("value,want", [
    ("2025-06-30", dt.date(2025, 6, 30)), ("2025/6/3", dt.date(2025, 6, 3)), ("2025.6.30", dt.date(2025, 6, 30)),
    ("2025年6月30日", dt.date(2025, 6, 30)), ("2025年9月", dt.date(2025, 9, 30)), ("2025-02", dt.date(2025, 2, 28)),
    ("2025年底", dt.date(2025, 12, 31)), (45838, dt.date(2025, 6, 30)), (45658, dt.date(2025, 1, 1)), (dt.datetime(2025, 1, 2, 3), dt.date(2025, 1, 2)),
    (pd.Timestamp("2025-01-02"), dt.date(2025, 1, 2)), ("下个月", None), ("", None), (None, None),
    ("2025-13-01", None), (3, None),
])
def test_parse_date(value, want):
    # Excel serials: 45658 is 2025-01-01 in Excel's 1900 system; 45838 = 45658 + 180 days = 2025-06-30
    assert parse_date(value) == want


def test_choose_series_refuses_when_several_fit():
    reg = read_register(workbook([HEADER, ROWS[0], ROWS[2]]), "t.xlsx")
    assert register_targets(reg) == [("item", "维修响应速度"), ("area", "accommodation")]
    cat = pd.DataFrame({"series_id": [1, 2, 3], "series_name": ["甲", "乙", "丙"], "n_waves": [2, 3, 1],
                        "items": [["维修响应速度"], ["维修响应速度"], []],
                        "areas": [["accommodation"], ["accommodation"], ["catering"]]})
    sid, scores = choose_series(reg, cat)
    assert sid is None and scores["n_targets_measured"].tolist() == [2, 2, 0]
    sid, _ = choose_series(reg, cat[cat["series_id"] != 2])
    assert sid == 1
    sid, _ = choose_series(reg, cat[cat["series_id"] == 3])  # the only series
    assert sid == 3
