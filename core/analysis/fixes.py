"""What to fix: concrete problems (complaint topics and negative aspects), worst first.

Each entry is one problem and the reviews it hurts:

* a complaint topic (``clause_topics``): the reviews with a clause in it, whatever their
  overall sentiment ("很甜，就是有两个坏果" is hurt by 坏果 too);
* an aspect: the reviews with a negative mention of it. An aspect whose reviews are mostly
  (``overlap``) already behind complaint topics is the same problem told twice and is left
  out; a topic is labelled with the aspect most of its reviews are negative about.

Ranked by ``score``: the sum over its reviews of a severity
``1 + [rating <= 2] + [refund_return intent] + p(negative)`` (p = the review's confidence
when it is negative, else 0), so a 1-star refund request counts about four times a mild
remark in a happy review. Each entry carries its low ratings, refund/return requests, the
products most affected, a trend over the last periods and three short quotes. No Qt.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

FIX_COLUMNS = ["kind", "name", "aspect", "topic", "reviews", "score", "low_rating", "refund", "share",
               "products", "trend", "quotes"]


def severity(reviews: pd.DataFrame) -> pd.Series:
    """Per review: 1 + [rating <= 2] + [refund_return] + p(negative) (see the module docstring)."""
    rating = pd.to_numeric(reviews.get("rating"), errors="coerce") if "rating" in reviews else None
    low = (rating <= 2).astype(float) if rating is not None else 0.0
    refund = reviews["intents"].fillna("").str.contains(r"(?:^|;)refund_return(?:;|$)").astype(float)
    neg = np.where(reviews["sentiment"] == "negative", reviews["sentiment_confidence"].astype(float), 0.0)
    return 1.0 + low + refund + pd.Series(np.nan_to_num(neg), index=reviews.index)


def top_products(products: pd.Series, n: int = 3) -> str:
    """"name (count); ..." for the ``n`` products with most of these reviews ("" without names)."""
    names = products.fillna("").astype(str).str.strip()
    counts = names[names != ""].value_counts()
    if counts.empty:
        return ""
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable").head(n)
    return "; ".join(f"{p} ({c})" for p, c in counts.items())


def trend(dates: pd.Series, hit: np.ndarray, *, min_dated: int = 20) -> str:
    """"rising", "falling" or "flat": the share of reviews hurt in the last periods (up to 3)
    against as many periods before; months when the dates span 5+ months, else weeks when
    they span 5+ weeks; "" when the dates are too few or too close for a trend."""
    d = pd.to_datetime(dates, errors="coerce")
    ok = d.notna().to_numpy()
    if ok.sum() < min_dated:
        return ""
    d, hit = d[ok], np.asarray(hit, bool)[ok]
    span = (d.max() - d.min()).days
    freq = "M" if span >= 150 else "W" if span >= 35 else None
    if freq is None:
        return ""
    period = d.dt.to_period(freq)
    per = pd.DataFrame({"p": period.to_numpy(), "hit": hit}).groupby("p")["hit"].agg(["size", "sum"])
    per = per.reindex(pd.period_range(per.index.min(), per.index.max(), freq=freq), fill_value=0)
    k = min(3, len(per) // 2)
    if k < 2:
        return ""
    recent, before = per.iloc[-k:].sum(), per.iloc[-2 * k:-k].sum()
    if recent["size"] < 5 or before["size"] < 5:
        return ""
    r, b = recent["sum"] / recent["size"], before["sum"] / before["size"]
    expected = b * recent["size"]
    if r >= 1.5 * b and recent["sum"] - expected >= 2:
        return "rising"
    if r <= b / 1.5 and expected - recent["sum"] >= 2:
        return "falling"
    return "flat"


def _short(texts, n: int = 3, max_len: int = 40) -> list[str]:
    out: list[str] = []
    for t in texts:
        t = str(t)
        t = t if len(t) <= max_len else t[:max_len - 1] + "…"
        if t and t not in out:
            out.append(t)
        if len(out) == n:
            break
    return out


def _entry(kind: str, name: str, idx: pd.Index, reviews: pd.DataFrame, weight: pd.Series, hurt_dates,
           quotes: list[str], *, topic: int = 0, aspect: str = "") -> dict:
    sub = reviews.loc[idx]
    rating = pd.to_numeric(sub["rating"], errors="coerce") if "rating" in sub else pd.Series(dtype=float)
    refund = sub["intents"].fillna("").str.contains(r"(?:^|;)refund_return(?:;|$)")
    products = top_products(sub["product"]) if "product" in sub else ""
    return {"kind": kind, "name": name, "aspect": aspect, "topic": topic, "reviews": len(idx),
            "score": round(float(weight.loc[idx].sum()), 2), "low_rating": int((rating <= 2).sum()),
            "refund": int(refund.sum()), "share": len(idx) / max(len(reviews), 1), "products": products,
            "trend": trend(hurt_dates, reviews.index.isin(idx)), "quotes": quotes}


def _topic_members(reviews: pd.DataFrame) -> dict[int, pd.Index]:
    ids = reviews["topic_ids"].fillna("").astype(str) if "topic_ids" in reviews else pd.Series(dtype=str)
    out: dict[int, list] = {}
    for i, value in zip(reviews.index, ids.tolist()):
        for t in filter(None, value.split(";")):
            out.setdefault(int(t), []).append(i)
    return {t: pd.Index(v) for t, v in out.items()}


def fix_list(reviews: pd.DataFrame, mentions: pd.DataFrame, topics: pd.DataFrame, *, top: int = 10,
             overlap: float = 0.6) -> pd.DataFrame:
    """The what-to-fix table (``FIX_COLUMNS``), highest score first.

    ``reviews``: the analysed reviews (their index is their position in ``Insights.reviews``,
    with ``topic_ids``); ``mentions``: one row per review, aspect and polarity
    (``summary.per_review``); ``topics``: the clause topics table. An entry needs at least
    two reviews (one in a file of fewer than 30 reviews)."""
    if reviews.empty:
        return pd.DataFrame(columns=FIX_COLUMNS)
    weight = severity(reviews)
    dates = reviews["date"] if "date" in reviews else pd.Series(pd.NaT, index=reviews.index)
    least = 1 if len(reviews) < 30 else 2
    members = _topic_members(reviews)
    found, covered = [], set()  # (kind, name, idx, quotes, topic, aspect): details only for the top ones
    complaints = topics[topics["kind"] == "complaint"] if "kind" in topics else topics.iloc[0:0]
    neg = mentions[mentions["polarity"] == "negative"] if not mentions.empty else mentions
    for _, t in complaints.iterrows():
        idx = members.get(int(t["topic"]), pd.Index([]))
        if len(idx) < least:
            continue
        aspect = ""
        if not neg.empty:
            hits = neg[neg["index"].isin(idx)]["aspect"].value_counts()
            if len(hits) and hits.iloc[0] >= 0.5 * len(idx):
                aspect = str(hits.index[0])
        found.append(("topic", str(t["name"]), idx, list(t["quotes"]), int(t["topic"]), aspect))
        covered.update(idx.tolist())
    if not neg.empty:
        for aspect, sub in neg[neg["index"].isin(reviews.index)].groupby("aspect", sort=True):
            idx = pd.Index(sorted(set(sub["index"].tolist())))
            if len(idx) < least or len(covered.intersection(idx.tolist())) >= overlap * len(idx):
                continue
            order = np.argsort(-sub["confidence"].to_numpy(dtype=float), kind="stable")
            found.append(("aspect", str(aspect), idx, _short(sub["clause"].to_numpy()[order]), 0, str(aspect)))
    # rank first (score, reviews, name), then build the top entries: trends and products cost
    # a pandas pass each, and a large file has hundreds of small topics
    scored = sorted(found, key=lambda f: (-round(float(weight.loc[f[2]].sum()), 2), -len(f[2]), f[1]))[:top]
    rows = [_entry(kind, name, idx, reviews, weight, dates, quotes, topic=topic, aspect=aspect)
            for kind, name, idx, quotes, topic, aspect in scored]
    return pd.DataFrame(rows, columns=FIX_COLUMNS)


def problem_filter(entry) -> dict:
    """The review browser filter that shows exactly the reviews an entry counts."""
    if entry["kind"] == "topic":
        return {"topic": int(entry["topic"])}
    return {"aspect": str(entry["name"]), "polarity": "negative"}

