"""Feedback records in the store (issue 13): records, record files, the managers' lexicon words.

Tables (migration ``0004_feedback``):

- ``feedback_records`` — one row per record: date, channel key, group, unit, areas (JSON list),
  tone, suggestion, keywords (JSON list), the **masked** text (the original is never stored),
  the number of masked items, the source (``wave_id`` + respondent row + question, or
  ``file_id`` + data row, or a typed record), status, ``action_id`` (set by the 整改 register),
  ``cell_n`` (respondents of the record's group in its wave, for the comment threshold).
- ``feedback_files`` — each imported record file by sha256 (the same bytes twice are recognised;
  the file itself is not kept: it holds unmasked personal data).
- ``feedback_lexicon`` — words managers added (area, positive, negative or stop word).

Open answers of a wave become records in the wave's own insert transaction, analysed before it
(:func:`wave_records` in ``store.ingest.ingest_file``, inserted by :func:`_store_wave_records` from
``store.ingest._insert_wave``: the wave and its records commit together, and no analysis runs while
the write lock is held unless a manager changed the lexicon in between), and once for the waves
stored before this table existed (:func:`backfill_waves`, run by the migration). Records of a
deleted wave are hidden with it, come back with it, and go when it is purged (ON DELETE CASCADE).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.store.audit import _audit
from analysis.store.engine import _write
from analysis.store.schema import _now, metadata, waves

__all__ = [
    "feedback_records", "feedback_files", "feedback_lexicon", "FEEDBACK_COLUMNS", "FeedbackImportResult",
    "list_feedback", "import_feedback", "add_feedback", "update_feedback", "link_feedback_action",
    "feedback_lexicon_words", "add_lexicon_word", "remove_lexicon_word", "store_lexicon", "retag_feedback",
    "find_feedback_file", "backfill_waves", "seed_demo_feedback", "WaveRecords", "wave_records",
]

FEEDBACK_COLUMNS = ["id", "date", "channel", "group", "unit", "areas", "tone", "keywords", "text", "source", "status",
                    "action_id", "suggestion", "n_masked", "wave_id", "file_id", "row", "cell_n"]

feedback_files = sa.Table(
    "feedback_files", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("filename", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("n_records", sa.Integer, nullable=False),
    sa.Column("mapping", sa.JSON),
    sa.Column("uploaded_by", sa.String(100)),
    sa.Column("uploaded_at", sa.DateTime, nullable=False),
    sqlite_autoincrement=True,
)
feedback_records = sa.Table(
    "feedback_records", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("date", sa.Date),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("resp_group", sa.String(100)),
    sa.Column("unit", sa.String(200)),
    sa.Column("areas", sa.JSON, nullable=False),
    sa.Column("tone", sa.String(10), nullable=False),
    sa.Column("suggestion", sa.Boolean, nullable=False),
    sa.Column("keywords", sa.JSON, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("n_masked", sa.Integer, nullable=False),
    sa.Column("wave_id", sa.Integer, sa.ForeignKey("waves.id", ondelete="CASCADE"), index=True),
    sa.Column("file_id", sa.Integer, sa.ForeignKey("feedback_files.id", ondelete="CASCADE"), index=True),
    sa.Column("source_row", sa.Integer),
    sa.Column("source_column", sa.String(200)),
    sa.Column("cell_n", sa.Integer),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("action_id", sa.Integer),
    sa.Column("is_demo", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(100)),
    sa.Column("updated_at", sa.DateTime),
    sqlite_autoincrement=True,
)
feedback_lexicon = sa.Table(
    "feedback_lexicon", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("word", sa.String(50), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("area", sa.String(40), nullable=False),
    sa.Column("added_by", sa.String(100)),
    sa.Column("added_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("word", "kind", "area", name="uq_feedback_lexicon_word"),
)


@dataclass
class FeedbackImportResult:
    """Outcome of :func:`import_feedback`: ``created`` False when the same bytes were imported before."""

    file_id: int
    created: bool
    n_records: int
    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicate_of: int | None = None


# --- lexicon ----------------------------------------------------------------------------------------

def _additions(conn: Connection) -> tuple[tuple[str, str, str], ...]:
    rows = conn.execute(sa.select(feedback_lexicon.c.word, feedback_lexicon.c.kind, feedback_lexicon.c.area))
    return tuple((r.word, r.kind, r.area) for r in rows)


def _lexicon(conn: Connection):
    from analysis.text import build_lexicon

    return build_lexicon(_additions(conn))


def store_lexicon(engine: Engine):
    """The shipped lexicon plus the words managers added in this store (``analysis.text.Lexicon``)."""
    with engine.connect() as conn:
        return _lexicon(conn)


def feedback_lexicon_words(engine: Engine) -> pd.DataFrame:
    """Managers' additions: ``id, word, kind, area, added_by, added_at``."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(feedback_lexicon).order_by(feedback_lexicon.c.id)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=["id", "word", "kind", "area", "added_by", "added_at"])


