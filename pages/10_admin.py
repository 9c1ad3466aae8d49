"""账户与链接 Accounts & links: accounts for administrators, the share-link list (with revoke) for managers.

Administrators create accounts, disable and re-enable them, reset passwords (which ends every
session of the account), set roles and the series / waves an account may see. Managers and
administrators see every share link — created by, when, scope, expiry, last used, uses, status —
and revoke them. All changes go through ``analysis.store.access`` and are audited there.
"""

import pandas as pd
import streamlit as st

from analysis import access as rules
from analysis.store import access as store_access
from ui import loaders
from ui.auth import user_name
from ui.frame import frame

view = frame("admin")
lang = view.lang
st.title(view.t("nav_admin"))
if not view.is_manager or view.principal is None or view.principal.kind != "user":
    st.warning(view.t("nav_locked"))
    st.stop()
st.caption(view.t("admin_intro"))
engine = loaders.engine()
me = user_name(view.user)
is_admin = view.principal.may("accounts")


def _flash(key: str = "admin_done", **fmt) -> None:
    st.session_state["admin_flash"] = view.t(key, **fmt)
    st.rerun()


def _parse_scopes(text: str) -> list[tuple[str, str]]:
    """``series:3, wave:12`` → [("series", "3"), ("wave", "12")] (checked by the store)."""
    out = []
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        kind, _, ref = part.partition(":")
        out.append(rules.parse_scope(kind.strip(), ref.strip()))
    return out


if "admin_flash" in st.session_state:
    st.success(st.session_state.pop("admin_flash"))

# --- share links --------------------------------------------------------------------------------
st.subheader(view.t("admin_links"))
links = store_access.list_links(engine)
if not len(links):
    st.caption(view.t("admin_no_links"))
else:
    table = pd.DataFrame({
        view.t("col_id"): links["id"],
        view.t("col_scope"): [f"{view.t('scope_' + k)} #{i}" for k, i in zip(links["scope_kind"], links["scope_id"], strict=True)],
        view.t("col_note"): links["note"].fillna(""),
        view.t("col_created_by"): links["created_by"],
        view.t("col_created_at"): pd.to_datetime(links["created_at"]),
        view.t("col_expires_at"): pd.to_datetime(links["expires_at"]),
        view.t("col_last_used_at"): pd.to_datetime(links["last_used_at"]),
        view.t("col_uses"): links["uses"],
        view.t("col_status"): [view.t("status_" + s) for s in links["status"]],
    })
    st.dataframe(table, hide_index=True, width="stretch")  # user text (notes) only through a dataframe
    live = links[links["status"] == "valid"]
    if len(live):
        with st.form("admin_revoke_form"):
            pick = st.selectbox(view.t("admin_revoke_pick"), list(live["id"]), key="admin_revoke_id",
                                format_func=lambda i: f"#{i}")
            if st.form_submit_button(view.t("admin_revoke")):
                store_access.revoke_link(engine, pick, user=me)
                _flash("admin_revoked", id=pick)

# --- accounts (administrators) --------------------------------------------------------------------
st.subheader(view.t("admin_accounts"))
if not is_admin:
    st.info(view.t("admin_only"))
    st.stop()
accounts = store_access.list_accounts(engine)
st.dataframe(pd.DataFrame({
    view.t("col_name"): accounts["name"],
    view.t("col_role"): [view.t("role_" + r) for r in accounts["role"]],
    view.t("col_disabled"): accounts["disabled"].astype(bool),
    view.t("col_scopes"): accounts["scopes"],
    view.t("col_last_login_at"): pd.to_datetime(accounts["last_login_at"]),
}), hide_index=True, width="stretch")


def _role_label(r: str) -> str:
    return view.t("role_" + r)


with st.expander(view.t("admin_create"), icon=":material/person_add:"):
    with st.form("admin_create_form", clear_on_submit=True):
        name = st.text_input(view.t("admin_name"), key="admin_new_name")
        pw = st.text_input(view.t("admin_password"), type="password", key="admin_new_pw")
        role = st.selectbox(view.t("admin_role"), list(rules.ROLES), index=2, format_func=_role_label, key="admin_new_role")
        scopes = st.text_input(view.t("admin_scopes"), help=view.t("admin_scopes_help"), key="admin_new_scopes")
        if st.form_submit_button(view.t("admin_submit_create")):
            from analysis import auth

            try:
                parsed = _parse_scopes(scopes)
                created = auth.create_user(engine, name, pw, role=role, user=me)
                if parsed:
                    store_access.set_scopes(engine, created.name, parsed, user=me)
            except ValueError as exc:
                st.error(str(exc))
            else:
                _flash()

with st.expander(view.t("admin_edit"), icon=":material/manage_accounts:"):
    names = list(accounts["name"])
    who = st.selectbox(view.t("admin_pick"), names, key="admin_pick")
    row = accounts[accounts["name"] == who].iloc[0]
    with st.form("admin_role_form"):
        role = st.selectbox(view.t("admin_role"), list(rules.ROLES), index=list(rules.ROLES).index(row["role"]),
                            format_func=_role_label, key="admin_edit_role")
        scopes = st.text_input(view.t("admin_scopes"), value=row["scopes"], help=view.t("admin_scopes_help"),
                               key=f"admin_edit_scopes_{who}")
        if st.form_submit_button(view.t("admin_save_role")):
            try:
                if who == me and rules.ROLE_RANK[role] < rules.ROLE_RANK[row["role"]]:
                    raise ValueError(view.t("admin_self"))
                store_access.set_role(engine, who, role, user=me)
                store_access.set_scopes(engine, who, _parse_scopes(scopes), user=me)
            except ValueError as exc:
                st.error(str(exc))
            else:
                _flash()
    cols = st.columns(2)
    with cols[0].form("admin_disable_form"):
        disabled = bool(row["disabled"])
        if st.form_submit_button(view.t("admin_enable" if disabled else "admin_disable")):
            if who == me:
                st.error(view.t("admin_self"))
            else:
                store_access.set_disabled(engine, who, not disabled, user=me)
                _flash()
    with cols[1].form("admin_reset_form", clear_on_submit=True):
        new_pw = st.text_input(view.t("admin_new_password"), type="password", key="admin_reset_pw")
        if st.form_submit_button(view.t("admin_reset")):
            try:
                store_access.change_password(engine, who, new_pw, user=me)
            except ValueError as exc:
                st.error(str(exc))
            else:
                _flash()
