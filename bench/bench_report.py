"""Time to build each report format for a large wave (the meeting pack, issue 15).

Usage::

    python bench/bench_report.py [--n 100000] [--items 30] [--waves 2] [--repeat 3] [--write]

1. Generates ``--waves`` 问卷星 exports of ``--n`` responses (bench/gen_wjx.py), ingests them into a
   fresh SQLite store as one series (same unit, consecutive periods).
2. Times ``report_from_store`` (the model: every figure, the trend, the breakdowns, provenance) and
   then ``render(report, fmt)`` for xlsx, pptx, html and pdf — best and median of ``--repeat`` —
   plus the end-to-end time a click costs (model + format), which is what the targets apply to:
   ≤ 3 s per format, PDF ≤ 8 s (issue 15).

``--write`` replaces the "Reports" section of bench/RESULTS.md.
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

from _results import stamp, write_section  # noqa: E402
from gen_wjx import make_wjx_text_bytes  # noqa: E402

from analysis import store  # noqa: E402
from analysis.report import render, report_from_store  # noqa: E402

TARGETS = {"xlsx": 3.0, "pptx": 3.0, "html": 3.0, "pdf": 8.0}


def _time(fn, repeat: int) -> tuple[float, float, float, object]:
    """Best and median wall time, median CPU time of this process (less sensitive to a busy machine)."""
    times, cpu, out = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(times), statistics.median(times), statistics.median(cpu), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--waves", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        engine = store.get_engine(f"sqlite:///{tmp}/bench.db")
        name = ""
        for i in range(args.waves):
            data = make_wjx_text_bytes(args.n, n_items=args.items, seed=i)
            name = f"{2024 + i}年后勤满意度测评"
            store.ingest_file(engine, data, f"wave{i}.csv", wave=name,
                              meta={"unit": "后勤处", "period": f"{2024 + i}-10"}, user="bench")
        report_from_store(engine, name)  # warm-up: imports, first load
        m_best, m_med, m_cpu, report = _time(lambda: report_from_store(engine, name), args.repeat)
        rows = []
        for fmt, target in TARGETS.items():
            render(report, fmt)  # warm-up (imports: weasyprint ≈ 1.5 s once per process)
            best, med, cpu, data = _time(lambda fmt=fmt: render(report, fmt), args.repeat)
            total = m_med + med
            rows.append((fmt, best, med, cpu, total, m_cpu + cpu, len(data), target,
                         "met" if total <= target else "NOT met"))
            print(f"{fmt:5s} render best {best:.2f} s median {med:.2f} s; with the model {total:.2f} s "
                  f"(target {target:g} s) size {len(data) / 2**20:.1f} MB", flush=True)
        store.close_engine(engine)

    print(f"model best {m_best:.2f} s median {m_med:.2f} s")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    table = ["| format | render best s | render median s | render CPU s | model + render s | model + render CPU s | size "
             "| target s | verdict (wall) |", "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    table += [f"| {f} | {b:.2f} | {m:.2f} | {c:.2f} | {t:.2f} | {tc:.2f} | {s / 2**20:.1f} MB | {tg:g} | {v} |"
              for f, b, m, c, t, tc, s, tg, v in rows]
    body = (
        f"{stamp()}\n\n"
        f"{args.waves} stored waves of {args.n:,} responses × {args.items} items (one series); the report of the "
        f"newest. The model (`report_from_store`: loading both waves, every summary, the trend, the group breakdowns "
        f"with suppression, provenance) takes best {m_best:.2f} s / median {m_med:.2f} s (CPU {m_cpu:.2f} s) and is "
        f"shared by all formats; a click in the menu costs model + render. Warm process (imports done). Load average "
        f"at the end of the run: {load:.1f} on {os.cpu_count()} cores.\n\n" + "\n".join(table) + "\n"
    )
    if args.write:
        write_section("reports", "Reports (bench/bench_report.py)", body)
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
