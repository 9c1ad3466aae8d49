"""数据管理 — upload an export, check and edit its codebook, save it as a wave; manage waves.

Managers only: a viewer sees a message and the sidebar login, never the uploader. Everything a
user typed or uploaded is shown through widgets and dataframes (never as HTML). Every change is
passed to the store with the user's name, which writes the audit log.

Flow: upload → sha256 once per uploaded file (state keyed on the digest) → parse (platform,
encoding, preview) → codebook (saved one reused via ``questionnaire_key``) in ``st.data_editor``
→ ``analysis.prepare.prepare_wave`` with the edited codebook → validation report (its unknown
cells with row/column, screening flags) → wave details → save (``store.ingest_file`` of that
prepared wave, so the file is parsed once; a file uploaded before is reported as a duplicate, not
saved twice).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import store
from analysis.areas import AREAS, UNCLASSIFIED
from analysis.codebook import CODEBOOK_COLUMNS, codebook_to_csv, questionnaire_key, suggest_codebook
from analysis.ingest import ADAPTERS, parse_survey
from analysis.model import ROLES, Survey
from analysis.prepare import PreparedWave, prepare_wave
from analysis.scales import SCALES
from ui import series as series_ui
from ui.audit_log import audit_table
from ui.auth import user_name
from ui.frame import frame
from ui.i18n import area_label, t
from ui.loaders import engine as _engine
from ui.report_menu import original_files

PREVIEW_ROWS = 10
MAX_LISTED_CELLS = 500


def _limit(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


MAX_MB = _limit("SURVEY_MAX_UPLOAD_MB", 200)
MAX_ROWS = _limit("SURVEY_MAX_ROWS", 2_000_000)



def _plain(text: object) -> str:
    """Text from a file or an error, escaped so Markdown shows it literally (no links, images, HTML)."""
    from ui.widgets import plain

    return plain(text)


def _digest(uploaded) -> str:
    """sha256 of the upload, computed once per uploaded file (keyed on the uploader's file id)."""
    cached = st.session_state.get("data_digest")
    if cached and cached[0] == uploaded.file_id:
        return cached[1]
    digest = hashlib.sha256(uploaded.getvalue()).hexdigest()
    st.session_state["data_digest"] = (uploaded.file_id, digest)
    return digest


def _codebook_editor(cb: pd.DataFrame, digest: str, lang: str) -> pd.DataFrame:
    areas = list(AREAS) + [UNCLASSIFIED]
    scales = list(SCALES)
    for value in cb["scale"].dropna().astype(str):  # keep custom scale specs selectable
        if value and value not in scales:
            scales.append(value)
    for value in cb["area"].dropna().astype(str):
        if value and value not in areas:
            areas.append(value)
    return st.data_editor(
        cb,
        key=f"data_cb_{digest[:16]}",
        hide_index=True,
        num_rows="fixed",
        width="stretch",
        disabled=["column", "qnum"],
        column_config={  # names from the registries, never the internal keys (ui/strings_series.py)
            "column": st.column_config.TextColumn(t("cb_col_column", lang), width="medium"),
            "role": st.column_config.SelectboxColumn(t("cb_col_role", lang), options=list(ROLES), required=True,
                                                     format_func=lambda r: t(f"cbrole_{r}", lang)),
            "area": st.column_config.SelectboxColumn(t("cb_col_area", lang), options=areas,
                                                     format_func=lambda a: area_label(a, lang)),
            "scale": st.column_config.SelectboxColumn(t("cb_col_scale", lang), options=scales, format_func=lambda s: (
                (SCALES[s].title_zh if lang == "zh" else SCALES[s].title_en) or s) if s in SCALES else s),
            "label": st.column_config.TextColumn(t("cb_col_label", lang), width="medium"),
            "codes": st.column_config.TextColumn(t("cb_col_codes", lang)),
        },
    )


def _parse(uploaded, digest: str, lang: str) -> dict | None:
    """Parse the upload once per digest; returns the cached state or None after showing an error."""
    state = st.session_state.get("data_parsed")
    if state and state["digest"] == digest:
        return state
    data = uploaded.getvalue()
    try:
        too_many = None
        with st.status(t("data_reading", lang), expanded=False) as status:
            bar = st.progress(0.0, text=t("data_step_parse", lang))
            survey = parse_survey(data, uploaded.name)
            if len(survey.data) > MAX_ROWS:  # said outside the collapsed box (issue 10, finding 12)
                too_many = t("data_too_many_rows", lang, n=f"{len(survey.data):,}", rows=f"{MAX_ROWS:,}")
                status.update(label=too_many, state="error")
            else:
                bar.progress(0.5, text=t("data_step_codebook", lang))
                key = questionnaire_key(survey)
                saved = store.find_codebook(_engine(), key)
                codebook = saved if saved is not None else suggest_codebook(survey)
                codebook = codebook.reindex(columns=CODEBOOK_COLUMNS).fillna("").astype(str).reset_index(drop=True)
                bar.progress(1.0, text=t("data_read_done", lang))
                status.update(label=t("data_read_done", lang), state="complete")
        if too_many is not None:
            st.error(too_many)
            return None
    except ValueError as exc:
        st.error(t("data_bad_file", lang) + _plain(exc))
        return None
    except Exception as exc:  # a broken file must never show a traceback
        st.error(t("data_bad_file", lang) + _plain(f"{type(exc).__name__}: {str(exc)[:300]}"))
        return None
    state = {
        "digest": digest,
        "survey": survey,
        "key": key,
        "codebook": codebook,
        "reused": saved is not None,
        "applied": None,
    }
    st.session_state["data_parsed"] = state
    return state


def _apply(uploaded, state: dict, edited: pd.DataFrame, lang: str) -> tuple[PreparedWave | None, str | None]:
    """Prepare the wave with the edited codebook (coded and screened); cached on the codebook's content."""
    cb_hash = hashlib.sha256(codebook_to_csv(edited).encode("utf-8")).hexdigest()
    cached = state.get("applied")
    if cached and cached[0] == cb_hash:
        return cached[1], cached[2]
    prepared, error = None, None
    try:
        with st.spinner(t("data_step_validate", lang)):
            prepared = prepare_wave(uploaded.getvalue(), uploaded.name, edited, survey=state["survey"])
    except ValueError as exc:
        error = str(exc)
    state["applied"] = (cb_hash, prepared, error)
    return prepared, error


def _show_validation(prepared: PreparedWave, lang: str) -> None:
    ds, flags = prepared.dataset, prepared.dataset.flags
    st.subheader(t("data_validation_header", lang))
    for message in ds.warnings:
        st.warning(_plain(message))
    areas = sorted(set(ds.items["area"]))
    st.caption(t("data_items_summary", lang, k=len(ds.items), areas=_plain("、".join(area_label(a, lang) for a in areas))))
    total = len(prepared.unknown)
    if total:
        st.warning(t("data_unknown_cells", lang, n=total))
        cells = prepared.unknown.head(MAX_LISTED_CELLS).assign(problem=t("problem_unknown", lang))
        st.dataframe(cells.rename(columns={c: t(f"col_{c}", lang) for c in cells.columns}), hide_index=True)
    else:
        st.success(t("data_validation_ok", lang))
    if flags is not None and len(flags):
        st.warning(t("data_flags", lang, n=len(flags)))
        shown = flags.copy()
        if "reasons" in shown:
            shown["reasons"] = shown["reasons"].map(lambda r: series_ui.reason_words(r, lang))  # 答题过快, not speeder
        st.dataframe(
            shown.head(MAX_LISTED_CELLS).rename(columns={"row": t("col_row", lang), "reasons": t("col_reasons", lang)}),
            hide_index=True,
        )
    else:
        st.caption(t("data_no_flags", lang))


def _save_form(uploaded, state: dict, prepared: PreparedWave, user: str, lang: str) -> None:
    st.subheader(t("data_wave_header", lang))
    n = prepared.n_responses
    if not series_ui.duplicate_gate(_engine(), prepared.dataset, state["digest"], lang):  # same answers stored already?
        return
    with st.form(f"data_wave_form_{state['digest'][:16]}"):
        name = st.text_input(t("data_wave_name", lang), value=Path(uploaded.name).stem, key="data_wave_name")
        c1, c2, c3 = st.columns(3)
        period = c1.text_input(t("data_wave_period", lang), key="data_wave_period")
        unit = c2.text_input(t("data_wave_unit", lang), key="data_wave_unit")
        channel = c3.text_input(
            t("data_wave_channel", lang), value="问卷调查" if lang == "zh" else "questionnaire", key="data_wave_channel"
        )
        c4, c5 = st.columns(2)
        distributed = c4.number_input(
            t("data_wave_distributed", lang), min_value=0, value=0, step=1, key="data_wave_distributed"
        )
        returned = c5.number_input(
            t("data_wave_returned", lang), min_value=0, value=n, step=1, key="data_wave_returned"
        )
        series_meta = series_ui.upload_fields(_engine(), prepared.dataset, state["key"], Path(uploaded.name).stem, lang)
        submitted = st.form_submit_button(t("data_save", lang), type="primary")
    if not submitted:
        return
    name = (name or "").strip()
    if not name:
        st.error(t("data_need_name", lang))
        return
    meta = {
        "name": name,
        "period": period.strip(),
        "unit": unit.strip(),
        "channel": channel.strip(),
        "distributed": int(distributed) or None,
        "returned": int(returned) or None,
        **series_meta,
    }
    engine = _engine()
    try:
        with st.status(t("data_saving", lang), expanded=False) as status:
            # the store writes the wave prepared (and validated) above, saves its edited codebook under the
            # questionnaire key and writes the audit row: the file is not parsed a second time
            result = store.ingest_file(engine, prepared, wave=name, meta=meta, user=user)
            status.update(state="complete")
    except ValueError as exc:
        st.error(t("data_store_error", lang) + _plain(exc))
        return
    if result.duplicate_of is not None:
        st.warning(t("data_duplicate", lang, wave=result.duplicate_of))
        if result.restored:
            for message in result.warnings or []:
                st.info(_plain(message))
    else:
        st.success(t("data_saved", lang, name=_plain(result.name or name), n=result.n_responses))
        series_ui.after_save(result.wave_id, lang)
        for message in result.warnings or []:
            if message not in prepared.warnings:  # the validation report above already showed those
                st.warning(_plain(message))


def _upload_section(user: str, lang: str) -> None:
    st.subheader(t("data_upload_header", lang))
    uploaded = st.file_uploader(
        t("data_upload_label", lang),
        type=["csv", "xlsx", "xls", "tsv", "txt"],
        key="data_upload",
        help=t("data_upload_help", lang, mb=MAX_MB, rows=f"{MAX_ROWS:,}"),
    )
    if uploaded is None:
        # forget the last file's parsed copy (a million-row survey is worth freeing)
        st.session_state.pop("data_parsed", None)
        st.session_state.pop("data_digest", None)
        return
    if uploaded.size > MAX_MB * 2**20:
        st.error(t("data_too_large", lang, size=_size_text(uploaded.size, MAX_MB), mb=MAX_MB))
        return
    digest = _digest(uploaded)
    state = _parse(uploaded, digest, lang)
    if state is None:
        return
    survey: Survey = state["survey"]
    adapter = ADAPTERS.get(survey.format)
    platform = (adapter.title_zh if lang == "zh" else adapter.title_en) if adapter else survey.format
    st.markdown(
        t(
            "data_detected",
            lang,
            platform=platform,
            encoding=survey.encoding,
            n=len(survey.data),
            m=survey.data.shape[1],
        )
    )
    st.caption(t("data_preview", lang, k=PREVIEW_ROWS))
    st.dataframe(survey.data.head(PREVIEW_ROWS), hide_index=True)
    dup = store.find_upload(_engine(), digest)
    if dup is not None and dup.get("deleted_at") is None:
        # the same bytes are already a wave: say so instead of offering to save them twice
        st.warning(t("data_duplicate_known", lang, wave=dup["wave_id"], name=_plain(dup["name"])))
        return
    if dup is not None:
        st.info(t("data_duplicate_deleted", lang, wave=dup["wave_id"], name=_plain(dup["name"])))

    st.subheader(t("data_codebook_header", lang))
    st.caption(t("data_codebook_help", lang))
    st.info(t("data_codebook_reused" if state["reused"] else "data_codebook_suggested", lang))
    edited = _codebook_editor(state["codebook"], digest, lang)
    edited = edited.reindex(columns=CODEBOOK_COLUMNS).fillna("").astype(str)
    st.download_button(
        t("data_codebook_download", lang),
        ("\ufeff" + codebook_to_csv(edited)).encode("utf-8"),
        file_name=f"codebook_{state['key']}.csv",
        mime="text/csv",
        key="data_cb_download",
    )
    prepared, error = _apply(uploaded, state, edited, lang)
    if error is not None:
        st.error(t("data_codebook_error", lang) + _plain(error))
        return
    _show_validation(prepared, lang)
    _save_form(uploaded, state, prepared, user, lang)


def _rates(row: pd.Series) -> pd.Series:
    from analysis.metrics import response_rates  # one definition of 回收率 / 有效率 / 有效回收率 (METRICS.md)

    rates = response_rates(row.get("distributed"), row.get("returned"), row.get("n_valid"))
    return pd.Series({k: rates[k] for k in ("response_rate", "validity_rate", "effective_rate")})


def _wave_table(waves: pd.DataFrame, lang: str, deleted: bool = False) -> None:
    table = waves.copy()
    if "files" in table:
        table["files"] = table["files"].map(lambda f: ", ".join(map(str, f)) if isinstance(f, (list, tuple)) else f)
    if len(table):
        table = pd.concat([table, table.apply(_rates, axis=1)], axis=1)
    cols = [
        "id",
        "name",
        "series_name",
        "unit",
        "period",
        "channel",
        "files",
        "format",
        "n_responses",
        "n_valid",
        "distributed",
        "returned",
        "response_rate",
        "validity_rate",
        "effective_rate",
        "created_at",
    ] + (["deleted_at"] if deleted else [])
    table = table.reindex(columns=[c for c in cols if c in table.columns or c.endswith("_rate")])
    st.dataframe(
        table.rename(columns={c: t(f"col_{c}", lang) for c in table.columns}),
        hide_index=True,
        column_config={
            t("col_response_rate", lang): st.column_config.NumberColumn(format="percent"),
            t("col_validity_rate", lang): st.column_config.NumberColumn(format="percent"),
            t("col_effective_rate", lang): st.column_config.NumberColumn(format="percent"),
        },
    )


def _label(waves: pd.DataFrame):
    names = dict(zip(waves["id"], waves["name"], strict=False))
    return lambda wave_id: f"#{wave_id} {names.get(wave_id, '')}"


def _waves_section(user: str, lang: str) -> None:
    engine = _engine()
    flash = st.session_state.pop("data_flash", None)
    if flash:
        st.success(flash)
    st.subheader(t("data_waves_header", lang))
    try:
        waves = store.list_waves(engine, include_deleted=True)
    except ValueError as exc:
        st.error(t("data_store_error", lang) + _plain(exc))
        return
    from analysis.access import scope_waves  # a manager limited to some series manages only those (issue 16)

    waves = scope_waves(waves, getattr(view.principal, "scopes", None))
    deleted_mask = waves["deleted_at"].notna() if "deleted_at" in waves else pd.Series(False, index=waves.index)
    active, deleted = waves[~deleted_mask], waves[deleted_mask]
    if active.empty:
        st.info(t("data_no_waves", lang))
    else:
        _wave_table(active, lang)
        st.markdown(f"**{t('data_manage_header', lang)}**")
        wave_id = st.selectbox(
            t("data_pick_wave", lang), list(active["id"]), format_func=_label(active), key="data_manage_wave"
        )
        c1, c2 = st.columns(2)
        with c1:
            new_name = st.text_input(t("data_new_name", lang), key="data_new_name")
            if st.button(t("data_rename", lang), key="data_rename_btn", disabled=not new_name.strip()):
                _act(
                    lambda: store.rename_wave(engine, wave_id, new_name.strip(), user=user),
                    t("data_renamed", lang),
                    lang,
                )
        with c2:
            confirm = st.checkbox(t("data_delete_confirm", lang), key=f"data_delete_confirm_{wave_id}")
            if st.button(t("data_delete", lang), key="data_delete_btn", disabled=not confirm, type="primary"):
                _act(lambda: store.delete_wave(engine, wave_id, user=user), t("data_deleted", lang), lang)
        original_files(engine, wave_id, lang)  # the wave's uploaded files, byte for byte (ui/report_menu.py)
    if not deleted.empty:
        with st.expander(t("data_deleted_header", lang), expanded=False):
            _wave_table(deleted, lang, deleted=True)
            gone = st.selectbox(
                t("data_pick_wave", lang), list(deleted["id"]), format_func=_label(deleted), key="data_restore_wave"
            )
            if st.button(t("data_restore", lang), key="data_restore_btn"):
                _act(lambda: store.restore_wave(engine, gone, user=user), t("data_restored", lang), lang)
    with st.expander(t("data_audit_header", lang), expanded=False):
        try:
            st.dataframe(audit_table(store.list_audit(engine, limit=200), lang), hide_index=True)  # sentences
        except ValueError as exc:
            st.error(_plain(exc))


def _size_text(size: int, limit_mb: float) -> str:
    """``1,064,280 字节 (1.015 MB)``: enough precision that a file just over the limit shows as over it."""
    digits = 1
    while digits < 6 and round(size / 2**20, digits) <= limit_mb < size / 2**20:
        digits += 1
    return f"{size / 2**20:.{digits}f}"


def _threshold_section(user: str, lang: str) -> None:
    """The deployment's anonymity threshold (issue 10): managers may raise SURVEY_MIN_GROUP."""
    from analysis.anonymity import K_MAX, SETTING_KEY, min_group

    engine = _engine()
    floor, now = min_group(), min_group(engine)
    st.subheader(t("k_setting", lang))
    st.caption(t("k_setting_now", lang, k=now))
    value = st.number_input(
        t("k_setting", lang), min_value=floor, max_value=K_MAX, value=now, step=1, key="data_min_group",
        help=t("k_setting_help", lang, floor=floor),
    )
    if st.button(t("k_setting", lang) + " ✓", key="data_min_group_save", disabled=int(value) == now):
        _act(lambda: store.set_setting(engine, SETTING_KEY, str(int(value)), user=user),
             t("k_setting_saved", lang, k=int(value)), lang)


def _act(action, done: str, lang: str) -> None:
    try:
        action()
    except ValueError as exc:
        st.error(t("data_store_error", lang) + _plain(exc))
        return
    st.session_state["data_flash"] = done
    st.rerun()


view = frame("data")
lang = view.lang
st.title(t("data_title", lang))
if not view.is_manager:
    st.warning(t("data_manager_only", lang))
    st.stop()
current = user_name(view.user)
_upload_section(current, lang)
st.divider()
_waves_section(current, lang)
st.divider()
_threshold_section(current, lang)
