"""The training wizard's results page: verdict, the figure the model manager also shows, the
comparison interval, per-class F1, the confusion matrix, and Activate / Discard.

The figures come from the new version's own manifest (``metrics``, what the model manager
reads later), so both windows show the same number for the same model. Activate is off when
some labelled class has too few labels (``TrainResult.activatable``; core refuses those
even when forced) and the page says how many more of which class are needed. When the new
model is not shown to be better, Discard is the default button (Enter discards).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWizard, QWizardPage)

from gui.i18n import label_name, language, tr
from gui.model_figures import figure_text, manifest_metrics


def make_table(headers: list[str], rows: list[list[str]], name: str) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            t.setItem(r, c, QTableWidgetItem(v))
    t.resizeColumnsToContents()
    t.resizeRowsToContents()
    # show every row: these tables are small and a scroll bar hides the figures that matter
    t.setFixedHeight(t.horizontalHeader().height() + sum(t.rowHeight(r) for r in range(len(rows))) + 4)
    return t


def _f(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, (int, float)) else "–"


def result_metrics(result) -> dict[str, Any]:
    """The metrics stored in the new version's manifest; the TrainResult's own when it has none."""
    stored = manifest_metrics(result.staging_dir)
    if isinstance(stored.get("new"), dict):
        return stored
    return {"new": result.metrics_new or {}, "current": result.metrics_current, "n_compared": result.n_compared}


def need_more_text(task: str, missing: dict) -> str:
    """"Label 18 more 'neutral' reviews before this model can be activated." (one sentence
    for several classes: "5 more 'negative' and 5 more 'positive'")."""
    parts = [tr("need_more_part", n=n, c=label_name(task, str(c))) for c, n in missing.items()]
    what = (list_join(parts[:-1]) + tr("and") + parts[-1]) if len(parts) > 1 else "".join(parts)
    return tr("need_more", what=what)


def list_join(items: list[str]) -> str:
    return ("、" if language() == "zh" else ", ").join(items)


def interval_text(result) -> str:
    interval = getattr(result, "interval", None)
    n = getattr(result, "n_compared", 0) or getattr(result, "n_eval", 0)
    if interval is None:
        return tr("no_interval", n=n)
    low, high = interval
    new = (result.metrics_new or {}).get("macro_f1", 0.0)
    cur = (result.metrics_current or {}).get("macro_f1", 0.0)
    return tr("interval", d=f"{new - cur:+.3f}", lo=f"{low:+.3f}", hi=f"{high:+.3f}", n=n)


def verdict_text(result) -> str:
    """core.training's verdict (English), or the same verdict said in Chinese from the same
    figures; the "cannot be activated yet" part is said by the page's own line instead."""
    text = str(result.verdict).split(" It cannot be activated yet")[0]
    if language() == "en":
        return text
    new, cur = result.metrics_new or {}, result.metrics_current or {}
    figures = {"new": f"{new.get('macro_f1', 0):.2f}", "cur": f"{cur.get('macro_f1', 0):.2f}", "n": result.n_eval}
    if text.startswith("First model") or not cur:
        return tr("verdict_first", acc=f"{new.get('accuracy', 0):.0%}", new=figures["new"], n=result.n_eval)
    for prefix, key in (("The new model is better", "verdict_better"), ("The new model is worse", "verdict_worse"),
                        ("Not enough evidence", "verdict_unsure")):
        if text.startswith(prefix):
            return tr(key, **figures)
    return tr("verdict_same", **figures)


