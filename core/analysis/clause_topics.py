"""Topics about subjects: opinion clauses grouped by the distinctive phrases they share.

A review is cut into clauses (``core.text.split_clauses``); each clause already has its own
sentiment from the one batched engine call ``analyze_table`` makes (a one-clause review
reuses the review's). Complaints and praise are clustered separately:

* complaint pool: clauses whose own sentiment is negative, or that are not positive in a
  negative review; the praise pool likewise. Neutral clauses of neutral reviews (facts,
  plans, questions) join no pool, so a review with no opinion gets no topic.
* phrases: words (jieba with the e-commerce dictionary; a regex for English), with negation
  and degree folded in (不是很甜 -> 不甜, 太小 -> 小, "not fit"), as single words and adjacent
  pairs (坏果, 安装费, 口感不好, "battery life"). Never a phrase: stop words, the generic list
  (platforms, shopping verbs, people, time words: ``resources/topics/generic_words.txt``),
  words of the file's product names, and sentiment words alone
  (``resources/topics/sentiment_words.txt``: 不错, 满意, good), which may only stand next
  to a subject word. Clauses that look like mojibake (UTF-8 read as GBK) give no phrase.
* distinctiveness: the log-odds of a phrase in its pool against every other scored clause,
  with add-half smoothing, as a z-score (Monroe et al. 2008, "Fightin' Words"); a phrase
  seeds a topic when at least ``min_reviews`` reviews use it in the pool and it is
  over-represented there (z >= ``min_z``) or never used outside it.
* groups: every clause goes to its best seed phrase; seeds merge when one holds most of the
  other's clauses (or reviews, when they share at least ``min_reviews``) or one contains the
  other (口感 / 口感不好); a group with fewer than ``min_reviews`` reviews is dropped and its
  clauses move to their next phrase. Named by its top 1-3 phrases; three short clause quotes.

Everything is counted per review (``weights``: how many reviews share each unique text), is
plain Python over the given values and has no randomness: the same input gives the same topics.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from core.analysis import topics as tp

KINDS = ("complaint", "praise")
COLUMNS = ["topic", "kind", "name", "phrases", "reviews", "mentions", "share", "products", "quotes"]

_NEG_ZH = {"不": "不", "不是": "不", "不太": "不", "不够": "不", "不怎么": "不", "并不": "不", "不算": "不",
           "不大": "不", "毫不": "不", "没": "没", "没有": "没", "没什么": "没"}
_DEGREE_ZH = frozenset("很 太 挺 超 超级 非常 特别 比较 有点 有点儿 有些 相当 蛮 十分 极其 极 真 又 更 最 巨 贼 略 稍微 稍 "
                       "一点 一点儿 好像 实在 都 也 还 就 偏".split())
_DEGREE_PREFIX = ("很", "太", "挺", "巨", "贼", "偏")
_NEG_EN = frozenset("not no never don't dont doesn't doesnt didn't didnt isn't isnt wasn't wasnt aren't won't "
                    "cannot can't cant".split())
_DEGREE_EN = frozenset("very too so really quite pretty extremely super bit little rather slightly way somewhat "
                       "a kind of".split())
_PLATFORMS = frozenset("京东 淘宝 天猫 苏宁 抖音 快手 闲鱼 国美 自营 官方".split())
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"(?:[\u4e00-\u9fff]+|[a-z][a-z'\-]*)")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{3,}")


def is_mojibake(text: str) -> bool:
    """UTF-8 bytes that were read as GBK (鍝佽川寰堝ソ for 品质很好) or as Latin-1 (è´¨é‡):
    encoding the run back and decoding it as UTF-8 gives other, valid text."""
    for run in _NON_ASCII_RUN.findall(text):
        for codec in ("gbk", "cp1252", "latin-1"):
            try:
                back = run.encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if back != run:
                return True
    return False


def _base(word: str) -> str:
    """The word without its negation (不甜 -> 甜, "not fit" -> fit)."""
    if word.startswith("not "):
        return word[4:]
    return word[1:] if len(word) > 1 and word[0] in "不没" else word


@dataclass(frozen=True)
class Vocabulary:
    """What may name a topic: ``generic`` never, ``sentiment`` only beside a subject word."""

    stop: frozenset[str]
    generic: frozenset[str]
    sentiment: frozenset[str]

    def kind(self, word: str) -> str:
        """"subject", "sentiment" or "generic" (a word that never names a topic)."""
        if word in self.sentiment or _base(word) in self.sentiment:
            return "sentiment"
        if word in self.generic or word in self.stop or _base(word) in self.generic:
            return "generic"
        return "subject"


# jieba's part-of-speech tags of words that are never a subject: numerals, adverbs, time and
# place words, pronouns, conjunctions, prepositions, measure words, particles, interjections,
# distinguishing words (主要, 全新) and personal names (brands such as 华为 are tagged nr too)
_FUNCTION_TAGS = frozenset("m mq mg d dg df t tg r rr rz rg c p f q y e o u ul uj uz ug uv ud b s k h "
                           "nr nrt nrfg".split())


_ADJECTIVE_TAGS = frozenset("a ag v vg".split())


@lru_cache(maxsize=1)
def _dictionary_tags() -> tuple[frozenset[str], frozenset[str]]:
    """(words jieba's dictionary tags with a function tag (``_FUNCTION_TAGS``), single
    characters it tags as adjectives or verbs: 小, 酸, 烂; not a typo such as 佷)."""
    import jieba

    function, single = set(), set()
    with jieba.get_dict_file() as fh:
        for line in fh:
            parts = line.decode("utf-8").split()
            if len(parts) != 3:
                continue
            if parts[2] in _FUNCTION_TAGS:
                function.add(parts[0].lower())
            elif len(parts[0]) == 1 and parts[2] in _ADJECTIVE_TAGS:
                single.add(parts[0])
    return frozenset(function), frozenset(single)


def function_words() -> frozenset[str]:
    return _dictionary_tags()[0]


def vocabulary(product_words: Iterable[str] = ()) -> Vocabulary:
    return _vocabulary(frozenset(product_words))


@lru_cache(maxsize=4)
def _vocabulary(product_words: frozenset[str]) -> Vocabulary:
    return Vocabulary(stop=tp.stopwords("zh") | tp.stopwords("en") | function_words(),
                      generic=tp.word_list("generic_words") | product_words,
                      sentiment=tp.word_list("sentiment_words"))


def product_words(products: Iterable[str]) -> set[str]:
    """Words of the product names (a fruit shop's 苹果, a phone's brand): never a topic name."""
    out: set[str] = set()
    for p in {str(p) for p in products if p}:
        lang = "zh" if _HAN.search(p) else "en"
        out.update(w for w in tp.words(p, lang) if len(w) >= 2 and _WORD.fullmatch(w))
    return out


@lru_cache(maxsize=100_000)
def _content_words(clause: str, lang: str) -> tuple[str | None, ...]:
    """The clause's words with negation and degree folded in; None where punctuation, a number
    or an unusable word breaks adjacency. A single Han character survives only after a degree
    word or a negation (太小 -> 小, 不甜), where it is an adjective."""
    out: list[str | None] = []
    neg, adj = "", False
    synonyms = tp.synonyms()  # 不好吃 -> 难吃: one topic for one complaint (resources/topics/synonyms.txt)
    for w in tp.words(clause, lang):
        if w in _NEG_ZH or w in _NEG_EN:
            neg, adj = _NEG_ZH.get(w, "not"), True
            continue
        if w in _DEGREE_ZH or w in _DEGREE_EN:
            adj = True
            continue
        if not _WORD.fullmatch(w):
            if not w.isspace():
                out.append(None)
            neg, adj = "", False
            continue
        han = bool(_HAN.match(w))
        if han and len(w) >= 3 and w[:2] in _PLATFORMS:  # 京东物流 -> 物流
            w = w[2:]
        if han and len(w) >= 2 and w[0] in _DEGREE_PREFIX:
            w, adj = w[1:], True
        if han and len(w) == 1 and not (adj and w in _dictionary_tags()[1]):
            out.append(None)
        elif not han and len(w) < 3:
            out.append(None)
        else:
            w = (f"{neg}{w}" if han else f"not {w}") if neg else w
            out.append(synonyms.get(w, w))
        neg, adj = "", False
    return tuple(out)


def worth_scoring(clause: str, lang: str) -> bool:
    """Whether a clause has a word that could name a topic (a clause of stop words, numbers,
    emoji or generic words never joins one, so ``analyze_table`` does not score it)."""
    vocab = vocabulary()
    return not is_mojibake(clause) and any(w and vocab.kind(w) != "generic" for w in _content_words(clause, lang))


def clause_phrases(clause: str, lang: str, vocab: Vocabulary) -> set[str]:
    """Candidate phrases of one clause: subject words, and adjacent pairs with at least one
    subject word and no generic word (口感不好, 发货速度快, "battery life")."""
    if is_mojibake(clause):
        return set()
    seq = _content_words(clause, lang)
    kinds = [vocab.kind(w) if w else "" for w in seq]
    out = {w for w, k in zip(seq, kinds) if k == "subject"}
    for (a, ka), (b, kb) in zip(zip(seq, kinds), zip(seq[1:], kinds[1:])):
        if a and b and a != b and "generic" not in (ka, kb) and "subject" in (ka, kb):
            sep = "" if _HAN.match(a[-1]) and _HAN.match(b[0]) else " "
            out.add(f"{a}{sep}{b}")
    return out


def clause_pool(clause_p: np.ndarray, review_label: str, labels: Sequence[str]) -> tuple[str, float]:
    """("complaint" | "praise" | "", the clause's probability of that polarity)."""
    own = labels[int(np.argmax(clause_p))]
    p = dict(zip(labels, clause_p.tolist()))
    if own == "negative" or (review_label == "negative" and own != "positive"):
        return "complaint", float(p.get("negative", 0.0))
    if own == "positive" or (review_label == "positive" and own != "negative"):
        return "praise", float(p.get("positive", 0.0))
    return "", 0.0


@dataclass
class Clause:
    uid: int  # the unique text it belongs to
    text: str
    pool: str
    weight: float  # probability of its pool's polarity
    phrases: set[str]


@dataclass
class TopicResult:
    """``table``: one row per topic (``COLUMNS``; complaints first, each kind by size);
    ``uid_main``: each unique text's main topic id (0 = none); ``uid_topics``: every topic
    id of its clauses; ``uid_weight``: per unique text, topic id -> its strongest clause's
    probability (how sure the model is the review complains about it)."""

    table: pd.DataFrame
    uid_main: np.ndarray
    uid_topics: list[tuple[int, ...]]
    uid_weight: list[dict[int, float]] = field(default_factory=list)


def collect_clauses(clauses: Sequence[Sequence[str]], clause_probs: Sequence[np.ndarray],
                    review_labels: Sequence[str], langs: Sequence[str], labels: Sequence[str],
                    vocab: Vocabulary) -> list[Clause]:
    """Every clause of every analysed unique text with its pool and phrases ("" pool: none)."""
    out: list[Clause] = []
    cache: dict[tuple[str, str], set[str]] = {}
    for uid, (parts, probs, label, lang) in enumerate(zip(clauses, clause_probs, review_labels, langs)):
        if not label:
            continue
        for text, p in zip(parts, probs):
            pool, weight = clause_pool(np.asarray(p), label, labels)
            if not pool:
                continue
            key = (text, lang)
            if key not in cache:
                cache[key] = clause_phrases(text, lang, vocab)
            out.append(Clause(uid, text, pool, weight, cache[key]))
    return out


def phrase_scores(items: list[Clause], weights: np.ndarray, pool: str) -> tuple[dict[str, float], dict[str, float]]:
    """(z-score of each phrase's log-odds in ``pool`` against every other pooled clause,
    weighted review count of each phrase in ``pool``), both counted once per review."""
    seen: dict[str, dict[str, set[int]]] = {"in": defaultdict(set), "out": defaultdict(set)}
    for c in items:
        side = "in" if c.pool == pool else "out"
        for ph in c.phrases:
            seen[side][ph].add(c.uid)
    count = {s: {ph: float(weights[list(u)].sum()) for ph, u in d.items()} for s, d in seen.items()}
    n_in = max(sum(count["in"].values()), 1.0)
    n_out = max(sum(count["out"].values()), 1.0)
    z = {}
    for ph, a in count["in"].items():
        b = count["out"].get(ph, 0.0)
        delta = math.log((a + 0.5) / (n_in - a + 0.5)) - math.log((b + 0.5) / (n_out - b + 0.5))
        z[ph] = delta / math.sqrt(1 / (a + 0.5) + 1 / (b + 0.5))
    return z, count["in"]


def _related(a: str, b: str, ca: set[int], cb: set[int], ra: set[int], rb: set[int], min_reviews: int) -> bool:
    """Two seed phrases describe the same subject: one contains the other (口感 / 口感不好, but
    not 甜 / 不甜), they share most clauses, or most reviews (and at least ``min_reviews``)."""
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 2 and short in long_ and _base(long_) != short:
        return True
    if len(ca & cb) >= 0.5 * min(len(ca), len(cb)):
        return True
    shared = len(ra & rb)
    return shared >= min_reviews and shared >= 0.6 * min(len(ra), len(rb))


def _merge_seeds(seeds: list[str], members: dict[str, set[int]], items: list[Clause], min_reviews: int
                 ) -> dict[str, int]:
    """Seed phrase -> group number; a seed joins the first earlier group whose first seed it
    is related to (compared with the first seed only, so groups never chain into a catch-all)."""
    reviews = {ph: {items[i].uid for i in members[ph]} for ph in seeds}
    heads: list[str] = []
    group: dict[str, int] = {}
    for ph in seeds:
        for g, head in enumerate(heads):
            if _related(ph, head, members[ph], members[head], reviews[ph], reviews[head], min_reviews):
                group[ph] = g
                break
        else:
            group[ph] = len(heads)
            heads.append(ph)
    return group


def _assign(pool_idx: list[int], items: list[Clause], weights: np.ndarray, z: dict[str, float],
            group: dict[str, int], min_reviews: int) -> dict[int, int]:
    """Clause index -> group: each clause's best live seed phrase; groups under ``min_reviews``
    reviews die and their clauses try their next phrase (until nothing changes)."""
    alive = set(group.values())
    while True:
        out: dict[int, int] = {}
        for i in pool_idx:
            best = max((ph for ph in items[i].phrases if group.get(ph) in alive), key=lambda p: (z[p], p),
                       default=None)
            if best is not None:
                out[i] = group[best]
        uids: dict[int, set[int]] = defaultdict(set)
        for i, g in out.items():
            uids[g].add(items[i].uid)
        small = {g for g in alive if weights[list(uids.get(g, ()))].sum() < min_reviews}
        if not small:
            return out
        alive -= small


def can_lead(phrase: str) -> bool:
    """Whether a phrase may found and head a topic: not a lone Chinese character. 太大 / 太小
    / 太慢 keep their adjective (大, 小, 慢) as a phrase, but "大" gathers 味道太大, 声音太大 and
    尺码太大 alike and names none of them; it may still follow a subject (速度 / 快)."""
    return not (len(phrase) == 1 and _HAN.match(phrase))


def _name(clauses: list[Clause], weights: np.ndarray, z: dict[str, float], seeds: set[str]) -> list[str]:
    """Top 1-3 phrases by how many of the group's reviews use them (distinctive ones only,
    z > 0); a longer phrase replaces a word inside it when most of that word's reviews use it
    (价格保护, not 价格 / 保护), and a word inside a chosen phrase is skipped."""
    per_review: dict[str, set[int]] = defaultdict(set)
    for c in clauses:
        for ph in c.phrases:
            per_review[ph].add(c.uid)
    count = {ph: float(weights[list(u)].sum()) for ph, u in per_review.items() if z.get(ph, 0.0) > 0 or ph in seeds}
    size = float(weights[list({c.uid for c in clauses})].sum())
    chosen: list[str] = []
    for ph in sorted(count, key=lambda p: (-count[p], -z[p], p)):
        inside = [c for c in chosen if c in ph]
        if inside:
            if count[ph] >= 0.6 * max(count[c] for c in inside):
                chosen = [ph if c == inside[0] else c for c in chosen if c == inside[0] or c not in inside]
            continue
        if any(ph in c for c in chosen) or (chosen and (count[ph] < max(2.0, 0.2 * size) or z[ph] <= 0)) or (
                not chosen and not can_lead(ph)):
            continue
        chosen.append(ph)
        if len(chosen) == 3:
            break
    return chosen


def quotes_for(clauses: list[Clause], first: str, n: int = 3, max_len: int = 40) -> list[str]:
    """``n`` distinct short clauses, those naming the topic's first phrase and the surest first."""
    order = sorted(clauses, key=lambda c: (first not in c.phrases, len(c.text) > max_len, -round(c.weight, 3),
                                           len(c.text), c.text))
    out: list[str] = []
    for c in order:
        text = c.text if len(c.text) <= max_len else c.text[:max_len - 1] + "…"
        if text not in out:
            out.append(text)
        if len(out) == n:
            break
    return out


def _pool_topics(items: list[Clause], weights: np.ndarray, pool: str, *, min_reviews: int, min_z: float
                 ) -> list[tuple[list[str], list[Clause]]]:
    """(name phrases, clauses) per topic of one pool, largest first."""
    z, count = phrase_scores(items, weights, pool)
    pool_idx = [i for i, c in enumerate(items) if c.pool == pool]
    outside = {ph for c in items if c.pool != pool for ph in c.phrases}
    # distinctive, or never said outside the pool (a small file's z-scores are weak)
    seeds = sorted((ph for ph in z if count[ph] >= min_reviews and can_lead(ph)
                    and (z[ph] >= min_z or ph not in outside)), key=lambda p: (-z[p], p))
    members: dict[str, set[int]] = defaultdict(set)
    wanted = set(seeds)
    for i in pool_idx:
        for ph in items[i].phrases & wanted:
            members[ph].add(i)
    group = _merge_seeds(seeds, members, items, min_reviews)
    by_group: dict[int, list[Clause]] = defaultdict(list)
    for i, g in _assign(pool_idx, items, weights, z, group, min_reviews).items():
        by_group[g].append(items[i])
    out = []
    for g, clauses in by_group.items():
        names = _name(clauses, weights, z, {ph for ph, k in group.items() if k == g})
        size = float(weights[list({c.uid for c in clauses})].sum())
        out.append((size, names, clauses))
    out.sort(key=lambda t: (-t[0], t[1]))
    return [(names, clauses) for _, names, clauses in out]


def find_topics(clauses: Sequence[Sequence[str]], clause_probs: Sequence[np.ndarray], review_labels: Sequence[str],
                *, langs: Sequence[str], labels: Sequence[str], weights: np.ndarray | None = None,
                products: Iterable[str] = (), min_reviews: int = 3, min_z: float = 1.0) -> TopicResult:
    """Complaint and praise topics over unique texts (see the module docstring).

    ``clauses[u]`` and ``clause_probs[u]`` (one row per clause, columns in ``labels`` order)
    describe unique text ``u``; ``review_labels[u]`` is its sentiment ("" = not analysed);
    ``weights[u]`` how many reviews have that text (default 1)."""
    n = len(clauses)
    weights = np.ones(n) if weights is None else np.asarray(weights, float)
    items = collect_clauses(clauses, clause_probs, review_labels, langs, labels, vocabulary(product_words(products)))
    rows, uid_weight = [], [dict() for _ in range(n)]
    total = max(float(weights[[i for i, lab in enumerate(review_labels) if lab]].sum()), 1.0)
    for kind in KINDS:
        for names, members in _pool_topics(items, weights, kind, min_reviews=min_reviews, min_z=min_z):
            tid = len(rows) + 1
            uids = {c.uid for c in members}
            for c in members:
                uid_weight[c.uid][tid] = max(uid_weight[c.uid].get(tid, 0.0), c.weight)
            reviews = float(weights[list(uids)].sum())
            rows.append({"topic": tid, "kind": kind, "name": " / ".join(names), "phrases": ", ".join(names),
                         "reviews": int(reviews), "mentions": int(sum(weights[c.uid] for c in members)),
                         "share": reviews / total, "products": "", "quotes": quotes_for(members, names[0])})
    uid_main = np.array([max(w, key=lambda t: (w[t], -t)) if w else 0 for w in uid_weight], np.int64)
    uid_topics = [tuple(sorted(w)) for w in uid_weight]
    return TopicResult(pd.DataFrame(rows, columns=COLUMNS), uid_main, uid_topics, uid_weight)
