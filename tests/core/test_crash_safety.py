"""Crash safety: real subprocesses killed with SIGKILL at random points, many times.

* analyze + report: ``main.py analyze IN -o report.xlsx --results results.csv`` killed at
  random times and right after the report's temporary file appears (during the save):
  afterwards report.xlsx / results.csv are either absent or complete (the workbook opens
  with every sheet, the CSV has one row per input row).
* project import + labelling (tests/core/crash_label_child.py): an import is all or
  nothing, every label the child confirmed is there, ``PRAGMA integrity_check`` is ok.
  (Plain labelling alone is covered by test_project.py's killed-writer test.)
* training: ``main.py train --project P --mode quick`` killed at random times and while
  the store is being written: the project's model selection still parses and names a version that verifies
  and loads (the one active before, unless the child finished), and every listed version
  is whole.

Each test prints its counts (``-s`` shows them). ``REVIEWLENS_KILLS`` scales the number of
kills per scenario (default 10). Runs on the tiny test model, so models/default is not needed.
"""
from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.model import ModelStore, load_engine, verify_model_dir
from core.paths import resource_root
from core.project import Project
from tests.gui.tiny_model import build_tiny_model

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "main.py"
LABEL_CHILD = Path(__file__).with_name("crash_label_child.py")
APP_LABEL_CHILD = Path(__file__).with_name("app_like_label_child.py")
SAMPLES = resource_root() / "resources" / "samples"
KILLS = int(os.environ.get("REVIEWLENS_KILLS", "10"))


def _env(home: Path, tmp: Path) -> dict[str, str]:
    env = dict(os.environ, REVIEWLENS_HOME=str(home), TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1")
    env.pop("REVIEWLENS_LOG_LEVEL", None)
    return env


def _sample_texts() -> list[str]:
    zh = pd.read_excel(SAMPLES / "taobao_export.xlsx", sheet_name="评价数据", header=1)["评价内容"]
    en = pd.read_csv(SAMPLES / "amazon_export.csv")["Review Text"]
    return [str(t) for t in pd.concat([zh, en]).dropna() if str(t).strip()]


def _review_file(path: Path, n: int, *, prefix: str = "") -> Path:
    texts = _sample_texts()
    rows = [f"{prefix}#{i} {texts[i % len(texts)]}" if prefix else texts[i % len(texts)] for i in range(n)]
    stars = [1 + (i * 7) % 5 for i in range(n)]
    dates = [f"2026-0{1 + i % 6}-{1 + i % 28:02d}" for i in range(n)]
    pd.DataFrame({"评价内容": rows, "评分": stars, "评价时间": dates}).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _kill_at(child: subprocess.Popen, deadline: float, trigger=None, trigger_delay: float = 0.0) -> str:
    """SIGKILL ``child`` at ``deadline`` (monotonic), or ``trigger_delay`` s after ``trigger()`` turns true.
    Returns "killed" or "finished" (the child exited before the kill)."""
    fired = None
    while True:
        if child.poll() is not None:
            return "finished"
        now = time.monotonic()
        if trigger is not None and fired is None and trigger():
            fired = now
        if now >= deadline or (fired is not None and now >= fired + trigger_delay):
            child.send_signal(signal.SIGKILL)
            child.wait()
            return "killed" if child.returncode == -signal.SIGKILL else "finished"
        time.sleep(0.002)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("model") / "tiny")


# -- analyze + report -------------------------------------------------------------------------
def _report_ok(path: Path, n: int) -> bool:
    """Opens, has every sheet, and the reviews sheet holds all ``n`` rows (a whole workbook)."""
    wb = load_workbook(path, read_only=True)
    try:
        return len(wb.sheetnames) >= 9 and sum(1 for _ in wb[wb.sheetnames[1]].iter_rows()) == n + 1
    finally:
        wb.close()


def _results_ok(path: Path, n: int) -> bool:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return len(list(csv.DictReader(fh))) == n


