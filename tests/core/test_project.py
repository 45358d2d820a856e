from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from core.errors import UserError
from core.jobs import Cancelled, CancelToken
from core.project import SCHEMA_VERSION, Project

HELPER = Path(__file__).with_name("kill_writer.py")


def _frame(texts, **cols):
    return pd.DataFrame({"text": texts, **cols})


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "shop.rlproj") as p:
        yield p


def test_create_has_builtin_tasks_and_meta(project):
    tasks = project.tasks()
    assert tasks["sentiment"].kind == "single"
    assert tasks["sentiment"].labels == ("negative", "neutral", "positive")
    assert tasks["intents"].kind == "multi" and "logistics_problem" in tasks["intents"].labels
    assert tasks["aspects"].kind == "multi"
    assert all(t.builtin for t in tasks.values())
    assert project.schema_version == SCHEMA_VERSION
    assert project._conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_create_refuses_existing_file(tmp_path):
    Project.create(tmp_path / "a.rlproj").close()
    with pytest.raises(UserError, match="already exists"):
        Project.create(tmp_path / "a.rlproj")


def test_add_reviews_dedups_by_normalised_text(project):
    frame = _frame(["Great  phone", " Great phone", "Ｇｒｅａｔ phone", "bad battery", "", None],
                   rating=[5, 4, 5, 1, 3, 2], product=["A", "A", "A", "B", "B", None], sku=["s1", None, None, "s2",
                                                                                             None, None])
    assert project.add_reviews(frame, source_path="a.csv", sheet=None, column_mapping={"text": "评论"}) == 2
    assert project.add_reviews(_frame(["bad battery", "new one"]), source_path="b.csv") == 1
    assert project.review_count() == 3
    reviews = project.reviews()
    assert list(reviews["text"]) == ["Great  phone", "bad battery", "new one"]
    assert reviews.loc[0, "sku"] == "s1" and reviews.loc[0, "rating"] == 5
    assert list(reviews["source_row"]) == [2, 5, 3]  # spreadsheet rows (header = row 1)
    assert project.sources()["column_mapping"][0] == {"text": "评论"}
    assert list(project.reviews(product="B")["text"]) == ["bad battery"]
    assert list(project.reviews(limit=1, offset=1)["text"]) == ["bad battery"]
    assert list(project.reviews(max_rating=2)["text"]) == ["bad battery"]
    assert list(project.reviews(contains="BATT")["text"]) == ["bad battery"]


def test_add_reviews_accepts_records_and_cancel_rolls_back(project):
    records = [{"text": f"review {i}", "rating": 5} for i in range(2500)]
    token = CancelToken()
    seen = []

    def progress(fraction, message):
        seen.append(fraction)
        token.cancel()  # cancel after the first batch

    with pytest.raises(Cancelled):
        project.add_reviews(records, source_path="x.csv", progress=progress, cancel=token)
    assert seen and project.review_count() == 0
    assert project.sources().empty
    assert project.add_reviews(records, source_path="x.csv") == 2500


def test_single_multi_and_aspect_labels(project):
    project.add_reviews(_frame(["a", "b"]), source_path="x.csv")
    project.set_label(1, "sentiment", "positive")
    project.set_label(1, "sentiment", "negative")  # single: replaces
    project.set_label(1, "intents", "complaint")
    project.set_label(1, "intents", "question")
    project.set_label(1, "intents", "question")  # idempotent
    project.set_label(1, "aspects", "price:negative")
    project.set_label(1, "aspects", "price:positive")  # one polarity per aspect
    project.set_label(1, "aspects", "快递:negative")
    project.set_label(2, "sentiment", "negative", source="import")
    assert project.label_counts("sentiment") == {"negative": 2}
    assert project.label_counts("intents") == {"complaint": 1, "question": 1}
    assert project.label_counts("aspects") == {"price:positive": 1, "快递:negative": 1}
    labels = project.labels("sentiment")
    assert list(labels["source"]) == ["owner", "import"]
    assert project.remove_label(1, "intents", "question") == 1
    assert project.label_counts("intents") == {"complaint": 1}
    assert project.remove_label(1, "aspects") == 2
    assert list(project.reviews(unlabeled_for="intents")["id"]) == [2]


def test_bad_labels_are_user_errors(project):
    project.add_reviews(_frame(["a"]), source_path="x.csv")
    with pytest.raises(UserError, match="use one of negative, neutral, positive"):
        project.set_label(1, "sentiment", "great")
    with pytest.raises(UserError, match="aspect:polarity"):
        project.set_label(1, "aspects", "price")
    with pytest.raises(UserError, match="Task 'colour' does not exist"):
        project.set_label(1, "colour", "red")
    with pytest.raises(UserError, match="Review 99"):
        project.set_labels("sentiment", [(1, "positive"), (99, "positive")])
    assert project.label_counts("sentiment") == {}  # the batch was all or nothing


