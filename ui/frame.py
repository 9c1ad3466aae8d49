"""The frame every page script starts with: ``view = frame("overview")``.

With a ``pages/`` folder Streamlit runs a deep link's page script directly (the entry script
home.py never runs), so everything a page needs besides its own content happens here: page config,
language, presentation mode, login state, translated navigation, the shared filters and the share link.

View state lives in the URL. ``parse_state`` is the one helper that reads it; widgets are seeded
from it on every run and write their value back to ``st.query_params`` in their ``on_change``
callback, so the address bar always holds the view and links between pages carry it
(``state_params``). Values in the URL are canonical keys (wave id, area key, ``1``), never
translated labels, so a link opened in the other language shows the same view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, make_dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from ui import loaders
from ui.i18n import LANGS, set_lang, t

__all__ = ["PAGES", "PARAMS", "Param", "UrlState", "View", "parse_state", "state_params", "frame", "DEFAULT_K", "page_param", "sync_param"]

DEFAULT_K = 5
_ROOT = Path(__file__).resolve().parents[1]
K_RANGE = (1, 100)


@dataclass(frozen=True)
class PageInfo:
    key: str
    path: str
    title_key: str
    icon: str
    manager_only: bool = False


PAGES: dict[str, PageInfo] = {
    p.key: p
    for p in [
        PageInfo("overview", "pages/1_overview.py", "nav_overview", ":material/dashboard:"),
        PageInfo("areas", "pages/2_areas.py", "nav_areas", ":material/category:"),
        PageInfo("trends", "pages/3_trends.py", "nav_trends", ":material/trending_up:"),
        PageInfo("compare", "pages/4_compare.py", "nav_compare", ":material/compare_arrows:"),
        PageInfo("quality", "pages/5_quality.py", "nav_quality", ":material/verified:"),
        PageInfo("priorities", "pages/6_priorities.py", "nav_priorities", ":material/flag:"),
        PageInfo("feedback", "pages/8_feedback.py", "nav_feedback", ":material/forum:"),
        PageInfo("actions", "pages/9_actions.py", "nav_actions", ":material/task_alt:"),
        PageInfo("data", "pages/7_data.py", "nav_data", ":material/database:", manager_only=True),
        PageInfo("admin", "pages/10_admin.py", "nav_admin", ":material/admin_panel_settings:", manager_only=True),
    ]
}


def _flag(raw: str) -> bool:
    return raw.lower() in _TRUE


def _k(raw: str) -> int:
    value = int(raw)
    if not K_RANGE[0] <= value <= K_RANGE[1]:
        raise ValueError(raw)
    return value


def _k_floor(raw: str) -> int:
    """A URL ``k`` may only raise the threshold: below the configured one it is not valid (issue 10)."""
    from analysis.anonymity import min_group

    value = _k(raw)
    if value < min_group():
        raise ValueError(raw)
    return value


def _one_of(options: Any) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in options:
            raise ValueError(raw)
        return raw

    return parse


def _text(raw: str) -> str:
    if not raw:
        raise ValueError(raw)
    return raw


@dataclass(frozen=True)
class Param:
    """One URL parameter of the view: its default, how its text is read, and how it is written.

    ``parse`` raises ValueError for text that is not valid (the default is used instead);
    ``encode`` turns a value into URL text (flags as ``1``). A value equal to the default is
    left out of the URL. ``shared`` parameters travel with every link between pages and into the
    share link; whether a wave/area/attribute exists is checked later, against the data.
    """

    name: str
    default: Any
    parse: Callable[[str], Any] = _text
    encode: Callable[[Any], str] = str
    shared: bool = True


# The view's URL parameters — adding a shared filter is one line here (then draw its widget).
PARAMS: tuple[Param, ...] = (
    Param("lang", "zh", _one_of(LANGS)),
    Param("present", False, _flag, lambda v: "1"),
    Param("wave", None),
    Param("area", ""),
    Param("by", "group"),
    Param("basic", False, _flag, lambda v: "1"),
    Param("exclude_flagged", False, _flag, lambda v: "1"),
    Param("k", DEFAULT_K, _k_floor, lambda v: str(int(v))),
    Param("series", None),  # survey series id (issue 12); the wave selector lists its waves
    Param("token", ""),  # a read-only share link (issue 16, ui.session)

    Param("slide", 1, lambda raw: _k(raw), str, shared=False),  # presentation mode's slide (ui/present.py)
)
_BY_NAME = {p.name: p for p in PARAMS}
_SHARED = tuple(p.name for p in PARAMS if p.shared)
_TRUE = {"1", "true", "yes", "on"}

UrlState = make_dataclass(
    "UrlState", [(p.name, Any, field(default=p.default)) for p in PARAMS], frozen=True,
    namespace={"__doc__": "The view as the URL states it (validated; defaults where absent or invalid)."},
)
_DEFAULTS = UrlState()


def _first(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None else str(value)


def _read(param: Param, raw: str | None) -> Any:
    if raw is None:
        return param.default
    try:
        return param.parse(raw)
    except (TypeError, ValueError):
        return param.default


def parse_state(params: Mapping[str, Any]) -> UrlState:
    """Read the view state from query parameters (the table ``PARAMS``); invalid values → defaults."""
    return UrlState(**{p.name: _read(p, _first(params.get(p.name))) for p in PARAMS})


def _encode(name: str, value: Any) -> str | None:
    """URL text for a parameter's value, or None when it equals the default (kept out of the URL)."""
    param = _BY_NAME[name]
    if value is None or value == "" or value == param.default:
        return None
    return param.encode(value)


