"""What to fix (issue 16): one test per rule; the report and --results topic columns round-trip."""
from __future__ import annotations

import csv

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from core.analysis.fixes import fix_list, problem_filter, trend
from core.report import write_report, write_results_csv
from tests.topic_samples import REVIEWS, make_insights


def test_entries_are_concrete_problems_ranked_by_harm():
    fixes = make_insights().fix_list
    assert list(fixes["name"]) == ["坏果", "降价"]  # topics, never a catch-all of all complaints
    top = fixes.iloc[0]
    assert top["reviews"] == 5 and top["low_rating"] == 2 and top["refund"] == 1
    assert top["products"] == "芒果 (3); 苹果 (2)" and len(top["quotes"]) == 3
    assert fixes["score"].is_monotonic_decreasing


def test_severity_outranks_mere_counts():
    rows = [("坏果太多", 1, "A", 1, "complaint;refund_return")] * 3 + \
           [(f"苹果很甜，就是降价了{i}", 5, "B", 1, "") for i in range(4)]
    fixes = make_insights(rows).fix_list
    assert list(fixes["name"][:2]) == ["坏果", "降价"]  # 3 angry refunds weigh more than 4 mild remarks
    assert fixes.iloc[1]["reviews"] == 4


def test_aspect_entry_describing_a_topics_reviews_is_one_entry():
    ins = make_insights()
    r = ins.reviews
    bad = np.flatnonzero(r["topic"].eq("坏果").to_numpy())
    other = np.flatnonzero(r["text"].str.contains("物流").to_numpy())
    mentions = pd.DataFrame({"index": list(bad) + list(other), "aspect": ["freshness"] * len(bad) + ["logistics"] *
                             len(other), "polarity": "negative", "clause": "x", "confidence": 0.9})
    mentions = pd.concat([mentions, mentions.assign(index=mentions["index"].iloc[:1], aspect="logistics")])
    fixes = fix_list(r, mentions, ins.topics)
    assert "freshness" not in set(fixes["name"])  # the same reviews as 坏果
    assert fixes.set_index("name").loc["坏果", "aspect"] == "freshness"
    assert "logistics" in set(fixes["name"])  # other reviews: its own entry


def test_trend_needs_enough_periods():
    dates = pd.Series(pd.date_range("2026-01-01", periods=180, freq="D"))
    rising = np.arange(180) > 120
    assert trend(dates, rising & (np.arange(180) % 3 == 0)) == "rising"
    assert trend(dates, (np.arange(180) < 60) & (np.arange(180) % 3 == 0)) == "falling"
    assert trend(dates, np.arange(180) % 5 == 0) == "flat"
    assert trend(dates[:10], rising[:10]) == ""  # too few dates
    assert trend(pd.Series(pd.date_range("2026-01-01", periods=40, freq="h")), np.ones(40, bool)) == ""


def test_filter_of_an_entry_shows_its_reviews():
    from gui.review_filters import filter_positions  # plain pandas, no widget

    ins = make_insights()
    r = ins.reviews
    for _, entry in ins.fix_list.iterrows():
        shown = filter_positions(r, problem_filter(entry), lower=r["text"].str.lower(), product=r["product"])
        assert len(shown) == entry["reviews"]


def test_five_reviews_give_a_small_report_not_empty_sheets(tmp_path):
    ins = make_insights(REVIEWS[:5])
    path = write_report(ins, tmp_path / "r.xlsx", lang="en")
    wb = load_workbook(path)
    assert [c.value for c in wb["What to fix"]["B"]][1] == "坏果"
    topics = [c.value for c in wb["Topics & keywords"]["B"] if c.value]
    assert "坏果" in topics and any(str(v).startswith("(no topics") for v in topics)  # no praise topic: said so


def test_topic_column_round_trips_through_report_and_results(tmp_path):
    ins = make_insights()
    ins.method = {"skipped": {}}
    write_results_csv(ins, tmp_path / "r.csv", mask=False)
    with open(tmp_path / "r.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    assert header[-1] == "topic" and header[:3] == ["row", "text", "sentiment"]
    assert [x["topic"] for x in rows] == ins.reviews["topic"].tolist()
    wb = load_workbook(write_report(ins, tmp_path / "r.xlsx", lang="zh"))
    ws = wb["评论明细"]
    head = [c.value for c in ws[1]]
    col = [c.value for c in next(ws.iter_cols(min_col=head.index("话题") + 1, max_col=head.index("话题") + 1))]
    assert head.index("话题") == 12  # after the fixed columns, before custom tasks and follow-ups
    assert [v or "" for v in col[1:]] == ins.reviews["topic"].tolist()
