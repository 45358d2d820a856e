"""Issue 17 (user walk-through): switching projects clears every view, the dashboard's
tiles keep their size, every browser filter is visible and removable, counts agree."""
from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.conftest import open_and_wait


def test_new_project_clears_dashboard_browser_and_labelling(qtbot, window, analysed_project, tmp_path):
    open_and_wait(qtbot, window, analysed_project[0])
    page = window.labeling
    page.task.setCurrentIndex(page.task.findData("aspects"))
    qtbot.mouseClick(page.fetch, Qt.MouseButton.LeftButton)
    assert not page.queue.empty
    assert window.browser.model.rowCount() > 0 and window.dashboard.tiles["reviews"].value != "–"

    assert window.new_project(tmp_path / "fresh.rlproj")
    assert window.insights is None
    assert window.dashboard.tiles["reviews"].value == "–"
    assert not window.dashboard.split.bars and not window.dashboard.aspects.bars
    assert not window.dashboard.trend.points and window.dashboard.fix.topLevelItemCount() == 0
    assert window.browser.model.rowCount() == 0 and window.browser.combos["aspect"].count() == 1
    assert page.queue.empty and "queue is empty" in page.text.toPlainText()
    assert "0 reviews" in window.status_project.text()


def test_kpi_tiles_keep_their_size_over_refreshes(qtbot, window, analysed_project):
    open_and_wait(qtbot, window, analysed_project[0])
    tile = window.dashboard.tiles["reviews"]
    size, hint = tile.font().pointSizeF(), tile.sizeHint()
    for _ in range(5):
        window.set_insights(window.insights)
    assert tile.font().pointSizeF() == size
    assert tile.sizeHint() == hint
    assert len(window.dashboard.findChildren(type(tile))) == len(window.dashboard.tiles)


def _click_segment(qtbot, chart, key):
    chart.repaint()
    for rect, seg in chart.segment_rects():
        if seg.key == key:
            qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
            return seg
    raise AssertionError(f"no segment {key!r}")


def test_chart_filters_are_visible_and_removable(qtbot, window, analysed_project):
    open_and_wait(qtbot, window, analysed_project[0])
    ins, browser = window.insights, window.browser
    r = ins.reviews
    aspect = ins.aspects.sort_values("negative").iloc[-1]["aspect"]
    _click_segment(qtbot, window.dashboard.aspects, (aspect, "negative"))
    # the polarity the click set is a visible filter, not a hidden one
    assert browser.combos["aspect"].currentData() == aspect
    assert browser.combos["polarity"].currentData() == "negative"
    chips = browser.filters.chips
    assert set(chips) == {"aspect", "polarity"} and "negative" in chips["polarity"].text()
    negative_only = browser.model.index_map.size
    with_aspect = int(r["aspects"].fillna("").str.contains(rf"(?:^|;){aspect}:").sum())
    assert negative_only < with_aspect  # the sample has non-negative mentions of its top negative aspect
    qtbot.mouseClick(chips["polarity"], Qt.MouseButton.LeftButton)  # the chip's ✕ removes that filter
    assert browser.combos["polarity"].currentData() is None
    assert browser.model.index_map.size == with_aspect
    assert set(browser.filters.chips) == {"aspect"}

    # the rating tile keeps analysed reviews only: shown as a checked box and a chip
    window.tabs.setCurrentWidget(window.dashboard)
    qtbot.mouseClick(window.dashboard.tiles["rating"], Qt.MouseButton.LeftButton)
    assert browser.analysed_only.isChecked() and "analysed" in browser.filters.chips
    assert browser.model.index_map.size == int((r["skipped"] == "").sum())
    qtbot.mouseClick(browser.filters.clear_button, Qt.MouseButton.LeftButton)
    assert browser.model.index_map.size == len(r) and not browser.filters.chips
    assert not browser.filters.clear_button.isEnabled()


def test_counts_agree_and_aspect_chart_stacks_neutral(qtbot, window, analysed_project):
    open_and_wait(qtbot, window, analysed_project[0])
    ins, dash = window.insights, window.dashboard
    total, analysed = len(ins.reviews), len(ins.analysed)
    summary = f"{total:,} reviews · {analysed:,} analysed · {total - analysed:,} skipped"
    assert dash.summary.text() == summary
    assert summary in window.status_project.text()  # the status bar uses the same definition
    assert dash.tiles["reviews"].value == f"{total:,}"
    window.browser.clear_filters()
    assert window.browser.count.text() == f"{total:,} of {total:,} reviews"
    assert "of analysed" in dash.tiles["positive"].caption

    bars = dash.aspects.bars
    assert bars and all([s.key[1] for s in b.segments] == ["positive", "neutral", "negative"] for b in bars)
    totals = [sum(s.value for s in b.segments) for b in bars]
    assert totals == sorted(totals, reverse=True)
    by_name = {dash.aspect_name(a): int(n) for a, n in zip(ins.aspects["aspect"], ins.aspects["neutral"])}
    assert all(b.segments[1].value == by_name[b.label] for b in bars)
    assert [name for name, _ in dash.aspects.legend] == ["positive", "neutral", "negative"]
    assert all("%" in s.tip for b in bars for s in b.segments) and all(b.note for b in bars)


def test_browser_sorts_numbers_and_dates_fits_intents_and_unescapes_entities(qtbot, analysed_project):
    import pandas as pd

    from gui.review_browser import ReviewBrowser
    from gui.review_model import COLUMNS

    _path, insights = analysed_project
    r = insights.reviews
    plain = next(i for i in range(len(r)) if i not in set(insights.mentions["index"]))  # no spans to keep
    r.loc[plain, "text"] = "&#34;Great&#34; value &amp; fast"
    r.loc[1, "intents"] = "complaint;refund_return;logistics_problem"
    browser = ReviewBrowser()
    qtbot.addWidget(browser)
    browser.resize(1200, 700)
    browser.show()
    browser.set_insights(insights)
    model, view = browser.model, browser.view
    assert view.isSortingEnabled() and model.index_map.tolist() == list(range(len(r)))  # input order first

    def column(name):
        return [model.data(model.index(i, COLUMNS.index(name))) for i in range(model.rowCount())]

    view.sortByColumn(COLUMNS.index("row"), Qt.SortOrder.DescendingOrder)
    rows = [int(x) for x in column("row")]
    assert rows == sorted(rows, reverse=True) and rows[0] == int(r["row"].max())  # 60 before 9: numeric
    view.sortByColumn(COLUMNS.index("date"), Qt.SortOrder.AscendingOrder)
    dates = pd.to_datetime(r["date"].iloc[model.index_map], errors="coerce")
    assert dates.dropna().is_monotonic_increasing and not dates.iloc[:dates.notna().sum()].isna().any()
    browser.apply_filter({"sentiment": "positive"})  # the sort holds across filters
    dates = pd.to_datetime(r["date"].iloc[model.index_map], errors="coerce")
    assert dates.dropna().is_monotonic_increasing and set(r["sentiment"].iloc[model.index_map]) == {"positive"}

    browser.apply_filter({})
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    assert column("text")[plain] == "\u0022Great\u0022 value & fast"
    browser.view.selectRow(plain)
    assert "\u0022Great\u0022 value & fast" in browser.detail.toPlainText()
    shown = column("intents")[1]
    assert shown == "Complaint, Refund / return, Delivery problem"
    width = view.fontMetrics().horizontalAdvance(shown)
    assert view.columnWidth(COLUMNS.index("intents")) >= min(width, 320)
    assert model.data(model.index(1, COLUMNS.index("intents")), Qt.ItemDataRole.ToolTipRole) == shown
