"""The per-project insights cache (``<user data>/cache/insights/<hash of project path>.json``).

It lets a project reopen straight onto its dashboard; it is keyed by review count, and
``gui.session.cache_is_current`` checks that it came from the model the project uses now.
It is JSON (tables as column lists with dtype names), never pickle: loading a cache must not
be able to run code. Written atomically; a broken or unencodable one is ignored and rebuilt.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.jobs import CancelToken, Progress
from core.paths import user_data_dir

CACHE_SCHEMA = 5  # 3: reviews gain 'topic', fix_list gains 'topic'; 4: frames as column lists;
# 5: clause topics (reviews' topic name, topic_id, topic_ids) and the new what-to-fix table


def _cache_path(project_path: Path) -> Path:
    digest = hashlib.sha1(str(Path(project_path).resolve()).encode("utf-8")).hexdigest()[:16]
    return user_data_dir() / "cache" / "insights" / f"{digest}.json"


def _encode_frame(frame: pd.DataFrame) -> dict:
    """A frame as plain column lists plus dtype names: json reads this several times faster
    than pandas' own JSON (a 50k-review project opens in a fraction of the time)."""
    default_index = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1
    names = list(frame.index.names)
    if not default_index:
        frame = frame.rename_axis(index=[f"__index{i}__" for i in range(frame.index.nlevels)]).reset_index()
    columns, dtypes = [], []
    for name in frame.columns:
        if not isinstance(name, str) or isinstance(frame.columns, pd.MultiIndex):
            raise TypeError("cannot cache a frame with non-text column names")
        col = frame[name]
        dtype = str(col.dtype)
        if dtype.startswith("datetime64"):
            if getattr(col.dt, "tz", None) is not None:
                raise TypeError("cannot cache time-zone aware dates")
            values = col.to_numpy(dtype=dtype).view("int64").tolist()  # in its own unit; NaT -> sentinel
        elif isinstance(col.dtype, np.dtype) and col.dtype.kind in "fiub":
            values = col.tolist()
        else:
            values = col.astype(object).where(col.notna(), None).tolist()
        columns.append([name, dtype, values])
    return {"columns": columns, "index": None if default_index else names, "rows": len(frame),
            "columns_name": frame.columns.name}


def _decode_frame(data: dict) -> pd.DataFrame:
    cols = {}
    for name, dtype, values in data["columns"]:
        if dtype.startswith("datetime64"):
            cols[name] = pd.Series(np.asarray(values, dtype="int64").view(dtype))
        else:
            cols[name] = pd.Series(values, dtype=pd.api.types.pandas_dtype(dtype))
    frame = pd.DataFrame(cols, index=pd.RangeIndex(int(data["rows"])))
    names = data.get("index")
    if names is not None:
        keys = [f"__index{i}__" for i in range(len(names))]
        frame = frame.set_index(keys).rename_axis(index=names)
    frame.columns.name = data.get("columns_name")
    return frame


def _encode(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return {"__frame__": _encode_frame(value)}
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    raise TypeError(f"cannot cache {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "__frame__" in value:
            return _decode_frame(value["__frame__"])
        if "__dict__" in value:
            return {_decode(k): _decode(v) for k, v in value["__dict__"]}
        if "__tuple__" in value:
            return tuple(_decode(v) for v in value["__tuple__"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def save_insights(project_path: Path, insights: Any, review_count: int) -> None:
    from core.analysis import Insights

    path = _cache_path(project_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fields = {f.name: _encode(getattr(insights, f.name)) for f in dataclasses.fields(Insights)}
        payload = json.dumps({"schema": CACHE_SCHEMA, "reviews": review_count, "insights": fields},
                             ensure_ascii=False)
    except (TypeError, ValueError):  # an unencodable value: no cache, the project re-analyses
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(payload)
    os.replace(tmp, path)


def load_insights(project_path: Path, review_count: int, *, progress: Progress | None = None,
                  cancel: CancelToken | None = None) -> Any | None:
    """The cached Insights of a project, or None when missing, stale or unreadable."""
    path = _cache_path(project_path)
    if not path.is_file():
        return None
    from core.analysis import Insights

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("schema") != CACHE_SCHEMA or data.get("reviews") != review_count:
            return None
        return Insights(**{k: _decode(v) for k, v in data["insights"].items()})
    except Exception:  # noqa: BLE001 - a broken cache is rebuilt, never fatal
        return None
