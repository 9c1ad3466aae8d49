"""整改台账 Corrective actions: the register as a board, each target verified by the next survey wave.

Grouped by status and service area; overdue actions in red; verdict badges (达标 / 未达标 / 待验证 /
推进中 …); per action the target, the baseline and verifying rates as a small before/after chart,
owner, deadline, evidence and linked records. Filters (status, verdict, area) live in the URL.
Managers add, edit, change the status and import a register workbook; viewers read.
"""

import hashlib

import pandas as pd
import streamlit as st

from analysis import store
from analysis.actions import KINDS, STATUSES, TARGET_KINDS, VERDICTS, parse_target, target_text
from analysis.areas import AREAS
from analysis.charts import make_action_figure
from analysis.feedback import comment_threshold, shown_comments
from ui import loaders
from ui import widgets as w
from ui.actions_board import escape, series_of_wave, summary_text, verdict_label, verified
from ui.frame import frame, page_param, sync_param
from ui.i18n import area_label, fmt_int, fmt_pct, fmt_pp

view = frame("actions")
lang = view.lang
st.title(view.t("actions_title"))
st.caption(view.t("actions_intro"))

try:
    board = verified(view.version, basic=view.basic, exclude_flagged=view.exclude_flagged)
    from ui.session import restrict_rows  # a scoped user or share link sees only its own series' actions (issue 16)

    board = restrict_rows(view, board, wave_cols=("measured_wave", "baseline_wave"))
except Exception as exc:  # noqa: BLE001 - the page explains instead of a traceback
    st.warning(view.t("error_input", err=escape(exc)))
    st.stop()

BADGE = {"met": "blue", "not_met": "orange", "in_progress": "gray", "overdue": "red", "awaiting_wave": "violet",
         "no_target": "gray"}


def _txt(x) -> str:
    return "" if x is None or (not isinstance(x, list) and pd.isna(x)) else str(x)


def _day(x) -> str:
    return "—" if x is None or pd.isna(x) else pd.Timestamp(x).date().isoformat()


def _area_of(row) -> str:
    a = _txt(row.get("area")) or (_txt(row.get("target_key")) if row.get("target_kind") == "area" else "")
    return a if a in AREAS else ""


def _target(row) -> str:
    kind = _txt(row.get("target_kind"))
    if kind not in TARGET_KINDS:
        return ""
    rate = row.get("target_rate")
    change = row.get("target_change")
    return target_text(kind, _txt(row.get("target_key")), _txt(row.get("target_label")),
                       None if pd.isna(rate) else float(rate), None if pd.isna(change) else float(change), lang)


# --- summary and filters ---------------------------------------------------------------------------
if len(board):
    st.markdown(f"**{escape(summary_text(board, lang))}**")
status_opts = [""] + list(STATUSES)
verdict_opts = [""] + list(VERDICTS)
status, status_key = page_param("status", status_opts, "", key="actions_status")
verdict, verdict_key = page_param("verdict", verdict_opts, "", key="actions_verdict")
c1, c2 = st.columns(2)
c1.selectbox(view.t("af_status"), status_opts, key=status_key, on_change=sync_param, args=("status", status_key, ""),
             format_func=lambda s: STATUSES[s].label(lang) if s else view.t("af_all"))
c2.selectbox(view.t("af_verdict"), verdict_opts, key=verdict_key, on_change=sync_param,
             args=("verdict", verdict_key, ""), format_func=lambda v: verdict_label(v, lang) if v else view.t("af_all"))

shown = board
if status:
    shown = shown[shown["status"] == status]
if verdict:
    shown = shown[shown["verdict"] == verdict]
if view.area:
    shown = shown[[_area_of(r) == view.area for r in shown.to_dict("records")]]

if not view.is_manager:
    st.caption(":material/visibility: " + view.t("actions_readonly"))

# --- linked feedback records: an action's feedback_ids and the records the feedback page linked to it
@st.cache_data(show_spinner=False, max_entries=8)
def _records(url: str, version: str) -> pd.DataFrame:
    return store.list_feedback(loaders._engine(url))


_feedback = None
if hasattr(store, "list_feedback") and len(board):
    try:
        # a scoped user or share link sees only the records of its own waves, as on the feedback page
        _feedback = restrict_rows(view, _records(loaders.db_url(), view.version), series_col="", wave_cols=("wave_id",),
                                  blank_ok=False)
    except Exception:  # noqa: BLE001 - records are an extra; the board stands without them
        _feedback = None
