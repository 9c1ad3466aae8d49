"""One set of answers written in every platform layout (tests never read ../shared).

``answer_set()`` draws 40 respondents (seeded): a role, four matrix items on student apartments /
canteen / repairs / hot water and an overall item on the 很满意…很不满意 scale plus 不了解, some
answers skipped, and an open suggestion. ``LAYOUTS`` writes the same answers as each platform
exports them — Chinese layouts with Chinese labels, English layouts with English labels that
sit at the same scale positions — so every layout must yield the same per-item counts.
``expected_counts`` computes those counts directly from the answer set (the hand count).

Run ``python -m tests.fixtures_platforms OUTDIR`` to write all files for a look in a spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from tests.fixtures import workbook_bytes

# Scale positions 0..4 best → worst, 5 = not applicable; None = skipped / empty.
ZH = ["很满意", "比较满意", "一般", "不太满意", "很不满意", "不了解"]
EN = ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied", "Don't know"]
QX = [
    "Extremely satisfied",
    "Somewhat satisfied",
    "Neither satisfied nor dissatisfied",
    "Somewhat dissatisfied",
    "Extremely dissatisfied",
    "Not applicable",
]
ROLES_ZH = ["学生", "教师", "职工"]
ROLES_EN = ["Student", "Faculty", "Staff"]
ITEMS_ZH = ["学生公寓", "食堂菜品", "维修响应", "开水供应"]
ITEMS_EN = ["Student apartments", "Canteen dishes", "Repair response", "Hot water supply"]
AREAS = ["accommodation", "catering", "maintenance", "utilities", "overall"]
MATRIX_ZH = "请评价以下后勤服务"
MATRIX_EN = "Please rate the following services"
OVERALL_ZH = "总体而言，您对后勤服务满意吗？"
OVERALL_EN = "Overall, how satisfied are you with logistics services?"
SUGGEST_ZH = "其他建议"
SUGGEST_EN = "Any other suggestions?"
SUGGESTIONS = [
    ("希望延长开水供应时间", "Longer hot water hours"),
    ("食堂价格偏高", "Canteen prices are high"),
    ("报修后等了三天", "Waited three days for a repair"),
]


@dataclass
class Response:
    resp_id: str
    role: int
    items: list[int | None]  # 4 matrix items + overall: scale positions, None = skipped
    suggestion: int | None  # index into SUGGESTIONS
    submitted: dt.datetime
    duration: int
    ip: str


def answer_set(n: int = 40, seed: int = 20250406) -> list[Response]:
    """``n`` seeded respondents; the first six rows cover every scale position in every item."""
    rng = random.Random(seed)
    out = []
    start = dt.datetime(2025, 4, 6, 8, 0, 0)
    for i in range(n):
        if i < 5:  # a Latin square: every item gets every position, no row is a straight line
            items = [(i + j) % 5 for j in range(5)]
        elif i == 5:
            items = [5, 5, 5, 5, 0]
        else:
            items = [rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 4, 5, None]) for _ in range(5)]
            items[4] = items[4] if items[4] is not None else 1
        out.append(
            Response(
                resp_id=str(1001 + i),
                role=rng.randrange(3),
                items=items,
                suggestion=rng.choice([None, None, 0, 1, 2]),
                submitted=start + dt.timedelta(minutes=17 * i, seconds=rng.randrange(60)),
                duration=rng.randrange(120, 600),
                ip=f"58.19.{i // 10}.{i + 1}",
            )
        )
    return out


def expected_counts(answers: list[Response]) -> list[tuple[int, int]]:
    """Per item (4 matrix items, overall): (n_valid, n_satisfied) — positions 0..4 valid, 0..1 satisfied."""
    out = []
    for j in range(5):
        vals = [a.items[j] for a in answers]
        out.append((sum(v is not None and v <= 4 for v in vals), sum(v is not None and v <= 1 for v in vals)))
    return out


# --------------------------------------------------------------------------- writers


def _csv(
    rows: list[list[str]], *, sep: str = ",", crlf: bool = True, quote_all: bool = False, trailing_sep: bool = False
) -> str:
    buf = io.StringIO()
    w = csv.writer(
        buf,
        delimiter=sep,
        lineterminator="\r\n" if crlf else "\n",
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    for r in rows:
        w.writerow(r)
    text = buf.getvalue()
    if trailing_sep:
        eol = "\r\n" if crlf else "\n"
        text = eol.join(line + sep for line in text.split(eol) if line) + eol
    return text


def _label(labels: list[str], pos: int | None, missing: str = "") -> str:
    return missing if pos is None else labels[pos]


def _sugg(a: Response, en: bool = False, missing: str = "") -> str:
    return missing if a.suggestion is None else SUGGESTIONS[a.suggestion][1 if en else 0]


def wjx_header() -> list[str]:
    return (
        ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份"]
        + [f"第2题({it})" for it in ITEMS_ZH]
        + [f"3、{OVERALL_ZH}", f"4、{SUGGEST_ZH}"]
    )


def _wjx_meta(a: Response, i: int) -> list[str]:
    t = a.submitted
    return [
        str(i),
        f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}",
        f"{a.duration}秒",
        "手机提交",
        "直接访问",
        f"{a.ip}(湖北-武汉)",
    ]


def wjx_text_gbk(answers: list[Response]) -> bytes:
    """问卷星 按选项文本 saved by zh-CN Excel: GB18030, no BOM, CRLF; (跳过) for skipped, (空) for empty text."""
    rows = [wjx_header()]
    for i, a in enumerate(answers, 1):
        rows.append(
            _wjx_meta(a, i)
            + [ROLES_ZH[a.role]]
            + [_label(ZH, p, "(跳过)") for p in a.items]
            + [_sugg(a, missing="(空)")]
        )
    return _csv(rows).encode("gb18030")


WJX_CODES = "1=很满意;2=比较满意;3=一般;4=不太满意;5=很不满意;6=不了解;-3=(跳过);-2=(空)"


def wjx_codes(answers: list[Response]) -> bytes:
    """问卷星 按选项序号: UTF-8 with BOM; 1-based option positions, -3 skipped, -2 empty."""
    rows = [wjx_header()]
    for i, a in enumerate(answers, 1):
        rows.append(
            _wjx_meta(a, i)
            + [str(a.role + 1)]
            + ["-3" if p is None else str(p + 1) for p in a.items]
            + [_sugg(a, missing="(空)")]
        )
    return b"\xef\xbb\xbf" + _csv(rows).encode("utf-8")


def tencent(answers: list[Response], *, english_dates: bool = False) -> bytes:
    """腾讯问卷: UTF-8 BOM, all quoted, trailing comma, ``A.`` prefixes, ``N.题干:行`` matrix rows."""
    letters = "ABCDEF"
    rows = [
        ["编号", "开始答题时间", "结束答题时间", "答题时长", "1.您的身份"]
        + [f"2.{MATRIX_ZH}:{it}" for it in ITEMS_ZH]
        + [f"3.{OVERALL_ZH}", f"4.{SUGGEST_ZH}"]
    ]
    for a in answers:
        t0, t1 = a.submitted - dt.timedelta(seconds=a.duration), a.submitted

        def fmt(t: dt.datetime) -> str:
            if english_dates:
                return t.strftime("%d-%b-%Y %H:%M:%S")
            return f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}"

        rows.append(
            [a.resp_id, fmt(t0), fmt(t1), str(a.duration), f"{letters[a.role]}.{ROLES_ZH[a.role]}"]
            + ["" if p is None else f"{letters[p]}.{ZH[p]}" for p in a.items]
            + [_sugg(a)]
        )
    return b"\xef\xbb\xbf" + _csv(rows, quote_all=True, trailing_sep=True).encode("utf-8")


def qualtrics(answers: list[Response], *, numeric: bool = False) -> bytes:
    """Qualtrics: three header rows (ids, text, ImportId JSON); choice text or numeric recodes."""
    ids = [
        "StartDate",
        "EndDate",
        "Status",
        "IPAddress",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "Q1",
        "Q2_1",
        "Q2_2",
        "Q2_3",
        "Q2_4",
        "Q3",
        "Q4",
    ]
    text = (
        [
            "Start Date",
            "End Date",
            "Response Type",
            "IP Address",
            "Progress",
            "Duration (in seconds)",
            "Finished",
            "Recorded Date",
            "Response ID",
            "What is your role?",
        ]
        + [f"{MATRIX_EN} - {it}" for it in ITEMS_EN]
        + [OVERALL_EN, SUGGEST_EN]
    )
    imports = [
        "startDate",
        "endDate",
        "status",
        "ipAddress",
        "progress",
        "duration",
        "finished",
        "recordedDate",
        "_recordId",
        "QID1",
        "QID2_1",
        "QID2_2",
        "QID2_3",
        "QID2_4",
        "QID3",
        "QID4_TEXT",
    ]
    rows = [ids, text, [json.dumps({"ImportId": x}) for x in imports]]
    for a in answers:
        t0 = a.submitted - dt.timedelta(seconds=a.duration)
        fmt = "%Y-%m-%d %H:%M:%S"
        meta = [
            t0.strftime(fmt),
            a.submitted.strftime(fmt),
            "0" if numeric else "IP Address",
            a.ip,
            "100",
            str(a.duration),
            "1" if numeric else "True",
            a.submitted.strftime(fmt),
            f"R_{a.resp_id}",
        ]
        if numeric:
            vals = [str(a.role + 1)] + ["" if p is None else str(p + 1) for p in a.items]
        else:
            vals = [ROLES_EN[a.role]] + [_label(QX, p) for p in a.items]
        rows.append(meta + vals + [_sugg(a, en=True)])
    return b"\xef\xbb\xbf" + _csv(rows).encode("utf-8")


QUALTRICS_CODES = ";".join(f"{i + 1}={lab}" for i, lab in enumerate(QX))


def surveymonkey(answers: list[Response]) -> bytes:
    """SurveyMonkey: two header rows, question text only above a matrix's first column."""
    top = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "What is your role?",
        MATRIX_EN,
        "",
        "",
        "",
        OVERALL_EN,
        SUGGEST_EN,
    ]
    sub = ["", "", "", "", "", "Response", *ITEMS_EN, "Response", "Open-Ended Response"]
    rows = [top, sub]
    for a in answers:
        t0 = a.submitted - dt.timedelta(seconds=a.duration)
        fmt = "%m/%d/%Y %I:%M:%S %p"
        rows.append(
            [f"1142{a.resp_id}", "431200001", t0.strftime(fmt), a.submitted.strftime(fmt), a.ip, ROLES_EN[a.role]]
            + [_label(EN, p) for p in a.items]
            + [_sugg(a, en=True)]
        )
    return _csv(rows).encode("utf-8")


