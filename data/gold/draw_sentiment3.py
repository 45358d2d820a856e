#!/usr/bin/env python3
"""Draw the candidate reviews for the hand-labelled 3-way sentiment gold set.

    python3 data/gold/draw_sentiment3.py [--data ../shared/data] > /tmp/draw.tsv

Reads ../shared/data relative to the repository root (or --data). Prints `id<TAB>source<TAB>lang<TAB>text` for every drawn
item (id = sha1(text)[:12]). Labels are NOT produced here: every item was read and
labelled by hand (see README.md). Fixed seed, so the draw is reproducible.
"""
import argparse
import csv
import hashlib
import random
import re
import sys
from pathlib import Path

SEED = 20250607
CATS = ["书籍", "计算机", "酒店", "平板", "水果"]
ABSA_ZH = ["hair", "notebook", "car", "mooc"]
# sentiment cue words used only to pick neutral candidates for the extra draw (step 5)
ZH_CUES = ("好", "不", "没", "差", "棒", "赞", "满意", "喜欢", "推荐", "值", "烂", "坏", "失望",
           "垃圾", "慢", "快", "贵", "便宜", "爱", "美", "香", "甜", "难", "糟", "后悔", "退",
           "一般", "可以", "还行", "舒服", "方便", "失", "错", "漂亮", "流畅", "卡", "麻烦", "郁闷",
           "划算", "实惠", "优", "强", "弱", "问题", "吵", "脏", "旧", "新鲜", "干净", "热情",
           "佳", "爽", "妙", "惊喜", "清晰", "鲜", "嫩", "酸", "咸", "腻", "！", "!", "谢")
EN_CUES = ("good", "nice", "great", "awesome", "bad", "poor", "worst", "best", "love", "excellent",
           "perfect", "fade", "cheap", "comfort", "not", "n't", "no ", "super", "fine", "happy",
           "worth", "amazing", "fantastic", "wow", "loose", "tight", "thin", "soft", "cool",
           "beautiful", "value", "disappoint", "waste", "ok", "better", "quality", "satisf",
           "recommend", "expect", "small", "large", "big", "bright", "dull", "defect", "damage",
           "return", "fast", "late", "smooth", "rough", "superb", "osm", "pathetic", "useless", "!")


def sid(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def clean(text):
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip()


def join_chars(s):
    """Undo character tokenisation: drop a space unless it sits between two ASCII
    letters/digits (so English words inside Chinese text keep their spaces)."""
    return re.sub(r"(?<=[A-Za-z0-9]) (?=[A-Za-z0-9])|(\s)", lambda m: "" if m.group(1) else " ", s)


def seg_sentences(path, zh):
    """Sentences of a 3-line ABSA file ($T$ replaced by the term), deduplicated, file order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    seen, out = set(), []
    for i in range(0, len(lines) - 2, 3):
        sent = lines[i].replace("$T$", lines[i + 1].strip())
        sent = clean(join_chars(sent) if zh else sent)
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
    repo = Path(__file__).resolve().parents[2]
    ap.add_argument("--data", default=str(repo / ".." / "shared" / "data"),
                    help="the shared data folder (default: ../shared/data from the repo root)")
    args = ap.parse_args()
    data = Path(args.data)
    rng = random.Random(SEED)
    drawn, ids, keys = [], set(), set()

    def take(texts, n, source, lang):
        pool = [t for t in texts if sid(t) not in ids]
        for t in rng.sample(pool, min(n, len(pool))):
            key = re.sub(r"\s+", "", t.lower())
            if key in keys:  # same text up to spacing/case as one already drawn: skip
                continue
            keys.add(key)
            ids.add(sid(t))
            drawn.append((sid(t), source, lang, t))

    # 1. online_shopping_5cats: 60 per category, 30 random + 30 among short texts
    #    (<= 25 chars; 计算机 has none that short, its shortest is 29, so <= 35 there)
    by_cat = {c: [] for c in CATS}
    seen = set()
    with open(data / "reviews_zh/online_shopping_5cats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            t = clean(row["review"] or "")
            if t and t not in seen and row["cat"] in by_cat:
                seen.add(t)
                by_cat[row["cat"]].append(t)
    for c in CATS:
        take(by_cat[c], 30, f"reviews_zh/online_shopping_5cats.csv:{c}", "zh")
        short = 35 if c == "计算机" else 25
        take([t for t in by_cat[c] if len(t) <= short], 30, f"reviews_zh/online_shopping_5cats.csv:{c}", "zh")

    # 2. absa_zh: 15 sentences from each of the 8 files
    for dom in ABSA_ZH:
        for split in ("train", "test"):
            name = f"{dom}.{split}.txt"
            take(seg_sentences(data / "absa_zh" / name, True), 15, f"absa_zh/{name}", "zh")

    # 3. acos_zh: 30 sentences from each of train/dev/test
    for split in ("train", "dev", "test"):
        take(acos_sentences(data / "acos_zh" / f"{split}.txt"), 30, f"acos_zh/{split}.txt", "zh")

    # 4. absa_en (T-shirt): 100 train + 50 test sentences
    for name, n in (("Menstshirt_Train.xml.seg", 100), ("Menstshirt_Test_Gold.xml.seg", 50)):
        take(seg_sentences(data / "absa_en" / name, False), n, f"absa_en/{name}", "en")

    # 5. extra draw for neutral candidates (the main draw gave only ~9 % neutral): texts
    #    containing none of the sentiment cue words below. 50 short online_shopping reviews
    #    (10 per category), 25 absa_zh/acos_zh sentences, 25 absa_en sentences. They were
    #    labelled by reading like every other item; many still turn out positive/negative.
    def no_cue(t, cues):
        tl = t.lower()
        return not any(c in tl for c in cues)

    for c in CATS:
        short = 35 if c == "计算机" else 25
        take([t for t in by_cat[c] if len(t) <= short and no_cue(t, ZH_CUES)], 10,
             f"reviews_zh/online_shopping_5cats.csv:{c}:extra", "zh")
    zh_sents = [(f"absa_zh/{d}.{s}.txt:extra", t) for d in ABSA_ZH for s in ("train", "test")
                for t in seg_sentences(data / "absa_zh" / f"{d}.{s}.txt", True)]
    zh_sents += [(f"acos_zh/{s}.txt:extra", t) for s in ("train", "dev", "test")
                 for t in acos_sentences(data / "acos_zh" / f"{s}.txt")]
    zh_pool = [x for x in zh_sents if no_cue(x[1], ZH_CUES)]
    for src, t in rng.sample(zh_pool, 25):
        take([t], 1, src, "zh")
    en_sents = [(f"absa_en/{n}:extra", t) for n in ("Menstshirt_Train.xml.seg", "Menstshirt_Test_Gold.xml.seg")
                for t in seg_sentences(data / "absa_en" / n, False)]
    en_pool = [x for x in en_sents if no_cue(x[1], EN_CUES)]
    for src, t in rng.sample(en_pool, 25):
        take([t], 1, src, "en")

    w = sys.stdout
    w.write("id\tsource\tlang\ttext\n")
    for r in drawn:
        w.write("\t".join(r) + "\n")


if __name__ == "__main__":
    main()
