"""The Excel report from hand-built Insights (report writing does not need the model)."""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from core.analysis import Insights, mismatch_flags
from core.analysis.summary import aspect_table, fix_list, product_table, requests_table
from core.analysis.trends import aspect_trend, volume_trend
from core.errors import UserError
from core.jobs import Cancelled, CancelToken
from core.report import SHEETS, write_report


def _insights(n: int = 60) -> Insights:
    texts = [f"评论{i} 质量不错" for i in range(n)]
    texts[0] = "=HYPERLINK(\"http://evil\",\"x\") 联系我 13812345678"
    texts[1] = "+1 great, mail me at bob@example.com"
    texts[2] = "-bad\tthing"
    texts[3] = ""
    sent = np.array(["positive", "negative", "neutral"] * (n // 3), dtype=object)
    sent[3] = ""
    reviews = pd.DataFrame({
        "row": np.arange(1, n + 1), "text": texts, "sentiment": sent,
        "sentiment_confidence": np.where(sent == "", np.nan, 0.9),
        "aspects": ["quality:" + s if s else "" for s in sent],
        "intents": ["suggestion" if i % 5 == 0 else "" for i in range(n)],
        "skipped": ["" if s else "empty" for s in sent], "language": ["zh"] * n,
        "duplicate_of": pd.array([None] * n, dtype="Int64"),
        "product": ["A" if i % 2 else "B" for i in range(n)],
        "date": pd.date_range("2024-01-01", periods=n, freq="5D").to_numpy(),
        "rating": np.where(sent == "negative", 5.0, 4.0),
    })
    reviews["mismatch"] = mismatch_flags(reviews["rating"], reviews["sentiment"], reviews["sentiment_confidence"])
    has = reviews["skipped"] == ""
    mentions = pd.DataFrame({"index": np.flatnonzero(has), "row": reviews["row"][has].to_numpy(),
                             "aspect": "quality", "term": "质量", "clause": reviews["text"][has].to_numpy(),
                             "polarity": reviews["sentiment"][has].to_numpy(), "confidence": 0.9,
                             "start": 0, "end": 2})
    topics = pd.DataFrame([{"topic": 1, "kind": "complaint", "name": "做工", "phrases": "做工", "reviews": 3,
                            "mentions": 3, "share": 3 / (n - 1), "products": "A (2); B (1)", "quotes": texts[:3]}])
    ins = Insights(reviews=reviews, mentions=mentions, aspect_names={"quality": {"zh": "质量", "en": "Quality"}})
    ins.aspects = aspect_table(mentions)
    ins.keywords = {"negative": [("做工", 0.5)], "positive": [("不错", 0.4)], "neutral": []}
    ins.aspect_keywords = {"quality": [("质量", 0.3)]}
    ins.topics = topics
    ins.trend_week = volume_trend(reviews["date"][has], reviews["sentiment"][has], freq="week")
    ins.trend_month = volume_trend(reviews["date"][has], reviews["sentiment"][has], freq="month")
    ins.aspect_trend = aspect_trend(pd.Series(reviews["date"].to_numpy()[mentions["index"]]), mentions["aspect"],
                                    mentions["polarity"])
    ins.products = product_table(reviews, mentions)
    ins.mismatches = reviews[reviews["mismatch"] != ""][["row", "rating", "sentiment", "sentiment_confidence",
                                                         "mismatch", "text", "product"]]
    ins.fix_list = fix_list(reviews[has], mentions, topics)
    ins.requests = requests_table(reviews[has])
    ins.method = {"model_version": "test", "provider": "CPUExecutionProvider", "rows": n,
                  "skipped": {"empty": 1, "placeholder": 0, "non_text": 0}, "columns": {"text": "评价内容"}}
    return ins


def _all_values(wb):
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                yield ws.title, c


def test_report_zh_sheets_charts_no_formulas_masked(tmp_path):
    path = write_report(_insights(), tmp_path / "r.xlsx", lang="zh")
    assert path == tmp_path / "r.xlsx" and os.listdir(tmp_path) == ["r.xlsx"]  # no temp file left behind
    wb = load_workbook(path)
    assert wb.sheetnames == ["概览", "评论明细", "方面", "话题与关键词", "趋势", "商品对比", "诉求与建议", "优先改进",
                             "方法说明"]
    assert len(wb["概览"]._charts) == 2 and len(wb["趋势"]._charts) == 2
    assert not [c.coordinate for _, c in _all_values(wb) if c.data_type == "f"]
    texts = " ".join(str(c.value) for _, c in _all_values(wb) if c.value is not None)
    assert "13812345678" not in texts and "bob@example.com" not in texts
    ws = wb["评论明细"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:L61"
    assert ws["B2"].value.startswith("=HYPERLINK") and ws["B2"].data_type == "s"
    assert ws["B3"].value.startswith("+1") and ws["B4"].value.startswith("-bad")
    assert ws["C3"].value == "负面" and ws.max_row == 61
    assert len(ws.conditional_formatting) >= 1
    assert wb["方面"]["A2"].value == "质量" and wb["方面"]["E2"].value == 20


def test_report_en_unmasked_and_subset(tmp_path):
    path = write_report(_insights(), tmp_path / "r.xlsx", lang="en", mask=False, sheets=["reviews", "method"])
    wb = load_workbook(path)
    assert wb.sheetnames == ["Reviews", "Method"]
    assert "13812345678" in wb["Reviews"]["B2"].value
    assert wb["Reviews"]["A1"].value == "Row"


def test_report_bad_args_and_cancel(tmp_path):
    ins = _insights()
    with pytest.raises(UserError):
        write_report(ins, tmp_path / "r.xlsx", lang="fr")
    with pytest.raises(UserError):
        write_report(ins, tmp_path / "nodir" / "r.xlsx")
    with pytest.raises(UserError):
        write_report(ins, tmp_path / "r.xlsx", sheets=["nope"])
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        write_report(ins, tmp_path / "r.xlsx", cancel=token)
    assert not list(tmp_path.iterdir())


def test_existing_report_survives_a_failed_write(tmp_path):
    path = write_report(_insights(), tmp_path / "r.xlsx", lang="en")
    before = path.read_bytes()
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        write_report(_insights(), path, cancel=token)
    assert path.read_bytes() == before


def test_mismatch_and_fix_list_logic():
    ins = _insights()
    assert set(ins.mismatches["mismatch"]) == {"high_rating_negative_text"}
    assert ins.fix_list.iloc[0]["kind"] == "aspect" and ins.fix_list.iloc[0]["reviews"] == 20
    assert set(ins.products["product"]) == {"A", "B"}
    assert (ins.requests["intents"] == "suggestion").all()