class ResultsPage(QWizardPage):
    def __init__(self, wiz) -> None:
        super().__init__()
        self.wiz = wiz
        self.setTitle(tr("results"))
        self.setSubTitle(tr("results_sub"))
        self.layout_ = QVBoxLayout(self)
        self.verdict = self._label("verdict")
        self.need_more = self._label("train_need_more")
        self.figure = self._label("train_figure")
        self.tables = QVBoxLayout()
        self.layout_.addLayout(self.tables)
        row = QHBoxLayout()
        self.activate_button = QPushButton(tr("activate"))
        self.activate_button.setObjectName("train_activate")
        self.activate_button.clicked.connect(lambda: self.wiz.activate())
        self.discard_button = QPushButton(tr("discard"))
        self.discard_button.setObjectName("train_discard")
        self.discard_button.clicked.connect(self.wiz.discard)
        row.addWidget(self.activate_button)
        row.addWidget(self.discard_button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.decided = False

    def _label(self, name: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        label.setWordWrap(True)
        self.layout_.addWidget(label)
        return label

    def initializePage(self) -> None:  # noqa: N802
        result = self.wiz.progress_page.result
        while self.tables.count():
            w = self.tables.takeAt(0).widget()
            if w:
                w.deleteLater()
        metrics = result_metrics(result)
        new, cur = metrics.get("new") or {}, metrics.get("current") or {}
        self.verdict.setText(("✔ " if result.better else "⚠ ") + verdict_text(result))
        self.verdict.setToolTip(str(result.verdict))  # core's own wording (English)
        self.figure.setText(figure_text(metrics))
        self.need_more.setText("⚠ " + need_more_text(self.wiz.task(), result.missing) if result.missing else "")
        self.need_more.setVisible(bool(result.missing))
        self.tables.addWidget(make_table([tr("metric"), tr("new_model"), tr("current_model")],
                                         [[tr(k), _f(new.get(k)), _f(cur.get(k)) if cur else "–"]
                                          for k in ("accuracy", "macro_f1")], "metrics_table"))
        interval = QLabel(interval_text(result))
        interval.setObjectName("train_interval")
        interval.setWordWrap(True)
        self.tables.addWidget(interval)
        self._detail_tables(new, cur)
        self._buttons(result)

    def _detail_tables(self, new: dict, cur: dict) -> None:
        task = self.wiz.task()
        labels = list(new.get("labels") or self.wiz.host.project.task(task).labels)
        pn, pc = new.get("per_class") or {}, cur.get("per_class") or {}

        def f1(d: dict, label: str) -> Any:
            v = d.get(label)
            if isinstance(v, dict):  # no review of this class was scored: no F1, not 0
                return v.get("f1") if v.get("support", 1) else None
            return v

        self.tables.addWidget(QLabel(tr("per_class")))
        self.tables.addWidget(make_table([tr("label"), tr("new_model"), tr("current_model")],
                                         [[label_name(task, l), _f(f1(pn, l)), _f(f1(pc, l))] for l in labels],
                                         "per_class_table"))
        confusion = new.get("confusion")
        if confusion:
            self.tables.addWidget(QLabel(tr("confusion")))
            names = [label_name(task, l) for l in labels]
            t = make_table(names, [[str(v) for v in row] for row in confusion], "confusion_table")
            t.setVerticalHeaderLabels(names)
            t.verticalHeader().setVisible(True)
            self.tables.addWidget(t)

    def _buttons(self, result) -> None:
        """Activate only when core allows it; Enter discards a model not shown to be better.
        The wizard's own Next/Finish would otherwise be the default button: off on this page."""
        self.wiz.setOption(QWizard.WizardOption.NoDefaultButton, True)
        self.activate_button.setEnabled(bool(result.activatable) and not self.decided)
        self.activate_button.setToolTip(need_more_text(self.wiz.task(), result.missing) if result.missing else "")
        self.discard_button.setEnabled(not self.decided)
        default = self.activate_button if result.better and result.activatable else self.discard_button
        other = self.discard_button if default is self.activate_button else self.activate_button
        other.setDefault(False)
        default.setDefault(True)
        default.setFocus()

    def cleanupPage(self) -> None:  # noqa: N802 - Back: the wizard's buttons are the default again
        self.wiz.setOption(QWizard.WizardOption.NoDefaultButton, False)

    def isComplete(self) -> bool:  # noqa: N802
        return self.decided
