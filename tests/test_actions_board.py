"""The feedback drafts of ui/actions_board.py: a topic (an area, or a keyword of it) and a record.

Records are built by hand (``list_feedback`` columns the drafts read), so every count below is a
hand count over the table in ``_records``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ui.actions_board import FEEDBACK_LINK_CAP, record_draft, topic_draft


def _records() -> pd.DataFrame:
    """Newest first, as ``list_feedback`` returns them.

    id  areas                      tone      cell_n  text
    5   accommodation              positive  12      宿管阿姨热情
    4   catering                   negative  12      饭菜贵
    3   accommodation, catering    neutral   12      热水和饭菜都一般
    2   accommodation              negative   3      热水不热（small group: hidden）
    1   accommodation, utilities   negative  12      宿舍没有热水
    """
    return pd.DataFrame({
        "id": pd.array([5, 4, 3, 2, 1], dtype="Int64"),
        "areas": [["accommodation"], ["catering"], ["accommodation", "catering"], ["accommodation"],
                  ["accommodation", "utilities"]],
        "tone": ["positive", "negative", "neutral", "negative", "negative"],
        "cell_n": pd.array([12, 12, 12, 3, 12], dtype="Int64"),
        "text": ["宿管阿姨热情", "饭菜贵", "热水和饭菜都一般", "热水不热", "宿舍没有热水"],
        "wave_id": pd.array([None, None, None, None, None], dtype="Int64"),
    })


def test_area_topic_counts_every_record_of_the_area_but_links_only_shown_negatives():
    d = topic_draft(_records(), area="accommodation", k=10)
    # accommodation: ids 5, 3, 2, 1 → 4 records; negative 2 and 1 → 2; shown negative (cell_n ≥ 10): 1 only
    assert (d["n"], d["n_negative"]) == (4, 2)
    assert d["feedback_ids"] == [1]
    assert d["area"] == "accommodation"
    assert d["problem"] == "「住宿/公寓」相关意见 4 条（负面 2 条）"


def test_keyword_topic_counts_shown_texts_with_the_word():
    d = topic_draft(_records(), area="accommodation", word="热水", k=10)
    # shown accommodation texts containing 热水: ids 3 (neutral) and 1 (negative); id 2 is hidden
    assert (d["n"], d["n_negative"], d["feedback_ids"]) == (2, 1, [1])
    assert d["problem"] == "「热水」相关意见 2 条（负面 1 条）"
    # threshold 1: the small group's record is counted and linked too (newest first)
    d = topic_draft(_records(), area="accommodation", word="热水", k=1)
    assert (d["n"], d["n_negative"], d["feedback_ids"]) == (3, 2, [2, 1])


def test_topic_links_at_most_the_cap_newest_first():
    n = FEEDBACK_LINK_CAP + 5
    recs = pd.DataFrame({
        "id": pd.array(range(n, 0, -1), dtype="Int64"), "areas": [["catering"]] * n, "tone": ["negative"] * n,
        "cell_n": pd.array([n] * n, dtype="Int64"), "text": ["太贵"] * n,
    })
    d = topic_draft(recs, area="catering", k=10)
    assert d["n"] == n and d["feedback_ids"] == list(range(n, n - FEEDBACK_LINK_CAP, -1))


def test_topic_of_an_unknown_area_is_refused():
    with pytest.raises(ValueError, match="未知服务领域"):
        topic_draft(_records(), area="kitchen")


def test_record_draft_takes_the_text_the_first_area_and_the_record():
    row = _records().iloc[2].to_dict()  # id 3
    assert record_draft(row) == {"problem": "热水和饭菜都一般", "area": "accommodation", "feedback_ids": [3],
                                 "wave_id": None}
    row = {"id": 9, "areas": [], "text": "  没有领域的意见 ", "wave_id": 4}
    assert record_draft(row) == {"problem": "没有领域的意见", "area": None, "feedback_ids": [9], "wave_id": 4}
