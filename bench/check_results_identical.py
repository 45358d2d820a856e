"""Is the results CSV of the bundled sample the same at another revision and in the working tree?

Usage: .venv/bin/python bench/check_results_identical.py [--before REV] [--sample FILE] [--rows N]

``--before`` defaults to the merge-base of HEAD with ``main``: the code before a branch's
changes. That revision is unpacked with ``git archive`` into a temporary folder (the
repository's worktrees and branches are not touched); then ``main.py analyze SAMPLE
--results X.csv`` runs in it and in the working tree, each with a fresh empty
``REVIEWLENS_HOME`` (no cached intent head or model selection is shared between the runs,
so a change to how a cache is built shows up too), with the same Python.

Prints IDENTICAL and exits 0 when the two files are equal byte for byte; otherwise prints
the first differing rows, column by column, and exits 1. A deliberate change of the
analysis makes it differ: this is a check to run around a refactoring, not a golden file.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path("resources/samples/taobao_export.xlsx")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def default_before() -> str:
    return git("merge-base", "HEAD", "main")


def unpack(rev: str, dest: Path) -> Path:
    """The tree of ``rev`` (tracked files only) under ``dest``."""
    data = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def results_csv(tree: Path, sample: Path, work: Path) -> bytes:
    """Run ``main.py analyze`` in ``tree`` on ``sample`` and return the results CSV's bytes."""
    work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("REVIEWLENS_HOME", "REVIEWLENS_DEFAULT_MODEL")}
    env["REVIEWLENS_HOME"] = str(work / "home")
    out = work / "results.csv"
    proc = subprocess.run([sys.executable, "main.py", "analyze", str(sample), "-o", str(work / "report.xlsx"),
                           "--results", str(out)], cwd=tree, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"analyze failed in {tree} (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return out.read_bytes()


def first_differences(before: bytes, after: bytes, *, limit: int = 5) -> list[str]:
    """Human-readable lines for the first ``limit`` rows that differ (header first)."""
    a = list(csv.reader(io.StringIO(before.decode("utf-8-sig"))))
    b = list(csv.reader(io.StringIO(after.decode("utf-8-sig"))))
    lines: list[str] = []
    if len(a) != len(b):
        lines.append(f"rows: {len(a)} before, {len(b)} after")
    header = a[0] if a else []
    if a[:1] != b[:1]:
        lines.append(f"header before: {a[0] if a else None}")
        lines.append(f"header after:  {b[0] if b else None}")
    shown = 0
    for i in range(1, max(len(a), len(b))):
        ra = a[i] if i < len(a) else None
        rb = b[i] if i < len(b) else None
        if ra == rb:
            continue
        if ra is None or rb is None or len(ra) != len(rb):
            lines.append(f"line {i + 1}: before {ra}\n         after  {rb}")
        else:
            cols = [f"{header[j] if j < len(header) else j}: {x!r} -> {y!r}"
                    for j, (x, y) in enumerate(zip(ra, rb)) if x != y]
            lines.append(f"line {i + 1}: " + "; ".join(cols))
        shown += 1
        if shown == limit:
            break
    if not lines and before != after:
        lines.append("same cells, different bytes (line endings, quoting or encoding)")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", help="revision to compare with (default: merge-base of HEAD and main)")
    ap.add_argument("--sample", type=Path, default=SAMPLE, help="spreadsheet (relative: to the repository root)")
    ap.add_argument("--rows", type=int, default=5, help="differing rows to print")
    args = ap.parse_args(argv)
    rev = args.before or default_before()
    commit = git("rev-parse", "--short", f"{rev}^{{commit}}")
    with tempfile.TemporaryDirectory(prefix="results-identical-") as tmp:
        tmp_path = Path(tmp)
        before_tree = unpack(rev, tmp_path / "before")
        sample = (ROOT / args.sample).resolve()  # the working tree's file for both: only the code differs
        before = results_csv(before_tree, sample, tmp_path / "run-before")
        after = results_csv(ROOT, sample, tmp_path / "run-after")
    print(f"results CSV of {args.sample}: {commit} ({len(before):,} bytes) vs working tree ({len(after):,} bytes)")
    if before == after:
        print("IDENTICAL")
        return 0
    print("DIFFERENT")
    for line in first_differences(before, after, limit=args.rows):
        print("  " + line)
    return 1


if __name__ == "__main__":
    sys.exit(main())
