"""Local retraining from the owner's labels, with honest evaluation (torch imported here only).

Two modes:

* ``quick``: the encoder stays frozen; a new linear head is trained on the current model's
  cached sentence embeddings. Seconds. The model folder reuses the current ONNX graph and
  adds ``head.json`` (weights in JSON, applied to the graph's ``embedding`` output by the
  engine), so nothing is re-exported.
* ``full``: fine-tunes the student from its trainable safetensors weights (top half of the
  layers + head; embeddings frozen), class weights, fixed seeds, early stopping on an
  inner validation split; then ONNX export, int8 per-channel quantization and a check of
  the int8 model against its own fp32 export. Minutes.

Evaluation: a stratified held-out split (cross-validation when labels are few) that the
new model never trains on; the new AND the current model are scored on the same reviews.
The result is a staging folder; activation is the caller's decision (ModelStore.add),
so a cancelled or failed run never changes the active model or the project.
"""
from __future__ import annotations

import json
import math
import random
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from core.model import Engine, load_engine, sha256_file
from core.errors import UserError
from core.training.evaluation import TRAINED_ON_KEY, compare, hash_split, missing_labels, text_key
from core.jobs import CancelToken, Progress, no_progress, wrap_progress

MIN_PER_CLASS = 2
SMALL_DATA = 60  # below this many labels, evaluate by cross-validation


@dataclass
class TrainConfig:
    mode: str = "quick"  # quick | full
    seed: int = 0
    eval_fraction: float = 0.25
    max_epochs: int = 6
    patience: int = 2
    batch_size: int = 16
    lr: float = 5e-5
    head_lr: float = 2e-3
    train_layers: int | None = None  # None: the top half
    max_length: int = 128
    threads: int | None = None


@dataclass
class TrainResult:
    task: str
    mode: str
    labels: list[str]
    metrics_new: dict
    metrics_current: dict | None
    verdict: str
    better: bool
    staging_dir: Path
    n_train: int
    n_eval: int
    seconds: float
    evaluation: str  # "held-out" or "k-fold cross-validation"
    notes: list[str] = field(default_factory=list)
    activatable: bool = True  # False: too few labels of some class (core.training.evaluation.MIN_TO_ACTIVATE)
    missing: dict = field(default_factory=dict)  # class -> labels still needed before activation
    interval: tuple[float, float] | None = None  # 90 % bootstrap interval of macro-F1 new - current
    n_compared: int = 0  # reviews both models were scored on (none the current model trained on)


