"""The shipped intent model (issue 16): its file, its manifest, and obvious reviews per intent
through the real engine and the real npz.

The sentences were written for this test, not taken from the intent gold sets, the
hand-written intent training reviews or the seeds.
"""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from core.analysis.intent_model import read_intent_model, load_intent_model
from core.analysis.intents import INTENTS, intents_dir, load_intent_classifier
from core.model import bundled_model_dir, load_engine

MODEL = intents_dir() / "intent_model.npz"

CASES = [
    ("请问这款支持无线充电吗？说明书上没写", "zh", "question"),
    ("建议卖家以后用硬一点的纸箱，边角都压变形了", "zh", "suggestion"),
    ("这是第四次在这家买茶叶了，老顾客了", "zh", "repurchase"),
    ("快递在中转站停了五天，催了也没人管", "zh", "logistics_problem"),
    ("尺码不对，已经申请退货退款了", "zh", "refund_return"),
    ("床单颜色很正，洗了两次也不掉色，很满意", "zh", "praise"),
    ("电饭煲用了一周内胆就掉涂层，太差了", "zh", "complaint"),
    ("Does the lid fit the 2-quart pot as well?", "en", "question"),
    ("Sent it back for a refund, the zipper broke on day one.", "en", "refund_return"),
    ("Lovely soft towels, exactly as described.", "en", "praise"),
    ("The handle snapped the first time I used it.", "en", "complaint"),
]


@pytest.fixture(scope="module")
def engine():
    return load_engine(bundled_model_dir(), device="cpu", threads=2)


def test_shipped_model_loads_and_matches_its_manifest():
    model = read_intent_model(MODEL)
    assert model.intents == INTENTS
    assert model.weight.shape == (len(INTENTS), 1 << model.bits)
    assert ((model.thresholds > 0) & (model.thresholds < 1)).all()


def test_a_tampered_model_is_refused_and_the_seed_head_takes_over(tmp_path):
    copy = tmp_path / "intent_model.npz"
    shutil.copy(MODEL, copy)
    shutil.copy(MODEL.with_suffix(".json"), copy.with_suffix(".json"))
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="sha256"):
        read_intent_model(copy)
    assert load_intent_model(copy) is None  # the classifier then falls back to rules + seed head


@pytest.mark.parametrize("text,lang,intent", CASES)
def test_obvious_reviews_get_their_intent(engine, text, lang, intent):
    clf = load_intent_classifier(engine)
    assert clf.shipped is not None
    found = clf.classify([text], [lang], None, engine.predict([text]).probs, engine.labels)[0]
    assert intent in found, (text, found)


def test_praise_of_fast_delivery_is_not_a_logistics_problem(engine):
    clf = load_intent_classifier(engine)
    texts = ["物流超快，第二天就到了，苹果也很甜", "Arrived a day early and the shirt fits great."]
    found = clf.classify(texts, ["zh", "en"], None, engine.predict(texts).probs, engine.labels)
    assert all("logistics_problem" not in f for f in found), found
    assert all("praise" in f for f in found), found


def test_model_output_is_deterministic_and_probability_shaped(engine):
    model = load_intent_model(MODEL)
    texts = [c[0] for c in CASES]
    clf = load_intent_classifier(engine)
    from core.analysis.intent_model import dense_features

    hits = [clf.rules.hits(t, lg) for t, lg, _ in CASES]
    dense = dense_features(model.intents, engine.predict(texts).probs, engine.labels, hits)
    p1, p2 = model.predict_proba(texts, dense), model.predict_proba(texts, dense)
    assert p1.shape == (len(texts), len(INTENTS)) and np.array_equal(p1, p2)
    assert ((p1 >= 0) & (p1 <= 1)).all()
