"""Feedback records (意见/访谈记录) as data: registries, record-file import, open answers of a wave.

A record is one thing someone said: date, channel, respondent group, unit/campus, text, status
(DESIGN.md "Feedback record"). Sources (DESIGN.md "Feedback and open text"):

- the open answers of a stored wave (channel ``survey`` = 问卷开放题), :func:`records_from_dataset`;
- record files as offices keep them (CSV / XLSX; headers in Chinese or English with the usual
  synonyms, a title row above the header allowed, Excel serial or typed dates),
  :func:`read_record_table` → :func:`suggest_mapping` (editable) → :func:`records_from_table`;
- one record typed in on the page (:func:`check_record`).

:func:`analyse_records` masks personal data and adds areas, tone, suggestion and keywords
(``analysis.text``); nothing unmasked leaves it. No streamlit here.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.text import Lexicon, analyse_texts, is_no_opinion, shipped_lexicon

__all__ = [
    "CHANNELS", "STATUSES", "FIELDS", "RECORD_COLUMNS", "DEFAULT_K_COMMENTS", "k_comments", "comment_threshold", "shown_comments", "channel_key",
    "status_key", "parse_record_date", "RecordTable", "read_record_table", "suggest_mapping", "records_from_table",
    "records_from_dataset", "analyse_records", "check_record", "channel_label", "status_label",
]

DEFAULT_K_COMMENTS = 10


@dataclass(frozen=True)
class Choice:
    """One registry entry: key (stored, in URLs), Chinese and English label, words that mean it in files."""

    key: str
    zh: str
    en: str
    synonyms: tuple[str, ...] = ()


CHANNELS: dict[str, Choice] = {c.key: c for c in [
    Choice("survey", "问卷开放题", "Questionnaire open answer", ("问卷", "开放题", "问卷调查", "调查问卷", "questionnaire", "survey")),
    Choice("forum", "座谈会", "Forum", ("座谈", "恳谈会", "交流会", "见面会", "forum", "focus group")),
    Choice("interview", "个别访谈", "Individual interview", ("访谈", "面谈", "走访", "个访", "interview")),
    Choice("phone", "电话访谈", "Phone interview", ("电话", "电话回访", "热线", "来电", "phone", "call")),
    Choice("petition", "信访", "Petition", ("阳光信访", "来信来访", "来信", "来访", "信访件", "petition")),
    Choice("box", "意见箱", "Suggestion box", ("意见簿", "留言簿", "书记信箱", "校长信箱", "信箱", "suggestion box", "box")),
    Choice("wechat", "微信报修", "WeChat repair request", ("微信", "公众号", "报修", "网上报修", "小程序", "wechat")),
    Choice("online", "网上留言", "Online message", ("留言", "网上", "论坛", "留言板", "网站", "邮件", "online", "web", "email")),
    Choice("inspection", "督查", "Inspection note", ("督查组", "督导", "检查", "巡查", "inspection", "audit")),
    Choice("other", "其他", "Other", ("其它", "other")),
]}
STATUSES: dict[str, Choice] = {c.key: c for c in [
    Choice("new", "待处理", "New", ("新", "未处理", "待办", "新建", "open", "pending")),
    Choice("forwarded", "已转办", "Forwarded", ("转办", "已转交", "转交", "处理中", "整改中", "办理中", "限期整改",
                                               "in_action", "in progress", "forwarded")),
    Choice("replied", "已答复", "Replied", ("答复", "已回复", "回复", "已回访", "回访", "已反馈", "replied")),
    Choice("resolved", "已解决", "Resolved", ("解决", "已办结", "办结", "已完成", "完成", "已修", "当天已修", "已整改",
                                              "已处理", "closed", "done", "resolved")),
]}
# Fields of a record file and the header words that name them (compared after NFKC, lower case).
FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "时间", "反映时间", "记录日期", "来信日期", "来访日期", "访谈日期", "提交时间", "登记日期", "发生时间",
             "date", "time", "submitted"),
    "channel": ("渠道", "来源", "来源渠道", "反映渠道", "反映方式", "方式", "途径", "类型", "channel", "source"),
    "group": ("反映人", "对象", "身份", "反映人身份", "人员类别", "群体", "类别", "访谈对象", "来信人", "group", "respondent",
              "role"),
    "unit": ("单位", "校区", "部门", "所在单位", "学院", "楼栋", "unit", "campus", "department"),
    "text": ("意见内容", "内容", "问题描述", "意见", "反映内容", "意见建议", "意见与建议", "诉求", "留言", "留言内容", "问题",
             "反映问题", "访谈内容", "记录", "text", "comment", "comments", "content", "feedback", "message", "issue"),
    "status": ("状态", "处理状态", "办理情况", "处理结果", "办理状态", "status", "state"),
}
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "date": ("日期", "Date"), "channel": ("渠道", "Channel"), "group": ("反映人/对象", "Group"),
    "unit": ("单位/校区", "Unit/campus"), "text": ("意见内容", "Text"), "status": ("状态", "Status"),
}
# Columns of a record before the store: what records_from_* return.
RECORD_COLUMNS = ["row", "date", "channel", "group", "unit", "text", "status"]
_MAX_TEXT = 5000


def k_comments(settings: Any = None) -> int:
    """The deployment's comment threshold.

    ``SURVEY_K_COMMENTS`` (default 10), never below the survey anonymity threshold
    :func:`analysis.anonymity.min_group` — configuration (``SURVEY_MIN_GROUP``) raised by the managers'
    setting when ``settings`` is given (an engine, whose stored settings are read, or a mapping).
    A manager who raises the threshold to 15 raises the comment threshold to 15 too.
    """
    from analysis.anonymity import min_group

    try:
        own = max(1, int(os.environ.get("SURVEY_K_COMMENTS", DEFAULT_K_COMMENTS)))
    except (TypeError, ValueError):
        own = DEFAULT_K_COMMENTS
    return max(own, min_group(settings))


def comment_threshold(settings: Any = None, k: int | None = None) -> int:
    """The smallest cell whose comments may be shown: ``max(k_comments(settings), k)``.

    ``settings`` as in :func:`k_comments` (an engine, or a mapping such as ``{"min_group": …}``),
    ``k`` a viewer's own threshold (it can only raise the bar).
    """
    return max(k_comments(settings), int(k or 0))


def shown_comments(records: pd.DataFrame, settings: Any = None, *, k: int | None = None) -> pd.Series:
    """Which records' text may be shown: ``cell_n`` ≥ :func:`comment_threshold`.

    ``settings`` is the store's engine (so a manager's raised threshold counts), ``k`` a viewer's own
    threshold (it can only raise the bar). A record without ``cell_n`` (its group unknown) is not
    shown: nobody can say how many people share its cell (as on the feedback page).
    """
    threshold = comment_threshold(settings, k)
    if "cell_n" not in records.columns:
        return pd.Series(False, index=records.index)
    n = pd.to_numeric(records["cell_n"], errors="coerce")
    return (n >= threshold).fillna(False).astype(bool)


def _norm(text: object) -> str:
    if text is None or text is pd.NA or (isinstance(text, float) and text != text):
        return ""
    return re.sub(r"[\s:：*（）()\[\]【】]+", "", unicodedata.normalize("NFKC", str(text)).lower())


def _lookup(registry: Mapping[str, Choice], value: object) -> str | None:
    s = _norm(value)
    if not s:
        return None
    for c in registry.values():
        if s in (c.key, _norm(c.zh), _norm(c.en)):
            return c.key
    for c in registry.values():  # a synonym equal, then one contained in the value (阳光信访平台 → petition)
        if s in {_norm(x) for x in c.synonyms}:
            return c.key
    best = None
    for c in registry.values():
        for x in (c.zh, *c.synonyms):
            nx = _norm(x)
            if len(nx) >= 2 and nx in s and (best is None or len(nx) > best[0]):
                best = (len(nx), c.key)
    return best[1] if best else None


def channel_key(value: object) -> str | None:
    """Channel key for a label, key or synonym (``阳光信访`` → ``petition``); None when unknown."""
    return _lookup(CHANNELS, value)


def status_key(value: object) -> str | None:
    """Status key for a label, key or synonym (``已回访`` → ``replied``); None when unknown."""
    return _lookup(STATUSES, value)


def channel_label(key: str, lang: str = "zh") -> str:
    c = CHANNELS.get(key)
    return (c.zh if lang == "zh" else c.en) if c else str(key)


def status_label(key: str, lang: str = "zh") -> str:
    c = STATUSES.get(key)
    return (c.zh if lang == "zh" else c.en) if c else str(key)


_EXCEL_EPOCH = _dt.date(1899, 12, 30)
_DATE_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
]


def parse_record_date(value: object) -> _dt.date | None:
    """A record's date from a cell: a date/datetime, an Excel serial number (1900 system,
    20000–80000 = 1954–2119), or text ``2025-03-04``, ``2025/3/4``, ``2025.3.4``, ``2025年3月4日``,
    ``20250304`` (a time after the date is ignored). None for an empty cell.

    Raises ValueError (bilingual) for text that is not a date.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    s = unicodedata.normalize("NFKC", str(value)).strip()
    if not s:
        return None
    if re.fullmatch(r"\d{5}(?:\.\d+)?", s) and 20000 <= float(s) <= 80000:
        return _EXCEL_EPOCH + _dt.timedelta(days=int(float(s)))
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if m:
            try:
                return _dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                break
    shown = _masked(s)[:30]
    raise ValueError(f"无法识别的日期：「{shown}」，请写成 2025-03-04 或 2025/3/4。 Not a date: '{shown}'.")


