"""Importer: formats, encodings, header/sheet detection, column recognition, overrides."""
from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from core.errors import UserError
from core.importing import ROLES, ColumnGuess, ReviewTable, list_sheets, preview, read_reviews
from core.jobs import Cancelled, CancelToken

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"

ZH = ["质量很好，物流也快，下次还来", "苹果很甜，个头也大，家人都喜欢", "屏幕有点暗，电池一般般", "包装破了，有两个烂的，差评",
      "性价比高，运行流畅，推荐购买", "客服态度不好，发货太慢了", "和描述一致，没有色差，满意", "用了三天就卡顿，后悔买了"]
EN = ["Great shirt, fits perfectly and the fabric is soft", "Colour faded after one wash, disappointed",
      "Okay for the price but the stitching is loose", "Arrived late and the size was wrong",
      "Love it, bought a second one for my brother", "Material feels cheap, would not buy again",
      "Exactly as pictured, fast delivery", "Runs small, order a size up"]


def cell_for(role: str | None, i: int, lang: str) -> object:
    texts = ZH if lang == "zh" else EN
    if role == "text":
        return texts[i % len(texts)] + ("" if i < len(texts) else f" {i}")
    if role == "rating":
        return [5, 4, 3, 1, 5, 2, 4, 1][i % 8]
    if role == "date":
        return f"2026-03-{i % 28 + 1:02d} 10:{i % 60:02d}:00"
    if role == "followup":
        return ["用了一周还不错", "追评：又坏了", "Still good after a month", ""][i % 4]
    if role == "reply":
        return ["亲，感谢支持", "Sorry about that, contact us", "", "抱歉给您带来不便"][i % 4]
    if role == "order_id":
        return str(380000000000 + i * 7)
    if role == "author":
        return f"t**{i % 5}"
    if role == "product":
        return ["苹果 5斤", "平板 64G", "T-Shirt L"][i % 3]
    if role == "sku":
        return ["红色 XL", "蓝色 M", "64G"][i % 3]
    return f"x{i % 3}"


