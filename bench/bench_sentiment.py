"""Sentiment accuracy and speed of the bundled model, side by side with baselines, in one run.

    python bench/bench_sentiment.py [--work ../build_e5] [--zh-sample 3000] [--speed-texts 2000]

Systems: the shipped int8 ONNX student (the analyze path), the fp32 teacher in torch
(needs the model-build work folder), char 1-3-gram TF-IDF + logistic regression trained
on the same training data, and SnowNLP's built-in sentiment (Chinese only).
Test sets (see core/modelbuild/data.py): the unseen 水果 category, English pos/neg from the
VADER Amazon snippets (test half, by review) and absa_en T-shirt test sentences, plus a
3-way set that adds held-out neutral sentences. On pos/neg sets a neutral answer is an error.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.modelbuild.data import NEU, build_splits  # noqa: E402
from testsets import load_teacher, sentiment_test_sets, teacher_folder, tfidf_baseline  # noqa: E402  (bench/ is the script's folder)


def score(y_true, y_pred) -> tuple[float, float, float]:
    from sklearn.metrics import f1_score

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = sorted(set(y_true.tolist()))
    acc = float((y_true == y_pred).mean())
    f1 = float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0))
    neutral_rate = float((y_pred == NEU).mean())
    return acc, f1, neutral_rate


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=ROOT.parent / "build_e5")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    ap.add_argument("--zh-sample", type=int, default=3000)
    ap.add_argument("--speed-texts", type=int, default=2000)
    ap.add_argument("--teacher-speed-texts", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    splits = build_splits(args.work)
    tests, rng = sentiment_test_sets(splits, args.zh_sample)

    from core.model import load_engine

    t0 = time.perf_counter()
    engine = load_engine(args.model, device="cpu", threads=args.threads)
    load_s = time.perf_counter() - t0
    systems: dict[str, callable] = {}
    systems["int8 student (ONNX)"] = lambda texts: engine.predict(texts).probs.argmax(1)

    t1 = time.perf_counter()
    tfidf = tfidf_baseline(splits.train)
    print(f"TF-IDF+LR trained on {len(splits.train):,} texts in {time.perf_counter() - t1:.0f} s", file=sys.stderr)
    systems["TF-IDF 1-3 + LR"] = lambda texts: tfidf.predict(texts)

    try:
        from snownlp import SnowNLP

        def snow(texts):
            out = []
            for t in texts:
                try:
                    out.append(2 if SnowNLP(t).sentiments >= 0.5 else 0)
                except Exception:
                    out.append(1)
            return np.array(out)

        systems["SnowNLP (zh only)"] = snow
    except ImportError:
        pass

    teacher = None  # the teacher's logits function, when the work folder has one
    if teacher_folder(args.work) is not None:
        teacher_dir, teacher, t_offset = load_teacher(args.work, splits.val, engine.max_length, threads=args.threads)
        print(f"teacher {teacher_dir.name}: neutral offset {t_offset} (fitted on validation)", file=sys.stderr)

        memo: dict[tuple, np.ndarray] = {}

        def teacher_logits(texts) -> np.ndarray:
            key = (len(texts), texts[0], texts[-1])
            if key not in memo:
                memo[key] = teacher(texts)
            return memo[key].copy()

        def with_offset(offset: float):
            def predict(texts):
                logits = teacher_logits(texts)
                logits[:, NEU] += offset
                return logits.argmax(1)
            return predict

        # Two stricter readings of the teacher, for the "student within 1 point" target: at the
        # student's own neutral offset, and never answering neutral (pos/neg only).
        s_offset = float(json.loads((args.model / "manifest.json").read_text())["checks"]["neutral_logit_offset"])
        systems["fp32 teacher (torch)"] = with_offset(t_offset)
        systems[f"teacher, offset {s_offset:g}"] = with_offset(s_offset)
        systems["teacher, pos/neg only"] = with_offset(-1e9)

    rows = []
    for set_name, examples in tests.items():
        texts = [e.text for e in examples]
        y = [e.label for e in examples]
        for sys_name, fn in systems.items():
            if sys_name.startswith("SnowNLP") and not set_name.startswith("zh"):
                continue
            pred = fn(texts)
            acc, f1, nr = score(y, pred)
            rows.append((set_name, len(texts), sys_name, acc, f1, nr))
            print(f"{set_name:<20} n={len(texts):<5} {sys_name:<22} acc {acc:.4f}  macro-F1 {f1:.4f}  "
                  f"neutral answers {nr:.1%}", flush=True)

    # agreement of int8 student with the teacher, and speed on real reviews (process start excluded)
    pool = [e.text for e in splits.tests["zh_unseen_category"]]
    rng.shuffle(pool)
    speed_texts = pool[: args.speed_texts]
    engine.predict(speed_texts[:64])
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        engine.predict(speed_texts)
        runs.append(len(speed_texts) / (time.perf_counter() - t))
    student_rate = float(np.median(runs))
    line = f"\nspeed ({args.threads} threads, real reviews, max_length {engine.max_length}): int8 student {student_rate:.0f} reviews/s (median of 3)"
    if teacher is not None:
        tt = speed_texts[: args.teacher_speed_texts]
        t = time.perf_counter()
        teacher(tt)  # timed without the memo
        teacher_rate = len(tt) / (time.perf_counter() - t)
        line += f"; fp32 teacher {teacher_rate:.1f} reviews/s; ratio {student_rate / teacher_rate:.1f}x"
    print(line)
    print(f"model load {load_s:.2f} s; peak RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("\n| set | n | system | accuracy | macro-F1 | neutral answers |\n|---|---|---|---|---|---|")
    for set_name, n, sys_name, acc, f1, nr in rows:
        print(f"| {set_name} | {n} | {sys_name} | {acc:.3f} | {f1:.3f} | {nr:.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
