"""Child process for tests/core/test_crash_safety.py (not a test module): labels the way
the desktop app does, with the two things that made WAL lose labels (issue 17).

``app_like_label_child.py PROJECT`` opens PROJECT for writing (holding the project lock,
like the app window), then

1. opens and closes the project file with plain ``open()``, as Qt's file dialog does when
   it sniffs the files of the projects folder: on POSIX this drops every ``fcntl`` lock
   SQLite holds on the file in this process;
2. runs a job process that opens the project with ``lock=False``, writes predictions and
   closes (as ``gui.session`` jobs do); under WAL that close deleted the live ``-wal``;
3. labels every review one by one, printing ``<review_id> <value>`` after each committed
   label, pausing a little between labels (a person labelling), until killed.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.project import Project  # noqa: E402

VALUES = ("negative", "neutral", "positive")
JOB = """
import sys
sys.path.insert(0, {root!r})
from core.project import Project
with Project.open({path!r}, lock=False) as p:
    ids = p.reviews()["id"].tolist()
    p.save_predictions("job-model", "sentiment", [(int(i), "neutral", 0.5, []) for i in ids])
"""


def main() -> None:
    path = Path(sys.argv[1])
    with Project.open(path) as project:
        ids = project.reviews()["id"].tolist()
        with open(path, "rb") as fh:  # the file dialog's sniff
            fh.read(512)
        subprocess.run([sys.executable, "-c", JOB.format(root=str(ROOT), path=str(path))], check=True)
        print("ready", flush=True)
        for review_id in ids:
            value = VALUES[int(review_id) % 3]
            project.set_label(int(review_id), "sentiment", value)
            print(f"{review_id} {value}", flush=True)
            time.sleep(0.01)
    print("done", flush=True)


if __name__ == "__main__":
    main()