def state_params(state: UrlState, **override: Any) -> dict[str, str]:
    """Query parameters for ``state`` (defaults left out; a selected wave is always kept so a link pins it)."""
    state = replace(state, **override) if override else state
    out: dict[str, str] = {}
    for name in _SHARED:
        enc = _encode(name, getattr(state, name))
        if enc is not None:
            out[name] = enc
    return out


@dataclass
class View:
    """What a page needs: the resolved view state, the user, and the selected wave's data."""

    page: str
    state: UrlState
    user: Any = None
    is_manager: bool = False
    version: str = ""
    waves: pd.DataFrame = field(default_factory=pd.DataFrame)  # the selected series' waves, in date order
    wave_row: dict = field(default_factory=dict)
    all_waves: pd.DataFrame = field(default_factory=pd.DataFrame)  # every live wave, by series and date
    ds: Any = None
    error: str = ""
    min_group: int = DEFAULT_K  # the deployment's anonymity threshold (analysis.anonymity.min_group)
    principal: Any = None  # analysis.access.Principal: who is looking, what they may see (issue 16)

    def __getattr__(self, name: str) -> Any:  # view.wave, view.k …: the URL parameters of the state
        if name in _BY_NAME:
            return getattr(self.state, name)
        raise AttributeError(name)

    def t(self, key: str, **fmt: Any) -> str:
        return t(key, self.lang, **fmt)

    @property
    def params(self) -> dict[str, str]:
        return state_params(self.state)

    @property
    def has_data(self) -> bool:
        return self.ds is not None

    def require_data(self) -> None:
        """Stop the page (the frame already said why) when there is no wave to show."""
        if self.ds is None:
            st.stop()

    def wave_name(self, wave_id: str | None = None) -> str:
        wid = str(wave_id or self.wave or "")
        return self._wave_names().get(wid, wid)

    def _wave_names(self) -> dict[str, str]:
        """Wave id → name of the selected series, built once per waves table (a page labels many waves)."""
        cached = self.__dict__.get("_names_cache")
        if cached is not None and cached[0] is self.waves:
            return cached[1]
        waves = self.waves
        names = ({} if not len(waves) or not {"id", "name"} <= set(waves.columns)
                 else dict(zip(waves["id"].astype(str), waves["name"].astype(str), strict=True)))
        self.__dict__["_names_cache"] = (waves, names)
        return names


# --- URL ⇄ widget synchronisation -------------------------------------------------------------------

