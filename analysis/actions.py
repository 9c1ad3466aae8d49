"""Corrective actions (整改台账): registries, typed-target parsing and verification by the next wave.

DESIGN.md "Corrective actions (整改台账) and their verification". An action has a target — an
item or a service area with a threshold rate (满意率 ≥ 85 %) or a change from the baseline
("提升5个百分点"). :func:`verify` checks each action against the waves of its series:

* verifying wave — the first wave of the action's series dated after the completion date
  (a wave that does not ask the target's item or area cannot verify it and is passed over);
* baseline wave — the last wave of that series dated before the action was created or, for
  imported actions, before the completion date;
* verdict — ``met`` / ``not_met`` (rate ≥ target, or change ≥ target change), ``in_progress`` /
  ``overdue`` while not done, ``awaiting_wave`` when done but no later wave measures it yet,
  ``no_target``; ``confident`` when the Wilson 95 % interval lies wholly on the verdict's side of
  the target (change targets: the two-proportion test significant at 5 % in that direction).

Pure: no store, no streamlit. The store wiring (which waves, which rates) is
``analysis.store.actions.verify_actions``.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.areas import AREAS
from analysis.compare import two_proportion_test
from analysis.metrics import wilson_interval

__all__ = [
    "Label",
    "STATUSES",
    "KINDS",
    "VERDICTS",
    "ORIGINS",
    "TARGET_KINDS",
    "Target",
    "TargetParse",
    "parse_target",
    "parse_status",
    "parse_kind",
    "area_of_subject",
    "match_item",
    "normalise_label",
    "target_text",
    "verify",
    "summary_counts",
    "suggest_target",
    "VERIFY_COLUMNS",
    "ACTION_INPUT_COLUMNS",
    "ALPHA",
]

ALPHA = 0.05  # significance level of the change's test (and 95 % intervals)


@dataclass(frozen=True)
class Label:
    """A registry entry: canonical key, Chinese and English labels, import synonyms."""

    key: str
    zh: str
    en: str
    synonyms: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def _registry(*entries: Label) -> dict[str, Label]:
    return {e.key: e for e in entries}


# Status of the work (整改进度). Synonyms are what offices type in the 完成情况 / 进展情况 column.
STATUSES: dict[str, Label] = _registry(
    Label("planned", "未启动", "Planned",
          ("未启动", "未开始", "计划中", "待启动", "待办", "尚未启动", "拟启动", "未完成（未启动）", "planned",
           "not started", "to do", "todo")),
    Label("in_progress", "推进中", "In progress",
          ("推进中", "进行中", "整改中", "正在推进", "持续推进", "正在整改", "实施中", "部分完成", "基本完成", "长期坚持",
           "持续整改", "未完成", "in progress", "ongoing", "started", "partly done", "partially done")),
    Label("done", "已完成", "Done",
          ("已完成", "完成", "已整改", "整改完成", "已办结", "办结", "已落实", "落实", "已解决", "已销号", "销号", "done",
           "completed", "complete", "finished", "closed")),
)

# Kind of action, the split campaign plans make (立行立改 / 限期整改).
KINDS: dict[str, Label] = _registry(
    Label("immediate", "立行立改", "Fix at once", ("立行立改", "立即整改", "即知即改", "immediate", "at once")),
    Label("scheduled", "限期整改", "Fix by a deadline", ("限期整改", "限时整改", "长期整改", "scheduled", "deadline")),
)

# Verdicts of verify(); ``badge`` colours the page's badges.
VERDICTS: dict[str, Label] = _registry(
    Label("met", "达标", "Target met"),
    Label("not_met", "未达标", "Target not met"),
    Label("in_progress", "推进中", "In progress"),
    Label("overdue", "逾期", "Overdue"),
    Label("awaiting_wave", "待验证", "Awaiting the next survey"),
    Label("no_target", "无量化目标", "No measurable target"),
)

# Where an action came from (imported actions take their baseline before the completion date).
ORIGINS: dict[str, Label] = _registry(
    Label("form", "手工录入", "Form"),
    Label("priorities", "重点改进", "Priorities page"),
    Label("areas", "服务领域", "Service-area page"),
    Label("feedback", "意见反馈", "Feedback"),
    Label("import", "台账导入", "Imported register"),
    Label("cli", "命令行", "Command line"),
    Label("demo", "示例", "Demo"),
)
IMPORTED_ORIGINS = frozenset({"import"})

TARGET_KINDS: dict[str, Label] = _registry(
    Label("item", "题目", "Item"),
    Label("area", "服务领域", "Service area"),
)


def _norm_word(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip().lower()


def _lookup(registry: dict[str, Label], text: object, what_zh: str, what_en: str) -> str:
    raw = _norm_word(text)
    raw = re.sub(r"\s+", " ", raw)
    if raw in registry:
        return raw
    for entry in registry.values():
        words = {_norm_word(s) for s in (entry.zh, entry.en, *entry.synonyms)}
        if raw in words:
            return entry.key
    choices = "、".join(e.zh for e in registry.values())
    raise ValueError(f"无法识别的{what_zh}「{text}」，可用：{choices}。 Unknown {what_en} '{text}'.")


def parse_status(text: object) -> str:
    """Status key from a typed status (``"已完成"`` → ``done``, ``"推进中"`` → ``in_progress``); ValueError if unknown."""
    return _lookup(STATUSES, text, "完成情况", "status")


def parse_kind(text: object) -> str:
    """Kind key from typed text (``"立行立改"`` → ``immediate``); ValueError if unknown."""
    return _lookup(KINDS, text, "整改类型", "kind")


# ---------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What an action must reach.

    ``kind`` ``"item"`` / ``"area"`` (``""`` when the text names neither — then the caller supplies
    the subject), ``key`` the area key or the item's label, ``label`` the subject as typed,
    ``rate`` the threshold as a fraction (threshold targets) and ``change_pp`` the required rise in
    percentage points (change targets); exactly one of the two is set.
    """

    kind: str
    key: str
    label: str
    rate: float | None = None
    change_pp: float | None = None

    @property
    def mode(self) -> str:
        return "change" if self.change_pp is not None else "threshold"

    def with_subject(self, kind: str, key: str, label: str | None = None) -> Target:
        return Target(kind, key, label if label is not None else self.label, self.rate, self.change_pp)