def google_forms(answers: list[Response]) -> bytes:
    """Google Forms: Timestamp first, grid rows as ``Question [Row]``, LF line ends, no BOM."""
    rows = [
        ["Timestamp", "Email Address", "What is your role?"]
        + [f"{MATRIX_EN} [{it}]" for it in ITEMS_EN]
        + [OVERALL_EN, SUGGEST_EN]
    ]
    for a in answers:
        t = a.submitted
        stamp = f"{t.year}/{t.month:02d}/{t.day:02d} {t.strftime('%I').lstrip('0')}:{t:%M:%S} {t:%p} GMT+8"
        rows.append(
            [stamp, f"u{a.resp_id}@example.edu", ROLES_EN[a.role]]
            + [_label(EN, p) for p in a.items]
            + [_sugg(a, en=True)]
        )
    return _csv(rows, crlf=False).encode("utf-8")


def limesurvey(answers: list[Response], *, headings: str = "full") -> bytes:
    """LimeSurvey: ``;``, all quoted, UTF-8 BOM, CRLF; headings ``code`` or ``full`` (code + text)."""
    if headings == "code":
        q = ["G01Q01"] + [f"G01Q02[SQ00{k + 1}]" for k in range(4)] + ["G01Q03", "G01Q04"]
    else:
        q = (
            ["G01Q01. 您的身份"]
            + [f"G01Q02[SQ00{k + 1}]. {MATRIX_ZH} [{it}]" for k, it in enumerate(ITEMS_ZH)]
            + [f"G01Q03. {OVERALL_ZH}", f"G01Q04. {SUGGEST_ZH}"]
        )
    rows = [
        [
            "id",
            "submitdate",
            "lastpage",
            "startlanguage",
            "seed",
            "startdate",
            "datestamp",
            "ipaddr",
            *q,
            "interviewtime",
        ]
    ]
    for a in answers:
        fmt = "%Y-%m-%d %H:%M:%S"
        t0 = a.submitted - dt.timedelta(seconds=a.duration)
        rows.append(
            [
                a.resp_id,
                a.submitted.strftime(fmt),
                "2",
                "zh-Hans",
                "123",
                t0.strftime(fmt),
                a.submitted.strftime(fmt),
                a.ip,
                ROLES_ZH[a.role],
            ]
            + [_label(ZH, p) for p in a.items]
            + [_sugg(a), f"{a.duration}.37"]
        )
    return b"\xef\xbb\xbf" + _csv(rows, sep=";", quote_all=True).encode("utf-8")


