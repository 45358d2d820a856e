from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from core.errors import UserError
from core.model import SELECTION_KEY, ModelStore, active_model_dir, bundled_model_dir, verify_model_dir
from core.paths import user_data_dir
from core.project import Project


def make_model(folder: Path, *, task="sentiment", created="2026-11-29T20:30:00", payload=b"onnx", extra=None,
               manifest_files=None, metrics=None) -> Path:
    """A model folder with a real manifest (the store only moves and verifies files)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"model.onnx": payload, "tokenizer.json": b'{"model": {}}', **(extra or {})}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    listed = manifest_files or {name: {"sha256": hashlib.sha256(data).hexdigest()} for name, data in files.items()}
    manifest = {"schema_version": 1, "task": task, "created": created, "labels": ["negative", "neutral", "positive"],
                "base_model": "default-0.1", "metrics": metrics or {"macro_f1": 0.81}, "files": listed}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The store as one project sees it (models belong to a project)."""
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    Project.create(tmp_path / "shop.rlproj").close()
    return ModelStore(project=tmp_path / "shop.rlproj")


def selection(store: ModelStore):
    with Project.open(store.project, readonly=True) as project:
        return json.loads(project.get_meta(SELECTION_KEY))


def write_selection(store: ModelStore, text: str) -> None:
    with Project.open(store.project) as project:
        project.set_meta(SELECTION_KEY, text)


def test_default_root_honours_env(store, tmp_path):
    assert store.root == tmp_path / "home" / "models"
    assert user_data_dir() == tmp_path / "home"


def test_add_from_staging_and_activate(store):
    staging = store.new_staging_dir()
    assert staging.parent == store.root / ".staging"
    make_model(staging)
    v = store.add(staging, activate=True)
    assert v.version == "sentiment-20261129-203000"
    assert v.is_active and v.task == "sentiment" and v.metrics == {"macro_f1": 0.81} and v.base == "default-0.1"
    assert not staging.exists() and (store.root / v.version / "model.onnx").is_file()
    assert v.manifest["version"] == v.version
    verify_model_dir(v.path)  # still verifies after the manifest gained its version
    assert store.active_dir() == v.path
    current = selection(store)
    assert current == {"schema_version": 2, "active": v.version, "previous": [None], "tasks": {}}
    # same timestamp again: a suffix, not an overwrite
    v2 = store.add(make_model(store.new_staging_dir(), payload=b"other"), activate=False)
    assert v2.version == "sentiment-20261129-203000-2" and not v2.is_active
    assert [x.version for x in store.versions()] == [v.version, v2.version]


def test_add_copies_folders_from_elsewhere_and_refuses_bad_sha(store, tmp_path):
    outside = make_model(tmp_path / "outside")
    v = store.add(outside, activate=False)
    assert outside.is_dir() and v.path.parent == store.root
    bad = make_model(tmp_path / "bad", manifest_files={"model.onnx": {"sha256": "0" * 64},
                                                       "tokenizer.json": {"sha256": "0" * 64}})
    with pytest.raises(UserError, match="sha256 mismatch"):
        store.add(bad, activate=True)
    assert len(store.versions()) == 1


def test_engine_uses_the_project_active_model(store):
    assert active_model_dir(store.project) == bundled_model_dir()
    v = store.add(make_model(store.new_staging_dir()), activate=True)
    assert active_model_dir(store.project) == v.path
    assert active_model_dir() == bundled_model_dir()  # no project: the bundled model


def test_a_store_without_project_lists_but_activates_nothing(store, tmp_path):
    v = store.add(make_model(store.new_staging_dir()), activate=True)
    plain = ModelStore()
    assert [x.version for x in plain.versions()] == [v.version] and plain.active_dir() is None
    with pytest.raises(UserError, match="Models belong to a project"):
        plain.activate(v.version)
    Project.create(tmp_path / "other.rlproj").close()
    assert ModelStore(project=tmp_path / "other.rlproj").active_dir() is None  # offered, not imposed


