"""Full training: fine-tune the student from its trainable safetensors weights (the top half
of the layers + the head; embeddings frozen), with class weights, fixed seeds and early
stopping on an inner validation split; then ONNX export, int8 per-channel quantization and
a check of the int8 model against its own fp32 export. Minutes. torch (and the model
build's helpers) are imported here only, inside the functions: the app's inference path
and quick training never load them.
"""
from __future__ import annotations

import json
import math
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import UserError
from core.jobs import CancelToken, Progress
from core.model import Engine, load_engine
from core.training.config import TrainConfig
from core.training.schemes import LabelScheme
from core.training.staging import staging_manifest

Answers = list[tuple[list[int], np.ndarray]]  # (review indices, the new model's answers for them)


def train_full(engine: Engine, texts: list[str], y: np.ndarray, train_idx: list[int], held_idx: list[int],
               label_names: list[str], *, scheme: LabelScheme, cfg: TrainConfig, progress: Progress,
               cancel: CancelToken, staging: Path) -> tuple[Answers, dict]:
    """Fine-tune, export and quantize into ``staging``; (answers on the held-out reviews, manifest extras)."""
    model, trainable = _load_student(engine.model_dir, label_names, cfg)
    ids = _encode(engine.model_dir, texts, cfg)
    inner_tr, inner_val = _inner_split(y, train_idx, held_idx, label_names, scheme, cfg.seed)
    best_f1, best_val_logits = _fine_tune(model, ids, y, inner_tr, inner_val, label_names, scheme=scheme, cfg=cfg,
                                          progress=progress, cancel=cancel)
    cancel.check()
    progress(0.78, "exporting to ONNX and quantizing")
    agreement = _export(model, engine.model_dir, staging, ids, held_idx or inner_val, label_names, scheme)
    cancel.check()
    extra: dict = {"int8_vs_fp32_agreement": agreement, "best_inner_val_macro_f1": best_f1,
                   "trained_layers": trainable, **scheme.tune(y[inner_val], best_val_logits)}
    new = load_engine(staging_manifest(staging, engine, label_names, extra=extra), device="cpu", threads=cfg.threads)
    answers: Answers = []
    if held_idx:
        raw = np.concatenate([p.probs for p in new.iter_predict([texts[i] for i in held_idx], cancel=cancel,
                                                                raw_logits=True)])
        thresholds = np.asarray(extra["thresholds"]) if "thresholds" in extra else None
        answers = [(held_idx, scheme.decide(raw, thresholds))]
    return answers, extra


