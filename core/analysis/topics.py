"""Keywords (class-based TF-IDF) and topics (clusters of review embeddings).

Tokens: jieba for Chinese, with ``resources/userdict_zh.txt`` (e-commerce words such as
性价比, 快递小哥) and ``resources/stopwords_zh.txt``; a simple regex for English with
``resources/stopwords_en.txt``. Term counts are accumulated per class in ``Counter``s, so
keywords over 100k reviews never hold every token list in memory.

c-TF-IDF (as in BERTopic): for term t and class c,
``w = tf(t, c) / |c| * log(1 + A / f(t))`` where ``|c|`` is the number of tokens in the
class, ``A`` the mean tokens per class and ``f(t)`` the term's count over all classes.
"""
from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

from core.paths import resource_root

_EN_TOKEN = re.compile(r"[a-z][a-z'\-]{1,}")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_jieba_lock = threading.Lock()
# Keywords go into exports, so they are taken from masked text (names, e-mails, streets would
# otherwise surface as "keywords"). A cheap pre-check skips mask_pii on texts with none of its
# triggers: digits, @, the label words and address parts its rules anchor on.
_MAYBE_PII = re.compile(r"\d|@|收|联系|姓名|买家|客户|地址|住址|市|省|区|县|旗|name|recipient|contact|ship|customer|"
                        r"address|street|\bst\b|ave|road|blvd|lane|drive|court|place|way", re.I)
_MASK_TOKEN = re.compile(r"\[(?:phone|email|order|id|address|name)\]")


@lru_cache(maxsize=None)
def stopwords(lang: str) -> frozenset[str]:
    path = resource_root() / "resources" / f"stopwords_{lang}.txt"
    if not path.is_file():
        return frozenset()
    return frozenset(w.strip().lower() for w in path.read_text(encoding="utf-8").splitlines() if w.strip())


@lru_cache(maxsize=1)
def _zh_en_stopwords() -> frozenset[str]:
    return stopwords("zh") | stopwords("en")  # built once, not per review


@lru_cache(maxsize=1)
def _jieba():
    """A private jieba Tokenizer with the e-commerce dictionary (the global one stays untouched);
    its dictionary cache is kept in the user data dir or shipped in the build (``core.text.jieba_cache``)."""
    import logging

    import jieba

    from core.text import jieba_tokenizer

    jieba.setLogLevel(logging.WARNING)
    tok = jieba_tokenizer()
    userdict = resource_root() / "resources" / "userdict_zh.txt"
    if userdict.is_file():
        tok.load_userdict(str(userdict))
    return tok


@lru_cache(maxsize=None)
def word_list(name: str) -> frozenset[str]:
    """A word list from ``resources/topics/<name>.txt``: words separated by spaces or lines,
    ``#`` starts a comment, lower-cased (see ``clause_topics``)."""
    path = resource_root() / "resources" / "topics" / f"{name}.txt"
    if not path.is_file():
        return frozenset()
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        words.update(w.lower() for w in line.split("#", 1)[0].split())
    return frozenset(words)


@lru_cache(maxsize=None)
def synonyms() -> dict[str, str]:
    """Word -> the word that names its group, from ``resources/topics/synonyms.txt`` (one
    group per line, its name first)."""
    path = resource_root() / "resources" / "topics" / "synonyms.txt"
    out: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            words = [w.lower() for w in line.split("#", 1)[0].split()]
            for w in words[1:]:
                out.setdefault(w, words[0])
    return out


def _masked(text: str) -> str:
    if _MAYBE_PII.search(text):
        from core.text import mask_pii

        return _MASK_TOKEN.sub(" ", mask_pii(text))
    return text


def words(text: str, lang: str) -> list[str]:
    """Every word in order (jieba for Chinese, a regex for English), lower-cased, personal data
    masked out; no stop-word filtering (the clause topics need 不, 很, not, too)."""
    if not text:
        return []
    text = _masked(text)
    if lang == "zh" or _HAN.search(text):
        with _jieba_lock:
            return [w for w in (t.strip().lower() for t in _jieba().lcut(text)) if w]
    return re.findall(r"[a-z][a-z'\-]*", text.lower())


