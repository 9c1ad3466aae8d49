"""ui/present.py: the deck of a report (pure HTML builders; no Streamlit run needed).

Expected values: the slide list the issue asks for (headline, one per service area, the trend),
counted from the report's own areas; a wave name with markup that must come out escaped.
"""

from __future__ import annotations

import pandas as pd

from analysis import store
from analysis.report import build_report
from tests.test_store import make_wjx
from ui.present import deck


def _report(tmp_path, name: str):
    eng = store.get_engine(f"sqlite:///{tmp_path}/p.db")
    try:
        store.ingest_file(eng, make_wjx(40, seed=3), "a.csv", wave="a", meta={"unit": "u", "period": "2024-04"})
        store.ingest_file(eng, make_wjx(50, seed=4), "b.csv", wave="b", meta={"unit": "u", "period": "2024-10"})
        a, b = store.load_wave(eng, "a"), store.load_wave(eng, "b")
    finally:
        store.close_engine(eng)
    actions = pd.DataFrame({"problem": ["<img src=x onerror=alert(1)>"], "measure": ["加装空调"], "status": ["doing"]})
    return build_report(b, wave={"name": name, "unit": "u"}, history=[("a", a), (name, b)], actions=actions)


def test_deck_has_headline_areas_trend_and_board(tmp_path):
    r = _report(tmp_path, "b")
    slides = deck(r)
    areas = [a for a, n in zip(r.areas["area"], r.areas["n_valid"], strict=True) if n > 0 and a != "overall"]
    assert [s.kind for s in slides] == ["headline"] + ["area"] * len(areas) + ["trend", "actions"]
    assert [s.key for s in slides if s.kind == "area"] == areas
    trend = next(s for s in slides if s.kind == "trend")
    assert 'src="data:image/svg+xml;base64,' in trend.html  # drawn as an image: nothing to fetch


def test_user_text_is_escaped_in_slides(tmp_path):
    r = _report(tmp_path, "<b>秋季</b>")
    html = "".join(s.html for s in deck(r))
    assert "<b>秋季</b>" not in html and "&lt;b&gt;秋季&lt;/b&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