def metrics(y_true: Sequence[str], y_pred: Sequence[str], labels: list[str]) -> dict:
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    # Macro averages over the classes present in the evaluation set: a class nobody labelled
    # (e.g. neutral in a pos/neg file) would otherwise count as F1 0. Predicting it is still
    # an error, visible in accuracy and in the other classes' recall.
    present = [lab for lab in labels if lab in set(y_true)] or labels
    mp, mr, mf, _ = precision_recall_fscore_support(y_true, y_pred, labels=present, average="macro",
                                                    zero_division=0)
    return {
        "n": len(y_true), "accuracy": float(accuracy_score(y_true, y_pred)), "macro_precision": float(mp),
        "macro_recall": float(mr), "macro_f1": float(mf), "labels": labels,
        "per_class": {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
                      for i, lab in enumerate(labels)},
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def verdict(new: dict, current: dict | None, *, n_eval: int, comparison=None,
            missing: dict | None = None) -> tuple[str, bool]:
    """(verdict text, better). With a ``comparison`` (core.training.evaluation.compare) the call rests
    on its bootstrap interval, else on the point difference; ``missing`` labels block it."""
    caution = " Few reviews were held out, so treat the figures as rough." if n_eval < 50 else ""
    need = ""
    if missing:
        need = (" It cannot be activated yet: label " + ", ".join(f"{n} more '{c}'" for c, n in missing.items())
                + " reviews.")
    if current is None:
        return (f"First model for this task: accuracy {new['accuracy']:.0%}, macro-F1 {new['macro_f1']:.2f} "
                f"on {n_eval} held-out reviews.{caution}{need}", not missing)
    if comparison is not None:
        span = (f"difference {comparison.diff:+.2f}, 90 % interval {comparison.low:+.2f} to {comparison.high:+.2f}, "
                f"on {comparison.n} reviews neither model trained on")
        outcome = comparison.outcome
        if outcome == "better":
            return (f"The new model is better: macro-F1 {new['macro_f1']:.2f} vs {current['macro_f1']:.2f} "
                    f"({span}).{caution}{need}", not missing)
        if outcome == "worse":
            return (f"The new model is worse: macro-F1 {new['macro_f1']:.2f} vs {current['macro_f1']:.2f} ({span}). "
                    f"Keep the current model; check the labels or label more.{caution}{need}", False)
        return (f"Not enough evidence that the new model is better: macro-F1 {new['macro_f1']:.2f} vs "
                f"{current['macro_f1']:.2f} ({span}). Label more reviews, then train again.{caution}{need}", False)
    d = new["macro_f1"] - current["macro_f1"]
    if d > 0.01:
        return (f"The new model is better: macro-F1 {new['macro_f1']:.2f} vs {current['macro_f1']:.2f} "
                f"(accuracy {new['accuracy']:.0%} vs {current['accuracy']:.0%}) on the same {n_eval} reviews "
                f"it never saw in training.{caution}{need}", not missing)
    if d >= -0.01:
        return (f"The new model is about as good as the current one (macro-F1 {new['macro_f1']:.2f} vs "
                f"{current['macro_f1']:.2f} on {n_eval} reviews). Label more reviews to make a clear difference."
                f"{caution}{need}", d > 0 and not missing)
    return (f"The new model is worse: macro-F1 {new['macro_f1']:.2f} vs {current['macro_f1']:.2f} on the same "
            f"{n_eval} reviews. Keep the current model; check the labels or label more.{caution}{need}", False)


def strata_of(y, label_names: Sequence[str], multi_label: bool) -> str:
    """A row's stratum for splitting: its label, or for multi-label rows its first label ("(none)" when it has none)."""
    if not multi_label:
        return label_names[int(y)]
    on = [label_names[j] for j, v in enumerate(y) if v]
    return on[0] if on else "(none)"


def stratified_split(labels: Sequence[str], fraction: float, seed: int) -> tuple[list[int], list[int]]:
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


def _check_labels(labels: Sequence[str], label_names: list[str]) -> None:
    unknown = sorted({lab for lab in labels if lab not in label_names})
    if unknown:
        raise UserError(f"Labels {unknown} are not among this task's labels {label_names}: fix them or add the labels.")
    counts = {lab: sum(1 for x in labels if x == lab) for lab in label_names}
    present = [lab for lab, c in counts.items() if c > 0]
    if len(present) < 2:
        raise UserError(f"Training needs labels of at least two classes; got {counts}: label more reviews.")
    thin = [lab for lab in present if counts[lab] < MIN_PER_CLASS]
    if thin:
        raise UserError(f"Classes {thin} have fewer than {MIN_PER_CLASS} labels ({counts}): label more of them.")


def _current_predictions(engine: Engine, texts: list[str], label_names: list[str], cancel) -> list[str] | None:
    """The current model's answers in the task's label space, or None when it has no such head."""
    if set(label_names) - set(engine.labels):
        return None
    preds = engine.predict(texts, cancel=cancel)
    allowed = [engine.labels.index(lab) for lab in label_names]
    probs = preds.probs[:, allowed]  # restrict to the task's labels (e.g. a 2-way task on a 3-way model)
    return [label_names[i] for i in probs.argmax(1)]


def _current_engine(base: Engine, task: str, store, cfg: TrainConfig) -> Engine:
    """The model the new one is compared with: the project's active model of ``task`` when
    it has one (a custom task's previous version), else the base model."""
    if task == "sentiment" or store is None:
        return base
    path = store.active_dir(task)
    if path is None:
        return base
    try:
        return load_engine(path, device="cpu", threads=cfg.threads)
    except UserError:
        return base


# ----------------------------------------------------------------------------- quick mode
def _fit_head(x: np.ndarray, y: np.ndarray, n_classes: int, seed: int, *,
              base_columns: Sequence[int | None] | None = None, info: dict | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """The quick head (core.training.heads): regularised towards the base model's own decision for the
    classes it already knows, strength chosen by cross-validation on the labels."""
    from core.training.heads import fit_quick_head

    return fit_quick_head(x, y, n_classes, seed=seed, base_columns=base_columns, info=info)


def _base_columns(engine: Engine, label_names: Sequence[str]) -> list[int | None]:
    """For each task label, the feature column of the base model's logit with that name."""
    hidden = int(engine.manifest.get("hidden_size", 384))
    return [hidden + engine.labels.index(lab) if lab in engine.labels else None for lab in label_names]


def _head_predict(W: np.ndarray, b: np.ndarray, feats: np.ndarray) -> np.ndarray:
    return feats @ W.T + b


def base_features(engine: Engine, texts: Sequence[str], *, progress: Progress | None = None,
                  cancel: CancelToken | None = None) -> np.ndarray:
    """Features for a quick head (see engine.head_features), from the model's raw outputs."""
    from core.model import head_features

    saved_head, engine._head = engine._head, None  # features come from the base graph, not a head on top
    try:
        parts = list(engine.iter_predict(texts, with_embeddings=True, progress=progress, cancel=cancel,
                                         total=len(texts), raw_logits=True))
    finally:
        engine._head = saved_head
    if not parts:
        return np.zeros((0, int(engine.manifest.get("hidden_size", 384)) + len(engine.labels)), np.float32)
    return head_features(np.concatenate([p.embeddings for p in parts]), np.concatenate([p.probs for p in parts]))


def _train_quick(engine: Engine, texts, y_idx, train_idx, held_idx, label_names, cfg, progress, cancel, staging):
    emb = base_features(engine, texts, progress=wrap_progress(progress, 0.0, 0.7), cancel=cancel)
    cancel.check()
    y = np.array(y_idx)
    cols = _base_columns(engine, label_names)
    info: dict = {}
    if held_idx:
        W, b = _fit_head(emb[train_idx], y[train_idx], len(label_names), cfg.seed, base_columns=cols, info=info)
        held_pred = _head_predict(W, b, emb[held_idx]).argmax(1)
        eval_pairs = [(held_idx, held_pred)]
    else:  # cross-validation on few labels
        from sklearn.model_selection import StratifiedKFold

        k = max(2, min(5, int(np.bincount(y).min()) if len(np.bincount(y)) else 2))
        eval_pairs = []
        for tr, te in StratifiedKFold(n_splits=k, shuffle=True, random_state=cfg.seed).split(emb, y):
            W, b = _fit_head(emb[tr], y[tr], len(label_names), cfg.seed, base_columns=cols)
            eval_pairs.append((list(te), _head_predict(W, b, emb[te]).argmax(1)))
    progress(0.85, "fitting the final head")
    if not held_idx:
        W, b = _fit_head(emb, y, len(label_names), cfg.seed, base_columns=cols, info=info)
    write_quick_head(engine, staging, label_names, W, b)
    return eval_pairs, {"head": "head.json", "head_fit": info}


def write_quick_head(engine: Engine, staging: Path, label_names: list[str], W: np.ndarray, b: np.ndarray) -> None:
    """Copy the current graph + tokenizer; the new head lives in head.json (see engine)."""
    for name in ("model.onnx", "tokenizer.json"):
        shutil.copy2(engine.model_dir / name, staging / name)
    head = {"schema_version": 1, "labels": label_names, "inputs": "l2(embedding) + base logits",
            "weight": np.asarray(W).tolist(), "bias": np.asarray(b).tolist()}
    (staging / "head.json").write_text(json.dumps(head), encoding="utf-8")
    for name in ("student.safetensors", "student_config.json"):
        if (engine.model_dir / name).exists():
            shutil.copy2(engine.model_dir / name, staging / name)


# ----------------------------------------------------------------------------- full mode
def _train_full(engine: Engine, texts, y_idx, train_idx, held_idx, label_names, cfg, progress, cancel, staging,
                multi_label: bool = False):
    """Fine-tune the student. ``multi_label``: ``y_idx`` rows are 0/1 vectors; sigmoid/BCE with
    per-label positive weights, early stopping on macro-F1, per-label thresholds tuned on the
    inner validation split (stored as ``thresholds``)."""
    import torch
    import torch.nn.functional as F

    from core.modelbuild.build import collate, encode, length_batches
    from core.modelbuild.net import export_onnx, load_classifier, quantize_int8, save_classifier

    base = engine.model_dir
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
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base / "tokenizer.json"))
    base_max = json.loads((base / "manifest.json").read_text(encoding="utf-8")).get("max_length")
    ids = encode(tok, list(texts), int(base_max or cfg.max_length))  # the length the model runs at
    y = torch.tensor(np.asarray(y_idx), dtype=torch.float32 if multi_label else torch.long)
    pool = list(train_idx) if held_idx else list(range(len(texts)))
    strata = [strata_of(y_idx[i], label_names, multi_label) for i in pool]
    inner_tr, inner_val = stratified_split(strata, 0.15, cfg.seed + 1)
    inner_tr = [pool[i] for i in inner_tr]
    inner_val = [pool[i] for i in inner_val]
    if multi_label:
        pos = np.asarray([y_idx[i] for i in inner_tr], float).sum(0)
        weight = torch.tensor(np.clip((len(inner_tr) - pos) / np.maximum(pos, 1), 1.0, 10.0), dtype=torch.float32)
    else:
        counts = np.bincount([y_idx[i] for i in inner_tr], minlength=len(label_names)).astype(float)
        weight = torch.tensor(np.clip(counts.sum() / (len(label_names) * np.maximum(counts, 1)), 0.3, 5.0),
                              dtype=torch.float32)
    params = [{"params": [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")],
               "lr": cfg.lr},
              {"params": list(model.head.parameters()), "lr": cfg.head_lr}]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    rng = random.Random(cfg.seed)
    steps_per_epoch = max(1, math.ceil(len(inner_tr) / cfg.batch_size))
    total = steps_per_epoch * cfg.max_epochs
    best_state, best_f1, bad, step, best_val_logits = None, -1.0, 0, 0, None
    t0 = time.time()
    for epoch in range(cfg.max_epochs):
        model.train()
        lengths = [len(ids[i]) for i in inner_tr]
        for batch in length_batches(lengths, cfg.batch_size, rng):
            cancel.check()
            rows = [inner_tr[i] for i in batch]
            x, m = collate(ids, rows)
            out = model(x, m)[0]
            loss = F.binary_cross_entropy_with_logits(out, y[rows], pos_weight=weight) if multi_label \
                else F.cross_entropy(out, y[rows], weight=weight)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            eta = (time.time() - t0) / step * (total - step)
            progress(0.1 + 0.65 * step / total, f"epoch {epoch + 1}, step {step}/{total}, about {eta:.0f} s left")
        model.eval()
        with torch.no_grad():
            val_logits = []
            for s in range(0, len(inner_val), 64):
                x, m = collate(ids, inner_val[s:s + 64])
                val_logits.append(model(x, m)[0].numpy())
        val_logits = np.concatenate(val_logits) if val_logits else np.zeros((0, len(label_names)))
        if multi_label:
            from core.training.multilabel import multilabel_metrics

            val = multilabel_metrics(np.asarray([y_idx[i] for i in inner_val]), val_logits > 0, label_names)
        else:
            val = metrics([label_names[y_idx[i]] for i in inner_val], [label_names[p] for p in val_logits.argmax(1)],
                          label_names)
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
    cancel.check()
    progress(0.78, "exporting to ONNX and quantizing")
    work = Path(tempfile.mkdtemp(prefix="export-", dir=staging.parent))
    try:
        fp32 = export_onnx(model, work / "model.fp32.onnx")
        quantize_int8(fp32, staging / "model.onnx", num_heads=model.bert.config.num_attention_heads,
                      hidden_size=model.bert.config.hidden_size)
        agreement = _int8_agreement(fp32, staging / "model.onnx", ids, held_idx or inner_val, multi_label)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    shutil.copy2(base / "tokenizer.json", staging / "tokenizer.json")
    save_classifier(model, staging, labels=label_names, fp16=True)
    cancel.check()
    extra: dict = {"int8_vs_fp32_agreement": agreement, "best_inner_val_macro_f1": best_f1,
                   "trained_layers": trainable}
    if multi_label:
        from core.training.multilabel import tune_thresholds

        extra["multi_label"] = True
        extra["thresholds"] = tune_thresholds(np.asarray([y_idx[i] for i in inner_val]),
                                              1 / (1 + np.exp(-best_val_logits))).tolist()
    engine_new = load_engine(staging_manifest(staging, engine, label_names, extra=extra), device="cpu",
                             threads=cfg.threads)
    eval_idx = held_idx
    pairs = []
    if eval_idx:
        raw = np.concatenate([p.probs for p in engine_new.iter_predict([texts[i] for i in eval_idx], cancel=cancel,
                                                                       raw_logits=True)])
        if multi_label:
            pairs = [(eval_idx, 1 / (1 + np.exp(-raw)) >= np.asarray(extra["thresholds"]))]
        else:
            pairs = [(eval_idx, raw.argmax(1))]
    return pairs, extra


def _int8_agreement(fp32: Path, int8: Path, ids: list[list[int]], rows: list[int], multi_label: bool = False) -> float:
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
        la, lb = a.run(["logits"], feeds)[0], b.run(["logits"], feeds)[0]
        agree += int(((la > 0) == (lb > 0)).all(1).sum()) if multi_label else int((la.argmax(1) == lb.argmax(1)).sum())
    return agree / len(rows)


def should_activate(result: TrainResult, *, force: bool = False, no_activate: bool = False) -> bool:
    """A new version becomes its task's active version (the store keeps one per task) only when
    it beat the current model on the held-out reviews (or is the task's first model), unless
    the owner insists; never while some labelled class has too few labels (``missing``)."""
    if no_activate or not result.activatable:
        return False
    return result.better or force


def staging_manifest(staging: Path, base: Engine, label_names: list[str], *, extra: dict, task: str = "sentiment",
                     metrics_doc: dict | None = None) -> Path:
    """Write manifest.json (sha256 of every file) into ``staging`` and return the folder."""
    files = {p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size}
             for p in sorted(staging.iterdir()) if p.is_file() and p.name != "manifest.json"}
    manifest = {
        "schema_version": 1, "name": f"reviewlens-{task}", "version": time.strftime(f"{task}-%Y%m%d-%H%M%S"),
        "task": task, "labels": label_names, "max_length": base.manifest.get("max_length", 128),
        "hidden_size": base.manifest.get("hidden_size", 384), "pad_id": base.manifest.get("pad_id", 1),
        "text_prefix": base.manifest.get("text_prefix", ""), "temperature": 1.0,
        "base_model": {"version": base.version, **(base.manifest.get("base_model") or {})},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"), "files": files, **extra,
    }
    if metrics_doc:
        manifest["metrics"] = metrics_doc
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return staging


