"""The learnt clause-level aspect classifier: shipped weights, implicit mentions, wiring."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.analysis import aspects as asp
from core.analysis.aspect_model import implicit_aspects, judge_clauses, load_aspect_model, shipped_model_path
from core.model import bundled_model_dir
from core.errors import UserError

needs_model = pytest.mark.skipif(not (bundled_model_dir() / "manifest.json").is_file(),
                                 reason="models/default is not built yet")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def model():
    return load_aspect_model()


def test_weights_match_manifest_and_lexicon(model, tmp_path):
    manifest = json.loads(shipped_model_path().with_suffix(".json").read_text(encoding="utf-8"))
    assert list(model.aspects) == manifest["aspects"] == asp.load_lexicon().aspects
    assert model.w_ngram.shape == (len(model.aspects), 1 << model.bits) and len(model.thresholds) == len(model.aspects)
    assert manifest["thresholds"] == {a: round(float(t), 4) for a, t in zip(model.aspects, model.thresholds)}
    bad = tmp_path / "aspect_model.npz"
    shutil.copy(shipped_model_path(), bad)
    shutil.copy(shipped_model_path().with_suffix(".json"), tmp_path / "aspect_model.json")
    with open(bad, "ab") as fh:
        fh.write(b"x")
    with pytest.raises(UserError, match="sha256"):
        load_aspect_model(bad)


@pytest.mark.parametrize("clause, aspect", [
    ("太薄了", "quality"),  # the examples (also among the hand-written training clauses)
    ("洗完头发粘粘的", "effect"),
    # real-review wording the classifier never trained on, with no lexicon term
    ("衣服薄得透光", "quality"),
    ("下单第三天才收到", "logistics"),
    ("用完头发涩涩的还打结", "effect"),
    ("个头都小小的", "size"),
])
def test_implicit_mentions_without_a_lexicon_term(model, clause, aspect):
    lexicon = asp.load_lexicon()
    assert aspect not in {a for a, *_ in lexicon.find(clause, "zh")}
    assert aspect in [a for a, _p in model.detect([clause])[0]]


def test_english_implicit_mentions(model):
    """The English side learnt from the hand-written clauses (data/aspects/train_clauses_en2.tsv);
    wording none of them uses, no lexicon term."""
    clause = "the strap snapped within a week"
    assert not asp.load_lexicon().find(clause, "en")
    assert "quality" in [a for a, _p in model.detect([clause])[0]]
    assert "logistics" in [a for a, _p in model.detect(["Shipping was slow"])[0]]


def test_plain_verdicts_get_no_aspect(model):
    assert model.detect(["给妈妈买的", "还会回购", "好评"]) == [[], [], []]


def test_find_review_mentions_adds_term_less_mentions(model):
    text = "快递很快，太薄了，还会回购"
    clauses = ["快递很快", "太薄了", "还会回购"]
    hits = implicit_aspects(model, [clauses])[0]
    found = asp.find_review_mentions(text, clauses, "zh", asp.load_lexicon(), implicit=hits)
    assert [(m[0], m[1]) for m in found] == [("logistics", "快递"), ("quality", "")]
    _aspect, _term, start, end, index, window = found[1]
    assert (text[start:end], index, window) == ("太薄了", 1, "太薄了")  # the clause is the evidence


def _mentions(model, clauses: list[str], lexicon) -> list[tuple[str, str]]:
    judged = judge_clauses(model, [clauses])[0]
    found = asp.find_review_mentions("，".join(clauses), clauses, "zh", lexicon,
                                     implicit=[f for f, _o in judged], ruled_out=[o for _f, o in judged])
    return [(m[0], m[1]) for m in found]


def test_a_shipped_term_the_classifier_rules_out_is_no_mention(model):
    """泡沫 (foam) is a packaging term, but shampoo foam is not packaging; the 酸 of 氨基酸
    (amino acid) is not a taste. The classifier rules those aspects out in these clauses."""
    lexicon = asp.load_lexicon()
    assert ("packaging", "泡沫") not in _mentions(model, ["洗发水泡沫很丰富"], lexicon)
    assert all(a != "taste_smell" for a, _t in _mentions(model, ["用了这个氨基酸洗发水后"], lexicon))
    # a term the classifier agrees with still counts
    assert ("packaging", "包装") in _mentions(model, ["包装很结实"], lexicon)


def test_the_owners_own_term_is_never_gated(model, tmp_path):
    extra = tmp_path / "my_aspects.json"
    extra.write_text(json.dumps({"schema_version": 1, "aspects": {"packaging": {"zh": ["泡沫"], "en": []}}},
                                ensure_ascii=False), encoding="utf-8")
    lexicon = asp.load_lexicon(extra)
    assert "泡沫" in lexicon.owner_terms and "包装" not in lexicon.owner_terms
    assert ("packaging", "泡沫") in _mentions(model, ["洗发水泡沫很丰富"], lexicon)


@needs_model
def test_analysis_reports_implicit_and_owner_terms():
    from core.analysis import analyze_table
    from core.model import load_engine
    from tests.core.test_insights import _table

    asp.add_term("quality", "起毛毛", "zh")  # the owner's own term
    texts = ["衣服太薄了，洗完还缩水", "洗完头发粘粘的，不会再买了", "这件起毛毛了", "给妈妈买的，好评"]
    engine = load_engine(bundled_model_dir(), device="cpu", threads=2)
    ins = analyze_table(_table(texts), engine)
    aspects = [dict(p.split(":") for p in s.split(";")) if s else {} for s in ins.reviews["aspects"]]
    assert "quality" in aspects[0] and "effect" in aspects[1]
    assert "quality" in aspects[2] and aspects[3] == {}
    owner = ins.mentions[ins.mentions["index"] == 2]
    assert "起毛毛" in owner["term"].tolist()
    implicit = ins.mentions[(ins.mentions["index"] == 1) & (ins.mentions["term"] == "")]
    assert implicit["clause"].tolist() == ["洗完头发粘粘的"]
    lexicon_only = analyze_table(_table(texts), engine, aspect_detector=False)
    assert "effect" not in lexicon_only.reviews["aspects"].iat[1]


def test_inference_path_imports_no_torch_or_sklearn():
    code = ("import sys; from core.analysis.aspect_model import shipped_aspect_model; "
            "import core.analysis.insights; shipped_aspect_model().detect(['太薄了']); "
            "bad = [m for m in ('torch', 'sklearn', 'scipy') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