def test_legacy_current_json_keeps_only_the_project_own_models(store, tmp_path):
    own = store.add(make_model(store.new_staging_dir(), created="2026-01-01T00:00:00"), activate=False)
    foreign = store.add(make_model(store.new_staging_dir(), task="intents", created="2026-02-01T00:00:00"),
                        activate=False)
    (store.root / "current.json").write_text(json.dumps({
        "schema_version": 2, "active": own.version, "previous": [None],
        "tasks": {"intents": {"active": foreign.version, "previous": [None]}}}))
    with Project.open(store.project) as project:
        project.record_model_version(own.version, task="sentiment", path=own.path, active=True)
    assert store.active_version() == own.version  # trained from this project before: kept
    assert store.active_version("intents") is None  # another project's: not imposed
    Project.create(tmp_path / "new.rlproj").close()
    assert ModelStore(project=tmp_path / "new.rlproj").active_versions() == {}


def test_rollback_history_to_bundled(store):
    a = store.add(make_model(store.new_staging_dir(), created="2026-01-01T00:00:00"), activate=True)
    b = store.add(make_model(store.new_staging_dir(), created="2026-02-01T00:00:00"), activate=True)
    c = store.add(make_model(store.new_staging_dir(), created="2026-03-01T00:00:00"), activate=True)
    store.delete(b.version)
    assert store.active_version() == c.version
    back = store.rollback()  # b is gone: straight back to a
    assert back is not None and back.version == a.version and store.active_dir() == a.path
    assert store.rollback() is None and store.active_dir() is None  # bundled default
    assert store.rollback() is None


def test_delete_refuses_active_and_unknown(store):
    v = store.add(make_model(store.new_staging_dir()), activate=True)
    with pytest.raises(UserError, match="is the active model"):
        store.delete(v.version)
    with pytest.raises(UserError, match="does not exist"):
        store.delete("nope-1")
    with pytest.raises(UserError, match="does not exist"):
        store.activate("../escape")
    store.rollback()
    store.delete(v.version)
    assert store.versions() == [] and not v.path.exists()


def test_broken_current_json_falls_back_to_bundled(store):
    v = store.add(make_model(store.new_staging_dir()), activate=True)
    write_selection(store, "{not json")
    assert store.active_dir() is None
    store.activate(v.version)  # and the store keeps working
    assert store.active_dir() == v.path
    import shutil

    shutil.rmtree(v.path)
    assert store.active_dir() is None and store.versions() == []


def test_current_json_migration_from_unversioned(store):
    v = store.add(make_model(store.new_staging_dir()), activate=False)
    write_selection(store, json.dumps({"active": v.version}))
    assert store.active_dir() == v.path
    write_selection(store, json.dumps({"schema_version": 9, "active": v.version}))
    assert store.active_dir() is None  # a newer format is not guessed at
    write_selection(store, json.dumps({"schema_version": 1, "active": 5, "previous": 3}))
    assert store.active_dir() is None and store.rollback() is None


