"""Helpers of the browser tests: start/stop the app, wait for Streamlit to settle, log in."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("SURVEY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
MANAGER = ("manager", "correct-horse-42")
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PAGES = ["overview", "areas", "trends", "compare", "quality", "priorities", "feedback", "data"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_health(base: str, proc: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy in {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


@dataclass
class AppServer:
    base: str
    db_url: str
    proc: subprocess.Popen
    log: Path


def start_app(db_url: str, workdir: Path, extra_env: dict[str, str] | None = None, *,
              address: str = "127.0.0.1") -> AppServer:
    """Start ``streamlit run dashboard.py`` (the README's command: ``st.App`` with the session-cookie
    routes) on a free port and wait for /_stcore/health. ``address="::"`` listens dual-stack, so a
    browser at 127.0.0.1 reaches the app as ``::ffff:127.0.0.1``."""
    port = free_port()
    log = workdir / f"streamlit-{port}.log"
    env = dict(os.environ, SURVEY_DB_URL=db_url, PYTHONPATH=str(ROOT), **(extra_env or {}))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            address,
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_health(base, proc, log)
    except Exception:
        proc.terminate()
        raise
    return AppServer(base, db_url, proc, log)


def stop_app(server: AppServer) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait(timeout=5)


def wait_chromium(timeout: float = 600.0) -> bool:
    """Chromium may still be being installed by apt: wait until it runs (up to ``timeout`` s)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.access(CHROMIUM, os.X_OK):
            try:
                out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30)
                if out.returncode == 0 and "Chromium" in out.stdout:
                    return True
            except (OSError, subprocess.TimeoutExpired):
                pass
        time.sleep(5)
    return False


# Records every transition of the script state with performance.now(): a poll alone can see
# "notRunning" before a debounced rerun has started (TIPS.md).
OBSERVER_JS = """
window.__stStates = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (r.attributeName === 'data-test-script-state') {
      window.__stStates.push([performance.now(), r.target.getAttribute('data-test-script-state')]);
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""


def new_page(browser, **kwargs):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", **kwargs)
    context.set_default_timeout(60_000)
    context.add_init_script(OBSERVER_JS)
    return context.new_page()


def screenshot_name(nodeid: str) -> Path:
    return ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-120:] + ".png")


def state_count(page) -> int:
    """How many script-state transitions the page has seen (mark before an action)."""
    return int(page.evaluate("window.__stStates ? window.__stStates.length : 0"))


def wait_rerun(page, since: int = 0, *, start_timeout: float = 3_000, timeout: float = 90_000) -> None:
    """Wait for the rerun an action started (after transition ``since``) to finish.

    If no rerun starts within ``start_timeout`` ms the action did not trigger one; either way the
    app must then be idle: ``notRunning`` ~210 ms later, as Streamlit's own e2e suite checks.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "n => (window.__stStates || []).slice(n).some(s => s[1] === 'running')", arg=since, timeout=start_timeout
        )
    except PlaywrightTimeout:
        pass
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_timeout(210)
    page.wait_for_selector(IDLE, timeout=timeout)


def wait_idle(page, timeout: float = 90_000) -> None:
    """Wait until the script has finished its (debounced) rerun."""
    page.wait_for_timeout(210)
    page.wait_for_selector(IDLE, timeout=timeout)


def goto(page, base: str, path: str) -> None:
    """Open ``path`` and wait for its first script run to finish (and any rerun it triggers)."""
    page.goto(f"{base}/{path.lstrip('/')}")
    page.wait_for_selector("[data-testid='stApp']")
    wait_rerun(page, 0, start_timeout=30_000)
    page.wait_for_timeout(300)
    wait_idle(page)


def act(page, action) -> None:
    """Run a UI action and wait for the rerun it causes."""
    since = state_count(page)
    action()
    wait_rerun(page, since)


def exceptions(page) -> list[str]:
    return [e.inner_text() for e in page.locator("[data-testid='stException']").all()]


def login(page, base: str, name: str = MANAGER[0], password: str = MANAGER[1], lang: str = "zh") -> None:
    """Log in through the sidebar form (the login expander of ui.auth)."""
    from ui.i18n import t

    goto(page, base, f"overview?lang={lang}")
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text(t("login_title", lang)).first.click()
    sidebar.get_by_label(t("login_user", lang), exact=True).fill(name)
    sidebar.get_by_label(t("login_password", lang), exact=True).fill(password)
    act(page, lambda: sidebar.get_by_role("button", name=t("login_submit", lang)).click())
    sidebar.get_by_text(t("login_as", lang, name=name, role=t("role_manager", lang))).wait_for()