def tokenize(text: str, lang: str) -> list[str]:
    """Content words: no stopwords, no single Latin letters, no bare numbers or punctuation."""
    if not text:
        return []
    text = _masked(text)
    out: list[str] = []
    if lang == "zh" or _HAN.search(text):
        stop = _zh_en_stopwords()
        with _jieba_lock:  # jieba's lazy initialisation is not thread-safe
            words = _jieba().lcut(text)
        for w in words:
            w = w.strip().lower()
            if not w or w in stop:
                continue
            if _HAN.search(w):
                if len(w) >= 2:  # single characters (好, 很) carry little on their own
                    out.append(w)
            elif _EN_TOKEN.fullmatch(w) and len(w) > 2:
                out.append(w)
        return out
    stop = stopwords("en")
    return [w for w in _EN_TOKEN.findall(text.lower()) if w not in stop and len(w) > 2]


def ctfidf(counts: dict[str, Counter], *, top_n: int = 10, min_count: int = 2) -> dict[str, list[tuple[str, float]]]:
    """Top terms per class by class-based TF-IDF; terms seen fewer than ``min_count`` times in
    a class are skipped (one-off typos are not keywords)."""
    classes = [c for c, cnt in counts.items() if cnt]
    if not classes:
        return {c: [] for c in counts}
    total_per_term: Counter = Counter()
    sizes = {}
    for c in classes:
        total_per_term.update(counts[c])
        sizes[c] = sum(counts[c].values())
    avg = sum(sizes.values()) / len(classes)
    out: dict[str, list[tuple[str, float]]] = {c: [] for c in counts}
    for c in classes:
        scored = [(t, n / sizes[c] * math.log(1 + avg / total_per_term[t]))
                  for t, n in counts[c].items() if n >= min_count]
        scored.sort(key=lambda x: (-x[1], x[0]))
        out[c] = [(t, round(s, 6)) for t, s in scored[:top_n]]
    return out


@dataclass
class Topic:
    """A cluster of reviews named by its top c-TF-IDF terms."""

    id: int
    size: int
    terms: list[str] = field(default_factory=list)
    quotes: list[int] = field(default_factory=list)  # review indices (positions), closest first
    negative_share: float = 0.0
    negative: int = 0

    @property
    def name(self) -> str:
        return " / ".join(self.terms[:3]) if self.terms else f"#{self.id + 1}"


def choose_k(n: int) -> int:
    """About one topic per 40 reviews at the low end, capped at 12 (a report, not a taxonomy)."""
    if n < 12:
        return 1 if n < 4 else 2
    return int(min(12, max(2, round(math.sqrt(n / 20)))))


