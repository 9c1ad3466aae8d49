"""Page side of the 整改台账: the cached verification, the overview summary line, the
"加入整改台账" button the priorities and service-area pages show next to an item, and the drafts the
feedback page adds from a topic or a record.

Verification is cached by ``data_version`` (and today's date, for overdue), so adding, deleting or
restoring a wave — or changing an action — shows new verdicts on the next run, never stale ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from ui import loaders
from ui.i18n import fmt_pct, t
from ui.widgets import plain

__all__ = ["verified", "summary_text", "escape", "series_of_wave", "add_to_register", "verdict_label", "item_rates",
           "overview_line", "FEEDBACK_LINK_CAP", "topic_draft", "record_draft", "add_feedback_draft"]

FEEDBACK_LINK_CAP = 20  # records linked to one action from a topic: enough to read, short enough for a card

escape = plain  # user text made inert for st.markdown (ui.widgets.plain)


@st.cache_data(show_spinner=False, max_entries=32)
def _verified(url: str, version: str, basic: bool, exclude_flagged: bool, today: str) -> pd.DataFrame:
    from analysis.store import verify_actions

    return verify_actions(loaders._engine(url), today=today, basic_satisfied=basic, exclude_flagged=exclude_flagged)


def verified(version: str, *, basic: bool = False, exclude_flagged: bool = False) -> pd.DataFrame:
    """Every live action with its verdict against the current waves (``analysis.store.verify_actions``)."""
    return _verified(loaders.db_url(), version, bool(basic), bool(exclude_flagged), dt.date.today().isoformat())


def verdict_label(key: str, lang: str) -> str:
    from analysis.actions import VERDICTS

    return VERDICTS[key].label(lang) if key in VERDICTS else key


def summary_text(df: pd.DataFrame, lang: str) -> str:
    """``整改 15 项：达标 9，未达标 2，推进中 3，逾期 1`` (verdicts with a count, in registry order)."""
    from analysis.actions import VERDICTS, summary_counts

    c = summary_counts(df["verdict"] if len(df) else [])
    sep = "，" if lang == "zh" else ", "
    parts = sep.join(f"{VERDICTS[k].label(lang)} {c[k]}" for k in VERDICTS if c[k])
    return t("actions_summary", lang, total=c["total"], parts=parts)


def series_of_wave(wave_id: Any) -> Any:
    """The series id verification uses for a wave (``analysis.store.verification_waves``)."""
    from analysis.store import verification_waves

    vw = verification_waves(loaders.engine())
    hit = vw[vw["id"].astype(str) == str(wave_id)]
    return None if not len(hit) else hit["series_id"].iloc[0]


def add_to_register(view: Any, items: pd.DataFrame, *, origin: str, key: str) -> None:
    """For managers: pick one of ``items`` (``label, area, rate``) and add it to the register as a draft.

    The draft names the item, takes the series of the view's wave (so that wave is its baseline)
    and a suggested target (:func:`analysis.actions.suggest_target`); status 未启动. Viewers see nothing.
    """
    if not view.is_manager or items is None or not len(items):
        return
    from analysis.actions import suggest_target, target_text
    from analysis.store import add_action

    lang = view.lang
    rows = items.dropna(subset=["rate"]).reset_index(drop=True)
    if not len(rows):
        return
    labels = [str(x) for x in rows["label"]]
    cols = st.columns([3, 1], vertical_alignment="bottom")
    pick = cols[0].selectbox(t("a_add_pick", lang), range(len(labels)), format_func=lambda i: labels[i],
                             key=f"{key}_pick")
    if cols[1].button(t("a_add_to_register", lang), key=f"{key}_add", icon=":material/playlist_add:"):
        row = rows.iloc[int(pick)]
        label, rate = str(row["label"]), float(row["rate"])
        open_ = verified(view.version)
        same = open_[(open_["target_kind"] == "item") & (open_["target_key"] == label) & (open_["status"] != "done")]
        if len(same):
            st.info(t("a_already", lang, id=int(same["id"].iloc[0])))
        else:
            target = suggest_target(rate)
            try:
                aid = add_action(
                    loaders.engine(), user=getattr(view.user, "name", "manager"), origin=origin,
                    series_id=series_of_wave(view.wave), problem=t("a_draft_problem", "zh", label=label, rate=fmt_pct(rate)),
                    area=str(row.get("area") or "") or None, target_kind="item", target_key=label, target_label=label,
                    target_rate=target, target_text=target_text("item", label, label, target, None), status="planned",
                    items=[label],
                )
            except ValueError as exc:
                st.warning(t("a_error", lang, err=escape(exc)))
                return
            st.success(t("a_draft_made", lang, id=aid, target=fmt_pct(target, 0)))
            _link_to(view, aid)


def _link_to(view: Any, aid: int) -> None:
    """The link under a success message: the register with the new action open for editing."""
    st.page_link("pages/9_actions.py", label=t("a_open_board", view.lang), icon=":material/task_alt:",
                 query_params={**view.params, "action": str(aid)})


def item_rates(items: pd.DataFrame, summary: pd.DataFrame | None) -> pd.DataFrame:
    """``label, area, rate`` for rows of ``items`` (IPA or item_summary rows, keyed by ``item``)."""
    if summary is None or items is None or not len(items):
        return pd.DataFrame(columns=["label", "area", "rate"])
    rates = summary[["item", "satisfaction_rate"]].rename(columns={"satisfaction_rate": "rate"})
    keep = items[["item", "label", "area"]].merge(rates, on="item", how="left")
    return keep[["label", "area", "rate"]]


def overview_line(view: Any) -> None:
    """One line on the overview: ``整改 15 项：达标 9，未达标 2 …`` linking to the register (nothing when empty)."""
    try:
        df = verified(view.version, basic=view.basic, exclude_flagged=view.exclude_flagged)
    except Exception:  # noqa: BLE001 - the overview never fails because of the register
        return
    if not len(df):
        return
    st.page_link("pages/9_actions.py", label=summary_text(df, view.lang), icon=":material/task_alt:",
                 query_params=view.params)


# --- drafts from the feedback page -----------------------------------------------------------------
def _ids(df: pd.DataFrame, cap: int) -> list[int]:
    return [int(i) for i in df["id"].head(cap)]


def topic_draft(records: pd.DataFrame, *, area: str, word: str = "", k: int = 0,
                cap: int = FEEDBACK_LINK_CAP) -> dict:
    """A draft action for a feedback topic: an area, or a keyword within an area.

    ``records`` are the feedback page's filtered records (``analysis.store.list_feedback`` columns,
    newest first). An area topic counts every record of the area, as the area × tone chart does; a
    keyword topic counts the records of the area that may be shown (``cell_n >= k``) whose masked
    text contains the word, as the keyword table does (it is built from those texts). The problem
    reads ``「热水」相关意见 N 条（负面 M 条）`` (stored in Chinese, like the other drafts); linked are
    the negative records that may be shown, newest first, at most ``cap`` — never a hidden one,
    since the register shows linked texts.

    Returns ``{"problem", "area", "feedback_ids", "n", "n_negative"}``.
    """
    from analysis.areas import AREAS

    if area not in AREAS:
        raise ValueError(f"未知服务领域「{area}」。 Unknown service area '{area}'.")
    in_area = records[[area in list(a or []) for a in records["areas"]]]
    visible = in_area[in_area["cell_n"].fillna(0).astype(int) >= int(k)]
    word = str(word or "").strip()
    if word:
        base = visible[visible["text"].astype(str).str.contains(word, regex=False)]
        visible = base
        subject = word
    else:
        base = in_area
        subject = AREAS[area].zh
    negative = base["tone"] == "negative"
    problem = t("a_topic_problem", "zh", subject=subject, n=len(base), neg=int(negative.sum()))
    return {"problem": problem, "area": area, "feedback_ids": _ids(visible[visible["tone"] == "negative"], cap),
            "n": len(base), "n_negative": int(negative.sum())}


def record_draft(record: dict | pd.Series) -> dict:
    """A draft action for one feedback record: its masked text as the problem, its first area, the record linked.

    Returns ``{"problem", "area", "feedback_ids", "wave_id"}``.
    """
    areas = list(record.get("areas") or [])
    wave = record.get("wave_id")
    return {"problem": str(record.get("text") or "").strip(), "area": areas[0] if areas else None,
            "feedback_ids": [int(record["id"])], "wave_id": None if wave is None or pd.isna(wave) else int(wave)}


def add_feedback_draft(view: Any, draft: dict) -> int | None:
    """Add a feedback ``draft`` (:func:`topic_draft` / :func:`record_draft`) to the register; managers only.

    The action (status 未启动, no target yet: the manager sets one on the register) carries the records
    in ``feedback_ids``; records not yet linked to another action are linked to it too
    (``analysis.store.link_feedback_action``: they become 已转办). Both writes are audited by the store.
    An open action with the same problem, or one already linking the same single record, is
    reported instead of added twice. Shows the outcome with a link to the register; returns the new id.
    """
    if not view.is_manager:
        return None
    from analysis.store import add_action, link_feedback_action, list_feedback

    lang = view.lang
    ids = [int(i) for i in draft.get("feedback_ids") or []]
    open_ = verified(view.version)
    open_ = open_[open_["status"] != "done"] if len(open_) else open_
    for row in open_.to_dict("records") if len(open_) else []:
        same_record = len(ids) == 1 and ids[0] in [int(i) for i in (row.get("feedback_ids") or [])]
        if same_record or str(row.get("problem") or "") == draft["problem"]:
            st.info(t("a_already_feedback", lang, id=int(row["id"])))
            return None
    engine = loaders.engine()
    user = getattr(view.user, "name", "manager")
    wave = draft.get("wave_id")
    try:
        aid = add_action(engine, user=user, origin="feedback", problem=draft["problem"], area=draft.get("area"),
                         series_id=series_of_wave(wave if wave is not None else view.wave), status="planned",
                         feedback_ids=ids)
        if ids:
            current = list_feedback(engine, ids=ids)
            free = [int(i) for i, a in zip(current["id"], current["action_id"], strict=True) if pd.isna(a)]
            link_feedback_action(engine, free, aid, user=user)
    except ValueError as exc:
        st.warning(t("a_error", lang, err=escape(exc)))
        return None
    st.success(t("a_feedback_made", lang, id=aid, n=len(ids)))
    _link_to(view, aid)
    return aid
