"""Survey series (issue 12): series table, waves.series_id, fieldwork dates.

Revision ID: 0003_series
Revises: 0002_hardening
Create Date: 2026-12-02

Existing stores upgrade in place: every wave gets its fieldwork dates (first and last submission
time of its stored respondents; the wave's ``period`` such as ``2019-10`` where none are stored),
and the waves are grouped into series by unit + questionnaire key — the demo's two institutions
become two series. ``waves.series_id`` is NOT NULL afterwards. On SQLite the NOT NULL change
rebuilds the table (batch mode); ``analysis.store.engine._migrate`` runs migrations with foreign
keys off there, so dropping the old table does not cascade into uploads and wave_data.

This file is frozen with the schema it creates: it does not import the application's code.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from alembic import op

revision = "0003_series"
down_revision = "0002_hardening"
branch_labels = None
depends_on = None

_YEAR = re.compile(r"(?:19|20)\d{2}\s*(?:年度|年|[-/.]\d{1,2}(?:月)?)?\s*")
_PERIOD = re.compile(r"((?:19|20)\d{2})(?:\s*[-/.年]\s*(\d{1,2}))?")


def _name_for(unit: str | None, wave_name: str | None) -> str:
    stem = _YEAR.sub("", str(wave_name or "")).strip(" -_·") or str(wave_name or "").strip()
    unit = str(unit or "").strip()
    if unit and stem and not stem.startswith(unit):
        return f"{unit} {stem}"
    return stem or unit or "调查项目 survey"


def _fieldwork(blob: bytes | None, period: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """First/last submission time in a stored respondents blob; else the month a period names."""
    if blob:
        try:
            import pyarrow as pa
            import pyarrow.compute as pc
            import pyarrow.parquet as pq

            table = pq.read_table(pa.BufferReader(bytes(blob)))
            if "submitted_at" in table.column_names and pa.types.is_timestamp(table.schema.field("submitted_at").type):
                col = table.column("submitted_at")
                lo, hi = pc.min(col).as_py(), pc.max(col).as_py()
                if lo is not None and hi is not None:
                    strip = lambda v: v.replace(tzinfo=None) if v.tzinfo is None else v.astimezone(dt.UTC).replace(tzinfo=None)  # noqa: E731
                    return strip(lo), strip(hi)
        except Exception:  # noqa: BLE001 - an unreadable blob leaves the dates to the period
            pass
    m = _PERIOD.search(str(period or ""))
    if m:
        month = int(m.group(2) or 1)
        if 1 <= month <= 12:
            day = dt.datetime(int(m.group(1)), month, 1)
            return day, day
    return None, None


def upgrade() -> None:
    series = op.create_table(
        "series",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("unit", sa.String(200)),
        sa.Column("questionnaire_key", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(100)),
        sqlite_autoincrement=True,
    )
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    # the rebuild must keep AUTOINCREMENT and its counter: shared links carry wave ids, and the id
    # of a purged wave is never given again
    keep = {"sqlite_autoincrement": True}
    seq = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'waves'").scalar() if sqlite else None
    with op.batch_alter_table("waves", table_kwargs=keep) as batch:
        batch.add_column(sa.Column("series_id", sa.Integer))
        batch.add_column(sa.Column("fieldwork_start", sa.DateTime))
        batch.add_column(sa.Column("fieldwork_end", sa.DateTime))

    waves = sa.table("waves", sa.column("id"), sa.column("name"), sa.column("unit"), sa.column("period"),
                     sa.column("questionnaire_key"), sa.column("created_at"), sa.column("series_id", sa.Integer),
                     sa.column("fieldwork_start", sa.DateTime), sa.column("fieldwork_end", sa.DateTime))
    wave_data = sa.table("wave_data", sa.column("wave_id"), sa.column("respondents", sa.LargeBinary))
    rows = conn.execute(
        sa.select(waves.c.id, waves.c.name, waves.c.unit, waves.c.period, waves.c.questionnaire_key,
                  waves.c.created_at, wave_data.c.respondents)
        .select_from(waves.outerjoin(wave_data, wave_data.c.wave_id == waves.c.id))
    ).all()
    dated = []
    for r in rows:
        start, end = _fieldwork(r.respondents, r.period)
        dated.append((start or r.created_at, r, start, end))
    dated.sort(key=lambda x: (x[0], x[1].id))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    by_key: dict[tuple, int] = {}
    names: set[str] = set()
    for _, r, start, end in dated:
        group = (r.unit or None, r.questionnaire_key)
        if group not in by_key:
            name, i = _name_for(r.unit, r.name), 2
            base = name
            while name in names:
                name, i = f"{base} ({i})", i + 1
            names.add(name)
            by_key[group] = conn.execute(
                series.insert().values(name=name, unit=r.unit or None, questionnaire_key=r.questionnaire_key,
                                       created_at=now, created_by="migration").returning(series.c.id)
            ).scalar_one()
        conn.execute(waves.update().where(waves.c.id == r.id)
                     .values(series_id=by_key[group], fieldwork_start=start, fieldwork_end=end))

    with op.batch_alter_table("waves", table_kwargs=keep) as batch:
        batch.alter_column("series_id", existing_type=sa.Integer, nullable=False)
        batch.create_foreign_key("fk_waves_series_id", "series", ["series_id"], ["id"])
    if seq is not None:
        now_seq = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'waves'").scalar()
        conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'waves'")
        conn.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('waves', :s)"),
                     {"s": max(int(seq), int(now_seq or 0))})
    op.create_index("ix_waves_series_id", "waves", ["series_id"])


def downgrade() -> None:
    op.drop_index("ix_waves_series_id", table_name="waves")
    with op.batch_alter_table("waves", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("fk_waves_series_id", type_="foreignkey")
        batch.drop_column("fieldwork_end")
        batch.drop_column("fieldwork_start")
        batch.drop_column("series_id")
    op.drop_table("series")
