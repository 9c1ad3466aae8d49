"""Many users: N sessions opening a share link and changing filters at once (issue 16).

Usage::

    python bench/bench_users.py [--users 1 10 20] [--replicas 1 2] [--changes 5] [--think 2.0] [--browser-users 1 10] [--write]

A fresh SQLite store with the demo waves and one share link (the newest demo wave) is served by
``streamlit run dashboard.py`` (the README's ``st.App``; the bare reference pages below are plain
scripts, served by the same uvicorn/Starlette server of Streamlit 1.67) with
``SURVEY_OPEN_VIEWING=false``. Two measurements:

**(b) protocol level** (the server's own cost per session). N light clients speak Streamlit's
websocket protocol directly (``/_stcore/stream``, the ``BackMsg``/``ForwardMsg`` protobufs the
browser sends and receives): each opens the overview with ``?token=…`` and then changes a filter
``--changes`` times (the URL state of area, 好差评 definition, breakdown, exclude flagged — what a
sidebar change sends, since the view lives in the URL), waiting a random think time of
``--think`` ± 50 % seconds between changes, as meeting participants do. A rerun's latency is the
time from sending ``rerun_script`` to receiving ``script_finished``. Budget: p95 of a filter
rerun at N = 20 ≤ 2 × the p95 at N = 1. (XSRF protection is turned off for this server only: the
light client does not fetch the XSRF cookie first; the check costs nothing per rerun.)

**(a) browser** (what a participant sees). N Chromium contexts open the share link at once; the
time to the first idle page is compared with a bare Streamlit page (bench/_bare_page.py: a title,
a select box and a table) opened by N contexts the same way, because on this 2-core machine
Chromium itself is the bottleneck. Budget: dashboard ÷ bare ≤ 1.5 at N = 10. A second reference,
the bare page plus one plotly chart (bench/_bare_chart_page.py), shows what the chart library alone
costs the browser.

``--replicas 1 2`` runs the protocol part against one app process and then against two on the one
store, sessions spread over them as a sticky load balancer would: Streamlit runs every session's
script in a thread of one Python process, so the interpreter lock serialises all sessions of a
process; replicas are what removes that.

``--write`` replaces the "Many users" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE), str(ROOT / "tests" / "browser")]

import numpy as np  # noqa: E402
from browser_utils import CHROMIUM, CHROMIUM_ARGS, IDLE, free_port, wait_chromium, wait_health  # noqa: E402

from analysis import store  # noqa: E402

FILTERS = ["area=dining", "basic=1", "by=group&area=accommodation", "exclude_flagged=1", "area=repair", ""]
RERUN_BUDGET = 2.0  # p95 at N=20 ≤ 2 × p95 at N=1
BROWSER_BUDGET = 1.5  # dashboard / bare page at N=10


def _serve(script: str, db_url: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = workdir / f"server-{port}.log"
    env = dict(os.environ, SURVEY_DB_URL=db_url, SURVEY_OPEN_VIEWING="false", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         "--server.enableXsrfProtection", "false"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_health(base, proc, log)
    return proc, base


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


# --- (b) protocol-level clients ---------------------------------------------------------------

async def _rerun(ws, query: str, page: str) -> tuple[float, int, int]:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    t0 = time.perf_counter()
    await ws.send(msg.SerializeToString())
    n_bytes = errors = 0
    while True:
        raw = await ws.recv()
        n_bytes += len(raw)
        fwd = ForwardMsg()
        fwd.ParseFromString(raw)
        kind = fwd.WhichOneof("type")
        if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            if fwd.delta.new_element.WhichOneof("type") == "exception":
                errors += 1
        if kind == "script_finished":
            return time.perf_counter() - t0, n_bytes, errors


async def _session(base: str, token: str, changes: int, think: float, seed: int, out: dict) -> None:
    import websockets

    rng = random.Random(seed)
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        dt, n_bytes, errors = await _rerun(ws, f"token={token}", "overview")
        out["open"].append(dt)
        out["errors"] += errors
        out["bytes"].append(n_bytes)
        for i in range(changes):
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
            extra = FILTERS[(seed + i) % len(FILTERS)]
            dt, n_bytes, errors = await _rerun(ws, f"token={token}" + (f"&{extra}" if extra else ""), "overview")
            out["rerun"].append(dt)
            out["errors"] += errors
            out["bytes"].append(n_bytes)


def protocol_round(bases: list[str], token: str, n: int, changes: int, think: float) -> dict:
    """``n`` sessions at once; session ``i`` talks to ``bases[i % len(bases)]`` (a sticky balancer's spread)."""
    out: dict = {"open": [], "rerun": [], "bytes": [], "errors": 0}

    async def main() -> None:
        await asyncio.gather(*[_session(bases[seed % len(bases)], token, changes, think, seed, out)
                               for seed in range(n)])

    t0 = time.perf_counter()
    asyncio.run(main())
    out["wall"] = time.perf_counter() - t0
    return out


# --- (a) browser contexts ----------------------------------------------------------------------

def browser_round(browser, url: str | list[str], n: int) -> list[float]:
    """Open ``url`` in ``n`` new contexts at once; seconds from goto to the first idle page, per context.

    With a list of URLs (one per replica) context ``i`` opens ``url[i % len(url)]``.
    """
    urls = [url] if isinstance(url, str) else list(url)
    pages = []
    for _ in range(n):
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        ctx.set_default_timeout(300_000)
        pages.append(ctx.new_page())
    starts = []
    for i, pg in enumerate(pages):
        starts.append(time.perf_counter())
        pg.goto(urls[i % len(urls)], wait_until="commit")
    done = [0.0] * n
    for i, pg in enumerate(pages):
        pg.wait_for_selector("[data-testid='stApp']")
        pg.wait_for_timeout(210)
        pg.wait_for_selector(IDLE)
        done[i] = time.perf_counter() - starts[i]
    for pg in pages:
        pg.context.close()
    return done


def _q(values: list[float], p: float) -> float:
    return float(np.quantile(values, p)) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, nargs="+", default=[1, 10, 20])
    ap.add_argument("--changes", type=int, default=5)
    ap.add_argument("--think", type=float, default=2.0)
    ap.add_argument("--browser-users", type=int, nargs="*", default=[1, 10])
    ap.add_argument("--replicas", type=int, nargs="+", default=[1, 2],
                    help="app processes on the one store for the protocol part (sessions spread over them)")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-users-"))
    db_url = f"sqlite:///{work}/survey.db"
    engine = store.get_engine(db_url)
    store.ensure_demo(engine)
    waves = store.list_waves(engine)
    _, token, _ = store.create_link(engine, wave=int(waves["id"].iloc[-1]), days=1, note="bench")
    store.close_engine(engine)
    servers = [_serve("dashboard.py", db_url, work) for _ in range(max(args.replicas))]
    proc, base = servers[0]
    rows, browser_rows = [], []
    try:
        for replicas in sorted(set(args.replicas)):
            bases = [b for _, b in servers[:replicas]]
            for b in bases:
                protocol_round([b], token, 1, 1, 0.0)  # warm each server's caches (a cold open reads the wave)
            for n in args.users:
                load = os.getloadavg()[0]
                res = protocol_round(bases, token, n, args.changes, args.think)
                res["load"] = (load + os.getloadavg()[0]) / 2  # the machine's load (other processes too)
                res["replicas"] = replicas
                rows.append((n, res))
                print(f"replicas={replicas} N={n}: open p50 {_q(res['open'], .5):.3f} p95 {_q(res['open'], .95):.3f}; "
                      f"rerun p50 {_q(res['rerun'], .5):.3f} p95 {_q(res['rerun'], .95):.3f}; errors {res['errors']}; "
                      f"wall {res['wall']:.1f} s", flush=True)
        if args.browser_users:
            if not wait_chromium(30):
                print("chromium not found: browser part skipped", file=sys.stderr)
            else:
                from playwright.sync_api import sync_playwright

                bare, bare_base = _serve(str(HERE / "_bare_page.py"), db_url, work)
                chart, chart_base = _serve(str(HERE / "_bare_chart_page.py"), db_url, work)
                try:
                    with sync_playwright() as p:
                        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                        dash = [f"{b_}/overview?token={token}" for _, b_ in servers]
                        for url in (f"{bare_base}/", f"{chart_base}/", *dash):
                            browser_round(browser, url, 1)  # warm every server once
                        for n in args.browser_users:
                            b = browser_round(browser, f"{bare_base}/", n)
                            c = browser_round(browser, f"{chart_base}/", n)
                            d = browser_round(browser, dash[0], n)
                            d2 = browser_round(browser, dash, n) if len(dash) > 1 else []
                            browser_rows.append((n, d, b, c, d2))
                            print(f"browser N={n}: dashboard median {statistics.median(d):.2f} s"
                                  + (f" ({len(dash)} replicas {statistics.median(d2):.2f} s)" if d2 else "")
                                  + f", bare {statistics.median(b):.2f} s, bare+chart {statistics.median(c):.2f} s, "
                                  f"ratio {statistics.median(d) / statistics.median(b):.2f}", flush=True)
                        browser.close()
                finally:
                    _stop(bare)
                    _stop(chart)
    finally:
        for p_, _ in servers:
            _stop(p_)
        shutil.rmtree(work, ignore_errors=True)
    if args.write:
        _write(rows, browser_rows, args)
    return 0