def write_csv(path: Path, rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


# (platform, headers, expected role of each header, language)
PLATFORMS = [
    ("taobao", ["订单编号", "买家昵称", "宝贝名称", "颜色分类", "评价时间", "评分", "初评内容", "追加评价", "掌柜回复"],
     ["order_id", "author", "product", "sku", "date", "rating", "text", "followup", "reply"], "zh"),
    ("tmall", ["评论内容", "追评内容", "评论时间", "商品名称", "商品属性", "评价等级", "解释", "会员名", "订单号"],
     ["text", "followup", "date", "product", "sku", "rating", "reply", "author", "order_id"], "zh"),
    ("jd", ["商品名称", "评价内容", "评分", "评价时间", "商家回复", "追评"],
     ["product", "text", "rating", "date", "reply", "followup"], "zh"),
    ("pinduoduo", ["商品名称", "商品规格", "评价内容", "评价星级", "评价时间"],
     ["product", "sku", "text", "rating", "date"], "zh"),
    ("pinduoduo2", ["商品名称", "评价内容", "商品评分"], ["product", "text", "rating"], "zh"),
    ("douyin", ["商品名称", "评价内容", "评价时间", "商品得分"], ["product", "text", "date", "rating"], "zh"),
    ("amazon", ["ASIN", "Product Title", "Rating", "Review Date", "Reviewer Name", "Review Title", "Review Text"],
     [None, "product", "rating", "date", "author", None, "text"], "en"),
    ("amazon_ds", ["marketplace", "product_title", "star_rating", "review_headline", "review_body", "review_date"],
     [None, "product", "rating", None, "text", "date"], "en"),
    ("amazon_json", ["asin", "overall", "reviewText", "summary", "reviewerName"],
     ["product", "rating", "text", None, "author"], "en"),
    ("judgeme", ["title", "body", "rating", "review_date", "reviewer_name", "product_handle", "reply"],
     [None, "text", "rating", "date", "author", "product", "reply"], "en"),
    ("yotpo", ["Review Title", "Review Content", "Review Score", "Date", "Product Title"],
     [None, "text", "rating", "date", "product"], "en"),
    ("ebay", ["Feedback", "Rating", "Item", "Date"], ["text", "rating", "product", "date"], "en"),
    ("ebay2", ["Comment", "Rating", "Item Title"], ["text", "rating", "product"], "en"),
    ("etsy", ["Message", "Star Rating", "Date Reviewed", "Listing"], ["text", "rating", "date", "product"], "en"),
    ("etsy2", ["Review", "Star Rating", "Date Reviewed", "Item"], ["text", "rating", "date", "product"], "en"),
]


@pytest.mark.parametrize("platform,headers,roles,lang", PLATFORMS, ids=[p[0] for p in PLATFORMS])
def test_platform_columns(tmp_path: Path, platform: str, headers: list[str], roles: list, lang: str) -> None:
    rows = [headers] + [[cell_for(r, i, lang) if r else f"{h}-{i}" for h, r in zip(headers, roles)] for i in range(12)]
    if platform == "ebay":  # eBay rates as Positive/Neutral/Negative
        for i, r in enumerate(rows[1:]):
            r[1] = ["Positive", "Neutral", "Negative"][i % 3]
    t = read_reviews(write_csv(tmp_path / f"{platform}.csv", rows))
    expected = {r: h for h, r in zip(headers, roles) if r}
    assert t.columns == expected
    assert all(0 < t.guesses[r].confidence <= 1 for r in expected)
    assert t.frame["text"].iloc[0] == cell_for("text", 0, lang)
    if "rating" in expected:
        assert t.frame["rating"].between(1, 5).all()
    if platform == "ebay":
        assert t.frame["rating"].tolist()[:3] == [5.0, 3.0, 1.0]


def test_title_used_as_text_only_without_body(tmp_path: Path) -> None:
    rows = [["Review Title", "Rating"]] + [[EN[i % 8], i % 5 + 1] for i in range(10)]
    t = read_reviews(write_csv(tmp_path / "t.csv", rows))
    assert t.columns["text"] == "Review Title"


def test_content_fallback_unknown_headers(tmp_path: Path) -> None:
    rows = [["c1", "c2", "c3", "c4"]] + [[f"id{i}", ZH[i % 8] + str(i), [5, 4, 1][i % 3], f"2026/3/{i % 28 + 1}"]
                                         for i in range(20)]
    t = read_reviews(write_csv(tmp_path / "u.csv", rows))
    assert t.columns["text"] == "c2"
    assert t.columns["rating"] == "c3"
    assert t.columns["date"] == "c4"
    assert t.guesses["text"].confidence < 1


@pytest.mark.parametrize("encoding,delimiter,ext", [
    ("utf-8", ",", ".csv"), ("utf-8-sig", ",", ".csv"), ("gbk", ",", ".csv"), ("gb18030", ";", ".csv"),
    ("utf-16", "\t", ".txt"), ("utf-16-be", "\t", ".txt"), ("utf-8", "\t", ".tsv"), ("utf-8", "|", ".csv"),
    ("utf-8", ";", ".csv"),
])
def test_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str, ext: str) -> None:
    rows = [["评价内容", "评分", "评价时间"]] + [[ZH[i % 8] + f"，第{i}条", i % 5 + 1, "2026/3/1"] for i in range(30)]
    p = tmp_path / f"f{ext}"
    if encoding == "utf-16-be":  # Excel's "Unicode text" is LE; write BE with its BOM by hand
        text = "\r\n".join(delimiter.join(map(str, r)) for r in rows)
        p.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    else:
        write_csv(p, rows, encoding=encoding, delimiter=delimiter)
    t = read_reviews(p)
    assert t.delimiter == delimiter
    assert t.frame["text"].tolist()[:2] == [ZH[0] + "，第0条", ZH[1] + "，第1条"]
    assert len(t.frame) == 30
    expected_enc = {"gbk": "gb18030", "utf-16": "utf-16-le"}.get(encoding, encoding)
    assert t.encoding == expected_enc


def test_title_row_above_header_csv(tmp_path: Path) -> None:
    rows = [["淘宝评价导出 2026-03-01"], [], ["评价内容", "评分", "评价时间"]] + \
           [[ZH[i % 8], "好评", "2026-03-01"] for i in range(5)]
    t = read_reviews(write_csv(tmp_path / "t.csv", rows))
    assert t.header_row == 3
    assert t.frame["source_row"].tolist() == [4, 5, 6, 7, 8]
    assert t.frame["row"].tolist() == [1, 2, 3, 4, 5]


