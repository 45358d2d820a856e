"""A tiny but real ReviewLens model folder (ONNX + tokenizer + manifest) for GUI tests and benches.

The real model (models/default) is large and may not be built yet; GUI tests need a model
that ``core.model.load_engine`` loads through the same code path, in milliseconds. This
one is a character-level bag-of-embeddings: a few sentiment characters/words push the
logits, everything else is near-neutral, so results are deterministic and plausible.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

NEG = "差慢坏烂破退假丑漏臭糟失贵少难脏错裂"
POS = "好棒快赞爱美香甜满值喜优惠超"
NEG_EN = ["bad", "slow", "broken", "poor", "terrible", "worst", "return", "crushed", "mismatch", "small", "not"]
POS_EN = ["good", "great", "love", "perfect", "excellent", "nice", "fast", "happy", "soft", "best", "again"]
HIDDEN = 16
LABELS = ["negative", "neutral", "positive"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_tiny_model(out: Path, *, version: str = "tiny-test", task: str = "sentiment", bias: float = 0.0) -> Path:
    """Write a model folder to ``out`` and return it."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # vocab: specials, CJK sentiment characters, English words, then hashed buckets for the rest
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for tok in list(NEG) + list(POS) + NEG_EN + POS_EN:
        vocab.setdefault(tok, len(vocab))
    common = "的了是我不很也都就和还有这个一买质量物流东西衣服客服价格颜色尺码包装发货味道效果quality shipping size price color"
    for tok in list(dict.fromkeys(common.replace(" ", ""))) + common.split():
        vocab.setdefault(tok, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"[\u4e00-\u9fff]"), behavior="isolated"),
        pre_tokenizers.Whitespace(),
    ])
    tok.save(str(out / "tokenizer.json"))

    rng = np.random.default_rng(0)
    table = rng.normal(0, 0.05, (len(vocab), HIDDEN)).astype(np.float32)
    for t in list(NEG) + NEG_EN:
        table[vocab[t], 0] += 3.0
    for t in list(POS) + POS_EN:
        table[vocab[t], 1] += 3.0
    w = np.zeros((HIDDEN, 3), np.float32)
    w[0, 0], w[1, 2] = 6.0, 6.0
    b = np.array([0.0, 0.4 + bias, 0.0], np.float32)

    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["b", "s"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["b", "s"])
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["b", 3])
    emb_out = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["b", HIDDEN])
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["tok"]),
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "ax2"], ["mask3"]),
        helper.make_node("Mul", ["tok", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "ax1"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["maskf", "ax1"], ["count"], keepdims=1),
        helper.make_node("Max", ["count", "one"], ["count1"]),
        helper.make_node("Div", ["summed", "count1"], ["embedding"]),
        helper.make_node("Mul", ["embedding", "scale"], ["scaled"]),
        helper.make_node("MatMul", ["scaled", "w"], ["mm"]),
        helper.make_node("Add", ["mm", "b"], ["logits"]),
    ]
    inits = [numpy_helper.from_array(table, "table"), numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(b, "b"), numpy_helper.from_array(np.array([2], np.int64), "ax2"),
             numpy_helper.from_array(np.array([1], np.int64), "ax1"),
             numpy_helper.from_array(np.array(1.0, np.float32), "one"),
             numpy_helper.from_array(np.array(4.0, np.float32), "scale")]
    graph = helper.make_graph(nodes, "tiny", [ids, mask], [logits, emb_out], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(out / "model.onnx"))
    files = {p: {"sha256": _sha(out / p), "bytes": (out / p).stat().st_size} for p in ("model.onnx", "tokenizer.json")}
    manifest = {"schema_version": 1, "name": "tiny", "version": version, "task": task, "labels": LABELS,
                "max_length": 64, "hidden_size": HIDDEN, "pad_id": 1, "text_prefix": "", "temperature": 1.0,
                "created": "2026-01-01T00:00:00", "files": files}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return out


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(build_tiny_model(Path(sys.argv[1])))
