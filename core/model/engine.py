"""ONNX Runtime inference engine for ReviewLens models (no torch on this path).

A model folder holds ``model.onnx``, ``tokenizer.json`` and ``manifest.json``. The
manifest lists each artifact's sha256; they are verified at load (``core.model.manifest``)
so a corrupt or tampered model is refused with a one-line ``UserError`` naming the file.

The ONNX graph takes ``input_ids`` and ``attention_mask`` (int64, [batch, seq]) and
returns ``logits`` ([batch, n_labels]) and ``embedding`` ([batch, hidden], mean-pooled,
not normalised). Results always come back in input order, whatever the batching.

Threading: an Engine is not shared between threads; create one per worker thread.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from core.errors import UserError
from core.jobs import CancelToken, Progress
from core.model.manifest import bundled_model_dir, read_manifest, verify_model_dir

DEVICES = ("auto", "cpu", "cuda")


@dataclass
class Predictions:
    """Model outputs for a batch of texts, in input order."""

    labels: tuple[str, ...]
    probs: np.ndarray  # [n, n_labels] float32, calibrated
    embeddings: np.ndarray | None = None  # [n, hidden] float32 when requested

    def __len__(self) -> int:
        return int(self.probs.shape[0])

    @property
    def predicted(self) -> list[str]:
        return [self.labels[i] for i in self.probs.argmax(axis=1)] if len(self) else []

    @property
    def confidence(self) -> np.ndarray:
        return self.probs.max(axis=1) if len(self) else np.zeros(0, dtype=np.float32)


def _softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits.astype(np.float64) / max(temperature, 1e-6)
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def _choose_providers(device: str) -> list[str]:
    import onnxruntime as ort

    if device not in DEVICES:
        raise UserError(f"Unknown device '{device}': use one of {', '.join(DEVICES)}.")
    available = ort.get_available_providers()
    has_cuda = "CUDAExecutionProvider" in available and _cuda_runtime_present()
    if device == "cuda":
        if not has_cuda:
            raise UserError(
                "Device 'cuda' was requested but no usable NVIDIA GPU / CUDA runtime was found: use --device cpu or auto."
            )
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if device == "auto" and has_cuda:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


def _cuda_runtime_present() -> bool:
    """onnxruntime-gpu lists CUDA even without a driver; look for the driver library first."""
    import ctypes

    for name in ("libcuda.so.1", "libcuda.so", "nvcuda.dll"):
        try:
            ctypes.CDLL(name)
            return True
        except OSError:
            continue
    return False


@dataclass
class EngineConfig:
    device: str = "auto"
    threads: int | None = None  # None: ONNX Runtime picks (all physical cores)
    batch_size: int = 32  # 32 beat 64 and 128 for the 3-layer model on 2 AVX2 cores (BENCHMARKS.md)
    max_length: int | None = None  # None: the manifest's value
    chunk_size: int = 2048  # texts sorted and batched together; bounds memory when streaming


@dataclass
class Engine:
    """A loaded model: tokenizer + ONNX Runtime session + manifest."""

    model_dir: Path
    manifest: dict
    session: object
    tokenizer: object
    config: EngineConfig
    provider: str = "CPUExecutionProvider"
    _has_embedding: bool = field(default=False, repr=False)
    # Quick-retrained models: a linear head over the graph's embedding output (head.json).
    _head: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    # The default model's second voice (manifest "blend"): a character n-gram model and the
    # stacker that combines both; None for retrained models and with blend=False.
    _blend: tuple[Any, np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def blended(self) -> bool:
        return self._blend is not None

    @property
    def fast(self) -> bool:
        """Whether this engine runs the model's fast network (``load_engine(fast=True)``)."""
        return bool(self.manifest.get("fast_network"))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.manifest["labels"])

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", "unknown"))

    @property
    def max_length(self) -> int:
        return int(self.config.max_length or self.manifest.get("max_length", 128))

    @property
    def device_name(self) -> str:
        return "cuda" if self.provider.startswith("CUDA") else "cpu"

    # -- inference ---------------------------------------------------------
    def predict(
        self,
        texts: Sequence[str],
        *,
        with_embeddings: bool = False,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> Predictions:
        """Classify ``texts``; results in input order. Empty strings are allowed (scored as-is)."""
        parts = list(self.iter_predict(texts, with_embeddings=with_embeddings, progress=progress,
                                       cancel=cancel, total=len(texts)))
        if not parts:
            hidden = int(self.manifest.get("hidden_size", 384))
            return Predictions(self.labels, np.zeros((0, len(self.labels)), np.float32),
                               np.zeros((0, hidden), np.float32) if with_embeddings else None)
        probs = np.concatenate([p.probs for p in parts])
        emb = np.concatenate([p.embeddings for p in parts]) if with_embeddings else None
        return Predictions(self.labels, probs, emb)

    def iter_predict(
        self,
        texts: Iterable[str],
        *,
        with_embeddings: bool = False,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
        total: int | None = None,
        raw_logits: bool = False,
    ) -> Iterator[Predictions]:
        """Stream predictions chunk by chunk (input order kept), so 100k+ texts use bounded memory.

        ``raw_logits``: ``probs`` holds the graph's uncalibrated logits (features for retraining)."""
        done = 0
        chunk: list[str] = []
        for text in texts:
            chunk.append(text)
            if len(chunk) >= self.config.chunk_size:
                yield self._predict_chunk(chunk, with_embeddings, cancel, raw_logits)
                done += len(chunk)
                chunk = []
                if progress and total:
                    progress(done / total, f"{done:,} / {total:,} reviews")
        if chunk:
            yield self._predict_chunk(chunk, with_embeddings, cancel, raw_logits)
            done += len(chunk)
            if progress:
                progress(1.0 if not total else done / total, f"{done:,} reviews")

    def _predict_chunk(self, texts: list[str], with_embeddings: bool, cancel: CancelToken | None,
                       raw_logits: bool = False) -> Predictions:
        prefix = self.manifest.get("text_prefix", "")
        encodings = [fit_length(e.ids, self.max_length)
                     for e in self.tokenizer.encode_batch([prefix + clip_chars(t or "") for t in texts])]
        lengths = np.fromiter((len(e) for e in encodings), dtype=np.int64, count=len(encodings))
        order = np.argsort(lengths, kind="stable")  # length-sorted batches: little padding
        n_labels = len(self.labels)
        probs = np.empty((len(texts), n_labels), np.float32)
        hidden = int(self.manifest.get("hidden_size", 384))
        emb = np.empty((len(texts), hidden), np.float32) if with_embeddings else None
        temperature = float(self.manifest.get("temperature", 1.0))
        need_emb = with_embeddings or self._head is not None
        outputs = ["logits", "embedding"] if (need_emb and self._has_embedding) else ["logits"]
        bs = self.config.batch_size
        for start in range(0, len(order), bs):
            if cancel is not None:
                cancel.check()
            idx = order[start:start + bs]
            width = int(lengths[idx].max())
            ids = np.zeros((len(idx), width), np.int64)  # pad id 1 set below
            ids.fill(int(self.manifest.get("pad_id", 1)))
            mask = np.zeros((len(idx), width), np.int64)
            for row, i in enumerate(idx):
                e = encodings[i]
                ids[row, :len(e)] = e
                mask[row, :len(e)] = 1
            result = self.session.run(outputs, {"input_ids": ids, "attention_mask": mask})
            logits = result[0]
            if self._head is not None:
                weight, bias = self._head
                logits = head_features(result[1], result[0]) @ weight.T + bias
            probs[idx] = logits if raw_logits else _softmax(logits, temperature)
            if emb is not None:
                emb[idx] = result[1]
        if self._blend is not None and not raw_logits:
            probs = self._blended(texts, probs)
        return Predictions(self.labels, probs, emb)

    def _blended(self, texts: list[str], student: np.ndarray) -> np.ndarray:
        """Stack the student's and the n-gram model's log-probabilities (core.modelbuild.blend)."""
        from core.ngram import stacked_probs

        ngram, weight, bias = self._blend  # type: ignore[misc]
        return stacked_probs(student, ngram.probs(texts), weight, bias)


def load_engine(model_dir: Path | str | None = None, *, device: str = "auto", threads: int | None = None,
                batch_size: int = 32, verify: bool = True, blend: bool = True, fast: bool = False) -> Engine:
    """Load a model folder (default: the bundled one) into an Engine.

    ``fast`` (fast mode, ``--fast``): the model's fast network (manifest "fast": a 3-layer
    student with its own n-gram stacker, several times quicker and a few points less
    accurate, BENCHMARKS.md) where it ships one; a model without one (a retrained model)
    runs as it is. ``blend=False`` skips the n-gram voice: the transformer alone (benches)."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    if model_dir is None:
        model_dir = bundled_model_dir()
    model_dir = Path(model_dir)
    manifest = verify_model_dir(model_dir) if verify else read_manifest(model_dir)
    onnx_name = "model.onnx"
    if fast and manifest.get("fast"):
        manifest, onnx_name = fast_manifest(manifest), str(manifest["fast"]["onnx"])
    providers = _choose_providers(device)
    ort.set_default_logger_severity(3)  # keep provider fallback chatter off the user's terminal
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = int(threads)
        opts.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(str(model_dir / onnx_name), sess_options=opts, providers=providers)
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
        raise UserError(f"Model file {model_dir / onnx_name} cannot be loaded ({type(exc).__name__}): "
                        "reinstall or re-export the model.") from None
    used = session.get_providers()[0]
    if device == "cuda" and not used.startswith("CUDA"):
        raise UserError("Device 'cuda' was requested but CUDA could not be initialised: use --device cpu or auto.")
    try:
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    except Exception as exc:
        raise UserError(f"Tokenizer {model_dir / 'tokenizer.json'} cannot be read ({exc}): re-export the model.") \
            from None
    cfg = EngineConfig(device=device, threads=threads, batch_size=batch_size)
    tokenizer.no_truncation()  # head+tail cut by fit_length, as in training
    tokenizer.no_padding()
    out_names = {o.name for o in session.get_outputs()}
    head = None
    if manifest.get("head"):
        head = _load_head(model_dir / str(manifest["head"]), len(manifest["labels"]))
        if "embedding" not in out_names:
            raise UserError(f"Model {model_dir} has a head.json but its graph has no embedding output: re-train it.")
    stacked = _load_blend(model_dir, manifest) if blend and not head else None
    return Engine(model_dir=model_dir, manifest=manifest, session=session, tokenizer=tokenizer, config=cfg,
                  provider=used, _has_embedding="embedding" in out_names, _head=head, _blend=stacked)


def fast_manifest(manifest: dict) -> dict:
    """The manifest as the fast network sees it: same version, labels, tokenizer and n-gram
    model; its own temperature, width and stacker weights (``manifest["fast"]``)."""
    fast = manifest["fast"]
    out = {**manifest, "temperature": fast["temperature"], "hidden_size": fast.get("hidden_size", 384),
           "fast_network": fast.get("student_version") or fast.get("version") or fast["onnx"]}
    out["blend"] = fast.get("blend")
    return out


def _load_blend(model_dir: Path, manifest: dict) -> tuple[Any, np.ndarray, np.ndarray] | None:
    doc = manifest.get("blend")
    if not doc:
        return None
    from core.ngram import load_ngram

    path = model_dir / str(doc["ngram"])
    try:
        ngram = load_ngram(path)
    except (OSError, ValueError, KeyError) as exc:
        raise UserError(f"Model file {path} cannot be read ({exc}): reinstall or re-export the model.") from None
    weight = np.asarray(doc["stack_weight"], np.float32)
    bias = np.asarray(doc["stack_bias"], np.float32)
    if weight.shape != (len(manifest["labels"]), 2 * len(manifest["labels"])) or tuple(ngram.labels) != tuple(
            manifest["labels"]):
        raise UserError(f"Model {model_dir}: its blend does not match its labels: reinstall or re-export the model.")
    return ngram, weight, bias


# Longer texts than this are cut (head and tail) before tokenising: bounds the tokenizer's
# work on a 200k-character cell, and is far beyond what max_length keeps anyway.
MAX_CHARS = 4000


def clip_chars(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    return text[: MAX_CHARS * 3 // 4] + " " + text[-MAX_CHARS // 4:]


def fit_length(ids: Sequence[int], max_length: int) -> list[int]:
    """Cut a long encoding to ``max_length`` keeping its head and its tail.

    Reviews often end with the verdict ("总之不推荐", "would not buy again"), so the last
    quarter of the budget goes to the tail; <s> and </s> stay in place. Training uses the
    same function, so the model sees at run time what it learnt on."""
    ids = list(ids)
    if len(ids) <= max_length:
        return ids
    tail = max_length // 4
    return ids[: max_length - tail] + ids[-tail:]


def head_features(embedding: np.ndarray, base_logits: np.ndarray) -> np.ndarray:
    """Inputs of a quick-retrained head: the L2-normalised embedding plus the base model's
    logits, so a head trained on a few dozen labels starts from what the model already knows."""
    pooled = embedding / np.maximum(np.linalg.norm(embedding, axis=1, keepdims=True), 1e-9)
    return np.concatenate([pooled, base_logits.astype(np.float32)], axis=1)


def _load_head(path: Path, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        weight = np.asarray(data["weight"], dtype=np.float32)
        bias = np.asarray(data["bias"], dtype=np.float32)
    except (OSError, ValueError, KeyError) as exc:
        raise UserError(f"Model head {path} cannot be read ({exc}): re-train or re-import the model.") from None
    if weight.ndim != 2 or weight.shape[0] != n_labels or bias.shape != (n_labels,):
        raise UserError(f"Model head {path} does not match the manifest's {n_labels} labels: re-train the model.")
    return weight, bias


def default_threads() -> int:
    return max(1, os.cpu_count() or 1)
