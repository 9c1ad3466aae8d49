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
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
MANAGER = ("manager", "correct-horse-42")
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PAGES = ["overview", "areas", "trends", "compare", "quality", "priorities", "data"]


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


def start_app(db_url: str, workdir: Path, extra_env: dict[str, str] | None = None) -> AppServer:
    """Start ``streamlit run dashboard.py`` on a free port and wait for /_stcore/health."""
    port = free_port()
    log = workdir / f"streamlit-{port}.log"
    env = dict(os.environ, SURVEY_DB_URL=db_url, PYTHONPATH=str(ROOT), **(extra_env or {}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
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


def new_page(browser, **kwargs):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", **kwargs)
    context.set_default_timeout(30_000)
    return context.new_page()


def screenshot_name(nodeid: str) -> Path:
    return ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-120:] + ".png")


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished its (debounced) rerun, as Streamlit's own e2e suite does."""
    page.wait_for_timeout(210)
    page.wait_for_selector(IDLE, timeout=timeout)


def goto(page, base: str, path: str) -> None:
    page.goto(f"{base}/{path.lstrip('/')}")
    page.wait_for_selector("[data-testid='stApp']")
    wait_idle(page)


def exceptions(page) -> list[str]:
    return [e.inner_text() for e in page.locator("[data-testid='stException']").all()]


def login(page, base: str, name: str = MANAGER[0], password: str = MANAGER[1], lang: str = "zh") -> None:
    """Log in through the sidebar form (the login expander of ui.auth)."""
    from ui.strings_data import t

    goto(page, base, f"overview?lang={lang}")
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text(t("login_title", lang)).first.click()
    sidebar.get_by_label(t("login_user", lang)).fill(name)
    sidebar.get_by_label(t("login_password", lang)).fill(password)
    sidebar.get_by_role("button", name=t("login_submit", lang)).click()
    wait_idle(page)
    sidebar.get_by_text(t("login_as", lang, name=name, role=t("role_manager", lang))).wait_for()
