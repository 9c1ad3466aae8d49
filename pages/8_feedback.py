"""意见与访谈 Feedback: records of every channel by service area, their tone and keywords, the masked texts.

All filters are in the URL (the shared ``area`` plus this page's own ``fb_*`` parameters), so a
link reopens the same view. Texts are shown only through ``st.dataframe`` / ``st.text`` (never
markdown), only for groups of at least ``k_comments`` people (the deployment's threshold), and
always masked (the store holds nothing else).
"""

import datetime as dt
import io
from typing import Any

import pandas as pd
import streamlit as st

from analysis.areas import AREAS
from analysis.charts import make_area_count_figure
from analysis.feedback import (
    CHANNELS,
    FIELD_LABELS,
    FIELDS,
    STATUSES,
    channel_label,
    comment_threshold,
    shown_comments,
    status_label,
)
from analysis.text import TONES, WORD_KINDS
from ui import loaders
from ui import widgets as w
from ui.frame import frame, page_param, sync_param
from ui.i18n import area_label, fmt_int
from ui.session import restrict_rows

PAGE_SIZE = 50

view = frame("feedback")
lang = view.lang
st.title(view.t("fb_title"))
st.caption(view.t("fb_intro"))
K = comment_threshold({"min_group": view.min_group}, view.k)  # the deployment's and the managers' threshold


# --- URL parameters of this page ----------------------------------------------------------------------
def _date_or_none(raw: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _url_value(name: str, ok) -> tuple[str, str]:
    """A free-form URL parameter (search text, dates, page): ``(value, widget key)``; invalid → ""."""
    raw = st.query_params.get(name)
    value = raw if raw and ok(raw) else ""
    if raw is not None and value != raw:
        del st.query_params[name]
    return value, f"page_{name}"


def _put(name: str, value: str) -> None:
    if value:
        st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]


def _sync_text(name: str, key: str) -> None:
    _put(name, str(st.session_state.get(key) or "").strip()[:100])
    _put("fb_page", "")


def _sync_date(name: str, key: str) -> None:
    value = st.session_state.get(key)
    _put(name, value.isoformat() if isinstance(value, dt.date) else "")
    _put("fb_page", "")


def _sync_choice(name: str, key: str, default: str) -> None:
    sync_param(name, key, default)
    _put("fb_page", "")


@st.cache_data(show_spinner=False, max_entries=64)
def _records(url: str, version: str, filters: tuple) -> pd.DataFrame:
    from analysis.store import list_feedback

    return list_feedback(loaders.engine(), **dict(filters))


def _load(**filters: Any) -> pd.DataFrame:
    clean = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in filters.items()
                         if v not in (None, "", [])))
    # a scoped user or share link sees only the records of its own waves (issue 16)
    return restrict_rows(view, _records(loaders.db_url(), view.version, clean), series_col="", wave_cols=("wave_id",),
                         blank_ok=False)


