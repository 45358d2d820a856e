"""Aspect DETECTION (which of our aspects a review/sentence mentions), lexicon vs the learnt
clause classifier vs both, on aspect-labelled sets the classifier never trained on.

Usage: .venv/bin/python bench/bench_aspect_detection.py [--model resources/aspect_model.npz] [--per-aspect]

Sets (gold = the set of our aspects per sentence; core/modelbuild/aspect_data.py):
  hair / car / notebook   absa_zh *.test.txt, labelled aspect terms mapped by
                          data/aspects/aspect_term_map.tsv (sentences with an unmapped term left out)
  tshirt_en               absa_en Menstshirt_Test_Gold, the same way
  acos                    acos_zh test.txt (restaurant); implicit aspects and dish names judged
                          by their opinion span; restaurant-only aspects (decor, location,
                          portion size, menu) map to "-" (none of ours)
  heldout_5cats           300 sentences of online_shopping_5cats (平板/水果/计算机/书籍),
                          hand-labelled by us (data/aspects/README.md); never trained on
Variants, per sentence cut into clauses as analysis cuts them (core.text.split_clauses):
  lexicon     a clause with a lexicon term (resources/aspects.json), as analysis did before
  classifier  a clause the classifier scores at or above its aspect's threshold
  union       lexicon OR classifier (what analysis did before the gate)
  gated       classifier OR a lexicon term whose aspect the classifier does not rule out
              (probability >= LEXICON_GATE x threshold; what analysis does now)
Micro P/R/F1 pool every (sentence, aspect) decision of a set; macro F1 averages the
aspects that have gold sentences in that set.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.analysis.aspect_model import GATED_LANGUAGES, judge_clauses, load_aspect_model  # noqa: E402
from core.analysis.aspects import load_lexicon  # noqa: E402
from core.modelbuild.aspect_data import ASPECT_DATA, Item, labelled_clauses, public_sets  # noqa: E402
from core.text import detect_language, split_clauses  # noqa: E402

VARIANTS = ("lexicon", "classifier", "union", "gated")


def eval_sets() -> dict[str, list[Item]]:
    sets = {name.split(".")[0]: loaded.items for name, loaded in public_sets("test").items()}
    sets["heldout_5cats"] = labelled_clauses(ASPECT_DATA / "heldout_5cats.tsv", "heldout_5cats").items
    return sets


def detections(items: list[Item], lexicon, model, engine) -> dict[str, list[set[str]]]:
    clauses = [split_clauses(it.text) or [it.text] for it in items]
    flat = [c for cl in clauses for c in cl]
    emb = engine.predict(flat, with_embeddings=True).embeddings if model.uses_embeddings else None
    hits = model.detect(flat, emb)
    judged = judge_clauses(model, clauses, emb)
    out: dict[str, list[set[str]]] = {v: [] for v in VARIANTS}
    pos = 0
    for it, cl, per_clause in zip(items, clauses, judged):
        lang = detect_language(it.text)
        lex = {a for c in cl for a, *_ in lexicon.find(c, lang)}
        clf = {a for h in hits[pos:pos + len(cl)] for a, _p in h}
        pos += len(cl)
        out["lexicon"].append(lex)
        out["classifier"].append(clf)
        out["union"].append(lex | clf)
        vetoed = [v if lang in GATED_LANGUAGES else frozenset() for _f, v in per_clause]
        gated = {a for c, v in zip(cl, vetoed) for a, term, *_ in lexicon.find(c, lang)
                 if a not in v or term.lower() in lexicon.owner_terms}
        out["gated"].append(gated | clf)
    return out


def scores(gold: list[set[str]], pred: list[set[str]], aspects: list[str]) -> dict:
    tp = {a: 0 for a in aspects}
    fp, fn = dict(tp), dict(tp)
    for g, p in zip(gold, pred):
        for a in aspects:
            tp[a] += a in g and a in p
            fp[a] += a in p and a not in g
            fn[a] += a in g and a not in p
    f1 = {a: 2 * tp[a] / (2 * tp[a] + fp[a] + fn[a]) for a in aspects if tp[a] + fn[a]}
    t, f_p, f_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    return {"p": t / max(t + f_p, 1), "r": t / max(t + f_n, 1), "f1": 2 * t / max(2 * t + f_p + f_n, 1),
            "macro": float(np.mean(list(f1.values()))) if f1 else 0.0, "per_aspect": f1,
            "support": {a: tp[a] + fn[a] for a in aspects}}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", help="aspect model npz (default: the shipped one)")
    ap.add_argument("--per-aspect", action="store_true")
    args = ap.parse_args()
    model = load_aspect_model(args.model)
    engine = None
    if model.uses_embeddings:
        from core.model import load_engine

        engine = load_engine(None, device="cpu", threads=2)
    lexicon = load_lexicon()
    aspects = list(model.aspects)
    print(f"aspect model {model.manifest.get('created')} ({model.manifest.get('features')})")
    print("| set | sentences | gold mentions | " + " | ".join(f"{v} P / R / F1 / macro" for v in VARIANTS) + " |")
    print("|---|---|---|" + "---|" * len(VARIANTS))
    pooled = {v: ([], []) for v in VARIANTS}
    per_aspect = {}
    for name, items in eval_sets().items():
        det = detections(items, lexicon, model, engine)
        gold = [it.aspects for it in items]
        cells = []
        for v in VARIANTS:
            s = scores(gold, det[v], aspects)
            cells.append(f"{s['p']:.3f} / {s['r']:.3f} / **{s['f1']:.3f}** / {s['macro']:.3f}")
            pooled[v][0].extend(gold)
            pooled[v][1].extend(det[v])
            per_aspect[(name, v)] = s
        print(f"| {name} | {len(items)} | {sum(len(g) for g in gold)} | " + " | ".join(cells) + " |")
    cells = []
    for v in VARIANTS:
        s = scores(*pooled[v], aspects)
        per_aspect[("all", v)] = s
        cells.append(f"{s['p']:.3f} / {s['r']:.3f} / **{s['f1']:.3f}** / {s['macro']:.3f}")
    print(f"| all sets pooled | {len(pooled['union'][0])} | {sum(len(g) for g in pooled['union'][0])} | "
          + " | ".join(cells) + " |")
    if args.per_aspect:
        print("\nper aspect, all sets pooled: F1 lexicon -> union -> gated (gold sentences)")
        for a in aspects:
            lx, un, ga = (per_aspect[("all", v)] for v in ("lexicon", "union", "gated"))
            if a in un["per_aspect"]:
                print(f"  {a:13s} {lx['per_aspect'][a]:.3f} -> {un['per_aspect'][a]:.3f} -> {ga['per_aspect'][a]:.3f}"
                      f" ({un['support'][a]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