@dataclass(frozen=True)
class TargetParse:
    """Result of :func:`parse_target`: a target, or none stated (``empty``), or a reason it cannot be read."""

    target: Target | None
    reason: str = ""
    empty: bool = False

    @property
    def ok(self) -> bool:
        return self.target is not None


# Words meaning "no quantified target" in a register's 整改目标 column.
_EMPTY_TARGETS = {"", "无", "暂无", "无量化目标", "不适用", "/", "-", "—", "——", "n/a", "na", "none", "nan", "无目标"}

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_number(text: str) -> float | None:
    """A Chinese numeral 0–100 (``八十五`` → 85, ``九十`` → 90, ``十`` → 10, ``一百`` → 100); None if not one."""
    if not text:
        return None
    if text == "一百" or text == "百":
        return 100.0
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _CN_DIGITS.get(tens, None) if tens else 1
        o = _CN_DIGITS.get(ones, None) if ones else 0
        if t is None or o is None:
            return None
        return float(t * 10 + o)
    if len(text) == 1 and text in _CN_DIGITS:
        return float(_CN_DIGITS[text])
    return None


def _clean(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("％", "%").replace("﹪", "%")
    # 百分之八十五 / 百分之85 → 85%
    def _pct(m: re.Match) -> str:
        raw = m.group(1)
        val = _cn_number(raw) if not re.fullmatch(r"[\d.]+", raw) else float(raw)
        return f"{val:g}%" if val is not None else m.group(0)

    def _cn_points(m: re.Match) -> str:
        val = _cn_number(m.group(1))
        return f"{val:g}" if val is not None else m.group(0)

    t = re.sub(r"百分之([零〇一二两三四五六七八九十百]+|\d+(?:\.\d+)?)", _pct, t)
    t = re.sub(r"([零〇一二两三四五六七八九十]+)(?=个?百分点)", _cn_points, t)
    t = t.replace("≧", "≥").replace(">=", "≥").replace("=>", "≥")
    return re.sub(r"\s+", " ", t).strip()


_NUM = r"(\d+(?:\.\d+)?)"
# A change in points: 提升5个百分点 / 提高 5 pp / increase by 5 points
_CHANGE_RE = re.compile(
    r"(?:提升|提高|增加|增长|上升|增|升|提|raise[sd]?|increase[sd]?|improve[sd]?|up|rise|by)\s*(?:by\s*)?"
    r"(?:了|约)?\s*" + _NUM + r"\s*(?:个)?\s*(?:百分点|pp\b|percentage points?|points?|pts?\b)",
    re.I,
)
_CHANGE_BARE_RE = re.compile(_NUM + r"\s*(?:个)?\s*(?:百分点|pp\b|percentage points?)", re.I)
# A rate: 85% / 0.85
_PCT_RE = re.compile(_NUM + r"\s*%")
_FRACTION_RE = re.compile(r"(?<![\d.])(0?\.\d+|1\.0+|1)(?![\d.%])")
_DOWN_RE = re.compile(r"(下降|降低|降至|降到|减少|(?<!不)低于|以下|不超过|不高于|≤|<|less than|below|at most|reduce|decrease|lower)",
                      re.I)
_SCORE_RE = re.compile(r"\d\s*(分|星|points? out of)", re.I)
_RELATIVE_RE = re.compile(
    r"(?:提升|提高|增加|增长|上升|improve[sd]?|increase[sd]?|raise[sd]?)\s*(?:了|约|by)?\s*" + _NUM + r"\s*%", re.I)
_TO_RE = re.compile(r"(?:至|到|为|达|to)\s*" + _NUM + r"\s*%", re.I)
# Subject: what stands before 满意率/满意度 (or before the first verb when neither word is used).
_SATISFACTION_RE = re.compile(r"(满意率|满意度|满意程度|满意比例|满意|satisfaction(?: rate)?|rating)", re.I)
_VERB_RE = re.compile(
    r"(达到|达|提高|提升|升至|增加|不低于|不少于|至少|超过|高于|保持|稳定在|维持在|在\s*\d|≥|>|=|\d|reach|at least|above|"
    r"raise|increase|improve|to\s*\d|of\s*\d|over\s*\d)", re.I)
_LEAD_RE = re.compile(r"^(?:(?:力争|争取|确保|使|让|将|把|推动|实现|目标[:：]?|整改后|年底前|本年度|全年)\s*)+")
_WHO_RE = re.compile(r"^(?:学生|师生|教师|教职工|职工|员工|群众|家长|学员|住户|用户|服务对象)(?:们)?对")
_TAIL_RE = re.compile(r"(?:的|之|方面|情况|综合)$")
_SERVICE_SUFFIX_RE = re.compile(r"(?:服务|工作|管理|保障|服务质量|质量)$")


def normalise_label(text: object) -> str:
    """Item label for matching: NFKC, lower case, no spaces or punctuation (``"报修 渠道（便捷）"`` → ``"报修渠道便捷"``)."""
    t = unicodedata.normalize("NFKC", str(text or "")).lower()
    return "".join(ch for ch in t if ch.isalnum())


# Exact words that name a whole service area in a target ("学生公寓满意率" → accommodation). Only
# these: a subject like 早餐 or 热水供应 is an item, not an area, even though it contains an
# area keyword.
_AREA_WORDS: dict[str, tuple[str, ...]] = {
    "accommodation": ("住宿", "公寓", "学生公寓", "宿舍", "学生宿舍", "公寓管理", "住宿公寓", "accommodation", "dormitory",
                      "dormitories", "housing"),
    "catering": ("餐饮", "食堂", "饮食", "伙食", "餐厅", "学生食堂", "餐饮食堂", "catering", "canteen", "dining"),
    "maintenance": ("维修", "修缮", "maintenance", "repair", "repairs"),
    "cleaning": ("保洁", "环境卫生", "卫生", "清洁", "保洁环境卫生", "cleaning"),
    "greening": ("绿化", "园林绿化", "greening"),
    "utilities": ("水电", "水电供应", "供暖", "水电暖", "能源", "utilities"),
    "transport": ("交通", "班车", "校车", "校园班车", "通勤", "transport", "shuttle", "shuttle bus"),
    "medical": ("医疗", "医护", "医务", "医务室", "校医院", "卫生所", "医疗卫生", "medical", "medical care", "clinic"),
    "property": ("物业", "场馆", "会议接待", "楼宇", "物业场馆", "property", "venues"),
    "security": ("安保", "保安", "门卫", "治安", "security"),
    "overall": ("总体", "整体", "后勤", "后勤服务", "后勤保障", "综合", "总体满意", "overall", "logistics"),
}


def _area_words() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, words in _AREA_WORDS.items():
        names = [AREAS[key].zh, AREAS[key].en, *AREAS[key].zh.split("/")] if key in AREAS else []
        for w in (*words, *names):
            out.setdefault(normalise_label(w), key)
    return out


_AREA_INDEX = _area_words()


def area_of_subject(subject: str) -> str | None:
    """Area key when ``subject`` names a whole service area (``学生公寓`` → accommodation, ``物业服务`` → property).

    Exact words only (after dropping a trailing 服务/工作/管理…): ``热水供应`` or ``早餐`` name items.
    """
    s = normalise_label(subject)
    if not s:
        return None
    if s in _AREA_INDEX:
        return _AREA_INDEX[s]
    stripped = normalise_label(_SERVICE_SUFFIX_RE.sub("", subject.strip()))
    if stripped and stripped in _AREA_INDEX:
        return _AREA_INDEX[stripped]
    return None


def _subject(text: str) -> str:
    m = _SATISFACTION_RE.search(text)
    head = text[: m.start()] if m else (text[: _VERB_RE.search(text).start()] if _VERB_RE.search(text) else "")
    head = head.strip(" ，,。:：;；、")
    head = _LEAD_RE.sub("", head)
    head = _WHO_RE.sub("", head)
    head = head.strip()
    for _ in range(2):
        head = _TAIL_RE.sub("", head).strip()
    return head.strip(" ，,。:：;；、\"'“”「」《》()（）")


def _reason(zh: str, en: str, text: str) -> str:
    return f"目标「{text}」{zh} Target '{text}': {en}"


def parse_target(text: object, *, subject: Target | tuple[str, str] | None = None) -> TargetParse:
    """Read a typed target into item/area + threshold or change, or say why it cannot be read.

    Parameters
    ----------
    text : the 整改目标 text, e.g. ``"报修维修服务满意率达到80%以上"`` (item 报修维修服务 ≥ 0.80),
        ``"学生公寓满意率≥90%"`` (area accommodation ≥ 0.90), ``"提升至60%"`` (≥ 0.60, subject not
        stated), ``"班车满意率提升5个百分点"`` (area transport, change ≥ +5 points),
        ``"饭菜价格满意率不低于75%"``, ``"百分之八十五"``, ``"satisfaction at least 85%"``.
    subject : ``(kind, key)`` to use when the text names no item or area (the item or area the
        manager picked in the form); never inferred from other columns.

    Returns
    -------
    TargetParse
        ``target`` set when read; ``empty`` True for "no target" (blank, 无, —); else ``reason``
        (bilingual) says what is ambiguous: a relative "提升5%" (to 5 % or by 5 points?), a
        decrease, a score instead of a rate, several numbers, a rate above 100 %, or no number.
        Nothing is guessed: a subject that is neither stated nor given leaves ``kind`` empty.
    """
    raw = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    t = _clean(raw)
    if _norm_word(t) in _EMPTY_TARGETS:
        return TargetParse(None, empty=True)
    if _SCORE_RE.search(t) and not _PCT_RE.search(t):
        return TargetParse(None, _reason("是评分而不是满意率，请改写为满意率（如「满意率≥85%」）。",
                                         "a score, not a satisfaction rate; write it as a rate (e.g. 满意率≥85%).", raw))
    if _DOWN_RE.search(t):
        return TargetParse(None, _reason("是下降或上限目标；只支持满意率「不低于/达到/提升」类目标。",
                                         "a decrease or an upper bound; only 'at least / reach / raise by' targets on "
                                         "satisfaction rates are supported.", raw))
    change = _CHANGE_RE.search(t) or _CHANGE_BARE_RE.search(t)
    pcts = [float(x) for x in _PCT_RE.findall(t)]
    if change and pcts:
        return TargetParse(None, _reason("同时写了目标值和提升幅度，请只保留一个。",
                                         "states both a level and a rise; keep one.", raw))
    if change:
        value = float(change.group(1))
        if not 0 < value <= 100:
            return TargetParse(None, _reason("的提升幅度须在 0–100 个百分点之间。",
                                             "the rise must be between 0 and 100 points.", raw))
        return TargetParse(_finish(Target("", "", "", None, value), t, subject))
    if _RELATIVE_RE.search(t) and not _TO_RE.search(t):
        return TargetParse(None, _reason("不明确：是提升到该比例，还是提升若干个百分点？请写「提升至X%」或「提升X个百分点」。",
                                         "is ambiguous: raise TO that rate or BY that many points? Write 提升至X% or "
                                         "提升X个百分点.", raw))
    if len(pcts) > 1:
        to = _TO_RE.findall(t)  # 由60%提升至80%: the level after 至/到 is the target
        if len(to) == 1:
            pcts = [float(to[0])]
        else:
            return TargetParse(None, _reason("含有多个比例，无法确定目标值。", "has several rates; which one is the target?",
                                             raw))
    if pcts:
        value = pcts[0] / 100
    else:
        frac = _FRACTION_RE.findall(t)
        if len(frac) == 1 and _SATISFACTION_RE.search(t) and _VERB_RE.search(t):
            value = float(frac[0])
        else:
            return TargetParse(None, _reason("没有找到目标满意率（如「≥85%」「达到80%以上」「提升5个百分点」）。",
                                             "has no target rate (e.g. ≥85%, 达到80%以上, 提升5个百分点).", raw))
    if not 0 < value <= 1:
        return TargetParse(None, _reason("的目标满意率须在 0–100% 之间。", "the target rate must be between 0 and 100 %.",
                                         raw))
    return TargetParse(_finish(Target("", "", "", round(value, 6), None), t, subject))


def _finish(target: Target, text: str, subject: Target | tuple[str, str] | None) -> Target:
    label = _subject(text)
    if label:
        area = area_of_subject(label)
        if area is not None:
            return target.with_subject("area", area, label)
        return target.with_subject("item", label, label)
    if subject is not None:
        kind, key = (subject.kind, subject.key) if isinstance(subject, Target) else subject
        if kind in TARGET_KINDS and key:
            return target.with_subject(kind, key, "")
    return target


def match_item(subject: str, labels: Iterable[str]) -> str | None:
    """The item label ``subject`` names: equal after :func:`normalise_label`, else the one label that
    contains it or is contained in it (``报修渠道`` → ``报修渠道便捷``); None when none or several fit."""
    s = normalise_label(subject)
    if not s:
        return None
    labels = list(dict.fromkeys(str(x) for x in labels))
    exact = [lab for lab in labels if normalise_label(lab) == s]
    if exact:
        return exact[0]
    near = [lab for lab in labels if (s in normalise_label(lab)) or (normalise_label(lab) and normalise_label(lab) in s)]
    return near[0] if len(near) == 1 else None


def target_text(kind: str, key: str, label: str, rate: float | None, change_pp: float | None,
                lang: str = "zh") -> str:
    """The target written out (``"学生公寓满意率 ≥ 90%"`` / ``"Accommodation: +5 pp"``)."""
    from analysis.areas import area_name

    if kind == "area":
        name = area_name(key, lang) if key in AREAS else key
    else:
        name = key or label
    if rate is not None and not _isnan(rate):
        goal = f"≥ {rate * 100:g}%"
    elif change_pp is not None and not _isnan(change_pp):
        goal = f"+{change_pp:g} 个百分点" if lang == "zh" else f"+{change_pp:g} pp"
    else:
        return ""
    if lang == "zh":
        return f"{name}满意率 {goal}" if name else f"满意率 {goal}"
    return f"{name}: {goal}" if name else goal


def _isnan(x: object) -> bool:
    try:
        return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and math.isnan(x))
    except TypeError:
        return False


