"""Crash logs: ``<user data>/crash/crash-<time>.log``, one per unexpected error (the app's
own, a job thread's or a job process's). The dialog that points at one is the caller's."""
from __future__ import annotations

import sys
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType

from core import __version__
from core.paths import user_data_dir


def crash_dir() -> Path:
    path = user_data_dir() / "crash"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write(content: str) -> Path:
    path = crash_dir() / f"crash-{datetime.now():%Y%m%d-%H%M%S-%f}.log"
    path.write_text(content, encoding="utf-8")
    return path


def write_crash_log(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> Path:
    """Write a traceback to ``<user data>/crash/crash-<time>.log`` and return its path."""
    text = "".join(traceback.format_exception(kind, exc, tb))
    return _write(f"ReviewLens {__version__}\nPython {sys.version}\n\n{text}")


def write_child_crash_log(text: str) -> Path:
    """Write a job process's traceback (``text``) to the crash folder and return its path."""
    return _write(f"ReviewLens {__version__} (job process)\n\n{text}")