def _write(rows: list, browser_rows: list, args: argparse.Namespace) -> None:
    from _results import stamp, write_section

    lines = [stamp(), "",
             f"Protocol-level clients (Streamlit's websocket protobufs), {args.changes} filter changes per session, think "
             f"time {args.think:g} s ± 50 %, demo store (SQLite), share link to the newest wave, `SURVEY_OPEN_VIEWING=false`.",
             "",
             "Sessions are spread over the app processes (replicas) as a sticky load balancer would (session i → "
             "replica i mod R); all replicas share the one SQLite store. The balancer's own cost is not in these figures.",
             "",
             "| replicas | sessions N | opens | open p50 s | open p95 s | filter reruns | rerun p50 s | rerun p95 s | rerun max s | KB/rerun | errors | load avg |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, r in rows:
        lines.append(f"| {r['replicas']} | {n} | {len(r['open'])} | {_q(r['open'], .5):.3f} | {_q(r['open'], .95):.3f} | "
                     f"{len(r['rerun'])} | {_q(r['rerun'], .5):.3f} | {_q(r['rerun'], .95):.3f} | "
                     f"{max(r['rerun'] or [float('nan')]):.3f} | "
                     f"{statistics.median(r['bytes']) / 1024:.0f} | {r['errors']} | {r.get('load', float('nan')):.1f} |")
    single = {n: r for n, r in rows if r["replicas"] == 1}
    if 1 in single:
        for n, r in rows:
            if n != 20:
                continue
            ratio = _q(r["rerun"], .95) / _q(single[1]["rerun"], .95)
            verdict = "within budget" if ratio <= RERUN_BUDGET else "over budget"
            lines += ["", f"{r['replicas']} replica(s): p95 rerun N=20 ÷ N=1 (one process) = **{ratio:.2f}** "
                          f"(budget ≤ {RERUN_BUDGET:g}): {verdict}."]
    if browser_rows:
        lines += ["", "Headless Chromium, N contexts opening at once (seconds from navigation to the first idle page):", "",
                  "| contexts N | dashboard median s | dashboard max s | bare page median s | bare max s | "
                  "bare page + one plotly chart median s | dashboard ÷ bare | dashboard ÷ bare+chart | "
                  "dashboard on 2 replicas median s | 2 replicas ÷ bare |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for n, d, b, c, d2 in browser_rows:
            two = (f"{statistics.median(d2):.2f} | {statistics.median(d2) / statistics.median(b):.2f}" if d2 else "— | —")
            lines.append(f"| {n} | {statistics.median(d):.2f} | {max(d):.2f} | {statistics.median(b):.2f} | {max(b):.2f} | "
                         f"{statistics.median(c):.2f} | {statistics.median(d) / statistics.median(b):.2f} | "
                         f"{statistics.median(d) / statistics.median(c):.2f} | {two} |")
        ten = [(d, b) for n, d, b, _, _ in browser_rows if n == 10]
        if ten:
            ratio = statistics.median(ten[0][0]) / statistics.median(ten[0][1])
            verdict = "within budget" if ratio <= BROWSER_BUDGET else "over budget"
            lines += ["", f"Dashboard ÷ bare page at N=10 = **{ratio:.2f}** (budget ≤ {BROWSER_BUDGET:g}): {verdict}."]
    write_section("users", "Many users (bench/bench_users.py)", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
