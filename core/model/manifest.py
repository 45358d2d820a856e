"""A model folder's manifest: reading it, verifying every artifact's sha256, and where the
bundled model lives.

``manifest.json`` carries ``schema_version`` (this ReviewLens reads up to
``SUPPORTED_SCHEMA``), the labels, and under ``files`` the sha256 of every artifact, checked
before a model is loaded or stored, so a corrupt or tampered model is refused with a
one-line ``UserError`` naming the file.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from core.errors import UserError
from core.paths import resource_root

MANIFEST = "manifest.json"
SUPPORTED_SCHEMA = 1


def bundled_model_dir() -> Path:
    """The model analysis uses when no project chose another: ``models/default``, or the
    folder named by ``REVIEWLENS_DEFAULT_MODEL`` (a site-wide default an administrator
    installs; the GUI tests point it at a tiny real model)."""
    override = os.environ.get("REVIEWLENS_DEFAULT_MODEL")
    return Path(override) if override else resource_root() / "models" / "default"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(model_dir: Path) -> dict:
    path = model_dir / MANIFEST
    if not path.is_file():
        raise UserError(f"Model folder {model_dir} has no {MANIFEST}: choose a ReviewLens model folder.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"Model manifest {path} cannot be read ({exc}): reinstall or re-export the model.") from None
    if int(manifest.get("schema_version", 0)) > SUPPORTED_SCHEMA:
        raise UserError(
            f"Model manifest {path} has schema_version {manifest.get('schema_version')}; "
            f"this ReviewLens reads up to {SUPPORTED_SCHEMA}: update ReviewLens."
        )
    return manifest


def verify_model_dir(model_dir: Path, manifest: dict | None = None) -> dict:
    """Check every artifact listed in the manifest against its sha256. Returns the manifest."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise UserError(f"Model folder {model_dir} does not exist: check the path given with --model.")
    manifest = manifest or read_manifest(model_dir)
    files = manifest.get("files") or {}
    for required in ("model.onnx", "tokenizer.json"):
        if required not in files:
            raise UserError(f"Model manifest in {model_dir} does not list {required}: re-export the model.")
    root = model_dir.resolve()
    for name, meta in files.items():
        path = (model_dir / name).resolve()
        if root not in path.parents:
            raise UserError(f"Model manifest in {model_dir} names a file outside its folder ({name}): refused.")
        if not path.is_file():
            raise UserError(f"Model file {path} is missing: reinstall or re-export the model.")
        expected = meta["sha256"] if isinstance(meta, dict) else str(meta)
        if sha256_file(path) != expected:
            raise UserError(
                f"Model file {path} is corrupt or was modified (sha256 mismatch): reinstall or re-export the model."
            )
    return manifest