# ---------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------

ACTION_INPUT_COLUMNS = [
    "id", "series_id", "status", "deadline", "completed_on", "created_at", "origin",
    "target_kind", "target_key", "target_rate", "target_change",
]
VERIFY_COLUMNS = [
    "id", "verdict", "confident", "measured_wave", "measured_rate", "measured_k", "n_valid", "ci_low", "ci_high",
    "baseline_wave", "baseline_rate", "baseline_k", "baseline_n", "change_pp", "p_value", "note",
]
# ``note`` keys (why a verdict is what it is), translated by the UI.
NOTES = ("", "not_measured", "no_baseline", "completion_from_deadline", "no_completion_date", "no_series")

RateOf = Callable[[object, str, str], "tuple[int, int] | None"]


def _day(value: object) -> _dt.date | None:
    if _isnan(value):
        return None
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return None
    return ts.date()


def _measure(rate_of: RateOf, wave_id: object, kind: str, key: str) -> tuple[int, int] | None:
    got = rate_of(wave_id, kind, key)
    if got is None:
        return None
    k, n = int(got[0]), int(got[1])
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise ValueError(f"满意数 {k} 超出有效数 {n}（批次 {wave_id}）。 k={k} outside 0..n={n} for wave {wave_id}.")
    return k, n


