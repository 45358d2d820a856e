"""Draw the hand-labelled held-out sentences (data/aspects/heldout_5cats.tsv) from
../shared/data/reviews_zh/online_shopping_5cats.csv: reviews of 平板 (90), 水果 (90),
计算机 (60) and 书籍 (60) (none of which the aspect classifier trains on), shuffled with a
fixed seed; from each drawn review its first sentence (split at 。！？!? and line breaks)
of 6-60 characters; one sentence per review, no repeats.

    .venv/bin/python data/aspects/draw_heldout.py > /tmp/heldout_unlabelled.tsv
"""
import re
import sys
from pathlib import Path

import pandas as pd

SRC = Path(__file__).resolve().parents[3] / "shared" / "data" / "reviews_zh" / "online_shopping_5cats.csv"
PLAN = {"平板": 90, "水果": 90, "计算机": 60, "书籍": 60}


def main() -> int:
    data = pd.read_csv(SRC).dropna(subset=["review"])
    seen: set[str] = set()
    out = []
    for cat, n in PLAN.items():
        rows = data[data["cat"] == cat].sample(frac=1.0, random_state=16)
        taken = 0
        for text in rows["review"]:
            for sent in re.split(r"[。！？!?\n]+", str(text)):
                sent = sent.strip(" ，,~～")
                if 6 <= len(sent) <= 60 and sent not in seen:
                    seen.add(sent)
                    out.append((cat, sent))
                    taken += 1
                    break
            if taken == n:
                break
    sys.stdout.write("id\tcat\ttext\n")
    for i, (cat, sent) in enumerate(out, 1):
        sys.stdout.write(f"{i}\t{cat}\t{sent}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
