"""Sentiment accuracy on held-out data, every system side by side in one run (issue 15).

    python bench/bench_accuracy.py [--model models/default] [--previous DIR] [--work ../build_blend]
                                   [--loco 水果,平板,书籍] [--json out.json]

Systems: the new default (transformer + n-gram blend), the same transformer alone, fast mode
(the model's small network with its own stacker, where it ships one; not on the loco rows,
whose blend is re-trained), the previous default folder when given, character
1-3-gram TF-IDF + logistic regression trained on the same shared data (the baseline of
issue 15), SnowNLP (Chinese only), and with ``--teacher WORK`` the 12-layer fp32 teacher of a
model build's work folder (``WORK/teacher2`` or ``WORK/teacher``, torch; its neutral logit
offset fitted on the build's validation split, as the student's is).

Sets, all never trained on by the blend:
* ``loco:<cat>``: leave-one-category-out on online_shopping_5cats. The blend's n-gram model
  and stacker and the TF-IDF baseline are re-trained without the category (and, for 书籍,
  without SnowNLP's fragments, which are cut from 书籍/计算机/酒店 reviews). The student is
  fixed: it never saw 水果, but it did see the other categories during distillation, so its
  loco figures for them flatter it (and through it the blend).
* ``absa_zh:<domain>`` / ``acos_zh``: the aspect sets' test files as sentence polarity.
* ``en_vader_amazon`` (test half by review id), ``en_absa_tshirt`` (test file).
* probes (hand-written by the team, never trained on): ``short_en``, ``short_zh``,
  ``negation_zh``/``negation_en``, ``neutral_statements``.
* ``gold3:test``: the hand-labelled 3-way set's test half (ids with odd hash).

Figures: pos/neg balanced accuracy (larger of the two scores; neutral never counts) for the
polar sets; for neutral_statements the neutral recall and the share of its clear complaints
called neutral; for gold3 3-way accuracy, macro-F1 and neutral F1.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from core.modelbuild.data import (NEG, NEU, POS, Example, acos_sentences, apc_sentences,  # noqa: E402
                                  build_splits, load_online_shopping, norm_key, shared_data_dir)

PROBES = ROOT / "bench" / "probes"
GOLD = ROOT / "data" / "gold" / "sentiment3_gold.tsv"
TAG = {"pos": POS, "neg": NEG, "neu": NEU, "positive": POS, "negative": NEG, "neutral": NEU}


def _tsv(path: Path) -> list[list[str]]:
    return [ln.split("\t") for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


def probe_sets() -> dict[str, list[Example]]:
    sets: dict[str, list[Example]] = {
        "short_en": [Example(t, TAG[y], "probe") for t, y in _tsv(ROOT / "bench" / "short_en_reviews.tsv")],
        "short_zh": [Example(t, TAG[y], "probe") for t, y in _tsv(PROBES / "short_zh.tsv")],
    }
    for lang in ("zh", "en"):
        sets[f"negation_{lang}"] = [Example(t, TAG[y], "probe") for t, y, lg in _tsv(PROBES / "negation.tsv")
                                    if lg == lang]
    sets["neutral_statements"] = [Example(t, TAG[y], "probe") for t, y, _lg in _tsv(PROBES / "neutral_statements.tsv")]
    return sets


def gold_test() -> list[Example]:
    rows = _tsv(GOLD)[1:]
    return [Example(r[3], TAG[r[4]], r[1]) for r in rows if int(r[0], 16) % 2 == 1]


def domain_sets(data: Path) -> dict[str, list[Example]]:
    sets = {}
    for domain in ("hair", "notebook", "car", "mooc"):
        sets[f"absa_zh:{domain}"] = [e for e in apc_sentences([data / "absa_zh" / f"{domain}.test.txt"], "absa_zh")
                                     if e.label != NEU]
    sets["acos_zh"] = [e for e in acos_sentences(data / "acos_zh" / "test.txt") if e.label != NEU]
    return sets


def balanced_posneg(probs: np.ndarray, y: np.ndarray) -> float:
    pred = np.where(probs[:, POS] > probs[:, NEG], POS, NEG)
    return float(np.mean([(pred[y == c] == c).mean() for c in (NEG, POS) if (y == c).any()]))


def three_way(probs: np.ndarray, y: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score

    pred = probs.argmax(1)
    f1 = f1_score(y, pred, labels=[NEG, NEU, POS], average=None, zero_division=0)
    return {"acc": float((pred == y).mean()), "macro_f1": float(f1.mean()), "neutral_f1": float(f1[NEU])}


def score(name: str, probs: np.ndarray, exs: list[Example]) -> dict[str, float]:
    y = np.asarray([e.label for e in exs])
    if name == "neutral_statements":
        pred = probs.argmax(1)
        return {"neutral_recall": float((pred[y == NEU] == NEU).mean()),
                "complaints_called_neutral": float((pred[y == NEG] == NEU).mean()),
                "complaints_posneg": float((probs[y == NEG, NEG] > probs[y == NEG, POS]).mean())}
    if name.startswith("gold3"):
        return three_way(probs, y)
    polar = y != NEU
    out = {"bal_acc": balanced_posneg(probs[polar], y[polar])}
    out["said_neutral"] = float((probs[polar].argmax(1) == NEU).mean())
    return out


class Tfidf:
    """The issue's baseline: char 1-3-gram TF-IDF + LR (bench/testsets.py), 3 labels."""

    def __init__(self, train: list[Example]):
        from testsets import tfidf_baseline

        self.model = tfidf_baseline(train)

    def probs(self, texts: list[str]) -> np.ndarray:
        p = self.model.predict_proba(texts)
        out = np.zeros((len(texts), 3), np.float32)
        for i, c in enumerate(self.model.classes_):
            out[:, int(c)] = p[:, i]
        return out


