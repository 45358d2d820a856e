"""Reading spreadsheet files into rows of raw cell values (the I/O half of the importer).

File-format rules:

- ``.xlsx``: the zip's declared sizes are checked *before* openpyxl touches it (Python's
  zipfile never inflates a member past its declared size, so the check bounds memory);
  opened with ``read_only=True, data_only=True`` (cached formula results, never evaluated);
  merged ranges are read by streaming the sheet XML, since read-only sheets do not expose them.
- ``.xls``: xlrd; a ``.xls`` that is really a zip or plain text (some platforms export
  tab-separated text named .xls) is read as what it is.
- ``.csv/.tsv/.txt``: encoding from BOM, UTF-16 NUL pattern, strict UTF-8, else the most
  plausible reading among UTF-8 with a few bad bytes, GB18030, Big5 (cp950) and cp1252
  (see ``_plausibility``), then charset-normalizer; delimiter sniffed.

Every failure a user can cause becomes a one-line ``UserError`` naming the file.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from core.errors import UserError

MAX_UNCOMPRESSED = 500 * 1024 * 1024
MAX_RATIO = 100
MAX_COLS = 1000
CSV_EXT = {".csv", ".tsv", ".txt"}
XLSX_EXT = {".xlsx", ".xlsm"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RawSheet:
    """Rows of raw cell values (str/int/float/datetime/None) as they lie in one sheet."""

    name: str | None
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 1-based r1, c1, r2, c2
    encoding: str | None = None
    delimiter: str | None = None


def check_path(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise UserError(f"File not found: {p}. Check the path and try again.")
    if p.is_dir():
        raise UserError(f"{p} is a folder, not a spreadsheet: choose an .xlsx, .xls or .csv file.")
    try:
        with open(p, "rb") as fh:
            head = fh.read(8)
    except PermissionError:
        raise UserError(f"Cannot open {p.name}: permission denied or the file is locked "
                        f"(close it in Excel/WPS and try again).") from None
    except OSError as exc:
        raise UserError(f"Cannot read {p.name}: {exc.strerror or exc}. Check the file and try again.") from None
    if not head:
        raise UserError(f"{p.name} is empty (0 bytes): export the reviews again.")
    return p


def file_kind(p: Path) -> str:
    """'xlsx', 'xls' or 'csv', from the extension checked against the first bytes."""
    ext = p.suffix.lower()
    with open(p, "rb") as fh:
        head = fh.read(8)
    if ext in XLSX_EXT:
        if head.startswith(OLE_MAGIC):
            return "xls"  # an old-format or password-protected workbook
        return "xlsx"
    if ext == ".xls":
        if head.startswith(b"PK"):
            return "xlsx"
        if head.startswith(OLE_MAGIC):
            return "xls"
        return "csv"  # many "xls" exports are tab-separated or HTML text
    if ext in CSV_EXT:
        return "csv"
    raise UserError(f"{p.name}: unsupported file type '{ext or '(none)'}'; "
                    f"save it as .xlsx, .xls, .csv, .tsv or .txt and try again.")


# ---------------------------------------------------------------- xlsx

def check_zip(p: Path) -> None:
    """Refuse damaged zips and zip bombs before any XML is inflated."""
    try:
        with zipfile.ZipFile(p) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UserError(f"{p.name} is not a readable .xlsx workbook (damaged, truncated or not "
                        f"really Excel): open it in Excel/WPS and save it again as .xlsx.") from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED or (total > 20 * 1024 * 1024 and total / packed > MAX_RATIO):
        raise UserError(f"{p.name} unpacks to {total / 2**20:.0f} MB ({total / packed:.0f}x its size), "
                        f"which looks like a damaged or malicious file; export the reviews again "
                        f"or save them as .csv.")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        raise UserError(f"{p.name} is a zip file but not an Excel workbook: save it as .xlsx and try again.")


def open_xlsx(p: Path) -> Any:
    import openpyxl

    check_zip(p)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(p, read_only=True, data_only=True)
    except PermissionError:
        raise UserError(f"Cannot open {p.name}: permission denied or the file is locked "
                        f"(close it in Excel/WPS and try again).") from None
    except Exception:  # openpyxl raises many types for broken parts
        raise UserError(f"{p.name} could not be read as an Excel workbook (damaged or unusual format): "
                        f"open it in Excel/WPS and save it again as .xlsx.") from None


def xlsx_sheet_names(wb: Any) -> list[str]:
    return [ws.title for ws in wb.worksheets if hasattr(ws, "iter_rows")]


def _trim(row: list[Any]) -> list[Any]:
    end = len(row)
    while end and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    return row[: min(end, MAX_COLS)]


def xlsx_rows(p: Path, wb: Any, name: str, *, limit: int | None = None,
              check: Callable[[int], None] | None = None) -> list[list[Any]]:
    ws = wb[name]
    if limit is None:
        ws.reset_dimensions()  # do not trust (or pad to) the declared dimension
    rows: list[list[Any]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i, row in enumerate(ws.iter_rows(values_only=True, max_row=limit)):
                rows.append(_trim(list(row)))
                if check is not None and i % 2000 == 0:
                    check(i)
    except UserError:
        raise
    except Exception as exc:
        if type(exc).__name__ == "Cancelled":
            raise
        raise UserError(f"Sheet '{name}' of {p.name} is damaged near row {len(rows) + 1}: "
                        f"open it in Excel/WPS and save it again.") from None
    # Trailing empty rows are formatting leftovers.
    while rows and not rows[-1]:
        rows.pop()
    return rows


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def xlsx_merged(wb: Any, name: str, *, max_row: int = 30) -> list[tuple[int, int, int, int]]:
    """Merged ranges starting in the first ``max_row`` rows, read by streaming the sheet XML."""
    ws = wb[name]
    out: list[tuple[int, int, int, int]] = []
    try:
        with wb._archive.open(ws._worksheet_path) as src:
            tail = b""
            while True:
                chunk = src.read(1 << 20)
                if not chunk:
                    break
                buf = tail + chunk
                for m in _MERGE_RE.finditer(buf):
                    r1 = int(m[2])
                    if r1 <= max_row:
                        out.append((r1, col_index(m[1].decode()), int(m[4]), col_index(m[3].decode())))
                tail = buf[-200:]
    except Exception:  # merges are a nicety; never fail the import on them
        return []
    return sorted(set(out))


# ---------------------------------------------------------------- xls

def read_xls(p: Path, *, sheet_names_only: bool = False) -> tuple[list[str], Any]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(p), formatting_info=True, on_demand=True)
    except Exception:
        try:  # formatting_info is not supported by every writer's files
            book = xlrd.open_workbook(str(p), on_demand=True)
        except Exception:
            if p.suffix.lower() in (".xlsx", ".xlsm"):  # an OLE container under a new name: encrypted
                raise UserError(f"{p.name} is password-protected (encrypted) or not a real .xlsx: open it in "
                                f"Excel/WPS, remove the password and save it again as .xlsx.") from None
            raise UserError(f"{p.name} could not be read as an Excel 97-2003 workbook (damaged, "
                            f"password-protected or not really .xls): save it again as .xlsx.") from None
    return book.sheet_names(), book


def xls_sheet(p: Path, book: Any, name: str, *, limit: int | None = None) -> RawSheet:
    import xlrd

    try:
        sh = book.sheet_by_name(name)
        rows: list[list[Any]] = []
        n = sh.nrows if limit is None else min(sh.nrows, limit)
        for r in range(n):
            row: list[Any] = []
            for c, cell in enumerate(sh.row(r)[:MAX_COLS]):
                v: Any = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        v = xlrd.xldate.xldate_as_datetime(v, book.datemode)
                    except Exception:
                        pass
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    v = None
                elif cell.ctype == xlrd.XL_CELL_NUMBER and float(v).is_integer() and abs(v) < 2**53:
                    v = int(v)
                row.append(v)
            rows.append(_trim(row))
        merged = [(r1 + 1, c1 + 1, r2, c2) for r1, r2, c1, c2 in getattr(sh, "merged_cells", []) or []]
    except UserError:
        raise
    except Exception:
        raise UserError(f"Sheet '{name}' of {p.name} could not be read: save the file again as .xlsx.") from None
    while rows and not rows[-1]:
        rows.pop()
    return RawSheet(name, rows, merged)


# ---------------------------------------------------------------- csv / text

# Legacy encodings tried when a file is not UTF-8, in order of preference on a tie: Chinese
# shops export GBK/GB18030 (the common case), Taiwan/HK Big5, and European Excel saves
# "CSV" as Windows-1252.
_LEGACY = ("gb18030", "cp950", "cp1252")
_SAMPLE = 200_000
_HIGH = re.compile(r"[^\x00-\x7f]")
_WORD = re.compile(r"[^\W\d_]+")
# A non-ASCII character with ASCII on both sides: how accents and typographic marks sit
# in Latin text, but never how a double-byte Chinese character decodes as cp1252 (two
# high characters side by side).
_ISOLATED = re.compile(r"(?<![^\x00-\x7f])[^\x00-\x7f](?![^\x00-\x7f])")


def _char_weight(ch: str, encoding: str) -> float:
    """How typical one decoded character is of real text in a double-byte encoding.

    Both code tables put the everyday characters in a block of their own: GB2312 level 1
    (lead bytes B0-D7, the 3,755 most used Hanzi) and Big5 level 1 (A4-C6, 5,401 common
    characters); both put full-width punctuation in A1-A3. Misread Latin text or the other
    Chinese encoding mostly lands outside those blocks (GBK extensions, level 2, symbols).
    """
    table, common = ("gb2312", (0xB0, 0xD7)) if encoding == "gb18030" else ("big5", (0xA4, 0xC6))
    try:
        b = ch.encode(table)
    except UnicodeEncodeError:
        return 0.0
    if len(b) != 2:
        return 0.0
    if common[0] <= b[0] <= common[1] or 0xA1 <= b[0] <= 0xA3:
        return 1.0
    return 0.3 if b[0] > common[1] else 0.0  # level 2: real characters, but rare ones


def _plausibility(text: str, encoding: str) -> float:
    """-1..1: the share of non-ASCII characters that look like real text, replacement
    characters counting against it."""
    high = _HIGH.findall(text)
    if not high:
        return 0.0
    bad = high.count("\ufffd")
    if encoding == "utf-8":
        # Valid multi-byte UTF-8 sequences almost never arise from other encodings by chance.
        good = len(high) - bad
    elif encoding == "cp1252":
        good_at = {m.start() for m in _ISOLATED.finditer(text)}
        for m in _WORD.finditer(text):
            w = m.group()
            n_high = len(_HIGH.findall(w))
            if n_high and 2 * n_high <= len(w):  # accents inside mostly-ASCII words
                good_at.update(m.start() + i for i, ch in enumerate(w) if ord(ch) > 127)
        good = sum(1 for i in good_at if text[i] != "\ufffd")
    else:
        counts: dict[str, int] = {}
        for ch in high:
            counts[ch] = counts.get(ch, 0) + 1
        good = sum(n * _char_weight(ch, encoding) for ch, n in counts.items() if ch != "\ufffd")
    return (good - bad) / len(high)


def _guess_encoding(data: bytes) -> str | None:
    """The most plausible of UTF-8 (with a few bad bytes) and the legacy encodings, judged
    on the file's head; None when every reading has too many undecodable bytes."""
    sample = data[:_SAMPLE]
    if len(data) > _SAMPLE and b"\n" in sample:
        # Cut at a line end: no byte of a multi-byte character in these encodings is 0x0A.
        sample = sample[: sample.rindex(b"\n") + 1]
    limit = max(3, len(sample) // 200)
    best: tuple[float, str] | None = None
    for enc in ("utf-8",) + _LEGACY:
        text = sample.decode(enc, errors="replace")
        if text.count("\ufffd") > limit:
            continue
        score = _plausibility(text, enc)
        if best is None or score > best[0]:  # strictly better: ties keep the earlier encoding
            best = (score, enc)
    return best[1] if best else None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding name) for a delimited text file; never raises on bad bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le", errors="replace"), "utf-16-le"
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", errors="replace"), "utf-16-be"
    head = data[:4000]
    if len(head) >= 4:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) / 2 * 0.3 and even < odd / 10:
            return data.decode("utf-16-le", errors="replace"), "utf-16-le"
        if even > len(head) / 2 * 0.3 and odd < even / 10:
            return data.decode("utf-16-be", errors="replace"), "utf-16-be"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # GB18030 decodes almost any byte string without error (cp1252 "Qualität" reads as
    # "Qualit鋞"), so a clean decode proves nothing: weigh what each reading produces.
    enc = _guess_encoding(data)
    if enc is not None:
        return data.decode(enc, errors="replace"), enc
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace"), best.encoding
    except Exception:
        pass
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str, ext: str) -> str:
    lines = [ln for ln in text[:200_000].splitlines() if ln.strip()][:40]
    best, best_score = ("\t" if ext == ".tsv" else ","), -1.0
    for d in (",", "\t", ";", "|"):
        try:
            counts = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=d)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = counts.count(mode) / len(counts) * min(mode, 30) + (0.5 if ext == ".tsv" and d == "\t" else 0)
        if score > best_score:
            best, best_score = d, score
    return best