_WIDGET_PREFIX = "frame_"


def _sync(name: str) -> None:
    """on_change callback: write the widget's value to the URL."""
    value = st.session_state.get(_WIDGET_PREFIX + name)
    if name == "lang" and value is None:  # clicking the selected language again keeps it
        return
    enc = _encode(name, value)
    _put_param(name, enc)


def _put_param(name: str, enc: str | None) -> None:
    """Write one URL parameter (``None`` removes it)."""
    if enc is None:
        if name in st.query_params:
            del st.query_params[name]
    else:
        st.query_params[name] = enc


def _seed(name: str, value: Any) -> str:
    key = _WIDGET_PREFIX + name
    st.session_state[key] = value
    return key


def _set_url(name: str, value: Any) -> None:
    enc = _encode(name, value)
    current = st.query_params.get(name)
    if enc is None and current is not None:
        del st.query_params[name]
    elif enc is not None and current != enc:
        st.query_params[name] = enc


# --- the frame --------------------------------------------------------------------------------------

def frame(page_key: str) -> View:
    """Set up the page ``page_key`` (a key of ``PAGES``) and return the resolved :class:`View`."""
    if page_key not in PAGES:
        raise ValueError(f"unknown page {page_key!r}; valid: {', '.join(PAGES)}")
    state = parse_state(st.query_params.to_dict())
    lang = set_lang(state.lang)
    st.set_page_config(
        page_title=f"{t(PAGES[page_key].title_key, lang)} · {t('app_title', lang)}",
        page_icon=":material/analytics:",
        layout="wide",
        initial_sidebar_state="collapsed" if state.present else "auto",
    )
    if state.present:
        from ui.present import PRESENT_CSS

        st.markdown(PRESENT_CSS, unsafe_allow_html=True)

    view = View(page=page_key, state=state)
    _install_last_resort()
    sb = st.sidebar
    sb.markdown(f"### {t('app_title', lang)}")

    # Language first: everything below is drawn in it.
    key = _seed("lang", state.lang)
    sb.segmented_control(
        t("language", lang),
        options=list(LANGS),
        format_func=LANGS.get,
        key=key,
        on_change=_sync,
        args=("lang",),
        selection_mode="single",
    )

    # Boxes in display order; the login box (drawn by ui.auth into the sidebar) goes last.
    nav_box, filter_box, share_box = sb.container(), sb.container(), sb.container()

    # Data: engine, waves, the selected wave.
    eng = None
    try:
        eng = loaders.engine()
        view.version = loaders.data_version()
        view.waves = loaders.waves(view.version)
    except Exception as exc:  # noqa: BLE001 — the page explains instead of showing a traceback
        view.error = t("store_unavailable", lang, err=exc)

    if eng is not None:
        from ui.auth import is_manager
        from ui.session import gate

        sb.divider()
        view.user, view.principal = gate(eng, state.token, lang)  # a share link, a login, or anonymous
        view.is_manager = is_manager(view.user)

    state = _resolve(view, state)
    view.state = state
    _nav(view, nav_box)
    _filters(view, filter_box)
    _share(view, share_box)
    from ui.report_menu import report_menu

    report_menu(view, share_box)
    if view.error:
        st.warning(view.error)
    elif view.ds is None and page_key != "data":
        st.info(t("no_waves", lang))
    if state.present:  # the deck replaces the page (ui/present.py)
        from ui.present import present_nav, show_slides

        (present_nav if PAGES[page_key].manager_only else show_slides)(view)
        st.stop()
    return view


