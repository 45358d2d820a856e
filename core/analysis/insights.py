"""What an analysis produces: ``Insights`` (the per-review table, the mentions and every
aggregate the report and the GUI show), and the per-review rules the pipeline applies.

``analyze_table`` (``core.analysis.pipeline``) builds it stage by stage; ``summary.py`` fills
the aggregates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

from core.jobs import CancelToken
from core.text import is_placeholder

if TYPE_CHECKING:
    from core.model import Engine

SKIP_REASONS = ("empty", "placeholder", "non_text", "garbled")
_HAS_WORD = re.compile(r"[^\W\d_]")  # any letter or Han character
# What UTF-8 Chinese becomes when it was decoded as Windows-1252/latin-1 and some bytes were
# lost on the way ("è´¨é‡�å¤ªå·®"): Latin-1 letters, cp1252 punctuation, U+FFFD. The importer
# repairs such a cell when no byte was lost (core.importing.repair_mojibake); what is left
# cannot be read by anyone, so it is skipped, not scored as an English review.
_GARBLED = re.compile("[\u00c0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                      "\u2013-\u203a\u20ac\u2122\ufffd]")
_GARBLED_SHARE = 0.4  # French or German text stays far below (a few accented letters per word)


def looks_garbled(text: str) -> bool:
    """Mostly mojibake characters (at least 3, and ``_GARBLED_SHARE`` of the visible ones)."""
    bad = len(_GARBLED.findall(text))
    if bad < 3:  # every ordinary review stops here, before the character count
        return False
    return bad >= _GARBLED_SHARE * (len(text) - sum(c.isspace() for c in text))


@dataclass
class Insights:
    """Everything the report and the GUI show. ``reviews`` is in input order, one row per
    input data row; the other tables are aggregates (see ``summary.py``)."""

    reviews: pd.DataFrame
    mentions: pd.DataFrame
    aspects: pd.DataFrame = field(default_factory=pd.DataFrame)
    keywords: dict = field(default_factory=dict)  # sentiment -> [(term, score)]
    aspect_keywords: dict = field(default_factory=dict)  # aspect -> [(term, score)]
    topics: pd.DataFrame = field(default_factory=pd.DataFrame)
    trend_week: pd.DataFrame = field(default_factory=pd.DataFrame)
    trend_month: pd.DataFrame = field(default_factory=pd.DataFrame)
    aspect_trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    products: pd.DataFrame | None = None
    mismatches: pd.DataFrame = field(default_factory=pd.DataFrame)
    fix_list: pd.DataFrame = field(default_factory=pd.DataFrame)
    requests: pd.DataFrame = field(default_factory=pd.DataFrame)
    method: dict = field(default_factory=dict)
    aspect_names: dict = field(default_factory=dict)  # aspect -> {"zh":..., "en":...}

    @property
    def analysed(self) -> pd.DataFrame:
        return self.reviews[self.reviews["skipped"] == ""]

    def sentiment_counts(self) -> dict[str, int]:
        counts = self.analysed["sentiment"].value_counts()
        return {s: int(counts.get(s, 0)) for s in ("positive", "neutral", "negative")}

    def results_frame(self) -> pd.DataFrame:
        """The per-review table as exported to CSV (no embeddings, no internals)."""
        cols = ["row", "text", "sentiment", "sentiment_confidence", "aspects", "intents", "skipped", "language",
                "duplicate_of", "product", "date", "rating", "mismatch", "followup", "followup_sentiment", "reply"]
        tasks = [c for c in self.reviews.columns if str(c).startswith("task:")]
        last = ["topic"] if "topic" in self.reviews.columns else []  # issue 16: after every older column
        return self.reviews[[c for c in cols if c in self.reviews.columns] + tasks + last]


def skip_reason(text: str, *, placeholder: Callable[[str], bool]) -> str:
    """Why a row is not analysed: "empty", "placeholder" (a platform's default text),
    "non_text" (no letter or Han character: "。。。", "12345"), "garbled" (mojibake that
    lost bytes, ``looks_garbled``); "" when it is."""
    if not text.strip():
        return "empty"
    if placeholder(text):
        return "placeholder"
    if not _HAS_WORD.search(text):
        return "non_text"
    if looks_garbled(text):
        return "garbled"
    return ""


def followup_sentiment(followups: pd.Series, engine: Engine, cancel: CancelToken | None) -> np.ndarray:
    """Sentiment of each follow-up review (追评), "" where there is none.

    A follow-up is written after days of use and often turns a first "很好" into a
    complaint, so it is judged on its own, not folded into the first review."""
    texts = followups.fillna("").astype(str).str.strip().tolist()
    wanted = sorted({t for t in texts if t and not is_placeholder(t)})
    out = np.full(len(texts), "", dtype=object)
    if wanted:
        labels = np.array(engine.labels, dtype=object)[engine.predict(wanted, cancel=cancel).probs.argmax(1)]
        by_text = dict(zip(wanted, labels))
        out[:] = [by_text.get(t, "") for t in texts]
    return out


def mismatch_flags(rating: pd.Series, sentiment: pd.Series, confidence: pd.Series, *,
                   min_confidence: float = 0.7) -> list[str]:
    """"high_rating_negative_text" (rating >= 4, text negative) or "low_rating_positive_text"
    (rating <= 2, text positive), when the model is at least ``min_confidence`` sure."""
    out = []
    for r, s, c in zip(rating.to_numpy(), sentiment.to_numpy(), confidence.to_numpy()):
        if r != r or not s or c != c or c < min_confidence:  # NaN checks
            out.append("")
        elif r >= 4 and s == "negative":
            out.append("high_rating_negative_text")
        elif r <= 2 and s == "positive":
            out.append("low_rating_positive_text")
        else:
            out.append("")
    return out