def add_lexicon_word(engine: Engine, word: str, kind: str, area: str | None = None, *, user: str = "cli") -> int:
    """Add a word to the store's lexicon and re-tag every record with it; returns the records re-tagged.

    ``kind``: ``area`` (with ``area``), ``positive``, ``negative`` or ``stop``
    (``analysis.text.WORD_KINDS``). A word already there is not added twice. ValueError for bad input.
    """
    from analysis.text import check_addition

    w, k, a = check_addition(word, kind, area)
    with _write(engine) as conn:
        exists = conn.execute(sa.select(feedback_lexicon.c.id).where(
            feedback_lexicon.c.word == w, feedback_lexicon.c.kind == k, feedback_lexicon.c.area == a)).first()
        if exists is None:
            conn.execute(feedback_lexicon.insert().values(word=w, kind=k, area=a, added_by=user, added_at=_now()))
            _audit(conn, user, "lexicon_add", {"word": w, "kind": k, "area": a})
        return _retag(conn)


def remove_lexicon_word(engine: Engine, word_id: int, *, user: str = "cli") -> int:
    """Remove one added word (by id) and re-tag the records; returns the records re-tagged."""
    with _write(engine) as conn:
        row = conn.execute(sa.select(feedback_lexicon).where(feedback_lexicon.c.id == int(word_id))).mappings().first()
        if row is None:
            raise ValueError(f"没有编号为 {word_id} 的词。 No added word with id {word_id}.")
        conn.execute(feedback_lexicon.delete().where(feedback_lexicon.c.id == int(word_id)))
        _audit(conn, user, "lexicon_remove", {"word": row["word"], "kind": row["kind"], "area": row["area"]})
        return _retag(conn)


def _retag(conn: Connection) -> int:
    """Recompute areas, tone, suggestion and keywords of every record from its (masked) text."""
    from analysis.text import analyse_texts

    lex = _lexicon(conn)
    rows = conn.execute(sa.select(feedback_records.c.id, feedback_records.c.text)).all()
    if not rows:
        return 0
    res = analyse_texts([r.text for r in rows], lex)
    params = [{"_id": r.id, "areas": a, "tone": t, "suggestion": bool(s), "keywords": k}
              for r, a, t, s, k in zip(rows, res["areas"], res["tone"], res["suggestion"], res["keywords"], strict=True)]
    stmt = (feedback_records.update().where(feedback_records.c.id == sa.bindparam("_id"))
            .values(areas=sa.bindparam("areas"), tone=sa.bindparam("tone"), suggestion=sa.bindparam("suggestion"),
                    keywords=sa.bindparam("keywords")))
    conn.execute(stmt, params)
    return len(params)


def retag_feedback(engine: Engine) -> int:
    """Re-tag every record with the current lexicon (after the shipped lexicon changed)."""
    with _write(engine) as conn:
        return _retag(conn)


# --- writing records ----------------------------------------------------------------------------------

def _insert_records(conn: Connection, records: pd.DataFrame, *, user: str, wave_id: int | None = None,
                    file_id: int | None = None, is_demo: bool = False) -> int:
    """Mask, analyse and insert records (``analysis.feedback.RECORD_COLUMNS`` [+ column, cell_n])."""
    from analysis.feedback import analyse_records

    if not len(records):
        return 0
    done = analyse_records(records, lexicon=_lexicon(conn))
    now = _now()
    n = len(done)

    def col(name: str, conv=None) -> list:
        if name not in done.columns:
            return [None] * n
        values = done[name].tolist()
        return [conv(v) for v in values] if conv else values

    columns = {
        "date": col("date", _opt_date), "channel": col("channel"), "resp_group": col("group", _opt),
        "unit": col("unit", _opt), "areas": col("areas", list), "tone": col("tone"),
        "suggestion": col("suggestion", bool), "keywords": col("keywords", list), "text": col("text"),
        "n_masked": col("n_masked", int), "source_row": col("row", _opt_int), "source_column": col("column", _opt),
        "cell_n": col("cell_n", _opt_int), "status": col("status", lambda v: v or "new"),
    }
    fixed = {"wave_id": wave_id, "file_id": file_id, "action_id": None, "is_demo": is_demo, "created_at": now,
             "created_by": user, "updated_at": now}
    _bulk_insert(conn, {**columns, **{k: [v] * n for k, v in fixed.items()}}, n)
    return n


