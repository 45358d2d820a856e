"""Choose the aspect-polarity clause weight on the TRAIN files only (absa_zh *.train, acos_zh dev,
absa_en Train), then print the test figures of the chosen weight next to the baseline.

    .venv/bin/python bench/tune_aspects.py
"""
import sys, itertools
ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "bench"))
import numpy as np
from pathlib import Path
from bench_aspects import read_items, read_acos, clause_index, macro_f1, DATA
from core.model import load_engine
from core.text import split_clauses
eng = load_engine(None, device="cpu", threads=2)
labels = list(eng.labels); NEU = labels.index("neutral")

def sets(split):
    out = []
    for p in sorted((DATA / "absa_zh").glob(f"*.{split}.txt")):
        out.append((p.name.split(".")[0], read_items(p, True)[:1500]))
    out.append(("tshirt_en", read_items(DATA / "absa_en" / ("Menstshirt_Train.xml.seg" if split == "train" else "Menstshirt_Test_Gold.xml.seg"), False)))
    out.append(("acos", read_acos(DATA / "acos_zh" / ("dev.txt" if split == "train" else "test.txt"), 1000 if split == "train" else 2000)))
    return out

def feats(items):
    rows = []
    for s, term, at, g in items:
        cl = split_clauses(s) or [s]
        k = clause_index(s, cl, term, at)
        rows.append((s, cl[k], cl[k + 1] if k + 1 < len(cl) else None, g, len(set(cl)) > 1))
    texts = sorted({r[0] for r in rows} | {r[1] for r in rows} | {r[2] for r in rows if r[2]})
    P = dict(zip(texts, eng.predict(texts).probs))
    return [(P[c], P[n] if n else None, P[s], g, m) for s, c, n, g, m in rows]

def policy(cp, np_, sp, w, use_next):
    c = cp
    if use_next and np_ is not None and int(np.argmax(cp)) == NEU:
        c = np_
    p = w * c + (1 - w) * sp
    return labels[int(np.argmax(p))]

def score(data, w, use_next):
    gold = [d[3] for d in data]; pred = [policy(d[0], d[1], d[2], w, use_next) for d in data]
    return float(np.mean([a == b for a, b in zip(gold, pred)])), macro_f1(gold, pred)

train = [(n, feats(i)) for n, i in sets("train")]
grid = [(w, u) for w in np.round(np.arange(0, 1.01, 0.1), 2) for u in (False, True)]
best = None
for w, u in grid:
    accs = [score(d, w, u)[0] for _, d in train]
    f1s = [score(d, w, u)[1] for _, d in train]
    m = np.mean(accs) + np.mean(f1s)
    print(f"w={w} next={u} train acc " + " ".join(f"{a:.3f}" for a in accs) + f" mean acc {np.mean(accs):.4f} meanF1 {np.mean(f1s):.4f}")
    if best is None or m > best[0]:
        best = (m, w, u)
print("chosen", best)
test = [(n, feats(i)) for n, i in sets("test")]
for n, d in test:
    print(n, len(d), "baseline", score(d, 0.0, False), "chosen", score(d, best[1], best[2]), "clause>next>sentence-ish w=1 next", score(d, 1.0, True))
