"""The classifier network shared by the default-model build and local retraining (torch).

A BERT encoder, mean pooling over real tokens, dropout and a linear head. The ONNX
export returns both the logits and the pooled embedding (the embedding feeds quick
retraining heads, intent classifiers, topic clustering and active-learning diversity).
Weights are stored as safetensors + a JSON config: never pickle.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

WEIGHTS = "student.safetensors"
CONFIG = "student_config.json"


class Classifier(nn.Module):
    def __init__(self, bert_config, n_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        from transformers import BertModel

        self.bert = BertModel(bert_config, add_pooling_layer=False)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(bert_config.hidden_size, n_labels)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return mean_pool(self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state,
                         attention_mask)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pooled = self.embed(input_ids, attention_mask)
        return self.head(self.dropout(pooled)), pooled

    def forward_tokens(self, input_ids: torch.Tensor,
                       attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits and the last layer's token states (what hidden-state distillation matches)."""
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(self.dropout(mean_pool(hidden, attention_mask))), hidden


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)


def save_classifier(model: Classifier, folder: Path, *, labels: list[str], fp16: bool = True) -> list[Path]:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    dtype = torch.float16 if fp16 else torch.float32
    state = {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(folder / WEIGHTS))
    cfg = {"bert": model.bert.config.to_dict(), "labels": labels, "n_labels": model.head.out_features}
    (folder / CONFIG).write_text(json.dumps(cfg, indent=1, ensure_ascii=False), encoding="utf-8")
    return [folder / WEIGHTS, folder / CONFIG]


def load_classifier(folder: Path, *, n_labels: int | None = None) -> tuple[Classifier, list[str]]:
    """Load trainable weights; with ``n_labels`` different from the saved head, start a fresh head."""
    from safetensors.torch import load_file
    from transformers import BertConfig

    cfg = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
    saved_labels = list(cfg["labels"])
    n = n_labels or len(saved_labels)
    model = Classifier(BertConfig.from_dict(cfg["bert"]), n)
    state = {k: v.float() for k, v in load_file(str(folder / WEIGHTS)).items()}
    if n != len(saved_labels):
        state = {k: v for k, v in state.items() if not k.startswith("head.")}
    model.load_state_dict(state, strict=False)
    return model, saved_labels


class _ExportWrapper(nn.Module):
    def __init__(self, model: Classifier) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        pooled = self.model.embed(input_ids, attention_mask)
        return self.model.head(pooled), pooled


def export_onnx(model: Classifier, path: Path, *, opset: int = 17) -> Path:
    """Export with two outputs (logits, embedding).

    optimum's text-classification export emits logits only, and we need the pooled
    embedding as a second output, so this uses torch.onnx.export (TorchScript path;
    torch 2.13's default dynamo exporter needs onnxscript).
    """
    model = model.eval()
    ids = torch.tensor([[0, 100, 200, 2], [0, 300, 2, 1]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long)
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            _ExportWrapper(model), (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
            output_names=["logits", "embedding"], opset_version=opset, dynamo=False,
            dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                          "logits": {0: "batch"}, "embedding": {0: "batch"}},
        )
    return path


def quantize_int8(fp32_path: Path, int8_path: Path) -> Path:
    """Int8 per-channel dynamic quantization of the plain (unfused) exported graph.

    Per-channel weights: per-tensor int8 flipped far more argmaxes in our measurements
    (see ../shared/TOOLCHAIN.md). No transformer fusion first: quantising ORT's fused
    attention graph cost a 12-layer retrain 11 points of int8-vs-fp32 agreement (0.72
    vs 0.83 unfused), and the unfused graph ran faster on 2 cores for both the 12-layer
    (220 vs 184 texts/s) and the 3-layer network (724-733 vs 638): BENCHMARKS.md.
    """
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger("onnxruntime").setLevel(logging.ERROR)
    quantize_dynamic(str(fp32_path), str(int8_path), per_channel=True, weight_type=QuantType.QInt8)
    return int8_path
