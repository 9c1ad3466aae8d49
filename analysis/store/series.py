"""Survey series (调查项目): the waves of one recurring survey of one unit, dated by their fieldwork.

DESIGN.md "Survey series": every wave belongs to exactly one series; at upload the series is
suggested — the latest series with the same questionnaire key and unit — and can be chosen or
created. A wave is dated by its fieldwork: the first and last submission time in its file, or dates
typed in when the file has none. Changes, trends and "best on record" compare waves within a series
in date order (``analysis.series``).

``waves.series_id`` / ``fieldwork_start`` / ``fieldwork_end`` are columns of ``schema.waves``;
the ``series`` table lives here, on the same ``metadata`` (migration ``0003_series``).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.store.audit import _audit
from analysis.store.engine import _write
from analysis.store.schema import _now, metadata, waves

__all__ = [
    "SERIES_COLUMNS",
    "series",
    "list_series",
    "series_waves",
    "suggest_series",
    "series_for_key",
    "create_series",
    "rename_series",
    "fieldwork_dates",
    "series_name_for",
    "answer_signatures",
    "likely_duplicates",
]

SERIES_COLUMNS = ["id", "name", "unit", "questionnaire_key", "n_waves"]

series = sa.Table(
    "series", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("unit", sa.String(200)),
    sa.Column("questionnaire_key", sa.String(64)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(100)),
    sqlite_autoincrement=True,
)

_YEAR = re.compile(r"(?:19|20)\d{2}\s*(?:年度|年|[-/.]\d{1,2}(?:月)?)?\s*")


def series_name_for(unit: str | None, wave_name: str | None) -> str:
    """A readable default name of a new series: the unit and the wave's name without its year.

    ``series_name_for("滨江区委党校", "2012年学员满意度测评")`` → ``"滨江区委党校 学员满意度测评"``.
    """
    stem = _YEAR.sub("", str(wave_name or "")).strip(" -_·") or str(wave_name or "").strip()
    unit = str(unit or "").strip()
    if unit and stem and not stem.startswith(unit):
        return f"{unit} {stem}"
    return stem or unit or "调查项目 survey"


def _to_naive_utc(value: Any) -> _dt.datetime | None:
    """A timestamp (or date text) as a naive datetime; None for missing or unreadable values."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"无法识别日期「{value}」，请写成 2024-10-08 这样的格式。 Unreadable date '{value}' (use YYYY-MM-DD)."
        ) from None
    if pd.isna(ts):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_pydatetime()


def fieldwork_dates(respondents: pd.DataFrame | None, meta: dict | None = None) -> tuple[Any, Any]:
    """First and last submission time of a wave; the typed ``fieldwork_start/end`` when the file has none.

    Typed dates given in ``meta`` win over the file's (the manager corrected them); a typed end
    before the start is refused (ValueError).
    """
    meta = meta or {}
    start, end = _to_naive_utc(meta.get("fieldwork_start")), _to_naive_utc(meta.get("fieldwork_end"))
    if respondents is not None and "submitted_at" in respondents.columns and (start is None or end is None):
        times = pd.to_datetime(respondents["submitted_at"], errors="coerce").dropna()
        if len(times):
            start = start if start is not None else _to_naive_utc(times.min())
            end = end if end is not None else _to_naive_utc(times.max())
    if start is not None and end is None:
        end = start
    if start is not None and end is not None and end < start:
        raise ValueError("调查结束日期早于开始日期，请检查。 The fieldwork end is before its start.")
    return start, end


def _clean_series_meta(meta: dict) -> dict:
    """The series fields of a wave's meta, checked: ``series`` (a name), ``series_id``, fieldwork dates."""
    out: dict[str, Any] = {}
    if str(meta.get("series") or "").strip():
        out["series"] = str(meta["series"]).strip()
    if meta.get("series_id") is not None:
        try:
            out["series_id"] = int(meta["series_id"])
        except (TypeError, ValueError):
            raise ValueError(f"调查项目编号须为整数: '{meta['series_id']}'. 'series_id' must be a number.") from None
    for k in ("fieldwork_start", "fieldwork_end"):
        if k in meta:
            value = _to_naive_utc(meta[k])
            if value is not None:
                out[k] = value
    if out.get("fieldwork_start") and out.get("fieldwork_end") and out["fieldwork_end"] < out["fieldwork_start"]:
        raise ValueError("调查结束日期早于开始日期，请检查。 The fieldwork end is before its start.")
    return out


def _latest_series(conn: Connection, key: str | None, unit: str | None) -> int | None:
    """The series whose newest live wave has this questionnaire key and unit (latest fieldwork first)."""
    unit_match = waves.c.unit.is_(None) if unit in (None, "") else waves.c.unit == unit
    when = sa.func.coalesce(waves.c.fieldwork_start, waves.c.created_at)
    row = conn.execute(
        sa.select(waves.c.series_id)
        .where(waves.c.questionnaire_key == key, unit_match, waves.c.deleted_at.is_(None))
        .order_by(when.desc(), waves.c.id.desc()).limit(1)
    ).first()
    if row is not None:
        return int(row.series_id)
    row = conn.execute(  # a series created for this questionnaire whose waves were all deleted
        sa.select(series.c.id).where(series.c.questionnaire_key == key,
                                      series.c.unit.is_(None) if unit in (None, "") else series.c.unit == unit)
        .order_by(series.c.id.desc()).limit(1)
    ).first()
    return None if row is None else int(row.id)


