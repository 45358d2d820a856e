"""The default model's n-gram voice and its stacker: real training (scikit-learn), a real
model folder written and loaded through the engine, numpy-only inference."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from core.model import load_engine, verify_model_dir
from core.modelbuild.blend import build_blend
from core.modelbuild.data import NEG, NEU, POS, Example, Splits
from core.ngram import featurize, hashed_counts, load_ngram, normalise, train_ngram, word_grams
from tests.fixtures import fruit_rows
from tests.gui.tiny_model import build_tiny_model

NEUTRAL = ["东西收到了，还没用", "给我妈买的", "还没安装，装好再评", "It is a phone case", "Bought it for my son",
           "Will update after a month", "昨天下单今天到的", "颜色选的黑色", "The box says 500 ml", "还没拆封"]


def _examples() -> list[Example]:
    rows = fruit_rows()
    # four pseudo-domains, so the blend's domain-grouped folds have something to hold out
    out = [Example(r["review"], POS if r["label"] == "1" else NEG, f"online_shopping/水果{i % 4}")
           for i, r in enumerate(rows)]
    out += [Example(t, NEU, "handwritten/reviews_zh") for t in NEUTRAL * 3]
    return out


def test_features_are_stable_normalised_and_case_insensitive():
    a = hashed_counts("Works GREAT", bits=16)
    assert a == hashed_counts("works   great", bits=16)
    indptr, _idx, values = featurize(["很好", ""], bits=16, max_n=3, idf=None)
    first = values[indptr[0]:indptr[1]]
    assert abs(float(first @ first) - 1.0) < 1e-5
    assert indptr[2] - indptr[1] == 0  # an empty text has no features


def test_latin_word_grams_mark_what_a_negator_governs():
    assert set(word_grams(normalise("Not flimsy at all"))) == {"not", "~flimsy", "~at", "~all", "not ~flimsy",
                                                               "~flimsy ~at", "~at ~all"}
    grams = word_grams(normalise("Doesn\u2019t leak. Works great"))  # a typographic apostrophe too
    assert {"~leak", "works", "great", "works great"} <= set(grams)  # the full stop ends the negation
    assert "~works" not in grams and "~leak works" not in grams
    assert word_grams(normalise("质量很好")) == []  # Chinese is read by its characters alone
    plain, with_words = hashed_counts("one star", bits=18), hashed_counts("one star", bits=18, words=True)
    assert set(plain) < set(with_words) and hashed_counts("质量很好", bits=18, words=True) == \
        hashed_counts("质量很好", bits=18)


def test_word_grams_learn_what_characters_miss_and_survive_a_save(tmp_path):
    """Three-character grams of "not bad" and "bad" are nearly the same; word grams are not."""
    pos = ["not bad at all", "never disappoints", "not flimsy", "no complaints", "not bad for the price",
           "never leaks", "not noisy at all", "no problems so far"] * 3
    neg = ["bad", "really bad", "so flimsy", "leaks everywhere", "noisy and bad", "bad quality",
           "it broke, bad", "flimsy and noisy"] * 3
    texts, labels = pos + neg, [POS] * len(pos) + [NEG] * len(neg)
    model = train_ngram(texts, labels, label_names=["negative", "neutral", "positive"], bits=16, words=True,
                        min_df=1)
    model.save(tmp_path / "ngram.npz")
    again = load_ngram(tmp_path / "ngram.npz")
    assert again.words
    assert list(again.probs(["not flimsy at all", "flimsy"]).argmax(1)) == [POS, NEG]


def test_schema_1_ngram_files_still_load_without_words(tmp_path):
    exs = _examples()[:60]
    model = train_ngram([e.text for e in exs], [e.label for e in exs], label_names=["negative", "neutral", "positive"],
                        bits=12)
    with np.load(_save(model, tmp_path / "v2.npz")) as z:
        old = {k: z[k] for k in z.files if k != "words"}
    old["schema_version"] = np.int64(1)
    np.savez_compressed(tmp_path / "v1.npz", **old)
    assert load_ngram(tmp_path / "v1.npz").words is False


def _save(model, path):
    model.save(path)
    return path


def test_ngram_model_learns_saves_and_loads(tmp_path):
    exs = _examples()
    model = train_ngram([e.text for e in exs], [e.label for e in exs], label_names=["negative", "neutral", "positive"],
                        bits=16)
    model.save(tmp_path / "ngram.npz")
    again = load_ngram(tmp_path / "ngram.npz")
    texts = ["太甜了，很新鲜，下次还买", "全烂了，臭的，差评"]
    assert np.allclose(model.probs(texts), again.probs(texts), atol=2e-3)  # float16 weights on disk
    assert list(again.probs(texts).argmax(1)) == [POS, NEG]


def test_blend_stage_writes_a_model_the_engine_blends(tmp_path):
    base = build_tiny_model(tmp_path / "tiny")
    exs = _examples()
    splits = Splits(train=exs[:300], val=exs[300:], unlabeled=[], tests={})
    doc = build_blend(work=tmp_path / "work", base=base, out=tmp_path / "blended", splits=splits,
                      handwritten=[Example("没有坏果，很新鲜", POS, "handwritten/reviews_zh")] * 3, bits=14)
    assert np.asarray(doc["stack_weight"]).shape == (3, 6)
    manifest = verify_model_dir(tmp_path / "blended")  # every file, ngram.npz included, has its sha256
    assert manifest["blend"]["ngram"] == "ngram.npz" and "ngram.npz" in manifest["files"]
    blended = load_engine(tmp_path / "blended", device="cpu")
    fast = load_engine(tmp_path / "blended", device="cpu", blend=False)
    assert blended.blended and not fast.blended
    texts = ["苹果很甜，很新鲜，好评", "烂了一半，臭的，退货", "还没拆封"]
    p, q = blended.predict(texts).probs, fast.predict(texts).probs
    assert p.shape == (3, 3) and np.allclose(p.sum(1), 1.0, atol=1e-5)
    assert not np.allclose(p, q)
    # the engine computes exactly the stacker's formula over its two voices
    from core.modelbuild.blend import stack_features

    sample = [e.text for e in exs[:200:2]]
    ngram = load_ngram(tmp_path / "blended" / "ngram.npz")
    z = stack_features(fast.predict(sample).probs, ngram.probs(sample)) @ np.asarray(
        manifest["blend"]["stack_weight"]).T + np.asarray(manifest["blend"]["stack_bias"])
    z = np.exp(z - z.max(1, keepdims=True))
    assert np.allclose(blended.predict(sample).probs, z / z.sum(1, keepdims=True), atol=1e-4)
    # and the n-gram voice learnt the reviews it was trained on
    truth = np.asarray([e.label for e in exs[:200:2]])
    assert float(np.mean(ngram.probs(sample).argmax(1) == truth)) >= 0.8
    (tmp_path / "blended" / "ngram.npz").write_bytes(b"broken")
    with pytest.raises(Exception, match="corrupt or was modified"):
        load_engine(tmp_path / "blended", device="cpu")


def test_inference_path_does_not_import_torch_or_sklearn():
    code = ("import sys; from core.model import load_engine; e = load_engine(device='cpu'); "
            "e.predict(['很好', 'bad']); "
            "print(json.dumps([m for m in ('torch', 'sklearn') if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_an_ngram_file_holding_pickled_objects_is_refused(tmp_path):
    bad = tmp_path / "ngram.npz"
    np.savez(bad, schema_version=np.int64(1), bits=np.int64(4), max_n=np.int64(3), idf=np.ones(16, np.float32),
             weight=np.zeros((3, 16), np.float16), bias=np.zeros(3, np.float32),
             labels=np.asarray([object(), "neutral", "positive"], dtype=object))
    with pytest.raises(ValueError):
        load_ngram(bad)  # numpy refuses object arrays without allow_pickle: no code runs
