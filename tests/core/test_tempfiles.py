"""core.tempfiles: temporary names carry host + pid; stale ones (dead writer) are swept."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from core.tempfiles import pid_alive, sweep_stale, temp_path


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temp_path_is_hidden_unique_and_next_to_the_final_file(tmp_path: Path) -> None:
    final = tmp_path / "report.xlsx"
    a, b = temp_path(final), temp_path(final)
    assert a != b and a.parent == tmp_path
    assert a.name.startswith(".report.") and a.name.endswith(".xlsx.tmp") and f"-{os.getpid()}-" in a.name


def test_pid_alive() -> None:
    assert pid_alive(os.getpid())
    assert not pid_alive(_dead_pid())
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as child:
        try:
            assert pid_alive(child.pid)
        finally:
            child.kill()


def test_sweep_removes_only_temp_files_of_dead_writers_on_this_host(tmp_path: Path) -> None:
    final = tmp_path / "report.xlsx"
    mine = temp_path(final)  # this (live) process
    host = mine.name.split(".")[2].split("-")[0]
    dead = tmp_path / f".report.{host}-{_dead_pid()}-0a1b2c3d.xlsx.tmp"
    foreign = tmp_path / f".report.{'0' * 6 if host != '0' * 6 else '1' * 6}-{_dead_pid()}-0a1b2c3d.xlsx.tmp"
    other_final = tmp_path / f".results.{host}-{_dead_pid()}-0a1b2c3d.csv.tmp"
    legacy_old = tmp_path / ".report_ab12cd34.xlsx.tmp"
    legacy_new = tmp_path / ".report_zz98yy76.xlsx.tmp"
    unrelated = tmp_path / ".report.xlsx.bak"
    for p in (mine, dead, foreign, other_final, legacy_old, legacy_new, unrelated, final):
        p.write_bytes(b"x")
    old = time.time() - 2 * 3600
    os.utime(legacy_old, (old, old))
    removed = sweep_stale(final)
    assert sorted(removed) == sorted([dead, legacy_old])
    assert all(p.exists() for p in (mine, foreign, other_final, legacy_new, unrelated, final))
    assert sweep_stale(tmp_path / "results.csv") == [other_final]
    assert sweep_stale(tmp_path / "missing_folder" / "report.xlsx") == []
