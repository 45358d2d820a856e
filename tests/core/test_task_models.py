"""Intents and custom tasks: real (small) training runs, per-task activation, use in analysis."""
from __future__ import annotations

import csv
import json
import random

import numpy as np
import pytest

from core.analysis.intents import INTENTS, intents_dir, load_intent_classifier, load_rules
from core.cli import run_cli
from core.model import ModelStore, load_engine, load_task_model
from core.training import TrainConfig, multilabel_metrics, train_multilabel_model
from tests.fixtures import fruit_rows


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    return tmp_path


def _seeds(n: int | None = None, seed: int = 0) -> list[dict]:
    rows = [json.loads(line) for line in (intents_dir() / "seeds_zh.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    random.Random(seed).shuffle(rows)
    return rows[:n] if n else rows


def _fruit(n: int, seed: int = 0) -> list[dict]:
    rows = fruit_rows()
    random.Random(seed).shuffle(rows)
    return rows[:n]


def _analyze_rows(home, rows: list[dict], project=None) -> tuple:
    """Write ``rows``' reviews to a sheet, run ``analyze --results`` on it (with the models of
    ``project`` when given): (sheet, result rows)."""
    sheet, results = home / "new.csv", home / "results.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["评价内容"], *[[r["review"]] for r in rows]])
    extra = ["--project", str(project)] if project else []
    assert run_cli(["analyze", str(sheet), "--results", str(results), "--threads", "2", *extra]) == 0
    with open(results, encoding="utf-8-sig") as fh:
        return sheet, list(csv.DictReader(fh))


def test_multilabel_metrics_by_hand():
    y = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    p = np.array([[1, 0], [1, 0], [0, 1], [0, 1]])
    m = multilabel_metrics(y, p, ["a", "b"])
    assert m["accuracy"] == 0.5  # rows 0 and 3 exactly right
    assert m["per_class"]["a"]["f1"] == 1.0 and m["per_class"]["b"]["f1"] == pytest.approx(0.5)
    assert m["micro_f1"] == pytest.approx(2 * 3 / (4 + 4)) and m["macro_f1"] == pytest.approx(0.75)


def test_intents_from_a_file_quick_model_is_used_by_analysis(home, capsys):
    data = home / "intents.csv"
    with open(data, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["评价", "意图"])
        for r in _seeds():
            w.writerow([r["text"], ";".join(r["intents"])])  # a blank cell: none of the intents
    out = home / "intents-model"
    assert run_cli(["train", "--data", str(data), "--text-column", "评价", "--label-column", "意图",
                    "--task", "intents", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "micro-F1" in printed and "current" in printed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["task"] == "intents" and manifest["multi_label"] is True
    assert manifest["labels"] == list(INTENTS) and len(manifest["thresholds"]) == len(INTENTS)
    new, current = manifest["metrics"]["new"], manifest["metrics"]["current"]
    assert new["n"] == current["n"] > 0 and set(new["per_class"]) == set(INTENTS)
    assert new["micro_f1"] > 0.6, new  # held-out reviews: the head learnt the owner's intents

    from core.project import Project

    proj = home / "shop.rlproj"
    Project.create(proj).close()
    store = ModelStore(project=proj)
    assert run_cli(["models", "import", str(out)]) == 0
    version = store.versions()[0].version
    assert run_cli(["models", "activate", version, "--project", str(proj)]) == 0
    assert store.active_version() is None and store.active_version("intents") == version  # sentiment untouched

    from core.analysis import analyze_table
    from core.importing import read_reviews

    texts = ["橘子很甜，下次还来买", "请问这个苹果能放几天？", "快递太慢了，一周才到，烂了好几个，要求退款"]
    sheet = home / "reviews.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["评价内容"], *[[t] for t in texts]])
    engine = load_engine(device="cpu")
    assert load_intent_classifier(engine).model is None  # without the project: the seed head
    clf = load_intent_classifier(engine, store=store)
    assert clf.model is not None and clf.head is None
    insights = analyze_table(read_reviews(str(sheet)), engine, task_models=[], store=store)
    assert insights.method["intent_model"] == version
    rules = load_rules()
    trained = load_task_model(store.get(version).path).predict(texts)
    for text, got, extra in zip(texts, insights.reviews["intents"], trained):
        want = rules.hits(text, "zh") | set(extra)
        assert got == ";".join(i for i in INTENTS if i in want)
    assert "refund_return" in insights.reviews["intents"].iloc[2]


def _freshness_project(home, rows: list[dict]):
    """A project with a custom 'freshness' task labelled fresh/spoiled from real fruit reviews."""
    from core.project import Project, import_labels

    data = home / "defects.csv"
    with open(data, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["评价内容", "freshness"])
        for r in rows:
            w.writerow([r["review"], "fresh" if r["label"] == "1" else "spoiled"])
    proj = home / "shop.rlproj"
    with Project.create(proj) as project:
        project.add_task("freshness", ["fresh", "spoiled"])
        import_labels(project, data, text_column="评价内容", label_column="freshness", task="freshness")
    return proj


def test_custom_task_from_project_is_activated_and_becomes_a_results_column(home):
    proj = _freshness_project(home, _fruit(90, seed=4))
    assert run_cli(["train", "--project", str(proj), "--task", "freshness", "--mode", "quick"]) == 0
    store = ModelStore(project=proj)
    assert store.active_version() is None  # the sentiment model analysis uses is unchanged
    version = store.active_version("freshness")
    assert version is not None and store.get(version).task == "freshness"

    new_rows = _fruit(40, seed=99)
    sheet, got = _analyze_rows(home, new_rows)
    assert "task:freshness" not in got[0]  # not this project: the model is offered, not imposed
    sheet, got = _analyze_rows(home, new_rows, project=proj)
    assert len(got) == 40 and "task:freshness" in got[0]
    report = home / "report.xlsx"
    assert run_cli(["analyze", str(sheet), "-o", str(report), "--threads", "2", "--lang", "en",
                    "--project", str(proj)]) == 0
    import openpyxl

    wb = openpyxl.load_workbook(report, read_only=True)
    ws = next(wb[n] for n in wb.sheetnames if n.lower().startswith("review"))
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header[-1] == "freshness"
    assert {r[-1] for r in ws.iter_rows(min_row=2, values_only=True)} <= {"fresh", "spoiled", None, ""}
    answers = [g["task:freshness"] for g in got]
    assert set(answers) <= {"fresh", "spoiled", ""}
    truth = ["fresh" if r["label"] == "1" else "spoiled" for r in new_rows]
    assert np.mean([a == t for a, t in zip(answers, truth)]) > 0.75
    assert run_cli(["models", "rollback", "--task", "freshness", "--project", str(proj)]) == 0
    assert store.active_version("freshness") is None


def test_full_mode_multilabel_trains_exports_and_predicts(home):
    rows = _seeds(72, seed=2)
    cfg = TrainConfig(mode="full", max_epochs=3, train_layers=1, batch_size=8, max_length=64, threads=2)
    result = train_multilabel_model([r["text"] for r in rows], [r["intents"] for r in rows], task="intents",
                                    label_names=list(INTENTS), mode="full", config=cfg, staging_root=home / "stage")
    manifest = json.loads((result.staging_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["multi_label"] is True and len(manifest["thresholds"]) == len(INTENTS)
    assert manifest["metrics"]["int8_vs_fp32_agreement"] >= 0.8
    assert result.evaluation == "held-out" and "micro_f1" in result.metrics_new
    assert result.metrics_current is not None  # the rule + seed classifier, on the same reviews
    model = load_task_model(result.staging_dir)
    answers = model.predict(["质量很好，还会回购", "怎么还没发货？"])
    assert len(answers) == 2 and all(set(a) <= set(INTENTS) for a in answers)


def test_aspect_polarity_labels_train_a_model_that_analysis_uses(home):
    """Owner's aspect labels -> one (clause, polarity) example per mention -> quick model for
    the 'aspects' task -> analysis takes mention polarities from it (no task: column)."""
    from core.analysis import load_lexicon
    from core.project import Project, import_labels

    lexicon = load_lexicon()
    labelled = []
    for r in _fruit(1500, seed=5):
        found = lexicon.find(r["review"], "zh")
        if found:
            labelled.append((r["review"], f"{found[0][0]}:{'positive' if r['label'] == '1' else 'negative'}"))
    labelled = labelled[:120]
    assert len(labelled) >= 60
    data = home / "aspects.csv"
    with open(data, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["评价内容", "方面"], *labelled])
    proj = home / "shop.rlproj"
    with Project.create(proj) as project:
        import_labels(project, data, text_column="评价内容", label_column="方面", task="aspects")
        assert len(project.labels("aspects")) == len(labelled)
    assert run_cli(["train", "--project", str(proj), "--task", "aspects", "--mode", "quick", "--force"]) == 0
    store = ModelStore(project=proj)
    version = store.active_version("aspects")
    assert version is not None and store.active_version() is None

    new_rows = [r for r in _fruit(1500, seed=77) if lexicon.find(r["review"], "zh")][:40]
    sheet, got = _analyze_rows(home, new_rows, project=proj)
    assert len(got) == 40 and "task:aspects" not in got[0]
    right = total = 0
    for g, r in zip(got, new_rows):
        for pair in filter(None, g["aspects"].split(";")):
            total += 1
            right += pair.split(":")[1] == ("positive" if r["label"] == "1" else "negative")
    assert total >= 30 and right / total > 0.7
    from core.model import active_task_models

    assert [m.task for m in active_task_models(store=store, tasks=["aspects"])] == ["aspects"]
    assert all(m.task != "aspects" for m in active_task_models(store=store))
    assert active_task_models(tasks=["aspects"]) == []  # no project: nothing of the owner's
    # the analysis really took the mention polarities from that model
    from core.analysis import analyze_table
    from core.importing import read_reviews

    model = load_task_model(store.get(version).path)
    ins = analyze_table(read_reviews(sheet), load_engine(None, device="cpu", threads=2), task_models=[model])
    assert ins.method["task_models"] == {"aspects": version}
    from core.text import split_clauses

    single = [(t, a) for t, a in zip(ins.reviews["text"], ins.reviews["aspects"])
              if a and len(split_clauses(t)) <= 1][:5]
    assert single
    for text, pairs in single:  # one clause: the model judged the whole review
        assert {p.split(":")[1] for p in pairs.split(";")} == {model.predict([text])[0][0]}


def test_a_retrained_custom_task_is_compared_with_its_previous_version(home):
    proj = _freshness_project(home, _fruit(120, seed=8))
    assert run_cli(["train", "--project", str(proj), "--task", "freshness", "--mode", "quick"]) == 0
    from core.training import labelled_from_project, train_model

    texts, labels, names, _multi = labelled_from_project(proj, "freshness")
    store = ModelStore(project=proj)
    result = train_model(texts, labels, task="freshness", label_names=names, mode="quick", store=store,
                         staging_root=home / "staging")
    assert result.metrics_current is not None and not result.verdict.startswith("First model")
