"""Aggregates over analysed reviews: aspects, keywords, topics, trends, products,
mismatches, what-to-fix and requests. Called by ``pipeline.analyze_table``; every
function here works on the plain tables in ``Insights`` (testable with hand-built frames).
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd

from core.analysis import clause_topics as ct
from core.analysis import topics as tp
from core.analysis.fixes import fix_list, top_products
from core.analysis.trends import aspect_trend, volume_trend
from core.jobs import CancelToken

if TYPE_CHECKING:
    from core.analysis.insights import Insights

REQUEST_INTENTS = ("suggestion", "question", "refund_return")
POLARITIES = ("positive", "neutral", "negative")


def per_review(mentions: pd.DataFrame) -> pd.DataFrame:
    """One row per review, aspect and polarity: what the aggregate tables count.

    Analysis finds one mention per aspect per clause, so a long review that praises the
    quality in 50 clauses would otherwise outweigh 49 reviews that complain about it."""
    if mentions.empty:
        return mentions
    return mentions.drop_duplicates(["index", "aspect", "polarity"]).reset_index(drop=True)


def aspect_table(mentions: pd.DataFrame) -> pd.DataFrame:
    """Per aspect: mentions, positive/neutral/negative counts, negative_share and
    share_of_negative (its part of ALL negative mentions), most mentioned first."""
    cols = ["aspect", "mentions", *POLARITIES, "negative_share", "share_of_negative"]
    if mentions.empty:
        return pd.DataFrame(columns=cols)
    counts = pd.crosstab(mentions["aspect"], mentions["polarity"]).reindex(columns=list(POLARITIES), fill_value=0)
    out = counts.reset_index()
    out["mentions"] = out[list(POLARITIES)].sum(axis=1)
    out["negative_share"] = out["negative"] / out["mentions"]
    total_neg = max(int(out["negative"].sum()), 1)
    out["share_of_negative"] = out["negative"] / total_neg
    return out.sort_values(["mentions", "aspect"], ascending=[False, True])[cols].reset_index(drop=True)


def top_quotes(texts: pd.Series, confidence: pd.Series, n: int = 3) -> list[str]:
    """The ``n`` most confident distinct texts."""
    order = np.argsort(-confidence.to_numpy(dtype=float), kind="stable")
    out: list[str] = []
    for i in order:
        t = str(texts.iloc[i])
        if t and t not in out:
            out.append(t)
        if len(out) == n:
            break
    return out


def product_table(reviews: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame | None:
    """Per product (or SKU when there is no product column): counts, sentiment shares,
    average rating, top negative aspects. None when neither column has values."""
    key = next((c for c in ("product", "sku") if c in reviews.columns and reviews[c].astype(str).str.strip().ne("").any()),
               None)
    if key is None:
        return None
    data = reviews[reviews["skipped"] == ""]
    if data.empty:
        return None
    rows = []
    neg_mentions = mentions[mentions["polarity"] == "negative"] if not mentions.empty else mentions
    for name, group in data.groupby(data[key].astype(str).str.strip().replace("", "(none)"), sort=False):
        n = len(group)
        shares = group["sentiment"].value_counts(normalize=True)
        top = ""
        if not neg_mentions.empty:
            counts = neg_mentions[neg_mentions["index"].isin(group.index)]["aspect"].value_counts().head(3)
            top = "; ".join(f"{a} ({c})" for a, c in counts.items())
        rows.append({"product": name, "reviews": n,
                     **{f"{p}_share": float(shares.get(p, 0.0)) for p in POLARITIES},
                     "avg_rating": float(group["rating"].mean()) if group["rating"].notna().any() else np.nan,
                     "top_negative_aspects": top})
    return pd.DataFrame(rows).sort_values(["reviews", "product"], ascending=[False, True]).reset_index(drop=True)


def requests_table(reviews: pd.DataFrame) -> pd.DataFrame:
    cols = ["row", "intents", "text", "product", "date", "rating"]
    if reviews.empty:
        return pd.DataFrame(columns=cols)
    wanted = reviews["intents"].fillna("").str.split(";").map(lambda xs: any(x in REQUEST_INTENTS for x in xs))
    return reviews.loc[wanted, [c for c in cols if c in reviews.columns]].reset_index(drop=True)


def review_cluster_topics(unique_texts: Sequence[str], uid_sentiment: np.ndarray, uid_conf: np.ndarray,
                          embeddings: np.ndarray | None, tokens: list[list[str]]) -> tuple[pd.DataFrame, np.ndarray]:
    """The topics before issue 16 (KMeans over whole-review embeddings, named by c-TF-IDF):
    kept for ``bench/bench_topics.py``'s comparison, no longer in the report. The topics
    table and each unique text's topic number (1-based, 0 = no topic)."""
    cols = ["topic", "name", "terms", "size", "negative", "negative_share", "quotes", "negative_quotes"]
    if embeddings is None or len(unique_texts) < 4:
        return pd.DataFrame(columns=cols), np.zeros(len(unique_texts), np.int64)
    labels, centroids = tp.cluster(embeddings)
    counts: dict[str, Counter] = {str(c): Counter() for c in range(len(centroids))}
    for lab, toks in zip(labels, tokens):
        counts[str(lab)].update(toks)
    quotes = {c: tp.representatives(embeddings, labels, centroids, c, unique_texts) for c in range(len(centroids))}
    topics = tp.build_topics(labels, counts, (s == "negative" for s in uid_sentiment), quotes)
    rows = []
    for t in topics:
        members = np.flatnonzero((labels == t.id) & (uid_sentiment == "negative"))
        best = members[np.argsort(-uid_conf[members])][:3]
        rows.append({"topic": t.id + 1, "name": t.name, "terms": ", ".join(t.terms), "size": t.size,
                     "negative": t.negative, "negative_share": t.negative_share,
                     "quotes": [unique_texts[i] for i in t.quotes],
                     "negative_quotes": [unique_texts[i] for i in best]})
    return pd.DataFrame(rows, columns=cols), labels.astype(np.int64) + 1


