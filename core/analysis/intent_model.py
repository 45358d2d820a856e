"""The shipped intent model: one-vs-rest logistic regression learnt from hand-labelled reviews.

Why it exists (issue 16): the seed head (470 seed sentences, embeddings only) scored a
macro-F1 of about 0.58 (zh) / 0.70 (en) on the hand-labelled intent gold set; suggestion,
repurchase and logistics_problem were the weak ones. This model is trained at build time
(``python -m core.modelbuild.intents``) on the gold set's training sources, the team's
hand-written intent reviews and the seeds, and tested on product categories it never saw
(``bench/bench_intents_gold.py``).

Features per review, the same function at training and at run time:

* character 1-3-grams of the text, hashed sublinear TF-IDF (``core.ngram.featurize``): the
  phrases that carry an intent (请问, 回购, 建议, 退货, 快递, "sent it back") in both languages;
* the review's sentiment probabilities (negative, neutral, positive) from the engine:
  complaint and praise follow sentiment, and "never again" vs "buy again" differ by it;
* the rule hits (``rules.json``), one 0/1 per intent: the rules became features, so the model
  learns how far to trust each; a rule still decides alone (OR) only for the intents where
  that measurably helped on held-out folds of the training data (``rule_or``).

It does not use the transformer's embeddings (they added nothing measurable), so the model
stays valid when the owner retrains the sentiment model. Inference is numpy only.

File format (``resources/intents/intent_model.npz``): ``schema_version`` (1), ``intents``,
``bits``, ``max_n``, ``idf`` (float32, 2**bits), ``weight`` (float16, intents x 2**bits),
``dense_weight`` (float32, intents x 10), ``bias``, ``thresholds``, ``rule_or`` (bool); its
sha256 and recipe are in ``intent_model.json`` next to it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from core.ngram import add_sparse_scores, featurize

SCHEMA_VERSION = 1
SENTIMENT_ORDER = ("negative", "neutral", "positive")


def dense_features(intents: Sequence[str], sentiment_probs: np.ndarray, sentiment_labels: Sequence[str],
                   rule_hits: Sequence[set[str]]) -> np.ndarray:
    """[p(negative), p(neutral), p(positive), rule hit per intent] per review."""
    order = [list(sentiment_labels).index(name) for name in SENTIMENT_ORDER]
    probs = np.asarray(sentiment_probs, np.float32)[:, order]
    hits = np.array([[intent in h for intent in intents] for h in rule_hits], np.float32).reshape(len(rule_hits),
                                                                                                  len(intents))
    return np.hstack([probs, hits])


@dataclass
class IntentModel:
    intents: tuple[str, ...]
    bits: int
    max_n: int
    idf: np.ndarray  # (2**bits,)
    weight: np.ndarray  # (intents, 2**bits)
    dense_weight: np.ndarray  # (intents, 3 + intents)
    bias: np.ndarray  # (intents,)
    thresholds: np.ndarray  # (intents,)
    rule_or: np.ndarray  # (intents,) bool: a rule hit decides alone

    def predict_proba(self, texts: Sequence[str], dense: np.ndarray) -> np.ndarray:
        z = np.asarray(dense, np.float32) @ self.dense_weight.T + self.bias
        add_sparse_scores(z, self.weight, featurize(texts, bits=self.bits, max_n=self.max_n, idf=self.idf))
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def decide(self, probs: np.ndarray, rule_hits: Sequence[set[str]]) -> list[set[str]]:
        out = []
        for i, hits in enumerate(rule_hits):
            found = {intent for j, intent in enumerate(self.intents)
                     if probs[i, j] >= self.thresholds[j] or (self.rule_or[j] and intent in hits)}
            out.append(found)
        return out

    def save(self, path: Path) -> None:
        np.savez_compressed(path, schema_version=np.int64(SCHEMA_VERSION), intents=np.asarray(self.intents),
                            bits=np.int64(self.bits), max_n=np.int64(self.max_n), idf=self.idf.astype(np.float32),
                            weight=self.weight.astype(np.float16), dense_weight=self.dense_weight.astype(np.float32),
                            bias=self.bias.astype(np.float32), thresholds=self.thresholds.astype(np.float32),
                            rule_or=self.rule_or.astype(bool))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_intent_model(path: Path) -> IntentModel:
    """Load and check against the manifest next to it (``<name>.json``: its sha256)."""
    manifest = path.with_suffix(".json")
    want = json.loads(manifest.read_text(encoding="utf-8")).get("sha256")
    if want != sha256_of(path):
        raise ValueError(f"{path}: sha256 differs from {manifest.name}; rebuild with python -m core.modelbuild.intents")
    with np.load(path, allow_pickle=False) as data:
        if int(data["schema_version"]) > SCHEMA_VERSION:
            raise ValueError(f"{path}: intent model schema {int(data['schema_version'])} is newer than this app")
        return IntentModel(intents=tuple(str(x) for x in data["intents"]), bits=int(data["bits"]),
                           max_n=int(data["max_n"]), idf=data["idf"].astype(np.float32), weight=data["weight"],
                           dense_weight=data["dense_weight"].astype(np.float32), bias=data["bias"].astype(np.float32),
                           thresholds=data["thresholds"].astype(np.float32), rule_or=data["rule_or"].astype(bool))


@lru_cache(maxsize=4)
def load_intent_model(path: Path) -> IntentModel | None:
    """The model at ``path``, or None when it is missing or broken (the seed head is the fallback)."""
    try:
        return read_intent_model(Path(path)) if Path(path).is_file() else None
    except (OSError, ValueError, KeyError):
        return None
