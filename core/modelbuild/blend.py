"""Build stage ``blend``: add a character n-gram voice to the distilled student (issue 15).

``python -m core.modelbuild.blend --work ../build_blend --base models/default --out models/default``

1. Data: the build's splits (``core.modelbuild.data.build_splits``: 水果 and every test file
   held out) plus the team's hand-written reviews (``data/handwritten/``, training only).
2. Out-of-fold n-gram probabilities: the stacker texts are cut in ``FOLDS`` parts by text
   hash; each part is scored by an n-gram model trained on the rest of the pool, so the
   stacker sees the n-gram model's honest (unseen-text) behaviour.
3. Stacker: a 3-class logistic regression over ``[log p_student, log p_ngram]`` fitted on
   texts the student never trained on (the build's validation split and the hand-written
   reviews), with the student's probabilities as the app computes them. Its neutral
   intercept is then moved so that macro-F1 is best on the dev half of the hand-labelled
   3-way gold set (``data/gold``; the test half is never looked at here).
4. The final n-gram model is trained on the whole pool and written to ``ngram.npz``; the
   stacker's weights and the recipe go into the manifest under ``blend``; every file gets
   its sha256; the folder is written next to ``--out`` and ``os.replace``-d into place.

Resumable: the student's probabilities are cached in ``--work`` (keyed by the base model's
version and the texts); ``--exclude-category`` builds the leave-one-category-out variants
the accuracy bench compares (never shipped).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.modelbuild.data import LABELS, NEU, Example, Splits, build_splits, norm_key
from core.ngram import stack_features

ROOT = Path(__file__).resolve().parents[2]
HANDWRITTEN = ROOT / "data" / "handwritten"
FOLDS = 2
GOLD = ROOT / "data" / "gold" / "sentiment3_gold.tsv"
HANDWRITTEN_WEIGHT = 3.0  # few rows, each aimed at a gap of the shared data
NGRAM_WORDS = True  # Latin word 1-2-grams beside the character grams (core.ngram, schema 2)


def log(msg: str) -> None:
    print(f"[blend {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def load_handwritten(folder: Path = HANDWRITTEN) -> list[Example]:
    out: list[Example] = []
    for path in sorted(folder.glob("reviews*.tsv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for line in lines[1:]:
            parts = line.split("\t")
            if len(parts) >= 2 and parts[1] in LABELS and parts[0].strip():
                category = parts[2].strip() if len(parts) > 2 and parts[2].strip() else "misc"
                out.append(Example(parts[0].strip(), LABELS.index(parts[1]), f"handwritten/{path.stem}/{category}"))
    return out


def _fold(text: str) -> int:
    return int(hashlib.sha1(norm_key(text).encode("utf-8")).hexdigest(), 16) % FOLDS


@dataclass
class BlendData:
    pool: list[Example]  # n-gram training texts
    stack: list[Example]  # stacker texts: never seen by the student
    weights: list[float]  # per pool example


def blend_data(splits: Splits, handwritten: list[Example], *, exclude_category: str | None = None,
               test_keys: set[str] | None = None) -> BlendData:
    def keep(e: Example) -> bool:
        if exclude_category and e.source == f"online_shopping/{exclude_category}":
            return False
        return not test_keys or norm_key(e.text) not in test_keys

    base = [e for e in splits.train + splits.extra if keep(e)]
    val = [e for e in splits.val if keep(e)]
    hand = [e for e in handwritten if keep(e)]
    pool = base + val + hand
    weights = [1.0] * (len(base) + len(val)) + [HANDWRITTEN_WEIGHT] * len(hand)
    return BlendData(pool=pool, stack=val + hand, weights=weights)


def student_probs(base: Path, texts: list[str], cache: Path | None) -> np.ndarray:
    """The student's probabilities as the app computes them (cached by model version + texts)."""
    from core.model import load_engine

    engine = load_engine(base, device="cpu", blend=False)
    key = hashlib.sha1(("\n".join(texts) + engine.version).encode("utf-8")).hexdigest()[:16]
    path = cache / f"student_{key}.npy" if cache else None
    if path is not None and path.is_file():
        return np.load(path)
    probs = engine.predict(texts).probs
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, probs)
    return probs


