"""Retrained model versions on disk: add, activate, roll back, delete, import, export.

Layout under ``<user data dir>/models`` (``REVIEWLENS_HOME`` overrides the data dir):

* ``<version>/`` one folder per version: ``model.onnx``, ``tokenizer.json``, ``manifest.json``
  (sha256 of every file under ``files``), written once and never changed afterwards.
* ``.staging/`` work folders. A version is written there completely, verified, then moved
  into place with one ``os.replace`` (same filesystem), so a crash never leaves half a
  version that looks like a whole one.
* ``current.json`` ``{"schema_version": 2, "active": version | null, "previous": [...],
  "tasks": {task: {"active": version | null, "previous": [...]}}}``, rewritten through a
  temporary file and ``os.replace``. ``active``/``previous`` are the **sentiment** model
  (``active = null`` means the bundled default); ``tasks`` holds the same pair for every
  other task (intents, the owner's custom tasks), so each task has its own active version
  and its own rollback history. ``previous`` is newest last. Older formats are upgraded by
  ``_migrate_current`` (version 1 had no ``tasks``; a custom-task version made active there
  by hand moves to its task when read).

**Models belong to a project** (issue 17): which version is active for each task is the
project's choice, kept inside the project file (``meta`` key ``models_current``, the same
structure as ``current.json``), so a model trained from one shop's labels is active for that
shop and only *offered* to the others (every project lists every stored version). A store
opened without a project (``ModelStore()``) lists, imports, exports and deletes versions but
has nothing active: analysis without a project uses the bundled model. ``current.json`` is
the selection of versions before 2026-12 and is only read to migrate: a project with no
selection of its own keeps those of its active versions that it trained itself (recorded in
its ``model_versions`` table), never another project's (``_legacy_current``).

A broken selection or an active folder that went missing never stops the app:
``active_dir`` returns None and the bundled model is used.

Imported folders are untrusted: only .onnx/.json/.safetensors/.txt/.npz files are accepted
(never pickle formats such as .bin/.pt/.pkl, which can run code when loaded), no symlinks,
no manifest file names outside the folder, and every sha256 must match.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from core.errors import UserError
from core.model.manifest import MANIFEST, bundled_model_dir, read_manifest, verify_model_dir
from core.paths import user_data_dir

CURRENT = "current.json"
CURRENT_SCHEMA = 2
SENTIMENT = "sentiment"
STAGING = ".staging"
# .npz: the default model's n-gram weights, read with numpy's allow_pickle=False (core.ngram)
ALLOWED_SUFFIXES = (".onnx", ".json", ".safetensors", ".txt", ".npz")
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_HISTORY = 20


@dataclass
class ModelVersion:
    """One stored model version."""

    version: str
    path: Path
    task: str
    created: str
    metrics: dict[str, Any] = field(default_factory=dict)
    base: str | None = None
    is_active: bool = False
    manifest: dict[str, Any] = field(default_factory=dict, repr=False)


def _migrate_current(data: Any) -> dict[str, Any]:
    """Upgrade any older current.json shape to CURRENT_SCHEMA (hook for future formats)."""
    if isinstance(data, str):  # pre-release: the file held just the version name
        data = {"active": data}
    if not isinstance(data, dict):
        raise ValueError("current.json is not an object")
    version = int(data.get("schema_version", 0))
    if version > CURRENT_SCHEMA:
        raise ValueError(f"current.json schema_version {version} is newer than {CURRENT_SCHEMA}")
    if version == 0:
        data = {"schema_version": 1, "active": data.get("active"), "previous": data.get("previous") or []}
    if int(data.get("schema_version", 1)) == 1:
        data = {**data, "schema_version": 2, "tasks": {}}
    active, previous, tasks = data.get("active"), data.get("previous"), data.get("tasks")
    if not (active is None or isinstance(active, str)) or not isinstance(previous, list) \
            or not isinstance(tasks, dict):
        raise ValueError("current.json has the wrong shape")
    clean_tasks = {}
    for task, entry in tasks.items():
        if not isinstance(entry, dict):
            continue
        act = entry.get("active")
        clean_tasks[str(task)] = {"active": act if isinstance(act, str) else None,
                                  "previous": [v for v in entry.get("previous") or [] if v is None or isinstance(v, str)]}
    return {"schema_version": CURRENT_SCHEMA, "active": active,
            "previous": [v for v in previous if v is None or isinstance(v, str)], "tasks": clean_tasks}


class ModelStore:
    """Model versions under ``root`` (default: ``user_data_dir() / "models"``)."""

    def __init__(self, root: Path | str | None = None, *, project: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else user_data_dir() / "models"
        self.project = Path(project) if project is not None else None

    # -- reading ---------------------------------------------------------------------
    def _current(self) -> dict[str, Any]:
        if self.project is None:
            return _empty_current()  # no project: nothing is active, analysis uses the bundled model
        try:
            raw = _read_project_selection(self.project)
            data = _migrate_current(raw if raw is not None else self._legacy_current())
        except (OSError, ValueError, TypeError, UserError):  # broken selection: the bundled model still works
            return _empty_current()
        active = data["active"]
        if active and self._is_version_dir(active):
            task = self._task_of(active)
            if task != SENTIMENT:  # version-1 file with a custom-task version made active by hand
                data["tasks"].setdefault(task, {"active": None, "previous": []})["active"] = active
                data["active"] = None
        return data

    def _task_of(self, version: str) -> str:
        try:
            return str(read_manifest(self.root / version).get("task", SENTIMENT))
        except UserError:
            return SENTIMENT

    def _slot(self, data: dict[str, Any], task: str) -> dict[str, Any]:
        """The {"active", "previous"} pair of ``task`` inside ``data`` (sentiment: the top level)."""
        if task == SENTIMENT:
            return data
        return data["tasks"].setdefault(task, {"active": None, "previous": []})

    def _legacy_current(self) -> Any:
        path = self.root / CURRENT
        if not path.is_file() or self.project is None:
            return _empty_current()
        try:
            data = _migrate_current(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return _empty_current()
        from core.project import Project

        with Project.open(self.project, readonly=True) as project:
            own = set(project.model_versions()["version"])
        for slot in [data, *data["tasks"].values()]:
            if slot.get("active") not in own:
                slot["active"] = None
            slot["previous"] = [v for v in slot.get("previous", []) if v is None or v in own]
        return data

    def _write_current(self, data: dict[str, Any]) -> None:
        if self.project is None:
            raise UserError("Models belong to a project: name the project whose model to change "
                            "(--project FILE.rlproj, or open the project in the app).")
        from core.project import Project

        with Project.open(self.project, lock=False) as project:  # the app window may hold the lock
            project.set_meta(SELECTION_KEY, json.dumps(data))

    def _active_in(self, data: dict[str, Any], task: str) -> str | None:
        active = self._slot(data, task).get("active")
        return active if isinstance(active, str) and self._is_version_dir(active) else None

    def active_version(self, task: str = SENTIMENT) -> str | None:
        """The active version of ``task`` (default sentiment); None: none (the bundled default)."""
        return self._active_in(self._current(), task)

    def active_versions(self) -> dict[str, str]:
        """task -> active version, for every task that has one (the selection is read once)."""
        data = self._current()
        out = {}
        for task in [SENTIMENT, *sorted(data["tasks"])]:
            version = self._active_in(data, task)
            if version is not None:
                out[task] = version
        return out

    def active_task_dirs(self) -> dict[str, Path]:
        """task -> folder of its active version (readable manifests only)."""
        out = {}
        for task, version in self.active_versions().items():
            try:
                read_manifest(self.root / version)
            except UserError:
                continue
            out[task] = self.root / version
        return out

    def _is_version_dir(self, version: str) -> bool:
        return bool(_VERSION_NAME.match(version)) and (self.root / version / MANIFEST).is_file()

    def active_dir(self, task: str = SENTIMENT) -> Path | None:
        """The active version's folder; None = the bundled default (also when current.json is broken)."""
        version = self.active_version(task)
        if version is None:
            return None
        try:
            read_manifest(self.root / version)
        except UserError:
            return None
        return self.root / version

    def versions(self) -> list[ModelVersion]:
        """All readable versions, oldest first."""
        if not self.root.is_dir():
            return []
        active = set(self.active_versions().values())
        out = []
        for child in self.root.iterdir():
            if child.name.startswith(".") or not child.is_dir() or not self._is_version_dir(child.name):
                continue
            try:
                out.append(self._load(child.name, active))
            except UserError:
                continue  # a damaged folder is skipped, not fatal
        return sorted(out, key=lambda v: (v.created, v.version))

    def get(self, version: str) -> ModelVersion:
        if not self._is_version_dir(version):
            names = ", ".join(v.version for v in self.versions()) or "none stored yet"
            raise UserError(f"Model version '{version}' does not exist: use one of {names}.")
        return self._load(version, set(self.active_versions().values()))

    def _load(self, version: str, active: set[str]) -> ModelVersion:
        manifest = read_manifest(self.root / version)
        return ModelVersion(version=version, path=self.root / version, task=str(manifest.get("task", "sentiment")),
                            created=str(manifest.get("created", "")), metrics=dict(manifest.get("metrics") or {}),
                            base=manifest.get("base_model") or manifest.get("base"), is_active=version in active,
                            manifest=manifest)

    # -- writing -----------------------------------------------------------------------
    def new_staging_dir(self) -> Path:
        """An empty folder on the store's filesystem for a model being written."""
        path = self.root / STAGING / uuid.uuid4().hex
        path.mkdir(parents=True)
        return path

    def _version_name(self, manifest: dict[str, Any]) -> str:
        task = re.sub(r"[^A-Za-z0-9_]+", "_", str(manifest.get("task", "sentiment"))).strip("_") or "model"
        try:
            when = datetime.fromisoformat(str(manifest["created"]))
        except (KeyError, ValueError):
            when = datetime.now()
        base = f"{task}-{when:%Y%m%d-%H%M%S}"
        name, n = base, 2
        while (self.root / name).exists():
            name, n = f"{base}-{n}", n + 1
        return name

    def add(self, staging_dir: Path, *, activate: bool, version: str | None = None) -> ModelVersion:
        """Verify a finished model folder and move it into the store as a new version.

        A folder outside ``root/.staging`` is copied there first so the final move is one
        atomic ``os.replace``. The manifest's ``version`` field is set to the stored name.
        """
        staging_dir = Path(staging_dir)
        manifest = verify_model_dir(staging_dir)
        staging_root = (self.root / STAGING).resolve()
        if staging_dir.resolve().parent != staging_root:
            copy = self.new_staging_dir()
            copy.rmdir()
            shutil.copytree(staging_dir, copy, symlinks=True)
            staging_dir = copy
        if version is None or not _VERSION_NAME.match(version) or (self.root / version).exists():
            version = self._version_name(manifest)
        manifest["version"] = version
        tmp = staging_dir / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, staging_dir / MANIFEST)
        os.replace(staging_dir, self.root / version)
        if activate:
            self.activate(version)
        return self.get(version)

    def activate(self, version: str) -> None:
        """Make ``version`` the active model of its task (verified first); the task's old one goes
        on that task's history. Other tasks' active versions are untouched."""
        mv = self.get(version)
        verify_model_dir(mv.path)
        current = self._current()
        slot = self._slot(current, mv.task)
        if slot.get("active") == version:
            return
        history = [v for v in slot.get("previous", []) if v != version]
        history.append(slot.get("active"))
        slot["active"], slot["previous"] = version, history[-_HISTORY:]
        self._write_current(current)

    def rollback(self, task: str = SENTIMENT) -> ModelVersion | None:
        """Go back to ``task``'s previously active version that still exists (None: the bundled
        default for sentiment, no trained model for other tasks)."""
        current = self._current()
        slot = self._slot(current, task)
        history = list(slot.get("previous", []))
        target = None
        while history:
            candidate = history.pop()
            if candidate is None or self._is_version_dir(candidate):
                target = candidate
                break
        slot["active"], slot["previous"] = target, history
        self._write_current(current)
        return self.get(target) if target else None

    def delete(self, version: str) -> None:
        """Delete a stored version; the active one is refused."""
        self.get(version)
        if version in self.active_versions().values():
            raise UserError(f"Model version '{version}' is the active model: activate another one or roll back "
                            "before deleting it.")
        trash = self.root / STAGING / f"deleted-{uuid.uuid4().hex}"
        trash.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.root / version, trash)  # one atomic step: never half a version in the list
        shutil.rmtree(trash, ignore_errors=True)
        current = self._current()
        slots = [current, *current["tasks"].values()]
        if any(version in slot.get("previous", []) for slot in slots):
            for slot in slots:
                slot["previous"] = [v for v in slot.get("previous", []) if v != version]
            self._write_current(current)

    def import_folder(self, src: Path | str) -> ModelVersion:
        """Add a model folder from elsewhere (e.g. another PC) after strict checks; not activated."""
        src = Path(src)
        if src.is_symlink() or not src.is_dir():
            raise UserError(f"Model folder {src} does not exist or is a link: choose a ReviewLens model folder.")
        for path in sorted(src.rglob("*")):
            rel = path.relative_to(src)
            if path.is_symlink():
                raise UserError(f"Model folder {src} contains a link ({rel}): refused; copy real files only.")
            if path.is_file() and path.suffix.lower() not in ALLOWED_SUFFIXES:
                raise UserError(f"Model folder {src} contains {rel}, a file type ReviewLens does not load "
                                f"(only {', '.join(ALLOWED_SUFFIXES)}; pickle files are never accepted): refused.")
        manifest = read_manifest(src)
        for name in (manifest.get("files") or {}):
            posix, windows = PurePosixPath(name), PureWindowsPath(name)
            if posix.is_absolute() or windows.is_absolute() or windows.drive or ".." in posix.parts \
                    or ".." in windows.parts:
                raise UserError(f"Model manifest in {src} names a file outside its folder ({name}): refused.")
        verify_model_dir(src, manifest)
        staging = self.new_staging_dir()
        staging.rmdir()
        shutil.copytree(src, staging)
        wanted = manifest.get("version")
        return self.add(staging, activate=False, version=wanted if isinstance(wanted, str) else None)

    def export_folder(self, version: str, dest: Path | str) -> Path:
        """Copy a version to ``dest/<version>`` (for another PC); returns that folder."""
        mv = self.get(version)
        target = Path(dest) / version
        if target.exists():
            raise UserError(f"Folder {target} already exists: choose another destination.")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(mv.path, target)
        return target


def active_model_dir(project: Path | str | None = None) -> Path:
    """The sentiment model ``project`` activated (models belong to a project), else the
    bundled default (always the bundled one without a project)."""
    if project is None:
        return bundled_model_dir()
    try:
        current = ModelStore(project=project).active_dir()
        # Analysis needs a sentiment model; a custom-task version made active by hand is ignored.
        if current is not None and read_manifest(current).get("task", "sentiment") == "sentiment":
            return current
    except UserError:
        pass
    return bundled_model_dir()


SELECTION_KEY = "models_current"


def _read_project_selection(project_path: Path) -> Any | None:
    from core.project import Project

    with Project.open(project_path, readonly=True) as project:
        raw = project.get_meta(SELECTION_KEY)
    return None if raw is None else json.loads(raw)


def _empty_current() -> dict[str, Any]:
    return {"schema_version": CURRENT_SCHEMA, "active": None, "previous": [], "tasks": {}}
