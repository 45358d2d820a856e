"""Aspect-polarity labelling with keys (persisted in the project file), every dashboard
element filtering the browser to exactly the reviews behind it, and a job process."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from tests.gui.conftest import open_and_wait


def _db(path: Path, sql: str, *args):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _aspect_rows(path: Path, rid: int):
    return _db(path, "SELECT value FROM labels WHERE review_id=? AND task='aspects' ORDER BY value", rid)


def test_aspect_polarity_labelling_with_keys(qtbot, window, analysed_project):
    path = open_and_wait(qtbot, window, analysed_project[0])
    page = window.labeling
    window.tabs.setCurrentWidget(page)
    page.task.setCurrentIndex(page.task.findData("aspects"))
    assert [b.text()[:1] for b in page.label_buttons] == ["1", "2", "3"]  # negative / neutral / positive
    qtbot.mouseClick(page.fetch, Qt.MouseButton.LeftButton)
    q = page.queue
    assert len(q) >= 3 and set(q.columns) >= {"id", "aspect", "spans"}
    # the current aspect's term is marked in the review text, the guess shown
    s, e = q["spans"].iat[0][0]
    term = q["text"].iat[0][s:e]
    html = page.text.toHtml()
    assert term in html and "underline" in html
    assert "Model's guess" in page.guess.text() and "Aspect:" in page.position.text()
    page.setFocus()

    rid0, a0 = int(q["id"].iat[0]), q["aspect"].iat[0]
    qtbot.keyClick(page, Qt.Key.Key_1)  # negative, saved at once
    assert _aspect_rows(path, rid0) == [(f"{a0}:negative",)]
    assert page.pos == 1
    rid1, a1 = int(q["id"].iat[1]), q["aspect"].iat[1]
    qtbot.keyClick(page, Qt.Key.Key_3)  # positive on the next mention
    assert (f"{a1}:positive",) in _aspect_rows(path, rid1)
    qtbot.keyClick(page, Qt.Key.Key_Z)  # undo removes it again
    assert (f"{a1}:positive",) not in _aspect_rows(path, rid1)
    assert page.pos == 1

    # relabel the first mention: one polarity per aspect, undo brings back the earlier one
    qtbot.keyClick(page, Qt.Key.Key_Left)
    assert page.pos == 0
    qtbot.keyClick(page, Qt.Key.Key_2)
    assert _aspect_rows(path, rid0) == [(f"{a0}:neutral",)]
    qtbot.keyClick(page, Qt.Key.Key_Z)
    assert _aspect_rows(path, rid0) == [(f"{a0}:negative",)]
    assert "Labelled" in page.current.text()

    qtbot.keyClick(page, Qt.Key.Key_S)  # skip: nothing written
    assert page.pos == 1
    qtbot.keyClick(page, Qt.Key.Key_Right)
    assert page.pos == 2
    # Down: the first mention of the next review; Up: back to the start of this one / the previous
    ids = q["id"].tolist()
    starts = [i for i in range(len(ids)) if i == 0 or ids[i] != ids[i - 1]]
    qtbot.keyClick(page, Qt.Key.Key_Down)
    assert page.pos == next((i for i in starts if i > 2), len(q))
    before = page.pos
    qtbot.keyClick(page, Qt.Key.Key_Up)
    assert page.pos < before and page.pos in starts
    assert page.count_bars["negative"].value() == 1 and page.count_bars["positive"].value() == 0

    # labelled reviews leave the queue next time; the file holds exactly what was confirmed
    qtbot.mouseClick(page.fetch, Qt.MouseButton.LeftButton)
    assert rid0 not in page.queue["id"].tolist()
    assert _db(path, "SELECT count(*) FROM labels WHERE task='aspects'") == [(1,)]


def _click_segment(qtbot, chart, key):
    chart.repaint()
    for rect, seg in chart.segment_rects():
        if seg.key == key:
            qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
            return seg
    raise AssertionError(f"no segment {key!r}")


def test_every_dashboard_element_filters_to_its_reviews(qtbot, window, analysed_project):
    open_and_wait(qtbot, window, analysed_project[0])
    ins, dash, browser = window.insights, window.dashboard, window.browser
    r = ins.reviews
    analysed = r["skipped"] == ""

    def shown():
        return r.iloc[browser.model.index_map]

    # what-to-fix: every entry opens exactly the reviews it counts (tests/gui/test_fix_list.py has
    # the rules on known text; with the tiny model here only the counts can be checked)
    for i in range(dash.fix.topLevelItemCount()):
        item = dash.fix.topLevelItem(i)
        filt = item.data(0, Qt.ItemDataRole.UserRole)
        if not filt:
            continue
        window.tabs.setCurrentWidget(dash)
        dash.fix.setCurrentItem(item)
        dash.fix.setFocus()
        qtbot.keyClick(dash.fix, Qt.Key.Key_Return)
        assert window.tabs.currentWidget() is browser
        assert len(browser.model.index_map) == int(ins.fix_list.iloc[i]["reviews"])

    # KPI tiles
    counts = ins.sentiment_counts()
    for key, n in (("reviews", len(r)), ("positive", counts["positive"]), ("neutral", counts["neutral"]),
                   ("negative", counts["negative"]), ("rating", int(analysed.sum())),
                   ("mismatch", len(ins.mismatches))):
        window.tabs.setCurrentWidget(dash)
        qtbot.mouseClick(dash.tiles[key], Qt.MouseButton.LeftButton)
        assert browser.model.index_map.size == n, key
    # sentiment split and product bars: the segment's figure is the number of reviews shown
    for chart in (dash.split, dash.products):
        for _, seg in [(None, s) for b in chart.bars for s in b.segments if s.value > 0]:
            window.tabs.setCurrentWidget(dash)
            _click_segment(qtbot, chart, seg.key)
            assert browser.model.index_map.size == round(seg.value), seg.key
    # aspects: every review shown holds that aspect with that polarity, and every such review is shown
    for b in dash.aspects.bars:
        for seg in [s for s in b.segments if s.value > 0]:
            window.tabs.setCurrentWidget(dash)
            _click_segment(qtbot, dash.aspects, seg.key)
            aspect, pol = seg.key
            m = ins.mentions[(ins.mentions["aspect"] == aspect) & (ins.mentions["polarity"] == pol)]
            assert set(browser.model.index_map.tolist()) == set(m["index"].tolist()), seg.key
    # trend points: the reviews of that period the share was computed over
    dash.by_month.setChecked(True)
    frame = ins.trend_month
    dash.trend.repaint()
    for i, p in enumerate(dash.trend.point_positions()):
        window.tabs.setCurrentWidget(dash)
        qtbot.mouseClick(dash.trend, Qt.MouseButton.LeftButton, pos=p.toPoint())
        assert browser.model.index_map.size == int(frame["reviews"].iat[i]), frame["period"].iat[i]


def test_job_process_reports_user_error_as_one_line(qtbot, tmp_path):
    """A UserError raised in the job process arrives as its one-line message."""
    from gui.session import open_or_analyse
    from gui.workers import ProcessWorker

    worker = ProcessWorker(open_or_analyse, tmp_path / "missing.rlproj", reanalyse=True, device="cpu", threads=1)
    with qtbot.waitSignal(worker.signals.failed, timeout=60000) as blocker:
        worker.start()
    assert "does not exist" in blocker.args[0] and "\n" not in blocker.args[0]
    assert worker.pid is not None
