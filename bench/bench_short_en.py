"""Short generic English reviews ("Would buy again", "Arrived damaged"): a probe the held-out
sets miss, since the VADER snippets and the T-shirt sentences are longer and more specific.

    python bench/bench_short_en.py [--model models/default ...] [--teacher DIR ...] [--work ../build_e5]

The 100 texts (bench/short_en_reviews.tsv, 50 positive, 50 negative) are hand-written, not
customer text, so this is a probe, not a test set: a model is never trained or tuned on it.
Prints accuracy 3-way (a neutral answer counts as an error) and pos/neg only, and the misses.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.modelbuild.data import NEG, POS  # noqa: E402
from testsets import posneg, teacher_probs  # noqa: E402  (bench/ is the script's folder)

PROBE = Path(__file__).resolve().parent / "short_en_reviews.tsv"


def read_probe(path: Path = PROBE) -> tuple[list[str], np.ndarray]:
    rows = [ln.split("\t") for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return [t for t, _ in rows], np.array([POS if lab == "pos" else NEG for _, lab in rows])


def report(name: str, probs: np.ndarray, texts: list[str], y: np.ndarray) -> None:
    pred = posneg(probs)
    misses = [t for t, p, g in zip(texts, pred, y) if p != g]
    print(f"{name}: 3-way {float((probs.argmax(1) == y).mean()):.3f}, pos/neg only {float((pred == y).mean()):.3f}; "
          f"missed: {'; '.join(misses)}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, action="append")
    ap.add_argument("--teacher", type=Path, action="append", default=[])
    ap.add_argument("--work", type=Path, default=ROOT.parent / "build_e5")
    args = ap.parse_args()
    texts, y = read_probe()
    from core.model import load_engine

    for model_dir in args.model or [ROOT / "models" / "default"]:
        report(str(model_dir), load_engine(model_dir, device="cpu").predict(texts).probs, texts, y)
    for folder in args.teacher:
        report(f"teacher {folder}", teacher_probs(folder, args.work, texts), texts, y)
    return 0


if __name__ == "__main__":
    sys.exit(main())
