"""Label values from spreadsheets: synonym normalisation, label import and export.

Normalisation rules (documented choices):

* Sentiment synonyms in Chinese and English map onto negative / neutral / positive.
  ``mixed`` (混合, 褒贬不一) maps to **neutral**: ReviewLens' sentiment has three classes, and
  a review with both praise and complaints is neither; the per-aspect polarities carry
  the detail. Dropping such rows would silently shrink the owner's labelled set.
* Numbers: a column is read as **stars** when every value is a whole number from 1 to 5 and
  at least one is 2..5 (4-5 -> positive, 3 -> neutral, 1-2 -> negative). Otherwise numbers
  are codes: 1 -> positive, 0 and -1 -> negative (``-1/0/1`` files use 0 for neutral, so a
  column that holds -1 is read as -1 negative / 0 neutral / 1 positive). Explicit star
  text (``5星``, ``4 stars``, ``★★★``) is always stars.
* Multi-choice cells (intents, aspects) hold several values separated by , ， ; ； 、 | /
  or new lines.
* An unknown value raises a ``UserError`` naming the file, row, column and value and
  listing the accepted values.

Export and spreadsheet formulas: a text cell starting with = + - @ tab or CR would run as
a formula when the file is opened in Excel. In xlsx such cells are written with the cell
type forced to string (``data_type = 's'``), which keeps the text exactly as the customer
wrote it. CSV has no cell types, so there the text gets a leading apostrophe (the usual
CSV-injection defence); ``import_labels`` removes that apostrophe again, so an export
re-imports unchanged.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from core.errors import UserError
from core.jobs import CancelToken, Progress, wrap_progress
from core.project.database import Project
from core.project.schema import ASPECT_TASK, INTENT_LABELS, SENTIMENT_LABELS

_SENTIMENT_SYNONYMS = {
    "positive": ("positive", "pos", "正面", "好评", "积极", "正向", "好", "👍", "good", "+"),
    "negative": ("negative", "neg", "负面", "差评", "消极", "负向", "差", "👎", "bad"),
    "neutral": ("neutral", "neu", "中性", "中评", "一般", "mixed", "混合", "褒贬不一"),
}
_INTENT_SYNONYMS = {
    "complaint": ("complaint", "complain", "投诉", "抱怨"),
    "refund_return": ("refund_return", "refund", "return", "refund/return", "退货", "退款", "退换", "退换货",
                      "退货退款"),
    "question": ("question", "提问", "咨询", "疑问"),
    "suggestion": ("suggestion", "建议"),
    "praise": ("praise", "表扬", "称赞", "夸奖"),
    "repurchase": ("repurchase", "回购", "复购"),
    "logistics_problem": ("logistics_problem", "logistics", "shipping", "delivery", "物流问题", "物流", "快递问题",
                          "快递"),
}
_MULTI_SPLIT = re.compile(r"[,，;；、|\n]+")
_STAR_TEXT = re.compile(r"^\s*([1-5])\s*(?:星|stars?|★)\s*$|^\s*(★{1,5})\s*$", re.IGNORECASE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    return re.sub(r"[\s\-]+", "_", text)


def _index(synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_key(s): label for label, words in synonyms.items() for s in words}


_SENTIMENT_INDEX = _index(_SENTIMENT_SYNONYMS)
# "0" and "1" as codes; "-1" with the -1/0/1 convention is handled by the column reader.
_SENTIMENT_INDEX.update({"1": "positive", "0": "negative", "-1": "negative"})
_INTENT_INDEX = _index(_INTENT_SYNONYMS)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def is_star_column(values: Sequence[Any]) -> bool:
    """True when every value is a whole number 1..5 and at least one is 2..5."""
    numbers = [_as_number(v) for v in values]
    if not numbers or any(n is None or not float(n).is_integer() or not 1 <= n <= 5 for n in numbers):
        return False
    return any(n >= 2 for n in numbers)  # type: ignore[operator]


def _stars_to_sentiment(stars: float) -> str:
    return "positive" if stars >= 4 else "neutral" if stars >= 3 else "negative"


def normalize_sentiment(value: Any, *, stars: bool = False, ternary: bool = False) -> str | None:
    """One sentiment value -> negative/neutral/positive; None when unknown.

    ``stars``: numbers are 1..5 stars. ``ternary``: numbers are -1/0/1 codes (0 = neutral).
    """
    match = _STAR_TEXT.match(str(value))
    if match:
        return _stars_to_sentiment(int(match.group(1)) if match.group(1) else len(match.group(2)))
    number = _as_number(value)
    if number is not None and float(number).is_integer():
        if stars:
            return _stars_to_sentiment(number) if 1 <= number <= 5 else None
        if ternary:
            return {-1.0: "negative", 0.0: "neutral", 1.0: "positive"}.get(float(number))
        return _SENTIMENT_INDEX.get(str(int(number)))
    return _SENTIMENT_INDEX.get(_key(value))


def normalize_intent(value: Any) -> str | None:
    return _INTENT_INDEX.get(_key(value))


def split_multi(value: Any) -> list[str]:
    return [part.strip() for part in _MULTI_SPLIT.split(str(value)) if part.strip()]


def normalize_column(values: Sequence[Any], *, task: str, kind: str, labels: Sequence[str],
                     rows: Sequence[int] | None = None, where: tuple[str, str] = ("the file", "label")) -> list[list[str]]:
    """Normalise a label column (blank cells already removed) to lists of task label values.

    ``rows`` are the spreadsheet row numbers used in error messages; ``where`` is
    (file name, column name).
    """
    rows = list(rows) if rows is not None else list(range(2, len(values) + 2))
    file_name, column = where
    stars = task == "sentiment" and is_star_column(values)
    ternary = (task == "sentiment" and not stars
               and any(_as_number(v) == -1 for v in values)
               and all(_as_number(v) in (-1, 0, 1) for v in values if _as_number(v) is not None))
    out: list[list[str]] = []
    for value, row in zip(values, rows):
        whole = _normalize_one(value, task=task, labels=labels, stars=stars, ternary=ternary)
        parts = [value] if whole is not None and kind == "single" else split_multi(value)
        result = []
        for part in parts:
            label = _normalize_one(part, task=task, labels=labels, stars=stars, ternary=ternary)
            if label is None:
                accepted = _accepted(task, labels)
                raise UserError(f"{file_name} row {row}, column '{column}': unknown {task} label '{part}': "
                                f"use one of {accepted}.")
            if label not in result:
                result.append(label)
        if kind == "single" and len(result) != 1:
            raise UserError(f"{file_name} row {row}, column '{column}': task {task} takes one label, "
                            f"got '{value}': keep one value per row.")
        out.append(result)
    return out


def _normalize_one(value: Any, *, task: str, labels: Sequence[str], stars: bool, ternary: bool) -> str | None:
    if task == "sentiment":
        return normalize_sentiment(value, stars=stars, ternary=ternary)
    if task == "intents":
        return normalize_intent(value)
    if task == ASPECT_TASK:
        match = re.match(r"^(.+?)\s*[:：=]\s*(.+)$", str(value).strip())
        if not match:
            return None
        polarity = normalize_sentiment(match.group(2))
        return f"{match.group(1).strip()}:{polarity}" if polarity else None
    by_key = {_key(label): label for label in labels}
    return by_key.get(_key(value))


def _accepted(task: str, labels: Sequence[str]) -> str:
    if task == "sentiment":
        return ", ".join(SENTIMENT_LABELS) + " (or 正面/负面/中性, 好评/中评/差评, 1-5 stars)"
    if task == "intents":
        return ", ".join(INTENT_LABELS) + " (or 投诉, 退货/退款, 提问, 建议, 表扬, 回购, 物流问题)"
    if task == ASPECT_TASK:
        return "aspect:polarity such as price:negative or 价格:负面"
    return ", ".join(labels)


# -- import / export ----------------------------------------------------------------
@dataclass
class LabelImport:
    """What ``import_labels`` did."""

    labeled: int  # reviews that received a label
    new_reviews: int  # reviews added to the project because they were not in it yet
    skipped_blank: int  # rows without text or without a label


def read_sheet(path: Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a csv/xlsx file with every cell as text-or-number, header in the first row."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"File {path} does not exist: check the path.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, sheet_name=sheet or 0, engine="openpyxl")
        if suffix == ".csv" or suffix == ".txt":
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    return pd.read_csv(path, encoding=encoding, dtype=object, keep_default_na=False,
                                       na_values=[""])
                except UnicodeDecodeError:
                    continue
            raise UserError(f"File {path} is neither UTF-8 nor GBK text: save it as CSV UTF-8 and try again.")
    except UserError:
        raise
    except ValueError as exc:  # e.g. unknown sheet name
        raise UserError(f"File {path} cannot be read ({exc}): check the sheet name.") from None
    except Exception as exc:  # openpyxl / parser errors on damaged files
        raise UserError(f"File {path} cannot be read ({type(exc).__name__}): open and re-save it, "
                        "then try again.") from None
    raise UserError(f"File {path} is not a .csv or .xlsx file: save it as one of those and try again.")


def _unescape(text: str) -> str:
    """Undo the apostrophe that export_labels puts before formula-like CSV text."""
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_START:
        return text[1:]
    return text


def import_labels(project: Project, path: Path | str, *, text_column: str, label_column: str, task: str,
                  sheet: str | None = None, progress: Progress | None = None,
                  cancel: CancelToken | None = None) -> LabelImport:
    """Attach labels from a spreadsheet to the project's reviews (all or nothing).

    Reviews are matched by normalised text; texts not yet in the project are added as
    reviews (source = this file). Rows without text or label are skipped. Labels are
    stored with source 'import'.
    """
    path = Path(path)
    t = project.task(task)
    frame = read_sheet(path, sheet=sheet)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    for column in (text_column, label_column):
        if column not in columns:
            raise UserError(f"File {path.name} has no column '{column}': use one of {', '.join(columns)}.")
    texts, values, rows = [], [], []
    skipped = 0
    for i, (text, value) in enumerate(zip(frame[text_column], frame[label_column])):
        text_s = "" if _blank(text) else _unescape(str(text).strip())
        if not text_s or _blank(value) or not str(value).strip():
            skipped += 1
            continue
        texts.append(text_s)
        values.append(value)
        rows.append(i + 2)
    labels = normalize_column(values, task=task, kind=t.kind, labels=t.labels, rows=rows,
                              where=(path.name, label_column))
    with project.transaction():
        new = project.add_reviews(pd.DataFrame({"text": texts, "row": rows}), source_path=str(path), sheet=sheet,
                                  column_mapping={"text": text_column, "label": label_column},
                                  progress=wrap_progress(progress, 0.0, 0.5), cancel=cancel)
        ids = project.review_ids_for_texts(texts)
        if cancel is not None:
            cancel.check()
        pairs = [(rid, label) for rid, labs in zip(ids, labels) for label in labs if rid is not None]
        project.set_labels(task, pairs, source="import")
    if progress is not None:
        progress(1.0, f"{len(texts):,} labels imported")
    return LabelImport(labeled=len(set(ids)), new_reviews=new, skipped_blank=skipped)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def export_labels(project: Project, path: Path | str, task: str | None = None, *, mask: bool = True) -> int:
    """Write labels to .csv or .xlsx: one row per (review, task), multi values joined by ', '.

    Columns: text, rating, product, task, label, source, labeled_at. Returns the row count.
    The label column re-imports with ``import_labels(..., label_column='label')``.
    Personal data in the text is masked (``core.text.mask_pii``) unless ``mask=False``, like
    every other export; masked texts re-import as new reviews, so move a project's labels to
    another PC with ``mask=False`` (CLI ``--no-mask``) or by copying the project file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UserError(f"Cannot export labels to {path.name}: use a file name ending in .csv or .xlsx.")
    if task is not None:
        project.task(task)
    labels = project.labels(task)
    if labels.empty:
        frame = pd.DataFrame(columns=["text", "rating", "product", "task", "label", "source", "labeled_at"])
    else:
        grouped = labels.groupby(["review_id", "task"], sort=True).agg(
            text=("text", "first"), label=("value", lambda v: ", ".join(v)),
            source=("source", lambda s: "owner" if "owner" in set(s) else "import"),
            labeled_at=("created_at", "max")).reset_index()
        reviews = project.reviews(ids=grouped["review_id"].unique().tolist())[["id", "rating", "product"]]
        frame = grouped.merge(reviews, left_on="review_id", right_on="id", how="left")
        frame = frame[["text", "rating", "product", "task", "label", "source", "labeled_at"]]
        if mask:
            from core.text import mask_pii

            frame = frame.assign(text=frame["text"].map(lambda t: mask_pii(t) if isinstance(t, str) else t))
    try:
        if suffix == ".csv":
            safe = frame.copy()
            for column in ("text", "product", "label"):
                safe[column] = safe[column].map(_csv_safe)
            safe.to_csv(path, index=False, encoding="utf-8-sig")
        else:
            _write_xlsx(frame, path)
    except OSError as exc:
        raise UserError(f"Cannot write {path} ({exc.strerror or exc}): close it in Excel or choose another "
                        "file name.") from None
    return len(frame)


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("labels")
    sheet.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        row = []
        for value in record:
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                row.append(None)
            elif isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # never a formula, whatever the customer typed
                row.append(cell)
            else:
                row.append(value.item() if hasattr(value, "item") else value)
        sheet.append(row)
    tmp = path.with_name(path.name + ".tmp")
    workbook.save(tmp)
    tmp.replace(path)


