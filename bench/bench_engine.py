"""Engine figures: model load time, throughput on real reviews, peak RSS over 100k reviews.

    python bench/bench_engine.py [--n 100000] [--threads 2] [--device cpu|cuda]

Each measurement runs in a fresh subprocess so one does not warm or bloat the next.
Texts: real reviews from ../shared/data (online_shopping_5cats, then acos_zh sentences),
cycled to reach --n. Peak RSS is the process's ru_maxrss after streaming all texts through
Engine.iter_predict (results kept as compact arrays, as the analyze path does).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import numpy as np
t0 = time.perf_counter()
from core.model import load_engine
engine = load_engine({model!r}, device={device!r}, threads={threads})
load_s = time.perf_counter() - t0
from core.modelbuild.data import load_online_shopping, acos_sentences, shared_data_dir
d = shared_data_dir()
texts = [t for _c, t, _y in load_online_shopping(d)] + [e.text for e in acos_sentences(d / "acos_zh" / "train.txt")]
n = {n}
import random
random.Random(0).shuffle(texts)  # a realistic mix of categories and lengths, not the first (book) rows
texts = (texts * (n // len(texts) + 1))[:n]
mode = {mode!r}
if mode == "speed":
    sample = texts[:{speed_n}]
    engine.predict(sample[:64])
    rates = []
    for _ in range(3):
        t = time.perf_counter(); engine.predict(sample); rates.append(len(sample) / (time.perf_counter() - t))
    print(json.dumps({{"load_s": load_s, "rates": rates, "provider": engine.provider}}))
else:
    t = time.perf_counter()
    labels = np.empty(n, np.int8); conf = np.empty(n, np.float32); i = 0
    for part in engine.iter_predict(iter(texts), total=n):
        k = len(part); labels[i:i + k] = part.probs.argmax(1); conf[i:i + k] = part.probs.max(1); i += k
    dt = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({{"n": i, "seconds": dt, "rate": i / dt, "peak_rss_mb": rss, "provider": engine.provider}}))
"""


def run(mode: str, args) -> dict:
    code = CHILD.format(root=str(ROOT), model=str(args.model), device=args.device, threads=args.threads,
                        n=args.n if mode == "rss" else 5000, mode=mode, speed_n=args.speed_n)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--speed-n", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    loads, rates = [], []
    for _ in range(3):
        r = run("speed", args)
        loads.append(r["load_s"])
        rates += r["rates"]
    loads.sort()
    rates.sort()
    print(f"provider {r['provider']}; model load median {loads[1]:.2f} s (min {loads[0]:.2f}, max {loads[2]:.2f})")
    print(f"throughput on {args.speed_n} real reviews: median {rates[len(rates) // 2]:.0f} reviews/s "
          f"(min {rates[0]:.0f}, max {rates[-1]:.0f}, {len(rates)} runs, {args.threads} threads)")
    if args.n:
        r = run("rss", args)
        print(f"streamed {r['n']:,} reviews in {r['seconds']:.0f} s ({r['rate']:.0f}/s); "
              f"peak RSS {r['peak_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
