"""Who may see and do what: roles, scopes, share-link validity, single-sign-on role mapping (pure).

Nothing here touches the store or Streamlit: the store (``analysis.store.access``) keeps links,
sessions and scopes; the UI (``ui.session``) builds a :class:`Principal` from them and asks these
functions. Every decision takes its inputs (the clock too) as arguments so tests can state them.

Roles (issue 16): **admin** — accounts, thresholds, links, settings and everything a manager may;
**manager** — upload, edit, 整改 (actions), feedback, share links; **viewer** — read. A scope is
``("series", id)`` or ``("wave", id)``; an account without scopes sees every series, one with
scopes only the waves they cover. A share link has exactly one scope.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = [
    "ROLES",
    "ROLE_RANK",
    "ACTIONS",
    "ROLE_ACTIONS",
    "SCOPE_KINDS",
    "LINK_DAYS",
    "DEFAULT_LINK_DAYS",
    "DEFAULT_SESSION_HOURS",
    "Principal",
    "allowed",
    "check_role",
    "check_days",
    "parse_scope",
    "link_state",
    "visible_wave_ids",
    "scope_waves",
    "session_hours",
    "role_from_claims",
]

ROLES: tuple[str, ...] = ("admin", "manager", "viewer")
ROLE_RANK: dict[str, int] = {"viewer": 0, "manager": 1, "admin": 2}
ACTIONS: tuple[str, ...] = (
    "view", "upload", "edit", "actions", "feedback", "links", "accounts", "thresholds", "settings",
)
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(ACTIONS),
    "manager": frozenset({"view", "upload", "edit", "actions", "feedback", "links"}),
    "viewer": frozenset({"view"}),
}
SCOPE_KINDS: tuple[str, ...] = ("series", "wave")
LINK_DAYS = (1, 90)
DEFAULT_LINK_DAYS = 30
DEFAULT_SESSION_HOURS = 8.0

Scope = tuple[str, int]


@dataclass(frozen=True)
class Principal:
    """Whoever is looking: an anonymous visitor, a logged-in account, or a share link.

    ``scopes`` None means every wave; otherwise only the waves the scopes cover. A link is always
    read-only (role ``viewer``), whatever the role of the manager who created it.
    """

    kind: str = "anonymous"  # "anonymous" | "user" | "link"
    name: str = "anonymous"
    role: str = "viewer"
    scopes: tuple[Scope, ...] | None = None
    link_id: int | None = None
    expires_at: _dt.datetime | None = None

    def may(self, action: str) -> bool:
        """Whether this principal may do ``action`` (a link or an anonymous visitor only views)."""
        if self.kind != "user":
            return action == "view"
        return allowed(self.role, action)


def allowed(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action`` (table ``ROLE_ACTIONS``; unknown roles may nothing).

    Reference: the role list of issue 16 (admin ⊃ manager ⊃ viewer).
    """
    if action not in ACTIONS:
        raise ValueError(f"未知操作 unknown action '{action}'. 可用 valid: {', '.join(ACTIONS)}")
    return action in ROLE_ACTIONS.get(role, frozenset())


def check_role(role: str) -> str:
    """``role`` if it is one of ``ROLES``, else a bilingual ValueError."""
    if role not in ROLES:
        raise ValueError(f"未知角色 unknown role '{role}'. 可用 valid: {', '.join(ROLES)}")
    return role


def check_days(days: Any) -> int:
    """A link's lifetime in whole days, 1 … 90; ValueError (bilingual) otherwise."""
    try:
        value = int(days)
        if value != float(days):
            raise ValueError(days)
    except (TypeError, ValueError):
        raise ValueError(f"有效期须为整数天数（1–90）：'{days}'。 The expiry must be a whole number of days (1–90).") from None
    lo, hi = LINK_DAYS
    if not lo <= value <= hi:
        raise ValueError(f"有效期须在 {lo}–{hi} 天之间（收到 {value}）。 The expiry must be {lo}–{hi} days, got {value}.")
    return value


def parse_scope(kind: str, ref: Any) -> Scope:
    """A checked scope ``(kind, id)``: kind ``series`` or ``wave``, id a positive integer."""
    if kind not in SCOPE_KINDS:
        raise ValueError(f"未知范围类型 unknown scope kind '{kind}'. 可用 valid: {', '.join(SCOPE_KINDS)}")
    text = str(ref).strip()
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(f"范围编号须为正整数：'{ref}'。 A {kind} id must be a positive whole number.")
    return kind, int(text)


def link_state(revoked_at: Any, expires_at: Any, now: _dt.datetime) -> str:
    """``"revoked"``, ``"expired"`` or ``"valid"`` for a link at time ``now`` (naive UTC).

    A link is valid up to, not including, its expiry instant; revocation wins over expiry.
    """
    if revoked_at is not None and not pd.isna(revoked_at):
        return "revoked"
    if expires_at is None or pd.isna(expires_at) or pd.Timestamp(expires_at) <= pd.Timestamp(now):
        return "expired"
    return "valid"


