from __future__ import annotations

from collections import Counter

import numpy as np

from core.analysis import topics as tp


def test_tokenize_zh_uses_userdict_and_stopwords():
    toks = tp.tokenize("这个性价比很高，快递小哥也很好", "zh")
    assert "性价比" in toks and "快递小哥" in toks
    assert "这个" not in toks and "很" not in toks


def test_tokenize_en():
    assert tp.tokenize("The stitching is GREAT and it's really comfy!", "en") == ["stitching", "great", "comfy"]


def test_ctfidf_prefers_class_specific_terms():
    counts = {"negative": Counter({"物流": 10, "质量": 5, "不错": 5}), "positive": Counter({"不错": 20, "质量": 5})}
    top = tp.ctfidf(counts, top_n=2)
    assert top["negative"][0][0] == "物流"
    assert top["positive"][0][0] == "不错"


def test_cluster_representatives_and_topics():
    rng = np.random.default_rng(0)
    centers = np.eye(3, 8) * 10
    emb = np.vstack([c + rng.normal(size=(20, 8)) for c in centers]).astype(np.float32)
    labels, cents = tp.cluster(emb, k=3)
    assert len(set(labels[:20])) == 1 and len(set(labels[20:40])) == 1 and len(set(labels)) == 3
    texts = [f"t{i}" for i in range(60)]
    reps = tp.representatives(emb, labels, cents, int(labels[0]), texts)
    assert len(reps) == 3 and all(r < 20 for r in reps)
    counts = {str(c): Counter({f"w{c}": 3}) for c in range(3)}
    neg = [i < 20 for i in range(60)]
    topics = tp.build_topics(labels, counts, neg, {int(labels[0]): reps})
    first = next(t for t in topics if t.id == labels[0])
    assert first.negative_share == 1.0 and first.terms == [f"w{labels[0]}"]


def test_choose_k_grows_with_data():
    assert tp.choose_k(3) == 1 and tp.choose_k(100) == 2 and tp.choose_k(10_000) == 12


def test_numpy_kmeans_matches_scikit_learn_quality():
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(3)
    centers = rng.normal(size=(5, 32))
    x = (centers[rng.integers(5, size=400)] + 0.8 * rng.normal(size=(400, 32))).astype(np.float32)
    ours = tp.kmeans(x, 5, seed=0)
    inertia = float(tp._nearest(x, ours)[1].sum())
    ref = KMeans(n_clusters=5, random_state=0, n_init=3).fit(x).inertia_
    assert ours.shape == (5, 32) and inertia <= ref * 1.01
    # more rows than the 5k fitting sample: seeded on a subsample, refined on all, every row labelled
    big = np.vstack([x] * 15)
    labels, cents = tp.cluster(big, k=5)
    assert len(labels) == len(big) and cents.shape == (5, 32) and len(set(labels.tolist())) == 5