def test_killed_analyze_never_leaves_a_half_written_report(tiny, tmp_path):
    n = 600
    src = _review_file(tmp_path / "reviews.csv", n)
    out = tmp_path / "out"
    out.mkdir()
    report, results = out / "report.xlsx", out / "results.csv"
    env = _env(tmp_path / "home", tmp_path)
    cmd = [sys.executable, str(MAIN), "analyze", str(src), "-o", str(report), "--results", str(results),
           "--model", str(tiny), "--device", "cpu", "--threads", "1", "--lang", "en"]
    t0 = time.monotonic()
    full = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    duration = time.monotonic() - t0
    assert full.returncode == 0, full.stderr[-2000:]
    assert _report_ok(report, n) and _results_ok(results, n)

    rng = random.Random(20260301)
    counts = {"kills": 0, "during_save": 0, "finished": 0, "report_absent": 0, "report_complete": 0,
              "losses": 0, "temp_left": 0}
    i = 0
    while counts["kills"] < KILLS and i < 2 * KILLS:  # a child that finished first does not count as a kill
        i += 1
        report.unlink(missing_ok=True)
        results.unlink(missing_ok=True)
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        at_save = i % 2 == 1  # every other kill aims at the workbook save itself
        trigger = (lambda: any(p.name.endswith(".xlsx.tmp") for p in out.iterdir())) if at_save else None
        deadline = time.monotonic() + (duration * 1.5 if at_save else rng.uniform(0.2, 0.9) * duration)
        state = _kill_at(child, deadline, trigger, rng.uniform(0.0, 0.03))
        if state == "finished":
            counts["finished"] += 1
        else:
            counts["kills"] += 1
            counts["during_save"] += int(any(p.name.endswith(".xlsx.tmp") for p in out.iterdir()))
        for path, check in ((report, lambda p: _report_ok(p, n)), (results, lambda p: _results_ok(p, n))):
            if path.exists():
                try:
                    ok = check(path)
                except Exception:
                    ok = False
                counts["losses"] += int(not ok)
                if path is report:
                    counts["report_complete"] += int(ok)
            elif path is report:
                counts["report_absent"] += 1
        for p in out.iterdir():  # the killed process cannot clean its temp file up (the next write does: below)
            if p.name.startswith("."):
                counts["temp_left"] += 1
                p.unlink()
    print(f"\nanalyze kill test: full run {duration:.1f} s; {counts}")
    assert counts["losses"] == 0
    assert counts["kills"] >= KILLS * 3 // 4
    assert counts["during_save"] >= 1  # at least one kill really hit the save


def test_next_analyze_removes_the_temp_file_a_killed_one_left(tiny, tmp_path):
    """SIGKILL while the report is being saved leaves a hidden temp file (nothing can prevent
    that); the next analyze writing the same report removes it, and the final name is never
    half-written."""
    n = 600
    src = _review_file(tmp_path / "reviews.csv", n)
    out = tmp_path / "out"
    out.mkdir()
    report, results = out / "report.xlsx", out / "results.csv"
    other = out / ".someone_elses.xlsx.tmp"  # not a temp name of ours: must survive
    other.write_bytes(b"x")
    env = _env(tmp_path / "home", tmp_path)
    cmd = [sys.executable, str(MAIN), "analyze", str(src), "-o", str(report), "--results", str(results),
           "--model", str(tiny), "--device", "cpu", "--threads", "1", "--lang", "en"]
    left: list[Path] = []
    pid, tries = None, 0
    while not left and tries < 8:  # the kill has to land inside the save, which takes a fraction of a second
        tries += 1
        report.unlink(missing_ok=True)
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        state = _kill_at(child, time.monotonic() + 300,
                         lambda: any(p.name.endswith(".xlsx.tmp") and p != other for p in out.iterdir()))
        pid = child.pid
        if state == "killed":
            left = [p for p in out.iterdir() if p.name.startswith(".") and p != other]
    print(f"\nkilled during the save after {tries} tries; left behind: {[p.name for p in left]}")
    assert left, f"no kill hit the report save in {tries} tries"
    assert any(p.name.startswith(".report.") and f"-{pid}-" in p.name for p in left)
    if report.exists():
        assert _report_ok(report, n)  # os.replace already happened: whole, never half

    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _report_ok(report, n) and _results_ok(results, n)
    hidden = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert hidden == [other.name]


