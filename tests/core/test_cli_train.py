"""`main.py train` end to end: project labels -> quick retrain -> stored, activated -> rollback."""
from __future__ import annotations

import csv
import random

import pytest

from core.cli import run_cli
from core.model import ModelStore
from tests.fixtures import fruit_rows


def _write_labels(path, n=70):
    rows = fruit_rows()
    random.Random(3).shuffle(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["评价内容", "情感"])
        for r in rows[:n]:
            w.writerow([r["review"], "好评" if r["label"] == "1" else "差评"])


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    return tmp_path


def test_train_from_project_activates_and_rolls_back(home, capsys):
    labels = home / "labels.csv"
    _write_labels(labels)
    proj = home / "shop.rlproj"
    assert run_cli(["project", "create", str(proj)]) == 0
    assert run_cli(["import-labels", "--project", str(proj), str(labels), "--text-column", "评价内容",
                    "--label-column", "情感", "--task", "sentiment"]) == 0
    assert run_cli(["train", "--project", str(proj), "--task", "sentiment", "--mode", "quick", "--force"]) == 0
    out = capsys.readouterr().out
    assert "verdict:" in out and "current" in out and "activated" in out
    store = ModelStore(project=proj)
    versions = store.versions()
    assert len(versions) == 1 and versions[0].is_active
    trained = versions[0].version
    # models belong to a project: another project and a plain analyze keep the bundled model
    other = home / "other.rlproj"
    assert run_cli(["project", "create", str(other)]) == 0
    assert ModelStore(project=other).active_version() is None
    capsys.readouterr()
    for extra, expected in (([], "default-"), (["--project", str(other)], "default-"),
                            (["--project", str(proj)], trained)):
        assert run_cli(["analyze", str(labels), "--results", str(home / "r.csv"), *extra]) == 0
        err = capsys.readouterr().err
        assert f"Model {expected}" in err, (extra, err[-400:])
    assert run_cli(["models", "rollback", "--project", str(proj)]) == 0
    assert store.active_version() is None  # back to the bundled default


def test_train_from_file_writes_a_model_folder_usable_by_analyze(home, capsys):
    labels = home / "labels.csv"
    _write_labels(labels, n=40)
    out_dir = home / "mymodel"
    assert run_cli(["train", "--data", str(labels), "--text-column", "评价内容", "--label-column", "情感",
                    "--task", "sentiment", "--out", str(out_dir)]) == 0
    assert (out_dir / "manifest.json").exists()
    results = home / "r.csv"
    assert run_cli(["analyze", str(labels), "--model", str(out_dir), "--results", str(results)]) == 0
    with open(results, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 40 and {r["sentiment"] for r in rows} <= {"positive", "negative", "neutral"}


def test_train_mistakes_exit_2_with_one_line(home, capsys):
    labels = home / "labels.csv"
    _write_labels(labels, n=10)
    code = run_cli(["train", "--data", str(labels), "--text-column", "nope", "--label-column", "情感",
                    "--out", str(home / "m")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "nope" in err and "\n" not in err
