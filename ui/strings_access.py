"""UI strings of access (issue 16): share links, sessions, roles, the admin page (zh-CN / en)."""

from __future__ import annotations

__all__ = ["STRINGS"]

STRINGS: dict[str, dict[str, str]] = {
    # --- roles ---------------------------------------------------------------------------------------
    "role_admin": {"zh": "系统管理员", "en": "administrator"},
    # --- share links (visitor side) -------------------------------------------------------------------
    "link_banner": {
        "zh": "您正通过只读分享链接查看（有效期至 {when}）。", "en": "You are viewing through a read-only share link (valid until {when}).",
    },
    "link_expired": {
        "zh": "此分享链接已于 {when} 过期。请向发送链接的管理员索取新链接。",
        "en": "This share link expired on {when}. Ask the manager who sent it for a new one.",
    },
    "link_revoked": {
        "zh": "此分享链接已被管理员撤销，无法再使用。请向发送链接的管理员索取新链接。",
        "en": "This share link was revoked by a manager and no longer works. Ask for a new one.",
    },
    "link_unknown": {
        "zh": "此分享链接无效。请检查链接是否完整复制，或向管理员索取新链接。",
        "en": "This share link is not valid. Check that it was copied completely, or ask a manager for a new one.",
    },
    "scope_refused": {
        "zh": "地址中的批次不在您可查看的范围内，已改为显示可查看的批次。",
        "en": "The wave in the address is outside what you may see; showing a wave you may see instead.",
    },
    # --- share box: create a link ---------------------------------------------------------------------
    "link_create_title": {"zh": "创建只读分享链接", "en": "Create a read-only share link"},
    "link_scope": {"zh": "分享范围", "en": "Scope"},
    "link_scope_wave": {"zh": "当前批次", "en": "This wave"},
    "link_scope_series": {"zh": "当前批次所属调查系列", "en": "This wave's survey series"},
    "link_days": {"zh": "有效期（天）", "en": "Valid for (days)"},
    "link_note": {"zh": "备注（可选，如“3月评议会”）", "en": "Note (optional, e.g. “March review meeting”)"},
    "link_create": {"zh": "生成链接", "en": "Create link"},
    "link_created": {
        "zh": "已生成分享链接（有效期至 {when}）。链接只显示这一次，请立即复制：",
        "en": "Share link created (valid until {when}). It is shown only this once; copy it now:",
    },
    # --- admin page ----------------------------------------------------------------------------------
    "nav_admin": {"zh": "账户与链接", "en": "Accounts & links"},
    "admin_intro": {
        "zh": "系统管理员管理账户（创建、停用、重置密码、角色、可查看的调查系列）；管理员可查看并撤销分享链接。",
        "en": "Administrators manage accounts (create, disable, reset password, role, visible series); managers see and revoke share links.",
    },
    "admin_only": {"zh": "账户管理需要系统管理员登录。", "en": "Managing accounts needs an administrator login."},
    "admin_accounts": {"zh": "账户", "en": "Accounts"},
    "admin_create": {"zh": "新建账户", "en": "New account"},
    "admin_name": {"zh": "用户名", "en": "User name"},
    "admin_password": {"zh": "密码（至少 8 个字符）", "en": "Password (at least 8 characters)"},
    "admin_role": {"zh": "角色", "en": "Role"},
    "admin_scopes": {"zh": "可查看的调查系列 / 批次（留空 = 全部）", "en": "Visible series / waves (empty = all)"},
    "admin_scopes_help": {
        "zh": "例如 series:3 或 wave:12，多个用逗号分隔。",
        "en": "For example series:3 or wave:12, separated by commas.",
    },
    "admin_submit_create": {"zh": "创建账户", "en": "Create account"},
    "admin_edit": {"zh": "修改账户", "en": "Change an account"},
    "admin_pick": {"zh": "账户", "en": "Account"},
    "admin_save_role": {"zh": "保存角色与范围", "en": "Save role and scope"},
    "admin_disable": {"zh": "停用账户", "en": "Disable account"},
    "admin_enable": {"zh": "重新启用账户", "en": "Enable account"},
    "admin_new_password": {"zh": "新密码", "en": "New password"},
    "admin_reset": {"zh": "重置密码（并结束该账户所有登录）", "en": "Reset password (ends all its logins)"},
    "admin_done": {"zh": "已保存。", "en": "Saved."},
    "admin_self": {"zh": "不能停用自己的账户或降低自己的角色。", "en": "You cannot disable your own account or lower your own role."},
    "admin_links": {"zh": "分享链接", "en": "Share links"},
    "admin_no_links": {"zh": "还没有分享链接。", "en": "No share links yet."},
    "admin_revoke_pick": {"zh": "要撤销的链接", "en": "Link to revoke"},
    "admin_revoke": {"zh": "撤销链接", "en": "Revoke link"},
    "admin_revoked": {"zh": "链接 #{id} 已撤销。", "en": "Link #{id} revoked."},
    "status_valid": {"zh": "有效", "en": "valid"},
    "status_expired": {"zh": "已过期", "en": "expired"},
    "status_revoked": {"zh": "已撤销", "en": "revoked"},
    "scope_wave": {"zh": "批次", "en": "wave"},
    "scope_series": {"zh": "调查系列", "en": "series"},
    "col_id": {"zh": "编号", "en": "ID"},
    "col_scope": {"zh": "范围", "en": "Scope"},
    "col_note": {"zh": "备注", "en": "Note"},
    "col_created_by": {"zh": "创建人", "en": "Created by"},
    "col_created_at": {"zh": "创建时间", "en": "Created"},
    "col_expires_at": {"zh": "到期时间", "en": "Expires"},
    "col_last_used_at": {"zh": "最近使用", "en": "Last used"},
    "col_uses": {"zh": "使用次数", "en": "Uses"},
    "col_status": {"zh": "状态", "en": "Status"},
    "col_name": {"zh": "用户名", "en": "Name"},
    "col_role": {"zh": "角色", "en": "Role"},
    "col_disabled": {"zh": "已停用", "en": "Disabled"},
    "col_scopes": {"zh": "可查看范围", "en": "Scope"},
    "col_last_login_at": {"zh": "最近登录", "en": "Last login"},
    "sso_login": {"zh": "单点登录（统一身份认证）", "en": "Single sign-on"},
    "sso_refused": {
        "zh": "您的统一身份账户未被授权使用本看板，请联系系统管理员。",
        "en": "Your single-sign-on account is not authorised for this dashboard; ask an administrator.",
    },
}