def snownlp_probs(texts: list[str]) -> np.ndarray:
    from snownlp import SnowNLP

    p = np.asarray([SnowNLP(t).sentiments if t.strip() else 0.5 for t in texts], np.float32)
    return np.stack([1 - p, np.zeros_like(p), p], axis=1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    ap.add_argument("--previous", type=Path, default=None, help="the previous default model folder")
    ap.add_argument("--work", type=Path, default=ROOT.parent / "build_blend")
    ap.add_argument("--loco", default="水果,平板,书籍")
    ap.add_argument("--loco-sample", type=int, default=2000)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--teacher", type=Path, default=None, help="a model build's work folder with teacher2/ or teacher/")
    args = ap.parse_args()
    from core.model import load_engine
    from core.modelbuild.blend import build_blend, load_handwritten
    from core.ngram import stacked_probs

    t0 = time.time()
    data = shared_data_dir()
    splits = build_splits(args.work, data)
    handwritten = load_handwritten()
    shop = load_online_shopping(data)
    rng = random.Random(7)
    sets: dict[str, list[Example]] = {}
    loco = [c for c in args.loco.split(",") if c]
    for cat in loco:
        rows = [Example(t, y, f"online_shopping/{c}") for c, t, y in shop if c == cat]
        rng.shuffle(rows)
        sets[f"loco:{cat}"] = rows[:args.loco_sample]
    sets.update(domain_sets(data))
    sets["en_vader_amazon"] = splits.tests["en_vader_amazon"]
    sets["en_absa_tshirt"] = splits.tests["en_absa_tshirt"]
    sets.update(probe_sets())
    sets["gold3:test"] = gold_test()
    hand_keys = {norm_key(e.text) for e in handwritten}
    for name, exs in sets.items():  # never test on what was trained on
        clash = sum(norm_key(e.text) in hand_keys for e in exs)
        if clash:
            print(f"note: {name}: {clash} texts also in data/handwritten, dropped")
            sets[name] = [e for e in exs if norm_key(e.text) not in hand_keys]

    new = load_engine(args.model, device="cpu")
    alone = load_engine(args.model, device="cpu", blend=False)
    systems: dict[str, callable] = {"new default": lambda t: new.predict(t).probs,
                                    "transformer alone": lambda t: alone.predict(t).probs}
    if new.manifest.get("fast"):
        fastmode = load_engine(args.model, device="cpu", fast=True)
        systems["fast mode"] = lambda t: fastmode.predict(t).probs
    if args.previous:
        prev = load_engine(args.previous, device="cpu")
        systems["previous default"] = lambda t: prev.predict(t).probs
    shared_train = splits.train + splits.val + splits.extra
    tfidf_all = Tfidf(shared_train)
    systems["TF-IDF+LR"] = tfidf_all.probs
    systems["SnowNLP"] = snownlp_probs
    if args.teacher:
        systems["12-layer teacher"] = teacher_probs(args.teacher, splits.val, new.max_length)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, exs in sets.items():
        texts = [e.text for e in exs]
        results[name] = {}
        for sys_name, fn in systems.items():
            if sys_name == "SnowNLP" and (name.endswith("_en") or name.startswith("en_")):
                continue
            if name.startswith("loco:") and sys_name in ("new default", "TF-IDF+LR", "fast mode") or (
                    sys_name == "12-layer teacher" and name.startswith("loco:") and name != "loco:水果"):
                continue  # re-trained without the category below
            results[name][sys_name] = score(name, fn(texts), exs)
    for cat in loco:
        name = f"loco:{cat}"
        exs = sets[name]
        drop_snow = cat in ("书籍", "计算机", "酒店")
        test_keys = {norm_key(e.text) for e in exs}
        sub = splits_without(splits, cat, drop_snow, test_keys)
        hand = [e for e in handwritten if norm_key(e.text) not in test_keys]
        doc = build_blend(work=args.work, base=args.model, out=None, splits=sub, handwritten=hand)
        texts = [e.text for e in exs]
        blended = stacked_probs(alone.predict(texts).probs, doc["_ngram"].probs(texts), doc["stack_weight"],
                                doc["stack_bias"])
        results[name]["new default"] = score(name, blended, exs)
        results[name]["TF-IDF+LR"] = score(name, Tfidf(sub.train + sub.val + sub.extra).probs(texts), exs)
    print_table(results)
    print(f"\n{len(sets)} sets, {time.time() - t0:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


def teacher_probs(work: Path, val: list[Example], max_length: int):
    """The build's fp32 teacher as a probability function (testsets.load_teacher: the same
    input cut as the student, its neutral offset fitted on validation)."""
    from testsets import load_teacher

    folder, logits, offset = load_teacher(work, val, max_length)
    print(f"teacher {folder}: neutral offset {offset} (fitted on validation)", file=sys.stderr)

    def probs(texts: list[str]) -> np.ndarray:
        z = logits(texts)
        z[:, NEU] += offset
        z = np.exp(z - z.max(1, keepdims=True))
        return (z / z.sum(1, keepdims=True)).astype(np.float32)
    return probs


def splits_without(splits, cat: str, drop_snow: bool, test_keys: set[str]):
    from core.modelbuild.data import Splits

    def keep(e: Example) -> bool:
        if e.source == f"online_shopping/{cat}" or (drop_snow and e.source == "snownlp"):
            return False
        return norm_key(e.text) not in test_keys

    return Splits(train=[e for e in splits.train if keep(e)], val=[e for e in splits.val if keep(e)],
                  unlabeled=[], tests={}, extra=[e for e in splits.extra if keep(e)])


def print_table(results: dict[str, dict[str, dict[str, float]]]) -> None:
    systems = sorted({s for r in results.values() for s in r}, key=lambda s: (
        ["new default", "transformer alone", "fast mode", "previous default", "12-layer teacher", "TF-IDF+LR",
         "SnowNLP"].index(s)))
    print("| set | metric | " + " | ".join(systems) + " |")
    print("|---|---|" + "---|" * len(systems))
    for name, per in results.items():
        metrics = next(iter(per.values())).keys()
        for m in metrics:
            cells = [f"{per[s][m]:.3f}" if s in per else "" for s in systems]
            print(f"| {name} | {m} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
