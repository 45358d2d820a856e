"""Perturbed copies of English review sentences for distillation (build time only).

The 3-layer student matches the teacher on the English sentences it was distilled on but
falls ~6 points behind it on unseen English ones (BENCHMARKS.md): English training text is
scarce (~17k sentences), so the student learns those sentences rather than the teacher's
function. As in TinyBERT's data augmentation, new inputs near the real ones, labelled by the
teacher's soft output only, show the student more of that function. The edits below need no
extra resources: drop words, keep a span, join two sentences, and add or remove a negation
(the v2 student's English errors were mostly negated praise read as negative). An edit can
flip a sentence's meaning, so augmented texts carry no hard label: the teacher labels them.
"""
from __future__ import annotations

import random
import re

_NEGATIONS = re.compile(r"\b(not|never|no)\s+|(?<=\w)n't\b", re.IGNORECASE)
_IRREGULAR = re.compile(r"\b(ca)n't\b|\b(w)on't\b", re.IGNORECASE)  # can't -> can, won't -> will
_AUXILIARIES = {"is", "was", "are", "were", "do", "does", "did", "will", "would", "can", "could", "should",
                "has", "have", "had", "must"}
_JOINERS = (" ", ", but ", " and ", ". ", " although ")


def _drop_words(words: list[str], rng: random.Random) -> list[str]:
    kept = [w for w in words if rng.random() > 0.15]
    return kept if len(kept) >= 3 else words


def _keep_span(words: list[str], rng: random.Random) -> list[str]:
    n = max(3, int(len(words) * rng.uniform(0.5, 0.9)))
    start = rng.randrange(0, max(1, len(words) - n + 1))
    return words[start:start + n]


def _toggle_negation(text: str, rng: random.Random) -> str | None:
    m = _IRREGULAR.search(text)
    if m:  # keep the first letter's case
        return text[:m.start()] + (m.group(1) + "n" if m.group(1) else m.group(2) + "ill") + text[m.end():]
    hits = list(_NEGATIONS.finditer(text))
    if hits:
        m = rng.choice(hits)
        return (text[:m.start()] + text[m.end():]).replace("  ", " ")
    words = text.split(" ")
    slots = [i for i, w in enumerate(words) if w.lower() in _AUXILIARIES]
    if not slots:
        return None
    i = rng.choice(slots)
    return " ".join(words[:i + 1] + ["not"] + words[i + 1:])


def augment_english(texts: list[str], per_text: int, rng: random.Random) -> list[str]:
    """``per_text`` edited copies of each text (fewer for very short ones), none equal to a
    text of the input or to each other."""
    seen = set(texts)
    out: list[str] = []
    for text in texts:
        words = text.split()
        if len(words) < 4:
            continue
        for _ in range(per_text):
            op = rng.randrange(4)
            if op == 0:
                new = " ".join(_drop_words(words, rng))
            elif op == 1:
                new = " ".join(_keep_span(words, rng))
            elif op == 2:
                other = rng.choice(texts)
                new = text.rstrip(" .!") + rng.choice(_JOINERS) + other
            else:
                new = _toggle_negation(text, rng) or " ".join(_drop_words(words, rng))
            if new and new not in seen:
                seen.add(new)
                out.append(new)
    return out


# Clause boundaries of English review text: punctuation and the conjunctions that join two
# judgements ("fits well but the color faded").
_CLAUSE_SPLIT = re.compile(r"\s*[,;:.!?()]+\s*|\s+(?:but|and|although|though|because|so|however|yet)\s+",
                           re.IGNORECASE)


def english_fragments(texts: list[str], per_text: int, rng: random.Random, *, min_words: int = 2,
                      max_words: int = 8) -> list[str]:
    """Up to ``per_text`` clauses of 2-8 words from each text, none equal to an input text.

    Shop reviews are often one short phrase ("Works as described", "Perfect fit"), while the
    English distillation text is whole sentences: the student learnt those and reads short
    phrases worse than the teacher does (bench/bench_short_en.py). Clauses cut from real
    sentences are short inputs of the same language; the teacher labels them."""
    seen = set(texts)
    out: list[str] = []
    for text in texts:
        clauses = [c.strip() for c in _CLAUSE_SPLIT.split(text)]
        clauses = [c for c in clauses if min_words <= len(c.split()) <= max_words and c not in seen]
        rng.shuffle(clauses)
        for clause in clauses[:per_text]:
            seen.add(clause)
            out.append(clause)
    return out
