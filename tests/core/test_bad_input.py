"""Bad files: each must give one UserError line that names the file, never a traceback.

The bad files are generated here at test time (no binary corpus committed).
"""
from __future__ import annotations

import csv
import io
import os
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

import core.importing.files as files
from core.errors import UserError
from core.importing import list_sheets, preview, read_reviews
from core.text import clean_text, duplicate_groups, mask_pii, split_clauses


def good_xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["评价内容", "评分"])
    for i in range(200):
        ws.append([f"第{i}条评价，质量很好，物流很快，包装也不错", 5])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def expect_error(path: Path, *patterns: str) -> str:
    with pytest.raises(UserError) as info:
        read_reviews(path)
    msg = str(info.value)
    assert "\n" not in msg and path.name in msg, msg
    for pat in patterns:
        assert pat.lower() in msg.lower(), msg
    return msg


def test_missing_file(tmp_path: Path) -> None:
    expect_error(tmp_path / "nope.xlsx", "not found")
    with pytest.raises(UserError, match="nope.csv"):
        preview(tmp_path / "nope.csv")
    with pytest.raises(UserError, match="nope.xlsx"):
        list_sheets(tmp_path / "nope.xlsx")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    d = tmp_path / "reviews.csv"
    d.mkdir()
    expect_error(d, "folder")


def test_locked_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "locked.xlsx"
    p.write_bytes(good_xlsx_bytes())
    if os.geteuid() != 0:  # a real permission error where the OS enforces one
        p.chmod(0)
        try:
            expect_error(p, "permission")
        finally:
            p.chmod(0o600)

    def locked(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "open", locked, raising=False)  # as Excel's lock looks on Windows
    expect_error(p, "permission", "close it")


def test_empty_file(tmp_path: Path) -> None:
    for name in ("empty.csv", "empty.xlsx", "empty.xls"):
        p = tmp_path / name
        p.write_bytes(b"")
        expect_error(p, "empty")


def test_blank_csv_and_blank_sheet(tmp_path: Path) -> None:
    p = tmp_path / "blank.csv"
    p.write_text("\n\n , ,\n", encoding="utf-8")
    expect_error(p, "empty")
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "blank.xlsx")
    expect_error(tmp_path / "blank.xlsx", "empty")


def test_header_only(tmp_path: Path) -> None:
    p = tmp_path / "header.csv"
    p.write_text("评价内容,评分,评价时间\n", encoding="utf-8")
    expect_error(p, "no data rows", "row 1")
    wb = openpyxl.Workbook()
    wb.active.append(["Review Text", "Rating"])
    wb.save(tmp_path / "header.xlsx")
    expect_error(tmp_path / "header.xlsx", "no data rows")


def test_random_bytes_named_xlsx(tmp_path: Path) -> None:
    p = tmp_path / "random.xlsx"
    p.write_bytes(os.urandom(4096))
    expect_error(p, "not a readable .xlsx")
    with pytest.raises(UserError, match="random.xlsx"):
        list_sheets(p)


def test_random_bytes_named_xls(tmp_path: Path) -> None:
    p = tmp_path / "random.xls"
    p.write_bytes(files.OLE_MAGIC + os.urandom(4096))
    expect_error(p, "97-2003")


def test_random_bytes_named_csv(tmp_path: Path) -> None:
    p = tmp_path / "random.csv"
    p.write_bytes(os.urandom(8192))
    expect_error(p, "binary data", "export the reviews again")


def test_encrypted_xlsx_says_password(tmp_path: Path) -> None:
    p = tmp_path / "locked.xlsx"  # Excel saves a password-protected .xlsx as an OLE container
    p.write_bytes(files.OLE_MAGIC + os.urandom(4096))
    expect_error(p, "password", "save it again as .xlsx")


def test_column_number_out_of_range(tmp_path: Path) -> None:
    p = tmp_path / "two.csv"
    p.write_text("评价内容,评分\n很好,5\n", encoding="utf-8")
    with pytest.raises(UserError, match="two.csv has 2 columns, so there is no column 9 for"):
        read_reviews(p, text_column="9")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    p = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("a.txt", "hello")
    expect_error(p, "not an excel workbook")


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_xlsx(tmp_path: Path, keep: float) -> None:
    data = good_xlsx_bytes()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(data[: int(len(data) * keep)])
    expect_error(p, "save it again")


def test_damaged_member_xlsx(tmp_path: Path) -> None:
    src = zipfile.ZipFile(io.BytesIO(good_xlsx_bytes()))
    p = tmp_path / "bad_sheet.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                body = body[: len(body) // 2]  # XML cut mid-way
            zf.writestr(info, body)
    expect_error(p, "save it again")


def test_no_text_like_column(tmp_path: Path) -> None:
    p = tmp_path / "numbers.csv"
    p.write_text("id,score,qty\n" + "\n".join(f"{i},{i % 5 + 1},{i * 3}" for i in range(20)), encoding="utf-8")
    msg = expect_error(p, "no column looks like review text", "--text-column", "id, score, qty")
    assert msg.startswith("no column")