def verify(actions: pd.DataFrame, waves: pd.DataFrame, rate_of: RateOf, *, today: object = None,
           confidence: float = 0.95) -> pd.DataFrame:
    """Verdict of every action against the waves of its series (DESIGN.md, exactly).

    Parameters
    ----------
    actions : columns ``ACTION_INPUT_COLUMNS`` — ``status`` a key of ``STATUSES``; ``deadline``,
        ``completed_on``, ``created_at`` dates; ``origin`` a key of ``ORIGINS`` (``import`` takes
        the baseline before the completion date); ``target_kind`` ``item``/``area``/empty,
        ``target_key`` the area key or item label, ``target_rate`` a fraction or NaN,
        ``target_change`` points or NaN.
    waves : the live (not deleted) waves: ``id, series_id, date``. A deleted or purged wave is
        simply absent, so verdicts follow every add, delete and restore.
    rate_of : ``rate_of(wave_id, kind, key) -> (n_satisfied, n_valid)`` or None when the wave does
        not measure that item/area.
    today : the date overdue is judged against (default: today).
    confidence : coverage of the Wilson interval (0.95).

    Returns
    -------
    DataFrame, columns ``VERIFY_COLUMNS``, one row per action in input order:
    ``measured_*`` from the verifying wave (``n_valid``, Wilson ``ci_low``/``ci_high``),
    ``baseline_*`` from the baseline wave, ``change_pp`` = 100 × (measured − baseline) with the
    two-proportion χ² test's ``p_value`` (analysis.compare.two_proportion_test; Wilson interval from
    analysis.metrics.wilson_interval, checked against statsmodels).

    Notes
    -----
    Dates compare by calendar day: a wave verifies when its date is later than the completion day,
    is a baseline when earlier than the reference day. Ties between waves of the same date go by id.
    A done action without a completion date is judged from its deadline (``note``
    ``completion_from_deadline``). ``confident`` for a change target: the test is significant at
    5 % and the change lies on the verdict's side of zero (up for met, down for not met).
    """
    today_d = _day(today) if today is not None else _dt.date.today()
    wv = pd.DataFrame({
        "id": waves["id"].to_numpy() if "id" in waves else [],
        "series_id": waves["series_id"].to_numpy() if "series_id" in waves else [],
        "day": [_day(d) for d in waves["date"]] if "date" in waves else [],
    })
    wv = wv[wv["day"].notna()]
    rows = []
    cache: dict[tuple, tuple[int, int] | None] = {}

    def measure(wid, kind, key):
        ck = (wid, kind, key)
        if ck not in cache:
            cache[ck] = _measure(rate_of, wid, kind, key)
        return cache[ck]

    for a in actions.to_dict("records"):
        rows.append(_verify_one(a, wv, measure, today_d, confidence))
    out = pd.DataFrame(rows, columns=VERIFY_COLUMNS)
    for col in ("measured_rate", "ci_low", "ci_high", "baseline_rate", "change_pp", "p_value"):
        out[col] = out[col].astype("float64")
    for col in ("measured_k", "n_valid", "baseline_k", "baseline_n"):
        out[col] = out[col].astype("Int64")
    for col in ("measured_wave", "baseline_wave"):  # wave ids: integers when the caller's ids are
        try:
            out[col] = out[col].astype("Int64")
        except (TypeError, ValueError):
            pass
    out["confident"] = out["confident"].astype(bool)
    return out


