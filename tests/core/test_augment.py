"""Edited copies of English sentences for distillation: new texts, reproducible, and the
negation edit really adds or removes the negation."""
from __future__ import annotations

import random

from core.modelbuild.augment import _toggle_negation, augment_english, english_fragments

SENTENCES = [
    "The battery does not last more than a day.",
    "Nokia does not disappoint, great phone for the price.",
    "The fabric is soft and the colour is exactly as shown.",
    "It won't charge unless you hold the cable at an angle.",
    "Shipping was fast and the seller answered every question.",
    "Too small.",
]


def test_copies_are_new_distinct_and_reproducible():
    out = augment_english(SENTENCES, 3, random.Random(5))
    assert out == augment_english(SENTENCES, 3, random.Random(5))
    assert len(out) == len(set(out)) and not set(out) & set(SENTENCES)
    assert 10 <= len(out) <= 15  # 3 per sentence of 4+ words, a few dropped as duplicates
    assert not any(o.startswith("Too small") for o in out)  # too short to edit
    for text in out:  # every copy is built from the sentences' own words
        assert set(text.replace(",", " ").replace(".", " ").split()) <= {
            w for s in SENTENCES for w in s.replace(",", " ").replace(".", " ").split()} | {"but", "and", "although",
                                                                                             "not", "will"}


def test_negation_is_added_or_removed():
    rng = random.Random(0)
    assert _toggle_negation("The battery does not last more than a day.", rng) == "The battery does last more than a day."
    assert _toggle_negation("It won't charge at all", rng) == "It will charge at all"
    assert _toggle_negation("I didn't like the smell", rng) == "I did like the smell"
    assert _toggle_negation("The zip is sturdy", rng) == "The zip is not sturdy"
    assert _toggle_negation("Lovely colour, fast delivery", rng) is None  # nothing to negate


def test_fragments_are_short_clauses_of_the_sentences():
    out = english_fragments(SENTENCES, 2, random.Random(3))
    assert out == english_fragments(SENTENCES, 2, random.Random(3))
    assert "great phone for the price" in out and "the colour is exactly as shown" in out
    assert "Nokia does not disappoint" in out  # a clause before a comma
    assert all(2 <= len(f.split()) <= 8 and f in " ".join(SENTENCES) for f in out)
    assert len(out) == len(set(out)) and len([f for f in out if f in SENTENCES[1]]) <= 2
