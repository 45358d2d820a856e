"""build.spec's own helpers (run without PyInstaller): every file of the default model folder
is bundled (the blend's ngram.npz too) and checked, and Qt's Chinese catalogue goes where
the frozen app's QLibraryInfo looks for it."""
from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

import pytest

from tests.gui.tiny_model import build_tiny_model

ROOT = Path(__file__).resolve().parents[2]


def _spec_helpers(model: Path, workpath: Path, training: bool = False) -> dict:
    """build.spec's imports, functions and constants, without its Analysis/EXE calls."""
    tree = ast.parse((ROOT / "build.spec").read_text(encoding="utf-8"))
    keep = [n for n in tree.body if isinstance(n, (ast.Import, ast.FunctionDef))
            or (isinstance(n, ast.ImportFrom) and n.module != "PyInstaller.utils.hooks")
            or (isinstance(n, ast.Assign) and [getattr(t, "id", "") for t in n.targets] == ["QT_CATALOGUES"])]
    ns = {"MODEL": model, "TRAINING": training, "workpath": str(workpath), "ROOT": ROOT}
    exec(compile(ast.Module(body=keep, type_ignores=[]), "build.spec", "exec"), ns)  # noqa: S102
    return ns


def _add_file(model: Path, name: str, data: bytes, *, listed: bool = True) -> None:
    (model / name).write_bytes(data)
    if listed:
        manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
        manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        manifest["blend"] = {"ngram": name, "stack_weight": [], "stack_bias": []}
        (model / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_every_model_file_is_bundled_and_checked(tmp_path):
    model = build_tiny_model(tmp_path / "default")
    _add_file(model, "ngram.npz", b"ngram weights")
    _add_file(model, "student.safetensors", b"trainable", listed=False)
    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["student.safetensors"] = {"sha256": hashlib.sha256(b"trainable").hexdigest()}
    (model / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    out = _spec_helpers(model, tmp_path / "work")["bundle_model"]()
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "model.onnx", "ngram.npz", "tokenizer.json"]
    shipped = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "ngram.npz" in shipped["files"] and "student.safetensors" not in shipped["files"]

    _add_file(model, "notes.txt", b"stray", listed=False)  # unlisted: would ship unchecked
    with pytest.raises(SystemExit, match="notes.txt, not listed"):
        _spec_helpers(model, tmp_path / "work")["bundle_model"]()
    (model / "notes.txt").unlink()
    (model / "ngram.npz").write_bytes(b"changed")
    with pytest.raises(SystemExit, match="ngram.npz does not match"):
        _spec_helpers(model, tmp_path / "work")["bundle_model"]()


def test_qt_chinese_catalogue_goes_where_qlibraryinfo_looks(tmp_path):
    import PySide6
    from PySide6.QtCore import QLibraryInfo

    datas = _spec_helpers(tmp_path, tmp_path)["qt_translation_datas"]()
    assert [Path(src).name for src, _ in datas] == ["qtbase_zh_CN.qm"]
    src, dest = datas[0]
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)).resolve()
    assert Path(PySide6.__file__).resolve().parent.parent / dest == folder and Path(src).is_file()
