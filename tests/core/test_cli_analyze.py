"""``analyze`` through core.cli.run_cli with the real model and the sample exports."""
from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from core.cli import run_cli
from core.model import bundled_model_dir
from core.paths import resource_root

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


@pytest.mark.parametrize("flag", ["--sku-column", "--followup-column", "--reply-column"])
def test_missing_override_column_is_one_line_exit_2(tmp_path, capsys, flag):
    rc = run_cli(["analyze", str(SAMPLES / "jd_export_gbk.csv"), flag, "追加评价", "-o", str(tmp_path / "r.xlsx")])
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert len(err.splitlines()) == 1, err
    assert "jd_export_gbk.csv" in err and "'追加评价'" in err and flag in err and "columns are" in err
    assert not (tmp_path / "r.xlsx").exists()


@needs_model
def test_sku_followup_reply_overrides_reach_the_report(tmp_path, capsys):
    from openpyxl import load_workbook as load

    wb = load(SAMPLES / "taobao_export.xlsx")
    for row in wb["评价数据"].iter_rows(min_row=1, max_row=5):
        for c in row:
            if isinstance(c.value, str) and c.value in ("颜色分类", "追评内容", "商家回复"):
                c.value = {"颜色分类": "款型", "追评内容": "二次留言", "商家回复": "店铺说明"}[c.value]
    src = tmp_path / "renamed.xlsx"
    wb.save(src)
    report = tmp_path / "out.xlsx"
    rc = run_cli(["analyze", str(src), "-o", str(report), "--sku-column", "款型", "--followup-column", "二次留言",
                  "--reply-column", "店铺说明", "--device", "cpu", "--threads", "2", "--lang", "en"])
    assert rc == 0, capsys.readouterr().err
    out = load_workbook(report, read_only=True)
    method = {r[0]: r[1] for r in out[out.sheetnames[-1]].iter_rows(values_only=True)}
    assert method["column: sku"] == "款型"
    assert method["column: followup"] == "二次留言" and method["column: reply"] == "店铺说明"
    texts = {r[1] for r in out[out.sheetnames[1]].iter_rows(min_row=2, values_only=True)}
    replies = {c.value for c in wb["评价数据"]["I"] if c.value}
    assert not (texts & (replies - {"店铺说明"}))  # merchant replies are not analysed as reviews


@needs_model
def test_results_keep_typed_text_and_blank_missing_values(tmp_path, capsys):
    """A customer who typed "nan" keeps that text in the results (skipped as a placeholder);
    a missing rating is an empty cell, not the word nan."""
    src = tmp_path / "in.csv"
    src.write_text("review,rating\n物流很快，质量很好，很满意,5\nnan,\nNaN,1\n", encoding="utf-8")
    results = tmp_path / "res.csv"
    assert run_cli(["analyze", str(src), "--results", str(results), "--device", "cpu"]) == 0, capsys.readouterr().err
    with open(results, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["text"] for r in rows] == ["物流很快，质量很好，很满意", "nan", "NaN"]
    assert [r["skipped"] for r in rows] == ["", "placeholder", "placeholder"]
    assert rows[1]["rating"] == "" and rows[1]["sentiment"] == "" and rows[0]["rating"] in ("5", "5.0")


@needs_model
def test_followups_are_judged_and_reach_results_and_report(tmp_path, capsys):
    """The Taobao sample's 追评 get their own sentiment, in the results CSV and the report's
    review sheet, masked like the review; the shop's replies are shown, never analysed."""
    report, results = tmp_path / "out.xlsx", tmp_path / "res.csv"
    rc = run_cli(["analyze", str(SAMPLES / "taobao_export.xlsx"), "-o", str(report), "--results", str(results),
                  "--device", "cpu", "--lang", "en"])
    assert rc == 0, capsys.readouterr().err
    with open(results, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with_followup = [r for r in rows if r["followup"].strip()]
    assert len(with_followup) >= 20
    assert {r["followup_sentiment"] for r in with_followup} <= {"positive", "neutral", "negative", ""}
    assert all(r["followup_sentiment"] == "" for r in rows if not r["followup"].strip())
    by_text = {r["followup"]: r["followup_sentiment"] for r in with_followup}
    assert by_text.get("联系客服也没解决") == "negative" and by_text.get("回购了，和第一次一样好") == "positive"
    assert any(r["reply"].startswith("亲") for r in rows)
    ws = load_workbook(report, read_only=True)["Reviews"]
    header = next(ws.iter_rows(max_row=1, values_only=True))
    assert {"Follow-up review", "Follow-up sentiment", "Shop reply"} <= set(header)
    overview = {r[0]: r[1] for r in load_workbook(report, read_only=True)["Overview"].iter_rows(values_only=True)
                if len(r) > 1 and r[0]}
    assert overview["Follow-up reviews"] == len(with_followup)


def test_results_mask_followup_and_reply(tmp_path):
    from types import SimpleNamespace

    import pandas as pd

    from core.report import write_results_csv

    frame = pd.DataFrame({"row": [1], "text": ["很好"], "followup": ["电话13812345678，质量一般"],
                          "reply": ["王女士您好，请加微信 13912345678"]})
    out = write_results_csv(SimpleNamespace(results_frame=lambda: frame), tmp_path / "r.csv")
    text = out.read_text(encoding="utf-8-sig")
    assert "13812345678" not in text and "13912345678" not in text and "质量一般" in text


@needs_model
def test_date_column_without_dates_warns_in_one_line(tmp_path, capsys):
    src = tmp_path / "shop.csv"
    src.write_text("review,customer\n质量很好，很满意,Anna\n太差了，不会再买,Tom\n", encoding="utf-8")
    assert run_cli(["analyze", str(src), "--results", str(tmp_path / "r.csv"), "--date-column", "customer",
                    "--device", "cpu"]) == 0
    warnings = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1 and "shop.csv" in warnings[0] and "'customer'" in warnings[0]