def test_custom_task(project):
    project.add_reviews(_frame(["a"]), source_path="x.csv")
    task = project.add_task("size_fit", ["too small", "fits", "too big"], "single")
    assert task.labels == ("too small", "fits", "too big") and not task.builtin
    project.set_label(1, "size_fit", "fits")
    assert project.label_counts("size_fit") == {"fits": 1}
    with pytest.raises(UserError, match="already exists"):
        project.add_task("size_fit", ["a", "b"])
    with pytest.raises(UserError, match="not allowed"):
        project.add_task("Bad Name", ["a", "b"])
    with pytest.raises(UserError, match="two different labels"):
        project.add_task("one", ["a"])


def test_predictions_and_model_versions(project):
    project.add_reviews(_frame(["a", "b"]), source_path="x.csv")
    import numpy as np

    project.save_predictions("v1", "sentiment", [
        {"review_id": 1, "label": "positive", "confidence": 0.9, "probs": np.array([0.05, 0.05, 0.9])},
        (2, "negative", 0.6, [0.6, 0.3, 0.1]),
    ])
    preds = project.predictions("v1", "sentiment")
    assert list(preds["label"]) == ["positive", "negative"]
    assert preds.loc[0, "probs"] == pytest.approx([0.05, 0.05, 0.9])
    assert project.predictions("v2", "sentiment").empty
    project.record_model_version("v1", task="sentiment", path="/m/v1", metrics={"f1": 0.8}, active=True)
    project.record_model_version("v2", task="sentiment", path="/m/v2", metrics={"f1": 0.85}, active=True)
    versions = project.model_versions()
    assert list(versions["active"]) == [False, True]
    assert versions.loc[1, "metrics"] == {"f1": 0.85}


def test_readonly_open_cannot_write(tmp_path):
    path = tmp_path / "p.rlproj"
    with Project.create(path) as p:
        p.add_reviews(_frame(["a"]), source_path="x.csv")
    with Project.open(path, readonly=True) as ro:
        assert ro.review_count() == 1
        with pytest.raises(UserError, match="read-only"):
            ro.set_label(1, "sentiment", "positive")


