"""Progress reporting and cooperative cancellation for long core jobs (no Qt).

A job is a plain function taking ``progress: Progress`` and ``cancel: CancelToken``.
Core calls ``cancel.check()`` once per batch (training: once per step); when the token
is set, ``check`` raises ``Cancelled`` and the job unwinds without side effects that
the user confirmed. ``progress(fraction, message)`` takes a fraction in [0, 1].
"""
from __future__ import annotations

import threading
from typing import Callable

Progress = Callable[[float, str], None]


class Cancelled(Exception):
    """Raised inside a job when its CancelToken was set. Not an error: show nothing."""


class CancelToken:
    """Thread-safe flag checked by jobs between batches."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


def no_progress(fraction: float, message: str) -> None:  # noqa: ARG001 - callback shape
    """A Progress that ignores everything."""


def wrap_progress(progress: Progress | None, start: float, end: float) -> Progress:
    """Map a sub-step's [0, 1] onto [start, end] of the parent's range."""
    if progress is None:
        return no_progress
    span = end - start

    def sub(fraction: float, message: str) -> None:
        progress(start + span * min(max(fraction, 0.0), 1.0), message)

    return sub
