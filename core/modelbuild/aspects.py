"""Build the clause-level aspect classifier (``resources/aspect_model.npz`` + ``.json``).

    .venv/bin/python -m core.modelbuild.aspects [--features ngram|emb+ngram] [--work ../build_aspects]
        [--out resources/aspect_model.npz]

Data (``core.modelbuild.aspect_data``): the TRAIN splits of absa_zh (hair, car, notebook),
absa_en (T-shirts) and acos_zh, mapped to our aspects by ``data/aspects/aspect_term_map.tsv``,
one row per clause (the clause holding a labelled term gets its aspect; the other clauses
of a fully mapped sentence are negatives), plus the team's hand-written clauses
(``data/aspects/train_clauses_*.tsv``, weight ``HANDWRITTEN_WEIGHT``: 5 beat 20 on validation
F1 for 9 of 11 aspects once there were 1,548 hand-written clauses). Validation: acos_zh
dev and one fifth of the absa train sentences (by text hash), never trained on; the test
splits and the hand-labelled held-out sentences are never read here.

Model: one-vs-rest logistic regression (scikit-learn, build time only) per aspect; each
aspect's threshold is the one that maximises the validation F1 of the whole detector
(lexicon term OR classifier, per sentence); an aspect with fewer than ``MIN_VAL_POSITIVES``
validation sentences keeps ``DEFAULT_THRESHOLD``.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

from core.analysis import AspectClassifier, embedding_features, save_aspect_model
from core.modelbuild.aspect_data import (ASPECT_DATA, Item, aspect_names, labelled_clauses, public_sets)
from core.ngram import featurize, fit_idf

ROOT = Path(__file__).resolve().parents[2]
BITS = 17
MAX_N = 3
C = 4.0
EMB_SCALE = 1.0
HANDWRITTEN_WEIGHT = 5.0
DEFAULT_THRESHOLD = 0.6
MIN_VAL_POSITIVES = 20


def is_validation(item: Item) -> bool:
    return item.source.startswith("acos.dev") or int(hashlib.md5(item.text.encode()).hexdigest(), 16) % 5 == 0


def training_items() -> tuple[list[Item], list[Item], list[Item]]:
    """(public train items, hand-written items, validation items)."""
    train, val = [], []
    for loaded in list(public_sets("train").values()) + list(public_sets("dev").values()):
        for item in loaded.items:
            (val if is_validation(item) else train).append(item)
    hand = []
    for path in sorted(ASPECT_DATA.glob("train_clauses_*.tsv")):
        hand += labelled_clauses(path, path.stem).items
    return train, hand, val


def clause_rows(items: list[Item], aspects: list[str], weight: float = 1.0):
    texts, y, w = [], [], []
    for item in items:
        for clause, present in zip(item.clauses, item.clause_aspects):
            texts.append(clause)
            y.append([a in present for a in aspects])
            w.append(weight)
    return texts, np.asarray(y, bool), np.asarray(w, np.float64)


def features(texts: list[str], idf: np.ndarray, emb: np.ndarray | None):
    from scipy.sparse import csr_matrix, hstack

    indptr, indices, values = featurize(texts, bits=BITS, max_n=MAX_N, idf=idf)
    x = csr_matrix((values, indices, indptr), shape=(len(texts), 1 << BITS))
    if emb is None:
        return x
    return hstack([x, csr_matrix(embedding_features(emb) * EMB_SCALE)]).tocsr()


def embed(texts: list[str], work: Path) -> np.ndarray:
    """The default model's clause embeddings, cached in ``work`` by the texts' hash."""
    from core.model import load_engine

    engine = load_engine(None, device="cpu", threads=2)
    key = hashlib.sha256(("\n".join(texts) + engine.version).encode()).hexdigest()[:16]
    cache = work / f"emb_{key}.npy"
    if cache.is_file():
        return np.load(cache)
    emb = engine.predict(texts, with_embeddings=True).embeddings.astype(np.float32)
    work.mkdir(parents=True, exist_ok=True)
    np.save(cache, emb)
    return emb


def fit(x, y: np.ndarray, w: np.ndarray, n_ngram: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((y.shape[1], x.shape[1]), np.float32)
    bias = np.full(y.shape[1], -30.0, np.float32)
    for k in range(y.shape[1]):
        if y[:, k].sum() < 3:
            continue
        clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
        clf.fit(x, y[:, k], sample_weight=w)
        coef[k], bias[k] = clf.coef_[0], clf.intercept_[0]
    w_emb = coef[:, n_ngram:] * EMB_SCALE if x.shape[1] > n_ngram else None
    return coef[:, :n_ngram], bias, w_emb


def tune_thresholds(model: AspectClassifier, items: list[Item], emb: np.ndarray | None) -> tuple[np.ndarray, dict]:
    """Per aspect, the threshold with the best sentence-level F1 of lexicon OR classifier."""
    from core.analysis import load_lexicon
    from core.text import detect_language

    lexicon = load_lexicon()
    texts = [c for it in items for c in it.clauses]
    p = model.probs(texts, emb)
    owner = np.repeat(np.arange(len(items)), [len(it.clauses) for it in items])
    sent_p = np.zeros((len(items), len(model.aspects)))
    np.maximum.at(sent_p, owner, p)
    lex = np.asarray([[a in {f[0] for f in lexicon.find(it.text, detect_language(it.text))} for a in model.aspects]
                      for it in items])
    gold = np.asarray([[a in it.aspects for a in model.aspects] for it in items])
    thresholds, report = np.full(len(model.aspects), DEFAULT_THRESHOLD, np.float32), {}
    for k, aspect in enumerate(model.aspects):
        if gold[:, k].sum() < MIN_VAL_POSITIVES:
            continue
        best = (-1.0, DEFAULT_THRESHOLD)
        for t in np.arange(0.3, 0.96, 0.025):
            pred = lex[:, k] | (sent_p[:, k] >= t)
            tp = (pred & gold[:, k]).sum()
            f1 = 2 * tp / max(pred.sum() + gold[:, k].sum(), 1)
            best = max(best, (f1, float(t)))
        thresholds[k] = best[1]
        report[aspect] = {"val_f1": round(best[0], 4), "threshold": round(best[1], 3), "val_sentences": int(gold[:, k].sum())}
    return thresholds, report


def build(features_kind: str, work: Path, out: Path) -> dict:
    aspects = aspect_names()
    train, hand, val = training_items()
    t_texts, t_y, t_w = clause_rows(train, aspects)
    h_texts, h_y, h_w = clause_rows(hand, aspects, HANDWRITTEN_WEIGHT)
    texts, y, w = t_texts + h_texts, np.vstack([t_y, h_y]), np.concatenate([t_w, h_w])
    print(f"train clauses {len(texts):,} ({len(h_texts)} hand-written), validation sentences {len(val):,}")
    idf = fit_idf(texts, bits=BITS, max_n=MAX_N).astype(np.float32)
    use_emb = features_kind == "emb+ngram"
    emb = embed(texts, work) if use_emb else None
    started = time.perf_counter()
    w_ngram, bias, w_emb = fit(features(texts, idf, emb), y, w, 1 << BITS)
    print(f"fitted in {time.perf_counter() - started:.0f} s")
    model = AspectClassifier(tuple(aspects), BITS, MAX_N, idf, w_ngram, bias,
                             np.full(len(aspects), DEFAULT_THRESHOLD, np.float32), w_emb)
    val_emb = embed([c for it in val for c in it.clauses], work) if use_emb else None
    model.thresholds, report = tune_thresholds(model, val, val_emb)
    from core.model import load_engine

    manifest = {
        "name": "reviewlens-aspect-detector", "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "features": features_kind, "bits": BITS, "max_n": MAX_N, "C": C,
        "embedding_model": load_engine(None, device="cpu", verify=False).version if use_emb else None,
        "data": {"train_clauses": len(texts), "handwritten_clauses": len(h_texts),
                 "handwritten_weight": HANDWRITTEN_WEIGHT, "validation_sentences": len(val),
                 "sources": ["absa_zh hair/car/notebook train", "absa_en Menstshirt_Train", "acos_zh train",
                             "data/aspects/train_clauses_*.tsv"],
                 "validation": "acos_zh dev + 1/5 of the absa train sentences (md5 % 5 == 0)"},
        "validation": report, "build": "python -m core.modelbuild.aspects",
    }
    return save_aspect_model(model, out, manifest)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--features", choices=("ngram", "emb+ngram"), default="ngram")
    ap.add_argument("--work", type=Path, default=ROOT.parent / "build_aspects")
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "aspect_model.npz")
    args = ap.parse_args(argv)
    manifest = build(args.features, args.work, args.out)
    for aspect, r in manifest["validation"].items():
        print(f"  {aspect:13s} threshold {r['threshold']:.3f}  val F1 {r['val_f1']:.3f} ({r['val_sentences']})")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