def kobo(answers: list[Response]) -> bytes:
    """KoboToolbox: ``;``, all quoted, group paths with ``/``, ``_id … _index`` last."""
    rows = [
        ["start", "end", "基本信息/您的身份"]
        + [f"服务评价/{it}" for it in ITEMS_ZH]
        + [f"服务评价/{OVERALL_ZH}", f"意见建议/{SUGGEST_ZH}", "_id", "_uuid", "_submission_time", "_index"]
    ]
    for i, a in enumerate(answers, 1):
        t0 = a.submitted - dt.timedelta(seconds=a.duration)
        iso = "%Y-%m-%dT%H:%M:%S.000+08:00"
        rows.append(
            [t0.strftime(iso), a.submitted.strftime(iso), ROLES_ZH[a.role]]
            + [_label(ZH, p) for p in a.items]
            + [
                _sugg(a),
                a.resp_id,
                f"00000000-0000-4000-8000-{i:012d}",
                (a.submitted - dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S"),
                str(i),
            ]
        )
    return _csv(rows, sep=";", quote_all=True).encode("utf-8")


def generic_xlsx(answers: list[Response]) -> bytes:
    """A hand-made workbook: one header row, one row per respondent, blank cells for skipped answers."""
    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "提交时间", "身份"] + [f"{MATRIX_ZH}—{it}" for it in ITEMS_ZH] + [OVERALL_ZH, SUGGEST_ZH])
    for a in answers:
        ws.append(
            [int(a.resp_id), a.submitted, ROLES_ZH[a.role]]
            + [_label(ZH, p) or None for p in a.items]
            + [_sugg(a) or None]
        )
    return workbook_bytes(wb)


