"""Ingest speed: ``store.ingest_file`` time ÷ ``pyarrow.csv.read_csv`` time on the same file.

Usage::

    python bench/bench_ingest.py [--sizes 10000 100000 1000000] [--items 30] [--db URL] [--write]

For each size a 问卷星 按选项文本 export is generated (bench/gen_wjx.py, UTF-8 with BOM), read once
by ``pyarrow.csv.read_csv`` (best of 3; the floor: parsing the bytes into columns, nothing else),
then ingested into a fresh store (SQLite file in a temporary folder unless ``--db``): read →
detect layout → codebook → codes → screening → Parquet blobs → one write transaction. The ratio
``ingest / arrow`` is the figure with a budget (≤ 3 at 100k and 1M). ``parse`` and ``write`` split
the ingest time (parse = everything before the transaction).

``--write`` replaces the "Ingest" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import pyarrow.csv as pacsv  # noqa: E402

from analysis import store  # noqa: E402

try:
    from gen_wjx import make_wjx_text_bytes  # noqa: E402
except ImportError:  # pragma: no cover - the generator ships with the repo
    from _gen_fallback import make_wjx_text_bytes  # noqa: E402

BUDGET = 3.0


def arrow_seconds(data: bytes, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        pacsv.read_csv(io.BytesIO(data))
        best = min(best, time.perf_counter() - t)
    return best


def ingest_seconds(data: bytes, url: str | None, folder: str, tag: str) -> tuple[float, float, float, int]:
    """(total, parse, write, n_responses) for one ingest into a fresh store."""
    engine = store.get_engine(url or f"sqlite:///{folder}/ingest_{tag}.db")
    original = store._prepare
    spent = {}

    def timed_prepare(*a, **k):
        t = time.perf_counter()
        out = original(*a, **k)
        spent["parse"] = time.perf_counter() - t
        return out

    store._prepare = timed_prepare
    try:
        t = time.perf_counter()
        res = store.ingest_file(engine, data, f"wjx_{tag}.csv", user="bench")
        total = time.perf_counter() - t
    finally:
        store._prepare = original
    if url:  # shared database: leave it as it was
        store.purge_wave(engine, res.wave_id, user="bench")
    store.close_engine(engine)
    return total, spent["parse"], total - spent["parse"], res.n_responses


def stage_seconds(data: bytes) -> list[tuple[str, float]]:
    """Where the parse time goes: each pipeline step timed on its own (one run)."""
    from analysis import quality
    from analysis.codebook import apply_codebook, suggest_codebook
    from analysis.ingest import detect_format, read_table

    out = []
    t = time.perf_counter()
    raw = read_table(data, "stages.csv")
    out.append(("readers.read_table", time.perf_counter() - t))
    t = time.perf_counter()
    adapter = detect_format(raw)
    out.append(("ingest.detect_format", time.perf_counter() - t))
    t = time.perf_counter()
    survey = adapter.parse(raw)
    out.append((f"adapter {adapter.key} parse", time.perf_counter() - t))
    t = time.perf_counter()
    cb = suggest_codebook(survey)
    out.append(("codebook.suggest_codebook", time.perf_counter() - t))
    t = time.perf_counter()
    ds = apply_codebook(survey, cb)  # suggests again inside (_complete), as the store's path does
    out.append(("codebook.apply_codebook", time.perf_counter() - t))
    t = time.perf_counter()
    quality.screen(ds)
    out.append(("quality.screen", time.perf_counter() - t))
    t = time.perf_counter()
    store.dataset_to_blobs(ds)
    out.append(("store.dataset_to_blobs", time.perf_counter() - t))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--db", help="store URL (default: a fresh SQLite file per size)")
    ap.add_argument("--repeat", type=int, default=2, help="ingest runs per size below 1M (best is kept)")
    ap.add_argument("--stages", type=int, default=100_000, help="size for the per-step breakdown (0 = skip)")
    ap.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = ap.parse_args(argv)
    rows = []
    stages = []
    if args.stages:
        sdata = make_wjx_text_bytes(args.stages, n_items=args.items, seed=0)
        stages = [("pyarrow.csv.read_csv (reference)", arrow_seconds(sdata))] + stage_seconds(sdata)
        for name, sec in stages:
            print(f"  {args.stages:,} rows  {name:<36} {sec:7.3f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        for n in args.sizes:
            data = make_wjx_text_bytes(n, n_items=args.items, seed=0)
            load = os.getloadavg()[0]  # other work on the machine skews every figure: record it
            a = arrow_seconds(data, 3 if n < 1_000_000 else 2)
            runs = [ingest_seconds(data, args.db, folder, f"{n}_{i}") for i in range(args.repeat if n < 1_000_000 else 1)]
            total, parse, write, n_resp = min(runs)
            assert n_resp == n, (n_resp, n)
            ratio = total / a
            rows.append((n, len(data) / 2**20, a, total, parse, write, ratio, load))
            print(f"{n:>9,} rows  {len(data) / 2**20:7.1f} MB  arrow {a:6.3f} s  ingest {total:7.3f} s "
                  f"(parse {parse:.3f} + write {write:.3f})  ratio {ratio:5.2f}  load {load:.2f}", flush=True)
    if args.write:
        from _results import stamp, write_section

        lines = [
            stamp(),
            f"Store: {'SQLite file (fresh per size)' if not args.db else args.db.split('@')[-1]}; "
            f"{args.items} Likert items + 8 other columns, 问卷星 text layout from bench/gen_wjx.py.",
            "",
            "| responses | file MB | pyarrow read_csv s | ingest s | parse s | write s | ingest ÷ arrow | budget ≤ 3 "
            "| load avg (1 min) at start |",
            "|---:|---:|---:|---:|---:|---:|---:|:--:|---:|",
        ]
        for n, mb, a, total, parse, write, ratio, load in rows:
            ok = "—" if n < 100_000 else ("yes" if ratio <= BUDGET else "**no**")
            lines.append(f"| {n:,} | {mb:.1f} | {a:.3f} | {total:.2f} | {parse:.2f} | {write:.2f} | {ratio:.1f} | {ok} "
                         f"| {load:.2f} |")
        if stages:
            lines += ["", f"Where the time goes at {args.stages:,} rows (each step alone, one run; the store's "
                      "ingest = these steps with suggest_codebook once, plus the write transaction):", "",
                      "| step | s | × arrow |", "|---|---:|---:|"]
            ref = stages[0][1]
            lines += [f"| {name} | {sec:.3f} | {sec / ref:.1f} |" for name, sec in stages]
        write_section("bench_ingest", "Ingest (bench/bench_ingest.py)", "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
