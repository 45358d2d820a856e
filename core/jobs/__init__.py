"""Long jobs: progress reporting, cooperative cancellation, and the child side of a job run
in its own process. Used by every stage; imports nothing of ReviewLens but ``core.errors``.

* ``progress``: ``Progress``, ``CancelToken``, ``Cancelled``, ``no_progress``, ``wrap_progress``.
* ``process``: ``run_child``, the job-process protocol (``gui.workers.ProcessWorker`` is the parent).
"""
from __future__ import annotations

from core.jobs.process import run_child
from core.jobs.progress import Cancelled, CancelToken, Progress, no_progress, wrap_progress

__all__ = ["Cancelled", "CancelToken", "Progress", "no_progress", "run_child", "wrap_progress"]