def _looks_binary(text: str, sample: int = 65536) -> bool:
    """Many control characters (other than tab and line breaks) among the first characters:
    an image, archive or encrypted file renamed .csv. Real exports have at most a stray few,
    which the importer removes."""
    head = text[:sample]
    bad = sum(1 for c in head if c < " " and c not in "\t\r\n")
    return bad >= 16 and bad > 0.02 * len(head)


def read_delimited(p: Path, *, limit: int | None = None) -> RawSheet:
    try:
        data = p.read_bytes()
    except PermissionError:
        raise UserError(f"Cannot open {p.name}: permission denied or the file is locked "
                        f"(close it and try again).") from None
    text, encoding = decode_bytes(data)
    del data
    if _looks_binary(text):
        raise UserError(f"{p.name} holds binary data, not text, so it is not a CSV file: export the "
                        f"reviews again from the shop platform as .csv or .xlsx.")
    text = text.replace("\x00", "")
    if text.lstrip().lower().startswith(("<html", "<!doctype", "<table", "<?xml")):
        raise UserError(f"{p.name} is a web page or XML, not a spreadsheet: open it in Excel/WPS "
                        f"and save it as .xlsx or .csv.")
    delim = sniff_delimiter(text, p.suffix.lower())
    csv.field_size_limit(2**31 - 1)
    rows: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        for row in reader:
            rows.append(_trim([c if c != "" else None for c in row]))
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error as exc:
        raise UserError(f"{p.name} row {reader.line_num}: {exc}; fix the row or save the file "
                        f"again as .xlsx.") from None
    while rows and not rows[-1]:
        rows.pop()
    return RawSheet(None, rows, [], encoding, delim)