def _bulk_insert(conn: Connection, columns: dict[str, list], n: int) -> None:
    """Insert ``n`` records given column by column (SQLAlchemy's values: lists, dates, datetimes).

    The values are prepared the way SQLAlchemy stores them (:func:`_driver_values`); columns with
    one value for every record go into the statement as literals (:func:`_execute_insert`).
    """
    varying, fixed = {}, {}
    for name, values in columns.items():
        first = values[0] if values else None
        if name in _FIXED_CANDIDATES and all(v is first or v == first for v in values):
            fixed[name] = first
        else:
            varying[name] = values
    _execute_insert(conn, _driver_values(conn, varying), fixed, n)


# columns that usually hold one value for all records of one insert (a wave's, a file's)
_FIXED_CANDIDATES = frozenset({"channel", "unit", "status", "wave_id", "file_id", "action_id", "is_demo", "created_at",
                               "created_by", "updated_at", "source_column"})
_TS_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's SQLite DATETIME storage format


_JSON_ESCAPED = re.compile(r'[\x00-\x1f\\"]')  # what json.dumps(ensure_ascii=False) escapes in a string


def _dump_json(memo: dict[tuple, str], v: Sequence) -> str:
    """A list as SQLAlchemy's JSON type stores it (``json.dumps(list(v), ensure_ascii=False)``); each
    distinct list serialised once (they repeat), a list of plain strings joined without the encoder."""
    import json

    key = tuple(v)
    text = memo.get(key)
    if text is None:
        if not key:
            text = "[]"
        elif all(type(x) is str for x in key) and not _JSON_ESCAPED.search("".join(key)):
            text = '["' + '", "'.join(key) + '"]'
        else:
            text = json.dumps(list(v), ensure_ascii=False)
        memo[key] = text
    return text


def _driver_values(conn: Connection, columns: dict[str, list]) -> dict[str, list]:
    """Column values as the driver takes them: JSON text for the lists, ISO text for dates and times
    on SQLite (its ``DATE``/``DATETIME`` storage formats), native objects on PostgreSQL.

    SQLAlchemy's per-row bind processing (JSON, dates) is slow for a large wave's open answers
    (bench/RESULTS.md, "Fast paths"), so the values are prepared here once per column.
    """
    sqlite = conn.dialect.name == "sqlite"
    memo: dict[tuple, str] = {}
    out = dict(columns)
    for c in ("areas", "keywords"):
        if c in out:
            out[c] = [_dump_json(memo, v) for v in out[c]]
    if sqlite:
        if "date" in out:
            out["date"] = [None if d is None else d.isoformat() for d in out["date"]]
        for c in ("created_at", "updated_at"):
            if c in out:
                out[c] = [None if t is None else t.strftime(_TS_FORMAT) for t in out[c]]
    return out


def _literal(value: Any, sqlite: bool) -> str | None:
    """``value`` as an SQL literal for both dialects, or None when it must be bound instead."""
    import datetime as dt

    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return ("1" if value else "0") if sqlite else ("TRUE" if value else "FALSE")
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.strftime(_TS_FORMAT) if sqlite else value.isoformat(sep=" ")
    if not isinstance(value, str) or "\x00" in value or (not sqlite and "\\" in value):
        return None  # a backslash is bound on PostgreSQL: its meaning in a literal depends on a setting
    text = "'" + value.replace("'", "''") + "'"  # standard SQL quoting (PostgreSQL: standard_conforming_strings)
    return text if sqlite else text.replace("%", "%%")  # psycopg's paramstyle is %s


