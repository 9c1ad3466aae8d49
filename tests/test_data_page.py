"""AppTest of the data-management page (pages/7_data.py): access, upload, validation, save, wave actions.

Every test uses its own SQLite file (``SURVEY_DB_URL``). The uploaded export is written by code here
in the 问卷星 按选项文本 layout; expected figures (row counts, the planted unknown label and its
row/column, the duplicate) are known by construction, not computed by the code under test.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import t

ROOT = Path(__file__).resolve().parents[1]
ENTRY = str(ROOT / "home.py")
PAGE = "pages/7_data.py"
SCALE = ["很满意", "比较满意", "一般", "不太满意", "很不满意"]
ITEMS = ["学生公寓", "食堂菜品", "维修响应", "开水供应"]
PLANTED = (3, "第2题(食堂菜品)", "还行")  # data row (1-based), column, a label on no scale


def wjx_csv(n: int, *, plant: bool = False, tag: str = "") -> bytes:
    """A 问卷星 按选项文本 export with ``n`` respondents (UTF-8 with BOM).

    Answers cycle through the scale so that every column holds every label; with ``plant`` the cell
    ``PLANTED`` holds a label that is on no scale. ``tag`` changes the free text so that two files
    with the same questionnaire have different bytes.
    """
    header = (
        ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份"]
        + [f"第2题({it})" for it in ITEMS]
        + ["3、总体而言，您对后勤服务满意吗？", "4、其他建议"]
    )
    groups = ["学生", "教师", "职工"]
    rows = []
    for i in range(1, n + 1):
        answers = [SCALE[(i + j) % 5] for j in range(len(ITEMS) + 1)]
        row = [
            str(i),
            f"2025/4/{1 + i % 28} 9:{i % 60:02d}:11",
            f"{100 + 7 * i}秒",
            "手机提交",
            "直接访问",
            f"58.19.{i // 250}.{i % 250}(湖北-武汉)",
            groups[i % 3],
            *answers,
            f"建议{tag}{i}",
        ]
        rows.append(row)
    if plant:
        r, col, value = PLANTED
        rows[r - 1][header.index(col)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


@pytest.fixture
def store_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path}/data-page.db"
    monkeypatch.setenv("SURVEY_DB_URL", url)
    monkeypatch.delenv("SURVEY_MAX_UPLOAD_MB", raising=False)
    monkeypatch.delenv("SURVEY_MAX_ROWS", raising=False)
    return url


@pytest.fixture
def engine(store_url):
    from analysis import store

    eng = store.get_engine(store_url)
    yield eng
    eng.dispose()


def open_page(user=None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=120)
    if user is not None:
        at.session_state["auth_user"] = user
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def manager(engine, name: str = "王老师"):
    from analysis import auth

    auth.create_user(engine, name, "secret-pass-1", role="manager")
    user = auth.authenticate(engine, name, "secret-pass-1")
    assert user is not None
    return user


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="data_upload").set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def save(at: AppTest, wave_name: str, distributed: int = 0) -> AppTest:
    at.text_input(key="data_wave_name").set_value(wave_name)
    at.number_input(key="data_wave_distributed").set_value(distributed)
    at.button[[b.label for b in at.button].index(t("data_save", "zh"))].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_viewer_sees_message_not_uploader(store_url):
    at = open_page()
    assert t("data_manager_only", "zh") in texts(at, "warning")
    assert len(at.get("file_uploader")) == 0


def test_upload_validate_and_save(engine, monkeypatch):
    from analysis import store

    user = manager(engine)
    at = open_page(user)
    before = store.list_waves(engine)
    upload(at, "2025春季后勤满意度.csv", wjx_csv(40, plant=True))
    # the planted label is reported once, with its row and column (known by construction)
    assert t("data_unknown_cells", "zh", n=1) in texts(at, "warning")
    cells = [df.value for df in at.dataframe if "原值" in df.value.columns]
    assert len(cells) == 1
    row = cells[0].iloc[0]
    assert (int(row["行号"]), row["列"], row["原值"]) == PLANTED
    assert len(at.data_editor) == 1

    def parse_again(*_a, **_k):
        raise AssertionError("saving parsed the file a second time")

    monkeypatch.setattr(store.ingest, "prepare_wave", parse_again)  # the page hands over the validated dataset
    save(at, "2025 春季测评", distributed=50)
    assert t("data_saved", "zh", name="2025 春季测评", n=40) in texts(at, "success")
    after = store.list_waves(engine)
    assert len(after) == len(before) + 1
    new = after[after["name"] == "2025 春季测评"].iloc[0]
    assert int(new["n_responses"]) == 40
    assert int(new["distributed"]) == 50
    audit = store.list_audit(engine)
    assert "ingest" in set(audit.loc[audit["user"] == "王老师", "action"])


def test_same_file_twice_is_a_duplicate(engine):
    from analysis import store

    user = manager(engine)
    data = wjx_csv(12, tag="dup")
    at = open_page(user)
    save(upload(at, "a.csv", data), "第一次")
    n_waves = len(store.list_waves(engine))
    wave_id = int(store.list_waves(engine)["id"].max())  # the newest upload (waves are listed by series, date)
    at2 = open_page(user)
    upload(at2, "a-copy.csv", data)  # same bytes, another name: recognised before any save is offered
    assert t("data_duplicate_known", "zh", wave=wave_id, name="第一次") in texts(at2, "warning")
    assert t("data_save", "zh") not in [b.label for b in at2.button]
    assert len(store.list_waves(engine)) == n_waves


def test_deleted_wave_file_is_restored_not_duplicated(engine):
    from analysis import store

    user = manager(engine)
    data = wjx_csv(7, tag="del")
    at = open_page(user)
    save(upload(at, "d.csv", data), "将删除")
    wave_id = int(store.list_waves(engine)["id"].max())  # the newest upload (waves are listed by series, date)
    store.delete_wave(engine, wave_id, user="王老师")
    n_all = len(store.list_waves(engine, include_deleted=True))
    at2 = open_page(user)
    upload(at2, "d.csv", data)
    assert t("data_duplicate_deleted", "zh", wave=wave_id, name="将删除") in texts(at2, "info")
    save(at2, "再次上传")
    assert t("data_duplicate", "zh", wave=wave_id) in texts(at2, "warning")
    assert len(store.list_waves(engine, include_deleted=True)) == n_all
    assert wave_id in set(store.list_waves(engine)["id"])


def test_saved_codebook_is_reused(engine):
    user = manager(engine)
    at = open_page(user)
    save(upload(at, "first.csv", wjx_csv(10, tag="x")), "批次一")
    at2 = open_page(user)
    upload(at2, "second.csv", wjx_csv(11, tag="y"))  # same questionnaire, different answers
    assert t("data_codebook_reused", "zh") in texts(at2, "info")


@pytest.mark.parametrize(
    "name,data,needle",
    [
        ("broken.csv", b"\x00\x01\x02binary\x00" * 50, "不是 CSV 或 Excel"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 200, "无法打开 Excel"),
        ("empty.csv", b"   ", "文件为空"),
        ("gbk-broken.csv", "序号,满意度\n1,很满意\n".encode("gb18030") + b"\xff\xff\xfe", "无法识别文件编码"),
    ],
)
def test_bad_files_give_a_message_not_a_traceback(engine, name, data, needle):
    at = open_page(manager(engine))
    upload(at, name, data)
    errors = texts(at, "error")
    assert any(needle in e for e in errors), errors
    assert all("Traceback" not in e for e in errors)


def test_size_and_row_limits(engine, monkeypatch):
    user = manager(engine)
    monkeypatch.setenv("SURVEY_MAX_ROWS", "5")
    at = open_page(user)
    upload(at, "rows.csv", wjx_csv(8))
    assert t("data_too_many_rows", "zh", n=8, rows=5) in texts(at, "error")
    monkeypatch.setenv("SURVEY_MAX_UPLOAD_MB", "1")
    monkeypatch.delenv("SURVEY_MAX_ROWS")
    at = open_page(user)
    big = wjx_csv(12) + b"\r\n" * (1_100_000)  # 1.05 MB: over a 1 MB limit
    upload(at, "big.csv", big)
    assert any("超过上限 1 MB" in e for e in texts(at, "error"))


def test_rename_delete_restore(engine):
    from analysis import store

    user = manager(engine)
    at = open_page(user)
    save(upload(at, "w.csv", wjx_csv(9, tag="w")), "待改名")
    waves = store.list_waves(engine)
    wave_id = waves[waves["name"] == "待改名"].iloc[0]["id"]
    at = open_page(user)
    at.selectbox(key="data_manage_wave").set_value(wave_id)
    at.text_input(key="data_new_name").set_value("已改名")
    at.run()
    at.button(key="data_rename_btn").click()
    at.run()
    assert not at.exception
    waves = store.list_waves(engine)
    assert "已改名" in set(waves["name"]) and "待改名" not in set(waves["name"])
    # delete needs the confirmation first: the button is disabled without it
    at.selectbox(key="data_manage_wave").set_value(wave_id)
    at.run()
    assert at.button(key="data_delete_btn").disabled
    at.checkbox(key=f"data_delete_confirm_{wave_id}").check()
    at.run()
    at.button(key="data_delete_btn").click()
    at.run()
    assert not at.exception
    assert str(wave_id) not in set(store.list_waves(engine)["id"].astype(str))
    deleted = store.list_waves(engine, include_deleted=True)
    assert deleted.loc[deleted["id"].astype(str) == str(wave_id), "deleted_at"].notna().all()
    at.selectbox(key="data_restore_wave").set_value(wave_id)
    at.run()
    at.button(key="data_restore_btn").click()
    at.run()
    assert not at.exception
    assert str(wave_id) in set(store.list_waves(engine)["id"].astype(str))
    audit = store.list_audit(engine)
    mine = set(audit.loc[audit["user"] == "王老师", "action"])
    assert {"rename", "delete", "restore"} <= mine, mine
