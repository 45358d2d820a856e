"""The child side of a job run in a separate process (no Qt).

Why a process: analysis and training spend much of their time in Python code that holds
the GIL (tokenizer glue, pandas/numpy object work, openpyxl, torch's Python layers). Run in
a thread of the desktop app, that starves the UI event loop for hundreds of ms. A child
started with multiprocessing's 'spawn' context has its own interpreter and GIL; the parent
(``gui.workers.ProcessWorker``) only pumps messages.

Protocol (two one-way pipes, so no connection is used by two threads in both directions):

* parent -> child, ``commands``: ``("cancel",)``. End of file (the parent died or closed
  its end) also cancels: an orphaned job stops at its next ``cancel.check()``.
* child -> parent, ``messages``: ``("progress", fraction, text)`` in ~1 % steps, then
  exactly one of ``("finished", result)``, ``("cancelled",)``, ``("failed", one_line)`` for
  a ``UserError``, ``("crash", exception type name, traceback text)`` for anything else
  (the parent writes the crash log; the child owns no user-facing file).

The job is the same plain function the CLI or a thread would call:
``fn(*args, progress=, cancel=, **kwargs)``; it must be importable by name (module level)
and its arguments and result picklable.
"""
from __future__ import annotations

import threading
import traceback
from typing import Any, Callable

from core.errors import UserError
from core.jobs.progress import Cancelled, CancelToken


def _watch(commands: Any, token: CancelToken) -> None:
    try:
        while True:
            msg = commands.recv()
            if msg and msg[0] == "cancel":
                token.cancel()
    except (EOFError, OSError):  # parent gone or closed its end: nobody wants the result
        token.cancel()


def run_child(commands: Any, messages: Any, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    """Entry point of the job process (``multiprocessing.Process(target=run_child, ...)``)."""
    token = CancelToken()
    threading.Thread(target=_watch, args=(commands, token), daemon=True, name="job-cancel-watch").start()
    last = [-1]

    def progress(fraction: float, text: str) -> None:
        pct = int(max(0.0, min(1.0, float(fraction))) * 100)
        if pct != last[0]:
            last[0] = pct
            messages.send(("progress", pct / 100.0, str(text)))

    try:
        token.check()
        result = fn(*args, progress=progress, cancel=token, **kwargs)
        outcome: tuple = ("finished", result)
    except Cancelled:
        outcome = ("cancelled",)
    except UserError as exc:
        outcome = ("failed", exc.message)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which logs it
        outcome = ("crash", type(exc).__name__, "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    try:
        messages.send(outcome)
    except (BrokenPipeError, EOFError, OSError):
        pass  # the parent is gone
    except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result: still one message
        messages.send(("crash", type(exc).__name__, "".join(traceback.format_exception(type(exc), exc,
                                                                                      exc.__traceback__))))
    finally:
        messages.close()
