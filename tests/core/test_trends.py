from __future__ import annotations

import pandas as pd

from core.analysis.trends import SpikeRule, aspect_trend, flag_spikes, volume_trend


def _weeks(neg_per_week, n=40):
    dates, sents = [], []
    for w, neg in enumerate(neg_per_week):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=w)
        for i in range(n):
            dates.append(day + pd.Timedelta(days=i % 7))
            sents.append("negative" if i < neg else "positive")
    return pd.Series(dates), pd.Series(sents)


def test_weekly_volume_and_spike():
    dates, sents = _weeks([4, 4, 4, 4, 16, 4])
    out = volume_trend(dates, sents, freq="week")
    assert out["reviews"].tolist() == [40] * 6
    assert out["negative_share"].round(2).tolist() == [0.1, 0.1, 0.1, 0.1, 0.4, 0.1]
    assert out["flagged"].tolist() == [False, False, False, False, True, False]


def test_small_volume_or_small_rise_not_flagged():
    dates, sents = _weeks([1, 1, 1, 3], n=5)  # 20% -> 60% but only 5 reviews a week
    assert not volume_trend(dates, sents, freq="week")["flagged"].any()
    share = pd.Series([0.02, 0.02, 0.05])  # 2.5x but only +3 points
    assert not flag_spikes(share, pd.Series([None, 0.02, 0.02]), pd.Series([100, 100, 100])).any()
    assert flag_spikes(pd.Series([0.1, 0.3]), pd.Series([None, 0.1]), pd.Series([50, 50]), SpikeRule()).tolist() == \
        [False, True]


def test_month_gaps_filled_and_undated_dropped():
    dates = pd.Series([pd.Timestamp("2024-01-05"), pd.Timestamp("2024-03-02"), pd.NaT])
    out = volume_trend(dates, pd.Series(["negative", "positive", "negative"]), freq="month")
    assert out["period"].dt.month.tolist() == [1, 2, 3]
    assert out["reviews"].tolist() == [1, 0, 1]


def test_aspect_trend():
    dates = pd.Series(pd.to_datetime(["2024-01-03", "2024-01-20", "2024-02-01"]))
    out = aspect_trend(dates, pd.Series(["quality", "quality", "price"]),
                       pd.Series(["negative", "positive", "negative"]), freq="month")
    q = out[out["aspect"] == "quality"].iloc[0]
    assert (q["mentions"], q["negative"], q["negative_share"]) == (2, 1, 0.5)
