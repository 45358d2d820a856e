"""Retraining wall time and peak RSS: quick and full mode on 500 labelled real reviews.

    python bench/bench_training.py [--n 500] [--modes quick full] [--threads 2]

Each mode runs in its own subprocess (peak RSS = that process's ru_maxrss). Reviews: the
unseen 水果 category of online_shopping_5cats, labelled positive/negative.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = r"""
import json, random, resource, sys, tempfile, time
sys.path.insert(0, {root!r})
from core.modelbuild.data import HELDOUT_CATEGORY, load_online_shopping, shared_data_dir
from core.training import TrainConfig, train_model
rows = [(t, y) for c, t, y in load_online_shopping(shared_data_dir()) if c == HELDOUT_CATEGORY]
random.Random(5).shuffle(rows)
rows = rows[:{n}]
t = time.perf_counter()
r = train_model([t for t, _ in rows], ["positive" if y == 2 else "negative" for _, y in rows], task="sentiment",
                label_names=["negative", "neutral", "positive"], mode={mode!r},
                config=TrainConfig(mode={mode!r}, threads={threads}), staging_root=tempfile.mkdtemp())
print(json.dumps({{"seconds": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "new": r.metrics_new["accuracy"], "current": r.metrics_current["accuracy"], "n_eval": r.n_eval}}))
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--modes", nargs="+", default=["quick", "full"])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    for mode in args.modes:
        code = CHILD.format(root=str(ROOT), n=args.n, mode=mode, threads=args.threads)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if out.returncode:
            sys.exit(out.stderr[-3000:])
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{mode:<5} {args.n} labels: {r['seconds']:.1f} s wall, peak RSS {r['rss_mb']:.0f} MB; held-out "
              f"accuracy new {r['new']:.3f} vs current {r['current']:.3f} (n={r['n_eval']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
