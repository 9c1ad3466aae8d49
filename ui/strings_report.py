"""UI strings of the report download menu and presentation mode (zh-CN / en)."""

from __future__ import annotations

__all__ = ["STRINGS"]

STRINGS: dict[str, dict[str, str]] = {
    "rep_menu": {"zh": "下载报告", "en": "Download report"},
    "rep_format": {"zh": "格式", "en": "Format"},
    "rep_lang": {"zh": "报告语言", "en": "Report language"},
    "rep_filters": {
        "zh": "批次：{wave} · {basic} · {flagged} · 匿名阈值 k = {k}",
        "en": "Wave: {wave} · {basic} · {flagged} · anonymity threshold k = {k}",
    },
    "rep_basic_on": {"zh": "“基本满意”计为满意", "en": "基本满意 counts as satisfied"},
    "rep_basic_off": {"zh": "“基本满意”不计为满意", "en": "基本满意 not counted as satisfied"},
    "rep_flag_on": {"zh": "已剔除可疑答卷", "en": "flagged responses excluded"},
    "rep_flag_off": {"zh": "包含全部答卷", "en": "all responses included"},
    "rep_download": {"zh": "生成并下载", "en": "Build and download"},
    "rep_help": {
        "zh": "点击后才生成文件，含该批次及同一系列历次批次的数据、口径和数据来源。",
        "en": "The file is built when you click: this wave and its series, the definition and the data sources.",
    },
    "rep_no_wave": {"zh": "还没有可生成报告的批次。", "en": "There is no wave to report on yet."},
    "rep_original": {"zh": "下载原始文件", "en": "Download the original file"},
    "rep_original_help": {
        "zh": "上传时的原始导出文件，字节未改动（可用 SHA-256 核对）。",
        "en": "The export file exactly as uploaded (check it against its SHA-256).",
    },
    # presentation mode
    "pres_prev": {"zh": "上一页", "en": "Previous"},
    "pres_next": {"zh": "下一页", "en": "Next"},
    "pres_exit": {"zh": "退出演示", "en": "Exit"},
    "pres_slide": {"zh": "第 {n} / {total} 页", "en": "Slide {n} of {total}"},
    "pres_keys": {
        "zh": "← → / PageUp PageDown 翻页",
        "en": "← → / PageUp PageDown to move",
    },
    "pres_headline": {"zh": "各服务领域满意率", "en": "Satisfaction by service area"},
    "pres_trend": {"zh": "历次趋势", "en": "Trend across waves"},
    "pres_actions": {"zh": "整改台账", "en": "Improvement actions"},
    "pres_change": {"zh": "较上次 {pp}", "en": "vs previous {pp}"},
}
