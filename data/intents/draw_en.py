#!/usr/bin/env python3
"""Draw the candidate sentences for the hand-labelled English intent gold set.

    python3 data/intents/draw_en.py [--data ../shared/data] [--work DIR] > /tmp/draw_en.tsv

Run from the repository root. Sources:
  * vader_amazon: amazonReviewSnippets_GroundTruth.txt inside additional_resources/
    hutto_ICWSM_2014.tar.gz of the PyPI sdist vadersentiment==3.3.2 (downloaded with pip into
    --work, default a temp folder, when it is not already there);
  * absa_en_tshirt: ../shared/data/absa_en/Menstshirt_{Train,Test_Gold}.xml.seg (3-line items,
    $T$ replaced by the aspect term, deduplicated).
Prints `id<TAB>source<TAB>text` (id = sha1(text)[:12]; source = <corpus>:random or
<corpus>:keyword). Labels are NOT produced here: every item was read and labelled by hand
(see RULES_en.md / README_en.md). Keywords only DRAW extra candidates for the rare intents.
Fixed seed, so the draw is reproducible.
"""
import argparse
import hashlib
import io
import random
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

SEED = 20261203
N_AMAZON = 600
N_TSHIRT = 250
SDIST = "vaderSentiment-3.3.2.tar.gz"
# keyword pattern used ONLY to draw extra candidates for question / suggestion /
# refund_return / repurchase / logistics_problem (every match not already drawn is taken;
# the pools are small)
KEYWORDS = [r"\?", r"\bshould", r"\bwish", r"\breturn", r"\brefund", r"\bexchang", r"\bagain\b",
            r"\breorder", r"\banother one", r"\bship", r"\bdeliver", r"\barriv", r"\bpackag",
            r"\bmoney back", r"\bsen[dt] (it |them )?back", r"\breplac", r"\bbuy another",
            r"\bbought another", r"\bcourier", r"\blate\b",
            # second round, added after the first round gave few positives for the rare intents
            r"would (be|have been) (nice|great|better|good|cool)", r"could have",
            r"would have (liked|preferred)", r"\bif only", r"would like", r"\bimprov", r"\bplease",
            r"\bneeds? to be", r"\bbought (two|2|3|three)", r"\bmore of", r"\bbuy more",
            r"\border(ed)? more", r"\bmore than one", r"\banother (one|pair|unit|set)",
            r"\bsecond (one|unit|pair)", r"\bthird (one|unit)", r"\bcollection",
            r"\bpack(ing|ed)\b", r"\bparcel", r"\bdamag", r"\btorn\b", r"\bdays\b", r"\breceived",
            r"\bmoney back", r"\bcredit",
            r"\bback to (amazon|the store|creative|apex|nikon|canon|the seller)"]
KW = re.compile("|".join(KEYWORDS), re.I)


def sid(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def dedup_key(text):
    """Near-duplicates (same words, different spacing/punctuation/case) count as one."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def clean(text):
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip()


def find_sdist(work):
    for d in (work, Path("/tmp/vader")):
        if d and (d / SDIST).exists():
            return d / SDIST
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                    "vadersentiment==3.3.2", "-d", str(work)], check=True, stdout=sys.stderr)
    return work / SDIST


def amazon_sentences(sdist):
    with tarfile.open(sdist) as outer:
        member = next(m for m in outer.getmembers()
                      if m.name.endswith("additional_resources/hutto_ICWSM_2014.tar.gz"))
        inner_bytes = outer.extractfile(member).read()
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        member = next(m for m in inner.getmembers()
                      if m.name.endswith("amazonReviewSnippets_GroundTruth.txt"))
        raw = inner.extractfile(member).read().decode("utf-8", "replace")
    seen, out = set(), []
    for line in raw.splitlines():
        parts = line.rstrip("\r").split("\t")
        if len(parts) < 3:
            continue
        text = clean(parts[2])
        if text and text not in seen:
            seen.add(text)
            out.append(text)
    return out


def seg_sentences(paths):
    seen, out = set(), []
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines()
        for i in range(0, len(lines) - 2, 3):
            text = clean(lines[i].replace("$T$", lines[i + 1].strip()))
            if text and text not in seen:
                seen.add(text)
                out.append(text)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--work", default=None, help="folder for the vadersentiment sdist")
    args = ap.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.gettempdir()) / "vader"
    data = Path(args.data)
    amazon = amazon_sentences(find_sdist(work))
    tshirt = seg_sentences([data / "absa_en" / "Menstshirt_Train.xml.seg",
                            data / "absa_en" / "Menstshirt_Test_Gold.xml.seg"])
    rng = random.Random(SEED)
    drawn, seen = [], set()

    def add(text, source):
        if dedup_key(text) not in seen:
            seen.add(dedup_key(text))
            drawn.append((sid(text), source, text))

    for text in rng.sample(amazon, N_AMAZON):
        add(text, "vader_amazon:random")
    for text in rng.sample(tshirt, N_TSHIRT):
        add(text, "absa_en_tshirt:random")
    for corpus, pool in (("vader_amazon", amazon), ("absa_en_tshirt", tshirt)):
        extra = [t for t in pool if KW.search(t) and dedup_key(t) not in seen]
        rng.shuffle(extra)
        for text in extra:
            add(text, corpus + ":keyword")
    print(f"amazon {len(amazon)} unique, tshirt {len(tshirt)} unique, drawn {len(drawn)}",
          file=sys.stderr)
    out = sys.stdout
    out.write("id\tsource\ttext\n")
    for row in drawn:
        out.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main()
