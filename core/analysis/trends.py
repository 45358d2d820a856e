"""Trends over time: volume, negative share, per-aspect negative share, spike flags.

Pure functions over small DataFrames (hand-testable). A period is flagged when its
negative share is more than ``ratio`` times the trailing mean of the previous
``window`` periods, at least ``min_rise`` above it (absolute share), and the period has at
least ``min_volume`` reviews: a jump from 1 of 3 to 2 of 3 is noise, not news.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FREQS = {"week": "W", "month": "M"}


@dataclass(frozen=True)
class SpikeRule:
    ratio: float = 1.5
    min_rise: float = 0.10
    min_volume: int = 20
    window: int = 4


def _period_start(dates: pd.Series, freq: str) -> pd.Series:
    code = FREQS.get(freq, freq)
    return pd.to_datetime(dates, errors="coerce").dt.to_period(code).dt.start_time


def volume_trend(dates: pd.Series, sentiments: pd.Series, *, freq: str = "week",
                 rule: SpikeRule = SpikeRule()) -> pd.DataFrame:
    """One row per period (gaps filled with zero): period, reviews, negative, negative_share,
    trailing_share, flagged. Rows without a date or a sentiment are left out."""
    frame = pd.DataFrame({"period": _period_start(dates, freq), "negative": sentiments.eq("negative")})
    frame = frame[frame["period"].notna() & sentiments.notna().to_numpy()]
    columns = ["period", "reviews", "negative", "negative_share", "trailing_share", "flagged"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby("period")["negative"].agg(reviews="size", negative="sum")
    code = FREQS.get(freq, freq)
    full = pd.period_range(grouped.index.min(), grouped.index.max(), freq=code).start_time
    grouped = grouped.reindex(full, fill_value=0)
    grouped.index.name = "period"
    out = grouped.reset_index()
    out["negative"] = out["negative"].astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["negative_share"] = np.where(out["reviews"] > 0, out["negative"] / out["reviews"].clip(lower=1), np.nan)
    out["trailing_share"] = out["negative_share"].shift(1).rolling(rule.window, min_periods=1).mean()
    out["flagged"] = flag_spikes(out["negative_share"], out["trailing_share"], out["reviews"], rule)
    return out[columns]


def flag_spikes(share: pd.Series, trailing: pd.Series, volume: pd.Series, rule: SpikeRule = SpikeRule()) -> pd.Series:
    share, trailing = share.astype(float), trailing.astype(float)
    rose = (share > rule.ratio * trailing) & (share - trailing >= rule.min_rise)
    return (rose & (volume >= rule.min_volume) & trailing.notna()).fillna(False).astype(bool)


def aspect_trend(dates: pd.Series, aspects: pd.Series, polarities: pd.Series, *, freq: str = "month") -> pd.DataFrame:
    """Per period and aspect: mentions, negative, negative_share (one row per mention in)."""
    frame = pd.DataFrame({"period": _period_start(dates, freq), "aspect": aspects.to_numpy(),
                          "negative": polarities.eq("negative").to_numpy()})
    frame = frame[frame["period"].notna()]
    if frame.empty:
        return pd.DataFrame(columns=["period", "aspect", "mentions", "negative", "negative_share"])
    out = frame.groupby(["period", "aspect"])["negative"].agg(mentions="size", negative="sum").reset_index()
    out["negative"] = out["negative"].astype(int)
    out["negative_share"] = out["negative"] / out["mentions"]
    return out
