"""Build the shipped intent model (``core.analysis.intent_model``) from hand-labelled reviews.

``python -m core.modelbuild.intents [--model models/default] [--out resources/intents/intent_model.npz]``

Training data (never the held-out sources below):

* the intent gold sets ``data/intents/intents_{zh,en}.tsv`` minus their held-out sources;
* the team's hand-written intent reviews ``data/intents/train_handwritten_{zh,en}.tsv``;
* the seed sentences ``resources/intents/seeds_{zh,en}.jsonl``.

Held out, only for the figures in the manifest and ``bench/bench_intents_gold.py``: the
product categories 水果 and 平板, the car reviews and the restaurant reviews (acos) in
Chinese; the T-shirt sentences in English. Every intent's threshold, and whether its rule
may decide alone, are chosen on out-of-fold predictions of the REAL training reviews only
(the hand-written ones are cleaner than life and would pull thresholds down).

scikit-learn and the engine run here only; the app reads the npz with numpy.
"""
from __future__ import annotations

import argparse
import json
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.analysis import INTENTS, IntentModel, dense_features, load_rules, load_seeds, sha256_of
from core.ngram import featurize, fit_idf

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "intents"
OUT = ROOT / "resources" / "intents" / "intent_model.npz"
HELD_OUT = {"zh": ("水果", "平板", "absa_zh/car", "acos_zh"), "en": ("absa_en",)}
BITS, MAX_N, C, FOLDS = 18, 3, 4.0, 4
GRID = np.round(np.arange(0.10, 0.951, 0.05), 2)
MIN_TEST = 10  # intents with fewer held-out positives are not scored (too noisy)


@dataclass
class Rows:
    texts: list[str]
    langs: list[str]
    labels: list[set[str]]
    real: np.ndarray  # bool: a real review (gold), not hand-written or a seed


def log(msg: str) -> None:
    print(f"[intents {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def is_held_out(lang: str, source: str) -> bool:
    return any(key in source for key in HELD_OUT[lang])


def read_gold(lang: str) -> list[tuple[str, str, set[str]]]:
    """(source, text, intents) of the hand-labelled gold set."""
    lines = (DATA / f"intents_{lang}.tsv").read_text(encoding="utf-8").splitlines()[1:]
    rows = [line.split("\t") for line in lines]
    return [(r[1], r[2], set(filter(None, r[3].split(";"))) if len(r) > 3 else set()) for r in rows if len(r) >= 3]


def read_handwritten(lang: str) -> list[tuple[str, set[str]]]:
    """Every round of the team's hand-written intent reviews (train_handwritten*_<lang>.tsv)."""
    out: list[tuple[str, set[str]]] = []
    for path in sorted(DATA.glob(f"train_handwritten*_{lang}.tsv")):
        lines = path.read_text(encoding="utf-8").splitlines()[1:]
        out += [(p[0], set(filter(None, p[1].split(";")))) for p in (line.split("\t") for line in lines)
                if len(p) >= 2]
    return out


def training_rows() -> tuple[Rows, dict[str, Rows]]:
    """(training rows, held-out rows per language)."""
    texts, langs, labels, real = [], [], [], []
    held: dict[str, Rows] = {}
    for lang in ("zh", "en"):
        gold = read_gold(lang)
        test = [g for g in gold if is_held_out(lang, g[0])]
        held[lang] = Rows([t for _s, t, _g in test], [lang] * len(test), [g for _s, _t, g in test],
                          np.ones(len(test), bool))
        for _s, t, g in (g for g in gold if not is_held_out(lang, g[0])):
            texts.append(t), langs.append(lang), labels.append(g), real.append(True)
        for t, g in read_handwritten(lang):
            texts.append(t), langs.append(lang), labels.append(g), real.append(False)
    s_texts, s_labels, s_langs = load_seeds()
    texts += s_texts
    langs += s_langs
    labels += [set(x) for x in s_labels]
    real += [False] * len(s_texts)
    return Rows(texts, langs, labels, np.asarray(real, bool)), held


def design(texts: list[str], dense: np.ndarray, idf: np.ndarray):
    from scipy.sparse import csr_matrix, hstack

    indptr, indices, values = featurize(texts, bits=BITS, max_n=MAX_N, idf=idf)
    grams = csr_matrix((values, indices, indptr), shape=(len(texts), 1 << BITS))
    return hstack([csr_matrix(dense), grams]).tocsr()


def f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = float((y & p).sum())
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + float((y & ~p).sum()) + float((~y & p).sum()))


