"""Intents on the hand-labelled gold sets (data/intents), on product categories held out
from training (issue 16): the shipped intent model (core.analysis.intent_model, built by
core.modelbuild.intents on the gold training part + hand-written + seeds) vs the previous
classifier (rules + seed head) vs rules alone vs a seed-style head trained on the gold
training part (core.analysis.intents.train_intent_head) vs TF-IDF + logistic regression
one-vs-rest on the gold training part.

    python bench/bench_intents_gold.py [--model models/default]

Split (by source, never by row): Chinese test = online_shopping 水果 and 平板, absa_zh car,
acos_zh (restaurants); English test = the T-shirt sentences (absa_en), training = the Amazon
snippets. Per-intent F1 and macro-F1 over the intents with at least 10 test positives;
thresholds are tuned by cross-validation on the training part only.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.analysis.intents import INTENTS, load_intent_classifier, load_rules, train_intent_head  # noqa: E402
from core.modelbuild.intents import f1, is_held_out, read_gold  # noqa: E402  (one definition for the build and this bench)


def is_test(lang: str, source: str) -> bool:
    return is_held_out(lang, source)


def report(name: str, gold: list[set[str]], pred: list[set[str]]) -> dict[str, float]:
    out = {}
    for intent in INTENTS:
        y = np.array([intent in g for g in gold])
        if y.sum() >= 10:
            out[intent] = f1(y, np.array([intent in p for p in pred]))
    out["macro"] = float(np.mean(list(out.values())))
    print(f"  {name:<28} macro-F1 {out['macro']:.3f}  " + "  ".join(
        f"{k} {v:.2f}" for k, v in out.items() if k != "macro"))
    return out


def tfidf_ovr(train_texts, train_sets, test_texts) -> list[set[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    x, xt = vec.fit_transform(train_texts), None
    xt = vec.transform(test_texts)
    pred = [set() for _ in test_texts]
    for intent in INTENTS:
        y = np.array([intent in s for s in train_sets])
        if y.sum() < 5:
            continue
        clf = LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced")
        oof = cross_val_predict(clf, x, y, cv=4, method="predict_proba")[:, 1]
        grid = np.arange(0.1, 0.95, 0.05)
        thr = grid[int(np.argmax([f1(y, oof >= t) for t in grid]))]
        p = clf.fit(x, y).predict_proba(xt)[:, 1]
        for i in np.flatnonzero(p >= thr):
            pred[i].add(intent)
    return pred


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    args = ap.parse_args()
    from core.model import load_engine

    engine = load_engine(args.model, device="cpu", blend=True)  # as analysis runs it
    current = load_intent_classifier(engine)
    previous = load_intent_classifier(engine, use_shipped=False)
    rules = load_rules()
    for lang in ("zh", "en"):
        rows = read_gold(lang)
        train = [r for r in rows if not is_test(lang, r[0])]
        test = [r for r in rows if is_test(lang, r[0])]
        print(f"{lang}: train {len(train)}, test {len(test)} (held-out sources)")
        tt = [t for _s, t, _g in test]
        gold = [g for _s, _t, g in test]
        pred_t = engine.predict(tt, with_embeddings=True)
        langs = [lang] * len(tt)
        report("rules only", gold, [rules.hits(t, lang) for t in tt])
        cur = current.classify(tt, langs, pred_t.embeddings, pred_t.probs, engine.labels)
        report("shipped intent model", gold, [set(c) for c in cur])
        prev = previous.classify(tt, langs, pred_t.embeddings, pred_t.probs, engine.labels)
        report("previous (rules + seed head)", gold, [set(c) for c in prev])
        tr_texts = [t for _s, t, _g in train]
        tr_sets = [sorted(g) for _s, _t, g in train]
        emb = engine.predict(tr_texts, with_embeddings=True).embeddings
        head = train_intent_head(tr_texts, tr_sets, emb, langs=[lang] * len(tr_texts), rules=rules)
        from core.analysis import IntentClassifier

        trained = IntentClassifier(rules, head).classify(tt, langs, pred_t.embeddings, pred_t.probs, engine.labels)
        report("rules + head on gold train", gold, [set(c) for c in trained])
        report("TF-IDF+LR one-vs-rest", gold, tfidf_ovr(tr_texts, tr_sets, tt))
    return 0


if __name__ == "__main__":
    sys.exit(main())
