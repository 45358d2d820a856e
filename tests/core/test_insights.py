"""analyze_table with the real model (skipped until models/default/ is built)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from core.jobs import Cancelled, CancelToken
from core.model import bundled_model_dir

needs_model = pytest.mark.skipif(not (bundled_model_dir() / "manifest.json").is_file(),
                                 reason="models/default is not built yet")


@pytest.fixture(scope="module")
def engine():
    from core.model import load_engine

    return load_engine(bundled_model_dir(), device="cpu", threads=2)


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))


def _table(texts, ratings=None, products=None, dates=None):
    n = len(texts)
    frame = pd.DataFrame({"row": np.arange(1, n + 1), "source_row": np.arange(2, n + 2), "text": texts,
                          "rating": ratings if ratings is not None else [np.nan] * n,
                          "date": pd.to_datetime(dates if dates is not None else [None] * n),
                          "product": products or [""] * n, "sku": "", "followup": "", "reply": "",
                          "author": "", "order_id": ""})
    return SimpleNamespace(frame=frame, source="t.csv", sheet=None, header_row=1, columns={"text": "review"})


TEXTS = ["物流很快，但是质量太差了，穿一次就开线", "质量很好，做工精细，很满意，还会回购", "",
         "此用户没有填写评价", "。。。", "Shipping was super slow and the box arrived crushed.",
         "Great quality shirt, fits perfectly. Will buy again!", "请问有没有大一码的？", "质量很好，做工精细，很满意，还会回购",
         "建议多出几个颜色，客服态度也一般"]


@needs_model
def test_analyze_small_table(engine):
    ins = analyze(engine)
    r = ins.reviews
    assert r["row"].tolist() == list(range(1, 11))  # input order, every row
    assert r["skipped"].tolist()[2:4] == ["empty", "placeholder"] and r.loc[4, "skipped"] in ("placeholder", "non_text")
    assert r.loc[2, "sentiment"] == "" and r.loc[0, "sentiment"] in ("negative", "neutral", "positive")
    assert r.loc[8, "duplicate_of"] == 2 and r.loc[8, "sentiment"] == r.loc[1, "sentiment"]
    a0 = dict(x.split(":") for x in r.loc[0, "aspects"].split(";"))
    assert a0["quality"] == "negative"  # clause-level: logistics praised, quality panned
    assert "repurchase" in r.loc[1, "intents"] and "question" in r.loc[7, "intents"]
    assert "logistics_problem" in r.loc[5, "intents"]
    assert ins.method["skipped"]["empty"] == 1 and ins.method["model_version"] == engine.version
    assert not ins.aspects.empty and "quality" in set(ins.aspects["aspect"])


def analyze(engine, **kw):
    from core.analysis import analyze_table

    return analyze_table(_table(TEXTS, **kw), engine)


@needs_model
def test_mismatch_products_and_trends(engine):
    ratings = [5, 1, None, None, None, 5, 5, None, 1, 3]
    ins = analyze(engine, ratings=[np.nan if x is None else float(x) for x in ratings],
                  products=["A", "B", "A", "A", "B", "C", "C", "A", "B", "A"],
                  dates=pd.date_range("2024-01-01", periods=10, freq="10D"))
    flags = dict(zip(ins.reviews["row"], ins.reviews["mismatch"]))
    if ins.reviews.loc[5, "sentiment"] == "negative" and ins.reviews.loc[5, "sentiment_confidence"] >= 0.7:
        assert flags[6] == "high_rating_negative_text"
    assert flags[3] == ""  # skipped rows never mismatch
    assert set(ins.products["product"]) <= {"A", "B", "C"} and ins.products["reviews"].sum() == 7
    assert ins.trend_month["reviews"].sum() == 7


@needs_model
def test_long_review_counts_each_aspect_once(engine):
    """A review that praises the quality in 40 clauses is one review for the aspect tables and
    one quality:positive in the results column, not 40 that drown the complaints."""
    from core.analysis import analyze_table

    long_praise = "，".join(["质量很好"] * 40)
    texts = [long_praise, "质量太差了，穿一次就开线", "质量很差，线头很多，不会再买"]
    ins = analyze_table(_table(texts), engine)
    assert (ins.mentions["index"] == 0).sum() >= 2  # the browser still sees every clause's mention
    assert ins.reviews.loc[0, "aspects"] == "quality:positive"
    quality = ins.aspects.set_index("aspect").loc["quality"]
    assert quality["mentions"] == 3 and quality["negative"] == 2 and quality["positive"] == 1


@needs_model
def test_cancel(engine):
    from core.analysis import analyze_table

    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        analyze_table(_table(TEXTS), engine, cancel=token)


@needs_model
def test_intent_head_seed_cv(engine):
    """Seed cross-validation (not a real test set): the combined decision beats rules alone."""
    from core.analysis import load_intent_classifier

    clf = load_intent_classifier(engine, use_shipped=False)
    m = clf.head.metrics
    for intent in ("complaint", "praise"):
        assert m[intent]["combined_f1"] >= m[intent]["rules_f1"]
    assert np.mean([m[i]["combined_f1"] for i in clf.head.intents]) > 0.6


@needs_model
def test_insights_cache_round_trip(engine, tmp_path):
    """The GUI's insights cache (plain JSON, no pickle) gives back equal frames and values."""
    import dataclasses

    from gui.session import load_insights, save_insights

    ins = analyze(engine, dates=["2026-03-01 10:31", None, "2026-03-02 00:00", None, None, None, None, None, None,
                                 "2026-04-01 08:00"], ratings=[5, 1, None, 3, 4, 2, 5, 1, 5, 3])
    project = tmp_path / "p.rlproj"
    save_insights(project, ins, review_count=10)
    back = load_insights(project, 10)
    assert back is not None
    for f in dataclasses.fields(ins):
        a, b = getattr(ins, f.name), getattr(back, f.name)
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_dtype=True, obj=f.name)
        else:
            assert a == b, f.name
    assert load_insights(project, 11) is None  # a project that changed is re-analysed
