"""The labelled examples a task trains on, read from a project."""
from __future__ import annotations

from pathlib import Path

from core.analysis import mention_examples
from core.errors import UserError
from core.project import ASPECT_TASK, SENTIMENT_LABELS, Project


def labelled_from_project(path: Path, task: str) -> tuple[list[str], list, list[str], bool]:
    """(texts, labels, label names, multi-label?) of a project's labels for ``task``, as the CLI
    and the training wizard train on them; multi-label rows hold label lists; aspect labels
    become one (clause, polarity) example per labelled mention."""
    with Project.open(path, readonly=True) as project:
        spec = project.task(task)
        frame = project.labels(task)
    if frame.empty:
        raise UserError(f"Project {path.name} has no '{task}' labels yet: label some reviews first.")
    if task == ASPECT_TASK:  # one example per labelled mention: its clause and its polarity
        windows, polarities = mention_examples(frame["text"].astype(str).tolist(), frame["value"].astype(str).tolist())
        return windows, polarities, list(SENTIMENT_LABELS), False
    if spec.kind == "multi":
        grouped = frame.groupby("review_id", sort=True).agg(text=("text", "first"), value=("value", list))
        return grouped["text"].astype(str).tolist(), grouped["value"].tolist(), list(spec.labels), True
    return frame["text"].astype(str).tolist(), frame["value"].astype(str).tolist(), list(spec.labels), False
