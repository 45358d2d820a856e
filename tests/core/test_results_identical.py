"""bench/check_results_identical.py: its diff report, and one real run against HEAD.

The real run compares two fresh processes (each with its own empty REVIEWLENS_HOME and its
own hash seed) over the same code, so it also proves the results CSV is deterministic: the
precondition for comparing two revisions byte for byte. No golden file is involved.
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "check_results_identical.py"


def _load():
    spec = importlib.util.spec_from_file_location("check_results_identical", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_first_differences_names_rows_and_columns():
    check = _load()
    before = "row,text,sentiment\n1,好,positive\n2,差,negative\n3,一般,neutral\n".encode()
    after = "row,text,sentiment\n1,好,positive\n2,差,neutral\n3,一般,neutral\n4,新,positive\n".encode()
    lines = check.first_differences(before, after)
    assert lines[0] == "rows: 4 before, 5 after"
    assert "line 3: sentiment: 'negative' -> 'neutral'" in lines
    assert any(line.startswith("line 5: before None") for line in lines)
    assert check.first_differences(before, before) == []
    assert check.first_differences(before, before.replace(b"\n", b"\r\n")) == [
        "same cells, different bytes (line endings, quoting or encoding)"]


def _analysis_code_changed_since_head() -> bool:
    out = subprocess.run(["git", "status", "--porcelain", "--", "core", "resources", "models", "main.py"],
                         cwd=ROOT, capture_output=True, text=True)
    return out.returncode != 0 or bool(out.stdout.strip())


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
def test_identical_against_head_when_the_code_is_head():
    if _analysis_code_changed_since_head():
        pytest.skip("uncommitted changes to the analysis: HEAD is not the code under test")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--before", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "IDENTICAL"
