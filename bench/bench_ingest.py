"""Ingest speed: ``store.ingest_file`` time ÷ ``pyarrow.csv.read_csv`` time on the same file.

Usage::

    python bench/bench_ingest.py [--sizes 10000 100000 1000000] [--items 30] [--repeat 3] [--db URL]
                                 [--floor 100000 1000000] [--no-page] [--write]
    python bench/bench_ingest.py --open-col [--sizes 10000 30000 100000] [--repeat 5] [--db URL]

For each size a 问卷星 按选项文本 export is generated (bench/gen_wjx.py, UTF-8 with BOM). Each of
``--repeat`` rounds reads it with ``pyarrow.csv.read_csv`` (best of 2 right before; the floor:
parsing the bytes into columns, nothing else) and then ingests it into a fresh store (SQLite file in a
temporary folder unless ``--db``): read → detect layout → codebook → codes → screening → blobs →
one write transaction. Each round's ratio ``ingest / arrow`` pairs an ingest with the baseline taken
moments before it, so drifting load on this shared machine moves both; the **median** of the rounds
is the figure, and the spread is reported beside it. There is no ratio budget any more (the ≤ 3×
budget was retired with issue 11); the script is a regression guard: a change to ingest may not make
the 1M ratio worse than the previous code's by more than 15 %, measured in the same session. ``parse``
and ``write`` split the ingest time (parse = everything before the transaction, including the wait
for the blobs encoded on the background thread); ``cpu`` is the process CPU time of the ingest
(all threads), which shows the work done independently of how well it overlapped.

``--floor`` sizes also get the *floor*: the CPU time of the work any ingest of the file must do
(the read, the sha256, the zstd copy of the original, hashing the Likert columns once), each alone,
spread over the cores and divided by the read's wall time — the lowest ratio the machine allows
before everything else is counted.

Each size also gets the *data-page save* (skip with ``--no-page``): the data page has parsed, coded
and screened the file for its validation report before the manager saves, and passes that dataset
to ``ingest_file`` as a prepared wave, so saving is the sha256, the zstd copy, the blobs and the transaction.

``--write`` replaces the "Ingest" section of bench/RESULTS.md.

``--open-col`` measures instead what the open answers cost: each size is generated with and without
one open question (``gen_wjx.make_wjx_text_bytes(open_col=True)``: about 40 % say nothing, the rest
repeat a lot; every other cell identical), and the two files are ingested in alternating rounds into
fresh stores. Each ingest is split into *parse* (``prepare_wave``), *records analysis* (the open
answers collected, masked and analysed, outside the write transaction: ``store.feedback._wave_records``),
*records insert* (inside it: ``store.feedback._store_wave_records``) and the rest (hashing and
compressing the file, blobs, the transaction), each as wall and CPU time: the parts count the
ingesting thread's CPU (``time.thread_time``), the total the whole process's (``time.process_time``:
also the background threads hashing, compressing and encoding), so *rest* includes that work.
The rjieba segmenter with the lexicon's words is built once per process before the rounds (its
CPU time is printed). Every figure printed is the median of that figure over the rounds, with the
ratio with ÷ without, as a Markdown table for the hand-written subsection of bench/RESULTS.md (this
mode does not write the file). The data-page save of both files (a prepared wave given to
``ingest_file``) is timed too, as the page saves today and with the open answers analysed beforehand
(``records=``: what the page could do while it shows its validation report).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
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



def arrow_seconds(data: bytes, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        pacsv.read_csv(io.BytesIO(data))
        best = min(best, time.perf_counter() - t)
    return best


def settle() -> None:
    """Let the previous round's leftovers finish before the next round is timed.

    Each round ingests into a fresh SQLite file; the previous one's background WAL checkpoint and
    its ~150 MB of dirty pages would otherwise still be in flight, and the next commit's fsync can
    wait for the file system to flush them (single 1M rounds showed a 0.9 s "write" against the
    usual 0.3 s). The timed ingest still writes and syncs its own data.
    """
    import threading

    for t in threading.enumerate():
        if t.name == "sqlite-checkpoint":
            t.join()
    os.sync()


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def ingest_seconds(data: bytes, url: str | None, folder: str, tag: str) -> tuple[float, float, float, float, int]:
    """(total, parse, write, cpu, n_responses) for one ingest into a fresh store."""
    engine = store.get_engine(url or f"sqlite:///{folder}/ingest_{tag}.db")
    original = store.ingest.prepare_wave
    spent = {}

    def timed_prepare(*a, **k):
        t = time.perf_counter()
        out = original(*a, **k)
        spent["parse"] = time.perf_counter() - t
        return out

    store.ingest.prepare_wave = timed_prepare
    try:
        c = _cpu()
        t = time.perf_counter()
        res = store.ingest_file(engine, data, f"wjx_{tag}.csv", user="bench")
        total = time.perf_counter() - t
        cpu = _cpu() - c
    finally:
        store.ingest.prepare_wave = original
    if url:  # shared database: leave it as it was
        store.purge_wave(engine, res.wave_id, user="bench")
    store.close_engine(engine)
    return total, spent["parse"], total - spent["parse"], cpu, res.n_responses


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
    ds = apply_codebook(survey, cb)
    out.append(("codebook.apply_codebook", time.perf_counter() - t))
    t = time.perf_counter()
    quality.screen(ds)
    out.append(("quality.screen", time.perf_counter() - t))
    t = time.perf_counter()
    store.dataset_to_blobs(ds)
    out.append(("store.dataset_to_blobs", time.perf_counter() - t))
    return out


def page_save_seconds(data: bytes, folder: str, n: int, repeat: int = 3) -> float:
    """Median time of saving from the data page: ``ingest_file`` of the wave it prepared and validated."""
    from analysis.codebook import suggest_codebook
    from analysis.ingest import parse_survey
    from analysis.prepare import prepare_wave

    survey = parse_survey(data, "page.csv")
    prepared = prepare_wave(data, "page.csv", suggest_codebook(survey), survey=survey)
    times = []
    for i in range(repeat):
        settle()
        engine = store.get_engine(f"sqlite:///{folder}/page_{n}_{i}.db")
        t = time.perf_counter()
        store.ingest_file(engine, prepared, user="bench")
        times.append(time.perf_counter() - t)
        store.close_engine(engine)
    return statistics.median(times)


def floor_seconds(data: bytes) -> list[tuple[str, float, float]]:
    """(step, wall s, CPU s) of the work any ingest of this file must do, each alone (best of 3).

    The read itself, the sha256 that identifies the file, the zstd copy of the original that
    ``uploads.bytes`` keeps, and hashing each Likert column once (Arrow's dictionary encoding: the
    least any coding of text answers can do). Their CPU time over the machine's cores, divided by
    the read's wall time, is the lowest ratio this machine allows before any other step
    (codebook, respondents, screening, blobs, transaction) is counted.
    """
    import hashlib

    import pyarrow as pa

    def best(fn):
        out = (float("inf"), float("inf"))
        for _ in range(3):
            c, t = _cpu(), time.perf_counter()
            fn()
            out = min(out, (time.perf_counter() - t, _cpu() - c))
        return out

    table = pacsv.read_csv(io.BytesIO(data))
    items = [c for c in table.column_names if c.startswith("第")]
    codec = pa.Codec("zstd", compression_level=3)
    steps = [
        ("pyarrow.csv.read_csv", lambda: pacsv.read_csv(io.BytesIO(data))),
        ("sha256 of the file", lambda: hashlib.sha256(data).hexdigest()),
        ("zstd copy of the file (level 3)", lambda: codec.compress(data, asbytes=True)),
        (f"hash {len(items)} item columns (dictionary_encode)", lambda: [table.column(c).dictionary_encode() for c in items]),
    ]
    return [(name, *best(fn)) for name, fn in steps]


_OPEN_PARTS = ("parse", "records analysis", "records insert")


def open_col_round(data: bytes, url: str | None, folder: str, tag: str) -> dict[str, tuple[float, float]]:
    """One ingest into a fresh store: ``{part: (wall s, CPU s)}`` for the parts, ``total`` and ``rest``."""
    from analysis.store import feedback as sfb
    from analysis.store import ingest as sing

    spent = {k: [0.0, 0.0] for k in _OPEN_PARTS}
    patched = [(sing, "prepare_wave", "parse"), (sfb, "_wave_records", "records analysis"),
               (sing, "_store_wave_records", "records insert")]
    patched = [(mod, name, key) for mod, name, key in patched if hasattr(mod, name)]  # older code: fewer parts
    originals = [(mod, name, getattr(mod, name)) for mod, name, _ in patched]

    def timed(fn, key):
        def run(*a, **k):
            t, c = time.perf_counter(), time.thread_time()
            try:
                return fn(*a, **k)
            finally:
                spent[key][0] += time.perf_counter() - t
                spent[key][1] += time.thread_time() - c
        return run

    engine = store.get_engine(url or f"sqlite:///{folder}/open_{tag}.db")
    for mod, name, key in patched:
        setattr(mod, name, timed(getattr(mod, name), key))
    try:
        c, t = time.process_time(), time.perf_counter()
        res = store.ingest_file(engine, data, f"wjx_{tag}.csv", user="bench")
        total = (time.perf_counter() - t, time.process_time() - c)
    finally:
        for mod, name, fn in originals:
            setattr(mod, name, fn)
    if url:
        store.purge_wave(engine, res.wave_id, user="bench")
    store.close_engine(engine)
    out = {k: (v[0], v[1]) for k, v in spent.items()}
    out["total"] = total
    out["rest"] = (total[0] - sum(v[0] for v in spent.values()), total[1] - sum(v[1] for v in spent.values()))
    return out


def page_save_costs(data: bytes, folder: str, tag: str, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall s, CPU s) of saving a prepared wave from the data page: as the page saves today,
    and with its open answers analysed beforehand (``ingest_file(…, records=wave_records(…))``)."""
    import inspect

    from analysis.prepare import prepare_wave
    from analysis.store import feedback as sfb

    prepared = prepare_wave(data, "page.csv")
    out = []
    for ahead in (False, True):
        if ahead and "records" not in inspect.signature(store.ingest_file).parameters:  # older code
            out.append((float("nan"), float("nan")))
            continue
        runs = []
        for i in range(repeat):
            settle()
            engine = store.get_engine(f"sqlite:///{folder}/page_{tag}_{int(ahead)}_{i}.db")
            kw = {"records": sfb.wave_records(engine, prepared.dataset)} if ahead else {}
            c, t = time.process_time(), time.perf_counter()
            store.ingest_file(engine, prepared, user="bench", **kw)
            runs.append((time.perf_counter() - t, time.process_time() - c))
            store.close_engine(engine)
        out.append(tuple(statistics.median(r[k] for r in runs) for k in (0, 1)))
    return out[0], out[1]


