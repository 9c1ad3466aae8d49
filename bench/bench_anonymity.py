"""Anonymity (issue 10): what protecting every breakdown jointly with the ones before it costs a page.

A wave's breakdowns are protected in a fixed order (身份, then the attributes in file order), each
jointly with every one before it, so the breakdown by the last attribute needs all of them. The
comparison page asks for three figures per breakdown (``group_summary`` by item, ``group_tests``,
``area_group_tests``), each cached on its own by the page's loader.

For the two demo waves with small groups (2020, 2021) and each breakdown in order, CPU seconds of this
process for the comparison page's three figures:

* **reference** — ``anonymity.MEMO_SIZE = 0``: every ``protect`` computed (what the page would cost
  without the memo);
* **cold** — the memo cleared before the breakdown: one breakdown opened first;
* **stepping** — the memo kept: a viewer going through the breakdowns in the selector's order.

The baseline in the same run is the 身份 breakdown (protected on its own, unchanged by the chain);
``--against DIR`` also times another checkout (e.g. ``git worktree add DIR <commit>``: the code before
the chain, where each attribute was linked to 身份 only) in a child process on the same database.

    python bench/bench_anonymity.py                       # print
    python bench/bench_anonymity.py --against /tmp/old    # with the other checkout's column
    python bench/bench_anonymity.py --write               # also update this section of bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def page(ds, by: str) -> None:
    from analysis.compare import area_group_tests, group_tests
    from analysis.metrics import group_summary

    group_summary(ds, by, level="item", min_n=5)
    group_tests(ds, by, min_n=5)
    area_group_tests(ds, by, min_n=5)


def cpu(fn, *args) -> float:
    t0 = time.process_time()
    fn(*args)
    return time.process_time() - t0


_OTHER = """
import json, sys, time
from analysis import store
from analysis.compare import area_group_tests, group_tests
from analysis.metrics import group_summary
eng = store.get_engine(sys.argv[1])
waves = store.list_waves(eng).set_index("period")
out = {}
for period in sys.argv[2].split(","):
    ds = store.load_wave(eng, int(waves.at[period, "id"]))
    for by in ["group", *[a for a in ds.attributes if a in ds.respondents.columns]]:
        runs = []
        for _ in range(int(sys.argv[3])):
            t0 = time.process_time()
            group_summary(ds, by, level="item", min_n=5)
            group_tests(ds, by, min_n=5)
            area_group_tests(ds, by, min_n=5)
            runs.append(time.process_time() - t0)
        out[period + "|" + by] = sorted(runs)[len(runs) // 2]
print(json.dumps(out))
"""


def other_checkout(path: str, url: str, periods: list[str], repeat: int) -> dict:
    """The comparison page's three figures timed with another checkout's code (a child process)."""
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run([sys.executable, "-c", _OTHER, url, ",".join(periods), str(repeat)], cwd=path, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from analysis import anonymity, store
    from analysis.metrics import breakdown_order

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported")
    ap.add_argument("--against", help="another checkout to time in the same run (the code before the chain)")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/demo.db"
    eng = store.get_engine(url)
    store.ensure_demo(eng)
    waves = store.list_waves(eng).set_index("period")
    periods = ["2020-10", "2021-10"]
    before = other_checkout(args.against, url, periods, args.repeat) if args.against else {}
    lines = ["| wave | breakdown | before s | reference s | cold s | stepping s | cold ÷ 身份 cold |",
             "|---|---|---:|---:|---:|---:|---:|"]
    size = anonymity.MEMO_SIZE
    for period in periods:
        ds = store.load_wave(eng, int(waves.at[period, "id"]))
        last = [a for a in ds.attributes if a in ds.respondents.columns][-1]
        order = breakdown_order(ds, last)
        ref, cold, step = {}, {}, {}
        for _ in range(args.repeat):
            for by in order:
                anonymity.MEMO_SIZE = 0
                ref.setdefault(by, []).append(cpu(page, ds, by))
                anonymity.MEMO_SIZE = size
                anonymity.clear_memo()
                cold.setdefault(by, []).append(cpu(page, ds, by))
            anonymity.clear_memo()
            for by in order:
                step.setdefault(by, []).append(cpu(page, ds, by))
        base = statistics.median(cold["group"])
        for by in order:
            r, c, s = (statistics.median(x[by]) for x in (ref, cold, step))
            name = "身份" if by == "group" else by
            old = before.get(f"{period}|{by}")
            row = f"| {period} | {name} | {'—' if old is None else f'{old:.2f}'} | {r:.2f} | {c:.2f} | {s:.2f} | {c / base:.1f}× |"
            print(row, flush=True)
            lines.append(row)
    if args.write:
        from _results import stamp, write_section

        body = "\n".join([
            stamp(),
            f"CPU seconds for the comparison page's three figures (median of {args.repeat}); before: "
            + (f"the checkout {args.against} (each attribute linked to 身份 only, no memo)" if args.against else "not run")
            + "; reference: this code without the memo; cold: memo cleared first; stepping: the breakdowns "
            "opened in order.",
            "", *lines,
        ])
        write_section("bench_anonymity", "Anonymity: cost of the joint protection (bench/bench_anonymity.py)", body + "\n")


if __name__ == "__main__":
    main()