def _data_key(data: BlendData, bits: int) -> str:
    h = hashlib.sha1(f"{bits}|{FOLDS}|{HANDWRITTEN_WEIGHT}|{NGRAM_WORDS}".encode())
    for e, w in zip(data.pool, data.weights):
        h.update(f"{e.text}\t{e.label}\t{w}\n".encode("utf-8"))
    h.update(b"|stack|")
    for e in data.stack:
        h.update(e.text.encode("utf-8") + b"\n")
    return h.hexdigest()[:16]


def group_of(e: Example) -> str:
    """The domain an example comes from: a shop category, a data set, a hand-written category."""
    return e.source


def group_folds(examples: list[Example]) -> dict[str, int]:
    """Whole domains go to one fold (largest first, each to the currently smallest fold), so
    a fold's n-gram model has never seen the domains it scores: the stacker learns how far
    the n-gram voice can be trusted on a product category it has not met, as in real use."""
    sizes: dict[str, int] = {}
    for e in examples:
        sizes[group_of(e)] = sizes.get(group_of(e), 0) + 1
    load = [0] * FOLDS
    out: dict[str, int] = {}
    for group, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        k = min(range(FOLDS), key=lambda i: (load[i], i))
        out[group] = k
        load[k] += n
    return out


def oof_ngram_probs(data: BlendData, extra: list[Example] = (), **ngram_kw) -> dict[str, np.ndarray]:
    """n-gram probabilities of every stacker text (and of ``extra`` texts, which are never in
    the pool) from a model trained without that text's whole domain."""
    from core.ngram import train_ngram

    folds = group_folds(data.pool)
    out: dict[str, np.ndarray] = {}
    for k in range(FOLDS):
        idx = [i for i, e in enumerate(data.pool) if folds[group_of(e)] != k]
        model = train_ngram([data.pool[i].text for i in idx], [data.pool[i].label for i in idx],
                            label_names=LABELS, weights=[data.weights[i] for i in idx], **ngram_kw)
        held = [e for e in data.stack if folds.get(group_of(e), -1) == k]
        held += [e for e in extra if _fold(e.text) % FOLDS == k]
        for e, p in zip(held, model.probs([e.text for e in held])):
            out[norm_key(e.text)] = p
        log(f"fold {k + 1}/{FOLDS}: trained on {len(idx):,}, scored {len(held):,}")
    return out


