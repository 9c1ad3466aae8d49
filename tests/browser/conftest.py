"""Browser tests: the real app in headless Chromium (Playwright), on a throwaway SQLite store.

A session-scoped fixture starts ``streamlit run dashboard.py`` (the README's ``st.App``) on a free
port with ``SURVEY_DB_URL`` pointing at a temp file in which a manager account was created beforehand
through ``analysis.auth``; the app fills the demo waves on first use. Chromium is the system
browser (/usr/bin/chromium), launched with the flags in TIPS.md. A failing test leaves a
screenshot in tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_utils import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    MANAGER,
    AppServer,
    new_page,
    screenshot_name,
    start_app,
    stop_app,
    wait_chromium,
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[AppServer]:
    from analysis import auth, store

    workdir = tmp_path_factory.mktemp("app")
    db_url = f"sqlite:///{workdir}/survey.db"
    engine = store.get_engine(db_url)
    auth.create_user(engine, MANAGER[0], MANAGER[1], role="manager")
    engine.dispose()
    server = start_app(db_url, workdir)
    yield server
    stop_app(server)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not wait_chromium():
        pytest.skip(f"{CHROMIUM} not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    pg = new_page(browser)
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            pg.screenshot(path=str(screenshot_name(request.node.nodeid)), full_page=True)
        except Exception:  # the page may already be gone; the test failure is what matters
            pass
    pg.context.close()