def cluster(embeddings: np.ndarray, *, k: int | None = None, seed: int = 0,
            fit_sample: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """KMeans over L2-normalised embeddings: (labels [n], centroids [k, d]).

    Fitted on at most ``fit_sample`` rows (then every row is assigned), so 100k reviews
    cost about as much as 20k. Plain numpy (``kmeans``): scikit-learn's KMeans did the
    same job but importing sklearn + scipy cost more start-up time than the clustering.
    """
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros((0, embeddings.shape[1] if embeddings.ndim == 2 else 0))
    x = embeddings.astype(np.float32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-8)
    k = min(k or choose_k(n), n)
    if k <= 1:
        return np.zeros(n, np.int64), x.mean(axis=0, keepdims=True)
    rng = np.random.default_rng(seed)
    sample = x if n <= fit_sample else x[rng.choice(n, fit_sample, replace=False)]
    if len(sample) > 5000:  # seed on 5k rows, then a few full passes (what MiniBatchKMeans was for)
        start = kmeans(sample[rng.choice(len(sample), 5000, replace=False)], k, seed=seed)
        centroids = kmeans(sample, k, init=start, max_iter=10)
    else:
        centroids = kmeans(sample, k, seed=seed)
    labels = np.concatenate([_nearest(x[i:i + 20_000], centroids)[0] for i in range(0, n, 20_000)])
    return labels.astype(np.int64), centroids


def _nearest(x: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the closest centroid per row and the squared distance to it."""
    d = (x * x).sum(axis=1)[:, None] - 2.0 * (x @ centroids.T) + (centroids * centroids).sum(axis=1)[None, :]
    labels = d.argmin(axis=1)
    return labels, np.maximum(d[np.arange(len(x)), labels], 0.0)


def _kmeans_pp(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++ seeding (as in scikit-learn: 2 + log k candidates per centre)."""
    n = len(x)
    trials = 2 + int(np.log(k))
    sq = (x * x).sum(axis=1)
    centres = [x[rng.integers(n)]]
    closest = np.maximum(sq - 2.0 * (x @ centres[0]) + float(centres[0] @ centres[0]), 0.0)
    for _ in range(1, k):
        total = float(closest.sum())
        if total <= 0:  # fewer distinct points than k: repeat one
            centres.append(x[rng.integers(n)])
            continue
        cand = np.searchsorted(np.cumsum(closest), rng.random(trials) * total).clip(0, n - 1)
        to_cand = np.maximum(sq[None, :] - 2.0 * (x[cand] @ x.T) + sq[cand][:, None], 0.0)
        dist = np.minimum(closest[None, :], to_cand)
        best = int(dist.sum(axis=1).argmin())
        centres.append(x[cand[best]])
        closest = dist[best]
    return np.vstack(centres).astype(np.float32)


def kmeans(x: np.ndarray, k: int, *, seed: int = 0, n_init: int = 3, max_iter: int = 100,
           tol: float = 1e-4, init: np.ndarray | None = None) -> np.ndarray:
    """Lloyd's k-means with k-means++ seeding, best of ``n_init`` runs by inertia: centroids [k, d].

    ``init`` starts one run from given centroids instead. Stops when the centroids move less
    than ``tol`` times the data's mean variance (scikit-learn's rule). An empty cluster takes
    the point farthest from its centroid.
    """
    x = np.asarray(x, np.float32)
    rng = np.random.default_rng(seed)
    tol_abs = tol * float(x.var(axis=0).mean())
    best, best_inertia = None, np.inf
    for _ in range(1 if init is not None else n_init):
        c = np.array(init, np.float32) if init is not None else _kmeans_pp(x, k, rng)
        for _ in range(max_iter):
            labels, dist = _nearest(x, c)
            counts = np.bincount(labels, minlength=k)
            new = (labels[None, :] == np.arange(k)[:, None]).astype(np.float32) @ x  # per-cluster sums
            for j in np.flatnonzero(counts == 0):
                far = int(dist.argmax())
                new[j], counts[j], dist[far] = x[far], 1, 0.0
            new /= counts[:, None]
            shift = float(((new - c) ** 2).sum())
            c = new
            if shift <= tol_abs:
                break
        inertia = float(_nearest(x, c)[1].sum())
        if inertia < best_inertia:
            best, best_inertia = c, inertia
    return best


def representatives(embeddings: np.ndarray, labels: np.ndarray, centroids: np.ndarray, cluster_id: int,
                    texts: Sequence[str], n: int = 3) -> list[int]:
    """Positions of the ``n`` members closest to the centroid, with distinct texts."""
    members = np.flatnonzero(labels == cluster_id)
    if not len(members):
        return []
    x = embeddings[members].astype(np.float32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-8)
    order = members[np.argsort(-(x @ centroids[cluster_id]))]
    chosen, seen = [], set()
    for i in order:
        key = texts[i]
        if key in seen:
            continue
        seen.add(key)
        chosen.append(int(i))
        if len(chosen) == n:
            break
    return chosen


def build_topics(labels: np.ndarray, term_counts: dict[str, Counter], negatives: Iterable[bool],
                 quotes: dict[int, list[int]], *, top_n: int = 8) -> list[Topic]:
    """Topics from cluster labels, per-cluster term counts (keys ``str(cluster_id)``) and
    the negative flag per review; sorted by size."""
    neg = np.fromiter(negatives, dtype=bool, count=len(labels))
    names = ctfidf(term_counts, top_n=top_n)
    topics = []
    for cid in sorted(set(labels.tolist())):
        mask = labels == cid
        size = int(mask.sum())
        n_neg = int(neg[mask].sum())
        topics.append(Topic(id=int(cid), size=size, terms=[t for t, _ in names.get(str(cid), [])],
                            quotes=quotes.get(int(cid), []), negative=n_neg,
                            negative_share=n_neg / size if size else 0.0))
    topics.sort(key=lambda t: -t.size)
    return topics