@dataclass
class RecordTable:
    """A record file read as a table: ``frame`` (data rows, header names as columns), the 0-based
    index of the header row in the file, and the encoding."""

    frame: pd.DataFrame
    header_row: int
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _header_score(cells: list[object]) -> tuple[int, bool]:
    hits, has_text = 0, False
    for c in cells:
        f = _field_of(c)
        if f:
            hits += 1
            has_text = has_text or f == "text"
    return hits, has_text


def _field_of(header: object) -> str | None:
    s = _norm(header)
    if not s:
        return None
    for f, words in FIELDS.items():
        if s in {_norm(w) for w in words}:
            return f
    return None


def read_record_table(data: bytes, filename: str) -> RecordTable:
    """Read a record file (CSV in UTF-8/GBK/GB18030, XLSX, XLS) and find its header row.

    The header is the first of the first ten rows with the most recognised field names (at least
    two, one of them a text column: 意见内容/内容/问题描述 …); rows above it (a title such as
    "2025年春季学生座谈会记录") are skipped. Raises ValueError when no such row exists.
    """
    from analysis.ingest.readers import read_table

    raw = read_table(data, filename)
    grid = raw.frame
    best = (0, -1)
    for i in range(min(10, len(grid))):
        hits, has_text = _header_score(list(grid.iloc[i]))
        if has_text and hits >= 2 and hits > best[0]:
            best = (hits, i)
    if best[1] < 0:
        raise ValueError(
            "未找到表头：前 10 行中没有同时包含“意见内容/内容/问题描述”和“日期/渠道/反映人”等列名的一行。"
            "请检查表头，或在预览中手动指定各列。 No header row with a text column and another known column was found."
        )
    h = best[1]
    headers, seen = [], {}
    for j, v in enumerate(grid.iloc[h]):
        name = str(v).strip() if v is not None and v is not pd.NA and str(v).strip() else f"列{j + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        headers.append(name)
    frame = grid.iloc[h + 1:].reset_index(drop=True)
    frame.columns = headers
    warnings = list(raw.warnings)
    if h > 0:
        warnings.append(f"表头在第 {h + 1} 行，上方 {h} 行（标题）已跳过。 Header found on row {h + 1}; the title rows above were skipped.")
    return RecordTable(frame=frame, header_row=h, encoding=raw.encoding, warnings=warnings)


