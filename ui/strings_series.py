"""UI strings of survey series, trends and counts (issue 12). ``STRINGS = {key: {"zh", "en"}}``."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "f_series": {"zh": "调查项目", "en": "Survey series"},
    "f_series_help": {
        "zh": "同一单位同一份问卷的历次调查。变化、趋势和“历史最好”只在同一调查项目内按调查日期比较。",
        "en": "The waves of one recurring survey of one unit. Changes, trends and records compare waves "
              "within one series, in fieldwork-date order.",
    },
    "series_prev": {"zh": "与本项目上一批次「{name}」相比", "en": "compared with this series' previous wave “{name}”"},
    "series_first": {"zh": "本调查项目的第一批次，无可比较的上一批次。", "en": "The first wave of this series: nothing to compare with."},
    "fieldwork": {"zh": "调查时间", "en": "Fieldwork"},
    "answers_n": {"zh": "答题人次 {n} · {people} 人", "en": "{n} answers · {people} people"},
    "people_n": {"zh": "n = {n} 人", "en": "n = {n} people"},
    "sig_mark_area": {
        "zh": "★ = 与本调查项目上一批次相比变化显著（p < 0.05）。服务领域：线性概率模型，以答题人为聚类的稳健标准误"
              "（同一人的多道题答案不独立）；单题：2×2 卡方检验。",
        "en": "★ = significant change since this series' previous wave (p < 0.05). Service areas: linear "
              "probability model with cluster-robust errors, respondents as clusters (one person's answers "
              "are not independent); single items: 2×2 χ² test.",
    },
    "trend_lines": {"zh": "显示的线条（最多 8 条）", "en": "Lines shown (at most 8)"},
    "trend_area_items": {"zh": "显示该服务领域的各题", "en": "Showing the items of this service area"},
    "trend_too_many": {"zh": "线条较多，已只显示前 8 条；可在上方选择。", "en": "Only the first 8 lines are shown; choose above."},
    "trend_matched": {"zh": "题目跨批次匹配方式", "en": "How items were matched across waves"},
    "trend_axis": {"zh": "横轴按调查开始日期排列。", "en": "The time axis is spaced by fieldwork start date."},
    "col_date": {"zh": "调查日期", "en": "Fieldwork date"},
    "col_prev": {"zh": "上一批次", "en": "Previous wave"},
    "col_how": {"zh": "匹配方式", "en": "Matched by"},
    "col_people": {"zh": "人数", "en": "People"},
    "col_answers": {"zh": "答题人次", "en": "Answers"},
    "effective_rate": {"zh": "有效回收率", "en": "Valid response rate"},
    "valid_q_def": {
        "zh": "有效问卷 = 计入本页数字的问卷数（按当前的可疑答卷处理方式）；服务领域的 n 为答题人次（人数 × 题数），旁边为人数。",
        "en": "Valid questionnaires = the questionnaires in these figures (under the current choice on flagged "
              "responses); a service area's n counts answers (people × items), with the people beside it.",
    },
}
