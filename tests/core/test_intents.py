from __future__ import annotations

import json

import numpy as np
import pytest

from core.analysis import intents as it


def test_seeds_meet_the_brief():
    texts, labels, langs = it.load_seeds()
    for lang in ("zh", "en"):
        sub = [lab for lab, lg in zip(labels, langs) if lg == lang]
        for intent in it.INTENTS:
            assert sum(intent in s for s in sub) >= 30, (lang, intent)
        assert sum(not s for s in sub) >= 60
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize("text,lang,expected", [
    ("质量太差了，申请退货", "zh", {"refund_return", "complaint"}),
    ("请问有没有大一码的？", "zh", {"question"}),
    ("建议多出几个颜色", "zh", {"suggestion"}),
    ("已经回购三次了", "zh", {"repurchase"}),
    ("快递太慢了，等了十天", "zh", {"logistics_problem"}),
    ("Parcel was lost in transit, I want a refund", "en", {"logistics_problem", "refund_return"}),
    ("Does it fit a queen bed?", "en", {"question"}),
    ("Will buy again!", "en", {"repurchase"}),
    ("I wish it came in blue", "en", {"suggestion"}),
    ("默认好评", "zh", set()),
    ("I will never buy this again", "en", set()),
    ("Won’t order again.", "en", set()),
    ("不会再买了", "zh", set()),
    ("第二次买了", "zh", {"repurchase"}),
])
def test_rules(text, lang, expected):
    assert it.load_rules().hits(text, lang) == expected


def test_head_trains_tunes_and_round_trips_json(tmp_path):
    rng = np.random.default_rng(0)
    d, n = 16, 120
    emb = rng.normal(size=(n, d)).astype(np.float32)
    # intent "question" lives along dim 0, "praise" along dim 1: learnable, not in the texts
    labels = [[x for x, on in (("question", emb[i, 0] > 0.5), ("praise", emb[i, 1] > 0.5)) if on] for i in range(n)]
    texts = [f"text {i}" for i in range(n)]
    head = it.train_intent_head(texts, labels, emb, intents=("question", "praise"), langs=["en"] * n)
    pred = head.predict_proba(emb) >= head.thresholds
    truth = np.array([[("question" in s), ("praise" in s)] for s in labels])
    assert (pred == truth).mean() > 0.85
    assert head.metrics["question"]["head_f1"] > 0.6 and "not a held-out test" in head.metrics["_note"]
    path = head.save(tmp_path / "head.json")
    data = json.loads(path.read_text())
    assert data["schema_version"] == 1 and data["intents"] == ["question", "praise"]
    again = it.IntentHead.load(path)
    assert np.allclose(again.predict_proba(emb), head.predict_proba(emb), atol=1e-4)


def test_classifier_rules_only_and_sentiment_veto():
    clf = it.IntentClassifier(it.load_rules(), None)
    assert clf.classify(["退货退款！"], ["zh"]) == [["refund_return"]]
    head = it.IntentHead(("praise",), np.ones((1, 4), np.float32), np.zeros(1, np.float32),
                         np.array([0.5], np.float32))
    clf = it.IntentClassifier(it.load_rules(), head)
    emb = np.ones((2, 4), np.float32)
    sent = np.array([[0.9, 0.05, 0.05], [0.05, 0.05, 0.9]], np.float32)
    assert clf.classify(["a", "b"], ["en", "en"], emb, sent) == [[], ["praise"]]


def test_head_repurchase_vetoed_on_a_clearly_negative_review():
    head = it.IntentHead(("repurchase",), np.ones((1, 4), np.float32), np.zeros(1, np.float32),
                         np.array([0.5], np.float32))
    clf = it.IntentClassifier(it.load_rules(), head)
    emb = np.ones((3, 4), np.float32)
    sent = np.array([[0.9, 0.05, 0.05], [0.05, 0.05, 0.9], [0.9, 0.05, 0.05]], np.float32)
    texts = ["total waste", "lovely", "第二次买了，这次质量很差"]  # the rule still finds the third
    assert clf.classify(texts, ["en", "en", "zh"], emb, sent) == [[], ["repurchase"], ["complaint", "repurchase"]]