def suggest_mapping(columns: list[str]) -> dict[str, str | None]:
    """Field → column name suggested from the headers (``FIELDS`` synonyms); None where no column fits.

    The first column naming a field wins; a field is never mapped twice.
    """
    out: dict[str, str | None] = {f: None for f in FIELDS}
    for col in columns:
        f = _field_of(col)
        if f and out[f] is None:
            out[f] = col
    return out


def _masked(text: str) -> str:
    """A cell quoted in a message, with personal data masked (messages reach the screen and the CLI)."""
    from analysis.text import mask_pii

    return mask_pii(text)[0]


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def records_from_table(table: RecordTable | pd.DataFrame, mapping: Mapping[str, str | None], *,
                       default_channel: str = "other") -> tuple[pd.DataFrame, list[dict], list[str]]:
    """Records of a record file under a column ``mapping`` (field → column, see :func:`suggest_mapping`).

    Returns ``(records, errors, warnings)``: ``records`` has ``RECORD_COLUMNS`` (``row`` = 1-based
    data row, counted below the header); ``errors`` lists the rows left out (``{"row", "message"}``:
    no text); ``warnings`` the rows kept with a field cleared (a date that is not a date, an
    unknown channel → ``default_channel``, an unknown status → ``new``), each naming its row.
    """
    frame = table.frame if isinstance(table, RecordTable) else table
    mapping = {f: c for f, c in mapping.items() if c}
    if not mapping.get("text"):
        raise ValueError("请指定“意见内容”列（记录的文字）。 Choose the column that holds the text.")
    missing = [c for c in mapping.values() if c not in frame.columns]
    if missing:
        raise ValueError(f"文件中没有这些列：{', '.join(missing)}。 Columns not in the file: {', '.join(missing)}.")
    rows, errors, warnings = [], [], []
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        def get(f: str, rec: dict = rec) -> str:
            return _cell(rec.get(mapping[f])) if mapping.get(f) else ""

        if not any(_cell(v) for v in rec.values()):
            continue  # a blank line
        text = get("text")
        if not text:
            errors.append({"row": i, "message": f"第 {i} 行没有意见内容，已跳过。 Row {i} has no text; skipped."})
            continue
        if len(text) > _MAX_TEXT:
            text = text[:_MAX_TEXT]
            warnings.append(f"第 {i} 行内容超过 {_MAX_TEXT} 字，已截断。 Row {i}: text cut to {_MAX_TEXT} characters.")
        date = None
        if mapping.get("date"):
            try:
                date = parse_record_date(rec.get(mapping["date"]))
            except ValueError as exc:
                warnings.append(f"第 {i} 行：{exc}（日期已留空 date left empty）")
        channel = default_channel
        if get("channel"):
            channel = channel_key(get("channel")) or default_channel
            if channel_key(get("channel")) is None:
                warnings.append(f"第 {i} 行：未知渠道「{_masked(get('channel'))[:20]}」，记为“{channel_label(default_channel)}”。"
                                f" Row {i}: unknown channel, recorded as {default_channel}.")
        status = "new"
        if get("status"):
            status = status_key(get("status")) or "new"
            if status_key(get("status")) is None:
                warnings.append(f"第 {i} 行：未知状态「{_masked(get('status'))[:20]}」，记为“待处理”。 Row {i}: unknown status, recorded as new.")
        rows.append((i, date, channel, get("group") or None, get("unit") or None, text, status))
    return pd.DataFrame(rows, columns=RECORD_COLUMNS), errors, warnings


