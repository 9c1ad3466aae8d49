"""Page side of the 整改台账: the cached verification, the overview summary line, and the
"加入整改台账" button the priorities and service-area pages show next to an item.

Verification is cached by ``data_version`` (and today's date, for overdue), so adding, deleting or
restoring a wave — or changing an action — shows new verdicts on the next run, never stale ones.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd
import streamlit as st

from ui import loaders
from ui.i18n import fmt_pct, t

__all__ = ["verified", "summary_text", "escape", "series_of_wave", "add_to_register", "verdict_label", "item_rates", "overview_line"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def escape(text: object) -> str:
    """User text made inert for ``st.markdown`` (every markdown/HTML control character backslashed)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


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
                st.warning(t("a_error", lang, err=exc))
                return
            st.success(t("a_draft_made", lang, id=aid, target=fmt_pct(target, 0)))
            st.page_link("pages/9_actions.py", label=t("a_open_board", lang), icon=":material/task_alt:",
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
