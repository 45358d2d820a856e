"""A shop's project: one SQLite file holding reviews, labels, predictions and model versions.

File and durability rules:

* Every write is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``). The database runs
  with a rollback journal (``journal_mode=DELETE``) and ``synchronous=FULL``, so a label is
  in the project file itself when ``set_label`` returns: killing the process at any moment
  loses at most the label being written, and the file always opens again.
* Why not WAL: SQLite's locks are POSIX ``fcntl`` locks, which the kernel drops for the
  whole process when *any* descriptor of the file in that process is closed. Qt's file
  dialog sniffs the files of the folder it shows (the projects folder), which opens and
  closes the project file inside the app's process; the app's connection then held no
  lock, and the next job process that closed its own connection believed it was the last
  one, checkpointed and *deleted* the ``-wal``/``-shm`` files the app was still writing
  labels into. Nothing reached the project file until the app closed, and a crash lost
  every label (issue 17). With a rollback journal no lock is held between transactions
  and there is no shared ``-wal``/``-shm`` state to lose; older WAL projects are switched
  over when opened for writing (``_leave_wal``).
* Single writer: opening a project for writing takes an OS lock on the sidecar file
  ``<project>.lock`` (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows). The OS drops
  the lock when the process dies, so a crashed or killed window never leaves a stale lock.
  A second writer gets a ``UserError`` naming the pid holding it. ``readonly=True`` opens
  take no lock (SQLite's WAL lets readers run next to the writer).
* The schema and its migrations live in ``core/project/schema.py``.

Threading: a Project is used from one thread at a time (the GUI's single job thread).
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import pandas as pd

from core import __version__
from core.errors import UserError
from core.jobs import CancelToken, Progress
from core.project.schema import ASPECT_TASK, SCHEMA_VERSION, create_schema, label_slot, migrate
from core.text import text_hash

REVIEW_COLUMNS = ("text", "rating", "date", "product", "sku", "followup", "reply")
LABEL_SOURCES = ("owner", "import")
_TASK_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_BATCH = 1000


def _text_hash(text: str) -> str:
    """sha1 of the normalised text: the dedup key, equal to the model-output cache key
    (``core.text.text_hash``: NFKC, invisible characters and HTML removed, whitespace runs
    collapsed; case kept because it can change a model's reading)."""
    return text_hash(text)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Task:
    """A labelling task: ``kind`` 'single' (one value per review) or 'multi'."""

    name: str
    kind: str
    labels: tuple[str, ...]
    builtin: bool


def _leave_wal(conn: sqlite3.Connection) -> None:
    """Put the file in rollback-journal mode (see the module docstring for why not WAL).

    Switching a WAL file needs it to be unused by other connections; a reader still open
    elsewhere makes SQLite keep WAL for now, so retry briefly, then carry on (the next
    open for writing switches it).
    """
    for _ in range(20):
        try:
            if str(conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]).lower() == "delete":
                return
        except sqlite3.OperationalError:  # "database is locked": a reader elsewhere
            pass
        time.sleep(0.05)