@dataclass(frozen=True)
class Layout:
    key: str  # expected adapter key
    filename: str
    write: Callable[[list[Response]], bytes]
    codes: str = ""  # codebook ``codes`` for numeric exports
    scale: str = ""  # codebook ``scale`` for numeric exports


LAYOUTS: dict[str, Layout] = {
    lay.filename: lay
    for lay in [
        Layout("wjx_text", "wjx_text_gbk.csv", wjx_text_gbk),
        Layout("wjx_codes", "wjx_codes.csv", wjx_codes, WJX_CODES, "zh5_hen"),
        Layout("tencent", "tencent.csv", tencent),
        Layout("tencent", "tencent_en_dates.csv", lambda a: tencent(a, english_dates=True)),
        Layout("qualtrics", "qualtrics.csv", qualtrics),
        Layout(
            "qualtrics", "qualtrics_numeric.csv", lambda a: qualtrics(a, numeric=True), QUALTRICS_CODES, "en5_extremely"
        ),
        Layout("surveymonkey", "surveymonkey.csv", surveymonkey),
        Layout("google_forms", "google_forms.csv", google_forms),
        Layout("limesurvey", "limesurvey.csv", limesurvey),
        Layout("kobo", "kobo.csv", kobo),
        Layout("generic", "generic.xlsx", generic_xlsx),
    ]
}


def write_all(outdir: str | Path, answers: list[Response] | None = None) -> list[Path]:
    """Write every layout of ``answers`` (default: ``answer_set()``) into ``outdir``."""
    answers = answers or answer_set()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for lay in LAYOUTS.values():
        p = out / lay.filename
        p.write_bytes(lay.write(answers))
        paths.append(p)
    return paths


if __name__ == "__main__":
    for path in write_all(sys.argv[1] if len(sys.argv) > 1 else "platform_fixtures"):
        print(path)
