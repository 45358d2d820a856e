"""The model build's refine stage end to end on a tiny slice: real fine-tuning of the bundled
student (torch), ONNX export, int8 quantization, a model folder the engine verifies and loads."""
from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")

from core.model import bundled_model_dir, load_engine  # noqa: E402
from core.modelbuild.data import NEG, NEU, POS, Example  # noqa: E402
from core.modelbuild.refine import refine_examples  # noqa: E402
from tests.fixtures import fruit_rows  # noqa: E402


def test_refine_stage_trains_exports_and_loads(tmp_path):
    rows = fruit_rows()
    shared = [Example(r["review"], POS if r["label"] == "1" else NEG, "online_shopping/水果") for r in rows[:48]]
    hand = [Example(t, NEU, "handwritten/reviews_zh/misc") for t in ("东西收到了，还没用", "给我妈买的", "还没拆封")] * 4
    val = [Example(r["review"], POS if r["label"] == "1" else NEG, "online_shopping/水果") for r in rows[100:140]]
    out = refine_examples(shared + hand, val, work=tmp_path / "work", base=bundled_model_dir(), out=tmp_path / "model",
                          epochs=1, lr=5e-5, seed=3, kl=0.5, threads=2, recipe={"test": True})
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["refine"]["test"] and "blend" not in manifest
    assert manifest["checks"]["fp32_vs_int8_argmax_agreement"] > 0.9
    engine = load_engine(out, device="cpu")
    before = load_engine(bundled_model_dir(), device="cpu", blend=False)
    texts = [r["review"] for r in rows[200:220]]
    assert not np.allclose(engine.predict(texts).probs, before.predict(texts).probs)
