"""Background jobs: a ``QRunnable`` whose signals live on a separate ``QObject`` (superqt's shape).

Rules (see STYLE.md "Long jobs"):

* The job is a plain callable ``fn(*args, progress=..., cancel=..., **kwargs)``; core checks
  the token between batches. Cancellation is cooperative, never a killed thread.
* Heavy jobs (model, analysis, training, report) run on ``heavy_pool()``, one thread, so two
  of them never compete for the CPU or share an Engine. Light jobs (previews, counts) use
  the global pool.
* Signals: ``progress(float, str)`` throttled to ~1 % steps, ``finished(object)``,
  ``failed(object)`` (the one-line message of a ``UserError``, or a pointer to the crash
  log for anything unexpected), ``cancelled()`` (show nothing).
* A window owns its jobs through a ``JobSlot``: starting a job cancels the slot's previous
  one; ``cancel_and_wait`` is what a closing window calls.
* ``ProcessWorker`` has the same interface but runs the job in a child process ('spawn'),
  for analysis, training and report writing: their Python code holds the GIL and would
  stall the event loop (bench/bench_gui.py measured 300-570 ms). Its pool thread only
  pumps the child's messages (``core.jobs.process`` has the protocol). A job that writes
  the project opens it with ``Project.open(path, lock=False)``: the window keeps its own
  handle, and the project lock, for the whole job, so labels given meanwhile are written
  at once (SQLite serialises the two processes' transactions) and no other ReviewLens
  window can take the project in between.
"""
from __future__ import annotations

import multiprocessing
import threading
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal

from core.errors import UserError
from core.jobs import Cancelled, CancelToken, run_child
from gui.crash_log import write_child_crash_log, write_crash_log
from gui.i18n import tr

_heavy: QThreadPool | None = None
_running: set["Worker"] = set()
_running_lock = threading.Lock()


def heavy_pool() -> QThreadPool:
    """The one-thread pool for heavy jobs (created on first use, thread never expires)."""
    global _heavy
    if _heavy is None:
        _heavy = QThreadPool()
        _heavy.setMaxThreadCount(1)
        _heavy.setExpiryTimeout(-1)  # keep the thread: an Engine created there stays on it
    return _heavy


def shutdown_pools(timeout_ms: int = 60000) -> None:
    """At exit: cancel what still runs, wait for the pool threads, drop cached engines, so
    no Qt thread or ONNX session is alive while Python finalises."""
    global _heavy
    for w in running_workers():
        w.cancel()
    if _heavy is not None:
        _heavy.waitForDone(timeout_ms)
    QThreadPool.globalInstance().waitForDone(timeout_ms)
    from gui import session

    session._engines.clear()
    _heavy = None


def light_pool() -> QThreadPool:
    return QThreadPool.globalInstance()


def running_workers() -> list["Worker"]:
    with _running_lock:
        return [w for w in _running if not w.is_done]


class WorkerSignals(QObject):
    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()


class Worker(QRunnable):
    """Runs ``fn(*args, progress=, cancel=, **kwargs)`` on a pool thread. Create and start it
    from the GUI thread; connect to ``signals`` before ``start``."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python keeps the reference; Qt must not delete it under us
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = WorkerSignals()
        self.token = CancelToken()
        self._done = threading.Event()
        self._last_pct = -1
        self.result: Any = None
        self.error: str | None = None

    # -- control (GUI thread) --------------------------------------------------------
    def start(self, pool: QThreadPool | None = None) -> "Worker":
        with _running_lock:
            _running.add(self)
        (pool or heavy_pool()).start(self)
        return self

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def is_done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the job ends (processing no events). True if it ended."""
        return self._done.wait(timeout)

    # -- pool thread ------------------------------------------------------------------
    def _progress(self, fraction: float, message: str) -> None:
        fraction = max(0.0, min(1.0, float(fraction)))
        pct = int(fraction * 100)
        if pct != self._last_pct:  # ~1 % steps: a 100k-row job must not flood the event loop
            self._last_pct = pct
            self.signals.progress.emit(fraction, message)  # the real fraction: shown percents agree with it

    def run(self) -> None:  # noqa: D401 - QRunnable API
        try:
            self.token.check()
            self.result = self.fn(*self.args, progress=self._progress, cancel=self.token, **self.kwargs)
        except Cancelled:
            self._finish(self.signals.cancelled.emit)
        except UserError as exc:
            message = self.error = exc.message  # not ``exc`` in the lambda: Python unbinds it after the block
            self._finish(lambda: self.signals.failed.emit(message))
        except Exception as exc:  # noqa: BLE001 - reported to the user, logged in full
            path = write_crash_log(type(exc), exc, exc.__traceback__)
            self.error = tr("unexpected", kind=type(exc).__name__, path=path)
            traceback.print_exc()
            self._finish(lambda: self.signals.failed.emit(self.error))
        else:
            self._finish(lambda: self.signals.finished.emit(self.result))

    def _finish(self, emit: Callable[[], None]) -> None:
        self._done.set()
        with _running_lock:
            _running.discard(self)
        try:
            emit()
        except RuntimeError:  # signals object already gone (window closed): nothing to tell
            pass


