"""core.analysis.prebuild: the start-up caches (jieba dictionary, seed intent head) and their prebuild."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.analysis import load_intent_classifier
from core.analysis.prebuild import prebuild
from core.model import load_engine
from core.text import jieba_cache_name, jieba_tokenizer
from tests.gui.tiny_model import build_tiny_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("model") / "tiny")


def test_jieba_cache_goes_to_the_user_data_dir_and_is_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    tok = jieba_tokenizer()
    assert Path(tok.tmp_dir) == tmp_path / "home" / "cache"
    cache = tmp_path / "home" / "cache" / jieba_cache_name()
    assert not cache.exists()
    assert tok.lcut("快递很快") == ["快递", "很快"]
    assert cache.stat().st_size > 1_000_000  # built once, kept (not in the temp folder)
    stamp = cache.stat().st_mtime_ns
    again = jieba_tokenizer()
    assert again.lcut("物流太慢了") and cache.stat().st_mtime_ns == stamp  # loaded, not rebuilt


def test_prebuild_writes_caches_that_the_app_would_load(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    out = tmp_path / "cache"
    # as build.spec runs it: a separate process
    done = subprocess.run([sys.executable, "-m", "core.analysis.prebuild", str(out), "--model", str(tiny)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    names = sorted(p.name for p in out.iterdir())
    heads = [n for n in names if n.startswith("intent_head_")]
    assert jieba_cache_name() in names and len(heads) == 1
    engine = load_engine(tiny, device="cpu")
    # the prebuilt head is exactly what the app computes for this model and these seeds
    fresh = load_intent_classifier(engine, cache_dir=tmp_path / "fresh", use_shipped=False).head
    shipped = json.loads((out / heads[0]).read_text(encoding="utf-8"))
    assert (tmp_path / "fresh" / heads[0]).is_file()
    assert np.allclose(np.asarray(shipped["coef"], np.float32), fresh.coef, atol=1e-5)
    assert shipped["thresholds"] == fresh.thresholds.tolist()
    assert [p.name for p in prebuild(out)] == names  # again without a model: jieba rebuilt, head kept