# cp1252's printable characters above 0x7F, back to their byte: with latin-1 for the rest,
# the bytes a UTF-8 text was before someone decoded it as Windows-1252 ("sloppy" cp1252, as
# Excel and many exports do: the five bytes cp1252 leaves undefined come out as C1 controls).
_CP1252_BYTE = {bytes([b]).decode("cp1252"): b for b in range(0x80, 0x100)
                if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
# A UTF-8 lead byte (0xC2-0xF4) read as cp1252/latin-1, followed by a continuation byte
# (0x80-0xBF) read the same way: the signature of mojibake ("ï¼Ÿ" was "？", "è´¨é‡" was "质量").
_CONT = "".join(ch for ch, b in _CP1252_BYTE.items() if 0x80 <= b <= 0xBF and ord(ch) > 0xFF)
_MOJIBAKE = re.compile(f"[\xc2-\xf4][\x80-\xbf{re.escape(_CONT)}]")


def repair_mojibake(s: str) -> str:
    """A cell whose UTF-8 text was decoded as Windows-1252/latin-1 before it reached us (the
    platform's export or an Excel round trip did it, so the file's own encoding is right):
    re-encode and decode as UTF-8. Only when every character maps back to a byte and the
    bytes are valid UTF-8 with at least one multi-byte character: real Latin text ("Qualität",
    "crème brûlée") is never valid UTF-8 that way, so it is left alone; so is a cell that
    mixes mojibake with proper CJK text (it cannot be undone safely)."""
    if not s or not _MOJIBAKE.search(s):
        return s
    raw = bytearray()
    for ch in s:
        o = ord(ch)
        if o < 0x100:
            raw.append(o)
        elif ch in _CP1252_BYTE:
            raw.append(_CP1252_BYTE[ch])
        else:
            return s
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return s
    return fixed if len(fixed) < len(s) else s


def cell_text(v: Any) -> str:
    """A raw cell as the string a spreadsheet app would show (for text-like columns); a
    whole-cell mojibake is repaired (``repair_mojibake``)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return repair_mojibake(v)
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    if isinstance(v, _dt.datetime):
        return v.isoformat(sep=" ")
    return str(v)
