#!/usr/bin/env python3
"""Draw the candidate Chinese reviews for the hand-labelled INTENT gold set.

    python3 data/intents/draw_zh.py [--data ../shared/data] > /tmp/draw_zh.tsv

Run from the repository root (reads ../shared/data, or --data). Prints
`id<TAB>source<TAB>text` for every drawn item, id = sha1(text, UTF-8)[:12]. NO labels are
produced here: every item was read and labelled by hand (see README_zh.md, RULES.md).
Keywords are used ONLY to draw extra candidates for the rare intents (step 4); they never
assign a label. Fixed seed, one random generator used in a fixed order: reproducible.
"""
import argparse
import csv
import hashlib
import random
import re
import sys
from pathlib import Path

SEED = 20261203
CATS = ["书籍", "计算机", "酒店", "平板", "水果"]
ABSA_ZH = ["hair", "notebook", "car", "mooc"]
MAX_LEN = 150          # characters; keeps reading load realistic (median review is 41 chars)
N_PER_CAT = 240        # online_shopping: 5 x 240 = 1,200
N_PER_ABSA = 75        # absa_zh: 4 x 75 = 300
N_ACOS = 250           # acos_zh (restaurant)
# extra candidates for rare intents (step 4): (name, regex, how many)
EXTRA = [
    ("question", r"请问|吗[?？]|[?？]", 90),
    ("suggestion", r"建议|希望", 70),
    ("refund_return", r"退|换货|换了|换一", 70),
    ("repurchase", r"回购|再买|还会|下次还|再来|又买|第二次|再次", 50),
    ("logistics", r"快递|物流|发货|送货", 40),
]
# second keyword round (step 5), added after steps 1-4 had been labelled by hand and gave
# only 56 question and 80 logistics_problem positives: narrower patterns, same pooled texts
EXTRA2 = [
    ("question2", r"请问|怎么办|[吗呢][?？]|有没有人|哪位|谁知道", 100),
    ("logistics2", r"(快递|物流|发货|送货|配送|到货).{0,8}(慢|晚|差|烂|破|坏|丢|没到|还没|不送)"
                   r"|压坏|压烂|少发|发错|没收到|未收到", 40),
]


def sid(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def clean(text):
    return re.sub(r"\s+", " ", (text or "").replace("\ufeff", "")).strip()


def join_chars(s):
    """Undo character tokenisation: drop a space unless it sits between two ASCII
    letters/digits (so English words inside Chinese text keep their spaces)."""
    return re.sub(r"(?<=[A-Za-z0-9]) (?=[A-Za-z0-9])|(\s)", lambda m: "" if m.group(1) else " ", s)


def absa_sentences(path):
    """Sentences of a 3-line ABSA file, $T$ replaced by the aspect term, deduplicated."""
    lines = path.read_text(encoding="utf-8").splitlines()
    seen, out = set(), []
    for i in range(0, len(lines) - 2, 3):
        sent = clean(join_chars(lines[i].replace("$T$", lines[i + 1].strip())))
        if sent and sent not in seen:
            seen.add(sent)
            out.append(sent)
    return out


def acos_sentences(path):
    seen, out = set(), []
    for line in path.read_text(encoding="utf-8").splitlines():
        sent = clean(join_chars(line.split("####")[0]))
        if sent and sent not in seen:
            seen.add(sent)
            out.append(sent)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    args = ap.parse_args()
    data = Path(args.data)
    rng = random.Random(SEED)
    drawn, rows = set(), []

    def take(texts, n, source):
        pool = sorted({t for t in texts if t and len(t) <= MAX_LEN and sid(t) not in drawn})
        pick = rng.sample(pool, min(n, len(pool)))
        for t in pick:
            drawn.add(sid(t))
            rows.append((sid(t), source, t))

    # 1. online_shopping_5cats: per category, deduplicated, <= MAX_LEN chars
    by_cat = {c: [] for c in CATS}
    with open(data / "reviews_zh/online_shopping_5cats.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["cat"] in by_cat:
                by_cat[r["cat"]].append(clean(r["review"]))
    for c in CATS:
        take(by_cat[c], N_PER_CAT, f"reviews_zh/online_shopping_5cats.csv:{c}")
    # 2. absa_zh: train+test of each domain
    absa = {}
    for d in ABSA_ZH:
        absa[d] = absa_sentences(data / f"absa_zh/{d}.train.txt") + \
            absa_sentences(data / f"absa_zh/{d}.test.txt")
        take(absa[d], N_PER_ABSA, f"absa_zh/{d}")
    # 3. acos_zh: train+dev+test
    acos = []
    for s in ("train", "dev", "test"):
        acos += acos_sentences(data / f"acos_zh/{s}.txt")
    take(acos, N_ACOS, "acos_zh")
    # 4. extra candidates for rare intents, by keyword, from all three sources pooled
    pooled = [(t, f"reviews_zh/online_shopping_5cats.csv:{c}") for c in CATS for t in by_cat[c]]
    pooled += [(t, f"absa_zh/{d}") for d in ABSA_ZH for t in absa[d]]
    pooled += [(t, "acos_zh") for t in acos]
    src_of = {}
    for t, s in pooled:
        src_of.setdefault(t, s)
    for name, rx, n in EXTRA + EXTRA2:
        pat = re.compile(rx)
        cands = sorted({t for t in src_of if pat.search(t) and len(t) <= MAX_LEN and sid(t) not in drawn})
        for t in rng.sample(cands, min(n, len(cands))):
            drawn.add(sid(t))
            rows.append((sid(t), src_of[t] + f":extra_{name}", t))

    for r in rows:
        sys.stdout.write("\t".join(r) + "\n")


if __name__ == "__main__":
    main()
