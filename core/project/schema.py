"""The project file's SQLite schema, its version, and the migrations between versions.

File format rules (a project file must open in every later ReviewLens):

* ``meta`` holds ``schema_version`` (an integer as text), ``created`` and ``app_version``.
* ``SCHEMA_VERSION`` is the version this code writes. Opening an older file runs every
  migration ``n -> n + 1`` in one transaction (all or nothing); a newer file is refused
  with a ``UserError`` asking the user to update ReviewLens.
* A migration never drops user data (labels, reviews); it only reshapes it.

History:

* v1 (first release): ``reviews`` without ``sku``; ``labels(review_id, task, value,
  created_at)`` unique on ``(review_id, task, value)``, so a single-choice task could end
  up with two values for one review and nothing said who made a label.
* v2: ``reviews.sku``; ``labels.source`` ('owner' | 'import') and ``labels.slot``, the key
  that makes single-choice tasks single in the database itself (see ``labels`` below).

Labels design (v2): one row per label value, ``UNIQUE(review_id, task, slot)`` where

* single-choice tasks (``kind = 'single'``): ``slot = ''`` -> at most one value per review;
  setting a new value replaces the old one (an upsert);
* multi-choice tasks (``kind = 'multi'``): ``slot = value`` -> any number of distinct values;
* the builtin ``aspects`` task stores ``value = 'aspect:polarity'`` with ``slot = aspect`` ->
  any number of aspects per review, one polarity per (review, aspect).
"""
from __future__ import annotations

import json
import sqlite3
from typing import Callable

SCHEMA_VERSION = 2

SENTIMENT_LABELS = ("negative", "neutral", "positive")
INTENT_LABELS = ("complaint", "refund_return", "question", "suggestion", "praise", "repurchase",
                 "logistics_problem")
ASPECT_TASK = "aspects"

# name -> (kind, labels). For "aspects" the labels are the allowed polarities.
BUILTIN_TASKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sentiment": ("single", SENTIMENT_LABELS),
    ASPECT_TASK: ("multi", SENTIMENT_LABELS),
    "intents": ("multi", INTENT_LABELS),
}

SCHEMA_V2 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    sheet TEXT,
    imported_at TEXT NOT NULL,
    column_mapping TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    text_hash TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    rating REAL,
    date TEXT,
    product TEXT,
    sku TEXT,
    followup TEXT,
    reply TEXT,
    source_id INTEGER REFERENCES sources(id),
    source_row INTEGER
);
CREATE INDEX reviews_product ON reviews(product);
CREATE TABLE tasks (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('single', 'multi')),
    labels TEXT NOT NULL,
    builtin INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    task TEXT NOT NULL REFERENCES tasks(name),
    value TEXT NOT NULL,
    slot TEXT NOT NULL,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'owner' CHECK (source IN ('owner', 'import')),
    UNIQUE (review_id, task, slot)
);
CREATE INDEX labels_task ON labels(task, value);
CREATE TABLE predictions (
    review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    model_version TEXT NOT NULL,
    task TEXT NOT NULL,
    label TEXT NOT NULL,
    confidence REAL NOT NULL,
    probs TEXT NOT NULL,
    PRIMARY KEY (review_id, model_version, task)
);
CREATE TABLE model_versions (
    version TEXT NOT NULL,
    task TEXT NOT NULL,
    path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    metrics TEXT NOT NULL DEFAULT '{}',
    active INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (version, task)
);
"""


def label_slot(task: str, kind: str, value: str) -> str:
    """The uniqueness key of a label row (see the module docstring)."""
    if task == ASPECT_TASK:
        return value.rsplit(":", 1)[0]
    return "" if kind == "single" else value


def create_schema(conn: sqlite3.Connection, *, created: str, app_version: str) -> None:
    """Write a fresh current-version schema with the builtin tasks (caller holds a transaction)."""
    for statement in _statements(SCHEMA_V2):
        conn.execute(statement)
    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", [
        ("schema_version", str(SCHEMA_VERSION)), ("created", created), ("app_version", app_version)])
    conn.executemany("INSERT INTO tasks(name, kind, labels, builtin) VALUES (?, ?, ?, 1)",
                     [(name, kind, json.dumps(list(labels))) for name, (kind, labels) in BUILTIN_TASKS.items()])


def _statements(script: str) -> list[str]:
    # executescript() commits implicitly, which would break the all-or-nothing rule.
    return [s.strip() for s in script.split(";") if s.strip()]


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE reviews ADD COLUMN sku TEXT")
    kinds = {name: kind for name, kind in conn.execute("SELECT name, kind FROM tasks")}
    conn.execute("ALTER TABLE labels RENAME TO labels_v1")
    conn.execute("DROP INDEX IF EXISTS labels_task")
    for statement in _statements(SCHEMA_V2):
        if "CREATE TABLE labels" in statement or "CREATE INDEX labels_task" in statement:
            conn.execute(statement)
    # v1 labels were all typed by the owner. Where v1 let a single-choice task hold two
    # values for one review, the newest one (highest id) wins, as it did in the v1 UI.
    rows = conn.execute("SELECT id, review_id, task, value, created_at FROM labels_v1 ORDER BY id").fetchall()
    for _id, review_id, task, value, created_at in rows:
        slot = label_slot(task, kinds.get(task, "multi"), value)
        conn.execute(
            "INSERT INTO labels(review_id, task, value, slot, created_at, source) VALUES (?, ?, ?, ?, ?, 'owner') "
            "ON CONFLICT(review_id, task, slot) DO UPDATE SET value = excluded.value, "
            "created_at = excluded.created_at",
            (review_id, task, value, slot, created_at))
    conn.execute("DROP TABLE labels_v1")


# MIGRATIONS[n] upgrades a version-n file to version n + 1, inside the caller's transaction.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1_to_2}


def migrate(conn: sqlite3.Connection, from_version: int) -> int:
    """Run every migration from ``from_version`` up to SCHEMA_VERSION (caller holds a transaction)."""
    version = from_version
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](conn)
        version += 1
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    return version