def _crash_message(kind: str, text: str) -> str:
    """Write a child's traceback to the crash folder; the one-line message for the dialog."""
    try:
        path = write_child_crash_log(text)
    except OSError:
        path = "?"
    return tr("unexpected", kind=kind, path=path)


class ProcessWorker(Worker):
    """A ``Worker`` whose job runs in a child process (see the module docstring).

    ``fn`` must be a module-level function whose module imports no Qt (the child imports
    it by name); args, kwargs and the result must be picklable. The child gets the
    parent's environment (``REVIEWLENS_HOME``, settings passed as arguments). Cancel is
    sent down a pipe and honoured cooperatively; a child that has not ended
    ``KILL_AFTER`` seconds after a cancel is terminated (SQLite keeps the project
    consistent: every write is a transaction).
    """

    KILL_AFTER = 30.0

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self.pid: int | None = None

    def run(self) -> None:  # noqa: D401 - QRunnable API
        try:
            self.token.check()
            ctx = multiprocessing.get_context("spawn")
            cmd_read, cmd_write = ctx.Pipe(duplex=False)
            msg_read, msg_write = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=run_child, args=(cmd_read, msg_write, self.fn, self.args, self.kwargs),
                               name=f"reviewlens-{getattr(self.fn, '__name__', 'job')}")
            proc.start()
        except Cancelled:
            return self._finish(self.signals.cancelled.emit)
        except Exception as exc:  # noqa: BLE001 - e.g. unpicklable arguments: report, never hang
            message = _crash_message(type(exc).__name__, traceback.format_exc())
            self.error = message
            return self._finish(lambda: self.signals.failed.emit(message))
        self.pid = proc.pid
        cmd_read.close()  # our copies of the child's ends: EOF reaches us when the child exits
        msg_write.close()
        outcome: tuple | None = None
        cancel_sent_at: float | None = None
        try:
            while outcome is None:
                if self.token.cancelled and cancel_sent_at is None:
                    cancel_sent_at = time.monotonic()
                    try:
                        cmd_write.send(("cancel",))
                    except OSError:
                        pass
                if cancel_sent_at is not None and time.monotonic() - cancel_sent_at > self.KILL_AFTER:
                    proc.terminate()
                    outcome = ("cancelled",)
                    break
                try:
                    if not msg_read.poll(0.05):
                        continue
                    msg = msg_read.recv()
                except (EOFError, OSError):  # the child ended without an outcome (killed, crashed hard)
                    break
                if msg[0] == "progress":
                    self._progress(msg[1], msg[2])
                else:
                    outcome = msg
        finally:
            cmd_write.close()
            msg_read.close()
            proc.join(10)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
        if outcome is None:
            if self.token.cancelled:
                outcome = ("cancelled",)
            else:
                outcome = ("crash", "ProcessExit",
                           f"the job process {proc.pid} ended with exit code {proc.exitcode} and no result")
        kind = outcome[0]
        if kind == "finished":
            self.result = outcome[1]
            self._finish(lambda: self.signals.finished.emit(self.result))
        elif kind == "cancelled":
            self._finish(self.signals.cancelled.emit)
        else:
            message = outcome[1] if kind == "failed" else _crash_message(outcome[1], outcome[2])
            self.error = message
            self._finish(lambda: self.signals.failed.emit(message))


class JobSlot:
    """One window's current job: starting another cancels this one first."""

    def __init__(self) -> None:
        self.worker: Worker | None = None

    def start(self, worker: Worker, pool: QThreadPool | None = None) -> Worker:
        self.cancel()
        self.worker = worker
        return worker.start(pool)

    @property
    def busy(self) -> bool:
        return self.worker is not None and not self.worker.is_done

    def cancel(self) -> None:
        if self.worker is not None and not self.worker.is_done:
            self.worker.cancel()

    def cancel_and_wait(self, timeout: float = 60.0) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait(timeout)
            # deliver queued finished/cancelled signals so nothing fires after the window is gone
            QCoreApplication.processEvents()


class Eta:
    """Remaining-time estimate from progress fractions (smoothed by elapsed time)."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def text(self, fraction: float) -> str:
        """"1 min 05 s" left, or "" when unknown yet or done (never "1 s left" at 100 %)."""
        elapsed = time.monotonic() - self.start
        if fraction <= 0.02 or fraction >= 0.995 or elapsed < 1.0:
            return ""
        left = elapsed * (1 - fraction) / fraction
        if left < 60:
            return f"{int(left) + 1} s"
        return f"{int(left // 60)} min {int(left % 60):02d} s"


def percent(fraction: float) -> int:
    """The percent every progress display shows for ``fraction`` (bar and text alike)."""
    return int(round(max(0.0, min(1.0, fraction)) * 100))


def progress_line(fraction: float, message: str, eta: Eta | None = None) -> str:
    """One line for a running job: the step's own message (its counts are the step's, e.g.
    "20,480 / 23,010 reviews"), the whole job's percent labelled as such (the bar's figure),
    then the time left. Done and cancelled jobs show their own words instead, never an ETA."""
    parts = [message] if message else []
    parts.append(tr("overall", p=percent(fraction)))
    left = eta.text(fraction) if eta is not None else ""
    if left:
        parts.append(tr("eta", s=left))
    return " · ".join(parts)
