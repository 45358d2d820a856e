"""The analysis pipeline's stages, each on its own, with a fake engine (no model needed)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from core.analysis import IntentClassifier, analyze_table, load_lexicon, load_rules
from core.analysis.pipeline import (assemble, check_texts, classify_intents, deduplicate, find_aspects,
                                    resolve_task_models, score_custom_tasks, score_sentiment, summarise_reviews)
from core.jobs import Cancelled, CancelToken
from core.model import Predictions

LABELS = ("negative", "neutral", "positive")


class FakeEngine:
    """Negative when the text says 差/slow, positive otherwise; records every call."""

    labels = LABELS
    version, provider, device_name = "fake-1", "CPUExecutionProvider", "cpu"
    config = SimpleNamespace(threads=1)
    _has_embedding = True

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def _probs(self, texts):
        bad = np.array([("差" in t or "slow" in t) for t in texts], float)
        return np.stack([0.1 + 0.8 * bad, np.full(len(texts), 0.1), 0.8 - 0.8 * bad], 1).astype(np.float32)

    def predict(self, texts, *, with_embeddings=False, progress=None, cancel=None):
        self.calls.append(list(texts))
        if cancel is not None:
            cancel.check()
        return Predictions(LABELS, self._probs(texts), None)

    def iter_predict(self, texts, *, with_embeddings=False, progress=None, cancel=None, total=None):
        texts = list(texts)
        self.calls.append(texts)
        emb = np.arange(len(texts) * 4, dtype=np.float32).reshape(len(texts), 4) if with_embeddings else None
        if progress:
            progress(1.0, f"{len(texts)} reviews")
        yield Predictions(LABELS, self._probs(texts), emb)


def _frame(texts, **extra):
    n = len(texts)
    return pd.DataFrame({"row": np.arange(2, n + 2), "text": texts, **extra})


TEXTS = ["物流很快，但是质量太差了", "", "此用户没有填写评价", "12345", "质量很好", "质量很好！", "Shipping was slow"]


def test_check_texts_gives_a_reason_per_skipped_row():
    checked = check_texts(_frame(TEXTS + [None]))
    assert checked.skipped == ["", "empty", "placeholder", "non_text", "", "", "", "empty"]
    assert checked.texts[-1] == "" and checked.rows.tolist() == list(range(2, 10))


def test_garbled_encoding_is_skipped_and_real_accents_are_not():
    """Chinese that was decoded as Windows-1252 and lost bytes on the way cannot be repaired
    (the importer repairs the lossless case): it is skipped, not read as an English complaint."""
    lossy = "质量太差了，用了两天就坏了".encode("utf-8").decode("cp1252", errors="replace")
    texts = [lossy, "Très bien, qualité supérieure à ce prix", "Größe passt, schön", "It’s great — I love it…"]
    assert check_texts(_frame(texts)).skipped == ["garbled", "", "", ""]


def test_deduplicate_keeps_each_text_once_and_points_duplicates_at_the_first_row():
    unique = deduplicate(check_texts(_frame(TEXTS + ["质量很好 "])))
    assert unique.texts == ["物流很快，但是质量太差了", "质量很好", "质量很好！", "Shipping was slow"]
    assert unique.review_uid.tolist() == [0, -1, -1, -1, 1, 2, 3, 1]
    assert unique.duplicate_of == [None, None, None, None, None, 6, None, 6]  # row numbers, near ones too
    assert unique.n_duplicates == 2 and unique.analysed.sum() == 5


def test_score_sentiment_is_one_pass_with_float16_embeddings():
    engine, seen = FakeEngine(), []
    s = score_sentiment(engine, ["质量太差", "good"], progress=lambda f, m: seen.append(f))
    assert len(engine.calls) == 1 and s.labels == list(LABELS)
    assert s.probs.argmax(1).tolist() == [0, 2] and s.embeddings.dtype == np.float16
    assert s.langs == ["zh", "en"] and seen == [1.0]


def test_find_aspects_scores_each_window_once_and_blends_it_with_the_review():
    engine, lexicon = FakeEngine(), load_lexicon()
    texts = ["物流很快，但是质量太差了", "质量很好", "物流很快，质量很好"]
    sentiment = score_sentiment(engine, texts)
    aspects = find_aspects(engine, texts, sentiment, lexicon)
    first = {m.aspect: (m.polarity, round(m.confidence, 2)) for m in aspects.mentions[0]}
    # 0.4 x the clause + 0.6 x the review: 物流很快 (positive clause) in a negative review
    assert first == {"logistics": ("negative", 0.58), "quality": ("negative", 0.9)}
    assert [m.aspect for m in aspects.mentions[1]] == ["quality"] and aspects.mentions[1][0].clause == "质量很好"
    assert aspects.clauses[0] == ["物流很快", "但是质量太差了"]
    assert aspects.clauses_scored == 3  # 物流很快 is scored once for both reviews
    assert engine.calls[-1] == ["物流很快", "但是质量太差了", "质量很好"]  # one batched call, first-seen order


def test_find_aspects_uses_the_owners_aspect_model_when_there_is_one():
    engine = FakeEngine()
    texts = ["物流很快，但是质量太差了"]
    owner = SimpleNamespace(task="aspects", labels=("negative", "positive"),
                            logits=lambda needed, cancel=None: np.tile([[0.0, 5.0]], (len(needed), 1)))
    aspects = find_aspects(engine, texts, score_sentiment(engine, texts), load_lexicon(), aspect_model=owner)
    assert {m.polarity for m in aspects.mentions[0]} == {"positive"}


def test_classify_intents_feeds_float32_embeddings_and_probabilities():
    seen = {}

    def classify(texts, langs, emb, probs, labels):
        seen.update(dtype=emb.dtype, langs=langs, labels=labels)
        return [["question"] for _ in texts]

    sentiment = score_sentiment(FakeEngine(), ["请问有货吗"])
    assert classify_intents(SimpleNamespace(classify=classify), ["请问有货吗"], sentiment) == [["question"]]
    assert seen == {"dtype": np.float32, "langs": ["zh"], "labels": list(LABELS)}


def test_custom_tasks_give_one_column_each_and_skip_built_in_tasks():
    colour = SimpleNamespace(task="colour", predict=lambda texts, cancel=None: [["red", "blue"], []][:len(texts)])
    intents = SimpleNamespace(task="intents", predict=lambda texts, cancel=None: 1 / 0)
    assert score_custom_tasks([colour, intents], ["a", "b"]) == {"task:colour": ["red;blue", ""]}
    aspects = SimpleNamespace(task="aspects")
    assert resolve_task_models(FakeEngine(), [colour, aspects], None) == (aspects, [colour])
    assert resolve_task_models(FakeEngine(), None, None) == (None, [])  # no project: nothing of an owner's


def test_assemble_spreads_text_results_over_rows_in_input_order():
    engine = FakeEngine()
    frame = _frame(TEXTS, rating=[1, None, None, None, 5, 5, 5], followup=["", "", "", "", "", "", "太差"])
    checked = check_texts(frame)
    unique = deduplicate(checked)
    sentiment = score_sentiment(engine, unique.texts)
    aspects = find_aspects(engine, unique.texts, sentiment, load_lexicon())
    intents = [["complaint"], [], [], []]
    columns = {"task:colour": ["r", "g", "b", "y"]}
    reviews, mentions = assemble(frame, checked, unique, sentiment, aspects, intents, columns,
                                 followups=np.array(["", "", "", "", "", "", "negative"], dtype=object))
    assert reviews["row"].tolist() == frame["row"].tolist()
    assert reviews["sentiment"].tolist() == ["negative", "", "", "", "positive", "positive", "negative"]
    assert reviews["task:colour"].tolist() == ["r", "", "", "", "g", "b", "y"]
    assert reviews["intents"].tolist()[:2] == ["complaint", ""]
    assert reviews["mismatch"].tolist()[6] == "high_rating_negative_text"
    assert reviews["followup_sentiment"].tolist()[6] == "negative"
    assert reviews.columns[-2:].tolist() == ["mismatch", "task:colour"]
    assert set(mentions["row"]) == {2, 6, 7, 8} and (mentions["index"] == 0).sum() == 2
    insights = summarise_reviews(reviews, mentions, unique, sentiment, aspects, load_lexicon())
    assert "quality" in set(insights.aspects["aspect"]) and "topic" in insights.reviews.columns


def test_analyze_table_runs_the_stages_in_order_and_honours_cancel():
    table = SimpleNamespace(frame=_frame(TEXTS), source="t.csv", sheet=None, header_row=1, columns={})
    steps = []
    insights = analyze_table(table, FakeEngine(), intents=IntentClassifier(load_rules(), None), task_models=[],
                             progress=lambda f, m: steps.append((round(f, 2), m)))
    messages = [m for _, m in steps]
    assert messages[0] == "Checking texts" and messages[-1] == "Analysed 4 reviews"
    order = [messages.index(m) for m in ("Finding aspects", "Classifying intents", "Keywords, topics and trends")]
    assert order == sorted(order) and [f for f, _ in steps] == sorted(f for f, _ in steps)
    assert insights.method["skipped"] == {"empty": 1, "placeholder": 1, "non_text": 1, "garbled": 0}
    assert insights.method["duplicates"] == 1 and insights.method["unique_texts"] == 4
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        analyze_table(table, FakeEngine(), intents=IntentClassifier(load_rules(), None), task_models=[], cancel=token)