# -- aspect polarity labelling (the keyboard flow's core side) ------------------------
def aspect_value(aspect: str, polarity: str) -> str:
    """The stored label value of one aspect's polarity in a review: ``aspect:polarity``
    (slot = aspect: a review holds one polarity per aspect)."""
    if polarity not in SENTIMENT_LABELS or not str(aspect).strip() or ":" in str(aspect):
        raise UserError(f"Aspect label '{aspect}:{polarity}' is not allowed: use an aspect name without ':' and "
                        f"a polarity among {', '.join(SENTIMENT_LABELS)}.")
    return f"{aspect}:{polarity}"


def aspect_polarity(project: Project, review_id: int, aspect: str) -> str | None:
    """The owner's polarity label for ``aspect`` in one review, or None."""
    frame = project.labels(ASPECT_TASK)
    values = frame.loc[frame["review_id"] == int(review_id), "value"]
    for value in values:
        name, _, polarity = str(value).rpartition(":")
        if name == aspect:
            return polarity
    return None


def set_aspect_polarity(project: Project, review_id: int, aspect: str, polarity: str | None) -> str | None:
    """Label (or, with None, unlabel) one aspect's polarity in a review; durable on return.
    Returns the polarity it had before (for undo)."""
    before = aspect_polarity(project, review_id, aspect)
    if polarity is None:
        if before is not None:
            project.remove_label(int(review_id), ASPECT_TASK, aspect_value(aspect, before))
    else:
        project.set_label(int(review_id), ASPECT_TASK, aspect_value(aspect, polarity))
    return before


