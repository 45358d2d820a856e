from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.errors import UserError
from core.project import Project
from core.project.labels import (export_labels, import_labels, is_star_column, normalize_column, normalize_intent,
                                 normalize_sentiment)


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "shop.rlproj") as p:
        yield p


@pytest.mark.parametrize("raw, expected", [
    ("正面", "positive"), ("好评", "positive"), ("积极", "positive"), ("Positive", "positive"), (" POS ", "positive"),
    ("1", "positive"), (1, "positive"), ("👍", "positive"),
    ("负面", "negative"), ("差评", "negative"), ("消极", "negative"), ("neg", "negative"), ("0", "negative"),
    (-1, "negative"), ("-1", "negative"),
    ("中性", "neutral"), ("中评", "neutral"), ("Neutral", "neutral"), ("neu", "neutral"), ("mixed", "neutral"),
    ("5星", "positive"), ("3 stars", "neutral"), ("★★", "negative"),
    ("great", None), ("7", None),
])
def test_normalize_sentiment(raw, expected):
    assert normalize_sentiment(raw) == expected


def test_star_columns():
    assert is_star_column([5, 4, 3, 1, 2])
    assert is_star_column(["5", "1"])
    assert not is_star_column([0, 1, 1])
    assert not is_star_column([1, 1])  # could be codes
    assert not is_star_column([5, 4.5])
    assert not is_star_column(["5", "好评"])
    out = normalize_column([5, 4, 3, 2, 1], task="sentiment", kind="single", labels=())
    assert out == [["positive"], ["positive"], ["neutral"], ["negative"], ["negative"]]
    codes = normalize_column([1, 0, 1], task="sentiment", kind="single", labels=())
    assert codes == [["positive"], ["negative"], ["positive"]]
    ternary = normalize_column(["-1", "0", "1"], task="sentiment", kind="single", labels=())
    assert ternary == [["negative"], ["neutral"], ["positive"]]


@pytest.mark.parametrize("raw, expected", [
    ("投诉", "complaint"), ("退货", "refund_return"), ("退款", "refund_return"), ("Refund", "refund_return"),
    ("return", "refund_return"), ("提问", "question"), ("建议", "suggestion"), ("表扬", "praise"),
    ("回购", "repurchase"), ("物流问题", "logistics_problem"), ("Logistics", "logistics_problem"),
    ("logistics problem", "logistics_problem"), ("unknown", None),
])
def test_normalize_intent(raw, expected):
    assert normalize_intent(raw) == expected


def test_multi_and_aspect_columns():
    out = normalize_column(["投诉，物流问题", "question; praise; question"], task="intents", kind="multi", labels=())
    assert out == [["complaint", "logistics_problem"], ["question", "praise"]]
    aspects = normalize_column(["价格:负面、质量：好评", "battery=neutral"], task="aspects", kind="multi", labels=())
    assert aspects == [["价格:negative", "质量:positive"], ["battery:neutral"]]


def test_unknown_value_names_row_value_and_accepted():
    with pytest.raises(UserError) as err:
        normalize_column(["好评", "超级棒"], task="sentiment", kind="single", labels=(), rows=[2, 7],
                         where=("labels.xlsx", "情感"))
    message = str(err.value)
    assert "labels.xlsx row 7" in message and "'情感'" in message and "'超级棒'" in message
    assert "negative, neutral, positive" in message
    with pytest.raises(UserError, match="one label"):
        normalize_column(["好评"], task="sentiment", kind="single", labels=())  # fine
        normalize_column(["好评, 差评"], task="sentiment", kind="single", labels=())


