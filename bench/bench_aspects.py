"""Aspect-polarity accuracy on the public ABSA test sets, clause-level vs whole sentence.

Usage: .venv/bin/python bench/bench_aspects.py [--model DIR] [--threads N] [--limit N]

Items are 3 lines: sentence with $T$ for the aspect term, the term, Positive/Neutral/Negative.
Variants, all with the same model:
  sentence        the whole sentence's sentiment for every aspect (baseline)
  clause          the clause (core.text.split_clauses) that contains the term
  clause+widen    as clause, a very short clause joined with its neighbour (what analysis uses)
  clause>next>sentence  the clause; if neutral, the next clause; if neutral too, the sentence
                  (the policy analysis used before 2026-11-30)
  blend           0.4 x clause + 0.6 x sentence probabilities
                  (core.analysis.aspects.resolve_polarity: what analysis uses; weight chosen on
                  the train files by bench/tune_aspects.py)
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.analysis.aspects import clause_offsets, mention_window, resolve_polarity  # noqa: E402
from core.model import load_engine  # noqa: E402
from core.text import split_clauses  # noqa: E402

DATA = Path("/work/shared/data")
GOLD = {"Negative": "negative", "Neutral": "neutral", "Positive": "positive"}
_NON_ASCII_GAP = re.compile(r"(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])")


def read_items(path: Path, zh: bool) -> list[tuple[str, str, int, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    items = []
    for i in range(0, len(lines) - 2, 3):
        template, term, label = lines[i].strip(), lines[i + 1].strip(), lines[i + 2].strip()
        if zh:  # these sets space-separate every character
            template, term = _NON_ASCII_GAP.sub("", template), _NON_ASCII_GAP.sub("", term)
        at = template.find("$T$")
        items.append((template.replace("$T$", term, 1), term, at, GOLD[label]))
    return items


def read_acos(path: Path, limit: int = 2000) -> list[tuple[str, str, int, str]]:
    """Restaurant reviews with several aspects each (explicit aspects only; inclusive char spans)."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines()[:limit]:
        text, _, triples = line.partition("####")
        chars = text.split()
        sentence = "".join(chars)
        starts = np.cumsum([0] + [len(c) for c in chars])
        seen: dict[tuple[int, int], str] = {}
        for (s, e), _opinion, pol in eval(triples, {"__builtins__": {}}):  # a literal list of tuples
            if s < 0:
                continue
            label = {"pos": "positive", "neu": "neutral", "neg": "negative"}[pol[:3].lower()]
            seen[(s, e)] = label if seen.get((s, e), label) == label else "conflict"
        for (s, e), label in seen.items():
            if label != "conflict":
                items.append((sentence, "".join(chars[s:e + 1]), int(starts[s]), label))
    return items


def clause_index(sentence: str, clauses: list[str], term: str, at: int) -> int:
    offsets = clause_offsets(sentence, clauses)
    for k, (start, clause) in enumerate(zip(offsets, clauses)):
        if start >= 0 and start <= at < start + len(clause):
            return k
    return next((k for k, c in enumerate(clauses) if term in c), 0)


def _chain(labels, clause_p, next_p, review_p) -> str:
    """The earlier policy: the first non-neutral of clause, next clause, review."""
    neutral = list(labels).index("neutral")
    for p in (clause_p, next_p, review_p):
        if p is not None and int(np.argmax(p)) != neutral:
            return labels[int(np.argmax(p))]
    return labels[int(np.argmax(clause_p))]


def macro_f1(gold: list[str], pred: list[str]) -> float:
    f1s = []
    for c in ("negative", "neutral", "positive"):
        tp = sum(g == c and p == c for g, p in zip(gold, pred))
        denom = sum(g == c for g in gold) + sum(p == c for p in pred)
        if sum(g == c for g in gold):
            f1s.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(f1s))


def run(engine, name: str, items) -> dict:
    sentences = [s for s, *_ in items]
    windows: dict[str, list] = {"clause": [], "clause+widen": [], "next": []}
    for sentence, term, at, _ in items:
        clauses = split_clauses(sentence) or [sentence]
        k = clause_index(sentence, clauses, term, at)
        windows["clause"].append(clauses[k])
        windows["clause+widen"].append(mention_window(clauses, k, term=term, widen=True))
        windows["next"].append(clauses[k + 1] if k + 1 < len(clauses) else None)
    texts = sorted(set(sentences) | set(windows["clause"]) | set(windows["clause+widen"])
                   | {t for t in windows["next"] if t})
    t0 = time.perf_counter()
    pred = engine.predict(texts)
    secs = time.perf_counter() - t0
    lab = dict(zip(texts, pred.predicted))
    probs = dict(zip(texts, pred.probs))
    gold = [g for *_, g in items]
    variants = {"sentence": [lab[s] for s in sentences],
                "clause": [lab[w] for w in windows["clause"]],
                "clause+widen": [lab[w] for w in windows["clause+widen"]]}
    variants["clause>next>sentence"] = [_chain(engine.labels, probs[c], probs[n] if n else None, probs[s])
                                        for c, n, s in zip(windows["clause"], windows["next"], sentences)]
    variants["blend"] = [resolve_polarity(engine.labels, probs[c], probs[s])[0]
                         for c, s in zip(windows["clause"], sentences)]
    multi = [len(set(split_clauses(s))) > 1 for s in sentences]
    out = {"dataset": name, "items": len(items), "multi_clause": sum(multi), "texts/s": len(texts) / secs}
    for v, p in variants.items():
        out[v] = (np.mean([a == b for a, b in zip(gold, p)]), macro_f1(gold, p))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    engine = load_engine(args.model, device="cpu", threads=args.threads)
    sets = [(p.name.split(".")[0], p, True) for p in sorted((DATA / "absa_zh").glob("*.test.txt"))]
    sets.append(("tshirt_en", DATA / "absa_en" / "Menstshirt_Test_Gold.xml.seg", False))
    sets.append(("acos_zh (first 2000 reviews)", DATA / "acos_zh" / "test.txt", None))
    rows = []
    for name, path, zh in sets:
        items = read_acos(path) if zh is None else read_items(path, zh)
        rows.append(run(engine, name, items[:args.limit] if args.limit else items))
    names = ["sentence", "clause", "clause+widen", "clause>next>sentence", "blend"]
    print(f"model {engine.version} ({engine.provider})")
    print("| dataset | items | multi-clause | " + " | ".join(f"{n} acc / F1" for n in names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for r in rows:
        print(f"| {r['dataset']} | {r['items']} | {r['multi_clause']} | "
              + " | ".join(f"{r[n][0]:.3f} / {r[n][1]:.3f}" for n in names) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
