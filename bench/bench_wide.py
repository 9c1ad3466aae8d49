"""Wide files (issue 10, finding 7): CPU seconds of ``python -m analysis summary`` steps by width.

Generates a generic CSV of 100 respondents × m five-point items for several m, then times
``read_table``, ``load_dataset`` (parse + codebook) and ``summary_dict`` separately (process CPU time,
so a loaded machine distorts less). Linear work shows as a constant seconds-per-1,000-columns.

    python bench/bench_wide.py            # print
    python bench/bench_wide.py --write    # also update this section of bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
LABELS = ["非常满意", "满意", "一般", "不满意", "非常不满意"]


def wide_csv(m: int, n: int = 100, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    rows = ["序号," + ",".join(f"{i}、题目{i}" for i in range(1, m + 1))]
    rows += [f"{r + 1}," + ",".join(rng.choice(LABELS) for _ in range(m)) for r in range(n)]
    return ("\n".join(rows) + "\n").encode("utf-8")


def main() -> None:
    from analysis.__main__ import summary_dict
    from analysis.codebook import load_dataset
    from analysis.ingest import read_table

    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", default="500,1000,2000,4000")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    lines = ["| columns | read_table CPU s | load_dataset CPU s | summary_dict CPU s | summary s / 1,000 columns |",
             "|---:|---:|---:|---:|---:|"]
    for m in (int(x) for x in args.widths.split(",")):
        data = wide_csv(m)
        t0 = time.process_time()
        read_table(data, "wide.csv")
        t1 = time.process_time()
        ds = load_dataset(data, "wide.csv")
        t2 = time.process_time()
        summary_dict(ds)
        t3 = time.process_time()
        row = f"| {m:,} | {t1 - t0:.2f} | {t2 - t1:.2f} | {t3 - t2:.2f} | {(t3 - t2) / m * 1000:.2f} |"
        print(row, flush=True)
        lines.append(row)
    if args.write:
        from _results import stamp, write_section

        body = "\n".join([stamp(), "100 respondents × m five-point items, generic layout; CPU seconds of this process.",
                          "", *lines,
                          "", "Files wider than `readers.MAX_COLUMNS` (5,000) are refused with a message."])
        write_section("bench_wide", "Wide files (bench/bench_wide.py)", body + "\n")


if __name__ == "__main__":
    main()