def _execute_insert(conn: Connection, varying: dict[str, list], fixed: dict[str, Any], n: int) -> None:
    """Insert ``n`` records straight through the driver: on SQLite multi-row ``INSERT … VALUES``
    statements, on PostgreSQL ``COPY`` (:func:`_copy_insert`), else one ``executemany``.

    ``varying``: one driver value per record and column (:func:`_driver_values`); ``fixed``: one
    value for all records, written into the statement as a literal (fewer parameters per row:
    ~35 % less time in SQLite's executemany), or bound per row when it cannot be a literal.
    """
    if not n:
        return
    sqlite = conn.dialect.name == "sqlite"
    if not sqlite and conn.dialect.driver == "psycopg":
        _copy_insert(conn, varying, fixed, n)
        return
    varying = dict(varying)
    literals: dict[str, str] = {}
    for name, value in fixed.items():
        lit = _literal(value, sqlite)
        if lit is None:
            varying[name] = _driver_values(conn, {name: [value] * n})[name]
        else:
            literals[name] = lit
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if sqlite else "%s"
    names = list(varying) + list(literals)
    one = "(" + ", ".join([mark] * len(varying) + list(literals.values())) + ")"
    head = f"INSERT INTO feedback_records ({', '.join(quote(c) for c in names)}) VALUES "
    rows = list(zip(*varying.values(), strict=True)) if varying else [()] * n
    if not (sqlite and varying):
        conn.exec_driver_sql(head + one, rows)
        return
    # SQLite: many rows per statement (~40 % less time than one statement per row); at most 999
    # parameters per statement, the limit of SQLite builds before 3.32.
    per = max(1, 999 // len(varying))
    cursor = conn.connection.driver_connection.cursor()  # the connection of the open transaction
    try:
        full = head + ", ".join([one] * per)
        for i in range(0, n, per):
            part = rows[i : i + per]
            sql = full if len(part) == per else head + ", ".join([one] * len(part))
            cursor.execute(sql, [v for row in part for v in row])
    finally:
        cursor.close()


def _copy_insert(conn: Connection, varying: dict[str, list], fixed: dict[str, Any], n: int) -> None:
    """PostgreSQL with psycopg: the records through ``COPY … FROM STDIN`` on the transaction's own
    connection (psycopg writes each value in COPY's text format: NULL, escapes, booleans, dates),
    the shared values appended to every row."""
    quote = conn.dialect.identifier_preparer.quote
    names = list(varying) + list(fixed)
    tail = tuple(fixed.values())
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY feedback_records ({', '.join(quote(c) for c in names)}) FROM STDIN") as copy:
            write = copy.write_row
            if varying:
                for row in zip(*varying.values(), strict=True):
                    write(row + tail)
            else:
                for _ in range(n):
                    write(tail)
    finally:
        cursor.close()


def _opt_date(v: Any):
    if v is None or v is pd.NA or (isinstance(v, float) and v != v) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.date()
    return v.date() if hasattr(v, "date") and callable(v.date) else v


def _opt(v: Any) -> str | None:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    s = str(v).strip()
    return s or None


def _opt_int(v: Any) -> int | None:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    return int(v)


@dataclass
class WaveRecords:
    """A wave's open answers masked and analysed before its write transaction (:func:`wave_records`).

    ``additions`` are the store's lexicon words the analysis used: :func:`_store_wave_records`
    compares them under the write lock and analyses again if a manager changed the lexicon meanwhile.
    ``columns`` hold one driver value per record (:func:`_driver_values`), ``fixed`` the values
    shared by all records of the wave except those known only at the write (wave id, unit, user, time);
    ``spans`` the question and the number of records of each open column, in the order of ``columns``.
    """

    additions: tuple
    dialect: str
    columns: dict[str, list]
    fixed: dict[str, Any]
    spans: list[tuple[str | None, int]]

    @property
    def n(self) -> int:
        return sum(k for _, k in self.spans)


def wave_records(engine: Engine, ds: Any) -> WaveRecords:
    """The open answers of a coded wave about to be stored, masked and analysed outside any
    transaction (``store.ingest_file(…, records=)`` takes them; the wave's fields such as its unit
    are added when it is written)."""
    with engine.connect() as conn:
        additions = _additions(conn)
    return _wave_records(additions, engine.dialect.name, ds)


def _wave_records(additions: tuple, dialect: str, ds: Any) -> WaveRecords:
    """Records of the open answers of ``ds``: the same records, in the same order, as
    ``analysis.feedback.records_from_dataset`` then ``analyse_records`` give, but column by column:
    each distinct answer is checked (``is_no_opinion``) and analysed once, each distinct group and
    day converted once, and per record only indices are taken (open answers repeat: 无, 很好 …).
    """
    from analysis.feedback import _MAX_TEXT
    from analysis.text import analyse_rows, build_lexicon, is_no_opinion

    lex = build_lexicon(additions)
    sqlite = dialect == "sqlite"
    fixed = {"channel": "survey", "status": "new", "file_id": None, "action_id": None}
    names = ("date", "resp_group", "source_row", "cell_n", "text", "n_masked", "areas", "tone", "suggestion",
             "keywords")
    texts = getattr(ds, "texts", None)
    if texts is None or not len(texts.columns) or not len(texts):
        return WaveRecords(additions, dialect, {c: [] for c in names}, fixed, [])
    resp = ds.respondents.reset_index(drop=True)
    groups = resp["group"].astype("string") if "group" in resp.columns else pd.Series(pd.NA, index=resp.index, dtype="string")
    keys = groups.fillna("")
    sizes = keys.map(keys.value_counts()).astype(int).to_numpy()
    g_codes, g_uniq = pd.factorize(groups)  # NA → -1 → the appended None
    group_of = np.array([_opt(str(g)) for g in g_uniq] + [None], dtype=object)[g_codes]
    date_of = _row_dates(resp, sqlite)
    row_of = resp["row"].to_numpy().astype(np.int64)  # .tolist() then gives Python ints

    verdict: dict[str, bool] = {}  # is_no_opinion per distinct stripped answer
    index_of: dict[str, int] = {}  # distinct text → its place in ``distinct``
    distinct: list[str] = []
    checked: list[bool] = []
    parts: list[tuple[np.ndarray, np.ndarray, str | None]] = []  # (rows kept, their text indices, column)
    for col in texts.columns:
        values = texts[col].reset_index(drop=True)
        codes, uniq = pd.factorize(values, use_na_sentinel=True)
        strings = [str(v) for v in uniq]
        if any("┋" in v for v in strings):  # analysis.feedback._is_multi_select, on the distinct answers
            continue
        text_index = np.full(len(uniq) + 1, -1, dtype=np.int64)  # the last slot: code -1 (missing)
        for j, v in enumerate(strings):
            s = v.strip()
            skip = verdict.get(s)
            if skip is None:
                skip = verdict[s] = not s or is_no_opinion(s, lex)
            if skip:
                continue
            t = s[:_MAX_TEXT]
            k = index_of.get(t)
            if k is None:
                k = index_of[t] = len(distinct)
                distinct.append(t)
                checked.append(t == s)
            text_index[j] = k
        idx = text_index[codes]
        keep = np.flatnonzero(idx >= 0)
        parts.append((keep, idx[keep], _opt(str(col))))
    done = analyse_rows(distinct, lex, say_something=all(checked))  # checked above, unless a text was cut
    memo: dict[tuple, str] = {}
    table = [(text, int(n), _dump_json(memo, areas), tone, bool(sugg), _dump_json(memo, kw))
             for text, n, areas, tone, sugg, kw in done]
    per_text = {c: np.array([row[i] for row in table] or [None], dtype=object)
                for i, c in enumerate(("text", "n_masked", "areas", "tone", "suggestion", "keywords"))}
    columns: dict[str, list] = {c: [] for c in names}
    spans = []
    for keep, idx, col in parts:
        if len(keep):
            spans.append((col, len(keep)))
        columns["date"] += date_of[keep].tolist()
        columns["resp_group"] += group_of[keep].tolist()
        columns["source_row"] += row_of[keep].tolist()
        columns["cell_n"] += sizes[keep].tolist()
        for c, arr in per_text.items():
            columns[c] += arr[idx].tolist()
    return WaveRecords(additions, dialect, columns, fixed, spans)


def _row_dates(resp: pd.DataFrame, sqlite: bool) -> np.ndarray:
    """Each respondent's submission date as the driver takes it (ISO text on SQLite), None without one."""
    n = len(resp)
    if "submitted_at" not in resp.columns:
        return np.full(n, None, dtype=object)
    stamps = pd.to_datetime(resp["submitted_at"], errors="coerce")
    if not pd.api.types.is_datetime64_any_dtype(stamps):  # mixed offsets: one by one
        out = np.empty(n, dtype=object)
        dates = [None if pd.isna(d) else pd.Timestamp(d).date() for d in stamps.tolist()]
        out[:] = [d.isoformat() if (sqlite and d is not None) else d for d in dates]
        return out
    codes, days = pd.factorize(stamps.dt.normalize())  # a wave's answers fall on few days
    dates = [d.date() for d in days]
    values = [d.isoformat() for d in dates] if sqlite else dates
    return np.array(values + [None], dtype=object)[codes]


def _store_wave_records(conn: Connection, wave_id: int, ds: Any, meta: dict | None, records: WaveRecords | None,
                        *, user: str, is_demo: bool) -> int:
    """Insert the wave's records inside its write transaction; analysed here when ``records`` is
    None, stale (the lexicon changed since :func:`wave_records`) or made for another dialect."""
    additions = _additions(conn)
    if records is None or records.dialect != conn.dialect.name or sorted(records.additions) != sorted(additions):
        records = _wave_records(additions, conn.dialect.name, ds)
    now = _now()
    unit = _opt(str(meta["unit"])) if meta and meta.get("unit") else None
    fixed = {**records.fixed, "wave_id": int(wave_id), "unit": unit, "is_demo": bool(is_demo), "created_at": now,
             "created_by": user, "updated_at": now}
    start = 0
    for column, k in records.spans:  # one insert per question, which goes into it as a literal
        part = {c: v[start : start + k] for c, v in records.columns.items()} if len(records.spans) > 1 else records.columns
        _execute_insert(conn, part, {**fixed, "source_column": column}, k)
        start += k
    return records.n


def _records_from_wave(conn: Connection, wave_id: int, ds: Any, meta: dict | None = None, *, user: str = "cli",
                       is_demo: bool = False) -> int:
    """The open answers of a wave become records, analysed inside the caller's transaction (the backfill)."""
    return _store_wave_records(conn, wave_id, ds, meta, None, user=user, is_demo=is_demo)


def backfill_waves(conn: Connection) -> int:
    """Records from the open answers of every stored wave that has none yet (run once by the migration)."""
    from analysis.store.blobs import dataset_from_blobs
    from analysis.store.schema import wave_data

    done = set(conn.execute(sa.select(feedback_records.c.wave_id).where(feedback_records.c.wave_id.is_not(None))
                            .distinct()).scalars())
    n = 0
    for w in conn.execute(sa.select(waves.c.id, waves.c.unit, waves.c.is_demo)).all():
        if w.id in done:
            continue
        cols = [wave_data.c[c] for c in ("answers", "respondents", "texts", "flags", "importance", "items", "scales",
                                         "attributes", "warnings", "meta")]
        row = conn.execute(sa.select(*cols).where(wave_data.c.wave_id == w.id)).mappings().first()
        if row is None:
            continue
        try:
            ds = dataset_from_blobs(row)
        except Exception:  # noqa: BLE001 - a wave whose blobs cannot be read keeps its answers, gets no records
            continue
        n += _records_from_wave(conn, w.id, ds, {"unit": w.unit}, user="migration", is_demo=bool(w.is_demo))
    return n


def find_feedback_file(engine: Engine, data: bytes) -> dict | None:
    """The record file with the same bytes imported before (``id, filename, n_records, uploaded_at``), or None."""
    sha = hashlib.sha256(bytes(data)).hexdigest()
    with engine.connect() as conn:
        row = conn.execute(sa.select(feedback_files.c.id, feedback_files.c.filename, feedback_files.c.n_records,
                                     feedback_files.c.uploaded_at).where(feedback_files.c.sha256 == sha)).mappings().first()
    return dict(row) if row else None


def import_feedback(engine: Engine, data: bytes, filename: str, *, mapping: dict | None = None, user: str = "cli",
                    default_channel: str = "other") -> FeedbackImportResult:
    """Import a record file (CSV/XLSX) at most once: its records masked, tagged and stored atomically.

    ``mapping`` (field → column) defaults to :func:`analysis.feedback.suggest_mapping` of the
    headers. The same bytes again return ``created=False`` and the earlier file's id. Rows without
    text are left out and listed in ``errors`` with their row number; the file's bytes are not kept.
    """
    from analysis.feedback import read_record_table, records_from_table, suggest_mapping

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError("需要文件的字节内容（bytes）。 import_feedback expects the file's bytes.")
    data = bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    with engine.connect() as conn:
        dup = conn.execute(sa.select(feedback_files.c.id, feedback_files.c.n_records)
                           .where(feedback_files.c.sha256 == sha)).first()
    if dup is not None:
        return FeedbackImportResult(file_id=int(dup.id), created=False, n_records=int(dup.n_records),
                                    duplicate_of=int(dup.id),
                                    warnings=[f"该记录文件已导入过（#{dup.id}），未重复计入。 This record file was already imported (#{dup.id})."])
    table = read_record_table(data, filename)
    mapping = dict(mapping) if mapping else suggest_mapping(list(table.frame.columns))
    recs, errors, warnings = records_from_table(table, mapping, default_channel=default_channel)
    if not len(recs):
        raise ValueError("文件中没有可导入的记录（每行需要意见内容）。 The file has no records with text.")
    _cell_sizes(recs)
    with _write(engine) as conn:
        dup = conn.execute(sa.select(feedback_files.c.id).where(feedback_files.c.sha256 == sha)).first()
        if dup is not None:
            return FeedbackImportResult(file_id=int(dup.id), created=False, n_records=0, duplicate_of=int(dup.id))
        file_id = conn.execute(feedback_files.insert().values(
            filename=str(filename)[:500], sha256=sha, size=len(data), n_records=len(recs),
            mapping={k: v for k, v in mapping.items() if v}, uploaded_by=user, uploaded_at=_now(),
        ).returning(feedback_files.c.id)).scalar_one()
        n = _insert_records(conn, recs, user=user, file_id=int(file_id))
        _audit(conn, user, "feedback_import", {"filename": filename, "sha256": sha, "n_records": n,
                                               "n_errors": len(errors)})
    return FeedbackImportResult(file_id=int(file_id), created=True, n_records=n, errors=errors,
                                warnings=table.warnings + warnings)


def _cell_sizes(recs: pd.DataFrame) -> None:
    """``cell_n`` of records from one file: the number of records of the same group in that file."""
    g = recs["group"].fillna("").astype(str)
    recs["cell_n"] = g.map(g.value_counts()).astype(int)


def add_feedback(engine: Engine, *, date: Any = None, channel: str, group: Any = None, unit: Any = None,
                 text: Any, status: str = "new", user: str = "cli") -> int:
    """Store one typed-in record (masked and tagged); returns its id. ValueError for bad input."""
    from analysis.feedback import check_record

    rec = check_record(date=date, channel=channel, group=group, unit=unit, text=text, status=status)
    frame = pd.DataFrame([{**rec, "row": None}])
    with _write(engine) as conn:
        _insert_records(conn, frame, user=user)
        new_id = conn.execute(sa.select(sa.func.max(feedback_records.c.id))).scalar_one()
        _audit(conn, user, "feedback_add", {"id": int(new_id), "channel": rec["channel"]})
    return int(new_id)


def update_feedback(engine: Engine, record_id: int, *, status: str | None = None, user: str = "cli") -> None:
    """Change a record's status (``analysis.feedback.STATUSES``)."""
    from analysis.feedback import STATUSES

    if status is not None and status not in STATUSES:
        raise ValueError(f"未知状态：{status}。可选：{', '.join(STATUSES)}。 Unknown status.")
    with _write(engine) as conn:
        n = conn.execute(feedback_records.update().where(feedback_records.c.id == int(record_id))
                         .values(status=status, updated_at=_now())).rowcount
        if not n:
            raise ValueError(f"没有编号为 {record_id} 的记录。 No feedback record {record_id}.")
        _audit(conn, user, "feedback_status", {"id": int(record_id), "status": status})


def link_feedback_action(engine: Engine, record_ids: Iterable[int], action_id: int | None, *,
                         user: str = "cli") -> int:
    """Link records to a 整改 action (None unlinks); records linked to an action become ``forwarded``
    unless already replied or resolved. Returns the number of records changed."""
    ids = [int(i) for i in record_ids]
    if not ids:
        return 0
    with _write(engine) as conn:
        n = conn.execute(feedback_records.update().where(feedback_records.c.id.in_(ids))
                         .values(action_id=None if action_id is None else int(action_id), updated_at=_now())).rowcount
        if action_id is not None:
            conn.execute(feedback_records.update().where(feedback_records.c.id.in_(ids),
                                                         feedback_records.c.status == "new").values(status="forwarded"))
        _audit(conn, user, "feedback_link", {"ids": ids, "action_id": action_id})
    return int(n)


# --- reading ----------------------------------------------------------------------------------------------

def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _as_list(v: Any) -> list | None:
    if v is None or v == "" or (isinstance(v, (list, tuple, set)) and not v):
        return None
    return list(v) if isinstance(v, (list, tuple, set)) else [v]


def list_feedback(engine: Engine, *, wave: int | Sequence[int] | None = None, channel: str | Sequence[str] | None = None,
                  area: str | Sequence[str] | None = None, group: str | Sequence[str] | None = None,
                  tone: str | Sequence[str] | None = None, status: str | Sequence[str] | None = None,
                  date_from: Any = None, date_to: Any = None, text: str | None = None,
                  source: str | None = None, ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Records of live waves, record files and typed entries, newest first; columns ``FEEDBACK_COLUMNS``.

    Filters (all optional, combined with AND; a list means any of): ``wave`` (wave ids),
    ``channel``, ``area`` (records tagged with that area; ``"none"`` = records with no area),
    ``group``, ``tone``, ``status``, ``date_from`` / ``date_to`` (inclusive), ``text`` (substring
    of the masked text), ``source`` (``wave`` | ``file`` | ``form`` | ``records`` = file or form), ``ids``.
    ``areas`` and ``keywords`` are lists; ``source`` reads e.g. ``wave 3 · row 17`` / ``file 2 · row 5``.
    """
    r = feedback_records
    q = (sa.select(r, waves.c.name.label("wave_name"), feedback_files.c.filename)
         .select_from(r.outerjoin(waves, waves.c.id == r.c.wave_id).outerjoin(feedback_files, feedback_files.c.id == r.c.file_id))
         .where(sa.or_(r.c.wave_id.is_(None), waves.c.deleted_at.is_(None))))
    for col, value in ((r.c.wave_id, wave), (r.c.channel, channel), (r.c.resp_group, group), (r.c.tone, tone),
                       (r.c.status, status), (r.c.id, ids)):
        values = _as_list(value)
        if values is not None:
            q = q.where(col.in_([int(v) for v in values] if col in (r.c.wave_id, r.c.id) else [str(v) for v in values]))
    if date_from is not None and str(date_from) != "":
        q = q.where(r.c.date >= pd.Timestamp(date_from).date())
    if date_to is not None and str(date_to) != "":
        q = q.where(r.c.date <= pd.Timestamp(date_to).date())
    if text:
        q = q.where(r.c.text.like(_like(str(text)), escape="\\"))
    if source == "wave":
        q = q.where(r.c.wave_id.is_not(None))
    elif source == "file":
        q = q.where(r.c.file_id.is_not(None))
    elif source == "form":
        q = q.where(r.c.wave_id.is_(None), r.c.file_id.is_(None))
    elif source == "records":  # record files and typed records: everything but survey open answers
        q = q.where(r.c.wave_id.is_(None))
    q = q.order_by(sa.nulls_last(r.c.date.desc()), r.c.id.desc())
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    df = pd.DataFrame([dict(x) for x in rows])
    if not len(df):
        return pd.DataFrame(columns=FEEDBACK_COLUMNS)
    df["areas"] = df["areas"].map(lambda v: list(v or []))
    df["keywords"] = df["keywords"].map(lambda v: list(v or []))
    areas = _as_list(area)
    if areas is not None:
        want = set(map(str, areas))
        df = df[df["areas"].map(lambda a: bool(want & set(a)) or ("none" in want and not a))]
    df = df.rename(columns={"resp_group": "group", "source_row": "row"})
    df["source"] = [_source_text(w, wn, f, fn, row) for w, wn, f, fn, row in
                    zip(df["wave_id"], df["wave_name"], df["file_id"], df["filename"], df["row"], strict=True)]
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    form = df["wave_id"].isna() & df["file_id"].isna()
    if form.any():  # typed records: the cell is all typed records of the group
        g = df["group"].fillna("")
        df.loc[form, "cell_n"] = g[form].map(g[form].value_counts())
    for c in ("id", "action_id", "wave_id", "file_id", "row", "cell_n", "n_masked"):
        df[c] = df[c].astype("Int64")
    df["suggestion"] = df["suggestion"].astype(bool)
    return df[FEEDBACK_COLUMNS].reset_index(drop=True)


def _source_text(wave_id: Any, wave_name: Any, file_id: Any, filename: Any, row: Any) -> str:
    r = "" if row is None or pd.isna(row) else f" · 第{int(row)}行 row {int(row)}"
    if wave_id is not None and not pd.isna(wave_id):
        return f"批次 wave #{int(wave_id)} {wave_name or ''}".rstrip() + r
    if file_id is not None and not pd.isna(file_id):
        return f"文件 file #{int(file_id)} {filename or ''}".rstrip() + r
    return "手工录入 typed in"


def seed_demo_feedback(conn: Connection, *, user: str = "demo") -> int:
    """The demo records (``analysis.demo.demo_feedback``) as one record file, inside ensure_demo's transaction."""
    import analysis.demo as demo_module

    if not hasattr(demo_module, "demo_feedback"):  # a demo without records (tests replace the module)
        return 0
    demo = demo_module.demo_feedback()
    legacy = {"open": "new", "in_action": "forwarded", "replied": "replied", "resolved": "resolved"}
    from analysis.feedback import channel_key

    recs = pd.DataFrame({
        "row": range(1, len(demo) + 1),
        "date": demo["date"].dt.date,
        "channel": [channel_key(c) or "other" for c in demo["channel"]],
        "group": demo["group"].astype(str),
        "unit": None,
        "text": demo["text"].astype(str),
        "status": [legacy.get(s, "new") for s in demo["status"]],
    })
    _cell_sizes(recs)
    payload = recs.to_csv(index=False).encode("utf-8")
    sha = hashlib.sha256(b"demo-feedback\n" + payload).hexdigest()
    if conn.execute(sa.select(feedback_files.c.id).where(feedback_files.c.sha256 == sha)).first() is not None:
        return 0
    file_id = conn.execute(feedback_files.insert().values(
        filename="演示记录 demo records (2019)", sha256=sha, size=len(payload), n_records=len(recs), mapping=None,
        uploaded_by=user, uploaded_at=_now()).returning(feedback_files.c.id)).scalar_one()
    return _insert_records(conn, recs, user=user, file_id=int(file_id), is_demo=True)