def _resolve(view: View, state: UrlState) -> UrlState:
    """Check the URL state against the data; load the selected wave."""
    if view.principal is not None:  # only the waves this user or share link may see (issue 16)
        from ui.session import restrict

        view.waves = restrict(view, state.wave)
    state = _resolve_k(view, state)
    if view.error or not len(view.waves):
        return replace(state, wave=None, series=None)
    from ui.series import pick_series

    view.all_waves = view.waves
    series_id, view.waves = pick_series(view.waves, state.series, state.wave)
    if series_id != state.series:
        state = replace(state, series=series_id)
    waves = view.waves
    ids = list(waves["id"].astype(str))
    wave = state.wave if state.wave in ids else ids[-1]
    if wave != state.wave:
        state = replace(state, wave=wave)
    view.wave_row = waves[waves["id"].astype(str) == wave].iloc[0].to_dict()
    try:
        view.ds = loaders.dataset(view.version, wave, state.exclude_flagged)
    except Exception as exc:  # noqa: BLE001
        view.error = t("wave_unavailable", state.lang, err=exc)
        return state
    state = _guard_exclude(view, state, wave)
    ds = view.ds
    areas = set(ds.items["area"].astype(str)) if len(ds.items) else set()
    if state.area and state.area not in areas:
        state = replace(state, area="")
    if state.by != "group" and state.by not in list(ds.attributes):
        state = replace(state, by="group")
    return state


def _resolve_k(view: View, state: UrlState) -> UrlState:
    """The viewer's threshold: the deployment's (configuration and managers' setting), or higher."""
    from analysis.anonymity import min_group, viewer_k

    try:
        view.min_group = min_group(loaders.engine()) if not view.error else min_group()
    except Exception:  # noqa: BLE001 — no store: the configured threshold still holds
        view.min_group = min_group()
    k = viewer_k(view.min_group, state.k)
    return state if k == state.k else replace(state, k=k)


def _guard_exclude(view: View, state: UrlState, wave: str) -> UrlState:
    """Excluding 1…k−1 flagged responses would publish their answers as a difference: refuse it."""
    if not state.exclude_flagged or view.ds is None:
        return state
    try:
        full = loaders.dataset(view.version, wave, False)
    except Exception:  # noqa: BLE001
        return state
    n_flagged = int(full.flags["row"].nunique()) if len(full.flags) else 0
    if 0 < n_flagged < int(state.k):
        view.ds = full
        st.info(t("exclude_refused", state.lang, n=n_flagged, k=state.k))
        return replace(state, exclude_flagged=False)
    return state


_LOG = __import__("logging").getLogger("survey.frame")


def _install_last_resort() -> None:
    """Last-resort handler (issue 10): an uncaught error is logged and the page shows a short
    bilingual message instead of a traceback. ``SURVEY_SHOW_TRACEBACKS=1`` (set by the tests)
    keeps Streamlit's own display so tests still see errors.
    """
    import os

    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return

    def handler(exc: Exception) -> bool:
        _LOG.error("uncaught error on a page", exc_info=exc)
        if os.environ.get("SURVEY_SHOW_TRACEBACKS") == "1":
            return False
        try:
            kind = type(exc).__name__
            st.error(t("last_resort", "zh", kind=kind) + "  \n" + t("last_resort", "en", kind=kind))
        except Exception:  # noqa: BLE001 — the message itself failed: Streamlit's generic one
            return False
        return True

    ctx.on_script_error = handler


def _nav(view: View, sb: Any) -> None:
    params = view.params
    for page in PAGES.values():
        if not (_ROOT / page.path).exists():  # a page still being written elsewhere
            continue
        locked = page.manager_only and not view.is_manager
        label = t(page.title_key, view.lang)
        sb.page_link(
            page.path,
            label=label,
            icon=":material/lock:" if locked else page.icon,
            query_params=params,
            help=t("nav_locked", view.lang) if locked else None,
        )
    sb.divider()