def test_import_labels_csv_adds_missing_reviews(project, tmp_path):
    project.add_reviews(pd.DataFrame({"text": ["Fast shipping, great cup"]}), source_path="orders.xlsx")
    path = tmp_path / "labels.csv"
    pd.DataFrame({
        "评论": ["Fast  shipping, great cup ", "杯子漏水，要退货", "", "还行吧", "没有标签"],
        "情感": ["好评", "差评", "好评", "中评", None],
    }).to_csv(path, index=False, encoding="utf-8-sig")
    result = import_labels(project, path, text_column="评论", label_column="情感", task="sentiment")
    assert (result.labeled, result.new_reviews, result.skipped_blank) == (3, 2, 2)
    assert project.review_count() == 3
    labels = project.labels("sentiment")
    assert dict(zip(labels["text"], labels["value"])) == {
        "Fast shipping, great cup": "positive", "杯子漏水，要退货": "negative", "还行吧": "neutral"}
    assert set(labels["source"]) == {"import"}


def test_import_labels_xlsx_stars_and_errors(project, tmp_path):
    path = tmp_path / "stars.xlsx"
    pd.DataFrame({"text": ["a", "b", "c"], "stars": [5, 3, 1]}).to_excel(path, index=False)
    import_labels(project, path, text_column="text", label_column="stars", task="sentiment")
    assert project.label_counts("sentiment") == {"negative": 1, "neutral": 1, "positive": 1}
    with pytest.raises(UserError, match="has no column 'label'.*text, stars"):
        import_labels(project, path, text_column="text", label_column="label", task="sentiment")
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"text": ["x", "y"], "intent": ["投诉", "吐槽"]}).to_csv(bad, index=False)
    with pytest.raises(UserError, match=r"bad.csv row 3, column 'intent': unknown intents label '吐槽'"):
        import_labels(project, bad, text_column="text", label_column="intent", task="intents")
    assert project.review_count() == 3  # nothing from the bad file was added
    with pytest.raises(UserError, match="does not exist"):
        import_labels(project, tmp_path / "nope.csv", text_column="t", label_column="l", task="sentiment")


def test_export_xlsx_keeps_formula_like_text_as_text(project, tmp_path):
    texts = ["=HYPERLINK(\"http://x\")", "+1 great", "-5 stars?", "@someone", "normal 好评"]
    project.add_reviews(pd.DataFrame({"text": texts, "rating": [1, 5, 2, 3, 5]}), source_path="x.csv")
    for rid in range(1, 6):
        project.set_label(rid, "sentiment", "positive")
    project.set_label(1, "intents", "complaint")
    project.set_label(1, "intents", "question")
    out = tmp_path / "labels.xlsx"
    assert export_labels(project, out) == 6
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(min_row=2))
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header == ["text", "rating", "product", "task", "label", "source", "labeled_at"]
    text_cells = [r[0] for r in rows]
    assert all(c.data_type == "s" for c in text_cells)
    assert {c.value for c in text_cells} == set(texts)
    intents = [r for r in rows if r[3].value == "intents"]
    assert intents[0][4].value == "complaint, question"
    assert export_labels(project, tmp_path / "only.xlsx", task="intents") == 1


def test_export_csv_escapes_and_round_trips(project, tmp_path):
    texts = ["=1+1 cheap", "-2 stars, meh", "ok product"]
    project.add_reviews(pd.DataFrame({"text": texts}), source_path="x.csv")
    for rid, value in zip((1, 2, 3), ("negative", "neutral", "positive")):
        project.set_label(rid, "sentiment", value)
    out = tmp_path / "labels.csv"
    export_labels(project, out, task="sentiment")
    raw = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(raw["text"]) == ["'=1+1 cheap", "'-2 stars, meh", "ok product"]
    with Project.create(tmp_path / "other.rlproj") as other:
        import_labels(other, out, text_column="text", label_column="label", task="sentiment")
        labels = other.labels("sentiment")
        assert dict(zip(labels["text"], labels["value"])) == {
            "=1+1 cheap": "negative", "-2 stars, meh": "neutral", "ok product": "positive"}
    with pytest.raises(UserError, match=".csv or .xlsx"):
        export_labels(project, tmp_path / "labels.json")
