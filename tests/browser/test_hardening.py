"""Issue 10 in the real browser: ``?k=1`` cannot switch anonymity off (finding 1) and a wave name
written as Markdown is shown as typed — no image fetched, no styling (finding 13)."""

from __future__ import annotations

import pytest
from browser_utils import exceptions, goto, start_app, stop_app

pytestmark = pytest.mark.browser

HOSTILE = "**粗体** ![w](http://127.0.0.1:9/wave.png) :red[红] <b>b</b>"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from analysis import store

    workdir = tmp_path_factory.mktemp("hardening")
    db_url = f"sqlite:///{workdir}/survey.db"
    engine = store.get_engine(db_url)
    store.ensure_demo(engine)
    waves = store.list_waves(engine).sort_values("period")
    wid = int(waves.iloc[-1]["id"])
    store.rename_wave(engine, wid, HOSTILE, user="test")
    engine.dispose()
    server = start_app(db_url, workdir)
    yield server, wid
    stop_app(server)


def test_url_k_1_keeps_the_threshold_and_hides_the_small_group(hostile_server, page):
    server, wid = hostile_server
    goto(page, server.base, f"areas?wave={wid}&k=1")
    assert exceptions(page) == []
    spin = page.locator("[data-testid='stSidebar'] input[type='number']").first
    assert spin.input_value() == "5"
    assert "k=1" not in page.url  # the address bar shows the view actually drawn
    note = page.locator("[data-testid='stMain']").get_by_text("少于 5 人", exact=False)
    assert note.count() >= 1


def test_wave_name_as_markdown_is_shown_as_typed(hostile_server, page):
    server, wid = hostile_server
    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))
    goto(page, server.base, f"overview?wave={wid}")
    assert exceptions(page) == []
    main = page.locator("[data-testid='stMain']")
    assert main.locator("img[src*='wave.png']").count() == 0
    assert not any("wave.png" in u for u in requested)
    assert main.get_by_text("**粗体**", exact=False).count() >= 1
    assert main.locator("strong", has_text="粗体").count() == 0
