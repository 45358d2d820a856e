"""Accuracy on the unseen-category (水果) test set against hand-audited labels.

    python bench/bench_label_audit.py [--work ../build_e5] [--model models/default ...]
                                      [--teacher DIR ...]

The 水果 labels come from the shop's rating, not from the text: many reviews labelled
positive are plain complaints (a buyer who gave stars for the courier). A hand audit
(bench/label_audit_zh_unseen.tsv: hashes and verdicts only, texts stay in ../shared/data)
re-read every review of bench_sentiment's 3,000 where any compared system disagreed with
the gold label. This script scores each system three ways on the same 3,000 texts:
against the original labels; against corrected labels (an audited P/N verdict replaces
the gold label, an M keeps it); and on corrected labels without the M (mixed/unclear)
reviews. "unaudited errors" counts a system's errors on texts the audit never read: a new
model with many of them needs its disagreements audited too before the corrected figures
mean anything.

Systems: each --model (int8 ONNX, argmax and pos/neg only), TF-IDF + LR on the same
training data (argmax and pos/neg), and each --teacher in torch (pos/neg only); with two
or more teachers also their ensemble (mean of softmax).
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.modelbuild.data import NEG, POS, build_splits  # noqa: E402
from testsets import posneg, sentiment_test_sets, teacher_probs, tfidf_baseline  # noqa: E402  (bench/ is the script's folder)

AUDIT = Path(__file__).resolve().parent / "label_audit_zh_unseen.tsv"
VERDICT_LABEL = {"P": POS, "N": NEG}


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_audit(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, verdict = line.split("\t")
            out[key] = verdict
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=ROOT.parent / "build_e5")
    ap.add_argument("--model", type=Path, action="append")
    ap.add_argument("--teacher", type=Path, action="append", default=[])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    models = args.model or [ROOT / "models" / "default"]

    splits = build_splits(args.work)
    examples = sentiment_test_sets(splits, 3000)[0]["zh_unseen_category"]
    texts = [e.text for e in examples]
    gold = np.array([e.label for e in examples])
    audit = read_audit(AUDIT)
    keys = [text_key(t) for t in texts]
    audited = np.array([k in audit for k in keys])
    corrected = np.array([VERDICT_LABEL.get(audit.get(k, ""), g) for k, g in zip(keys, gold)])
    mixed = np.array([audit.get(k) == "M" for k in keys])
    changed = int((corrected != gold).sum())
    print(f"{len(texts)} texts, {int(audited.sum())} audited: {changed} gold labels wrong, "
          f"{int(mixed.sum())} mixed or unclear, {int(audited.sum()) - changed - int(mixed.sum())} confirmed")

    preds: dict[str, np.ndarray] = {}
    from core.model import load_engine

    for model_dir in models:
        probs = load_engine(model_dir, device="cpu", threads=args.threads).predict(texts).probs
        preds[f"{model_dir.name} argmax"] = probs.argmax(1)
        preds[f"{model_dir.name} pos/neg only"] = posneg(probs)
    tfidf = tfidf_baseline(splits.train)
    preds["TF-IDF + LR argmax"] = tfidf.predict(texts)
    preds["TF-IDF + LR pos/neg only"] = posneg(tfidf.predict_proba(texts))
    teachers = [teacher_probs(folder, args.work, texts, threads=args.threads) for folder in args.teacher]
    for folder, probs in zip(args.teacher, teachers):
        preds[f"teacher {folder.name} pos/neg only"] = posneg(probs)
    if len(teachers) > 1:
        preds["teacher ensemble pos/neg only"] = posneg(np.mean(teachers, axis=0))

    clear = ~mixed
    print(f"{'system':<34} {'original':>8} {'corrected':>9} {'no mixed':>9} {'unaudited errors':>17}")
    for name, pred in preds.items():
        unaudited = int(((pred != corrected) & ~audited).sum())
        print(f"{name:<34} {np.mean(pred == gold):>8.3f} {np.mean(pred == corrected):>9.3f} "
              f"{np.mean(pred[clear] == corrected[clear]):>9.3f} {unaudited:>17}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