def fit_intent(x, y: np.ndarray, folds: np.ndarray, real: np.ndarray, hits: np.ndarray):
    """(classifier on all rows, threshold, rule_or, out-of-fold F1 on the real rows)."""
    from sklearn.linear_model import LogisticRegression

    def model():
        return LogisticRegression(C=C, class_weight="balanced", max_iter=3000)

    oof = np.zeros(len(y), np.float32)
    for k in range(FOLDS):
        test = folds == k
        oof[test] = model().fit(x[~test], y[~test]).predict_proba(x[test])[:, 1]
    yr, pr, hr = y[real], oof[real], hits[real]
    plain = [f1(yr, pr >= t) for t in GRID]
    with_rule = [f1(yr, (pr >= t) | hr) for t in GRID]
    rule_or = max(with_rule) > max(plain) + 0.005  # the rule must earn its veto-free say
    scores = with_rule if rule_or else plain
    best = int(np.argmax(scores))
    return model().fit(x, y), float(GRID[best]), rule_or, float(scores[best])


def build(engine, out: Path) -> dict:
    rows, held = training_rows()
    rules = load_rules()
    log(f"{len(rows.texts)} training texts ({int(rows.real.sum())} real), held out: "
        + ", ".join(f"{k} {len(v.texts)}" for k, v in held.items()))
    hits = [rules.hits(t, lg) for t, lg in zip(rows.texts, rows.langs)]
    probs = engine.predict(rows.texts).probs
    idf = fit_idf(rows.texts, bits=BITS, max_n=MAX_N).astype(np.float32)
    x = design(rows.texts, dense_features(INTENTS, probs, engine.labels, hits), idf)
    folds = np.array([zlib.crc32(t.encode("utf-8")) % FOLDS for t in rows.texts])
    weight = np.zeros((len(INTENTS), 1 << BITS), np.float32)
    dense_w = np.zeros((len(INTENTS), 3 + len(INTENTS)), np.float32)
    bias, thr, rule_or, oof_f1 = [], [], [], {}
    for j, intent in enumerate(INTENTS):
        y = np.array([intent in s for s in rows.labels])
        h = np.array([intent in s for s in hits])
        clf, t, use_rule, score = fit_intent(x, y, folds, rows.real, h)
        dense_w[j], weight[j] = clf.coef_[0][:dense_w.shape[1]], clf.coef_[0][dense_w.shape[1]:]
        bias.append(float(clf.intercept_[0]))
        thr.append(t)
        rule_or.append(use_rule)
        oof_f1[intent] = round(score, 3)
        log(f"{intent}: {int(y.sum())} positives, threshold {t}, rule decides alone: {use_rule}, OOF F1 {score:.3f}")
    model = IntentModel(INTENTS, BITS, MAX_N, idf, weight.astype(np.float16), dense_w,
                        np.asarray(bias, np.float32), np.asarray(thr, np.float32), np.asarray(rule_or, bool))
    held_f1 = {lang: evaluate(model, engine, rules, r) for lang, r in held.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    manifest = {"schema_version": 1, "sha256": sha256_of(out), "built": time.strftime("%Y-%m-%d %H:%M"),
                "sentiment_model": engine.version, "features": f"char 1-{MAX_N}-grams hashed 2**{BITS}, "
                "sentiment probabilities, rule hits", "c": C, "folds": FOLDS,
                "training": {"texts": len(rows.texts), "real": int(rows.real.sum()),
                             "sources": ["data/intents/intents_{zh,en}.tsv minus held-out sources",
                                         "data/intents/train_handwritten_{zh,en}.tsv",
                                         "resources/intents/seeds_{zh,en}.jsonl"]},
                "held_out_sources": HELD_OUT, "oof_f1_real": oof_f1, "held_out_f1": held_f1}
    out.with_suffix(".json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def evaluate(model: IntentModel, engine, rules, rows: Rows) -> dict[str, float]:
    """Per-intent F1 on held-out rows (intents with >= MIN_TEST positives) and their mean."""
    hits = [rules.hits(t, lg) for t, lg in zip(rows.texts, rows.langs)]
    dense = dense_features(model.intents, engine.predict(rows.texts).probs, engine.labels, hits)
    pred = model.decide(model.predict_proba(rows.texts, dense), hits)
    out = {}
    for intent in model.intents:
        y = np.array([intent in g for g in rows.labels])
        if y.sum() >= MIN_TEST:
            out[intent] = round(f1(y, np.array([intent in p for p in pred])), 3)
    out["macro"] = round(float(np.mean(list(out.values()))), 3)
    log(f"held out: {out}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "default", help="sentiment model for the features")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    from core.model import load_engine

    manifest = build(load_engine(args.model, device="cpu", blend=True), args.out)
    log(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB), held-out macro-F1 "
        + ", ".join(f"{k} {v['macro']}" for k, v in manifest["held_out_f1"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