def _load_student(base: Path, label_names: list[str], cfg: TrainConfig) -> tuple[Any, int]:
    """The base model's trainable student, its head fresh when the task's labels differ, and
    only its top ``cfg.train_layers`` layers (default: half) and head left trainable."""
    import torch

    from core.modelbuild.net import load_classifier

    if not (base / "student.safetensors").exists():
        raise UserError(f"Model {base} has no trainable weights (student.safetensors): use quick mode.")
    torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    model, base_labels = load_classifier(base, n_labels=len(label_names))
    if base_labels != label_names:
        torch.nn.init.normal_(model.head.weight, std=0.02)
        torch.nn.init.zeros_(model.head.bias)
    n_layers = model.bert.config.num_hidden_layers
    trainable = cfg.train_layers or max(1, n_layers // 2)
    for name, p in model.named_parameters():
        p.requires_grad = name.startswith("head.") or any(
            name.startswith(f"bert.encoder.layer.{i}.") for i in range(n_layers - trainable, n_layers))
    return model, trainable


def _encode(base: Path, texts: list[str], cfg: TrainConfig) -> list[list[int]]:
    """Token ids at the length the model runs at (its manifest's max_length)."""
    from tokenizers import Tokenizer

    from core.modelbuild.build import encode

    tok = Tokenizer.from_file(str(base / "tokenizer.json"))
    base_max = json.loads((base / "manifest.json").read_text(encoding="utf-8")).get("max_length")
    return encode(tok, list(texts), int(base_max or cfg.max_length))


def stratified_split(labels: list[str], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    by: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        by.setdefault(lab, []).append(i)
    train, held = [], []
    for idx in by.values():
        rng.shuffle(idx)
        k = max(1, int(round(len(idx) * fraction))) if len(idx) >= 2 else 0
        held += idx[:k]
        train += idx[k:]
    return sorted(train), sorted(held)


def _inner_split(y: np.ndarray, train_idx: list[int], held_idx: list[int], label_names: list[str],
                 scheme: LabelScheme, seed: int) -> tuple[list[int], list[int]]:
    """Early stopping (and multi-label thresholds) use 15 % of the training reviews."""
    pool = list(train_idx) if held_idx else list(range(len(y)))
    inner_tr, inner_val = stratified_split(scheme.strata(y[pool], label_names), 0.15, seed + 1)
    return [pool[i] for i in inner_tr], [pool[i] for i in inner_val]


def _fine_tune(model, ids: list[list[int]], y: np.ndarray, inner_tr: list[int], inner_val: list[int],
               label_names: list[str], *, scheme: LabelScheme, cfg: TrainConfig, progress: Progress,
               cancel: CancelToken) -> tuple[float, np.ndarray | None]:
    """Epochs until the validation macro-F1 stops improving; the best weights are restored.
    Returns (best validation macro-F1, its validation logits)."""
    import torch

    targets = torch.tensor(y, dtype=torch.float32 if scheme.multi_label else torch.long)
    weights = torch.tensor(scheme.class_weights(y[inner_tr], len(label_names)), dtype=torch.float32)
    params = [{"params": [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")],
               "lr": cfg.lr},
              {"params": list(model.head.parameters()), "lr": cfg.head_lr}]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    steps = _Steps(max(1, math.ceil(len(inner_tr) / cfg.batch_size)) * cfg.max_epochs, progress)
    rng = random.Random(cfg.seed)
    best_state, best_f1, bad, best_val_logits = None, -1.0, 0, None
    for epoch in range(cfg.max_epochs):
        _train_epoch(model, opt, ids, targets, weights, inner_tr, scheme=scheme, cfg=cfg, rng=rng,
                     steps=steps, epoch=epoch, cancel=cancel)
        val_logits = _logits(model, ids, inner_val, len(label_names))
        val = scheme.metrics(y[inner_val], scheme.decide(val_logits, None), label_names)
        if val["macro_f1"] > best_f1 + 1e-4:
            best_f1, bad, best_val_logits = val["macro_f1"], 0, val_logits
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            if bad >= cfg.patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return best_f1, best_val_logits


class _Steps:
    """Counts optimiser steps and reports them with the time left (training: 10-75 % of the job)."""

    def __init__(self, total: int, progress: Progress) -> None:
        self.total, self.done, self.progress, self.t0 = total, 0, progress, time.time()

    def step(self, epoch: int) -> None:
        self.done += 1
        eta = (time.time() - self.t0) / self.done * (self.total - self.done)
        self.progress(0.1 + 0.65 * self.done / self.total,
                      f"epoch {epoch + 1}, step {self.done}/{self.total}, about {eta:.0f} s left")


def _train_epoch(model, opt, ids: list[list[int]], targets, weights, inner_tr: list[int], *, scheme: LabelScheme,
                 cfg: TrainConfig, rng: random.Random, steps: _Steps, epoch: int, cancel: CancelToken) -> None:
    import torch

    from core.modelbuild.build import collate, length_batches

    model.train()
    lengths = [len(ids[i]) for i in inner_tr]
    for batch in length_batches(lengths, cfg.batch_size, rng):
        cancel.check()
        rows = [inner_tr[i] for i in batch]
        x, m = collate(ids, rows)
        loss = scheme.loss(model(x, m)[0], targets[rows], weights)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        steps.step(epoch)


def _logits(model, ids: list[list[int]], rows: list[int], n_labels: int) -> np.ndarray:
    import torch

    from core.modelbuild.build import collate

    model.eval()
    with torch.no_grad():
        out = []
        for s in range(0, len(rows), 64):
            x, m = collate(ids, rows[s:s + 64])
            out.append(model(x, m)[0].numpy())
    return np.concatenate(out) if out else np.zeros((0, n_labels))


def _export(model, base: Path, staging: Path, ids: list[list[int]], check_rows: list[int], label_names: list[str],
            scheme: LabelScheme) -> float:
    """model.onnx (int8), tokenizer.json and the trainable weights into ``staging``; returns
    the share of ``check_rows`` where the int8 model answers as its fp32 export does."""
    from core.modelbuild.net import export_onnx, quantize_int8, save_classifier

    work = Path(tempfile.mkdtemp(prefix="export-", dir=staging.parent))
    try:
        fp32 = export_onnx(model, work / "model.fp32.onnx")
        quantize_int8(fp32, staging / "model.onnx")
        agreement = _int8_agreement(fp32, staging / "model.onnx", ids, check_rows, scheme)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    shutil.copy2(base / "tokenizer.json", staging / "tokenizer.json")
    save_classifier(model, staging, labels=label_names, fp16=True)
    return agreement


def _int8_agreement(fp32: Path, int8: Path, ids: list[list[int]], rows: list[int], scheme: LabelScheme) -> float:
    import onnxruntime as ort

    from core.modelbuild.build import collate

    if not rows:
        return 1.0
    a = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
    b = ort.InferenceSession(str(int8), providers=["CPUExecutionProvider"])
    agree = 0
    for s in range(0, len(rows), 64):
        x, m = collate(ids, rows[s:s + 64])
        feeds = {"input_ids": x.numpy(), "attention_mask": m.numpy()}
        same = scheme.decide(a.run(["logits"], feeds)[0], None) == scheme.decide(b.run(["logits"], feeds)[0], None)
        agree += int((same.all(1) if same.ndim > 1 else same).sum())
    return agree / len(rows)
