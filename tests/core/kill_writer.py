"""Helper process for the project tests (not a test module).

``kill_writer.py write PROJECT START`` labels reviews START, START+1, ... forever, printing
``<review_id> <value>`` (flushed) after each label is committed; the test kills it.
``kill_writer.py hold PROJECT`` opens the project, prints ``open``, and waits to be killed.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.project import Project  # noqa: E402

VALUES = ("negative", "neutral", "positive")


def main() -> None:
    mode, path = sys.argv[1], Path(sys.argv[2])
    project = Project.open(path)
    if mode == "hold":
        print("open", flush=True)
        time.sleep(600)
        return
    review_id = int(sys.argv[3])
    print("ready", flush=True)
    while True:
        value = VALUES[review_id % 3]
        project.set_label(review_id, "sentiment", value)
        print(f"{review_id} {value}", flush=True)
        review_id += 1


if __name__ == "__main__":
    main()