def _formula_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells starting with = + - @ tab or CR get a leading apostrophe (OWASP "CSV injection").

    ``analysis.safe.neutralise_formulas`` (issue 10) is the product's one rule; this stands in
    until it is on main.
    """
    try:
        from analysis.safe import neutralise_formulas
    except ImportError:
        out = df.copy()
        for c in out.columns:
            if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
                out[c] = [("'" + v) if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
                          for v in out[c]]
        return out
    return neutralise_formulas(df)


if view.error:
    st.stop()
try:
    everything = _load()
except Exception as exc:  # noqa: BLE001 - the page explains instead of a traceback
    st.warning(view.t("fb_error", err=exc))
    st.stop()

waves = view.waves
wave_ids = list(waves["id"].astype(str)) if len(waves) else []
wave_names = dict(zip(wave_ids, waves["name"].astype(str), strict=False)) if len(waves) else {}

# --- filters --------------------------------------------------------------------------------------------
st.subheader(view.t("fb_filters"))
c1, c2, c3, c4 = st.columns(4)
series_ids: list[str] = []
if len(waves) and "series_id" in waves.columns:
    series_ids = [str(s) for s in dict.fromkeys(waves["series_id"].dropna().astype(str))]
series = ""
if len(series_ids) > 1:
    names = dict(zip(waves["series_id"].astype(str), waves.get("series_name", waves["series_id"]).astype(str),
                     strict=False))
    series, key = page_param("fb_series", [""] + series_ids, "")
    c1.selectbox(view.t("fb_series"), [""] + series_ids, key=key, on_change=_sync_choice,
                 args=("fb_series", key, ""), format_func=lambda s: names.get(s, s) if s else view.t("fb_series_all"))
in_series = [i for i in wave_ids if not series or str(waves.loc[waves["id"].astype(str) == i, "series_id"].iloc[0]) == series]
src_options = ["", "records"] + in_series
source, key = page_param("fb_src", src_options, "")
c1.selectbox(
    view.t("fb_source"), src_options, key=key, on_change=_sync_choice, args=("fb_src", key, ""),
    format_func=lambda s: view.t("fb_source_all") if s == "" else view.t("fb_source_records") if s == "records"
    else view.t("fb_source_wave", name=wave_names.get(s, s)),
)
channel, key = page_param("fb_channel", [""] + list(CHANNELS), "")
c2.selectbox(view.t("fb_channel"), [""] + list(CHANNELS), key=key, on_change=_sync_choice,
             args=("fb_channel", key, ""),
             format_func=lambda c: channel_label(c, lang) if c else view.t("fb_channel_all"))
area_opts = [""] + list(AREAS) + ["none"]
# this page's own area parameter (it also offers "no area"); without it the sidebar's area applies
area, key = page_param("fb_area", area_opts, "")
if "fb_area" not in st.query_params and view.area in AREAS:
    area = st.session_state[key] = view.area
c3.selectbox(view.t("fb_area"), area_opts, key=key, on_change=_sync_choice, args=("fb_area", key, ""),
             format_func=lambda a: view.t("fb_area_none") if a == "none" else area_label(a, lang))
groups = sorted({str(g) for g in everything["group"].dropna()}) if len(everything) else []
group, key = page_param("fb_group", [""] + groups, "")
c4.selectbox(view.t("fb_group"), [""] + groups, key=key, on_change=_sync_choice, args=("fb_group", key, ""),
             format_func=lambda g: g if g else view.t("fb_group_all"))
d1, d2, d3, d4 = st.columns(4)
tone, key = page_param("fb_tone", [""] + list(TONES), "")
d1.selectbox(view.t("fb_tone"), [""] + list(TONES), key=key, on_change=_sync_choice, args=("fb_tone", key, ""),
             format_func=lambda x: (TONES[x][0] if lang == "zh" else TONES[x][1]) if x else view.t("fb_tone_all"))
date_from, key = _url_value("fb_from", lambda r: _date_or_none(r) is not None)
st.session_state[key] = _date_or_none(date_from)
d2.date_input(view.t("fb_date_from"), key=key, on_change=_sync_date, args=("fb_from", key),
              min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))
date_to, key = _url_value("fb_to", lambda r: _date_or_none(r) is not None)
st.session_state[key] = _date_or_none(date_to)
d3.date_input(view.t("fb_date_to"), key=key, on_change=_sync_date, args=("fb_to", key),
              min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))
query, key = _url_value("fb_q", lambda r: len(r) <= 100)
st.session_state[key] = query
d4.text_input(view.t("fb_search"), key=key, on_change=_sync_text, args=("fb_q", key), help=view.t("fb_search_help"))

filters: dict[str, Any] = {"channel": channel, "group": group, "tone": tone, "date_from": date_from,
                           "date_to": date_to, "text": query, "area": area}
if source == "records":
    filters["source"] = "records"
elif source:
    filters["wave"] = [int(source)]
elif series:
    filters["wave"] = [int(i) for i in in_series]
recs = _load(**filters)

st.caption(view.t("fb_count", n=fmt_int(len(recs))))
if not len(recs):
    st.info(view.t("fb_none"))
    st.stop()
visible = shown_comments(recs, k=K)
shown = recs[visible].reset_index(drop=True)

# --- counts by area × channel and area × tone -------------------------------------------------------------
long = recs[["areas", "channel", "tone"]].explode("areas").dropna(subset=["areas"])
if len(long):
    g1, g2 = st.columns(2)
    by_channel = long.groupby(["areas", "channel"], sort=False).size().reset_index(name="n")
    order = {c: i for i, c in enumerate(CHANNELS)}
    by_channel = by_channel.sort_values("channel", key=lambda s: s.map(order), kind="stable")
    table = pd.DataFrame({"area": by_channel["areas"], "category": [channel_label(c, lang) for c in by_channel["channel"]],
                          "n": by_channel["n"]})
    with g1:
        w.show_figure(make_area_count_figure(table, lang=lang, present=view.present, title=view.t("fb_by_channel")),
                      key="fb_by_channel")
    by_tone = long.groupby(["areas", "tone"], sort=False).size().reset_index(name="n")
    torder = {t: i for i, t in enumerate(TONES)}
    by_tone = by_tone.sort_values("tone", key=lambda s: s.map(torder), kind="stable")
    table = pd.DataFrame({"area": by_tone["areas"],
                          "category": [TONES[t][0] if lang == "zh" else TONES[t][1] for t in by_tone["tone"]],
                          "n": by_tone["n"]})
    with g2:
        w.show_figure(make_area_count_figure(table, lang=lang, present=view.present, title=view.t("fb_by_tone")),
                      key="fb_by_tone")
    st.caption(view.t("fb_counts_note"))

# --- keywords per area (from the comments that may be shown) ----------------------------------------------
kw = pd.DataFrame(columns=["area", "word"])
if len(shown):
    from analysis.store import store_lexicon
    from analysis.text import area_keywords

    kw = area_keywords(shown["text"].tolist(), shown["areas"].tolist(), lexicon=store_lexicon(loaders.engine()), top=8,
                       min_count=2 if len(shown) >= 50 else 1)
    if len(kw):
        n_area = shown["areas"].explode().value_counts()
        rows = [(area_label(a, lang), int(n_area.get(a, 0)), "、".join(kw.loc[kw["area"] == a, "word"]))
                for a in AREAS if a in set(kw["area"])]
        st.subheader(view.t("fb_keywords"))
        st.dataframe(pd.DataFrame(rows, columns=[view.t("fb_col_area"), view.t("fb_col_n"), view.t("fb_col_keywords")]),
                     hide_index=True, width="stretch")
        st.caption(view.t("fb_keywords_note"))

# --- manager: a topic (an area, or one of its keywords) into the 整改台账 ----------------------------------
if view.is_manager and len(long):
    from ui.actions_board import FEEDBACK_LINK_CAP, add_feedback_draft, topic_draft

    topic_areas = [a for a in AREAS if a in set(long["areas"])]
    with st.expander(f"{view.t('a_fb_add_title')} · {view.t('a_fb_topic')}", icon=":material/playlist_add:"):
        t1, t2 = st.columns(2)
        t_area = t1.selectbox(view.t("a_fb_topic_area"), topic_areas, format_func=lambda a: area_label(a, lang),
                              key="fb_reg_area")
        t_words = [""] + [str(x) for x in kw.loc[kw["area"] == t_area, "word"]]
        t_word = t2.selectbox(view.t("a_fb_topic_word"), t_words, format_func=lambda x: x or view.t("a_fb_topic_all"),
                              key=f"fb_reg_word_{t_area}")
        topic = topic_draft(recs, area=t_area, word=t_word, k=K)
        st.caption(view.t("a_fb_topic_note", cap=FEEDBACK_LINK_CAP))
        st.text(view.t("a_fb_preview", problem=topic["problem"], n=len(topic["feedback_ids"])))  # a keyword is user text
        if st.button(view.t("a_add_to_register"), key="fb_reg_topic_add", icon=":material/playlist_add:"):
            add_feedback_draft(view, topic)

# --- the record list ---------------------------------------------------------------------------------------
st.subheader(view.t("fb_list"))
n_hidden = int((~visible).sum())
if n_hidden:
    st.caption(":material/lock: " + view.t("fb_hidden", n=fmt_int(n_hidden), k=K))


def _table(df: pd.DataFrame) -> pd.DataFrame:
    sep = "、" if lang == "zh" else ", "
    return pd.DataFrame({
        view.t("fb_col_id"): df["id"].astype("Int64"),
        view.t("fb_col_date"): [d.date().isoformat() if not pd.isna(d) else "" for d in df["date"]],
        view.t("fb_col_channel"): [channel_label(c, lang) for c in df["channel"]],
        view.t("fb_col_group"): df["group"].fillna("").astype(str),
        view.t("fb_col_areas"): [sep.join(area_label(a, lang) for a in a_list) for a_list in df["areas"]],
        view.t("fb_col_tone"): [(TONES[t][0] if lang == "zh" else TONES[t][1])
                                + (f" · {view.t('fb_suggestion_mark')}" if s else "")
                                for t, s in zip(df["tone"], df["suggestion"], strict=True)],
        view.t("fb_col_text"): df["text"].astype(str),
        view.t("fb_col_status"): [status_label(s, lang) for s in df["status"]],
        view.t("fb_col_source"): df["source"].astype(str),
    })


if len(shown):
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page_no, key = _url_value("fb_page", lambda r: r.isdigit() and 1 <= int(r) <= pages)
    page_no = int(page_no or 1)
    st.session_state[key] = page_no
    if pages > 1:
        st.number_input(view.t("fb_page"), min_value=1, max_value=pages, step=1, key=key,
                        on_change=lambda: _put("fb_page", "" if st.session_state[key] == 1 else str(st.session_state[key])))
    chunk = shown.iloc[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]
    st.caption(view.t("fb_page_of", page=page_no, pages=pages))
    st.dataframe(_table(chunk), hide_index=True, width="stretch")
    with st.expander(view.t("fb_detail"), expanded=True):
        ids = chunk["id"].astype(int).tolist()
        texts = dict(zip(ids, chunk["text"].astype(str), strict=True))
        labels = {i: f"#{i} · {channel_label(c, lang)}" for i, c in zip(ids, chunk["channel"], strict=True)}
        pick = st.selectbox(view.t("fb_col_id"), ids, format_func=lambda i: labels[i], key="fb_detail_pick")
        st.text(texts.get(pick, ""))
        if view.is_manager and pick is not None:
            from ui.actions_board import add_feedback_draft, record_draft

            st.caption(view.t("a_fb_record_note"))
            if st.button(view.t("a_add_to_register"), key="fb_reg_record_add", icon=":material/playlist_add:"):
                add_feedback_draft(view, record_draft(chunk[chunk["id"].astype(int) == int(pick)].iloc[0].to_dict()))

    def _csv() -> bytes:
        buf = io.StringIO()
        _formula_safe(_table(shown)).to_csv(buf, index=False)
        return buf.getvalue().encode("utf-8-sig")

    st.download_button(view.t("fb_download"), data=_csv, file_name="feedback.csv", mime="text/csv",
                       on_click="ignore", icon=":material/download:")

# --- manager tools: import, type in, status, lexicon --------------------------------------------------------
if not view.is_manager:
    st.stop()

from analysis import store  # noqa: E402
from analysis.feedback import analyse_records, read_record_table, records_from_table  # noqa: E402

engine = loaders.engine()
user = getattr(view.user, "name", "manager")
st.divider()
st.subheader(view.t("fb_manage"))
tab_import, tab_form, tab_status, tab_lex = st.tabs(
    [view.t("fb_import"), view.t("fb_form"), view.t("fb_status_change"), view.t("fb_lexicon")])

with tab_import:
    up = st.file_uploader(view.t("fb_import"), type=["csv", "xlsx", "xls", "txt"], help=view.t("fb_import_help"),
                          key="fb_upload")
    if up is not None:
        data = up.getvalue()
        before = store.find_feedback_file(engine, data)
        if before is not None:
            st.info(view.t("fb_duplicate", at=str(before["uploaded_at"])[:16], id=before["id"], n=before["n_records"]))
        else:
            try:
                table = read_record_table(data, up.name)
            except ValueError as exc:
                st.warning(view.t("fb_error", err=exc))
                table = None
            if table is not None:
                from analysis.feedback import suggest_mapping

                suggested = suggest_mapping(list(table.frame.columns))
                cols = list(table.frame.columns)
                st.markdown(f"**{view.t('fb_mapping')}**")
                mapping = {}
                mcols = st.columns(len(FIELDS))
                for mc, f in zip(mcols, FIELDS, strict=True):
                    opts = [""] + cols
                    mapping[f] = mc.selectbox(view.t(f"fb_field_{f}"), opts,
                                              index=opts.index(suggested[f]) if suggested[f] in opts else 0,
                                              format_func=lambda c: c if c else view.t("fb_no_column"),
                                              key=f"fb_map_{f}_{up.file_id}")
                default_channel = st.selectbox(view.t("fb_default_channel"), list(CHANNELS), index=list(CHANNELS).index("other"),
                                               format_func=lambda c: channel_label(c, lang), key="fb_default_channel")
                try:
                    recs_new, errors, notes = records_from_table(table, mapping, default_channel=default_channel)
                except ValueError as exc:
                    st.warning(view.t("fb_error", err=exc))
                    recs_new, errors, notes = None, [], []
                if recs_new is not None:
                    preview = analyse_records(recs_new.head(20))
                    st.markdown(f"**{view.t('fb_preview')}**")
                    st.dataframe(pd.DataFrame({
                        "#": preview["row"], view.t("fb_col_date"): preview["date"].astype(str),
                        view.t("fb_col_channel"): [channel_label(c, lang) for c in preview["channel"]],
                        view.t("fb_col_group"): preview["group"].fillna("").astype(str),
                        view.t("fb_col_areas"): ["、".join(area_label(a, lang) for a in x) for x in preview["areas"]],
                        view.t("fb_col_text"): preview["text"].astype(str),
                    }), hide_index=True, width="stretch")
                    if errors:
                        st.markdown(f"**{view.t('fb_bad_rows')}**")
                        st.dataframe(pd.DataFrame(errors), hide_index=True, width="stretch")
                    if notes or table.warnings:
                        from analysis.text import mask_pii

                        st.markdown(f"**{view.t('fb_row_warnings')}**")
                        st.dataframe(pd.DataFrame({view.t("fb_row_warnings"): [mask_pii(n)[0] for n in table.warnings + notes]}),
                                     hide_index=True, width="stretch")
                    if len(recs_new) and st.button(view.t("fb_import_button", n=len(recs_new)), type="primary",
                                                   key="fb_import_go"):
                        try:
                            res = store.import_feedback(engine, data, up.name, mapping=mapping, user=user,
                                                        default_channel=default_channel)
                        except ValueError as exc:
                            st.warning(view.t("fb_error", err=exc))
                        else:
                            st.success(view.t("fb_imported", n=res.n_records))
                            st.rerun()

with tab_form:
    with st.form("fb_form", clear_on_submit=True):
        f1, f2, f3 = st.columns(3)
        f_date = f1.date_input(view.t("fb_col_date"), value=dt.date.today())
        f_channel = f2.selectbox(view.t("fb_col_channel"), list(CHANNELS), format_func=lambda c: channel_label(c, lang))
        f_status = f3.selectbox(view.t("fb_col_status"), list(STATUSES), format_func=lambda s: status_label(s, lang))
        f4, f5 = st.columns(2)
        f_group = f4.text_input(view.t("fb_col_group"), max_chars=100)
        f_unit = f5.text_input(FIELD_LABELS["unit"][0 if lang == "zh" else 1], max_chars=200)
        f_text = st.text_area(view.t("fb_col_text"), max_chars=5000)
        if st.form_submit_button(view.t("fb_form_submit"), type="primary"):
            try:
                rid = store.add_feedback(engine, date=f_date, channel=f_channel, group=f_group, unit=f_unit,
                                         text=f_text, status=f_status, user=user)
            except ValueError as exc:
                st.warning(view.t("fb_error", err=exc))
            else:
                st.success(view.t("fb_saved", id=rid))

with tab_status:
    s1, s2, s3 = st.columns([2, 2, 1])
    ids_all = recs["id"].astype(int).tolist()
    rid = s1.selectbox(view.t("fb_status_record"), ids_all, key="fb_status_id")
    new_status = s2.selectbox(view.t("fb_col_status"), list(STATUSES), format_func=lambda s: status_label(s, lang),
                              key="fb_status_value")
    if s3.button(view.t("fb_status_apply"), key="fb_status_go") and rid is not None:
        try:
            store.update_feedback(engine, int(rid), status=new_status, user=user)
        except ValueError as exc:
            st.warning(view.t("fb_error", err=exc))
        else:
            st.success(view.t("fb_status_done"))

with tab_lex:
    st.caption(view.t("fb_lexicon_help"))
    with st.form("fb_lex_form", clear_on_submit=True):
        l1, l2, l3 = st.columns(3)
        word = l1.text_input(view.t("fb_word"), max_chars=20)
        kind = l2.selectbox(view.t("fb_word_kind"), list(WORD_KINDS),
                            format_func=lambda k: WORD_KINDS[k][0 if lang == "zh" else 1])
        warea = l3.selectbox(view.t("fb_word_area"), list(AREAS), format_func=lambda a: area_label(a, lang))
        if st.form_submit_button(view.t("fb_word_add")):
            try:
                n = store.add_lexicon_word(engine, word, kind, warea if kind == "area" else None, user=user)
            except ValueError as exc:
                st.warning(view.t("fb_error", err=exc))
            else:
                st.success(view.t("fb_word_added", n=n))
    words = store.feedback_lexicon_words(engine)
    if len(words):
        st.dataframe(pd.DataFrame({
            view.t("fb_col_id"): words["id"], view.t("fb_word"): words["word"].astype(str),
            view.t("fb_word_kind"): [WORD_KINDS[k][0 if lang == "zh" else 1] for k in words["kind"]],
            view.t("fb_word_area"): [area_label(a, lang) if a else "" for a in words["area"]],
        }), hide_index=True, width="stretch")
        wid = st.selectbox(view.t("fb_col_id"), words["id"].astype(int).tolist(), key="fb_word_pick")
        if st.button(view.t("fb_word_remove"), key="fb_word_remove"):
            try:
                n = store.remove_lexicon_word(engine, int(wid), user=user)
            except ValueError as exc:
                st.warning(view.t("fb_error", err=exc))
            else:
                st.success(view.t("fb_word_removed", n=n))
    else:
        st.caption(view.t("fb_no_words"))
