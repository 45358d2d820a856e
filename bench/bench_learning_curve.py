"""Learning curve on a domain the default model never trained on (online_shopping 水果).

    python bench/bench_learning_curve.py [--model DIR] [--pool 3000] [--test 2000] [--sizes 32 100 300]
                                         [--seeds 3] [--batch 16] [--score-on test|dev]

For each label budget: labels chosen by active learning (core.training.active, in rounds of
``--batch`` labels: the head retrained on the labels so far picks the next batch, as an
owner labelling batch after batch would) vs chosen at random; the quick head
(core.training.fit_quick_head: L2 embedding + base logits, regularised towards the base
model, strength by cross-validation on the labels only) trained on them; TF-IDF char 1-3 +
LR trained on the same labels; all scored on the same fixed test reviews, next to the
default model. Medians over seeds. The domain's labels are pos/neg: a neutral answer
counts as an error.

``--score-on dev`` scores on a separate development split (reviews in neither the pool nor
the test split): design choices are made there, so the fixed test split never drives them.
Features are cached per model (sha256 of model.onnx) under the temp folder.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.model import bundled_model_dir, load_engine, sha256_file  # noqa: E402
from core.modelbuild.data import HELDOUT_CATEGORY, load_online_shopping, shared_data_dir  # noqa: E402
from core.training import base_features, fit_quick_head, select_for_labeling  # noqa: E402


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


def cached_features(engine, model_dir: Path, name: str, texts: list[str]) -> np.ndarray:
    key = hashlib.sha256((sha256_file(model_dir / "model.onnx") + name + "\n".join(texts)).encode()).hexdigest()[:20]
    path = Path(tempfile.gettempdir()) / "reviewlens-bench-cache" / f"lc-{key}.npy"
    if path.is_file():
        return np.load(path)
    t0 = time.time()
    feats = base_features(engine, texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, feats)
    print(f"  features for {len(texts)} {name} reviews: {time.time() - t0:.0f} s", file=sys.stderr)
    return feats


def head_acc(W, b, feats, y) -> float:
    return float(((feats @ W.T + b).argmax(1) == y).mean())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None, help="model folder (default: models/default)")
    ap.add_argument("--pool", type=int, default=3000)
    ap.add_argument("--test", type=int, default=2000)
    ap.add_argument("--dev", type=int, default=2000)
    ap.add_argument("--score-on", choices=("test", "dev"), default="test")
    ap.add_argument("--sizes", type=int, nargs="+", default=[32, 100, 300])
    ap.add_argument("--batch", type=int, default=16, help="labels per active-learning round")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    model_dir = args.model or bundled_model_dir()
    rows = [(t, y) for c, t, y in load_online_shopping(shared_data_dir()) if c == HELDOUT_CATEGORY]
    random.Random(0).shuffle(rows)
    test, pool = rows[: args.test], rows[args.test: args.test + args.pool]
    dev = rows[args.test + args.pool: args.test + args.pool + args.dev]
    scored = test if args.score_on == "test" else dev
    engine = load_engine(model_dir, device="cpu", threads=args.threads)
    labels = list(engine.labels)

    def ys(part):
        return np.array([labels.index("positive") if y == 2 else labels.index("negative") for _t, y in part])

    y_eval, y_pool = ys(scored), ys(pool)
    f_eval = cached_features(engine, model_dir, args.score_on, [t for t, _ in scored])
    f_pool = cached_features(engine, model_dir, "pool", [t for t, _ in pool])
    hidden = f_pool.shape[1] - len(labels)
    base_cols = [hidden + i for i in range(len(labels))]  # each class starts from its own base logit
    eval_texts = [t for t, _ in scored]
    # the default model's answer = argmax of its (temperature-scaled) logits, the last columns
    default_acc = float((f_eval[:, hidden:].argmax(1) == y_eval).mean())
    print(f"model {engine.version}; default model on {len(scored)} unseen-domain {args.score_on} reviews: "
          f"accuracy {default_acc:.4f}")

    results: dict[tuple[str, int], list[float]] = {}

    def record(kind: str, n: int, idx: np.ndarray, W, b) -> None:
        results.setdefault((f"{kind} + quick head", n), []).append(head_acc(W, b, f_eval, y_eval))
        results.setdefault((f"{kind} + TF-IDF LR", n), []).append(
            tfidf_acc([pool[i][0] for i in idx], y_pool[idx], eval_texts, y_eval))

    t0 = time.time()
    for seed in range(args.seeds):
        order = np.random.default_rng(seed).permutation(len(pool))
        for n in args.sizes:
            idx = order[:n]
            if len(set(y_pool[idx])) < 2:
                continue
            W, b = fit_quick_head(f_pool[idx], y_pool[idx], len(labels), seed=seed, base_columns=base_cols)
            record("random", n, idx, W, b)
        # active learning in rounds of --batch labels, each picked by the head trained so far
        chosen: list[int] = []
        given = np.full(len(pool), -1)
        probs = None
        for n in args.sizes:
            while len(chosen) < n:
                if probs is None:  # no labels yet (or one class only): the model as shipped
                    logits = f_pool[:, hidden:]
                else:
                    logits = probs
                new = select_for_labeling(_softmax(logits), f_pool[:, :hidden], n=min(args.batch, n - len(chosen)),
                                          labels=given, seed=seed)
                chosen += new
                given[new] = y_pool[new]  # the owner labels the batch
                idx = np.array(chosen)
                if len(set(y_pool[idx])) >= 2 and np.bincount(y_pool[idx]).max() < len(idx) - 1:
                    W, b = fit_quick_head(f_pool[idx], y_pool[idx], len(labels), seed=seed, base_columns=base_cols)
                    probs = f_pool @ W.T + b
            idx = np.array(chosen)
            W, b = fit_quick_head(f_pool[idx], y_pool[idx], len(labels), seed=seed, base_columns=base_cols)
            record("active", n, idx, W, b)
        print(f"  seed {seed} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    kinds = ("active + quick head", "random + quick head", "active + TF-IDF LR", "random + TF-IDF LR")
    print("\n| labels | " + " | ".join(kinds) + " | default model |\n|---|---|---|---|---|---|")
    for n in args.sizes:
        cells = [f"{np.median(results.get((k, n), [np.nan])):.4f}" for k in kinds]
        print(f"| {n} | " + " | ".join(cells) + f" | {default_acc:.4f} |")
    print(f"\nmedians over {args.seeds} seeds (per seed, active / random quick head: " + "; ".join(
        f"{n}: " + " ".join(f"{a:.3f}/{r:.3f}" for a, r in zip(results.get(('active + quick head', n), []),
                                                               results.get(('random + quick head', n), [])))
        for n in args.sizes) + f"); pool {len(pool)}, {args.score_on} {len(scored)} reviews of {HELDOUT_CATEGORY}; "
        f"active rounds of {args.batch}")
    return 0


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


if __name__ == "__main__":
    sys.exit(main())