def fit_stacker(x: np.ndarray, y: np.ndarray, w: np.ndarray, *, tie: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """z_c = a * log p_student_c + b * log p_ngram_c + bias_c, by weighted log-loss.

    Shared weights and three intercepts, not a free 3x6 matrix: with few texts that look
    like the user's, a free matrix learnt odd cross-class weights that did not transfer to
    new product categories (BENCHMARKS.md). ``tie`` (default) also sets a = b: the texts we
    can fit on are unfair to one voice or the other (the student trained on most shared
    reviews, the n-gram model is scored out of its domain), so the two voices are trusted
    equally and only the overall sharpness and the class intercepts are learnt."""
    from scipy.optimize import minimize

    n_labels = len(LABELS)
    ls, ln = x[:, :n_labels].astype(np.float64), x[:, n_labels:].astype(np.float64)
    w = w / w.sum()

    def loss(theta: np.ndarray) -> float:
        a, b, bias = theta[0], theta[0] if tie else theta[1], theta[2:]
        z = a * ls + b * ln + bias
        z = z - z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        return float(-(w * logp[np.arange(len(y)), y]).sum() + 1e-3 * (theta[:2] ** 2).sum())

    res = minimize(loss, np.asarray([1.0, 1.0, 0.0, 0.0, 0.0]), method="L-BFGS-B",
                   bounds=[(0.0, 5.0), (0.0, 5.0)] + [(-10.0, 10.0)] * n_labels)
    a, b = float(res.x[0]), float(res.x[0] if tie else res.x[1])
    weight = np.zeros((n_labels, 2 * n_labels), np.float32)
    for c in range(n_labels):
        weight[c, c], weight[c, n_labels + c] = a, b
    return weight, res.x[2:].astype(np.float32)


def build_blend(*, work: Path, base: Path, out: Path | None, splits: Splits, handwritten: list[Example],
                exclude_category: str | None = None, bits: int = 20) -> dict:
    """Fit the n-gram model and the stacker; write a model folder to ``out`` (when given).
    Returns the blend document (the manifest's ``blend`` entry) with the objects attached
    under ``_ngram`` for callers that evaluate without writing."""
    from core.ngram import train_ngram

    from core.ngram import load_ngram

    data = blend_data(splits, handwritten, exclude_category=exclude_category, test_keys=evaluation_keys())
    log(f"pool {len(data.pool):,} texts ({len(handwritten):,} hand-written), stacker {len(data.stack):,}")
    dev = gold_dev()
    cache = work / "cache" / f"ngram_{_data_key(data, bits)}_{len(dev)}"
    if (cache / "oof.npz").is_file():  # resumable: the n-gram fits are the slow part
        with np.load(cache / "oof.npz", allow_pickle=False) as z:
            oof = dict(zip((str(k) for k in z["keys"]), z["probs"]))
        log(f"reusing {cache}")
    else:
        oof = oof_ngram_probs(data, extra=dev, bits=bits, words=NGRAM_WORDS)
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(cache / "oof.npz", keys=np.asarray(list(oof)), probs=np.stack(list(oof.values())))
    stack = data.stack + dev  # real reviews labelled 3-way by the team weigh in too
    from core.model import read_manifest

    if read_manifest(base).get("refine"):  # the student trained on the hand-written texts: not fair for it
        stack = [e for e in stack if not e.source.startswith("handwritten")]
    texts = [e.text for e in stack]
    ps = student_probs(base, texts, work / "cache")
    pn = np.stack([oof[norm_key(t)] for t in texts])
    y = np.asarray([e.label for e in stack])
    # the shared validation texts, the hand-written ones and the gold dev half count about equally
    kinds = ["hand" if e.source.startswith("handwritten") else "gold" if e in dev_set(dev) else "val" for e in stack]
    counts = {k: kinds.count(k) for k in set(kinds)}
    w = np.asarray([1.0 / counts[k] for k in kinds])
    weight, bias = fit_stacker(stack_features(ps, pn), y, w)
    if (cache / "ngram.npz").is_file():
        final = load_ngram(cache / "ngram.npz")
    else:
        final = train_ngram([e.text for e in data.pool], [e.label for e in data.pool], label_names=LABELS,
                            weights=data.weights, bits=bits, words=NGRAM_WORDS)
        final.save(cache / "ngram.npz")
    offset, dev_f1 = tune_neutral(base, final, weight, bias, work)
    bias[NEU] += offset
    log(f"stacker weights {np.round(weight, 2).tolist()} bias {np.round(bias, 2).tolist()} "
        f"(neutral offset {offset:+.2f}: gold dev macro-F1 {dev_f1})")
    doc = {"ngram": "ngram.npz", "stack_weight": weight.round(5).tolist(), "stack_bias": bias.round(5).tolist(),
           "recipe": {"ngram": f"char 1-3-gram{' + Latin word 1-2-gram (negation-marked)' if NGRAM_WORDS else ''}, "
                                f"crc32 hashed into 2**{bits}, sublinear TF-IDF (min_df 2), "
                                "multinomial logistic regression C=4, balanced classes",
                      "pool": len(data.pool), "handwritten": len(handwritten),
                      "handwritten_weight": HANDWRITTEN_WEIGHT, "stacker_texts": len(stack),
                      "stacker": "z_c = a log p_student_c + a log p_ngram_c + bias_c fitted on "
                                 + " + ".join(f"{counts[k]} {k}" for k in sorted(counts))
                                 + " texts (equal weight per kind; 'hand' only when the student never trained on "
                                   f"them); n-gram probabilities out of fold, {FOLDS} folds of whole domains",
                      "neutral_offset": offset, "gold_dev_macro_f1": dev_f1,
                      "excluded_category": exclude_category}}
    if out is not None:
        write_model(base, out, final, doc)
    doc["_ngram"] = final
    return doc


def evaluation_keys() -> set[str]:
    """Normalised texts of the gold set and the hand-written probes: never in the blend's
    training pool (the student's own distillation data is fixed; see bench_accuracy.py)."""
    keys: set[str] = set()
    if GOLD.is_file():
        keys |= {norm_key(ln.split("\t")[3]) for ln in GOLD.read_text(encoding="utf-8").splitlines()[1:] if ln.strip()}
    for path in [ROOT / "bench" / "short_en_reviews.tsv", *sorted((ROOT / "bench" / "probes").glob("*.tsv"))]:
        if path.is_file():
            keys |= {norm_key(ln.split("\t")[0]) for ln in path.read_text(encoding="utf-8").splitlines()
                     if ln.strip() and not ln.startswith("#")}
    return keys


def dev_set(dev: list[Example]) -> set[Example]:
    return set(dev)


def gold_dev() -> list[Example]:
    """The dev half of the hand-labelled 3-way gold set (even id hash); [] when absent."""
    if not GOLD.is_file():
        return []
    rows = [ln.split("\t") for ln in GOLD.read_text(encoding="utf-8").splitlines()[1:] if ln.strip()]
    return [Example(r[3], LABELS.index(r[4]), r[1]) for r in rows if int(r[0], 16) % 2 == 0]


NEUTRAL_ON_POLAR_MAX = 0.03  # clear pos/neg reviews may be called neutral this often, at most


def tune_neutral(base: Path, ngram, weight: np.ndarray, bias: np.ndarray, work: Path) -> tuple[float, float | None]:
    """The neutral-intercept shift with the best 3-way macro-F1 on the gold dev half, among
    the shifts that call at most ``NEUTRAL_ON_POLAR_MAX`` of its positive and negative
    reviews neutral (a complaint read as "neutral" is the error a merchant notices first);
    0 when there is no gold set (tests, tiny builds)."""
    from sklearn.metrics import f1_score

    dev = gold_dev()
    if len(dev) < 50:
        return 0.0, None
    texts = [e.text for e in dev]
    y = np.asarray([e.label for e in dev])
    z = stack_features(student_probs(base, texts, work / "cache"), ngram.probs(texts)) @ weight.T + bias
    best, best_f1 = None, -1.0
    for offset in sorted(np.arange(-4.0, 3.01, 0.25), key=abs):
        adj = z.copy()
        adj[:, NEU] += offset
        pred = adj.argmax(1)
        if float((pred[y != NEU] == NEU).mean()) > NEUTRAL_ON_POLAR_MAX:
            continue
        f1 = float(f1_score(y, pred, labels=[0, 1, 2], average="macro", zero_division=0))
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(offset), f1
    if best is None:  # no shift keeps polar reviews polar enough: the strongest one tried
        return -4.0, None
    return best, round(best_f1, 4)


def write_model(base: Path, out: Path, ngram, doc: dict) -> Path:
    from core.model import read_manifest, sha256_file
    from core.modelbuild.build import replace_folder

    manifest = read_manifest(base)
    tmp = out.with_name(f".{out.name}.blend-tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(base, tmp)
    ngram.save(tmp / "ngram.npz")
    manifest["student_version"] = manifest.get("student_version", manifest["version"])
    manifest["version"] = "default-" + time.strftime("%Y%m%d-%H%M")
    manifest["blend"] = {k: v for k, v in doc.items() if not k.startswith("_")}
    manifest["created"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    files = manifest.get("files") or {}
    files["ngram.npz"] = {"sha256": sha256_file(tmp / "ngram.npz"), "bytes": (tmp / "ngram.npz").stat().st_size}
    manifest["files"] = files
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    replace_folder(tmp, out)
    log(f"wrote {out} ({manifest['version']})")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("../build_blend"))
    ap.add_argument("--base", type=Path, default=Path("models/default"),
                    help="model folder whose student is blended (its own n-gram part is ignored)")
    ap.add_argument("--out", type=Path, default=Path("models/default"))
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--bits", type=int, default=20)
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    splits = build_splits(args.work, args.data)
    base = args.base
    if base.resolve() == args.out.resolve():  # reading and replacing one folder: read a copy
        copy = args.work / "base"
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(base, copy)
        base = copy
    build_blend(work=args.work, base=base, out=args.out, splits=splits, handwritten=load_handwritten(),
                bits=args.bits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
