"""The folder of a candidate model version: created under the temp folder, filled by quick
or full training, described by its manifest (sha256 of every file); nothing is activated
here (``ModelStore.add`` moves it into the store).
"""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from core.model import Engine, sha256_file


def new_staging_dir(task: str, staging_root: Path | None) -> Path:
    """A fresh folder for a candidate model version (under the system temp dir by default)."""
    root = Path(staging_root) if staging_root else Path(tempfile.gettempdir()) / "reviewlens-staging"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{task}-", dir=root))


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
