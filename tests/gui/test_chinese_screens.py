"""Chinese UI fixes found on the screenshots (bench/screenshots.py): no English notes from core
on the import wizard, one sentence for the labels still needed, no F1 for an unscored class."""
from __future__ import annotations

import pytest

from gui.main_window import MainWindow
from tests.gui.conftest import columns_page_with_nickname_column


@pytest.fixture
def window(qtbot):
    from gui.i18n import set_language

    set_language("zh")
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()
    set_language("en")


def test_import_date_note_in_chinese_and_wrapped(qtbot, window, model, tmp_path):
    wizard, page = columns_page_with_nickname_column(qtbot, window, tmp_path)
    page.result = None
    page.combos["date"].setCurrentIndex(page.combos["date"].findData("买家昵称"))
    qtbot.waitUntil(lambda: page.result is not None, timeout=20000)
    assert "⚠ 日期列“买家昵称”：2 个非空单元格中只有 0 个是日期" in page.counts.text()
    assert "date column" not in page.counts.text() and page.counts.wordWrap()
    wizard.reject()


def test_need_more_is_one_sentence_and_unscored_class_has_no_f1(qtbot, window):
    from gui.training_results import ResultsPage, need_more_text

    assert need_more_text("sentiment", {"negative": 5, "positive": 3}) == \
        "还需再标注 5 条“负面”和 3 条“正面”评论，才能启用这个模型。"
    from gui.i18n import set_language

    set_language("en")
    assert need_more_text("sentiment", {"neutral": 18}) == \
        "Label 18 more 'neutral' reviews before this model can be activated."
    assert need_more_text("sentiment", {"negative": 5, "neutral": 1, "positive": 3}) == \
        "Label 5 more 'negative', 1 more 'neutral' and 3 more 'positive' reviews before this model can be activated."
    set_language("zh")

    class Wiz:
        host = None

        @staticmethod
        def task():
            return "sentiment"

        def activate(self):
            pass

        def discard(self):
            pass

    page = ResultsPage(Wiz())
    qtbot.addWidget(page)
    per_class = {"negative": {"f1": 0.9, "support": 4}, "neutral": {"f1": 0.0, "support": 0}}
    page._detail_tables({"labels": ["negative", "neutral"], "per_class": per_class}, {})
    from PySide6.QtWidgets import QTableWidget

    table = page.findChild(QTableWidget, "per_class_table")
    assert [table.item(r, 1).text() for r in range(2)] == ["0.900", "–"]
    assert table.item(1, 0).text() == "中性"
