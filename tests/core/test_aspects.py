"""Aspect lexicon: matching, merging, user terms. (Polarity needs the model: test_insights.py.)"""
from __future__ import annotations

import json

import numpy as np
import pytest

from core.analysis import aspects as asp
from core.errors import UserError


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))


def test_shipped_lexicon_covers_required_aspects():
    lex = asp.load_lexicon()
    for aspect in ("logistics", "quality", "price", "service", "packaging", "size", "appearance", "effect",
                   "taste_smell", "authenticity", "freshness", "installation", "battery"):
        assert len(lex.terms[aspect]["zh"]) >= 10 and len(lex.terms[aspect]["en"]) >= 10, aspect
    assert lex.display_name("logistics", "zh") == "物流"


def test_find_zh_longest_match_and_offsets():
    lex = asp.load_lexicon()
    text = "快递小哥很热情，但是做工太粗糙了"
    found = lex.find(text, "zh")
    assert [(a, t) for a, t, _, _ in found] == [("logistics", "快递小哥"), ("quality", "做工")]
    a, t, s, e = found[1]
    assert text[s:e] == "做工"


def test_find_en_word_boundaries():
    lex = asp.load_lexicon()
    found = [(a, t.lower()) for a, t, _, _ in lex.find("Shipping was slow; fits great but the colour faded", "en")]
    assert ("logistics", "shipping") in found and ("size", "fits") in found and ("appearance", "colour") in found
    assert lex.find("boxer shorts", "en") == []  # "box" must not match inside "boxer"


def test_mentions_one_per_aspect_per_clause_and_widening():
    lex = asp.load_lexicon()
    text = "物流快，快递小哥也好。质量，很好"
    clauses = ["物流快", "快递小哥也好", "质量", "很好"]
    found = asp.find_review_mentions(text, clauses, "zh", lex, widen=True)
    assert [(m[0], m[4]) for m in found] == [("logistics", 0), ("logistics", 1), ("quality", 2)]
    assert found[2][5] == "质量，很好"  # a bare aspect clause is scored with its neighbour
    assert text[found[2][2]:found[2][3]] == "质量"
    unwidened = asp.find_review_mentions(text, clauses, "zh", lex, widen=False)
    assert unwidened[2][5] == "质量"


def test_add_term_persists_and_merges(tmp_path):
    path = asp.add_term("quality", "毛边", "zh")
    assert path.parent == tmp_path / "home"
    asp.add_term("zipper", "zipper", "en")
    lex = asp.load_lexicon()
    assert "毛边" in lex.terms["quality"]["zh"] and "质量" in lex.terms["quality"]["zh"]
    assert lex.find("the zipper broke", "en")[0][0] == "zipper"
    assert json.loads(path.read_text(encoding="utf-8"))["aspects"]["quality"]["zh"] == ["毛边"]


def test_extra_file_and_bad_files(tmp_path):
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"schema_version": 1, "aspects": {"price": {"en": ["pricetag"]}}}), encoding="utf-8")
    assert "pricetag" in asp.load_lexicon(extra).terms["price"]["en"]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="bad.json"):
        asp.load_lexicon(bad)
    with pytest.raises(UserError):
        asp.add_term("quality", "x", "fr")


def test_resolve_polarity_blends_clause_and_review():
    labels = ("negative", "neutral", "positive")
    neg, neu, pos = [0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.05, 0.05, 0.9]
    # agreeing signals keep their label and confidence
    assert asp.resolve_polarity(labels, np.array(neg), np.array(neg)) == ("negative", pytest.approx(0.9))
    # a neutral clause (aspect named, judged elsewhere) takes the review's polarity
    assert asp.resolve_polarity(labels, np.array(neu), np.array(pos))[0] == "positive"
    # a clearly negative clause in a mildly positive review stays negative
    assert asp.resolve_polarity(labels, np.array([0.97, 0.02, 0.01]), np.array([0.3, 0.1, 0.6]))[0] == "negative"
    # with weight 1 the clause alone decides, with 0 the review alone
    assert asp.resolve_polarity(labels, np.array(neg), np.array(pos), clause_weight=1.0)[0] == "negative"
    assert asp.resolve_polarity(labels, np.array(neg), np.array(pos), clause_weight=0.0)[0] == "positive"


def _regex_find(lex: asp.Lexicon, text: str, lang: str) -> list[tuple[str, str, int, int]]:
    """The reference: one regex alternation per language (what ``find`` replaced for speed)."""
    langs = ("zh", "en") if lang == "zh" or asp._CJK.search(text) else ("en",)
    found, taken = [], []
    for lg in langs:
        pattern, term_to_aspect = lex._matcher(lg)
        for m in pattern.finditer(text):
            s, e = m.span()
            if not any(s < te and ts < e for ts, te in taken):
                taken.append((s, e))
                found.append((term_to_aspect[m.group(0).lower()], m.group(0), s, e))
    return sorted(found, key=lambda f: f[2])


def test_find_scan_agrees_with_the_regex_on_sample_texts():
    import pandas as pd

    lex = asp.load_lexicon()
    texts = pd.read_csv(asp.resource_root() / "resources" / "samples" / "amazon_export.csv")["Review Text"].tolist()
    texts += pd.read_excel(asp.resource_root() / "resources" / "samples" / "taobao_export.xlsx", sheet_name="评价数据",
                           header=1)["评价内容"].dropna().astype(str).tolist()
    texts += ["LOGO很好，SHIPPING快", "shipping-box arrived", "the FIT, fits", "İstanbul shipping", "boxes box3 box",
              "t-shirt tshirts", "物流物流快递快递小哥", ""]
    hits = 0
    for t in map(str, texts):
        for lang in ("zh", "en"):
            assert lex.find(t, lang) == _regex_find(lex, t, lang), t
            hits += len(lex.find(t, lang))
    assert hits > 200  # the samples really mention aspects


def test_billing_and_colour_words_are_not_battery():
    lexicon = asp.load_lexicon()
    for text in ("They charged me twice for shipping.", "The shirt does not drain any color in the wash.",
                 "Free of charge replacement, thanks"):
        assert "battery" not in {a for a, *_ in lexicon.find(text, "en")}, text
    assert {a for a, *_ in lexicon.find("The battery drains quickly and it won't hold a charge", "en")} == {"battery"}
