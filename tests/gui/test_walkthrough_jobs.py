"""Issue 17 (user walk-through): progress text, and confirmations around running jobs."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox



def _job(*, progress, cancel):
    progress(20480 / 23010 * 0.6, "20,480 / 23,010 reviews")
    return 1


def test_worker_reports_the_real_fraction(qtbot):
    from gui.workers import Worker

    w = Worker(_job)
    seen = []
    w.signals.progress.connect(lambda f, m: seen.append(f))
    with qtbot.waitSignal(w.signals.finished, timeout=10000):
        w.start()
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    assert seen == [pytest.approx(20480 / 23010 * 0.6)]


def test_progress_text_no_eta_when_done_or_cancelled(qtbot, window, model, zh_csv, tmp_path):
    from gui.workers import Eta

    assert window.new_project(tmp_path / "p.rlproj")
    wizard = window.start_import(zh_csv)
    page = wizard.analyse_page
    page.eta = Eta()
    page.eta.start = time.monotonic() - 20  # 20 s into the job
    page._progress(0.534, "20,480 / 23,010 reviews")
    text = page.message.text()
    assert text.startswith("20,480 / 23,010 reviews · 53 % overall · about ") and text.endswith(" left")
    assert page.bar.value() == 53  # the bar and the text show the same percent
    page.eta.start = time.monotonic() - 60
    assert page.eta.text(1.0) == "" and page.eta.text(0.5)  # known while running, none when done
    page._progress(1.0, "Done")
    assert "left" not in page.message.text()
    page._cancelled()
    assert page.message.text() == "Cancelled" and page.bar.text() == ""  # no "0 %", no ETA
    wizard.reject()


def _answer(monkeypatch, button):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), button)[1])
    return asked


def _running_import(qtbot, window, tmp_path):
    import pandas as pd
    from PySide6.QtWidgets import QWizard

    big = tmp_path / "big.csv"
    pd.DataFrame({"评价内容": [f"第{i}条：质量很好，物流很快，但是包装有点破" for i in range(20000)],
                  "评分": 5}).to_csv(big, index=False)
    window.new_project(tmp_path / "c.rlproj")
    wizard = window.start_import(big)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.columns_page.loaded, timeout=20000)
    wizard.next()
    back = wizard.button(QWizard.WizardButton.BackButton)
    assert back.isEnabled()
    qtbot.mouseClick(wizard.analyse_page.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.analyse_page.bar.value() > 0, timeout=20000)
    assert not back.isEnabled()  # no going back to the columns while the import runs
    return wizard


def test_cancelling_an_import_asks_first_and_back_is_off_meanwhile(qtbot, window, model, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QWizard

    wizard = _running_import(qtbot, window, tmp_path)
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    qtbot.mouseClick(wizard.analyse_page.cancel, Qt.MouseButton.LeftButton)
    wizard.reject()  # the wizard's own Cancel / Esc / close button
    assert len(asked) == 2 and "still running" in asked[0]
    assert wizard.job.busy and wizard.isVisible()
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(wizard.job.worker.signals.cancelled, timeout=30000):
        qtbot.mouseClick(wizard.analyse_page.cancel, Qt.MouseButton.LeftButton)
    assert asked and wizard.button(QWizard.WizardButton.BackButton).isEnabled()
    wizard.reject()  # nothing runs: no question
    assert len(asked) == 1 and not wizard.isVisible()


def test_quitting_during_an_import_asks_first(qtbot, window, model, tmp_path, monkeypatch):
    wizard = _running_import(qtbot, window, tmp_path)
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    window.close()
    assert asked and "Quit anyway" in asked[0]
    assert window.isVisible() and wizard.job.busy
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    window.close()
    assert len(asked) == 1 and not window.isVisible() and not wizard.job.busy
