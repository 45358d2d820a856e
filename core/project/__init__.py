"""A shop's project: the SQLite project file, its schema and migrations, and labels.

* ``database``: ``Project`` (reviews, labels, predictions, model versions; one transaction per
  write, a lock file against a second writer)
* ``schema``: the schema version, migrations, the built-in tasks' labels
* ``labels``: label values from spreadsheets (synonyms, stars), label import and export,
  aspect-polarity labels
"""
from __future__ import annotations

from core.project.database import Project, Task
from core.project.labels import (LabelImport, aspect_polarity, aspect_queue, aspect_value, export_labels, import_labels,
                                 is_star_column, normalize_column, normalize_intent, normalize_sentiment, read_sheet,
                                 set_aspect_polarity, split_multi)
from core.project.schema import ASPECT_TASK, INTENT_LABELS, SCHEMA_VERSION, SENTIMENT_LABELS

__all__ = ["ASPECT_TASK", "INTENT_LABELS", "SCHEMA_VERSION", "SENTIMENT_LABELS", "LabelImport", "Project", "Task",
           "aspect_polarity", "aspect_queue", "aspect_value", "export_labels", "import_labels", "is_star_column",
           "normalize_column", "normalize_intent", "normalize_sentiment", "read_sheet", "set_aspect_polarity",
           "split_multi"]