def series_for_key(engine: Engine, questionnaire_key: str | None) -> list[int]:
    """Ids of the series holding live waves of this questionnaire, the one with the latest wave first."""
    when = sa.func.max(sa.func.coalesce(waves.c.fieldwork_start, waves.c.created_at))
    with engine.connect() as conn:
        rows = conn.execute(sa.select(waves.c.series_id, when.label("last"))
                            .where(waves.c.questionnaire_key == questionnaire_key, waves.c.deleted_at.is_(None))
                            .group_by(waves.c.series_id).order_by(when.desc())).all()
    return [int(r.series_id) for r in rows]


def suggest_series(engine: Engine, questionnaire_key: str | None, unit: str | None) -> dict | None:
    """The series a new upload most likely continues: the latest one with the same questionnaire key and unit.

    Returns ``{"id", "name"}`` or None (then a new series is suggested).
    """
    with engine.connect() as conn:
        sid = _latest_series(conn, questionnaire_key, unit)
        if sid is None:
            return None
        name = conn.execute(sa.select(series.c.name).where(series.c.id == sid)).scalar()
    return {"id": sid, "name": name}


def _unique_series_name(conn: Connection, name: str) -> str:
    taken = set(conn.execute(sa.select(series.c.name)).scalars())
    if name not in taken:
        return name
    i = 2
    while f"{name} ({i})" in taken:
        i += 1
    return f"{name} ({i})"


def _create(conn: Connection, name: str, unit: str | None, key: str | None, user: str, *, audit: bool = False) -> int:
    """Insert a series (a new one made during an ingest is part of that ingest's audit entry)."""
    name = _unique_series_name(conn, name.strip())
    sid = conn.execute(series.insert().values(name=name, unit=unit or None, questionnaire_key=key, created_at=_now(),
                                              created_by=user).returning(series.c.id)).scalar_one()
    if audit:
        _audit(conn, user, "series_create", {"name": name, "unit": unit})
    return int(sid)


def create_series(engine: Engine, name: str, *, unit: str | None = None, questionnaire_key: str | None = None,
                  user: str = "cli") -> int:
    """A new, empty series (its name made unique with `` (2)`` …); returns its id."""
    if not str(name or "").strip():
        raise ValueError("调查项目名称不能为空。 The series name must not be empty.")
    with _write(engine) as conn:
        return _create(conn, str(name), unit, questionnaire_key, user, audit=True)


def rename_series(engine: Engine, series_id: int, name: str, *, user: str = "cli") -> None:
    """Rename a series (names are unique: ValueError when another series has it)."""
    name = str(name or "").strip()
    if not name:
        raise ValueError("调查项目名称不能为空。 The series name must not be empty.")
    with _write(engine) as conn:
        old = conn.execute(sa.select(series.c.name).where(series.c.id == int(series_id))).scalar()
        if old is None:
            raise ValueError(f"找不到调查项目 #{series_id}。 No series #{series_id}.")
        if name != old and conn.execute(sa.select(series.c.id).where(series.c.name == name)).first():
            raise ValueError(f"调查项目名「{name}」已被使用。 The series name '{name}' is already used.")
        conn.execute(series.update().where(series.c.id == int(series_id)).values(name=name))
        _audit(conn, user, "series_rename", {"old": old, "new": name})


def _series_values(conn: Connection, *, key: str | None, meta: dict, respondents: pd.DataFrame | None,
                   name: str, user: str) -> dict:
    """``series_id, fieldwork_start, fieldwork_end`` of a wave being inserted (store.ingest calls this).

    ``meta["series_id"]`` (an existing series) or ``meta["series"]`` (a series name: that series, or a
    new one with that name) choose the series; without them the suggestion of :func:`suggest_series`
    is taken, else a new series named by :func:`series_name_for`.
    """
    unit = meta.get("unit")
    sid = meta.get("series_id")
    if sid is not None:
        if conn.execute(sa.select(series.c.id).where(series.c.id == int(sid))).first() is None:
            raise ValueError(f"找不到调查项目 #{sid}。 No series #{sid}.")
        sid = int(sid)
    elif str(meta.get("series") or "").strip():
        wanted = str(meta["series"]).strip()
        sid = conn.execute(sa.select(series.c.id).where(series.c.name == wanted)).scalar()
        if sid is None:
            sid = _create(conn, wanted, unit, key, user)
    else:
        sid = _latest_series(conn, key, unit)
        if sid is None:
            sid = _create(conn, series_name_for(unit, name), unit, key, user)
    start, end = fieldwork_dates(respondents, meta)
    return {"series_id": int(sid), "fieldwork_start": start, "fieldwork_end": end}


