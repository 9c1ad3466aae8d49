"""UI text of the login box and the data-management page (数据管理), zh-CN and en.

``ui.i18n.t`` merges these with the core strings; it falls back to Chinese, then to the key itself,
so a missing translation never breaks a page.
"""

from __future__ import annotations

__all__ = ["STRINGS"]

STRINGS: dict[str, dict[str, str]] = {
    # --- login box (ui.auth) ---
    "login_title": {"zh": "管理员登录", "en": "Manager login"},
    "login_user": {"zh": "用户名", "en": "User name"},
    "login_password": {"zh": "密码", "en": "Password"},
    "login_submit": {"zh": "登录", "en": "Log in"},
    "login_failed": {
        "zh": "用户名或密码错误，或账户已被暂时锁定。",
        "en": "Wrong user name or password, or the account is locked for a while.",
    },
    "login_as": {"zh": "已登录：{name}（{role}）", "en": "Logged in as {name} ({role})"},
    "login_required": {
        "zh": "本看板需要登录后查看。请在左侧边栏登录。",
        "en": "This dashboard requires a login. Log in in the sidebar.",
    },
    "logout": {"zh": "退出登录", "en": "Log out"},
    "role_manager": {"zh": "管理员", "en": "manager"},
    "role_viewer": {"zh": "浏览者", "en": "viewer"},
    "bootstrap_title": {"zh": "创建第一个管理员账户", "en": "Create the first manager account"},
    "bootstrap_intro": {
        "zh": "系统中还没有任何账户。请创建第一个管理员（用于上传数据和管理调查批次）。",
        "en": "There are no accounts yet. Create the first manager (who uploads data and manages waves).",
    },
    "bootstrap_token": {"zh": "初始化口令（SURVEY_ADMIN_TOKEN）", "en": "Bootstrap token (SURVEY_ADMIN_TOKEN)"},
    "bootstrap_password2": {"zh": "再次输入密码", "en": "Repeat password"},
    "bootstrap_submit": {"zh": "创建管理员", "en": "Create manager"},
    "bootstrap_bad_token": {"zh": "初始化口令不正确。", "en": "The bootstrap token is wrong."},
    "bootstrap_mismatch": {"zh": "两次输入的密码不一致。", "en": "The passwords do not match."},
    "bootstrap_short": {
        "zh": "用户名不能为空，密码至少 8 位。",
        "en": "Enter a user name and a password of at least 8 characters.",
    },
    "bootstrap_remote": {
        "zh": "首个管理员只能在服务器本机（localhost）上创建，或设置环境变量 SURVEY_ADMIN_TOKEN 后凭口令创建；"
        "也可在服务器上运行命令行创建账户。",
        "en": "The first manager can only be created from the server itself (localhost), or with the token in the "
        "SURVEY_ADMIN_TOKEN environment variable, or from the command line on the server.",
    },
    "bootstrap_done": {"zh": "管理员账户已创建并已登录。", "en": "Manager account created; you are logged in."},
    # --- data page ---
    "data_title": {"zh": "数据管理", "en": "Data management"},
    "data_manager_only": {
        "zh": "数据管理仅限管理员使用。请在左侧边栏登录管理员账户后再上传或修改数据。",
        "en": "Data management is for managers only. Log in with a manager account in the sidebar to upload or change data.",
    },
    "data_upload_header": {"zh": "1. 上传问卷导出文件", "en": "1. Upload a survey export"},
    "data_upload_label": {
        "zh": "选择 CSV / XLSX / XLS 文件（问卷星、腾讯问卷等导出）",
        "en": "Choose a CSV / XLSX / XLS file (问卷星, Tencent, Qualtrics … export)",
    },
    "data_upload_help": {"zh": "单个文件上限 {mb} MB、{rows} 行。", "en": "Limit {mb} MB and {rows} rows per file."},
    "data_too_large": {
        "zh": "文件大小 {size} MB 超过上限 {mb} MB。请拆分文件，或请管理员调整环境变量 SURVEY_MAX_UPLOAD_MB。",
        "en": "The file is {size} MB, above the {mb} MB limit. Split it, or ask the administrator to raise SURVEY_MAX_UPLOAD_MB.",
    },
    "data_too_many_rows": {
        "zh": "文件有 {n} 份答卷，超过上限 {rows} 行。请拆分文件，或调整环境变量 SURVEY_MAX_ROWS。",
        "en": "The file has {n} responses, above the {rows}-row limit. Split it, or raise SURVEY_MAX_ROWS.",
    },
    "data_bad_file": {"zh": "无法读取该文件：", "en": "The file could not be read: "},
    "data_reading": {"zh": "正在读取文件…", "en": "Reading the file…"},
    "data_read_done": {"zh": "文件已读取", "en": "File read"},
    "data_step_parse": {"zh": "识别版式与编码", "en": "Detecting layout and encoding"},
    "data_step_codebook": {"zh": "生成编码表", "en": "Suggesting the codebook"},
    "data_step_validate": {"zh": "校验数据", "en": "Validating"},
    "data_detected": {
        "zh": "识别结果：平台 **{platform}**，编码 **{encoding}**，{n} 份答卷，{m} 列。",
        "en": "Detected: platform **{platform}**, encoding **{encoding}**, {n} responses, {m} columns.",
    },
    "data_preview": {"zh": "预览（前 {k} 行）", "en": "Preview (first {k} rows)"},
    "data_codebook_header": {"zh": "2. 问卷编码表", "en": "2. Codebook"},
    "data_codebook_help": {
        "zh": "每列的用途（role）、服务领域（area）、量表（scale）和简短标签（label）。修改后会保存，同一问卷下次上传时自动沿用。",
        "en": "Each column's role, service area, scale and short label. Edits are saved and reused for the next upload of the same questionnaire.",
    },
    "data_codebook_reused": {
        "zh": "已沿用此前保存的同一问卷的编码表。",
        "en": "Reusing the codebook saved for this questionnaire.",
    },
    "data_codebook_suggested": {
        "zh": "编码表为自动建议，请检查后保存。",
        "en": "The codebook is a suggestion; check it before saving.",
    },
    "data_codebook_download": {"zh": "下载编码表 CSV", "en": "Download codebook CSV"},
    "data_codebook_error": {"zh": "编码表有误：", "en": "The codebook has a problem: "},
    "data_validation_header": {"zh": "3. 校验报告", "en": "3. Validation report"},
    "data_validation_ok": {"zh": "未发现无法识别的答案。", "en": "No unrecognised answers."},
    "data_unknown_cells": {
        "zh": "{n} 个单元格的答案不在所选量表中（按缺失处理）。下表列出行号、列和原值：",
        "en": "{n} cells hold answers that are not on the chosen scale (treated as missing). Row, column and value:",
    },
    "data_flags": {
        "zh": "甄别标记：{n} 份答卷被标记（分析时可排除）。",
        "en": "Screening: {n} responses flagged (can be excluded in the analysis).",
    },
    "data_no_flags": {"zh": "甄别：没有答卷被标记。", "en": "Screening: no responses flagged."},
    "data_items_summary": {"zh": "量表题 {k} 道，领域：{areas}", "en": "{k} rating items; areas: {areas}"},
    "data_no_items": {
        "zh": "编码表中没有量表题（role = likert）。请至少把一列设为 likert 并选择量表。",
        "en": "The codebook has no rating items (role = likert). Set at least one column to likert and choose its scale.",
    },
    "data_wave_header": {"zh": "4. 调查批次信息", "en": "4. Wave details"},
    "data_wave_name": {"zh": "批次名称", "en": "Wave name"},
    "data_wave_period": {"zh": "调查时间（如 2024-10）", "en": "Period (e.g. 2024-10)"},
    "data_wave_unit": {"zh": "单位 / 校区", "en": "Unit / campus"},
    "data_wave_channel": {"zh": "渠道", "en": "Channel"},
    "data_wave_distributed": {"zh": "发放数（0 = 未知）", "en": "Distributed (0 = unknown)"},
    "data_wave_returned": {"zh": "回收数", "en": "Returned"},
    "data_save": {"zh": "保存为新批次", "en": "Save as a new wave"},
    "data_saving": {"zh": "正在保存…", "en": "Saving…"},
    "data_saved": {"zh": "已保存批次“{name}”（{n} 份答卷）。", "en": "Saved wave '{name}' ({n} responses)."},
    "data_duplicate": {
        "zh": "该文件此前已上传过（批次 #{wave}），未重复保存。",
        "en": "This file was uploaded before (wave #{wave}); it was not saved again.",
    },
    "data_duplicate_known": {
        "zh": "该文件此前已上传过，已是批次 #{wave}“{name}”，无需重复保存。",
        "en": "This file was uploaded before: it is wave #{wave} '{name}'. It will not be saved twice.",
    },
    "data_duplicate_deleted": {
        "zh": "该文件属于已删除的批次 #{wave}“{name}”；保存将恢复该批次，而不是新建。",
        "en": "This file belongs to deleted wave #{wave} '{name}'; saving restores that wave instead of adding one.",
    },
    "data_need_name": {"zh": "请填写批次名称。", "en": "Enter a wave name."},
    "data_waves_header": {"zh": "调查批次", "en": "Waves"},
    "data_no_waves": {"zh": "还没有调查批次。", "en": "No waves yet."},
    "data_manage_header": {"zh": "管理批次", "en": "Manage waves"},
    "data_pick_wave": {"zh": "选择批次", "en": "Wave"},
    "data_new_name": {"zh": "新名称", "en": "New name"},
    "data_rename": {"zh": "重命名", "en": "Rename"},
    "data_renamed": {"zh": "已重命名。", "en": "Renamed."},
    "data_delete": {"zh": "删除批次", "en": "Delete wave"},
    "data_delete_confirm": {
        "zh": "我确认删除该批次（可在下方恢复）",
        "en": "I confirm deleting this wave (it can be restored below)",
    },
    "data_deleted": {"zh": "已删除（可恢复）。", "en": "Deleted (can be restored)."},
    "data_deleted_header": {"zh": "已删除的批次", "en": "Deleted waves"},
    "data_restore": {"zh": "恢复", "en": "Restore"},
    "data_restored": {"zh": "已恢复。", "en": "Restored."},
    "data_audit_header": {"zh": "操作记录", "en": "Audit log"},
    "data_store_error": {"zh": "数据库操作失败：", "en": "The database operation failed: "},
    # column headers of the wave table
    "col_id": {"zh": "编号", "en": "ID"},
    "col_name": {"zh": "批次", "en": "Wave"},
    "col_unit": {"zh": "单位", "en": "Unit"},
    "col_period": {"zh": "时间", "en": "Period"},
    "col_channel": {"zh": "渠道", "en": "Channel"},
    "col_files": {"zh": "来源文件", "en": "Source files"},
    "col_format": {"zh": "格式", "en": "Format"},
    "col_n_responses": {"zh": "答卷数", "en": "Responses"},
    "col_n_valid": {"zh": "有效答卷", "en": "Valid"},
    "col_distributed": {"zh": "发放", "en": "Distributed"},
    "col_returned": {"zh": "回收", "en": "Returned"},
    "col_response_rate": {"zh": "回收率", "en": "Response rate"},
    "col_validity_rate": {"zh": "有效率", "en": "Validity rate"},
    "col_created_at": {"zh": "上传时间", "en": "Uploaded"},
    "col_deleted_at": {"zh": "删除时间", "en": "Deleted"},
    "col_row": {"zh": "行号", "en": "Row"},
    "col_column": {"zh": "列", "en": "Column"},
    "col_value": {"zh": "原值", "en": "Value"},
    "col_problem": {"zh": "问题", "en": "Problem"},
    "col_reasons": {"zh": "标记原因", "en": "Reasons"},
    "problem_unknown": {"zh": "不在量表中", "en": "not on the scale"},
}