def require_torch() -> None:
    """Full retraining needs PyTorch; the desktop build leaves it out (inference never uses it)."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        raise UserError("Full retraining needs PyTorch, which this ReviewLens build does not include: use quick "
                        "mode (--mode quick), or run full retraining from the developer install or a "
                        "'training' build (see docs/BUILD.md).")


def start_training(mode: str, config: TrainConfig | None, seed: int, progress: Progress | None,
                   cancel: CancelToken | None) -> tuple[TrainConfig, Progress, CancelToken]:
    """What every training entry checks and sets up first: the mode (full needs torch), the
    config for it, and working progress/cancel objects."""
    if mode not in ("quick", "full"):
        raise UserError(f"Unknown training mode '{mode}': use quick or full.")
    if mode == "full":
        require_torch()
    cfg = config or TrainConfig(mode=mode, seed=seed)
    cfg.mode = mode
    return cfg, progress or no_progress, cancel or CancelToken()


def new_staging_dir(task: str, staging_root: Path | None) -> Path:
    """A fresh folder for a candidate model version (under the system temp dir by default)."""
    root = Path(staging_root) if staging_root else Path(tempfile.gettempdir()) / "reviewlens-staging"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{task}-", dir=root))


def train_model(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    task: str,
    label_names: list[str],
    mode: str = "quick",
    base_dir: Path | None = None,
    staging_root: Path | None = None,
    config: TrainConfig | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    seed: int = 0,
    store=None,
) -> TrainResult:
    """Train a new model version for ``task`` from labelled texts; nothing is activated here.
    The base (and compared) model is ``base_dir``: the caller passes the project's active one."""
    cfg, progress, cancel = start_training(mode, config, seed, progress, cancel)
    texts = [str(t) for t in texts]
    labels = [str(x) for x in labels]
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    _check_labels(labels, label_names)
    t0 = time.time()
    engine = load_engine(base_dir, device="cpu", threads=cfg.threads)
    y_idx = [label_names.index(x) for x in labels]
    few = len(texts) < SMALL_DATA
    train_idx, held_idx = (list(range(len(texts))), []) if (few and mode == "quick") else \
        hash_split(texts, labels, cfg.eval_fraction)
    if mode == "full" and not held_idx:
        raise UserError("Full training needs held-out reviews: label at least a few per class.")
    missing = missing_labels(labels, label_names)
    staging = new_staging_dir(task, staging_root)
    try:
        progress(0.0, "scoring the current model on the held-out reviews")
        eval_rows = held_idx or list(range(len(texts)))
        current = _current_engine(engine, task, store, cfg)
        current_pred = _current_predictions(current, [texts[i] for i in eval_rows], label_names, cancel)
        runner = _train_quick if mode == "quick" else _train_full
        pairs, extra = runner(engine, texts, y_idx, train_idx, held_idx, label_names, cfg,
                              wrap_progress(progress, 0.05, 0.95), cancel, staging)
        order = [i for idx, _ in pairs for i in idx]
        pred = [label_names[int(p)] for _, ps in pairs for p in ps]
        new_map = dict(zip(order, pred))
        # Both models are compared only on reviews the current model never trained on.
        seen = set(current.manifest.get(TRAINED_ON_KEY) or ())
        fair = [i for i in order if text_key(texts[i]) not in seen]
        m_new = metrics([labels[i] for i in fair], [new_map[i] for i in fair], label_names) if fair else \
            metrics([labels[i] for i in order], pred, label_names)
        m_cur, comparison = None, None
        if current_pred is not None and fair:
            cur_map = dict(zip(eval_rows, current_pred))
            m_cur = metrics([labels[i] for i in fair], [cur_map[i] for i in fair], label_names)
            comparison = compare([labels[i] for i in fair], [new_map[i] for i in fair], [cur_map[i] for i in fair],
                                 seed=cfg.seed)
        elif current_pred is not None:
            comparison = compare([], [], [])
            m_cur = {"n": 0, "accuracy": 0.0, "macro_f1": 0.0}
        text, better = verdict(m_new, m_cur, n_eval=len(fair or order), comparison=comparison, missing=missing)
        evaluation = "held-out" if held_idx else "k-fold cross-validation"
        notes = []
        if len(fair) < len(order):
            notes.append(f"{len(order) - len(fair)} held-out reviews were left out of the comparison: the current "
                         "model trained on them.")
        doc = {"new": m_new, "current": m_cur, "evaluation": evaluation, "n_train": len(train_idx),
               "mode": mode, "n_compared": len(fair),
               "interval": [comparison.low, comparison.high] if comparison else None,
               **{k: v for k, v in extra.items() if k != "head"}}
        trained_on = sorted({text_key(texts[i]) for i in train_idx})
        staging_manifest(staging, engine, label_names, task=task, metrics_doc=doc,
                         extra={**({"head": extra["head"]} if "head" in extra else {}), TRAINED_ON_KEY: trained_on})
        progress(1.0, "done")
        return TrainResult(task=task, mode=mode, labels=label_names, metrics_new=m_new, metrics_current=m_cur,
                           verdict=text, better=better, staging_dir=staging, n_train=len(train_idx),
                           n_eval=len(fair or order), seconds=time.time() - t0, evaluation=evaluation, notes=notes,
                           activatable=not missing, missing=missing,
                           interval=(comparison.low, comparison.high) if comparison and comparison.n else None,
                           n_compared=len(fair))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
