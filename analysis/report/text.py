"""Words printed in the reports (zh-CN first, English second), one table for every format.

``analysis`` never imports ``ui``, so the report carries its own short vocabulary; the download
menu's own labels live in ``ui/strings_report.py``.
"""

from __future__ import annotations

import math

__all__ = ["TEXT", "tr", "pct", "pp", "num"]

TEXT: dict[str, tuple[str, str]] = {
    "title": ("满意度报告", "Satisfaction report"),
    "product": ("后勤服务满意度分析看板", "Logistics Service Satisfaction Dashboard"),
    "wave": ("调查批次", "Survey wave"),
    "unit": ("单位", "Unit"),
    "period": ("调查时间", "Period"),
    "made_at": ("生成时间", "Made at"),
    "data_version": ("数据版本", "Data version"),
    "responses": ("有效答卷", "Responses analysed"),
    "distributed": ("发放", "Distributed"),
    "returned": ("回收", "Returned"),
    "summary": ("摘要", "Summary"),
    "overview": ("各服务领域满意率", "Satisfaction by service area"),
    "area": ("服务领域", "Service area"),
    "item": ("题目", "Item"),
    "rate": ("满意率", "Satisfaction rate"),
    "rate_short": ("满意率", "Rate"),
    "ci_low": ("95%区间下限", "95% CI low"),
    "ci_high": ("95%区间上限", "95% CI high"),
    "ci": ("95% 区间", "95% interval"),
    "n_valid": ("有效答案数", "Valid answers"),
    "n_satisfied": ("满意数", "Satisfied"),
    "n_items": ("题目数", "Items"),
    "mean": ("均分", "Mean score"),
    "index100": ("百分制指数", "0–100 index"),
    "change": ("较上次（百分点）", "Change (pp)"),
    "change_short": ("较上次", "vs previous"),
    "significant": ("显著变化", "Significant"),
    "prev_wave": ("上次批次", "Previous wave"),
    "no_prev": ("无上次批次可比", "no earlier wave to compare"),
    "items_ranked": ("题目满意率排序", "Items ranked by satisfaction"),
    "distribution": ("答案分布", "Answer distribution"),
    "share": ("占比", "Share"),
    "trend": ("历次趋势", "Trend across waves"),
    "trend_table": ("趋势表", "Trend table"),
    "best": ("历史最高", "Best on record"),
    "p_value": ("p 值", "p-value"),
    "breakdown": ("按调查对象类别", "By respondent group"),
    "group": ("调查对象类别", "Respondent group"),
    "hidden": ("已隐藏", "hidden"),
    "hidden_note": (
        "人数少于 {k} 人的单元格（及可反推出它们的单元格）已隐藏，与看板相同。",
        "Cells describing fewer than {k} respondents (and cells that would reveal them) are hidden, as on the dashboard.",
    ),
    "actions": ("整改台账", "Improvement actions (整改)"),
    "problem": ("问题", "Problem"),
    "measure": ("整改措施", "Measure"),
    "owner": ("责任人", "Owner"),
    "deadline": ("期限", "Deadline"),
    "status": ("状态", "Status"),
    "target": ("目标", "Target"),
    "verdict": ("成效核验", "Verified by survey"),
    "measured": ("复测满意率", "Measured rate"),
    "feedback": ("意见反馈摘要", "Feedback highlights"),
    "date": ("日期", "Date"),
    "channel": ("渠道", "Channel"),
    "tone": ("倾向", "Tone"),
    "text": ("内容", "Text"),
    "count": ("条数", "Count"),
    "definitions": ("口径说明", "Definitions"),
    "definition": ("口径", "Definition"),
    "def_rate": (
        "满意率 = 满意答案数 ÷ 有效答案数；领域满意率按该领域全部题目合并计算。",
        "Satisfaction rate = satisfied ÷ valid answers; an area's rate pools all of its items.",
    ),
    "def_satisfied": ("{scale}：满意 = {labels}", "{scale}: satisfied = {labels}"),
    "def_excluded": (
        "不计入有效答案：跳过、空、不了解、不适用。",
        "Not valid answers: skipped, empty, don't know, not applicable.",
    ),
    "def_interval": ("区间为 Wilson 95% 置信区间。", "Intervals are Wilson 95% confidence intervals."),
    "def_change": (
        "较上次 = 与同一系列上一批次之差（百分点），★ 表示两比例 χ² 检验 p < 0.05。",
        "Change = difference from the series' previous wave (percentage points); ★ marks p < 0.05 (two-proportion χ²).",
    ),
    "def_basic_on": ("“基本满意”计为满意（好差评口径）。", "基本满意 counts as satisfied (好差评 convention)."),
    "def_basic_off": ("“基本满意”不计为满意。", "基本满意 does not count as satisfied."),
    "def_flag_on": ("已剔除筛查标记的可疑答卷。", "Responses flagged by screening are excluded."),
    "def_flag_off": ("包含全部答卷（未剔除可疑答卷）。", "All responses included (flagged ones kept)."),
    "def_anon": ("匿名阈值 k = {k}。", "Anonymity threshold k = {k}."),
    "sources": ("数据来源", "Data sources"),
    "file": ("文件", "File"),
    "uploaded_at": ("上传时间", "Uploaded at"),
    "uploaded_by": ("上传人", "Uploaded by"),
    "sha256": ("SHA-256 前缀", "SHA-256 prefix"),
    "page": ("第 {n} 页", "Page {n}"),
    "page_of": ("第 {n} / {total} 页", "Page {n} of {total}"),
    "headline": ("总体满意率", "Overall satisfaction"),
    "highest": ("最高", "Highest"),
    "lowest": ("最低", "Lowest"),
    "warnings": ("提示", "Notes"),
    "overall_row": ("全部领域合计", "All areas pooled"),
}


def tr(key: str, lang: str, **fmt: object) -> str:
    """The report word ``key`` in ``lang`` (``zh`` / ``en``), formatted with ``fmt``."""
    zh, en = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**fmt) if fmt else text


def _missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def pct(x: object, digits: int = 1) -> str:
    """``0.915`` → ``91.5%``; ``—`` when missing (same as the pages' ``fmt_pct``)."""
    return "—" if _missing(x) else f"{float(x) * 100:.{digits}f}%"


def pp(x: object, lang: str) -> str:
    """A change in percentage points with its sign (``+2.3 个百分点`` / ``+2.3 pp``)."""
    if _missing(x):
        return "—"
    return f"{float(x):+.1f}" + (" 个百分点" if lang == "zh" else " pp")


def num(x: object, digits: int = 2) -> str:
    return "—" if _missing(x) else f"{float(x):.{digits}f}"
