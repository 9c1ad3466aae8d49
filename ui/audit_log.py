"""The audit log as sentences in the user's language (the data page's 操作记录), never raw JSON."""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["SENTENCES", "FIELD_NAMES", "audit_sentence", "audit_table"]

# action → (zh, en) templates; fields from the entry's detail, plus {wave} ("#12") and {changes}.
SENTENCES: dict[str, tuple[str, str]] = {
    "ingest": ("导入文件「{filename}」为批次「{name}」（{n_responses} 份答卷）", "imported “{filename}” as wave “{name}” ({n_responses} responses)"),
    "rename": ("修改了批次 {wave}：{changes}", "changed wave {wave}: {changes}"),
    "update": ("修改了批次 {wave}：{changes}", "changed wave {wave}: {changes}"),
    "delete": ("删除了批次「{name}」（可恢复）", "deleted wave “{name}” (can be restored)"),
    "restore": ("恢复了批次「{name}」", "restored wave “{name}”"),
    "purge": ("彻底删除了批次「{name}」", "purged wave “{name}”"),
    "save_codebook": ("保存了问卷编码表（{rows} 列）", "saved a codebook ({rows} columns)"),
    "create_user": ("创建了账户「{name}」（{role}）", "created account “{name}” ({role})"),
    "set_password": ("修改了账户「{name}」的密码", "changed the password of “{name}”"),
    "login_locked": ("账户「{name}」连续 {failures} 次登录失败，锁定 {minutes} 分钟",
                     "account “{name}” locked for {minutes} minutes after {failures} failed logins"),
    "series_create": ("新建调查项目「{name}」", "created survey series “{name}”"),
    "series_rename": ("调查项目「{old}」改名为「{new}」", "renamed survey series “{old}” to “{new}”"),
    "action_add": ("新增整改项 #{id}：{problem}", "added corrective action #{id}: {problem}"),
    "action_import": ("导入了 {n} 条整改项", "imported {n} corrective actions"),
    "action_update": ("修改了整改项 #{id}：{changes}", "changed corrective action #{id}: {changes}"),
    "action_delete": ("删除了整改项 #{id}：{problem}", "deleted corrective action #{id}: {problem}"),
    "action_restore": ("恢复了整改项 #{id}", "restored corrective action #{id}"),
    # feedback records (issue 13)
    "feedback_import": ("导入记录文件「{filename}」（{n_records} 条记录）", "imported record file “{filename}” ({n_records} records)"),
    "feedback_add": ("录入了意见记录 #{id}", "typed in feedback record #{id}"),
    "feedback_status": ("修改了意见记录 #{id} 的处理状态", "changed the status of feedback record #{id}"),
    "feedback_link": ("将意见记录关联到整改项 #{action_id}", "linked feedback records to corrective action #{action_id}"),
    "lexicon_add": ("后勤词库新增「{word}」", "added “{word}” to the 后勤 lexicon"),
    "lexicon_remove": ("后勤词库删除「{word}」", "removed “{word}” from the 后勤 lexicon"),
}
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "name": ("名称", "name"), "unit": ("单位", "unit"), "period": ("时期", "period"), "channel": ("渠道", "channel"),
    "distributed": ("发放数", "distributed"), "returned": ("回收数", "returned"),
    "basic_satisfied": ("基本满意计为满意", "基本满意 counted as satisfied"), "screening": ("筛查设置", "screening"),
    "series_id": ("调查项目", "survey series"), "fieldwork_start": ("调查开始日期", "fieldwork start"),
    "fieldwork_end": ("调查结束日期", "fieldwork end"),
    "problem": ("问题", "problem"), "measure": ("整改措施", "measure"), "owner": ("责任人", "owner"),
    "department": ("责任部门", "department"), "deadline": ("完成时限", "deadline"), "status": ("状态", "status"),
    "completed_on": ("完成日期", "completion date"), "kind": ("整改类型", "kind"), "evidence": ("佐证材料", "evidence"),
}
_ROLES = {"manager": ("管理员", "manager"), "viewer": ("浏览者", "viewer")}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def _changes(detail: dict, i: int) -> str:
    parts = []
    for field, change in detail.items():
        if isinstance(change, dict) and "new" in change:
            name = FIELD_NAMES.get(field, (field, field))[i]
            old, new = ("—" if change.get(k) in (None, "") else change.get(k) for k in ("old", "new"))
            parts.append(f"{name} {old} → {new}")
    return ("；" if i == 0 else "; ").join(parts) or "—"


def audit_sentence(action: str, detail: Any, wave_id: Any = None, lang: str = "zh") -> str:
    """One audit entry as a sentence; an action without a template is named plainly, not as JSON."""
    i = 0 if lang == "zh" else 1
    detail = detail if isinstance(detail, dict) else {}
    fields = _Blank({k: v for k, v in detail.items() if not isinstance(v, dict | list)})
    if "role" in fields:
        fields["role"] = _ROLES.get(str(fields["role"]), (fields["role"],) * 2)[i]
    fields["wave"] = f"#{int(wave_id)}" if wave_id is not None and not pd.isna(wave_id) else "—"
    fields["changes"] = _changes(detail, i)
    template = SENTENCES.get(str(action))
    if template is None:
        return (f"操作：{action}" if i == 0 else f"action: {action}") + (
            f"（批次 {fields['wave']}）" if i == 0 and fields["wave"] != "—" else
            f" (wave {fields['wave']})" if fields["wave"] != "—" else "")
    return template[i].format_map(fields)


def audit_table(log: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``store.list_audit`` rows as 时间 / 用户 / 操作 (a sentence)."""
    zh = lang == "zh"
    return pd.DataFrame({
        "时间" if zh else "When": pd.to_datetime(log["at"]).dt.strftime("%Y-%m-%d %H:%M"),
        "用户" if zh else "User": log["user"].fillna("—"),
        "操作" if zh else "What": [audit_sentence(a, d, w, lang)
                                   for a, d, w in zip(log["action"], log["detail"], log["wave_id"], strict=True)],
    })
