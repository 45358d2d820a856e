"""Where ReviewLens finds its files: the bundle and the user's data folder (no I/O here).

* The bundle (``resource_root()``): ``models/``, ``resources/`` and, in the frozen app,
  ``cache/`` (start-up caches prebuilt by ``build.spec``). Under ``sys._MEIPASS`` when frozen,
  else the repository root. Read-only.
* The user data folder (``user_data_dir()``, ``REVIEWLENS_HOME`` overrides): retrained
  models, projects, settings, logs, crash logs and caches built on first use.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def resource_root() -> Path:
    """The folder that holds ``models/`` and ``resources/`` (the bundle when frozen)."""
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else Path(__file__).resolve().parent.parent


def user_data_dir() -> Path:
    """ReviewLens' per-user data folder (``REVIEWLENS_HOME`` overrides)."""
    env = os.environ.get("REVIEWLENS_HOME")
    if env:
        return Path(env)
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "ReviewLens"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "ReviewLens"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "ReviewLens"


def bundled_cache_dir() -> Path:
    """``cache/`` next to ``models/`` and ``resources/``: present in the frozen build only."""
    return resource_root() / "cache"


def user_cache_dir() -> Path:
    """Caches built on first use (jieba's dictionary, the seed-trained intent head)."""
    return user_data_dir() / "cache"
