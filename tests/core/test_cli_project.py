from __future__ import annotations

import json

import pandas as pd
import pytest

from core.cli import run_cli
from core.model import ModelStore
from core.project import Project
from tests.core.test_model_store import make_model


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def project_path(tmp_path):
    path = tmp_path / "shop.rlproj"
    assert run_cli(["project", "create", str(path)]) == 0
    return path


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ")
    return err


def test_import_export_labels_and_info(project_path, tmp_path, capsys):
    src = tmp_path / "labels.csv"
    pd.DataFrame({"评价": ["很好用", "漏水了", "一般般"], "标注": ["好评", "差评", "中评"]}).to_csv(src, index=False)
    capsys.readouterr()
    code = run_cli(["import-labels", "--project", str(project_path), str(src), "--text-column", "评价",
                    "--label-column", "标注", "--task", "sentiment"])
    assert code == 0
    assert "3 reviews labeled for sentiment (3 new reviews added" in capsys.readouterr().out

    out = tmp_path / "out.xlsx"
    assert run_cli(["export-labels", "--project", str(project_path), "-o", str(out), "--task", "sentiment"]) == 0
    assert "3 labeled reviews written" in capsys.readouterr().out
    assert sorted(pd.read_excel(out)["label"]) == ["negative", "neutral", "positive"]

    assert run_cli(["project", "info", str(project_path)]) == 0
    text = capsys.readouterr().out
    assert "reviews: 3 from 1 source file(s)" in text
    assert "labels sentiment: 3 (negative 1, neutral 1, positive 1)" in text
    assert run_cli(["project", "info", str(project_path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["schema_version"] == 2 and info["labels"]["sentiment"]["positive"] == 1


def test_import_labels_mistakes_exit_2_with_one_line(project_path, tmp_path, capsys):
    src = tmp_path / "labels.csv"
    pd.DataFrame({"text": ["a", "b"], "label": ["好评", "棒极了"]}).to_csv(src, index=False)
    capsys.readouterr()
    args = ["import-labels", "--project", str(project_path), str(src), "--text-column", "text", "--label-column"]
    assert run_cli(args + ["label", "--task", "sentiment"]) == 2
    assert "labels.csv row 3, column 'label': unknown sentiment label '棒极了'" in _one_line_error(capsys)
    assert run_cli(args + ["label", "--task", "colour"]) == 2
    assert "Task 'colour' does not exist" in _one_line_error(capsys)
    assert run_cli(args + ["stars", "--task", "sentiment"]) == 2
    assert "has no column 'stars'" in _one_line_error(capsys)
    assert run_cli(["project", "info", str(tmp_path / "missing.rlproj")]) == 2
    assert "does not exist" in _one_line_error(capsys)
    assert run_cli(["export-labels", "--project", str(project_path), "-o", str(tmp_path / "x.pdf")]) == 2
    assert ".csv or .xlsx" in _one_line_error(capsys)


def test_import_labels_refused_while_project_open_elsewhere(project_path, tmp_path, capsys):
    src = tmp_path / "labels.csv"
    pd.DataFrame({"text": ["a"], "label": ["好评"]}).to_csv(src, index=False)
    # A lock held through another open file description behaves like another process.
    with Project.open(project_path):
        code = run_cli(["import-labels", "--project", str(project_path), str(src), "--text-column", "text",
                        "--label-column", "label", "--task", "sentiment"])
    assert code == 2
    assert "already open in another ReviewLens window" in _one_line_error(capsys)


def test_models_commands(home, tmp_path, capsys):
    store = ModelStore()
    a = store.add(make_model(store.new_staging_dir(), created="2026-01-01T10:00:00"), activate=False)
    b = store.add(make_model(store.new_staging_dir(), created="2026-02-01T10:00:00"), activate=False)
    shop, other = tmp_path / "shop.rlproj", tmp_path / "other.rlproj"
    Project.create(shop).close()
    Project.create(other).close()
    capsys.readouterr()
    assert run_cli(["models", "list", "--project", str(shop)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "* (bundled default)"
    assert lines[1].startswith(f"  {a.version}  sentiment") and "macro_f1=0.810" in lines[1]

    assert run_cli(["models", "activate", a.version]) == 2  # models belong to a project: name it
    assert "--project" in _one_line_error(capsys)
    assert run_cli(["models", "activate", a.version, "--project", str(shop)]) == 0
    assert run_cli(["models", "activate", b.version, "--project", str(shop)]) == 0
    capsys.readouterr()
    assert run_cli(["models", "list", "--project", str(shop)]) == 0
    assert f"* {b.version}" in capsys.readouterr().out
    assert run_cli(["models", "list", "--project", str(other)]) == 0  # offered there, not imposed
    out = capsys.readouterr().out
    assert "* (bundled default)" in out and f"* {b.version}" not in out
    assert run_cli(["models", "delete", b.version, "--project", str(shop)]) == 2
    assert "is the active model" in _one_line_error(capsys)
    assert run_cli(["models", "rollback", "--project", str(shop)]) == 0
    assert capsys.readouterr().out.strip() == f"active sentiment model: {a.version}"
    assert run_cli(["models", "delete", b.version]) == 0
    assert run_cli(["models", "rollback", "--project", str(shop)]) == 0
    assert capsys.readouterr().out.strip().endswith("active sentiment model: (bundled default)")

    assert run_cli(["models", "export", a.version, str(tmp_path / "usb")]) == 0
    assert (tmp_path / "usb" / a.version / "manifest.json").is_file()
    store.delete(a.version)
    capsys.readouterr()
    assert run_cli(["models", "import", str(tmp_path / "usb" / a.version)]) == 0
    assert f"imported {a.version}" in capsys.readouterr().out
    assert run_cli(["models", "activate", "no-such-version"]) == 2
    assert "does not exist" in _one_line_error(capsys)
    bad = make_model(tmp_path / "bad", extra={"model.pkl": b"x"})
    assert run_cli(["models", "import", str(bad)]) == 2
    assert "pickle files are never accepted" in _one_line_error(capsys)