def test_cover_sheet_skipped_and_sheet_override(tmp_path: Path) -> None:
    p = write_xlsx(tmp_path / "w.xlsx", {
        "说明": [["本文件由系统导出"], ["请勿修改表头"], ["共 5 条"]],
        "汇总": [["好评率", "98%"], ["差评数", "1"]],
        "评价数据": [["评价内容", "评分"]] + [[ZH[i], 5] for i in range(5)],
    })
    assert list_sheets(p) == ["说明", "汇总", "评价数据"]
    t = read_reviews(p)
    assert t.sheet == "评价数据"
    with pytest.raises(UserError, match="no sheet named 'nope'.*评价数据"):
        read_reviews(p, sheet="nope")
    with pytest.raises(UserError, match="no column looks like review text in sheet .汇总. of w.xlsx"):
        read_reviews(p, sheet="汇总")


def test_merged_title_and_header_cells(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评价数据"
    ws.append(["淘宝/天猫 评价导出 导出时间: 2026-03-01 10:31:00"])
    ws.merge_cells("A1:D1")
    ws.append(["订单编号", "评价信息", None, "买家昵称"])
    ws.append([None, "评价内容", "评分", None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:C2")
    ws.merge_cells("D2:D3")
    for i in range(6):
        ws.append([f"{380000000000 + i}", ZH[i], i % 5 + 1, f"u{i}"])
    wb.save(tmp_path / "m.xlsx")
    t = read_reviews(tmp_path / "m.xlsx")
    assert t.header_row == 3
    assert t.all_columns == ["订单编号", "评价内容", "评分", "买家昵称"]
    assert t.columns["order_id"] == "订单编号" and t.columns["author"] == "买家昵称"
    assert t.frame["order_id"].iloc[0] == "380000000000"


def test_formulas_read_cached_values_and_numbers_as_text(tmp_path: Path) -> None:
    p = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["评价内容", "评分", "数量"])
    for i in range(4):
        ws.append([ZH[i], str(i + 2), f"=1+{i}"])
    wb.save(p)
    t = read_reviews(p)  # openpyxl writes no cached value: the formula cell reads as empty
    assert t.frame["rating"].tolist() == [2.0, 3.0, 4.0, 5.0]
    assert "数量" in t.all_columns


def test_xls_file(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    cover = wb.add_sheet("说明")
    cover.write(0, 0, "导出说明")
    ws = wb.add_sheet("评价")
    ws.write_merge(0, 0, 0, 2, "京东评价导出")
    for c, h in enumerate(["评价内容", "评分", "评价时间"]):
        ws.write(1, c, h)
    style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for i in range(5):
        ws.write(i + 2, 0, ZH[i])
        ws.write(i + 2, 1, i + 1)
        ws.write(i + 2, 2, dt.datetime(2026, 3, i + 1), style)
    wb.save(str(tmp_path / "j.xls"))
    assert list_sheets(tmp_path / "j.xls") == ["说明", "评价"]
    t = read_reviews(tmp_path / "j.xls")
    assert t.sheet == "评价" and t.header_row == 2
    assert t.frame["rating"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert t.frame["date"].iloc[2] == pd.Timestamp("2026-03-03")


def test_xls_that_is_really_tab_text(tmp_path: Path) -> None:
    p = tmp_path / "export.xls"
    p.write_text("评价内容\t评分\n" + "\n".join(f"{ZH[i]}\t{i + 1}" for i in range(4)), encoding="utf-8")
    assert read_reviews(p).frame["rating"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_date_formats(tmp_path: Path) -> None:
    dates = ["2026-03-01 10:31:00", "2026/3/1", "2026年3月1日", "01-Mar-26", "03/01/2026",
             "2026-03-01T10:31:00Z", "46082", "1772361060", "", "not a date"]
    rows = [["评价内容", "评价时间"]] + [[ZH[i % 8] + str(i), d] for i, d in enumerate(dates)]
    t = read_reviews(write_csv(tmp_path / "d.csv", rows))
    got = t.frame["date"].tolist()
    for ts in got[:8]:
        assert ts.date() == dt.date(2026, 3, 1), got
    assert got[0].hour == 10 and got[5].hour == 10
    assert pd.isna(got[8]) and pd.isna(got[9])


def test_date_cells_and_dayfirst(tmp_path: Path) -> None:
    p = write_xlsx(tmp_path / "d.xlsx", {"s": [["Review Text", "Review Date"],
                                               [EN[0], dt.datetime(2018, 7, 29, 8, 0)], [EN[1], "29/07/2018"],
                                               [EN[2], "05/07/2018"], [EN[3], 45000]]})
    got = read_reviews(p).frame["date"].tolist()
    assert got[0] == pd.Timestamp("2018-07-29 08:00") and got[1] == pd.Timestamp("2018-07-29")
    assert got[2] == pd.Timestamp("2018-07-05")  # the column is day-first
    assert got[3] == pd.Timestamp("2023-03-15")  # Excel serial


@pytest.mark.parametrize("cells,expected", [
    (["★★★★☆", "★☆☆☆☆", "★★★★★"], [4, 1, 5]),
    (["4星", "五星", "2星"], [4, 5, 2]),
    (["4.0 out of 5 stars", "1.0 out of 5 stars", "3 out of 5"], [4, 1, 3]),
    (["好评", "中评", "差评"], [5, 3, 1]),
    ([100, 0, 50], [5, 1, 3]),
    ([10, 1, 7], [5, 1, 1 + 4 * 6 / 9]),
    (["5", "3", " 4 "], [5, 3, 4]),
    (["5", "", "bad"], [5, math.nan, math.nan]),
])
def test_rating_formats(tmp_path: Path, cells: list, expected: list) -> None:
    rows = [["评价内容", "评分"]] + [[ZH[i], c] for i, c in enumerate(cells)]
    got = read_reviews(write_csv(tmp_path / "r.csv", rows)).frame["rating"].tolist()
    for g, e in zip(got, expected):
        assert (math.isnan(g) and math.isnan(e)) or g == pytest.approx(e)


def test_followup_and_reply_are_separate(tmp_path: Path) -> None:
    rows = [["追评内容", "评价内容", "商家回复"], ["追：用坏了", "刚收到，很好用", "谢谢亲"], ["", "一般般吧，还行", ""]]
    f = read_reviews(write_csv(tmp_path / "f.csv", rows)).frame
    assert f["text"].tolist() == ["刚收到，很好用", "一般般吧，还行"]
    assert f["followup"].tolist() == ["追：用坏了", ""]
    assert f["reply"].tolist() == ["谢谢亲", ""]


def test_overrides_by_name_index_and_letter(tmp_path: Path) -> None:
    rows = [["a", "b", "c"]] + [[ZH[i], EN[i], i % 5 + 1] for i in range(6)]
    p = write_csv(tmp_path / "o.csv", rows)
    assert read_reviews(p, text_column="b").columns["text"] == "b"
    assert read_reviews(p, text_column=2).columns["text"] == "b"
    assert read_reviews(p, text_column="B").columns["text"] == "b"
    t = read_reviews(p, text_column="a", rating_column="C")
    assert t.guesses["rating"] == ColumnGuess("rating", "c", 1.0)
    with pytest.raises(UserError, match=r"o\.csv.*'nope'.*a, b, c"):
        read_reviews(p, text_column="nope")
    with pytest.raises(UserError, match="columns are"):
        read_reviews(p, date_column=9)


def test_preview(tmp_path: Path) -> None:
    rows = [["导出时间 2026-03-01"], ["评价内容", "评分"]] + [[ZH[i % 8], 5] for i in range(40)]
    cols, shown, guesses, header_row = preview(write_csv(tmp_path / "p.csv", rows), n=5)
    assert cols == ["评价内容", "评分"] and header_row == 2
    assert shown[0] == [ZH[0], "5"] and len(shown) == 5
    assert guesses["text"].column == "评价内容" and set(guesses) == set(ROLES)


def test_progress_and_cancel(tmp_path: Path) -> None:
    rows = [["评价内容", "评分"]] + [[ZH[i % 8] + str(i), 5] for i in range(5000)]
    p = write_csv(tmp_path / "big.csv", rows)
    seen: list[float] = []
    t = read_reviews(p, progress=lambda f, m: seen.append(f))
    assert len(t.frame) == 5000 and seen[-1] == 1.0 and seen == sorted(seen)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        read_reviews(p, cancel=token)


def test_samples_import() -> None:
    t = read_reviews(SAMPLES / "taobao_export.xlsx")
    assert isinstance(t, ReviewTable) and t.sheet == "评价数据" and t.header_row == 2
    assert set(t.columns) == set(ROLES)
    assert 200 <= len(t.frame) <= 300 and t.frame["rating"].notna().all() and t.frame["date"].notna().all()
    jd = read_reviews(SAMPLES / "jd_export_gbk.csv")
    assert jd.encoding == "gb18030" and len(jd.frame) == 200
    am = read_reviews(SAMPLES / "amazon_export.csv")
    assert am.columns["text"] == "Review Text" and am.frame["rating"].between(1, 5).all()
    for f in SAMPLES.glob("*.*"):
        if f.suffix in (".xlsx", ".csv"):
            assert f.stat().st_size <= 200 * 1024


def _renamed_taobao(tmp_path: Path, renames: dict[str, str]) -> Path:
    """The Taobao sample with some headers renamed to names the detector does not know."""
    wb = openpyxl.load_workbook(SAMPLES / "taobao_export.xlsx")
    ws = wb["评价数据"]
    for row in ws.iter_rows(min_row=1, max_row=5):
        for c in row:
            if isinstance(c.value, str) and c.value in renames:
                c.value = renames[c.value]
    out = tmp_path / "taobao_renamed.xlsx"
    wb.save(out)
    return out


def test_sku_followup_reply_overrides_on_taobao_layout(tmp_path: Path) -> None:
    base = read_reviews(SAMPLES / "taobao_export.xlsx")
    assert (base.columns["sku"], base.columns["followup"], base.columns["reply"]) == ("颜色分类", "追评内容", "商家回复")
    p = _renamed_taobao(tmp_path, {"颜色分类": "款型", "追评内容": "二次留言", "商家回复": "店铺说明"})
    auto = read_reviews(p)
    assert not {"sku", "followup", "reply"} & set(auto.columns)  # nothing names them any more
    assert auto.columns["text"] == "评价内容"
    t = read_reviews(p, sku_column="款型", followup_column="二次留言", reply_column="I")  # I = 店铺说明
    assert (t.columns["sku"], t.columns["followup"], t.columns["reply"]) == ("款型", "二次留言", "店铺说明")
    assert t.guesses["sku"] == ColumnGuess("sku", "款型", 1.0)
    # same values as the original file's automatically found columns, row for row
    for role in ("sku", "followup", "reply"):
        assert t.frame[role].tolist() == base.frame[role].tolist()
    assert t.frame["followup"].ne("").any() and t.frame["reply"].ne("").any()
    assert t.frame["text"].tolist() == base.frame["text"].tolist()  # follow-ups never leak into the text


def test_override_takes_a_column_from_another_role(tmp_path: Path) -> None:
    # Amazon layout: the ASIN as SKU, the product title stays the product
    t = read_reviews(SAMPLES / "amazon_export.csv", sku_column="ASIN")
    assert t.columns["sku"] == "ASIN" and t.columns["product"] == "Product Title"
    assert t.frame["sku"].str.match(r"B07\d{7}$").all()
    # JD layout: naming the reply column as the follow-up moves it out of "reply"
    j = read_reviews(SAMPLES / "jd_export_gbk.csv", followup_column="商家回复")
    assert j.columns["followup"] == "商家回复" and "reply" not in j.columns
    assert j.frame["reply"].eq("").all() and j.frame["followup"].ne("").any()


@pytest.mark.parametrize("kw, flag", [("sku_column", "--sku-column"), ("followup_column", "--followup-column"),
                                      ("reply_column", "--reply-column")])
def test_missing_override_column_names_file_column_and_flag(kw: str, flag: str) -> None:
    with pytest.raises(UserError) as err:
        read_reviews(SAMPLES / "jd_export_gbk.csv", **{kw: "规格"})
    msg = str(err.value)
    assert "\n" not in msg
    assert "jd_export_gbk.csv" in msg and "'规格'" in msg and flag in msg and "商家回复" in msg


# ---------------------------------------------------------------- legacy encodings

DE_FR = ["Sehr gute Qualität, passt perfekt. Würde wieder kaufen!", "Größe fällt klein aus, Stoff ist weiß.",
         "Très bien, la qualité est élevée et le garçon est ravi.", "Déçu : couleur délavée après un lavage à 40°.",
         "Livraison rapide, très satisfait – je recommande à tous.", "Ganz okay für den Preis – Maße stimmen."]


@pytest.mark.parametrize("n", [1, 3, 40])
def test_cp1252_european_text_is_not_read_as_gb18030(tmp_path: Path, n: int) -> None:
    rows = [["Bewertung", "Sterne", "Datum"]] + [[DE_FR[i % 6], "4,5", "05.03.2024"] for i in range(n)]
    t = read_reviews(write_csv(tmp_path / "eu.csv", rows, encoding="cp1252", delimiter=";"))
    assert t.encoding == "cp1252" and t.delimiter == ";"
    assert t.frame["text"].tolist() == [DE_FR[i % 6] for i in range(n)]
    assert t.frame["rating"].tolist() == [4.5] * n
    assert t.frame["date"].tolist() == [pd.Timestamp("2024-03-05")] * n


@pytest.mark.parametrize("text", ["好评", "质量很好", "为什么第二次购买不送保护壳和耳机了", "苹果很甜，个头也大"])
def test_short_gbk_file_stays_gb18030(tmp_path: Path, text: str) -> None:
    p = tmp_path / "short.csv"
    p.write_bytes(f"评价内容,评分\n{text},5\n".encode("gbk"))
    t = read_reviews(p)
    assert t.encoding == "gb18030" and t.frame["text"].tolist() == [text]


def test_long_gbk_file_with_latin_words_stays_gb18030(tmp_path: Path) -> None:
    rows = [["商品名称", "评价内容", "评分"]] + [[["iPhone 15 手机壳", "T-Shirt L", "苹果 5斤"][i % 3],
                                            ZH[i % 8] + f"，第{i}条", i % 5 + 1] for i in range(300)]
    t = read_reviews(write_csv(tmp_path / "gbk.csv", rows, encoding="gbk"))
    assert t.encoding == "gb18030"
    assert t.frame["text"].iloc[7] == ZH[7] + "，第7条" and t.frame["product"].iloc[0] == "iPhone 15 手机壳"


def test_big5_file_is_read_as_big5(tmp_path: Path) -> None:
    tw = ["這個產品品質很好，物流也很快", "客服態度不好，發貨太慢了", "和描述一致，沒有色差，滿意"]
    rows = [["評價內容", "評分"]] + [[tw[i % 3], 5] for i in range(20)]
    t = read_reviews(write_csv(tmp_path / "big5.csv", rows, encoding="big5"))
    assert t.encoding == "cp950" and t.frame["text"].tolist()[:3] == tw


# ---------------------------------------------------------------- dates: serials, zones, warnings

def test_xls_time_column_of_bare_excel_serials_is_the_date(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("抖店评价")
    for c, h in enumerate(["评价内容", "评价星级", "评价时间"]):
        ws.write(0, c, h)
    for i in range(6):  # plain numbers, no date format: xlrd reads them as floats
        ws.write(i + 1, 0, ZH[i])
        ws.write(i + 1, 1, 5)
        ws.write(i + 1, 2, 45350.5 + i)
    wb.save(str(tmp_path / "douyin.xls"))
    t = read_reviews(tmp_path / "douyin.xls")
    assert t.columns["date"] == "评价时间"
    assert t.frame["date"].iloc[0] == pd.Timestamp("2024-02-28 12:00")


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_serial_dates_under_a_date_header_xlsx_and_csv(tmp_path: Path, kind: str) -> None:
    rows = [["Review", "Created At", "Amount"]] + [[EN[i], 45350 + i, 45000 + i] for i in range(6)]
    p = write_xlsx(tmp_path / "s.xlsx", {"s": rows}) if kind == "xlsx" else write_csv(tmp_path / "s.csv", rows)
    t = read_reviews(p)
    assert t.columns["date"] == "Created At"  # the unnamed number column is not taken for dates
    assert t.frame["date"].iloc[1] == pd.Timestamp("2024-02-29")


def test_shopify_dates_with_utc_suffix(tmp_path: Path) -> None:
    rows = [["body", "rating", "review_date"]] + [[EN[i], 5, f"2024-01-{i + 10} 10:20:00 UTC"] for i in range(5)]
    t = read_reviews(write_csv(tmp_path / "shopify.csv", rows))
    assert t.columns["date"] == "review_date" and not t.warnings
    assert t.frame["date"].tolist()[:2] == [pd.Timestamp("2024-01-10 10:20"), pd.Timestamp("2024-01-11 10:20")]


def test_warning_when_the_date_column_holds_no_dates(tmp_path: Path) -> None:
    rows = [["评价内容", "评分", "买家昵称"]] + [[ZH[i], 5, f"t**{i}"] for i in range(6)]
    p = write_csv(tmp_path / "w.csv", rows)
    assert read_reviews(p).warnings == []
    t = read_reviews(p, date_column="买家昵称")
    assert len(t.warnings) == 1 and "\n" not in t.warnings[0]
    assert "'买家昵称'" in t.warnings[0] and "0 of 6" in t.warnings[0]
    assert t.frame["date"].isna().all()


def test_readable_product_column_beats_numeric_ids(tmp_path: Path) -> None:
    p = tmp_path / "shopify.csv"
    p.write_text("product_id,product_handle,rating,body\n"
                 "7000000001,mens-cotton-tshirt,5,Great shirt and it fits well\n"
                 "7000000002,womens-linen-dress,2,The fabric is thin and see-through\n", encoding="utf-8")
    t = read_reviews(p)
    assert t.columns["product"] == "product_handle"
    only_ids = tmp_path / "ids.csv"
    only_ids.write_text("product_id,body\n7000000001,Great shirt and it fits well\n", encoding="utf-8")
    assert read_reviews(only_ids).columns["product"] == "product_id"  # still used when it is all there is



def test_a_plain_one_word_header_is_the_header_and_no_row_is_dropped(tmp_path):
    # Issue 17: "sentence" over 610 reviews imported 608, data row 2 ("... body lotion ...",
    # which holds a header word) was taken as the header and rows 1-2 vanished.
    texts = ["Nice body lotion smells good", "Great content and fast delivery"] + \
        [f"Review {i}: the item was fine" for i in range(608)]
    for header in ("sentence", "Review", "评价", "内容", "comment"):
        path = tmp_path / f"{header}.csv"
        path.write_text("\n".join([header] + texts) + "\n", encoding="utf-8")
        table = read_reviews(path)
        assert table.header_row == 1, header
        assert len(table.frame) == 610 and table.frame["text"].iloc[0] == texts[0]
        assert not table.warnings


def test_skipped_title_rows_are_named_and_the_header_row_can_be_chosen(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text("Shop export 2026-11\n\nsentence\nvery good\nbroke after a day\n", encoding="utf-8")
    table = read_reviews(path)
    assert table.header_row == 3 and list(table.frame["text"]) == ["very good", "broke after a day"]
    assert any(w.startswith("row 1 treated as title rows") for w in table.warnings)
    chosen = read_reviews(path, header_row=3)
    assert list(chosen.frame["text"]) == ["very good", "broke after a day"]
    with pytest.raises(UserError, match="row 9 cannot be the header"):
        read_reviews(path, header_row=9)
    headers, rows, _, header_row = preview(path, header_row=1)
    assert header_row == 1 and headers[0] == "Shop export 2026-11" and rows[0][0] == "sentence"


def test_whole_cell_mojibake_is_repaired(tmp_path: Path) -> None:
    """UTF-8 text that an export or an Excel round trip had already decoded as Windows-1252
    ("ï¼Ÿï¼Ÿ", "è´¨é‡å¾ˆå¥½") reads back as the Chinese it was; real accented Latin text and
    correct Chinese are left exactly as they are."""
    def garble(s: str) -> str:
        raw = s.encode("utf-8")
        return "".join(bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)
                       for b in raw)

    cells = [garble("质量很好，物流也快！"), garble("？？"), "Qualität gut, crème brûlée", "质量很好", garble("über £20")]
    path = tmp_path / "garbled.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([garble("评价内容"), garble("商品名称")])  # headers too: the columns are still recognised
        for c in cells:
            w.writerow([c, garble("苹果")])
    table = read_reviews(path)
    assert table.frame["text"].tolist() == ["质量很好，物流也快！", "？？", "Qualität gut, crème brûlée", "质量很好",
                                            "über £20"]
    assert set(table.frame["product"]) == {"苹果"}
