"""Models: loading and running them (ONNX Runtime), their versions on disk, task models.

* ``manifest``: a model folder's manifest, its sha256 checks, the bundled model's folder
* ``engine``: ``load_engine`` -> ``Engine.predict`` (tokenise, batch, calibrate, blend)
* ``store``: ``ModelStore`` (retrained versions: add, activate per project and task, roll back)
* ``task_models``: models of tasks other than sentiment (intents, aspects, custom tasks)
"""
from __future__ import annotations

from core.model.engine import (DEVICES, Engine, EngineConfig, Predictions, clip_chars, default_threads, fit_length,
                               head_features, load_engine)
from core.model.manifest import MANIFEST, bundled_model_dir, read_manifest, sha256_file, verify_model_dir
from core.model.store import SELECTION_KEY, ModelStore, ModelVersion, active_model_dir
from core.model.task_models import COLUMN_PREFIX, NOT_A_COLUMN, TaskModel, active_task_models, load_task_model

__all__ = ["COLUMN_PREFIX", "DEVICES", "MANIFEST", "NOT_A_COLUMN", "SELECTION_KEY", "Engine", "EngineConfig",
           "ModelStore", "ModelVersion", "Predictions", "TaskModel", "active_model_dir", "active_task_models",
           "bundled_model_dir", "clip_chars", "default_threads", "fit_length", "head_features", "load_engine",
           "load_task_model", "read_manifest", "sha256_file", "verify_model_dir"]
