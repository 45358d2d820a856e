"""Fast mode: a small network attached to a default model folder (core.modelbuild.fastmode)
and run by ``load_engine(fast=True)``, with its own stacker over the shared n-gram voice."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core.errors import UserError
from core.model import load_engine, verify_model_dir
from core.modelbuild.blend import build_blend
from core.modelbuild.data import Splits
from core.modelbuild.fastmode import attach_fast
from tests.core.test_blend import _examples
from tests.gui.tiny_model import _sha, build_tiny_model

TEXTS = ["苹果很甜，很新鲜，好评", "烂了一半，臭的，退货", "还没拆封", "quality is bad", "love it"]


def _blended(tmp_path, name: str, bias: float):
    exs = _examples()
    splits = Splits(train=exs[:300], val=exs[300:], unlabeled=[], tests={})
    base = build_tiny_model(tmp_path / f"{name}-net", version=name, bias=bias)
    build_blend(work=tmp_path / f"{name}-work", base=base, out=tmp_path / name, splits=splits, handwritten=[],
                bits=14)
    return tmp_path / name


def test_fast_network_runs_as_its_own_folder_did(tmp_path):
    main, small = _blended(tmp_path, "main", 0.0), build_tiny_model(tmp_path / "small", version="small", bias=1.5)
    before = load_engine(main, device="cpu").predict(TEXTS).probs
    alone = load_engine(small, device="cpu").predict(TEXTS).probs
    assert not np.allclose(before, alone, atol=1e-3)

    manifest = attach_fast(main, small)
    assert "fast.onnx" in verify_model_dir(main)["files"] and "blend" not in manifest["fast"]
    full, fast = load_engine(main, device="cpu"), load_engine(main, device="cpu", fast=True)
    assert not full.fast and fast.fast and full.blended and not fast.blended and fast.version == full.version
    assert np.allclose(full.predict(TEXTS).probs, before, atol=1e-6)  # the default network is untouched
    assert np.allclose(fast.predict(TEXTS).probs, alone, atol=1e-5)  # fast mode = the small model

    (main / "fast.onnx").write_bytes(b"broken")
    with pytest.raises(UserError, match="corrupt or was modified"):
        load_engine(main, device="cpu")


def test_a_blended_fast_network_keeps_its_stacker_and_shares_the_ngram_file(tmp_path):
    main, small = _blended(tmp_path, "main", 0.0), _blended(tmp_path, "small", 1.5)
    manifest = attach_fast(main, small)
    same = manifest["files"]["ngram.npz"]["sha256"] == verify_model_dir(small)["files"]["ngram.npz"]["sha256"]
    assert manifest["fast"]["blend"]["ngram"] == ("ngram.npz" if same else "fast_ngram.npz")
    assert manifest["fast"]["blend"]["stack_weight"] == verify_model_dir(small)["blend"]["stack_weight"]
    fast = load_engine(main, device="cpu", fast=True)
    assert fast.blended
    assert np.allclose(fast.predict(TEXTS).probs, load_engine(small, device="cpu").predict(TEXTS).probs, atol=1e-5)


def test_a_model_without_a_fast_network_runs_unchanged_in_fast_mode(tmp_path):
    model = build_tiny_model(tmp_path / "own")
    fast = load_engine(model, device="cpu", fast=True)
    assert not fast.fast
    assert np.allclose(fast.predict(TEXTS).probs, load_engine(model, device="cpu").predict(TEXTS).probs)


def test_attach_refuses_another_tokenizer(tmp_path):
    main = build_tiny_model(tmp_path / "main")
    other = build_tiny_model(tmp_path / "other", version="other")
    (other / "tokenizer.json").write_text((other / "tokenizer.json").read_text().replace('"<unk>"', '"<UNK>"'))
    doc = json.loads((other / "manifest.json").read_text())
    doc["files"]["tokenizer.json"]["sha256"] = _sha(other / "tokenizer.json")
    (other / "manifest.json").write_text(json.dumps(doc))
    with pytest.raises(UserError, match="another tokenizer"):
        attach_fast(main, other)