def visible_wave_ids(waves: pd.DataFrame, scopes: Iterable[Scope] | None) -> list[str]:
    """Ids (as text) of the waves in ``waves`` that ``scopes`` cover, in the frame's order.

    ``scopes`` None: all of them. A ``("series", s)`` scope covers the waves whose ``series_id``
    is ``s`` (a store without series — before the series migration — has no such column, and a
    series scope then covers nothing); a ``("wave", w)`` scope the wave ``w``.
    """
    if not len(waves) or "id" not in waves.columns:
        return []
    ids = waves["id"].astype(str)
    if scopes is None:
        return list(ids)
    scopes = list(scopes)
    wave_ids = {str(ref) for kind, ref in scopes if kind == "wave"}
    series_ids = {str(ref) for kind, ref in scopes if kind == "series"}
    keep = ids.isin(wave_ids)
    if series_ids and "series_id" in waves.columns:
        keep |= waves["series_id"].astype("string").isin(series_ids).fillna(False).to_numpy(dtype=bool)
    return list(ids[keep])


def scope_waves(waves: pd.DataFrame, scopes: Iterable[Scope] | None) -> pd.DataFrame:
    """The rows of ``waves`` that ``scopes`` cover (see :func:`visible_wave_ids`)."""
    if scopes is None or not len(waves):
        return waves
    keep = set(visible_wave_ids(waves, scopes))
    return waves[waves["id"].astype(str).isin(keep)].reset_index(drop=True)


def session_hours(env: Mapping[str, str]) -> float:
    """How long a login lasts: ``SURVEY_SESSION_HOURS`` (default 8, between 0.1 and 720 hours)."""
    raw = str(env.get("SURVEY_SESSION_HOURS", "") or "").strip()
    if not raw:
        return DEFAULT_SESSION_HOURS
    try:
        hours = float(raw)
    except ValueError:
        raise ValueError(f"SURVEY_SESSION_HOURS 须为小时数：'{raw}'。 SURVEY_SESSION_HOURS must be a number of hours.") from None
    if not 0.1 <= hours <= 720:
        raise ValueError(f"SURVEY_SESSION_HOURS 须在 0.1–720 之间：{raw}。 SURVEY_SESSION_HOURS must be 0.1–720 hours.")
    return hours


def role_from_claims(claims: Mapping[str, Any], rules: Mapping[str, Any]) -> tuple[str, tuple[Scope, ...] | None] | None:
    """Role and scopes of a single-sign-on user from the identity provider's claims, or None (refused).

    Parameters
    ----------
    claims : the OpenID Connect ID-token claims (``st.user``): ``email``, ``email_verified`` and a
        group list under ``rules["group_claim"]`` (default ``"groups"``).
    rules : the ``[survey_sso]`` table of secrets.toml: ``emails`` {e-mail: role},
        ``groups`` {group: role}, optional ``group_series`` {group: [series ids]} and
        ``default_role`` (empty or absent: users matched by nothing are refused).

    Returns
    -------
    ``(role, scopes)``: an e-mail rule wins (only for a verified address); otherwise the highest
    role among the user's groups; otherwise ``default_role``. ``scopes`` is the union of the
    series listed for the user's matched groups, or None (all series) when none lists any.
    """
    emails = {str(k).strip().lower(): str(v) for k, v in dict(rules.get("emails", {}) or {}).items()}
    groups = {str(k): str(v) for k, v in dict(rules.get("groups", {}) or {}).items()}
    group_series = dict(rules.get("group_series", {}) or {})
    raw_groups = claims.get(str(rules.get("group_claim", "groups") or "groups")) or []
    if isinstance(raw_groups, str):
        raw_groups = [raw_groups]
    user_groups = [str(g) for g in raw_groups]

    scope_list: list[Scope] = []
    for g in user_groups:
        for sid in group_series.get(g, []) or []:
            scope = parse_scope("series", sid)
            if scope not in scope_list:
                scope_list.append(scope)
    scopes = tuple(scope_list) or None

    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified", True) not in (False, "false", "False", 0)
    if email and verified and email in emails:
        return check_role(emails[email]), scopes
    matched = [groups[g] for g in user_groups if g in groups]
    for role in matched:
        check_role(role)
    if matched:
        return max(matched, key=ROLE_RANK.__getitem__), scopes
    default = str(rules.get("default_role", "") or "")
    if default:
        return check_role(default), scopes
    return None


def _keys(values: Any) -> pd.Series:
    """Ids as canonical text ("3" for 3, 3.0 and "3"); blanks stay missing."""
    return pd.to_numeric(pd.Series(values), errors="coerce").astype("Int64").astype("string")


def scope_rows(rows: pd.DataFrame, visible_waves: pd.DataFrame, *, series_col: str = "series_id",
               wave_cols: tuple[str, ...] = (), blank_ok: bool = True) -> pd.DataFrame:
    """The rows of another feature's table (e.g. the 整改 register) that a scoped principal may see.

    A row stays when its ``series_col`` (skipped when empty) is the series of a visible wave and every
    wave it names in ``wave_cols`` is visible (a blank wave only when ``blank_ok``); ``visible_waves``
    is the principal's wave list (:func:`scope_waves`), with ``id`` and ``series_id``.
    """
    if not len(rows):
        return rows
    has = len(visible_waves) > 0
    ids = set(_keys(visible_waves["id"]).dropna()) if has else set()
    series = set(_keys(visible_waves["series_id"]).dropna()) if has and "series_id" in visible_waves else set()
    keep = pd.Series(True, index=rows.index)
    if series_col and series_col in rows:
        keep &= _keys(rows[series_col]).set_axis(rows.index).isin(series).fillna(False)
    for col in wave_cols:
        if col in rows:
            key = _keys(rows[col]).set_axis(rows.index)
            keep &= key.isin(ids).fillna(False) | (key.isna() if blank_ok else False)
    return rows[keep.to_numpy(dtype=bool)]