def _verify_one(a: dict, wv: pd.DataFrame, measure, today: _dt.date, confidence: float) -> dict:
    row = {c: None for c in VERIFY_COLUMNS}
    row.update(id=a.get("id"), confident=False, note="")
    kind = "" if _isnan(a.get("target_kind")) else (a.get("target_kind") or "")
    key = "" if _isnan(a.get("target_key")) else (a.get("target_key") or "")
    rate = None if _isnan(a.get("target_rate")) else float(a["target_rate"])
    change = None if _isnan(a.get("target_change")) else float(a["target_change"])
    has_target = kind in TARGET_KINDS and bool(key) and (rate is not None or change is not None)
    status = "planned" if _isnan(a.get("status")) else (a.get("status") or "planned")
    series = a.get("series_id")
    ser = wv[wv["series_id"] == series] if not _isnan(series) else wv.iloc[0:0]
    ser = ser.sort_values(["day", "id"], kind="stable")
    done = status == "done"
    completed = _day(a.get("completed_on"))
    if done and completed is None:
        completed = _day(a.get("deadline"))
        row["note"] = "completion_from_deadline" if completed is not None else "no_completion_date"
    created = _day(a.get("created_at"))
    reference = completed if (a.get("origin") in IMPORTED_ORIGINS and completed is not None) else (created or completed)

    baseline = None
    if has_target and reference is not None:
        for r in ser[ser["day"] < reference].iloc[::-1].itertuples(index=False):
            got = measure(r.id, kind, key)
            if got is not None:
                baseline = (r.id, *got)
                break
    if baseline is not None:
        row.update(baseline_wave=baseline[0], baseline_k=baseline[1], baseline_n=baseline[2],
                   baseline_rate=baseline[1] / baseline[2])

    if not done:
        deadline = _day(a.get("deadline"))
        row["verdict"] = "overdue" if deadline is not None and deadline < today else "in_progress"
        return row
    if not has_target:
        row["verdict"] = "no_target"
        return row
    if _isnan(series):
        row.update(verdict="awaiting_wave", note="no_series")
        return row
    if change is not None and baseline is None:
        row.update(verdict="no_target", note="no_baseline")
        return row
    measured = None
    later = ser[ser["day"] > completed] if completed is not None else ser.iloc[0:0]
    for r in later.itertuples(index=False):
        got = measure(r.id, kind, key)
        if got is not None:
            measured = (r.id, *got)
            break
    if measured is None:
        row.update(verdict="awaiting_wave", note=row["note"] or ("not_measured" if len(later) else ""))
        return row
    wid, k, n = measured
    low, high = wilson_interval(k, n, confidence)
    p_hat = k / n
    row.update(measured_wave=wid, measured_k=k, n_valid=n, measured_rate=p_hat, ci_low=float(low), ci_high=float(high))
    p_value = None
    if baseline is not None:
        _, bk, bn = baseline
        row["change_pp"] = 100 * (p_hat - bk / bn)
        _, p_value = two_proportion_test(bk, bn, k, n)
        row["p_value"] = None if np.isnan(p_value) else float(p_value)
    eps = 1e-9
    if change is None:
        met = k >= rate * n - eps * n
        confident = (low >= rate - eps) if met else (high < rate)
    else:
        diff = row["change_pp"]
        met = diff >= change - eps
        significant = row["p_value"] is not None and row["p_value"] < 1 - confidence
        confident = significant and ((diff > 0) if met else (diff < 0))
    row.update(verdict="met" if met else "not_met", confident=bool(confident))
    return row


def summary_counts(verdicts: Iterable[str]) -> dict[str, int]:
    """How many actions have each verdict (every key of ``VERDICTS``, zeros included) plus ``total``."""
    counts = {k: 0 for k in VERDICTS}
    total = 0
    for v in verdicts:
        total += 1
        if v in counts:
            counts[v] += 1
    counts["total"] = total
    return counts


def suggest_target(rate: float, *, rise_pp: float = 5.0, cap: float = 0.95) -> float:
    """A draft target for an item now at ``rate``: ``rate`` + 5 points rounded up to a whole percent,
    at most 95 % but never below the current rate (``0.62`` → ``0.67``, ``0.93`` → ``0.95``,
    ``0.97`` → ``0.97``). The manager edits it; it is only a starting point."""
    if rate is None or _isnan(rate) or not 0 <= float(rate) <= 1:
        raise ValueError(f"满意率须在 0–1 之间，而不是 {rate}。 The rate must be in [0, 1].")
    r = float(rate)
    up = math.ceil(round((r * 100 + rise_pp) * 1e6) / 1e6) / 100
    now = math.ceil(round(r * 100 * 1e6) / 1e6) / 100
    return round(max(min(cap, up), now), 4)