# -- project import + labelling ---------------------------------------------------------------
def test_killed_import_and_labelling_lose_nothing_confirmed(tmp_path):
    path = tmp_path / "shop.rlproj"
    Project.create(path).close()
    per_round = 1500
    rng = random.Random(7)
    confirmed: dict[int, str] = {}
    imported_rounds: set[int] = set()
    counts = {"kills": 0, "killed_during_import": 0, "finished": 0}
    env = _env(tmp_path / "home", tmp_path)
    for round_no in range(KILLS):
        src = _review_file(tmp_path / f"r{round_no}.csv", per_round, prefix=f"[r{round_no}] ")
        child = subprocess.Popen([sys.executable, str(LABEL_CHILD), str(path), str(src)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        # kill during the import (first rounds) or somewhere in the labelling
        delay = rng.uniform(0.0, 0.4) if round_no % 3 == 0 else rng.uniform(0.3, 2.0)
        state = _kill_at(child, time.monotonic() + delay)
        out, _ = child.communicate()
        counts["kills" if state == "killed" else "finished"] += 1
        lines = [ln for ln in out.splitlines(keepends=True) if ln.endswith("\n")]
        if any(ln.startswith("imported ") for ln in lines):
            imported_rounds.add(round_no)
        elif state == "killed":
            counts["killed_during_import"] += 1
        for ln in lines:
            parts = ln.split()
            if len(parts) == 2 and parts[0].isdigit():
                confirmed[int(parts[0])] = parts[1]
    with Project.open(path) as project:
        assert project.integrity_check() == "ok"
        reviews = project.reviews()
        labels = project.labels("sentiment")
    per_source = reviews["text"].str.extract(r"^\[r(\d+)\]")[0].astype(int).value_counts().to_dict()
    half_imports = {r: c for r, c in per_source.items() if c != per_round}
    lost_imports = sorted(r for r in imported_rounds if per_source.get(r) != per_round)
    stored = dict(zip(labels["review_id"], labels["value"]))
    lost_labels = {rid: v for rid, v in confirmed.items() if stored.get(rid) != v}
    print(f"\nimport+label kill test: {counts}, rounds imported {len(imported_rounds)}, "
          f"labels confirmed {len(confirmed)}, lost labels {len(lost_labels)}, half imports {len(half_imports)}")
    assert not half_imports and not lost_imports and not lost_labels
    assert counts["kills"] >= KILLS // 2 and len(confirmed) > KILLS
    assert counts["killed_during_import"] >= 1


def _labels_on_disk(path: Path) -> dict[int, str]:
    """What another process reads from the project file right now (read-only, no lock)."""
    with Project.open(path, readonly=True) as project:
        labels = project.labels("sentiment")
    return dict(zip(labels["review_id"].astype(int), labels["value"]))


def test_labels_are_in_the_file_while_the_app_runs_and_survive_kill9(tmp_path):
    """Issue 17: a stray open/close of the project file (Qt's file dialog) plus a job process
    closing its connection deleted the live WAL; labels lived only in a deleted file until
    the app closed. Each label must be readable by another process as soon as it is
    confirmed, and all of them must be there after SIGKILL."""
    path = tmp_path / "shop.rlproj"
    with Project.create(path) as project:
        project.add_reviews(pd.DataFrame({"text": _sample_texts()[:400]}), source_path="x.csv")
    env = _env(tmp_path / "home", tmp_path)
    child = subprocess.Popen([sys.executable, str(APP_LABEL_CHILD), str(path)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready", child.stderr.read()
    confirmed: dict[int, str] = {}
    checks = 0
    while len(confirmed) < 60:
        rid, value = child.stdout.readline().split()
        confirmed[int(rid)] = value
        if len(confirmed) % 20 == 0:  # the app is alive: the labels must already be in the file
            seen = _labels_on_disk(path)
            assert all(seen.get(k) == v for k, v in confirmed.items()), \
                f"{len(confirmed)} labels confirmed, {len(seen)} in the file"
            checks += 1
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate()
    for line in rest.splitlines(keepends=True):  # labels printed before the kill landed
        parts = line.split()
        if line.endswith("\n") and len(parts) == 2 and parts[0].isdigit():
            confirmed[int(parts[0])] = parts[1]
    assert not any(p.name.endswith(("-wal", "-shm")) for p in tmp_path.iterdir())
    with Project.open(path) as project:
        assert project.integrity_check() == "ok"
        stored = project.labels("sentiment")
        predictions = project._conn.execute("SELECT count(*) FROM predictions").fetchone()[0]
    stored_map = dict(zip(stored["review_id"].astype(int), stored["value"]))
    lost = {k: v for k, v in confirmed.items() if stored_map.get(k) != v}
    print(f"\napp-like labelling: {len(confirmed)} confirmed, {checks} live checks, lost {len(lost)}")
    assert checks == 3 and not lost and predictions > 0


# -- training ---------------------------------------------------------------------------------
def _store_state(home: Path, project: Path) -> tuple[str | None, list[str]]:
    store = ModelStore(home / "models", project=project)
    return store.active_version(), [v.version for v in store.versions()]


def _selection(project: Path) -> str:
    """The project's model selection as stored (models belong to a project)."""
    from core.model import SELECTION_KEY

    with Project.open(project, readonly=True) as p:
        return p.get_meta(SELECTION_KEY) or ""


def test_killed_training_keeps_the_active_model(tiny, tmp_path):
    home = tmp_path / "home"
    project = tmp_path / "shop.rlproj"
    texts = _sample_texts()[:160]
    with Project.create(project) as p:
        p.add_reviews(pd.DataFrame({"text": texts}), source_path="x.csv")
        ids = p.reviews()["id"].tolist()
        p.set_labels("sentiment", [(rid, ("negative", "positive")[i % 2]) for i, rid in enumerate(ids)])
    store = ModelStore(home / "models", project=project)
    base = store.import_folder(tiny)
    store.activate(base.version)
    env = _env(home, tmp_path)
    cmd = [sys.executable, str(MAIN), "train", "--project", str(project), "--mode", "quick", "--threads", "1"]
    staging = home / "models" / ".staging"

    t0 = time.monotonic()
    first = subprocess.run(cmd + ["--no-activate"], env=env, capture_output=True, text=True, timeout=300)
    duration = time.monotonic() - t0
    assert first.returncode == 0, first.stderr[-2000:]

    rng = random.Random(99)
    counts = {"kills": 0, "finished": 0, "activated_before_kill": 0, "losses": 0, "staging_left": 0}
    i = 0
    while counts["kills"] < KILLS and i < 2 * KILLS:
        i += 1
        before = _selection(project)
        active_before, versions_before = _store_state(home, project)
        args = cmd + (["--force"] if i % 2 else [])  # --force: the run ends by activating the new version
        child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        at_store = i % 3 == 2  # aim at the moment the version is moved into the store
        trigger = (lambda: staging.is_dir() and any(staging.iterdir())) if at_store else None
        deadline = time.monotonic() + (duration * 1.5 if at_store else rng.uniform(0.3, 1.0) * duration)
        state = _kill_at(child, deadline, trigger, rng.uniform(0.0, 0.05))
        counts["kills" if state == "killed" else "finished"] += 1
        data = json.loads(_selection(project))  # always parses
        active, versions = _store_state(home, project)
        assert data["active"] == active
        ok = active is not None and load_engine(store.root / active, device="cpu") is not None
        for v in versions:  # no half version listed
            verify_model_dir(store.root / v)
        new = [v for v in versions if v not in versions_before]
        if _selection(project) != before:
            # only a version that is complete in the store may have become active
            ok = ok and active in new
            counts["activated_before_kill"] += int(state == "killed")
        counts["losses"] += int(not ok)
        if staging.is_dir():
            counts["staging_left"] = len(list(staging.iterdir()))
    print(f"\ntraining kill test: full run {duration:.1f} s; {counts}; versions {len(_store_state(home, project)[1])}")
    assert counts["losses"] == 0
    assert counts["kills"] >= KILLS // 2
