"""Learning curve on a domain the default model never trained on (online_shopping 水果).

    python bench/bench_learning_curve.py [--pool 3000] [--test 2000] [--sizes 32 100 300] [--seeds 3]

For each label budget: labels chosen by active learning (core.active, in rounds: the model
retrained on the labels so far picks the next batch) vs chosen at random; the quick head
(core.training's features: L2 embedding + base logits, logistic regression) trained on
them; TF-IDF char 1-3 + LR trained on the same labels; all scored on the same fixed test
reviews, next to the default model. Medians over seeds. The domain's labels are pos/neg:
a neutral answer counts as an error.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.active import select_for_labeling  # noqa: E402
from core.engine import load_engine  # noqa: E402
from core.modelbuild.data import HELDOUT_CATEGORY, load_online_shopping, shared_data_dir  # noqa: E402
from core.training import _fit_head, base_features  # noqa: E402


def tfidf_acc(train_texts, train_y, test_texts, test_y) -> float:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    if len(set(train_y)) < 2:
        return float("nan")
    clf = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
                        LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced"))
    clf.fit(train_texts, train_y)
    return float((clf.predict(test_texts) == np.asarray(test_y)).mean())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", type=int, default=3000)
    ap.add_argument("--test", type=int, default=2000)
    ap.add_argument("--sizes", type=int, nargs="+", default=[32, 100, 300])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    rows = [(t, y) for c, t, y in load_online_shopping(shared_data_dir()) if c == HELDOUT_CATEGORY]
    random.Random(0).shuffle(rows)
    test, pool = rows[: args.test], rows[args.test: args.test + args.pool]
    engine = load_engine(device="cpu", threads=args.threads)
    labels = list(engine.labels)
    y_test = np.array([labels.index("positive") if y == 2 else labels.index("negative") for _t, y in test])
    y_pool = np.array([labels.index("positive") if y == 2 else labels.index("negative") for _t, y in pool])
    f_test = base_features(engine, [t for t, _ in test])
    f_pool = base_features(engine, [t for t, _ in pool])
    hidden = f_pool.shape[1] - len(labels)
    base_probs_pool = engine.predict([t for t, _ in pool]).probs
    default_acc = float((engine.predict([t for t, _ in test]).probs.argmax(1) == y_test).mean())
    print(f"default model on {len(test)} unseen-domain test reviews: accuracy {default_acc:.4f}")

    results: dict[tuple[str, int], list[float]] = {}
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        # random picks
        order = rng.permutation(len(pool))
        for n in args.sizes:
            idx = order[:n]
            if len(set(y_pool[idx])) < 2:
                continue
            W, b = _fit_head(f_pool[idx], y_pool[idx], len(labels), seed)
            results.setdefault(("random + quick head", n), []).append(float(((f_test @ W.T + b).argmax(1) == y_test).mean()))
            results.setdefault(("random + TF-IDF LR", n), []).append(
                tfidf_acc([pool[i][0] for i in idx], y_pool[idx], [t for t, _ in test], y_test))
        # active learning in rounds
        chosen: list[int] = []
        probs = base_probs_pool
        for n in args.sizes:
            mask = np.zeros(len(pool), bool)
            mask[chosen] = True
            new = select_for_labeling(probs, f_pool[:, :hidden], n=n - len(chosen), labeled_mask=mask, seed=seed)
            chosen += [i for i in new if i not in set(chosen)]
            idx = np.array(chosen)
            if len(set(y_pool[idx])) < 2:
                continue
            W, b = _fit_head(f_pool[idx], y_pool[idx], len(labels), seed)
            logits = f_pool @ W.T + b
            probs = np.exp(logits - logits.max(1, keepdims=True))
            probs /= probs.sum(1, keepdims=True)
            results.setdefault(("active + quick head", n), []).append(float(((f_test @ W.T + b).argmax(1) == y_test).mean()))
            results.setdefault(("active + TF-IDF LR", n), []).append(
                tfidf_acc([pool[i][0] for i in idx], y_pool[idx], [t for t, _ in test], y_test))
    print(f"\n| labels | active + quick head | random + quick head | active + TF-IDF LR | random + TF-IDF LR | "
          f"default model |\n|---|---|---|---|---|---|")
    for n in args.sizes:
        cells = [f"{np.median(results.get((k, n), [np.nan])):.4f}" for k in
                 ("active + quick head", "random + quick head", "active + TF-IDF LR", "random + TF-IDF LR")]
        print(f"| {n} | " + " | ".join(cells) + f" | {default_acc:.4f} |")
    print(f"\nmedians over {args.seeds} seeds; pool {len(pool)}, test {len(test)} reviews of {HELDOUT_CATEGORY}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
