"""UI latency: time from changing a filter to the app being idle again, in a real browser.

Usage::

    python bench/bench_ui_latency.py [--sizes 100000 1000000] [--changes 24] [--items 30] [--write]

For each size a 问卷星 按选项文本 export (bench/gen_wjx.py) is ingested into a fresh SQLite store, the
app is started (``streamlit run dashboard.py``, as the browser tests do) and headless Chromium
opens the overview of that wave. Then the sidebar filters are changed ``--changes`` times in a
fixed rotation (service area, 好差评 definition, breakdown, exclude flagged answers), and for each
change we record, in the page's own clock (``performance.now()``):

* ``input``   — the click that made the change (a capture-phase listener on the document);
* ``running`` / ``notRunning`` — every transition of ``data-test-script-state`` on ``stApp``,
  recorded by a MutationObserver (TIPS.md), so a poll cannot miss a rerun;
* bytes — the sizes of the websocket frames the browser received during the rerun
  (``page.on("websocket")`` → ``framereceived``).

Latency = last ``notRunning`` after the change − ``input``; it is split into ``input → running``
(browser debounce + websocket) and ``running → notRunning`` (the script run and the deltas it
sends). The first visit of each view state computes (cache miss); later visits of the same state
are cache hits, so the table reports both. Budgets: 100k median ≤ 0.5 s and p95 ≤ 1.5 s;
1M p95 ≤ 2.5 s; ≤ 5 MB per rerun.

``--write`` replaces the "UI latency" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE), str(ROOT / "tests" / "browser")]

import numpy as np  # noqa: E402
from browser_utils import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    new_page,
    start_app,
    state_count,
    stop_app,
    wait_chromium,
    wait_rerun,
)
from gen_wjx import make_wjx_text_bytes  # noqa: E402

from analysis import store  # noqa: E402

BUDGETS = {100_000: {"median": 0.5, "p95": 1.5}, 1_000_000: {"p95": 2.5}}
MAX_BYTES = 5 * 2**20
SIDEBAR = "[data-testid='stSidebar']"
INPUT_JS = """
window.__lastInput = 0;
for (const type of ['mousedown', 'keydown']) {
  document.addEventListener(type, () => { window.__lastInput = performance.now(); }, true);
}
"""


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else float("nan")


class Frames:
    """Counts the bytes of websocket frames the page receives."""

    def __init__(self, page):
        self.bytes = 0
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        self.bytes += len(payload) if payload is not None else 0


def _pick_option(page, label: str, index: int) -> str:
    """Open the sidebar selectbox ``label`` and click its option ``index`` (mod the option count)."""
    page.locator(SIDEBAR).get_by_role("combobox", name=label).click()
    options = page.locator("[role='option']")
    options.first.wait_for()
    n = options.count()
    option = options.nth(index % n)
    text = option.inner_text().strip()
    option.click()
    return text


def _actions(page, lang: str = "zh"):
    """The rotation of filter changes: (name, callable returning the new value as text)."""
    from ui.i18n import t

    sidebar = page.locator(SIDEBAR)
    counter = {"area": 0, "by": 0}

    def area():
        counter["area"] += 1
        return _pick_option(page, t("f_area", lang), counter["area"])

    def by():
        counter["by"] += 1
        return _pick_option(page, t("f_by", lang), counter["by"])

    def basic():
        sidebar.get_by_text(t("f_basic", lang)).click()
        return "basic"

    def exclude():
        sidebar.get_by_text(t("f_exclude", lang)).click()
        return "exclude_flagged"

    return [("area", area), ("basic", basic), ("area", area), ("by", by), ("area", area), ("exclude", exclude)]


def measure(base: str, wave_id: int, changes: int) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = new_page(browser)
        page.context.add_init_script(INPUT_JS)
        frames = Frames(page)
        t0 = time.perf_counter()
        page.goto(f"{base}/overview?wave={wave_id}")
        page.wait_for_selector("[data-testid='stApp']")
        wait_rerun(page, 0, start_timeout=120_000, timeout=600_000)
        cold = time.perf_counter() - t0
        cold_bytes = frames.bytes
        rows = []
        actions = _actions(page)
        seen: set[str] = set()
        for i in range(changes):
            name, action = actions[i % len(actions)]
            since = state_count(page)
            frames.bytes = 0
            value = action()
            wait_rerun(page, since, start_timeout=5_000, timeout=600_000)
            page.wait_for_selector(IDLE)
            states = page.evaluate("window.__stStates").copy()[since:]
            t_input = page.evaluate("window.__lastInput")
            runs = [t for t, s in states if s == "running"]
            dones = [t for t, s in states if s == "notRunning"]
            if not runs or not dones:
                continue  # the change did not rerun (e.g. the same option clicked): nothing to time
            state_key = page.url.split("?", 1)[-1]
            rows.append(
                {
                    "change": name,
                    "value": value,
                    "latency": (dones[-1] - t_input) / 1000,
                    "to_running": (runs[0] - t_input) / 1000,
                    "script": (dones[-1] - runs[0]) / 1000,
                    "reruns": len(runs),
                    "bytes": frames.bytes,
                    "first_visit": state_key not in seen,
                }
            )
            seen.add(state_key)
        browser.close()
    return {"cold": cold, "cold_bytes": cold_bytes, "rows": rows}


def run_size(n: int, items: int, changes: int, seed: int = 0) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-ui-{n}-"))
    try:
        url = f"sqlite:///{folder}/survey.db"
        t0 = time.perf_counter()
        data = make_wjx_text_bytes(n, n_items=items, seed=seed)
        gen_s = time.perf_counter() - t0
        engine = store.get_engine(url)
        t0 = time.perf_counter()
        result = store.ingest_file(engine, data, f"bench_{n}.csv", wave=f"基准 {n:,} 份", user="bench")
        ingest_s = time.perf_counter() - t0
        engine.dispose()
        server = start_app(url, folder)
        try:
            out = measure(server.base, result.wave_id, changes)
        finally:
            stop_app(server)
        out.update(n=n, file_mb=len(data) / 2**20, gen_s=gen_s, ingest_s=ingest_s)
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def summarise(res: dict) -> dict:
    rows = res["rows"]
    lat = [r["latency"] for r in rows]
    first = [r["latency"] for r in rows if r["first_visit"]]
    again = [r["latency"] for r in rows if not r["first_visit"]]
    return {
        "n": res["n"],
        "changes": len(rows),
        "median": statistics.median(lat) if lat else float("nan"),
        "p95": p95(lat),
        "max": max(lat) if lat else float("nan"),
        "first_median": statistics.median(first) if first else float("nan"),
        "again_median": statistics.median(again) if again else float("nan"),
        "to_running": statistics.median([r["to_running"] for r in rows]) if rows else float("nan"),
        "script": statistics.median([r["script"] for r in rows]) if rows else float("nan"),
        "bytes_median": statistics.median([r["bytes"] for r in rows]) if rows else 0,
        "bytes_max": max([r["bytes"] for r in rows]) if rows else 0,
        "cold": res["cold"],
        "ingest_s": res["ingest_s"],
        "file_mb": res["file_mb"],
    }


def verdict(s: dict) -> str:
    budget = BUDGETS.get(s["n"], {})
    ok = [s[k] <= v for k, v in budget.items()] + [s["bytes_max"] <= MAX_BYTES]
    return "within budget" if all(ok) else "**over budget**"


def report(results: list[dict]) -> str:
    from _results import stamp

    lines = [
        stamp(),
        "",
        "Real browser (headless Chromium via Playwright) against `streamlit run dashboard.py` on a SQLite store "
        "holding one generated 问卷星 wave (30 items); the overview page of that wave; sidebar filters changed in "
        "a fixed rotation (area, 好差评 definition, area, breakdown, area, exclude flagged). Latency = last "
        "`notRunning` − the input event, both `performance.now()` in the page (MutationObserver on "
        "`data-test-script-state`). Bytes = websocket frames received during the rerun.",
        "",
        "| responses | changes | median s | p95 s | max s | first visit median s | repeat median s | "
        "input→running s | script run s | bytes/rerun median | bytes/rerun max | cold open s | verdict |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for res in results:
        s = summarise(res)
        lines.append(
            f"| {s['n']:,} | {s['changes']} | {s['median']:.3f} | {s['p95']:.3f} | {s['max']:.3f} | "
            f"{s['first_median']:.3f} | {s['again_median']:.3f} | {s['to_running']:.3f} | {s['script']:.3f} | "
            f"{s['bytes_median'] / 1024:.0f} KB | {s['bytes_max'] / 1024:.0f} KB | {s['cold']:.1f} | {verdict(s)} |"
        )
    lines += [
        "",
        "Budgets: 100k median ≤ 0.5 s and p95 ≤ 1.5 s; 1M p95 ≤ 2.5 s; ≤ 5 MB per rerun.",
        "",
        "Per change (change · new value · latency s · script s · KB · first visit):",
        "",
    ]
    for res in results:
        lines.append(
            f"- {res['n']:,} responses (file {res['file_mb']:.0f} MB, ingest {res['ingest_s']:.1f} s): "
            + "; ".join(
                f"{r['change']}={r['value']} {r['latency']:.2f}/{r['script']:.2f}/"
                f"{r['bytes'] / 1024:.0f}{'*' if r['first_visit'] else ''}"
                for r in res["rows"]
            )
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--changes", type=int, default=24)
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--write", action="store_true", help="replace the UI latency section of bench/RESULTS.md")
    args = ap.parse_args(argv)
    if not wait_chromium(timeout=60):
        print(f"{CHROMIUM} not found", file=sys.stderr)
        return 2
    results = []
    for n in args.sizes:
        res = run_size(n, args.items, args.changes)
        s = summarise(res)
        print(
            f"{n:>9,}: median {s['median']:.3f} s, p95 {s['p95']:.3f} s, max {s['max']:.3f} s, "
            f"first-visit median {s['first_median']:.3f} s, repeat median {s['again_median']:.3f} s, "
            f"bytes/rerun max {s['bytes_max'] / 1024:.0f} KB, cold open {s['cold']:.1f} s, "
            f"ingest {s['ingest_s']:.1f} s — {verdict(s)}",
            flush=True,
        )
        results.append(res)
    text = report(results)
    print(text)
    if args.write:
        from _results import write_section

        write_section("ui_latency", "UI latency (bench/bench_ui_latency.py)", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
