"""UI strings of the hardening work (issue 10): anonymity threshold, refused files, last-resort errors."""

STRINGS = {
    "exclude_refused": {
        "zh": "本批次仅有 {n} 份可疑答卷（少于匿名阈值 {k}）：剔除后与未剔除的结果相减即可还原这几份答卷，"
        "因此此处显示全部答卷。",
        "en": "Only {n} responses of this wave are flagged (fewer than the anonymity threshold {k}): comparing the "
        "figures with and without them would reveal their answers, so all responses are shown.",
    },
    "last_resort": {
        "zh": "页面出现意外错误（{kind}），已记录到服务器日志。请刷新页面或返回总览；若问题持续，请联系管理员。",
        "en": "Something went wrong on this page ({kind}); it has been logged on the server. Reload the page or go "
        "back to the overview; if it keeps happening, tell the administrator.",
    },
    "k_setting": {"zh": "匿名阈值（本部署）", "en": "Anonymity threshold (this deployment)"},
    "k_setting_help": {
        "zh": "分组人数少于此值的单元格对所有访问者隐藏。配置 SURVEY_MIN_GROUP = {floor} 为下限，只能调高。",
        "en": "Breakdown cells with fewer respondents are hidden from every viewer. The configured "
        "SURVEY_MIN_GROUP = {floor} is the floor; this can only raise it.",
    },
    "k_setting_saved": {"zh": "匿名阈值已设为 {k}。", "en": "Anonymity threshold set to {k}."},
    "k_setting_now": {
        "zh": "当前生效的匿名阈值：{k}（访问者只能在自己的视图中调高）。",
        "en": "Threshold in force: {k} (viewers can only raise it for their own view).",
    },
    "items_no_valid": {
        "zh": "{n} 道题没有有效答案（全部为不了解/不适用或未答），图中未画出：{items}",
        "en": "{n} item(s) have no valid answer (all don't know / N/A or skipped) and are not drawn: {items}",
    },
    "safe_download": {"zh": "下载 CSV", "en": "Download CSV"},
    "safe_download_help": {
        "zh": "以 = + - @ 开头的文字已加前缀 '，在 Excel 中不会被当作公式执行。",
        "en": "Text starting with = + - @ is prefixed with ' so Excel does not run it as a formula.",
    },
}
