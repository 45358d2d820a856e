"""dev.sh: `./dev.sh app` also asks for what Qt's xcb plugin needs on a desktop (issue 17.14).

Runs a copy of dev.sh in a scratch folder with a fake venv and fake dpkg/id on PATH, so it
neither installs nor starts anything."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
XCB = ("xauth", "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1",
       "libxcb-randr0", "libxcb-render-util0", "libxcb-shape0", "libxcb-xinerama0", "libxcb-xkb1")


def _run(tmp_path: Path, command: str) -> str:
    work = tmp_path / "repo"
    (work / ".venv" / "bin").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "dev.sh", work / "dev.sh")
    (work / "requirements.txt").write_text("pytest\n", encoding="utf-8")
    (work / ".venv" / ".requirements.sha").write_text(
        hashlib.sha256(b"pytest\n").hexdigest() + "\n", encoding="utf-8")
    fake_python = work / ".venv" / "bin" / "python"
    fake_python.write_text("#!/bin/sh\necho ran \"$@\"\n", encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, body in (("dpkg", "exit 1"), ("id", "echo 1000")):  # nothing installed, not root: list only
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    for f in (fake_python, bin_dir / "dpkg", bin_dir / "id"):
        f.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    out = subprocess.run(["bash", str(work / "dev.sh"), command], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert "ran main.py" in out.stdout or "ran -m pytest" in out.stdout or "ran main.py analyze" in out.stdout
    return out.stderr


def test_app_lists_the_xcb_packages_demo_does_not(tmp_path):
    app = _run(tmp_path, "app")
    assert "missing Debian packages" in app and all(f" {p}" in app for p in XCB)
    demo = _run(tmp_path, "demo")
    assert "libegl1" in demo and not any(f" {p}" in demo for p in XCB)
