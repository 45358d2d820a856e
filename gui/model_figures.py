"""The one figure a model version is known by, in the training wizard and the model manager
alike: the macro-F1 stored in the version's manifest (``metrics["new"]["macro_f1"]``), over
``metrics["n_compared"]`` reviews when core recorded it (else the evaluation's own ``n``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from gui.i18n import tr


def manifest_metrics(model_dir: Path | str) -> dict[str, Any]:
    """The ``metrics`` of a model folder's manifest ({} when it has none or cannot be read)."""
    from core.model import read_manifest
    from core.errors import UserError

    try:
        metrics = read_manifest(Path(model_dir)).get("metrics")
    except UserError:
        return {}
    return metrics if isinstance(metrics, dict) else {}


def headline(metrics: dict[str, Any]) -> tuple[float | None, int | None]:
    """(macro-F1, n) of a version's manifest metrics; (None, None) when it has no figure."""
    new = metrics.get("new") if isinstance(metrics.get("new"), dict) else metrics
    f1 = new.get("macro_f1")
    if not isinstance(f1, (int, float)):
        return None, None
    n = metrics.get("n_compared") if isinstance(metrics.get("n_compared"), int) else new.get("n")
    return float(f1), n if isinstance(n, int) else None


def figure_text(metrics: dict[str, Any]) -> str:
    """"Macro-F1 0.812 (n = 37)" in the interface language; "" without a figure."""
    f1, n = headline(metrics)
    if f1 is None:
        return ""
    return tr("figure", f1=f"{f1:.3f}", n=n) if n is not None else tr("figure_no_n", f1=f"{f1:.3f}")