class _ProjectLock:
    """An exclusive OS lock on ``<project>.lock``; released by the OS if the process dies."""

    _PID_OFFSET = 16  # Windows locks byte 0 only, so the pid stays readable by others

    def __init__(self, project_path: Path) -> None:
        self.path = project_path.with_name(project_path.name + ".lock")
        self._fh: Any = None

    def acquire(self, project_path: Path) -> None:
        fh = open(self.path, "a+b")
        try:
            self._lock(fh)
        except OSError:
            fh.seek(self._PID_OFFSET)
            pid = fh.read(32).decode("ascii", "replace").strip() or "unknown"
            fh.close()
            raise UserError(f"Project {project_path} is already open in another ReviewLens window (pid {pid}): "
                            "close it there first.") from None
        fh.seek(self._PID_OFFSET)
        fh.truncate()
        fh.write(str(os.getpid()).encode("ascii"))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is None:
            return
        try:
            self._unlock(self._fh)
        finally:
            self._fh.close()
            self._fh = None

    if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
        @staticmethod
        def _lock(fh: Any) -> None:
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

        @staticmethod
        def _unlock(fh: Any) -> None:
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        @staticmethod
        def _lock(fh: Any) -> None:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

        @staticmethod
        def _unlock(fh: Any) -> None:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class Project:
    """An open project file. Use ``Project.create`` / ``Project.open``, ideally as a context manager."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock: _ProjectLock | None, readonly: bool) -> None:
        self.path = path
        self.readonly = readonly
        self._conn = conn
        self._lock = lock
        self._depth = 0
        self._tasks: dict[str, Task] | None = None

    # -- opening and closing --------------------------------------------------
    @classmethod
    def create(cls, path: Path | str) -> Project:
        """Create a new project file; refuses to overwrite an existing one."""
        path = Path(path)
        if path.exists():
            raise UserError(f"Project {path} already exists: open it, or choose another file name.")
        if not path.parent.is_dir():
            raise UserError(f"Folder {path.parent} does not exist: choose an existing folder for the project.")
        lock = _ProjectLock(path)
        lock.acquire(path)
        try:
            conn = cls._connect(path, readonly=False)
            project = cls(path, conn, lock, readonly=False)
            with project.transaction():
                create_schema(conn, created=_now(), app_version=__version__)
        except BaseException:
            lock.release()
            raise
        return project

    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False, lock: bool = True) -> Project:
        """Open an existing project, migrating an older schema (writers only) in one transaction.

        ``lock=False`` opens for writing without taking the project lock. Only for a job
        whose starter already holds the lock on its behalf (the desktop app's job process:
        the window keeps its handle open while the job runs); SQLite's own locking still
        serialises the two connections' transactions.
        """
        path = Path(path)
        if not path.is_file():
            raise UserError(f"Project {path} does not exist: check the path, or create a new project.")
        lock_ = None
        if not readonly and lock:
            lock_ = _ProjectLock(path)
            lock_.acquire(path)
        try:
            conn = cls._connect(path, readonly=readonly)
            project = cls(path, conn, lock_, readonly=readonly)
            project._check_version()
        except BaseException:
            if lock_ is not None:
                lock_.release()
            raise
        return project

    @staticmethod
    def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
        try:
            if readonly:
                conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                       timeout=10)
            else:
                conn = sqlite3.connect(str(path), isolation_level=None, timeout=10)
                _leave_wal(conn)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise UserError(f"Project {path} is not a ReviewLens project or is damaged ({exc}): "
                            "choose another file or restore a backup.") from None
        return conn

    def _check_version(self) -> None:
        try:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError:
            row = None
        if row is None:
            raise UserError(f"Project {self.path} is not a ReviewLens project (no schema version): "
                            "choose another file.")
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise UserError(f"Project {self.path} was written by a newer ReviewLens (schema {version}, "
                            f"this one reads up to {SCHEMA_VERSION}): update ReviewLens.")
        if version < SCHEMA_VERSION:
            if self.readonly:
                raise UserError(f"Project {self.path} uses an older format (schema {version}): "
                                "open it once for writing to upgrade it.")
            with self.transaction():
                migrate(self._conn, version)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None  # type: ignore[assignment]
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])

    def integrity_check(self) -> str:
        return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])

    # -- transactions ------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested uses join the outer one (all or nothing)."""
        if self.readonly:
            raise UserError(f"Project {self.path} was opened read-only: open it for writing to change it.")
        if self._depth:
            self._depth += 1
            try:
                yield self._conn
            finally:
                self._depth -= 1
            return
        self._conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self._conn
        except BaseException:
            self._depth = 0
            self._conn.execute("ROLLBACK")
            self._tasks = None
            raise
        self._depth = 0
        self._conn.execute("COMMIT")

    # -- tasks -------------------------------------------------------------------
    def tasks(self) -> dict[str, Task]:
        if self._tasks is None:
            self._tasks = {
                name: Task(name, kind, tuple(json.loads(labels)), bool(builtin))
                for name, kind, labels, builtin in self._conn.execute("SELECT name, kind, labels, builtin FROM tasks")
            }
        return dict(self._tasks)

    def task(self, name: str) -> Task:
        tasks = self.tasks()
        if name not in tasks:
            raise UserError(f"Task '{name}' does not exist in project {self.path.name}: "
                            f"use one of {', '.join(sorted(tasks))}, or add it first.")
        return tasks[name]

    def add_task(self, name: str, labels: Sequence[str], kind: str = "single") -> Task:
        """Add a custom task (lower-case name, at least two distinct labels)."""
        if not _TASK_NAME.match(name):
            raise UserError(f"Task name '{name}' is not allowed: use lower-case letters, digits and _ "
                            "(starting with a letter).")
        if kind not in ("single", "multi"):
            raise UserError(f"Task kind '{kind}' is not allowed: use single or multi.")
        clean = [str(label).strip() for label in labels if str(label).strip()]
        if len(set(clean)) != len(clean) or len(clean) < 2:
            raise UserError(f"Task '{name}' needs at least two different labels (got {', '.join(clean) or 'none'}).")
        if name in self.tasks():
            raise UserError(f"Task '{name}' already exists in project {self.path.name}: choose another name.")
        with self.transaction() as conn:
            conn.execute("INSERT INTO tasks(name, kind, labels, builtin) VALUES (?, ?, ?, 0)",
                         (name, kind, json.dumps(clean)))
        self._tasks = None
        return self.task(name)

    # -- reviews -------------------------------------------------------------------
    def add_reviews(
        self,
        frame_or_records: pd.DataFrame | Iterable[Mapping[str, Any]] | Any,
        *,
        source_path: str | Path,
        sheet: str | None = None,
        column_mapping: Mapping[str, str] | None = None,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> int:
        """Add reviews (canonical columns: text, rating, date, product, sku, followup, reply, source_row or row).

        Returns how many were inserted; reviews whose normalised text is already in the
        project are skipped, as are blank texts. All or nothing: a cancel rolls back the
        whole import. ``frame_or_records`` may also be a ReviewTable (its ``.frame`` is used).
        """
        frame = getattr(frame_or_records, "frame", frame_or_records)
        if not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame(list(frame))
        if "text" not in frame.columns:
            raise UserError(f"Reviews from {source_path} have no text column: choose the column that holds "
                            "the review text.")
        total = len(frame)
        inserted = 0
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO sources(path, sheet, imported_at, column_mapping) VALUES (?, ?, ?, ?)",
                (str(source_path), sheet, _now(), json.dumps(dict(column_mapping or {}), ensure_ascii=False)))
            source_id = cur.lastrowid
            records = frame.to_dict("records")
            for start in range(0, total, _BATCH):
                if cancel is not None:
                    cancel.check()
                rows = []
                for i, rec in enumerate(records[start:start + _BATCH], start):
                    text = _clean(rec.get("text"))
                    if not text:
                        continue
                    source_row = _clean(rec.get("source_row"))  # ReviewTable: the row a spreadsheet shows
                    if source_row is None:
                        source_row = _clean(rec.get("row"))
                    rows.append((_text_hash(text), text, _number(rec.get("rating")), _date(rec.get("date")),
                                 *(_clean(rec.get(c)) for c in ("product", "sku", "followup", "reply")),
                                 source_id, int(source_row) if source_row is not None else i + 2))
                before = conn.total_changes
                conn.executemany(
                    "INSERT OR IGNORE INTO reviews(text_hash, text, rating, date, product, sku, followup, reply, "
                    "source_id, source_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                inserted += conn.total_changes - before
                if progress is not None:
                    done = min(start + _BATCH, total)
                    progress(done / max(total, 1), f"{done:,} / {total:,} reviews")
        return inserted

    def review_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM reviews").fetchone()[0])

    def review_ids_for_texts(self, texts: Sequence[str]) -> list[int | None]:
        """The review id of each text (matched by normalised-text hash), None where absent."""
        out: list[int | None] = []
        for text in texts:
            row = self._conn.execute("SELECT id FROM reviews WHERE text_hash = ?", (_text_hash(text),)).fetchone()
            out.append(int(row[0]) if row else None)
        return out

    def reviews(
        self,
        limit: int | None = None,
        offset: int = 0,
        *,
        product: str | None = None,
        source_id: int | None = None,
        contains: str | None = None,
        min_rating: float | None = None,
        max_rating: float | None = None,
        unlabeled_for: str | None = None,
        ids: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """Reviews in id order, filtered; columns id, text, rating, date, product, sku, followup, reply,
        source_id, source_row."""
        where, params = [], []
        if product is not None:
            where.append("product = ?")
            params.append(product)
        if source_id is not None:
            where.append("source_id = ?")
            params.append(source_id)
        if contains:
            where.append("instr(lower(text), lower(?)) > 0")
            params.append(contains)
        if min_rating is not None:
            where.append("rating >= ?")
            params.append(min_rating)
        if max_rating is not None:
            where.append("rating <= ?")
            params.append(max_rating)
        if unlabeled_for is not None:
            where.append("id NOT IN (SELECT review_id FROM labels WHERE task = ?)")
            params.append(unlabeled_for)
        if ids is not None:
            where.append(f"id IN ({','.join('?' * len(ids))})" if ids else "0")
            params.extend(int(i) for i in ids)
        sql = ("SELECT id, text, rating, date, product, sku, followup, reply, source_id, source_row FROM reviews"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id")
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params.extend([-1 if limit is None else int(limit), int(offset)])
        return pd.read_sql_query(sql, self._conn, params=params)

    def sources(self) -> pd.DataFrame:
        frame = pd.read_sql_query("SELECT id, path, sheet, imported_at, column_mapping FROM sources ORDER BY id",
                                  self._conn)
        frame["column_mapping"] = frame["column_mapping"].map(json.loads)
        return frame

    # -- labels ------------------------------------------------------------------
    def check_label(self, task: str, value: str) -> str:
        """Return ``value`` if it is a valid label of ``task``, else raise UserError."""
        t = self.task(task)
        if task == ASPECT_TASK:
            aspect, _, polarity = value.rpartition(":")
            if aspect.strip() and polarity in t.labels:
                return value
            raise UserError(f"Aspect label '{value}' is not 'aspect:polarity': write e.g. 'price:negative' "
                            f"with polarity one of {', '.join(t.labels)}.")
        if value not in t.labels:
            raise UserError(f"Label '{value}' is not a label of task '{task}': use one of {', '.join(t.labels)}.")
        return value

    def set_label(self, review_id: int, task: str, value: str, source: str = "owner") -> None:
        """Label one review (durable when this returns). Single-choice tasks replace the old value."""
        self.set_labels(task, [(review_id, value)], source=source)

    def set_labels(self, task: str, pairs: Iterable[tuple[int, str]], *, source: str = "owner") -> int:
        """Label many reviews in one transaction; returns how many label rows were written."""
        if source not in LABEL_SOURCES:
            raise ValueError(f"label source must be one of {LABEL_SOURCES}, not {source!r}")
        kind = self.task(task).kind
        rows = [(int(rid), task, self.check_label(task, str(v)), label_slot(task, kind, str(v)), _now(), source)
                for rid, v in pairs]
        with self.transaction() as conn:
            missing = [r[0] for r in rows
                       if conn.execute("SELECT 1 FROM reviews WHERE id = ?", (r[0],)).fetchone() is None]
            if missing:
                raise UserError(f"Review {missing[0]} is not in project {self.path.name}: reload the review list.")
            conn.executemany(
                "INSERT INTO labels(review_id, task, value, slot, created_at, source) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(review_id, task, slot) DO UPDATE SET value = excluded.value, "
                "created_at = excluded.created_at, source = excluded.source", rows)
        return len(rows)

    def remove_label(self, review_id: int, task: str, value: str | None = None) -> int:
        """Remove a review's label(s) for ``task`` (one value, or all when None): the undo of set_label."""
        with self.transaction() as conn:
            if value is None:
                cur = conn.execute("DELETE FROM labels WHERE review_id = ? AND task = ?", (review_id, task))
            else:
                cur = conn.execute("DELETE FROM labels WHERE review_id = ? AND task = ? AND value = ?",
                                   (review_id, task, value))
            return cur.rowcount

    def labels(self, task: str | None = None) -> pd.DataFrame:
        """Columns review_id, text, task, value, source, created_at (one row per value)."""
        sql = ("SELECT l.review_id, r.text, l.task, l.value, l.source, l.created_at FROM labels l "
               "JOIN reviews r ON r.id = l.review_id")
        params: list[Any] = []
        if task is not None:
            sql += " WHERE l.task = ?"
            params.append(task)
        return pd.read_sql_query(sql + " ORDER BY l.review_id, l.task, l.value", self._conn, params=params)

    def label_counts(self, task: str) -> dict[str, int]:
        rows = self._conn.execute("SELECT value, count(*) FROM labels WHERE task = ? GROUP BY value ORDER BY value",
                                  (task,))
        return {value: int(n) for value, n in rows}

    # -- predictions and model versions ----------------------------------------
    def save_predictions(self, model_version: str, task: str, rows: Iterable[Mapping[str, Any] | Sequence[Any]]) -> int:
        """Store (review_id, label, confidence, probs) rows (dicts or tuples); replaces older ones."""
        data = []
        for row in rows:
            if isinstance(row, Mapping):
                rid, label, conf, probs = row["review_id"], row["label"], row["confidence"], row["probs"]
            else:
                rid, label, conf, probs = row
            probs = probs.tolist() if hasattr(probs, "tolist") else probs
            data.append((int(rid), model_version, task, str(label), float(conf), json.dumps(probs)))
        with self.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO predictions(review_id, model_version, task, label, confidence, "
                             "probs) VALUES (?, ?, ?, ?, ?, ?)", data)
        return len(data)

    def predictions(self, model_version: str, task: str) -> pd.DataFrame:
        frame = pd.read_sql_query(
            "SELECT review_id, label, confidence, probs FROM predictions WHERE model_version = ? AND task = ? "
            "ORDER BY review_id", self._conn, params=[model_version, task])
        frame["probs"] = frame["probs"].map(json.loads)
        return frame

    def record_model_version(self, version: str, *, task: str, path: str | Path, metrics: Mapping[str, Any] | None = None,
                             active: bool = False, created_at: str | None = None) -> None:
        """Remember a model version trained from this project (``active`` clears the task's others)."""
        with self.transaction() as conn:
            if active:
                conn.execute("UPDATE model_versions SET active = 0 WHERE task = ?", (task,))
            conn.execute("INSERT OR REPLACE INTO model_versions(version, task, path, created_at, metrics, active) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (version, task, str(path), created_at or _now(), json.dumps(dict(metrics or {})), int(active)))

    def model_versions(self) -> pd.DataFrame:
        frame = pd.read_sql_query("SELECT version, task, path, created_at, metrics, active FROM model_versions "
                                  "ORDER BY created_at, version", self._conn)
        frame["metrics"] = frame["metrics"].map(json.loads)
        frame["active"] = frame["active"].astype(bool)
        return frame

    def info(self) -> dict[str, Any]:
        meta = dict(self._conn.execute("SELECT key, value FROM meta"))
        return {
            "path": str(self.path),
            "schema_version": int(meta.get("schema_version", 0)),
            "created": meta.get("created"),
            "app_version": meta.get("app_version"),
            "reviews": self.review_count(),
            "sources": int(self._conn.execute("SELECT count(*) FROM sources").fetchone()[0]),
            "labels": {name: self.label_counts(name) for name in sorted(self.tasks())},
            "model_versions": int(self._conn.execute("SELECT count(*) FROM model_versions").fetchone()[0]),
        }


def _clean(value: Any) -> Any:
    """None for missing cells; stripped strings; everything else unchanged."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | None:
    value = _clean(value)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _date(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    return _clean(value)