def test_unknown_extension(tmp_path: Path) -> None:
    p = tmp_path / "reviews.pdf"
    p.write_bytes(b"%PDF-1.4 ...")
    expect_error(p, "unsupported file type '.pdf'", ".xlsx")


def test_html_saved_as_xls(tmp_path: Path) -> None:
    p = tmp_path / "export.xls"
    p.write_text("<html><body><table><tr><td>评价内容</td></tr></table></body></html>", encoding="utf-8")
    expect_error(p, "web page")


def _bomb(path: Path, mb: int) -> None:
    """An .xlsx-shaped zip whose sheet XML inflates to ``mb`` MB of repeated cells."""
    row = b"<row><c t='inlineStr'><is><t>a</t></is></c></row>" * 1000
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(mb * 1024 * 1024 // len(row)):
                fh.write(row)


def test_zip_bomb_refused_quickly(tmp_path: Path) -> None:
    p = tmp_path / "bomb.xlsx"
    _bomb(p, 60)  # 60 MB inflated from well under 1 MB: ratio far above 100
    assert p.stat().st_size < 2 * 1024 * 1024
    start = time.perf_counter()
    expect_error(p, "malicious")
    assert time.perf_counter() - start < 2.0


def test_zip_bomb_total_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The 500 MB rule, scaled down so the test stays fast: the same code path.
    monkeypatch.setattr(files, "MAX_UNCOMPRESSED", 5 * 1024 * 1024)
    monkeypatch.setattr(files, "MAX_RATIO", 10**9)
    p = tmp_path / "huge.xlsx"
    _bomb(p, 8)
    expect_error(p, "unpacks to 8 MB")


def test_invalid_bytes_in_gbk_file(tmp_path: Path) -> None:
    lines = ["评价内容,评分"] + [f"第{i}条：苹果很甜，个头很大，物流也快,5" for i in range(50)]
    data = bytearray("\n".join(lines).encode("gbk"))
    data[200:200] = b"\xff\xff"  # two bytes no GBK reader accepts
    p = tmp_path / "broken_gbk.csv"
    p.write_bytes(bytes(data))
    t = read_reviews(p)
    assert t.encoding == "gb18030" and len(t.frame) == 50
    assert t.frame["text"].iloc[-1] == "第49条：苹果很甜，个头很大，物流也快"
    assert sum("\ufffd" in s for s in t.frame["text"]) >= 1


def test_huge_review_does_not_hang(tmp_path: Path) -> None:
    big = ("这个平板电脑质量很好，但是电池不耐用。" * 12000)[:200_000]
    p = tmp_path / "big.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["评价内容", "评分"])
        w.writerow([big, 4])
        w.writerow(["短评，很好", 5])
    start = time.perf_counter()
    t = read_reviews(p)
    text = t.frame["text"].iloc[0]
    assert len(text) == 200_000
    assert len(clean_text(text)) == 200_000
    assert len(split_clauses(text)) > 1000
    assert mask_pii(text) == text
    assert duplicate_groups([text, text + "!", "短评"]) == [None, 0, None]
    assert time.perf_counter() - start < 30  # generous: only catches a hang


def test_emoji_zero_width_bidi(tmp_path: Path) -> None:
    raw = ["超好吃😋👍\u200b", "\u202e反向文字\u202c测试", "\ufeff很好\u2060用", "👨\u200d👩\u200d👧 全家都喜欢"]
    p = tmp_path / "emoji.csv"
    with open(p, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([["评价内容"]] + [[r] for r in raw])
    texts = read_reviews(p).frame["text"].tolist()
    assert texts == raw  # the importer keeps raw text; cleaning is a separate stage
    assert [clean_text(t) for t in texts] == ["超好吃😋👍", "反向文字测试", "很好用", "👨\u200d👩\u200d👧 全家都喜欢"]


def test_nul_bytes_and_control_chars(tmp_path: Path) -> None:
    p = tmp_path / "nul.csv"
    p.write_bytes("评价内容,评分\n很好\x00用,5\n不\x07好,1\n".encode("utf-8"))
    t = read_reviews(p)
    assert t.frame["text"].tolist()[0] == "很好用"
    assert clean_text(t.frame["text"].tolist()[1]) == "不好"


def test_bogus_dimension_does_not_blow_up(tmp_path: Path) -> None:
    src = zipfile.ZipFile(io.BytesIO(good_xlsx_bytes()))
    p = tmp_path / "dims.xlsx"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                assert b'<dimension ref="A1:B201"' in body
                body = body.replace(b'<dimension ref="A1:B201"', b'<dimension ref="A1:XFD1048576"')
            zf.writestr(info.filename, body)
    t = read_reviews(p)
    assert len(t.frame) == 200 and t.all_columns == ["评价内容", "评分"]