def _tokens_by_clause(clauses: Sequence[Sequence[str]], langs: Sequence[str], keep: set[str]
                      ) -> tuple[list[list[str]], dict[str, list[str]]]:
    """Tokens per review as the concatenation of its clauses' tokens (jieba never joins words
    across the punctuation that separates clauses), and the tokens of the clauses in ``keep``
    (the aspect clauses), so the aspect keywords need no second jieba pass."""
    tokens: list[list[str]] = []
    kept: dict[str, list[str]] = {}
    for parts, lang in zip(clauses, langs):
        toks: list[str] = []
        for c in parts:
            ct = kept.get(c)
            if ct is None:
                ct = tp.tokenize(c, lang)
                if c in keep:
                    kept[c] = ct
            toks.extend(ct)
        tokens.append(toks)
    return tokens, kept


def add_topics(reviews: pd.DataFrame, review_uid: np.ndarray, *, clauses: Sequence[Sequence[str]],
               langs: Sequence[str], clause_probs: Sequence[np.ndarray] | None, labels: Sequence[str] | None,
               uid_sentiment: np.ndarray, uid_conf: np.ndarray) -> pd.DataFrame:
    """Clause topics (``clause_topics.find_topics``) over the unique texts; adds to ``reviews``
    ``topic`` (the main topic's name, "" for none), ``topic_id`` (its number, 0 for none) and
    ``topic_ids`` (every topic of its clauses, ``;``-joined: what the browser filters by).
    Returns the topics table with each topic's products."""
    n_u = len(clauses)
    has = review_uid >= 0
    weights = np.bincount(review_uid[has], minlength=n_u).astype(float)
    if clause_probs is None or labels is None:  # every clause as sure as its review
        labels = list(POLARITIES)
        clause_probs = [np.array([[c if s == p else (1 - c) / 2 for p in labels]] * len(parts))
                        for parts, s, c in zip(clauses, uid_sentiment, uid_conf)]
    products = reviews["product"][has] if "product" in reviews else []
    found = ct.find_topics(clauses, clause_probs, list(uid_sentiment), langs=langs, labels=labels, weights=weights,
                           products=pd.unique(pd.Series(products, dtype=object)))
    uid = np.where(has, review_uid, 0)
    main = np.where(has, found.uid_main[uid], 0) if n_u else np.zeros(len(reviews), np.int64)
    names = dict(zip(found.table["topic"].tolist(), found.table["name"].tolist()))
    reviews["topic_id"] = main.astype(np.int64)
    reviews["topic"] = [names.get(int(t), "") for t in main]
    reviews["topic_ids"] = [";".join(map(str, found.uid_topics[u])) if h else "" for u, h in zip(uid, has)]
    table = found.table
    if "product" in reviews and len(table):
        ids = reviews["topic_ids"].str.split(";")
        table["products"] = [top_products(reviews["product"][ids.map(lambda xs, t=t: str(t) in xs)])
                             for t in table["topic"]]
    return table