def test_import_folder_checks(store, tmp_path):
    good = make_model(tmp_path / "good", extra={"README.txt": b"hi", "weights.safetensors": b"w"})
    v = store.import_folder(good)
    assert not v.is_active and (v.path / "weights.safetensors").is_file()

    pickle = make_model(tmp_path / "pickle", extra={"pytorch_model.bin": b"\x80\x04"})
    with pytest.raises(UserError, match=r"pytorch_model.bin.*pickle files are never accepted"):
        store.import_folder(pickle)
    for name in ("model.pt", "vocab.pkl"):
        folder = make_model(tmp_path / name.replace(".", "_"), extra={name: b"x"})
        with pytest.raises(UserError, match="refused"):
            store.import_folder(folder)

    escape = make_model(tmp_path / "escape")
    manifest = json.loads((escape / "manifest.json").read_text())
    manifest["files"]["../outside.onnx"] = {"sha256": "0" * 64}
    (escape / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(UserError, match="outside its folder"):
        store.import_folder(escape)
    manifest["files"] = {"/etc/passwd.txt": {"sha256": "0" * 64}, **json.loads(
        (good / "manifest.json").read_text())["files"]}
    (escape / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(UserError, match="outside its folder"):
        store.import_folder(escape)

    linked = make_model(tmp_path / "linked")
    os.symlink(good / "README.txt", linked / "notes.txt")
    with pytest.raises(UserError, match="contains a link"):
        store.import_folder(linked)

    tampered = make_model(tmp_path / "tampered")
    (tampered / "model.onnx").write_bytes(b"evil")
    with pytest.raises(UserError, match="sha256 mismatch"):
        store.import_folder(tampered)
    assert [x.version for x in store.versions()] == [v.version]


def test_export_then_import_elsewhere(store, tmp_path):
    v = store.add(make_model(store.new_staging_dir()), activate=True)
    out = store.export_folder(v.version, tmp_path / "usb")
    assert out == tmp_path / "usb" / v.version and (out / "manifest.json").is_file()
    with pytest.raises(UserError, match="already exists"):
        store.export_folder(v.version, tmp_path / "usb")
    other = ModelStore(tmp_path / "other-pc")
    imported = other.import_folder(out)
    assert imported.version == v.version  # the name travels with the manifest
    verify_model_dir(imported.path)


def test_imports_real_bundled_model_if_present(store):
    bundled = bundled_model_dir()
    if not (bundled / "manifest.json").is_file():
        pytest.skip("models/default is not built in this checkout")
    v = store.import_folder(bundled)
    verify_model_dir(v.path)
    assert (v.path / "model.onnx").is_file()


def test_each_task_has_its_own_active_version_and_history(store):
    sent = store.add(make_model(store.new_staging_dir(), created="2026-01-01T00:00:00"), activate=True)
    d1 = store.add(make_model(store.new_staging_dir(), task="defect_type", created="2026-02-01T00:00:00"),
                   activate=True)
    d2 = store.add(make_model(store.new_staging_dir(), task="defect_type", created="2026-03-01T00:00:00"),
                   activate=True)
    it = store.add(make_model(store.new_staging_dir(), task="intents", created="2026-04-01T00:00:00"),
                   activate=True)
    # activating custom-task and intents versions never replaces the sentiment model analysis uses
    assert store.active_version() == sent.version and store.active_dir() == sent.path
    assert store.active_versions() == {"sentiment": sent.version, "defect_type": d2.version,
                                       "intents": it.version}
    assert store.active_task_dirs()["defect_type"] == d2.path
    assert {v.version for v in store.versions() if v.is_active} == {sent.version, d2.version, it.version}
    with pytest.raises(UserError, match="is the active model"):
        store.delete(it.version)
    assert store.rollback("defect_type").version == d1.version
    assert store.active_version("defect_type") == d1.version and store.active_version() == sent.version
    assert store.rollback("defect_type") is None and "defect_type" not in store.active_versions()
    assert store.rollback("intents") is None and store.active_version() == sent.version


def test_version_1_current_json_migrates_with_a_hand_activated_custom_task(store):
    sent = store.add(make_model(store.new_staging_dir(), created="2026-01-01T00:00:00"), activate=False)
    custom = store.add(make_model(store.new_staging_dir(), task="defect_type", created="2026-02-01T00:00:00"),
                       activate=False)
    write_selection(store, json.dumps({"schema_version": 1, "active": custom.version,
                                       "previous": [None, sent.version]}))
    # version 1 kept one active slot: a custom-task version there moves to its task
    assert store.active_version() is None and store.active_version("defect_type") == custom.version
    store.activate(sent.version)
    data = selection(store)
    assert data["schema_version"] == 2 and data["active"] == sent.version
    assert data["tasks"]["defect_type"]["active"] == custom.version
