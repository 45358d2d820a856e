"""Real review text (from resources/samples/taobao_export.xlsx and the shared fruit reviews)
with hand-set clause sentiment, for the clause-topic and what-to-fix tests (no model)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.analysis.insights import Insights
from core.text import split_clauses

LABELS = ("negative", "neutral", "positive")
_NEG = ("坏", "烂", "小", "慢", "不", "没", "差", "降价", "霉", "贵", "退")
_POS = ("好", "甜", "新鲜", "快", "脆", "棒")

# (text, rating, product, month, intents)
REVIEWS = [
    ("现在自营生鲜太差了，坏果都拿出来卖", 3, "芒果", 5, "complaint"),
    ("也太小啦，收到后还有一个坏果。一点都不新鲜，再也不会来啦！", 3, "苹果", 5, "complaint"),
    ("有一个烂了，这批次的不新鲜！有无的赔？？？", 1, "苹果", 5, "complaint;question"),
    ("每个都是坏果，要求退货", 1, "芒果", 6, "complaint;refund_return"),
    ("苹果很甜，就是有一个坏果", 4, "苹果", 6, ""),
    ("里面水果都发霉了，坏果太多", 1, "芒果", 6, "complaint"),
    ("买完就降价，价格保护都是你家说的算", 2, "平板", 1, "complaint"),
    ("买了才三天降价100", 2, "平板", 1, "complaint"),
    ("会降价的商品从来不预告", 3, "平板", 2, "complaint"),
    ("物流太慢，而且服务态度差", 2, "苹果", 2, "complaint"),
    ("苹果好吃，新鲜，脆甜，相当棒！", 5, "苹果", 1, "praise"),
    ("水果非常新鲜，京东冷链品质最棒！！！", 5, "芒果", 2, "praise"),
    ("很好吃，很新鲜", 5, "芒果", 3, "praise"),
    ("也很新鲜，包装很好", 5, "苹果", 3, "praise"),
    ("东西收到了，过几天再吃", 5, "苹果", 3, ""),
    ("京东京东京东！！！😡😡😡", 1, "苹果", 4, ""),
    ("鍝佽川寰堝ソ锛屽緢婊℃剰", 5, "苹果", 4, ""),
    ("鍝佽川寰堝ソ锛屽緢婊℃剰", 5, "苹果", 4, ""),
    ("鍝佽川寰堝ソ锛屽緢婊℃剰", 5, "苹果", 4, ""),
    ("？？？？？？", 3, "苹果", 4, ""),
]


def clause_probs(clause: str) -> np.ndarray:
    """negative when a complaint cue is in the clause, else positive on a praise cue, else neutral."""
    if any(c in clause for c in _NEG):
        return np.array([0.9, 0.05, 0.05])
    if any(c in clause for c in _POS):
        return np.array([0.05, 0.05, 0.9])
    return np.array([0.1, 0.8, 0.1])


def review_label(text: str) -> str:
    p = np.mean([clause_probs(c) for c in (split_clauses(text) or [text])], axis=0)
    return LABELS[int(p.argmax())]


def make_insights(rows=REVIEWS) -> Insights:
    """Insights as ``analyze_table`` builds them, from ``rows`` and the cue rules above."""
    from core.analysis.summary import summarise

    texts = [r[0] for r in rows]
    unique = list(dict.fromkeys(texts))
    review_uid = np.array([unique.index(t) for t in texts])
    labels = [review_label(t) for t in texts]
    reviews = pd.DataFrame({
        "row": np.arange(1, len(rows) + 1), "text": texts, "sentiment": labels,
        "sentiment_confidence": 0.9, "aspects": "", "intents": [r[4] for r in rows], "skipped": "",
        "language": "zh", "duplicate_of": pd.array([None] * len(rows), dtype="Int64"),
        "product": [r[2] for r in rows],
        "date": pd.to_datetime([f"2026-{r[3]:02d}-{10 + i % 10}" for i, r in enumerate(rows)]).to_numpy(),
        "rating": [float(r[1]) for r in rows], "mismatch": ""})
    ins = Insights(reviews=reviews, mentions=pd.DataFrame(columns=["index", "row", "aspect", "term", "clause",
                                                                   "polarity", "confidence", "start", "end"]))
    clauses = [split_clauses(t) or [t] for t in unique]
    summarise(ins, unique_texts=unique, review_uid=review_uid, embeddings=None, langs=["zh"] * len(unique),
              clauses=clauses, clause_probs=[np.stack([clause_probs(c) for c in cl]) for cl in clauses],
              labels=list(LABELS))
    return ins
