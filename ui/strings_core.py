"""UI strings of the frame and the analysis pages (zh-CN / en). Keys are grouped by page."""

from __future__ import annotations

__all__ = ["STRINGS"]

STRINGS: dict[str, dict[str, str]] = {
    # --- frame -------------------------------------------------------------------------------------
    "app_title": {"zh": "后勤服务满意度分析看板", "en": "Logistics Service Satisfaction Dashboard"},
    "nav_overview": {"zh": "总览", "en": "Overview"},
    "nav_areas": {"zh": "服务领域", "en": "Service areas"},
    "nav_trends": {"zh": "趋势", "en": "Trends"},
    "nav_compare": {"zh": "对比", "en": "Comparison"},
    "nav_quality": {"zh": "质量与信度", "en": "Quality & reliability"},
    "nav_priorities": {"zh": "重点改进", "en": "Priorities"},
    "nav_data": {"zh": "数据管理", "en": "Data management"},
    "nav_locked": {"zh": "需管理员登录", "en": "Manager login required"},
    "language": {"zh": "语言 Language", "en": "Language 语言"},
    "filters": {"zh": "筛选", "en": "Filters"},
    "f_wave": {"zh": "调查批次", "en": "Survey wave"},
    "f_area": {"zh": "服务领域", "en": "Service area"},
    "f_by": {"zh": "分组依据", "en": "Break down by"},
    "f_basic": {"zh": "“基本满意”计为满意（好差评口径）", "en": "Count “基本满意” (fairly satisfied) as satisfied"},
    "f_basic_help": {
        "zh": "默认只把“非常满意”和“满意”计为满意；勾选后按好差评口径也计入“基本满意”。",
        "en": "By default only the labels above the midpoint count as satisfied; tick to also count 基本满意.",
    },
    "f_exclude": {"zh": "剔除可疑答卷", "en": "Exclude flagged responses"},
    "f_exclude_help": {
        "zh": "剔除筛查标记的答卷（答题过快、连续同一选项、重复提交）。",
        "en": "Drop responses flagged by screening (speeders, straight-liners, duplicates).",
    },
    "f_k": {"zh": "匿名阈值 k", "en": "Anonymity threshold k"},
    "f_k_help": {
        "zh": "分组人数少于 k 的单元格不显示，以免识别出个人。",
        "en": "Breakdown cells with fewer than k respondents are hidden so no one can be identified.",
    },
    "f_present": {"zh": "演示模式", "en": "Presentation mode"},
    "exit_present": {"zh": "退出演示模式", "en": "Leave presentation mode"},
    "group": {"zh": "调查对象类别", "en": "Respondent group"},
    "all_areas": {"zh": "全部领域", "en": "All areas"},
    "share": {"zh": "分享链接", "en": "Share link"},
    "share_help": {
        "zh": "复制此链接即可在其他电脑或投影上打开同一视图。",
        "en": "Copy this link to open the same view on another computer or the projector.",
    },
    "store_unavailable": {
        "zh": "数据存储尚不可用：{err}",
        "en": "The data store is not available: {err}",
    },
    "no_waves": {
        "zh": "还没有调查数据。请管理员在“数据管理”页上传问卷星/腾讯问卷导出文件。",
        "en": "No survey data yet. A manager can upload a survey export on the Data management page.",
    },
    "wave_unavailable": {"zh": "无法读取该批次：{err}", "en": "Could not load this wave: {err}"},
    "wave_caption": {"zh": "{name} · {unit} · {period}", "en": "{name} · {unit} · {period}"},
    "definition": {"zh": "口径", "en": "Definition"},
    "def_satisfied": {
        "zh": "满意率 = 满意答案数 ÷ 有效答案数；满意 = {labels}；不计入有效：跳过、空、{na}。",
        "en": "Satisfaction rate = satisfied ÷ valid answers; satisfied = {labels}; not valid: skipped, empty, {na}.",
    },
    "def_sample": {"zh": "有效问卷：{n} 份。", "en": "Valid questionnaires: {n}."},
    "def_interval": {"zh": "区间：Wilson 95% 置信区间。", "en": "Interval: Wilson 95% confidence interval."},
    "def_flagged_on": {"zh": "已剔除可疑答卷。", "en": "Flagged responses excluded."},
    "def_flagged_off": {"zh": "包含全部答卷（未剔除可疑答卷）。", "en": "All responses included (none excluded)."},
    "error_input": {"zh": "无法计算：{err}", "en": "Cannot compute: {err}"},
    # --- overview ----------------------------------------------------------------------------------
    "overview_title": {"zh": "总览", "en": "Overview"},
    "rate": {"zh": "满意率", "en": "Satisfaction rate"},
    "n_valid": {"zh": "有效答案", "en": "Valid answers"},
    "n_short": {"zh": "n = {n}", "en": "n = {n}"},
    "ci": {"zh": "95% 区间 {low}–{high}", "en": "95% CI {low}–{high}"},
    "delta_prev": {"zh": "较上次 {pp}", "en": "{pp} vs previous wave"},
    "significant": {"zh": "显著", "en": "significant"},
    "sig_mark": {"zh": "★ 显著（p < 0.05）", "en": "★ significant (p < 0.05)"},
    "best_on_record": {"zh": ":material/emoji_events: 历史最好", "en": ":material/emoji_events: best on record"},
    "col_best": {"zh": "历史最好", "en": "Best on record"},
    "hidden_cell": {"zh": "已隐藏", "en": "hidden"},
    "no_prev": {"zh": "无上一批次可比较", "en": "no previous wave to compare"},
    "distributed": {"zh": "发放", "en": "Distributed"},
    "returned": {"zh": "回收", "en": "Returned"},
    "valid_q": {"zh": "有效问卷", "en": "Valid questionnaires"},
    "response_rate": {"zh": "回收率", "en": "Response rate"},
    "validity_rate": {"zh": "有效率", "en": "Validity rate"},
    "rates_def": {
        "zh": "回收率 = 回收数 ÷ 发放数；有效率 = 有效问卷 ÷ 回收数；有效回收率 = 有效问卷 ÷ 发放数。",
        "en": "Response rate = returned ÷ distributed; validity rate = valid ÷ returned; "
              "valid response rate = valid ÷ distributed.",
    },
    "area_cards": {"zh": "各服务领域满意率", "en": "Satisfaction by service area"},
    "distribution": {"zh": "各题答案分布", "en": "Answer distribution per item"},
    "distribution_caption": {
        "zh": "每行一题，按满意率排序；左侧为不满意，右侧为满意，中间选项跨零线对半分。",
        "en": "One row per item, ranked by satisfaction rate; dissatisfied left of zero, satisfied right, "
        "the neutral answer split across zero.",
    },
    "no_items": {"zh": "该批次没有量表题。", "en": "This wave has no rating items."},
    # --- areas -------------------------------------------------------------------------------------
    "areas_title": {"zh": "服务领域", "en": "Service areas"},
    "items_ranked": {"zh": "各题满意率（由低到高）", "en": "Items ranked by satisfaction rate"},
    "breakdown": {"zh": "按{by}分组", "en": "Broken down by {by}"},
    "no_groups": {
        "zh": "该批次没有可分组的字段（调查对象类别或其他属性列）。",
        "en": "This wave has no column to break down by (respondent group or other attribute).",
    },
    "suppressed_note": {
        "zh": "{n} 个单元格因人数少于 {k} 人（或为防止反推）已隐藏。",
        "en": "{n} cells hidden: fewer than {k} respondents (or hidden so a small cell cannot be recovered).",
    },
    "reason_small_cell": {"zh": "人数少于 k", "en": "fewer than k respondents"},
    "reason_complementary": {"zh": "防反推隐藏", "en": "hidden to protect a small cell"},
    "col_item": {"zh": "题目", "en": "Item"},
    "col_area": {"zh": "领域", "en": "Area"},
    "col_group": {"zh": "分组", "en": "Group"},
    "col_rate": {"zh": "满意率", "en": "Satisfaction"},
    "col_ci": {"zh": "95% 区间", "en": "95% CI"},
    "col_n": {"zh": "有效 n", "en": "Valid n"},
    "col_mean": {"zh": "均分", "en": "Mean"},
    "col_index": {"zh": "百分制指数", "en": "Index (0–100)"},
    "col_hidden": {"zh": "隐藏原因", "en": "Why hidden"},
    # --- trends ------------------------------------------------------------------------------------
    "trends_title": {"zh": "趋势", "en": "Trends"},
    "level": {"zh": "层级", "en": "Level"},
    "level_area": {"zh": "服务领域", "en": "Service areas"},
    "level_item": {"zh": "题目", "en": "Items"},
    "one_wave": {
        "zh": "只有一个调查批次，至少需要两个批次才能看趋势。",
        "en": "Only one survey wave: trends need at least two.",
    },
    "trend_caption": {
        "zh": "阴影为 95% 区间；★ 表示与上一批次相比变化显著（χ² 检验，p < 0.05）。题目按文字跨年匹配，改写过的题目仍按领域汇总。",
        "en": "Bands are 95% intervals; ★ marks a significant change from the previous wave (χ² test, p < 0.05). "
        "Items are matched by wording across years; reworded items still roll up by area.",
    },
    "wave": {"zh": "批次", "en": "Wave"},
    # --- compare -----------------------------------------------------------------------------------
    "compare_title": {"zh": "分组对比", "en": "Group comparison"},
    "heatmap": {"zh": "各组 × 各题满意率", "en": "Satisfaction rate, groups × items"},
    "tests": {"zh": "独立性 χ² 检验（Holm 校正）", "en": "χ² tests of independence (Holm-corrected)"},
    "tests_caption": {
        "zh": "每题检验各组的满意/不满意比例是否相同；Cramér's V 衡量差异大小（0.1 小，0.3 中，0.5 大）；p 值经 Holm 多重比较校正。",
        "en": "Each item tests whether groups share the same satisfied share; Cramér's V is the effect size "
        "(0.1 small, 0.3 medium, 0.5 large); p-values are Holm-corrected for multiple items.",
    },
    "low_expected": {
        "zh": "{n} 题存在期望频数小于 5 的单元格，χ² 检验结果可能不可靠。",
        "en": "{n} items have cells with expected counts below 5; their χ² results may be unreliable.",
    },
    "col_chi2": {"zh": "χ²", "en": "χ²"},
    "col_dof": {"zh": "自由度", "en": "dof"},
    "col_p": {"zh": "p 值", "en": "p"},
    "col_p_holm": {"zh": "Holm 校正 p", "en": "Holm p"},
    "col_v": {"zh": "Cramér's V", "en": "Cramér's V"},
    "col_low_expected": {"zh": "期望频数<5", "en": "expected < 5"},
    # --- quality -----------------------------------------------------------------------------------
    "quality_title": {"zh": "质量与信度", "en": "Quality & reliability"},
    "alpha_title": {"zh": "Cronbach's α（内部一致性）", "en": "Cronbach's α (internal consistency)"},
    "alpha_caption": {
        "zh": "α ≥ 0.7 一般认为可接受；区间为 Feldt 95% 区间；缺失按成对删除（与 R psych::alpha 一致）。",
        "en": "α ≥ 0.7 is usually acceptable; Feldt 95% interval; pairwise deletion (as R psych::alpha).",
    },
    "alpha_overall": {"zh": "全部题目", "en": "All items"},
    "col_alpha": {"zh": "α", "en": "α"},
    "col_n_items": {"zh": "题数", "en": "Items"},
    "col_n_obs": {"zh": "样本", "en": "n"},
    "alpha_deleted": {"zh": "删除该题后的 α", "en": "α if item deleted"},
    "alpha_deleted_caption": {
        "zh": "若删除某题后 α 明显上升，说明该题与同领域其他题不一致。",
        "en": "An item whose removal raises α noticeably does not fit the other items of its area.",
    },
    "kmo_title": {"zh": "KMO 与 Bartlett 球形检验", "en": "KMO and Bartlett's test of sphericity"},
    "kmo_value": {"zh": "KMO", "en": "KMO"},
    "bartlett_value": {"zh": "Bartlett χ²（自由度 {dof}）", "en": "Bartlett χ² (dof {dof})"},
    "kmo_caption": {
        "zh": "KMO ≥ 0.6 且 Bartlett 检验 p < 0.05 时适合做因子分析（结构效度）。",
        "en": "KMO ≥ 0.6 and Bartlett p < 0.05 suggest the items suit factor analysis (construct validity).",
    },
    "screening_title": {"zh": "答卷筛查", "en": "Response screening"},
    "screening_summary": {
        "zh": "共 {n} 份答卷，{flagged} 份被标记（{share}）。",
        "en": "{n} responses, {flagged} flagged ({share}).",
    },
    "reason": {"zh": "原因", "en": "Reason"},
    "count": {"zh": "份数", "en": "Count"},
    "reason_speeder": {"zh": "答题过快", "en": "Speeder"},
    "reason_straightliner": {"zh": "连续同一选项", "en": "Straight-liner"},
    "reason_duplicate_id": {"zh": "重复编号", "en": "Duplicate id"},
    "reason_duplicate_answers": {"zh": "重复答卷", "en": "Duplicate answers"},
    "too_few_items": {"zh": "题目太少（至少 2 题）", "en": "too few items (need 2)"},
    # --- priorities --------------------------------------------------------------------------------
    "priorities_title": {"zh": "重点改进", "en": "Priorities"},
    "ipa_title": {"zh": "重要性—表现分析（IPA）", "en": "Importance–performance analysis"},
    "ipa_caption": {
        "zh": "表现 = 平均分的百分制指数（(均分−1)/(k−1)×100）；重要性 = {source}；虚线为各自平均值，把题目分成四个象限。",
        "en": "Performance = mean score as a 0–100 index ((mean−1)/(k−1)×100); importance = {source}; "
        "dashed lines at the means split the quadrants.",
    },
    "importance_stated": {"zh": "问卷中的重要性评分", "en": "stated importance"},
    "importance_derived": {
        "zh": "与总体满意度题的相关系数（推导）",
        "en": "correlation with overall satisfaction (derived)",
    },
    "no_overall": {
        "zh": "该批次没有“总体满意度”题，也没有重要性评分，无法推导重要性。请在编码表中把总体评价题的领域设为“总体”。",
        "en": "This wave has no overall-satisfaction item and no stated importance, so importance cannot be "
        "derived. Set the area of the overall question to “overall” in the codebook.",
    },
    "q_concentrate": {"zh": "重点改进区", "en": "Concentrate here"},
    "q_keep_up": {"zh": "继续保持区", "en": "Keep up the good work"},
    "q_low_priority": {"zh": "次要改进区", "en": "Low priority"},
    "q_possible_overkill": {"zh": "资源过剩区", "en": "Possible overkill"},
    "candidates": {"zh": "建议列入整改台账的题目", "en": "Candidates for corrective action"},
    "no_candidates": {"zh": "没有题目落在重点改进区。", "en": "No item falls in the concentrate-here quadrant."},
    "col_performance": {"zh": "表现（百分制）", "en": "Performance (0–100)"},
    "col_importance": {"zh": "重要性", "en": "Importance"},
    "col_quadrant": {"zh": "象限", "en": "Quadrant"},
    # --- charts ------------------------------------------------------------------------------------
    "axis_share": {"zh": "占比", "en": "Share"},
    "axis_rate": {"zh": "满意率", "en": "Satisfaction rate"},
    "axis_alpha": {"zh": "删除后的 α", "en": "α if deleted"},
    "axis_performance": {"zh": "表现（百分制指数）", "en": "Performance (0–100 index)"},
    "axis_importance": {"zh": "重要性", "en": "Importance"},
    "current_alpha": {"zh": "当前 α", "en": "current α"},
}
