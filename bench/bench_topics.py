"""Topic quality on the aspect-labelled sets: old review clusters vs clause topics (issue 16).

    .venv/bin/python bench/bench_topics.py [--data ../shared/data] [--max 1500] [--sets absa_zh,acos_zh,absa_en]

For each set, the real analysis (bundled model, ``analyze_table``) runs on its sentences, then
prints, for the topics before issue 16 (KMeans over whole-review embeddings named by c-TF-IDF,
``summary.review_cluster_topics``) and for the clause topics that replace them:

* purity: within each topic, the share of its reviews that carry the topic's most frequent
  human aspect label, weighted by topic size (reviews with no human aspect label, i.e. ACOS's
  implicit aspects, are left out). The labels are the human aspect terms (spaces removed,
  lower-cased): absa_zh and absa_en name an aspect term per item; acos_zh's spans are aspect
  terms too (these files carry no coarser category). A review with several labels counts as
  pure when any of them is its topic's majority label;
* coverage: the share of reviews with a topic (the old clusters put every review in one);
* the number of topics and the five largest topic names.

Each review counts in its main topic only. Figures, not a test.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _clean(s: str, zh: bool) -> str:
    return s.replace(" ", "") if zh else s.strip()


def read_apc(paths: list[Path], zh: bool) -> dict[str, set[str]]:
    """Sentence -> human aspect terms, from the 3-line ``$T$`` format."""
    out: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines()
        for i in range(0, len(lines) - 2, 3):
            sent, term = lines[i], lines[i + 1]
            text = _clean(sent.replace("$T$", term), zh)
            out[text].add(_clean(term, True).lower())
    return out


def read_acos(path: Path) -> dict[str, set[str]]:
    """Sentence -> aspect spans (implicit aspects, span -1, give no label)."""
    out: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "####" not in line:
            continue
        sent, quads = line.split("####", 1)
        chars = sent.split()
        terms = {"".join(chars[a:b]) for a, b in re.findall(r"\(\((-?\d+), (-?\d+)\)", quads)
                 for a, b in [(int(a), int(b))] if a >= 0}
        out.setdefault("".join(chars), set()).update(terms)
    return out


def purity(labels: list[set[str]], topic: np.ndarray) -> tuple[float, int]:
    """(size-weighted majority-label share over reviews with a topic and a label, reviews counted)."""
    members: dict[int, list[set[str]]] = defaultdict(list)
    for lab, t in zip(labels, topic.tolist()):
        if t and lab:
            members[t].append(lab)
    hit = total = 0
    for sets in members.values():
        top = Counter(x for s in sets for x in s).most_common(1)[0][0]
        hit += sum(top in s for s in sets)
        total += len(sets)
    return (hit / total if total else float("nan")), total


def run_set(name: str, data: dict[str, set[str]], engine, limit: int) -> None:
    from core.analysis import topics as tp
    from core.analysis import analyze_table
    from core.analysis.summary import review_cluster_topics
    from core.importing import read_reviews

    texts = sorted(data)[:limit] if len(data) > limit else sorted(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.csv"
        pd.DataFrame({"text": texts}).to_csv(path, index=False)
        table = read_reviews(path, text_column="text")
    started = time.perf_counter()
    ins = analyze_table(table, engine)
    seconds = time.perf_counter() - started
    r = ins.reviews
    labels = [data.get(t, set()) for t in r["text"]]
    zh = name.endswith("_zh")
    new_topic = r["topic_id"].to_numpy()
    # the old path: whole-review embeddings, clustered and named as before issue 16
    unique = r["text"].tolist()
    pred = engine.predict(unique, with_embeddings=True)
    sent = np.array(engine.labels, dtype=object)[pred.probs.argmax(1)]
    tokens = [tp.tokenize(t, "zh" if zh else "en") for t in unique]
    old_table, old_topic = review_cluster_topics(unique, sent, pred.probs.max(1), pred.embeddings, tokens)
    print(f"\n## {name}: {len(r)} reviews, {sum(bool(x) for x in labels)} with a human aspect label, "
          f"{len({x for s in labels for x in s})} distinct labels (analysis {seconds:.1f} s)")
    print("| topics | purity | reviews scored | coverage | topics | largest topics |")
    print("|---|---|---|---|---|---|")
    for label, topic, table_ in (("old: review clusters", old_topic, old_table),
                                 ("new: clause topics", new_topic, ins.topics)):
        p, n = purity(labels, topic)
        size_col = "size" if "size" in table_.columns else "reviews"
        names = ", ".join(f"{t['name']} ({int(t[size_col])})" for _, t in
                          table_.sort_values(size_col, ascending=False).head(5).iterrows())
        print(f"| {label} | {p:.3f} | {n} | {np.mean(topic > 0):.1%} | {len(table_)} | {names} |")


def main(argv: list[str] | None = None) -> int:
    from core.model import bundled_model_dir, load_engine

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--max", type=int, default=1500, help="at most this many sentences per set")
    ap.add_argument("--sets", default="absa_zh,acos_zh,absa_en")
    args = ap.parse_args(argv)
    engine = load_engine(bundled_model_dir(), device="cpu")
    sets = {
        "absa_zh": lambda: read_apc(sorted((args.data / "absa_zh").glob("*.test.txt")), True),
        "acos_zh": lambda: read_acos(args.data / "acos_zh" / "dev.txt"),
        "absa_en": lambda: read_apc(sorted((args.data / "absa_en").glob("*Test_Gold*.seg")), False),
    }
    print(f"bundled model {engine.version}; at most {args.max} sentences per set")
    for name in args.sets.split(","):
        run_set(name, sets[name](), engine, args.max)
    return 0


if __name__ == "__main__":
    sys.exit(main())
