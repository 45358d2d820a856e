"""The student's pos/neg discrimination alone: the larger of the negative and positive scores,
so the fitted neutral offset is out of the picture (compares models built with different
offsets on the same texts as bench_sentiment.py).

    python bench/bench_posneg.py [--work ../build_e5] --model models/default [--model OTHER ...]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.modelbuild.data import build_splits  # noqa: E402
from testsets import posneg, sentiment_test_sets  # noqa: E402  (bench/ is the script's folder)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=ROOT.parent / "build_e5")
    ap.add_argument("--model", type=Path, action="append", required=True)
    ap.add_argument("--zh-sample", type=int, default=3000)
    args = ap.parse_args()
    from core.model import load_engine

    tests, _rng = sentiment_test_sets(build_splits(args.work), args.zh_sample)  # the texts bench_sentiment.py scores
    sets = {name: tests[name] for name in ("zh_unseen_category", "en_vader_amazon", "en_absa_tshirt")}
    for model_dir in args.model:
        engine = load_engine(model_dir, device="cpu")
        cells = []
        for name, examples in sets.items():
            probs = engine.predict([e.text for e in examples]).probs  # order of probs = order of logits
            y = np.array([e.label for e in examples])
            cells.append(f"{name} argmax {float((probs.argmax(1) == y).mean()):.3f} "
                         f"pos/neg only {float((posneg(probs) == y).mean()):.3f}")
        print(f"{model_dir}: " + "; ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