def _sort_waves(df: pd.DataFrame) -> pd.DataFrame:
    """Waves ordered by series, then fieldwork date (upload time where a wave has none), then id."""
    if not len(df):
        return df
    when = df["fieldwork_start"].astype("datetime64[us]").fillna(df["created_at"].astype("datetime64[us]"))
    first = when.groupby(df["series_id"]).transform("min")  # series by their first wave
    return (df.assign(_first=first, _when=when).sort_values(["_first", "series_id", "_when", "id"], kind="stable")
            .drop(columns=["_first", "_when"]).reset_index(drop=True))


def list_series(engine: Engine) -> pd.DataFrame:
    """All series: ``id, name, unit, questionnaire_key, n_waves`` (live waves), in order of their first wave."""
    n_live = (sa.select(waves.c.series_id, sa.func.count().label("n"))
              .where(waves.c.deleted_at.is_(None)).group_by(waves.c.series_id).subquery())
    first = (sa.select(waves.c.series_id, sa.func.min(sa.func.coalesce(waves.c.fieldwork_start, waves.c.created_at))
                       .label("first")).group_by(waves.c.series_id).subquery())
    q = (sa.select(series.c.id, series.c.name, series.c.unit, series.c.questionnaire_key,
                   sa.func.coalesce(n_live.c.n, 0).label("n_waves"), first.c.first)
         .select_from(series.outerjoin(n_live, n_live.c.series_id == series.c.id)
                      .outerjoin(first, first.c.series_id == series.c.id)))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    df = pd.DataFrame(rows, columns=[*SERIES_COLUMNS, "first"])
    df["first"] = pd.to_datetime(df["first"])
    df = df.sort_values(["first", "id"], kind="stable", na_position="last").reset_index(drop=True)
    return df[SERIES_COLUMNS].astype({"id": "int64", "n_waves": "int64"})


def series_waves(engine: Engine, series_id: int) -> pd.DataFrame:
    """The :func:`analysis.store.list_waves` rows of one series, in fieldwork-date order."""
    from analysis.store.wave_ops import list_waves

    df = list_waves(engine)
    return df[df["series_id"] == int(series_id)].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Likely duplicates across platforms: the same answers, not the same bytes
# ---------------------------------------------------------------------------------------------
def answer_signatures(ds: Any, *, with_time: bool = True) -> pd.Series:
    """Counts of the respondents' answer patterns, independent of the export's layout.

    A respondent's pattern is the sorted list of their valid answer codes (1 = worst … k = best, so
    问卷星 labels, 腾讯问卷 labels and Qualtrics codes of one answer coincide; column order and
    names do not matter), with the submission time to the minute when ``with_time``.

    Returns
    -------
    Series: pattern hash (uint64) → number of respondents with that pattern.
    """
    codes = ds.answers.to_numpy(dtype="float64", na_value=np.nan) if ds.answers.shape[1] else np.zeros((ds.n, 0))
    codes = np.nan_to_num(np.sort(codes, axis=1), nan=0.0).astype(np.int16)  # NaN sorts last → 0
    frame = pd.DataFrame(codes, columns=[f"c{j}" for j in range(codes.shape[1])])
    if with_time and "submitted_at" in ds.respondents.columns:
        minutes = pd.to_datetime(ds.respondents["submitted_at"], errors="coerce").dt.floor("min")
        frame["t"] = minutes.astype("int64").where(minutes.notna(), -1).to_numpy()
    return pd.util.hash_pandas_object(frame, index=False).value_counts()


def _has_times(ds: Any) -> bool:
    return ("submitted_at" in ds.respondents.columns
            and pd.to_datetime(ds.respondents["submitted_at"], errors="coerce").notna().mean() >= 0.9)


def likely_duplicates(engine: Engine, ds: Any, *, threshold: float = 0.9) -> list[dict]:
    """Stored live waves that hold (nearly) the same responses as ``ds``, e.g. one survey exported twice.

    Waves of about the same size (±10 %) are compared by :func:`answer_signatures` (with submission
    minutes where both have them): ``share`` = matching respondents ÷ the larger wave. The same file
    twice is already caught by its sha256; this catches the same answers in another layout.

    Returns
    -------
    list of ``{"wave_id", "name", "share"}`` with ``share ≥ threshold``, best match first.
    """
    from analysis.store.wave_ops import load_wave

    n = int(ds.n)
    if n == 0:
        return []
    with engine.connect() as conn:
        rows = conn.execute(sa.select(waves.c.id, waves.c.name, waves.c.n_responses)
                            .where(waves.c.deleted_at.is_(None),
                                   waves.c.n_responses.between(int(n * 0.9), int(n / 0.9) + 1))).all()
    hits = []
    timed = _has_times(ds)
    for r in rows:
        other = load_wave(engine, int(r.id))
        with_time = timed and _has_times(other)
        a, b = answer_signatures(ds, with_time=with_time), answer_signatures(other, with_time=with_time)
        common = a.index.intersection(b.index)
        share = float(np.minimum(a[common], b[common]).sum()) / max(n, other.n)
        if share >= threshold:
            hits.append({"wave_id": int(r.id), "name": r.name, "share": float(share)})
    return sorted(hits, key=lambda h: -h["share"])