def aspect_queue(reviews: pd.DataFrame, mentions: pd.DataFrame, *, labeled_ids: Sequence[int] = (),
                 n: int = 20) -> pd.DataFrame:
    """The next reviews to label aspect polarities in, one row per (review, aspect).

    ``reviews``/``mentions`` are an analysis' ``Insights.reviews`` (with ``review_id``) and
    ``Insights.mentions``. Reviews already holding aspect labels (``labeled_ids``) are left
    out; the ``n`` reviews whose least confident mention is least confident come first
    (uncertainty sampling: where the model is least sure, a label teaches most).
    Columns: id, text, aspect, spans (list of (start, end) of every term of the aspect),
    guess (the model's polarity, first mention), confidence, review_no (0-based).
    """
    cols = ["id", "text", "aspect", "spans", "guess", "confidence", "review_no"]
    if mentions.empty or "review_id" not in reviews.columns:
        return pd.DataFrame(columns=cols)
    ids = reviews["review_id"].to_numpy()[mentions["index"].to_numpy()]
    m = mentions.assign(review_id=ids)
    m = m[pd.notna(m["review_id"]) & ~m["review_id"].isin(list(labeled_ids))]
    if m.empty:
        return pd.DataFrame(columns=cols)
    m = m.assign(review_id=m["review_id"].astype(int))
    first = m.drop_duplicates("review_id")  # one text per review id (duplicates share it)
    order = m.groupby("review_id")["confidence"].min().sort_values(kind="stable").index[:n]
    rows = []
    for no, rid in enumerate(order):
        sub = m[(m["review_id"] == rid) & (m["index"] == first.loc[first["review_id"] == rid, "index"].iat[0])]
        text = str(reviews["text"].iat[int(sub["index"].iat[0])])
        for aspect, group in sub.sort_values("start").groupby("aspect", sort=False):
            rows.append((int(rid), text, aspect, [(int(s), int(e)) for s, e in zip(group["start"], group["end"])],
                         str(group["polarity"].iat[0]), float(group["confidence"].iat[0]), no))
    return pd.DataFrame(rows, columns=cols)
