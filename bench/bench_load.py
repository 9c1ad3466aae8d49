"""Load speed and storage size of a stored wave (the columnar-blob choice of DESIGN.md, measured).

Usage::

    python bench/bench_load.py [--n 1000000] [--items 30] [--db URL] [--long-sample 100000] [--write]

1. Generates a 问卷星 export (bench/gen_wjx.py) and ingests it into a fresh store (SQLite file in a
   temporary folder unless ``--db``).
2. Times ``store.load_wave`` (first call, then best and median of 5): the whole Dataset back —
   Int8 answers, respondents with datetimes, texts, flags, items, scales.
3. Reports the database size per million responses and what it is made of (answer / respondent /
   text / flag blobs, the zstd-compressed original file).
4. The alternative the design asked to measure: one SQL row per answer (``wave_id, row, item,
   code``) for ``--long-sample`` respondents — insert time, read-back + pivot time and size,
   scaled linearly to the full wave.

``--write`` replaces the "Load" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]


import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from analysis import store  # noqa: E402

try:
    from gen_wjx import make_wjx_text_bytes  # noqa: E402
except ImportError:  # pragma: no cover
    from _gen_fallback import make_wjx_text_bytes  # noqa: E402

MB = 2**20


def blob_sizes(engine, wave_id: int) -> dict[str, int]:
    wd, up = store.wave_data, store.uploads
    cols = ["answers", "respondents", "texts", "flags"]
    with engine.connect() as conn:
        row = conn.execute(sa.select(*[sa.func.length(wd.c[c]) for c in cols]).where(wd.c.wave_id == wave_id)).one()
        upload = conn.execute(sa.select(sa.func.length(up.c.bytes), up.c.size).where(up.c.wave_id == wave_id)).one()
    out = dict(zip(cols, (int(v or 0) for v in row), strict=True))
    out["original file (zstd)"] = int(upload[0])
    out["original file (raw)"] = int(upload[1])
    return out


def db_size(engine) -> int:
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return os.path.getsize(engine.url.database)
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar())


def long_table(ds, folder: str, sample: int) -> dict[str, float]:
    """One row per answer in SQLite: insert, read back and pivot ``sample`` respondents."""
    eng = sa.create_engine(f"sqlite:///{folder}/long.db")
    answers = ds.answers.iloc[:sample]
    long = answers.reset_index(names="row").melt(id_vars="row", var_name="item", value_name="code").dropna()
    long["code"] = long["code"].astype("int64")
    long.insert(0, "wave_id", 1)
    t = time.perf_counter()
    long.to_sql("answers_long", eng, index=False, chunksize=50_000, method=None)
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE INDEX ix_long ON answers_long (wave_id, row)")
    insert_s = time.perf_counter() - t
    t = time.perf_counter()
    back = pd.read_sql("SELECT row, item, code FROM answers_long WHERE wave_id = 1", eng)
    wide = back.pivot(index="row", columns="item", values="code").astype("Int8")
    read_s = time.perf_counter() - t
    assert len(wide) <= sample
    with eng.connect() as conn:
        conn.exec_driver_sql("VACUUM")
    size = os.path.getsize(f"{folder}/long.db")
    eng.dispose()
    return {"rows": len(long), "insert_s": insert_s, "read_s": read_s, "size": size}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--db", help="store URL (default: a fresh SQLite file)")
    ap.add_argument("--long-sample", type=int, default=100_000, help="respondents for the one-row-per-answer test (0 = skip)")
    ap.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        engine = store.get_engine(args.db or f"sqlite:///{folder}/load.db")
        empty = db_size(engine)
        data = make_wjx_text_bytes(args.n, n_items=args.items, seed=1)
        t = time.perf_counter()
        res = store.ingest_file(engine, data, "bench_load.csv", user="bench")
        ingest_s = time.perf_counter() - t
        print(f"ingested {res.n_responses:,} responses in {ingest_s:.1f} s", flush=True)
        t = time.perf_counter()
        ds = store.load_wave(engine, res.wave_id)
        first = time.perf_counter() - t
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            ds = store.load_wave(engine, res.wave_id)
            runs.append(time.perf_counter() - t)
        assert ds.n == args.n and ds.answers.shape == (args.n, args.items)
        assert all(str(d) == "Int8" for d in ds.answers.dtypes)
        sizes = blob_sizes(engine, res.wave_id)
        total = db_size(engine) - empty
        per_m = total / args.n * 1_000_000
        print(f"load_wave: first {first:.3f} s, best {min(runs):.3f} s, median {statistics.median(runs):.3f} s")
        print(f"database growth {total / MB:.1f} MB = {per_m / MB:.1f} MB per million responses; "
              + ", ".join(f"{k} {v / MB:.1f} MB" for k, v in sizes.items()))
        lt = long_table(ds, folder, args.long_sample) if args.long_sample else None
        if lt:
            scale = args.n / min(args.long_sample, args.n)
            print(f"one row per answer ({lt['rows']:,} rows for {args.long_sample:,} respondents): insert "
                  f"{lt['insert_s']:.1f} s, read+pivot {lt['read_s']:.2f} s, {lt['size'] / MB:.1f} MB; scaled to "
                  f"{args.n:,}: read {lt['read_s'] * scale:.1f} s, {lt['size'] * scale / MB:.0f} MB")
        store.close_engine(engine)
    if args.write:
        from _results import stamp, write_section

        backend = "SQLite file" if not args.db else args.db.split("@")[-1]
        lines = [
            stamp(),
            f"Store: {backend}. Wave: {args.n:,} responses × {args.items} Likert items + 8 respondent/text columns "
            f"(bench/gen_wjx.py, seed 1); ingest took {ingest_s:.1f} s.",
            "",
            "| measure | value |",
            "|---|---:|",
            f"| load_wave, first call | {first:.3f} s |",
            f"| load_wave, best of 5 | {min(runs):.3f} s |",
            f"| load_wave, median of 5 | {statistics.median(runs):.3f} s |",
            f"| database growth for this wave | {total / MB:.1f} MB |",
            f"| **per million responses** | **{per_m / MB:.1f} MB** |",
        ]
        lines += [f"| · {k} | {v / MB:.1f} MB |" for k, v in sizes.items()]
        if lt:
            scale = args.n / min(args.long_sample, args.n)
            lines += [
                "",
                f"Alternative measured (DESIGN.md asks): one SQL row per answer, SQLite, {args.long_sample:,} "
                f"respondents = {lt['rows']:,} rows, with an index on (wave_id, row):",
                "",
                "| one row per answer | sample | scaled to the full wave |",
                "|---|---:|---:|",
                f"| insert | {lt['insert_s']:.1f} s | {lt['insert_s'] * scale:.0f} s |",
                f"| read back + pivot to Int8 | {lt['read_s']:.2f} s | {lt['read_s'] * scale:.1f} s |",
                f"| size (answers only) | {lt['size'] / MB:.1f} MB | {lt['size'] * scale / MB:.0f} MB |",
                "",
                f"Columnar blob (Arrow IPC, zstd) for the same answers: {sizes['answers'] / MB:.1f} MB, loaded with everything "
                f"else in {min(runs):.2f} s — kept as the storage form.",
            ]
        write_section("bench_load", "Load and storage size (bench/bench_load.py)", "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":

    sys.exit(main())