def summarise(ins: Insights, *, unique_texts: Sequence[str], review_uid: np.ndarray,
              embeddings: np.ndarray | None, langs: Sequence[str], cancel: CancelToken | None = None,
              clauses: Sequence[Sequence[str]] | None = None, clause_probs: Sequence[np.ndarray] | None = None,
              labels: Sequence[str] | None = None) -> None:
    """Fill the aggregate tables of ``ins`` in place. ``clauses``: each unique text's clauses
    (``core.text.split_clauses``), when the caller has them: tokens are then taken per clause;
    ``clause_probs``: each unique text's clause probabilities (rows per clause, columns in
    ``labels`` order) for the clause topics (without them, each text is one clause judged
    by its review's sentiment)."""
    reviews, mentions = ins.reviews, ins.mentions
    n_u = len(unique_texts)
    uid_sentiment = np.full(n_u, "", dtype=object)
    uid_conf = np.zeros(n_u, np.float32)
    has = review_uid >= 0
    uid_sentiment[review_uid[has]] = reviews["sentiment"].to_numpy()[has]
    uid_conf[review_uid[has]] = reviews["sentiment_confidence"].to_numpy(dtype=float)[has]

    mention_clauses = set(mentions["clause"].tolist()) if not mentions.empty else set()
    if clauses is not None:
        tokens, clause_tokens = _tokens_by_clause(clauses, langs, mention_clauses)
    else:
        tokens, clause_tokens = [tp.tokenize(t, lg) for t, lg in zip(unique_texts, langs)], {}
    if cancel is not None:
        cancel.check()
    by_sentiment: dict[str, Counter] = {p: Counter() for p in POLARITIES}
    for s, toks in zip(uid_sentiment, tokens):
        if s in by_sentiment:
            by_sentiment[s].update(toks)
    ins.keywords = tp.ctfidf(by_sentiment, top_n=15)

    by_aspect: dict[str, Counter] = {}
    if not mentions.empty:
        for (aspect, clause), _ in mentions.groupby(["aspect", "clause"]).size().items():
            toks = clause_tokens.get(clause)
            if toks is None:
                toks = tp.tokenize(clause, "zh" if tp._HAN.search(clause) else "en")
            by_aspect.setdefault(aspect, Counter()).update(toks)
    ins.aspect_keywords = tp.ctfidf(by_aspect, top_n=10, min_count=1)
    counted = per_review(mentions)
    ins.aspects = aspect_table(counted)

    if cancel is not None:
        cancel.check()
    del tokens
    ins.topics = add_topics(reviews, review_uid, clauses=clauses or [[t] for t in unique_texts], langs=langs,
                            clause_probs=clause_probs, labels=labels, uid_sentiment=uid_sentiment, uid_conf=uid_conf)

    analysed = reviews["skipped"] == ""
    ins.trend_week = volume_trend(reviews["date"][analysed], reviews["sentiment"][analysed], freq="week")
    ins.trend_month = volume_trend(reviews["date"][analysed], reviews["sentiment"][analysed], freq="month")
    if not counted.empty:
        dates = reviews["date"].to_numpy()[counted["index"].to_numpy()]
        ins.aspect_trend = aspect_trend(pd.Series(dates), counted["aspect"], counted["polarity"], freq="month")
    ins.products = product_table(reviews, counted)
    ins.mismatches = reviews.loc[reviews["mismatch"] != "",
                                 ["row", "rating", "sentiment", "sentiment_confidence", "mismatch", "text",
                                  "product"]].reset_index(drop=True)
    ins.fix_list = fix_list(reviews[analysed], counted, ins.topics)
    ins.requests = requests_table(reviews[analysed])