def _filters(view: View, sb: Any) -> None:
    state, lang = view.state, view.lang
    sb.markdown(f"**{t('filters', lang)}**")
    if view.ds is not None and len(view.waves):
        from ui.series import series_selector

        series_selector(view, sb, _seed("series", state.series), _sync)
        _set_url("series", state.series)
        ids = list(view.waves["id"].astype(str))
        names = dict(zip(ids, view.waves.get("name", pd.Series(ids)).astype(str), strict=False))
        key = _seed("wave", state.wave)
        sb.selectbox(
            t("f_wave", lang), ids, format_func=lambda i: names.get(i, i), key=key, on_change=_sync, args=("wave",)
        )
        _set_url("wave", state.wave)

        from analysis.areas import AREAS

        present_areas = set(view.ds.items["area"].astype(str))
        area_opts = [""] + [a for a in AREAS if a in present_areas] + sorted(present_areas - set(AREAS))
        from ui.i18n import area_label

        key = _seed("area", state.area)
        sb.selectbox(
            t("f_area", lang),
            area_opts,
            format_func=lambda a: area_label(a, lang),
            key=key,
            on_change=_sync,
            args=("area",),
        )

        by_opts = ["group"] + [a for a in view.ds.attributes if a != "group"]
        key = _seed("by", state.by)
        sb.selectbox(
            t("f_by", lang),
            by_opts,
            format_func=lambda b: t("group", lang) if b == "group" else b,
            key=key,
            on_change=_sync,
            args=("by",),
        )
    key = _seed("basic", state.basic)
    sb.checkbox(t("f_basic", lang), key=key, on_change=_sync, args=("basic",), help=t("f_basic_help", lang))
    key = _seed("exclude_flagged", state.exclude_flagged)
    sb.checkbox(
        t("f_exclude", lang), key=key, on_change=_sync, args=("exclude_flagged",), help=t("f_exclude_help", lang)
    )
    key = _seed("k", state.k)
    sb.number_input(
        t("f_k", lang),
        min_value=max(K_RANGE[0], int(view.min_group)),
        max_value=K_RANGE[1],
        step=1,
        key=key,
        on_change=_sync,
        args=("k",),
        help=t("f_k_help", lang),
    )
    key = _seed("present", state.present)
    sb.toggle(t("f_present", lang), key=key, on_change=_sync, args=("present",))
    # Drop URL values that were invalid so the address bar shows the view actually drawn.
    for name in _SHARED:
        if name not in ("wave", "series"):  # set with their selectors, when there is data
            _set_url(name, getattr(state, name))


def page_param(name: str, options: list[str], default: str, *, key: str | None = None) -> tuple[str, str]:
    """A page's own view parameter kept in the URL (e.g. the trends page's ``level``).

    Returns ``(value, widget_key)``: the validated URL value (``default`` when absent or invalid),
    and the session key seeded with it. Give the widget that key and
    ``on_change=sync_param, args=(name, widget_key, default)`` so a change is written back to the URL.
    """
    raw = _first(st.query_params.get(name))
    value = raw if raw in options else default
    if raw is not None and raw != value or (raw == default and name in st.query_params):
        del st.query_params[name]
    widget_key = key or f"page_{name}"
    st.session_state[widget_key] = value
    return value, widget_key


def sync_param(name: str, widget_key: str, default: Any) -> None:
    """on_change callback for a :func:`page_param` widget (also usable for a shared filter)."""
    value = st.session_state.get(widget_key)
    if name in _SHARED:
        enc = _encode(name, value)
    else:
        enc = None if value in (None, "", default) else str(value)
    if isinstance(value, bool) and name not in _SHARED:
        enc = None if value == default else ("1" if value else "0")
    _put_param(name, enc)


def _share(view: View, box: Any) -> None:
    # Lazy (rerun when opened): the link box and the manager's form are not sent with every page;
    # st.code alone makes each browser load a 1.5 MB syntax highlighter (bench/RESULTS.md, many users).
    share = box.expander(t("share", view.lang), icon=":material/share:", key="share_box", on_change="rerun")
    if not share.open:
        return
    base = (st.context.url or "").split("?")[0]
    # The page's own parameters (already in the URL) plus the canonical shared ones.
    own = {k: v for k, v in st.query_params.to_dict().items() if k not in _SHARED}
    query = urlencode({**view.params, **own})
    link = f"{base}?{query}" if query else base or "/"
    with share:
        st.caption(t("share_help", view.lang))
        st.code(link, language=None, wrap_lines=True)
        from ui.session import share_form

        share_form(view, base)  # a manager's read-only link with expiry (issue 16)
