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
    "data_series": {"zh": "调查项目", "en": "Survey series"},
    "data_series_help": {
        "zh": "建议：同一问卷、同一单位最近的调查项目。本批次只与同一调查项目的上一批次比较。",
        "en": "Suggested: the latest series of the same questionnaire and unit. This wave is compared only "
              "with the previous wave of its series.",
    },
    "data_series_new": {"zh": "新建调查项目…", "en": "New series…"},
    "data_series_new_name": {"zh": "新调查项目名称（选“新建”时使用）", "en": "New series name (used with “New series”)"},
    "data_fieldwork_start": {"zh": "调查开始日期", "en": "Fieldwork start"},
    "data_fieldwork_end": {"zh": "调查结束日期", "en": "Fieldwork end"},
    "data_likely_duplicate": {
        "zh": "这些答卷与已有批次 #{wave}「{name}」的 {share} 相同，可能是同一次调查从另一平台导出的文件。",
        "en": "{share} of these responses equal stored wave #{wave} “{name}”: probably the same survey exported "
              "from another platform.",
    },
    "data_duplicate_confirm": {
        "zh": "我确认这是另一次调查，仍然保存为新批次", "en": "This is a different survey: save it as a new wave anyway",
    },
    "data_open_overview": {"zh": "在总览中查看该批次", "en": "Open this wave in the overview"},
    "flagged_list": {"zh": "被标记的答卷（{n} 份）：", "en": "Flagged responses ({n}):"},
    "flagged_download": {"zh": "下载被标记答卷清单（CSV）", "en": "Download the flagged responses (CSV)"},
    "col_resp_id": {"zh": "答卷编号", "en": "Response id"},
    # codebook editor: column headers and role names (analysis.model.ROLES keys never shown)
    "cb_col_column": {"zh": "文件中的列", "en": "Column in the file"},
    "cb_col_role": {"zh": "角色", "en": "Role"},
    "cb_col_area": {"zh": "服务领域", "en": "Service area"},
    "cb_col_scale": {"zh": "量表", "en": "Scale"},
    "cb_col_label": {"zh": "题目简称", "en": "Item label"},
    "cb_col_codes": {"zh": "选项代码", "en": "Option codes"},
    "cbrole_id": {"zh": "答卷编号", "en": "Response id"},
    "cbrole_submitted_at": {"zh": "提交时间", "en": "Submission time"},
    "cbrole_duration": {"zh": "答题用时", "en": "Completion time"},
    "cbrole_ip": {"zh": "来源 IP", "en": "Source IP"},
    "cbrole_group": {"zh": "答题人身份", "en": "Respondent group"},
    "cbrole_attribute": {"zh": "分组属性（校区、学院等）", "en": "Breakdown (campus, college …)"},
    "cbrole_likert": {"zh": "满意度评分题", "en": "Rating item"},
    "cbrole_importance": {"zh": "重要性评分", "en": "Stated importance"},
    "cbrole_text": {"zh": "开放题", "en": "Open answer"},
    "cbrole_multi": {"zh": "多选题", "en": "Multiple choice"},
    "cbrole_ignore": {"zh": "忽略", "en": "Ignore"},
    "area_tests": {"zh": "服务领域：各组满意率是否不同", "en": "Service areas: do the groups' rates differ?"},
    "area_tests_caption": {
        "zh": "线性概率模型的 Wald 检验，以答题人为聚类的稳健方差（同一人的多道题答案不独立）；Holm 校正跨领域。"
              "答题人次 = 人数 × 题数。",
        "en": "Wald test in a linear probability model with cluster-robust variance, respondents as clusters (one "
              "person's answers are not independent); Holm correction across areas. Answers = people × items.",
    },
    "col_effective_rate": {"zh": "有效回收率", "en": "Valid response rate"},
    "col_series_name": {"zh": "调查项目", "en": "Survey series"},
}