# texts of groups smaller than the comment threshold stay hidden here too (the feedback page's rule)
K_TEXT = comment_threshold({"min_group": view.min_group}, view.k)


def _linked(row: dict):
    ids = [int(i) for i in (row.get("feedback_ids") or [])]
    if _feedback is None or "id" not in _feedback.columns:
        return ids, None
    mask = _feedback["id"].isin(ids)
    if "action_id" in _feedback.columns:
        mask |= _feedback["action_id"] == int(row["id"])
    return ids, _feedback[mask.fillna(False).astype(bool)]


def _card(row: dict) -> None:
    v = row["verdict"]
    with st.container(border=True):
        st.markdown(f"**#{int(row['id'])} {escape(row['problem'])}**")
        st.badge(verdict_label(v, lang), color=BADGE.get(v, "gray"))
        if row.get("confident") and v in ("met", "not_met"):
            if not pd.isna(row.get("target_change")):
                st.caption(view.t("a_confident_change"))
            else:
                side = view.t("a_side_above" if v == "met" else "a_side_below")
                st.caption(view.t("a_confident", side=side))
        elif v in ("met", "not_met"):
            st.caption(view.t("a_not_confident"))
        tgt = _target(row)
        st.markdown(f"{view.t('a_target')}：{escape(tgt) if tgt else view.t('a_no_target')}")
        if not tgt and _txt(row.get("target_text")):
            st.caption(view.t("a_target_typed"))
            st.text(_txt(row["target_text"]))
        if _txt(row.get("measure")):
            st.caption(view.t("a_measure"))
            st.text(_txt(row["measure"]))
        who = " · ".join(x for x in (_txt(row.get("owner")), _txt(row.get("department"))) if x)
        if who:
            st.text(f"{view.t('a_owner')}：{who}")
        if v == "overdue":
            st.markdown(f":red[**{escape(view.t('a_overdue', date=_day(row.get('deadline'))))}**]")
        else:
            dl = f"{view.t('a_deadline')}：{_day(row.get('deadline'))}"
            if row["status"] == "done":
                dl += f" · {view.t('a_completed')}：{_day(row.get('completed_on'))}"
            st.text(dl)
        bars = []
        if not pd.isna(row.get("baseline_rate")):
            bars.append({"bar": _txt(row.get("baseline_wave_name")) or view.t("a_baseline"),
                         "rate": row["baseline_rate"], "ci_low": float("nan"), "ci_high": float("nan"),
                         "role": "baseline", "n": row["baseline_n"]})
        if not pd.isna(row.get("measured_rate")):
            bars.append({"bar": _txt(row.get("measured_wave_name")) or view.t("a_measured"),
                         "rate": row["measured_rate"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
                         "role": v if v in ("met", "not_met") else "measured", "n": row["n_valid"]})
        if bars:
            goal = row.get("target_rate")
            if pd.isna(goal) and not pd.isna(row.get("target_change")) and not pd.isna(row.get("baseline_rate")):
                goal = row["baseline_rate"] + row["target_change"] / 100
            table = pd.DataFrame(bars)
            table["n"] = table["n"].astype("float")
            w.show_figure(make_action_figure(table, target=None if pd.isna(goal) else float(goal), lang=lang,
                                             present=view.present), key=f"actions_fig_{int(row['id'])}")
            lines = []
            if not pd.isna(row.get("measured_rate")):
                lines.append(view.t("a_measured_line", rate=fmt_pct(row["measured_rate"]), n=fmt_int(row["n_valid"]),
                                    low=fmt_pct(row["ci_low"]), high=fmt_pct(row["ci_high"])))
            if not pd.isna(row.get("baseline_rate")):
                lines.append(view.t("a_baseline_line", rate=fmt_pct(row["baseline_rate"]), n=fmt_int(row["baseline_n"])))
            if not pd.isna(row.get("change_pp")):
                p = row.get("p_value")
                lines.append(view.t("a_change", pp=fmt_pp(row["change_pp"], lang),
                                    p="—" if pd.isna(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")))
            st.caption(escape("  ·  ".join(lines)))
        if _txt(row.get("note")):
            st.caption(view.t(f"note_{row['note']}"))
        if _txt(row.get("evidence")):
            st.caption(view.t("a_evidence"))
            st.text(_txt(row["evidence"]))
        ids, linked = _linked(row)
        if linked is not None and len(linked):
            st.caption(view.t("a_records"))
            cols = [c for c in ("id", "date", "channel", "group", "text") if c in linked.columns]
            table = linked[cols].copy()
            if "text" in table.columns and "cell_n" in linked.columns:
                small = ~shown_comments(linked, k=K_TEXT)
                table.loc[small, "text"] = view.t("a_records_hidden", k=K_TEXT)
            st.dataframe(table, hide_index=True, width="stretch")
        elif ids:
            st.caption(view.t("a_records"))
            st.text(", ".join(f"#{i}" for i in ids))
        items = list(row.get("items") or [])
        if items:
            st.caption(view.t("a_items"))
            st.text("、".join(items))


# --- the board: status columns, areas within -------------------------------------------------------
if not len(board):
    st.info(view.t("actions_empty"))
elif not len(shown):
    st.info(view.t("actions_none_match"))
else:
    statuses = [s for s in STATUSES if (shown["status"] == s).any()]
    for col, s in zip(st.columns(len(statuses)), statuses, strict=True):
        part = shown[shown["status"] == s]
        col.subheader(f"{STATUSES[s].label(lang)}（{len(part)}）" if lang == "zh" else f"{STATUSES[s].label(lang)} ({len(part)})")
        recs = part.to_dict("records")
        order = list(AREAS) + [""]
        for area in sorted({_area_of(r) for r in recs}, key=order.index):
            with col:
                st.markdown(f"**{escape(area_label(area, lang) if area else view.t('a_no_area'))}**")
                for r in recs:
                    if _area_of(r) == area:
                        _card(r)

if not view.is_manager or view.present:
    st.stop()

# --- manager: add, edit, import ---------------------------------------------------------------------
eng = loaders.engine()
user = getattr(view.user, "name", "manager")
vw = store.verification_waves(eng)
series = vw.drop_duplicates("series_id")[["series_id", "series_name"]]
series_ids = [int(s) for s in series["series_id"]]
series_names = dict(zip(series_ids, series["series_name"].astype(str), strict=True))
current_series = series_of_wave(view.wave)


@st.cache_data(show_spinner=False, max_entries=8)
def _catalog(url: str, version: str) -> pd.DataFrame:
    return store.series_catalog(loaders._engine(url))


catalog = _catalog(loaders.db_url(), view.version)


def _target_fields(mode: str, text: str, kind: str, item: str, area: str, typ: str, value: float) -> dict:
    """Target fields from the form: typed text (parsed) or an item/area with a value; ValueError if unclear."""
    if mode == "none":
        return {"target_text": None, "target_kind": None, "target_key": None, "target_label": None,
                "target_rate": None, "target_change": None}
    if mode == "typed":
        parsed = parse_target(text)
        if not parsed.ok:
            raise ValueError(parsed.reason or view.t("a_parse_subject"))
        tg = parsed.target
        if tg.kind not in TARGET_KINDS:
            raise ValueError(view.t("a_parse_subject"))
        return {"target_text": text, "target_kind": tg.kind, "target_key": tg.key, "target_label": tg.label,
                "target_rate": tg.rate, "target_change": tg.change_pp}
    key = item if kind == "item" else area
    rate = value / 100 if typ == "threshold" else None
    change = value if typ == "change" else None
    label = key if kind == "item" else AREAS[area].zh
    return {"target_text": target_text(kind, key, label, rate, change), "target_kind": kind, "target_key": key,
            "target_label": label, "target_rate": rate, "target_change": change}


def _action_form(prefix: str, row: dict | None, sid) -> dict | None:
    """The fields of one action (empty for a new one); returns them when submitted."""
    row = row or {}
    entry = catalog[catalog["series_id"] == sid]
    items = list(entry["items"].iloc[0]) if len(entry) else []
    areas = [a for a in AREAS if not len(entry) or a in set(entry["areas"].iloc[0])] or list(AREAS)
    with st.form(f"{prefix}_form", clear_on_submit=row == {}):
        problem = st.text_area(view.t("a_problem"), value=_txt(row.get("problem")), key=f"{prefix}_problem")
        measure = st.text_area(view.t("a_measure"), value=_txt(row.get("measure")), key=f"{prefix}_measure")
        c = st.columns(3)
        owner = c[0].text_input(view.t("a_owner"), value=_txt(row.get("owner")), key=f"{prefix}_owner")
        dept = c[1].text_input(view.t("a_department"), value=_txt(row.get("department")), key=f"{prefix}_dept")
        kinds = [""] + list(KINDS)
        kind = c[2].selectbox(view.t("a_kind"), kinds, index=kinds.index(_txt(row.get("kind"))) if _txt(row.get("kind"))
                              in kinds else 0, format_func=lambda k: KINDS[k].label(lang) if k else "—",
                              key=f"{prefix}_kind")
        c = st.columns(3)
        area_opts = [""] + list(AREAS)
        area = c[0].selectbox(view.t("a_area"), area_opts, index=area_opts.index(_area_of(row)) if row else 0,
                              format_func=lambda a: area_label(a, lang) if a else "—", key=f"{prefix}_area")
        st_opts = list(STATUSES)
        status_v = c[1].selectbox(view.t("a_status"), st_opts, index=st_opts.index(row.get("status", "planned")),
                                  format_func=lambda s: STATUSES[s].label(lang), key=f"{prefix}_status")
        deadline = c[2].date_input(view.t("a_deadline"), value=None if pd.isna(row.get("deadline", pd.NaT))
                                   else pd.Timestamp(row["deadline"]).date(), key=f"{prefix}_deadline")
        completed = st.date_input(view.t("a_completed"), value=None if pd.isna(row.get("completed_on", pd.NaT))
                                  else pd.Timestamp(row["completed_on"]).date(), key=f"{prefix}_completed")
        st.markdown(f"**{view.t('a_target')}**")
        has = _txt(row.get("target_kind")) in TARGET_KINDS
        modes = ["typed", "pick", "none"]
        mode = st.radio(view.t("a_target_mode"), modes, index=1 if has else (0 if not row else 2), horizontal=True,
                        format_func=lambda m: view.t(f"a_mode_{m}"), key=f"{prefix}_mode")
        text = st.text_input(view.t("a_target"), value=_txt(row.get("target_text")), key=f"{prefix}_text")
        c = st.columns(4)
        tkind = c[0].selectbox(view.t("a_target_kind"), list(TARGET_KINDS),
                               index=list(TARGET_KINDS).index(row["target_kind"]) if has else 0,
                               format_func=lambda k: TARGET_KINDS[k].label(lang), key=f"{prefix}_tkind")
        item_opts = items or [""]
        cur_item = _txt(row.get("target_key")) if has and row.get("target_kind") == "item" else ""
        if cur_item and cur_item not in item_opts:
            item_opts = [cur_item, *item_opts]
        titem = c[1].selectbox(view.t("a_target_item"), item_opts,
                               index=item_opts.index(cur_item) if cur_item in item_opts else 0, key=f"{prefix}_titem")
        cur_area = _txt(row.get("target_key")) if has and row.get("target_kind") == "area" else ""
        tarea = c[2].selectbox(view.t("a_area"), areas, index=areas.index(cur_area) if cur_area in areas else 0,
                               format_func=lambda a: area_label(a, lang), key=f"{prefix}_tarea")
        is_change = has and not pd.isna(row.get("target_change"))
        ttype = c[3].selectbox(view.t("a_threshold_or_change"), ["threshold", "change"], index=1 if is_change else 0,
                               format_func=lambda x: view.t("a_threshold" if x == "threshold" else "a_change_pp"),
                               key=f"{prefix}_ttype")
        default_value = (float(row["target_change"]) if is_change else
                         (round(float(row["target_rate"]) * 100, 2) if has else 85.0))
        value = st.number_input(f"{view.t('a_target_value')} / {view.t('a_target_change')}", min_value=0.1,
                                max_value=100.0, value=default_value, step=1.0, key=f"{prefix}_value")
        evidence = st.text_area(view.t("a_evidence"), value=_txt(row.get("evidence")), key=f"{prefix}_evidence")
        if not st.form_submit_button(view.t("a_save"), type="primary"):
            return None
    try:
        target = _target_fields(mode, text.strip(), tkind, titem, tarea, ttype, float(value))
    except ValueError as exc:
        st.error(view.t("a_error", err=escape(exc)))
        return None
    if target.get("target_kind") == "item":
        target["items"] = [target["target_key"]]
    return {"problem": problem, "measure": measure, "owner": owner, "department": dept, "kind": kind or None,
            "area": area or None, "status": status_v, "deadline": deadline,
            "completed_on": completed if status_v == "done" else None, "evidence": evidence, **target}


st.divider()
if not series_ids:
    st.info(view.t("a_no_series"))
else:
    # -- edit --------------------------------------------------------------------------------------
    ids = [str(int(i)) for i in board["id"]] if len(board) else []
    if ids:
        with st.expander(view.t("a_edit"), icon=":material/edit:", expanded="action" in st.query_params):
            picked, pick_key = page_param("action", [""] + ids, "", key="actions_pick")
            names = {str(int(r["id"])): f"#{int(r['id'])} {r['problem']}" for r in board.to_dict("records")}
            st.selectbox(view.t("a_pick"), [""] + ids, key=pick_key, format_func=lambda i: names.get(i, "—"),
                         on_change=sync_param, args=("action", pick_key, ""))
            if picked:
                row = board[board["id"] == int(picked)].iloc[0].to_dict()
                got = _action_form(f"edit{picked}", row, row.get("series_id"))
                if got is not None:
                    try:
                        store.update_action(eng, int(picked), user=user, **got)
                        st.success(view.t("a_saved", id=picked))
                        st.rerun()
                    except ValueError as exc:
                        st.error(view.t("a_error", err=escape(exc)))
                if st.button(view.t("a_delete"), key=f"actions_delete_{picked}", icon=":material/delete:"):
                    store.delete_action(eng, int(picked), user=user)
                    del st.query_params["action"]
                    st.rerun()

    # -- add ---------------------------------------------------------------------------------------
    with st.expander(view.t("a_add"), icon=":material/add:"):
        default_sid = int(current_series) if current_series is not None and int(current_series) in series_ids \
            else series_ids[-1]
        sid = st.selectbox(view.t("af_series"), series_ids, index=series_ids.index(default_sid),
                           format_func=lambda s: series_names.get(s, str(s)), key="actions_add_series")
        got = _action_form("add", None, sid)
        if got is not None:
            try:
                aid = store.add_action(eng, user=user, origin="form", series_id=sid, **got)
                st.success(view.t("a_saved", id=aid))
                st.rerun()
            except ValueError as exc:
                st.error(view.t("a_error", err=escape(exc)))

    # -- import ------------------------------------------------------------------------------------
    with st.expander(view.t("a_import"), icon=":material/upload_file:"):
        st.caption(view.t("a_import_help"))
        up = st.file_uploader(view.t("a_import"), type=["xlsx", "csv"], key="actions_import_file",
                              label_visibility="collapsed")
        if up is not None:
            from analysis.actions_import import choose_series, read_register, resolve_targets

            data = up.getvalue()
            try:
                reg = read_register(data, up.name)
            except ValueError as exc:
                st.error(view.t("a_error", err=escape(exc)))
                reg = None
            if reg is not None:
                best, scores = choose_series(reg, catalog)
                if best is None:
                    st.warning(view.t("a_import_series_ambiguous"))
                isid = st.selectbox(view.t("af_series"), series_ids,
                                    index=series_ids.index(int(best)) if best is not None else None,
                                    format_func=lambda s: series_names.get(s, str(s)),
                                    key=f"actions_import_series_{hashlib.sha256(data).hexdigest()[:12]}")
                if isid is not None:
                    entry = catalog[catalog["series_id"] == isid]
                    if len(entry):
                        resolve_targets(reg, list(entry["items"].iloc[0]), list(entry["areas"].iloc[0]))
                st.caption(view.t("a_import_rows", n=len(reg.rows), row=reg.header_row))
                for msg in reg.warnings:
                    st.warning(escape(msg))
                preview = pd.DataFrame({
                    view.t("col_line"): [r.line for r in reg.rows],
                    view.t("a_problem"): [r.fields.get("problem", "") for r in reg.rows],
                    view.t("a_target_typed"): [r.fields.get("target_text", "") for r in reg.rows],
                    view.t("a_target"): [target_text(r.fields.get("target_kind") or "", r.fields.get("target_key") or "",
                                                     r.fields.get("target_label") or "", r.fields.get("target_rate"),
                                                     r.fields.get("target_change"), lang) if not r.problems else ""
                                         for r in reg.rows],
                    view.t("a_status"): [STATUSES[r.fields["status"]].label(lang) for r in reg.rows],
                    view.t("a_deadline"): [_day(r.fields.get("deadline")) for r in reg.rows],
                    view.t("col_fix"): ["；".join(r.problems) for r in reg.rows],
                })
                st.dataframe(preview, hide_index=True, width="stretch")
                if reg.unparsed:
                    st.warning(view.t("a_import_fix", n=len(reg.unparsed)))
                records = reg.records(isid)
                if isid is not None and records and st.button(view.t("a_import_go", n=len(records)), type="primary",
                                                              key="actions_import_go"):
                    try:
                        new_ids = store.import_actions(eng, records, user=user)
                        st.success(view.t("a_import_done", n=len(new_ids)))
                        st.rerun()
                    except ValueError as exc:
                        st.error(view.t("a_error", err=escape(exc)))