def _is_multi_select(values: pd.Series) -> bool:
    """A 问卷星 multi-select column kept as text (options joined by ┋), not an open question."""
    return bool(values.astype("string").str.contains("┋", regex=False).fillna(False).any())


def records_from_dataset(ds, *, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """The open answers of a coded wave as records (channel ``survey``), one per non-empty answer.

    Columns ``RECORD_COLUMNS`` plus ``column`` (the question) and ``cell_n`` (respondents of the
    answer's group in the wave: the comment threshold applies to it). ``row`` is the respondent's
    1-based data row in the file; ``date`` the submission date. Answers that say nothing (无,
    没有意见 …) and multi-select columns (options joined by ┋) are left out.
    """
    lex = lexicon or shipped_lexicon()
    cols = RECORD_COLUMNS + ["column", "cell_n"]
    texts = getattr(ds, "texts", None)
    if texts is None or not len(texts.columns) or not len(texts):
        return pd.DataFrame(columns=cols)
    resp = ds.respondents.reset_index(drop=True)
    n = len(resp)
    groups = resp["group"].astype("string") if "group" in resp.columns else pd.Series(pd.NA, index=resp.index, dtype="string")
    keys = groups.fillna("")
    sizes = keys.map(keys.value_counts()).astype(int).tolist()
    group_list = [None if g is pd.NA else str(g) for g in groups.tolist()]
    if "submitted_at" in resp.columns:
        stamps = pd.to_datetime(resp["submitted_at"], errors="coerce")
        date_list = [None if pd.isna(d) else d.date() for d in stamps.tolist()]
    else:
        date_list = [None] * n
    row_list = [int(r) for r in resp["row"].tolist()]
    verdict: dict[str, bool] = {}  # is_no_opinion per distinct answer (answers repeat a lot)
    out = []
    for col in texts.columns:
        values = texts[col].reset_index(drop=True)
        if _is_multi_select(values):
            continue
        for i, v in enumerate(values.tolist()):
            if v is None or v is pd.NA or (isinstance(v, float) and v != v):
                continue
            s = str(v).strip()
            skip = verdict.get(s)
            if skip is None:
                skip = verdict[s] = not s or is_no_opinion(s, lex)
            if skip:
                continue
            out.append((row_list[i], date_list[i], "survey", group_list[i], None, s[:_MAX_TEXT], "new", str(col),
                        sizes[i]))
    return pd.DataFrame(out, columns=cols)


def analyse_records(records: pd.DataFrame, *, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Records with their text masked and ``areas, tone, suggestion, keywords, n_masked`` added.

    The ``text`` column is replaced by the masked text: the original is not kept.
    """
    out = records.copy()
    res = analyse_texts(out["text"].tolist(), lexicon)
    out["text"] = res["text"].to_numpy()
    for c in ("n_masked", "areas", "tone", "suggestion", "keywords"):
        out[c] = res[c].to_numpy()
    return out


def check_record(*, date: object, channel: str, group: object, unit: object, text: object,
                 status: str = "new") -> dict:
    """One typed-in record validated: keys ``date, channel, group, unit, text, status``.

    Raises ValueError (bilingual) for empty text, an unknown channel or status, a bad date.
    """
    t = _cell(text)
    if not t:
        raise ValueError("请填写意见内容。 The text must not be empty.")
    if len(t) > _MAX_TEXT:
        raise ValueError(f"意见内容最长 {_MAX_TEXT} 字。 The text has at most {_MAX_TEXT} characters.")
    ch = channel if channel in CHANNELS else channel_key(channel)
    if ch is None:
        raise ValueError(f"未知渠道：{channel}。可选：{', '.join(c.zh for c in CHANNELS.values())}。 Unknown channel.")
    st = status if status in STATUSES else status_key(status)
    if st is None:
        raise ValueError(f"未知状态：{status}。可选：{', '.join(STATUSES)}。 Unknown status.")
    return {"date": parse_record_date(date), "channel": ch, "group": _cell(group) or None,
            "unit": _cell(unit) or None, "text": t, "status": st}
