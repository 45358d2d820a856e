"""``analyze`` through core.cli.run_cli with the real model and the sample exports."""
from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from core.cli import run_cli
from core.engine import bundled_model_dir, resource_root

SAMPLES = resource_root() / "resources" / "samples"
needs_model = pytest.mark.skipif(not (bundled_model_dir() / "manifest.json").is_file(),
                                 reason="models/default is not built yet")


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)


@needs_model
@pytest.mark.parametrize("name", ["taobao_export.xlsx", "jd_export_gbk.csv", "amazon_export.csv"])
def test_analyze_samples(tmp_path, name, capsys):
    report, results = tmp_path / "out.xlsx", tmp_path / "res.csv"
    rc = run_cli(["analyze", str(SAMPLES / name), "-o", str(report), "--results", str(results),
                  "--device", "cpu", "--threads", "2", "--lang", "en"])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "reviews/s" in err and "Sentiment:" in err
    with open(results, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["row"]) for r in rows] == list(range(1, len(rows) + 1))
    assert {r["sentiment"] for r in rows} <= {"positive", "neutral", "negative", ""}
    assert all((r["sentiment"] == "") == (r["skipped"] != "") for r in rows)
    wb = load_workbook(report)
    assert "Overview" in wb.sheetnames and len(wb["Overview"]._charts) >= 1
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


@needs_model
def test_default_output_in_cwd(tmp_path):
    assert run_cli(["analyze", str(SAMPLES / "amazon_export.csv"), "--device", "cpu", "--lang", "zh"]) == 0
    assert (tmp_path / "amazon_export_report.xlsx").is_file()


def test_missing_input_is_a_user_error(tmp_path, capsys):
    assert run_cli(["analyze", str(tmp_path / "nope.xlsx")]) == 2
    assert "nope.xlsx" in capsys.readouterr().err