def open_col_main(args) -> int:
    import importlib

    from gen_wjx import open_answers

    from analysis.text import is_no_opinion, shipped_lexicon

    text_analyse = importlib.import_module("analysis.text.analyse")  # the module (the package exports a function of that name)

    text_analyse._SEGMENTERS.clear()
    c = time.process_time()
    text_analyse._segmenter(shipped_lexicon())  # once per process and lexicon; not in the rounds below
    print(f"segmenter with the lexicon's words, built once per process: CPU {time.process_time() - c:.3f} s", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-open-") as folder:
        for n in args.sizes:
            answers = open_answers(n, 0).to_pylist()
            n_records = sum(1 for a in answers if a != "(空)" and not is_no_opinion(a))
            n_distinct = len({a for a in answers if a != "(空)" and not is_no_opinion(a)})
            files = {False: make_wjx_text_bytes(n, n_items=args.items, seed=0),
                     True: make_wjx_text_bytes(n, n_items=args.items, seed=0, open_col=True)}
            load = os.getloadavg()[0]
            runs = {False: [], True: []}
            for i in range(args.repeat):
                for with_open in (False, True):
                    settle()
                    r = open_col_round(files[with_open], args.db, folder, f"{n}_{i}_{int(with_open)}")
                    runs[with_open].append(r)
                    print(f"{n:>9,} rows  open={with_open!s:5}  round {i + 1}: total {r['total'][0]:.3f} s "
                          f"(CPU {r['total'][1]:.3f})  " + "  ".join(f"{k} {v[1]:.3f}" for k, v in r.items()
                                                                   if k in _OPEN_PARTS), flush=True)
            med = {k: {part: tuple(statistics.median(r[part][i] for r in v) for i in (0, 1)) for part in v[0]}
                   for k, v in runs.items()}  # each figure the median over the rounds
            pages = {k: page_save_costs(files[k], folder, f"{n}_{int(k)}", args.repeat) for k in (False, True)}
            for k, (now, ahead) in pages.items():
                print(f"{n:>9,} rows  open={k!s:5}  data-page save: wall {now[0]:.3f} s CPU {now[1]:.3f} s; "
                      f"records analysed beforehand: wall {ahead[0]:.3f} s CPU {ahead[1]:.3f} s", flush=True)
            rows.append((n, n_records, n_distinct, med[False], med[True], load, pages))
    print()
    print("| responses | open column | records (distinct texts) | wall s | CPU s | parse CPU s | records analysis CPU s "
          "| records insert CPU s | rest CPU s | with ÷ without: CPU | wall | load |")
    print("|---:|:--|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, n_rec, n_dis, a, b, load, _ in rows:
        for label, m, recs in (("without", a, "—"), ("with", b, f"{n_rec:,} ({n_dis:,})")):
            ratio = (f"**{b['total'][1] / a['total'][1]:.2f}** | {b['total'][0] / a['total'][0]:.2f}"
                     if m is b else " | ")
            print(f"| {n:,} | {label} | {recs} | {m['total'][0]:.2f} | {m['total'][1]:.2f} | {m['parse'][1]:.2f} "
                  f"| {m['records analysis'][1]:.2f} | {m['records insert'][1]:.2f} | {m['rest'][1]:.2f} | {ratio} "
                  f"| {load:.2f} |")
    print()
    print("| responses | data-page save without: wall s | CPU s | with: wall s | CPU s | with, records analysed "
          "beforehand: wall s | CPU s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n, *_, pages in rows:
        (a, _), (b, b_ahead) = pages[False], pages[True]
        print(f"| {n:,} | {a[0]:.3f} | {a[1]:.3f} | {b[0]:.3f} | {b[1]:.3f} | {b_ahead[0]:.3f} | {b_ahead[1]:.3f} |")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--db", help="store URL (default: a fresh SQLite file per size)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds (baseline + ingest) per size; the median is reported")
    ap.add_argument("--stages", type=int, default=100_000, help="size for the per-step breakdown (0 = skip)")
    ap.add_argument("--floor", type=int, nargs="*", default=[100_000, 1_000_000],
                    help="sizes for the required-work floor (read, sha256, zstd copy, hashing the items)")
    ap.add_argument("--no-page", dest="page", action="store_false",
                    help="skip the data-page save (ingest given the already validated dataset)")
    ap.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    ap.add_argument("--open-col", action="store_true",
                    help="ingest with vs without one open question (records analysis and insert split out)")
    args = ap.parse_args(argv)
    if args.open_col:
        return open_col_main(args)
    rows = []
    stages = []
    floors = []
    for n in args.floor:
        fdata = make_wjx_text_bytes(n, n_items=args.items, seed=0)
        steps = floor_seconds(fdata)
        cpu = sum(c for _, _, c in steps)
        floors.append((n, steps, cpu, cpu / (os.cpu_count() or 1) / steps[0][1]))
        for name, wall, c in steps:
            print(f"  {n:,} rows  floor  {name:<44} wall {wall:6.3f} s  cpu {c:6.3f} s", flush=True)
        print(f"  {n:,} rows  floor  ratio if only this work ran, spread over {os.cpu_count()} cores: "
              f"{floors[-1][3]:.2f}", flush=True)
    if args.stages:
        sdata = make_wjx_text_bytes(args.stages, n_items=args.items, seed=0)
        stages = [("pyarrow.csv.read_csv (reference)", arrow_seconds(sdata))] + stage_seconds(sdata)
        for name, sec in stages:
            print(f"  {args.stages:,} rows  {name:<36} {sec:7.3f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        for n in args.sizes:
            data = make_wjx_text_bytes(n, n_items=args.items, seed=0)
            load = os.getloadavg()[0]  # other work on the machine skews every figure: record it
            runs = []
            for i in range(args.repeat):
                settle()
                a = arrow_seconds(data, 2)
                total, parse, write, cpu, n_resp = ingest_seconds(data, args.db, folder, f"{n}_{i}")
                assert n_resp == n, (n_resp, n)
                runs.append((total / a, a, total, parse, write, cpu))
                print(f"{n:>9,} rows  round {i + 1}: arrow {a:6.3f} s  ingest {total:7.3f} s (parse {parse:.3f} + "
                      f"write {write:.3f}, cpu {cpu:.2f} s)  ratio {total / a:5.2f}", flush=True)
            page = page_save_seconds(data, folder, n) if args.page else None
            if page is not None:
                print(f"{n:>9,} rows  data-page save (file already parsed for its validation report): "
                      f"{page:.3f} s = {page / statistics.median(r[1] for r in runs):.2f} x arrow", flush=True)
            ratios = sorted(r[0] for r in runs)
            med = statistics.median_low(ratios)  # an actual round, so its row below is consistent
            _, a, total, parse, write, cpu = next(r for r in runs if r[0] == med)
            rows.append((n, len(data) / 2**20, a, total, parse, write, cpu, med, ratios[0], ratios[-1], load, page))
            print(f"{n:>9,} rows  median ratio {med:.2f} (range {ratios[0]:.2f}-{ratios[-1]:.2f})  load {load:.2f}",
                  flush=True)
    if args.write:
        from _results import stamp, write_section

        lines = [
            stamp(),
            f"Store: {'SQLite file (fresh per round)' if not args.db else args.db.split('@')[-1]}; "
            f"{args.items} Likert items + 8 other columns, 问卷星 text layout from bench/gen_wjx.py; "
            f"{args.repeat} rounds per size, the round with the median ratio shown.",
            "",
            "| responses | file MB | pyarrow read_csv s | ingest s | parse s | write s | ingest CPU s "
            "| ingest ÷ arrow (median) | range | load avg (1 min) at start | data-page save s |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n, mb, a, total, parse, write, cpu, med, lo, hi, load, page in rows:
            lines.append(f"| {n:,} | {mb:.1f} | {a:.3f} | {total:.2f} | {parse:.2f} | {write:.2f} | {cpu:.2f} "
                         f"| {med:.1f} | {lo:.1f}–{hi:.1f} | {load:.2f} | "
                         f"{'—' if page is None else f'{page:.2f}'} |")
        lines += ["", "*Data-page save*: the same file saved from the data page, which parsed, coded and "
                  "screened it for its validation report before the manager pressed save and hands that "
                  "prepared wave to `ingest_file`: sha256, the zstd copy, the blobs and the "
                  "transaction (median of 3, each into a fresh store)."]
        if stages:
            lines += ["", f"Where the time goes at {args.stages:,} rows (each step alone, one run; the store's "
                      "ingest = these steps with suggest_codebook once, plus the write transaction):", "",
                      "| step | s | × arrow |", "|---|---:|---:|"]
            ref = stages[0][1]
            lines += [f"| {name} | {sec:.3f} | {sec / ref:.1f} |" for name, sec in stages]
        if floors:
            lines += ["", "The floor: work every ingest of the file must do, each step alone (best of 3), "
                      f"and the ratio it alone would give if its CPU time were spread perfectly over the "
                      f"{os.cpu_count()} cores — before detection, codebook, respondent columns, screening, "
                      "blobs and the transaction:", "",
                      "| responses | step | wall s | CPU s |", "|---:|---|---:|---:|"]
            for n, steps, cpu, ratio in floors:
                lines += [f"| {n:,} | {name} | {wall:.3f} | {c:.3f} |" for name, wall, c in steps]
                lines.append(f"| {n:,} | **sum of CPU ÷ {os.cpu_count()} cores ÷ read wall** | | "
                             f"**{ratio:.2f}×** ({cpu:.2f} s) |")
        write_section("bench_ingest", "Ingest (bench/bench_ingest.py)", "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
