"""Attach a fast network to a default model folder (the last step of a default build).

The default model runs the 12-layer network; fast mode (``--fast``, the Settings check box)
runs a 3-layer student with its own n-gram stacker instead. Both share the folder's
tokenizer (same pruned vocabulary) and, where it is the same file, its n-gram model, so fast
mode costs one extra ``fast.onnx`` in ``models/``. ``core.model.load_engine(fast=True)`` reads
the manifest's ``fast`` section written here.

Usage: python -m core.modelbuild.fastmode --model models/default --fast DIR
(DIR: a blended model folder of the small network, e.g. the previous 3-layer default.)
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from core.errors import UserError
from core.model import sha256_file, verify_model_dir


def attach_fast(model_dir: Path, fast_dir: Path) -> dict:
    """Copy ``fast_dir``'s network into ``model_dir`` as fast.onnx and record it; returns the manifest."""
    manifest, fast = verify_model_dir(model_dir), verify_model_dir(fast_dir)
    if fast.get("fast"):
        raise UserError(f"{fast_dir} already carries a fast network of its own: give the plain small model.")
    if list(fast["labels"]) != list(manifest["labels"]) or fast.get("max_length") != manifest.get("max_length"):
        raise UserError(f"{fast_dir} and {model_dir} differ in labels or max_length: they cannot share a folder.")
    if fast["files"]["tokenizer.json"]["sha256"] != manifest["files"]["tokenizer.json"]["sha256"]:
        raise UserError(f"{fast_dir} uses another tokenizer than {model_dir}: they cannot share a folder.")
    files = manifest["files"]
    section = {"onnx": "fast.onnx", "version": fast["version"], "student_version": fast.get("student_version"),
               "temperature": fast["temperature"], "hidden_size": fast.get("hidden_size", 384),
               "layers": (fast.get("training") or {}).get("student_layers"), "checks": fast.get("checks")}
    shutil.copy2(fast_dir / "model.onnx", model_dir / "fast.onnx")
    files["fast.onnx"] = {"sha256": sha256_file(model_dir / "fast.onnx"), "bytes": (model_dir / "fast.onnx").stat().st_size}
    blend = fast.get("blend")
    if blend:
        ngram = str(blend["ngram"])
        same = manifest.get("blend") and files.get(manifest["blend"]["ngram"], {}).get("sha256") == \
            fast["files"][ngram]["sha256"]
        if not same:  # its own n-gram model
            shutil.copy2(fast_dir / ngram, model_dir / "fast_ngram.npz")
            files["fast_ngram.npz"] = {"sha256": sha256_file(model_dir / "fast_ngram.npz"),
                                       "bytes": (model_dir / "fast_ngram.npz").stat().st_size}
            ngram = "fast_ngram.npz"
        else:
            ngram = str(manifest["blend"]["ngram"])
        section["blend"] = {**blend, "ngram": ngram}
    manifest["fast"] = section
    tmp = model_dir / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(model_dir / "manifest.json")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True, help="the default model folder (changed in place)")
    ap.add_argument("--fast", type=Path, required=True, help="the small network's model folder")
    args = ap.parse_args(argv)
    try:
        manifest = attach_fast(args.model, args.fast)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.model}: fast network {manifest['fast']['version']} attached")
    return 0


if __name__ == "__main__":
    sys.exit(main())
