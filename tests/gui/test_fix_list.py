"""The dashboard's what-to-fix list (issue 16): each entry opens the browser on its reviews."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from tests.topic_samples import make_insights


def test_fix_entry_click_opens_its_reviews(qtbot, window):
    ins = make_insights()
    window.set_insights(ins)
    dash, browser = window.dashboard, window.browser
    assert dash.fix.topLevelItemCount() == len(ins.fix_list) == 2
    first = dash.fix.topLevelItem(0)
    assert first.text(0).startswith("1. 坏果: hurts 5 reviews") and "1 refund/return" in first.text(0)
    assert first.child(0).text(0) == "Products most affected: 芒果 (3); 苹果 (2)"
    assert first.childCount() == 4  # products + three quotes
    for item in (first, first.child(2)):  # the entry and one of its quotes
        window.tabs.setCurrentWidget(dash)
        rect = dash.fix.visualItemRect(item)
        qtbot.mouseClick(dash.fix.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.tabs.currentWidget() is browser
        shown = ins.reviews.iloc[browser.model.index_map]
        assert len(shown) == 5 and shown["text"].str.contains("坏果").all()
        expected = np.flatnonzero(ins.reviews["topic_ids"].str.split(";").map(lambda x: "1" in x).to_numpy())
        assert np.array_equal(browser.model.index_map, expected)
        assert browser.combos["topic"].currentData() == 1  # the filter is visible


def test_fix_list_in_chinese_and_empty(qtbot, window):
    from gui.i18n import set_language

    set_language("zh")
    ins = make_insights()
    window.set_insights(ins)
    assert window.dashboard.fix.topLevelItem(0).text(0).startswith("1. 坏果：5 条评论受影响")
    ins.fix_list = ins.fix_list.iloc[0:0]
    window.dashboard.set_insights(ins)
    assert window.dashboard.fix.topLevelItem(0).text(0) == "没有发现需要改进的具体问题"