def test_not_a_project_and_newer_schema(tmp_path):
    junk = tmp_path / "junk.rlproj"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError, match="not a ReviewLens project"):
        Project.open(junk)
    path = tmp_path / "new.rlproj"
    Project.create(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(UserError, match="newer ReviewLens"):
        Project.open(path)
    with pytest.raises(UserError, match="does not exist"):
        Project.open(tmp_path / "missing.rlproj")


V1_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (id INTEGER PRIMARY KEY, path TEXT NOT NULL, sheet TEXT, imported_at TEXT NOT NULL,
                      column_mapping TEXT NOT NULL DEFAULT '{}');
CREATE TABLE reviews (id INTEGER PRIMARY KEY, text_hash TEXT NOT NULL UNIQUE, text TEXT NOT NULL, rating REAL,
                      date TEXT, product TEXT, followup TEXT, reply TEXT, source_id INTEGER, source_row INTEGER);
CREATE TABLE tasks (name TEXT PRIMARY KEY, kind TEXT NOT NULL, labels TEXT NOT NULL, builtin INTEGER NOT NULL);
CREATE TABLE labels (id INTEGER PRIMARY KEY, review_id INTEGER NOT NULL, task TEXT NOT NULL, value TEXT NOT NULL,
                     created_at TEXT NOT NULL, UNIQUE (review_id, task, value));
CREATE INDEX labels_task ON labels(task, value);
CREATE TABLE predictions (review_id INTEGER NOT NULL, model_version TEXT NOT NULL, task TEXT NOT NULL,
                          label TEXT NOT NULL, confidence REAL NOT NULL, probs TEXT NOT NULL,
                          PRIMARY KEY (review_id, model_version, task));
CREATE TABLE model_versions (version TEXT NOT NULL, task TEXT NOT NULL, path TEXT NOT NULL,
                             created_at TEXT NOT NULL, metrics TEXT NOT NULL DEFAULT '{}',
                             active INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (version, task));
INSERT INTO meta VALUES ('schema_version', '1'), ('created', '2025-01-01T00:00:00+00:00'), ('app_version', '0.0.9');
INSERT INTO sources VALUES (1, 'old.xlsx', 'Sheet1', '2025-01-01T00:00:00+00:00', '{"text": "评价"}');
INSERT INTO reviews VALUES (1, 'h1', '质量很好', 5, '2025-01-01', 'cup', NULL, NULL, 1, 2);
INSERT INTO reviews VALUES (2, 'h2', '物流太慢', 2, '2025-01-02', 'cup', NULL, '抱歉', 1, 3);
INSERT INTO tasks VALUES ('sentiment', 'single', '["negative", "neutral", "positive"]', 1);
INSERT INTO tasks VALUES ('aspects', 'multi', '["negative", "neutral", "positive"]', 1);
INSERT INTO tasks VALUES ('intents', 'multi', '["complaint", "refund_return", "question", "suggestion", "praise",
                          "repurchase", "logistics_problem"]', 1);
INSERT INTO labels VALUES (1, 1, 'sentiment', 'positive', '2025-01-01T00:00:00+00:00');
INSERT INTO labels VALUES (2, 2, 'sentiment', 'neutral', '2025-01-02T00:00:00+00:00');
INSERT INTO labels VALUES (3, 2, 'sentiment', 'negative', '2025-01-03T00:00:00+00:00');
INSERT INTO labels VALUES (4, 2, 'intents', 'complaint', '2025-01-03T00:00:00+00:00');
INSERT INTO labels VALUES (5, 2, 'intents', 'logistics_problem', '2025-01-03T00:00:00+00:00');
INSERT INTO labels VALUES (6, 2, 'aspects', '物流:negative', '2025-01-03T00:00:00+00:00');
INSERT INTO predictions VALUES (1, 'old', 'sentiment', 'positive', 0.9, '[0.05, 0.05, 0.9]');
"""


def test_migrates_version_1_file_keeping_data(tmp_path):
    path = tmp_path / "old.rlproj"
    conn = sqlite3.connect(path)
    conn.executescript(V1_SQL)
    conn.close()
    with Project.open(path) as p:
        assert p.schema_version == 2
        columns = {row[1] for row in p._conn.execute("PRAGMA table_info(reviews)")}
        assert "sku" in columns
        assert p.review_count() == 2
        assert p.reviews().loc[1, "reply"] == "抱歉"
        # v1 allowed two sentiment values for review 2; the newest one is kept.
        assert p.label_counts("sentiment") == {"negative": 1, "positive": 1}
        assert p.label_counts("intents") == {"complaint": 1, "logistics_problem": 1}
        assert set(p.labels()["source"]) == {"owner"}
        assert list(p.predictions("old", "sentiment")["label"]) == ["positive"]
        # the v2 rules hold on migrated data
        p.set_label(2, "aspects", "物流:neutral")
        assert p.label_counts("aspects") == {"物流:neutral": 1}
        p.set_label(1, "sentiment", "neutral", source="import")
        assert p.label_counts("sentiment") == {"negative": 1, "neutral": 1}
        assert p.integrity_check() == "ok"
    with Project.open(path) as p:  # opens again without migrating twice
        assert p.schema_version == 2


def test_failed_migration_leaves_file_at_version_1(tmp_path, monkeypatch):
    import core.project.schema as schema

    path = tmp_path / "old.rlproj"
    conn = sqlite3.connect(path)
    conn.executescript(V1_SQL)
    conn.close()

    def broken(conn):
        conn.execute("ALTER TABLE reviews ADD COLUMN sku TEXT")
        raise RuntimeError("disk trouble halfway")

    monkeypatch.setitem(schema.MIGRATIONS, 1, broken)
    with pytest.raises(RuntimeError):
        Project.open(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"
        assert "sku" not in {row[1] for row in conn.execute("PRAGMA table_info(reviews)")}


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(HELPER), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_second_process_is_refused_and_lock_dies_with_process(tmp_path):
    path = tmp_path / "p.rlproj"
    Project.create(path).close()
    child = _spawn("hold", str(path))
    try:
        assert child.stdout.readline().strip() == "open", child.stderr.read()
        with pytest.raises(UserError) as err:
            Project.open(path)
        assert str(err.value) == (f"Project {path} is already open in another ReviewLens window (pid {child.pid}): "
                                  "close it there first.")
        with Project.open(path, readonly=True) as ro:  # reading alongside the writer is fine
            assert ro.review_count() == 0
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate()
    with Project.open(path) as p:  # the killed process left no stale lock
        assert p.review_count() == 0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killed_writer_loses_no_committed_label(tmp_path):
    path = tmp_path / "p.rlproj"
    n_reviews, stride, rounds = 12000, 2000, 5
    with Project.create(path) as p:
        p.add_reviews(_frame([f"review number {i}" for i in range(n_reviews)]), source_path="x.csv")
    rng = random.Random(1234)
    committed: dict[int, str] = {}
    for round_no in range(rounds):
        child = _spawn("write", str(path), str(1 + round_no * stride))
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(rng.uniform(0.05, 0.5))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        assert child.returncode == -signal.SIGKILL
        for line in out.splitlines(keepends=True):
            parts = line.split()
            if line.endswith("\n") and len(parts) == 2:
                committed[int(parts[0])] = parts[1]
    assert len(committed) > rounds  # the children really wrote between kills
    with Project.open(path) as p:
        assert p.integrity_check() == "ok"
        stored = dict(zip(p.labels("sentiment")["review_id"], p.labels("sentiment")["value"]))
    missing = {rid: v for rid, v in committed.items() if stored.get(rid) != v}
    assert not missing


def test_a_wal_project_from_an_older_version_is_switched_to_a_rollback_journal(tmp_path):
    path = tmp_path / "old.rlproj"
    Project.create(path).close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    conn.close()
    with Project.open(path) as project:
        assert project._conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        project.add_reviews(_frame(["still here"]), source_path="a.csv")
    with Project.open(path, readonly=True) as project:
        assert project.review_count() == 1
