"""Child process for tests/core/test_crash_safety.py (not a test module).

``crash_label_child.py PROJECT SOURCE.csv`` opens PROJECT for writing, imports SOURCE.csv
through the real importer (one all-or-nothing transaction), prints ``imported <n>``
(flushed) once it is committed, then labels the imported reviews one by one, printing
``<review_id> <value>`` after each committed label, until it runs out or is killed.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.importing import read_reviews  # noqa: E402
from core.project import Project  # noqa: E402

VALUES = ("negative", "neutral", "positive")


def main() -> None:
    path, source = Path(sys.argv[1]), Path(sys.argv[2])
    table = read_reviews(source)
    with Project.open(path) as project:
        print("ready", flush=True)
        added = project.add_reviews(table, source_path=source)
        print(f"imported {added}", flush=True)
        sources = project.sources()
        source_id = int(sources["id"].max())
        ids = project.reviews(source_id=source_id)["id"].tolist()
        for review_id in ids:
            value = VALUES[int(review_id) % 3]
            project.set_label(int(review_id), "sentiment", value)
            print(f"{review_id} {value}", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
