"""Rebuild the sample spreadsheets in resources/samples/ from the team's shared review data.

    .venv/bin/python resources/samples/make_samples.py [--data ../shared/data]

Reproducible: fixed seeds, fixed dates, fixed row choices; re-running gives the same cell
contents. Sources (see README.md): online_shopping_5cats.csv (categories 水果 and 平板) and
absa_en/Menstshirt_Test_Gold.xml.seg (aspect term substituted back, sentences deduplicated).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[2] / "shared" / "data"
BASE = dt.datetime(2026, 1, 5, 9, 0, 0)


def zh_rows(data: Path) -> dict[str, list[tuple[int, str]]]:
    """(label, text) per category, short enough for a sample, GBK-encodable, deduplicated."""
    out: dict[str, list[tuple[int, str]]] = {"水果": [], "平板": []}
    seen: set[str] = set()
    with open(data / "reviews_zh" / "online_shopping_5cats.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            cat, text = row["cat"], (row["review"] or "").strip().lstrip("\ufeff")
            if cat not in out or not (6 <= len(text) <= 120) or text in seen:
                continue
            try:
                text.encode("gbk")
            except UnicodeEncodeError:
                continue
            seen.add(text)
            out[cat].append((int(row["label"]), text))
    return out


def en_rows(data: Path) -> list[tuple[str, str]]:
    """(polarity, sentence) from the 3-line ABSA format, first polarity per sentence."""
    lines = (data / "absa_en" / "Menstshirt_Test_Gold.xml.seg").read_text(encoding="utf-8").splitlines()
    out: dict[str, str] = {}
    for i in range(0, len(lines) - 2, 3):
        sent = lines[i].replace("$T$", lines[i + 1].strip()).strip()
        sent = " ".join(sent.split())
        if sent and sent not in out:
            out[sent[0].upper() + sent[1:]] = lines[i + 2].strip()
    return [(pol, s) for s, pol in out.items()]


def pick(rng: random.Random, rows: list, n: int) -> list:
    return rng.sample(rows, min(n, len(rows)))


FOLLOWUPS_POS = ["用了一周，还是很满意", "回购了，和第一次一样好", "家里人都说不错", "追评：质量稳定"]
FOLLOWUPS_NEG = ["过了几天问题更明显了", "联系客服也没解决", "不会再买了"]
REPLIES = ["亲，非常抱歉给您带来不好的体验，请联系客服为您处理", "感谢亲的支持，欢迎再次光临", "亲，已为您反馈给仓库"]
PII = [
    "，有问题打我电话13812345678",
    "，收货地址：浙江省杭州市西湖区文三路100号3单元501室",
    "，联系人张伟，电话 139-1234-5678",
]


def make_taobao(data: Path, out: Path) -> None:
    rng = random.Random(20260301)
    rows = zh_rows(data)
    picked = [("水果", r) for r in pick(rng, rows["水果"], 130)] + [("平板", r) for r in pick(rng, rows["平板"], 120)]
    rng.shuffle(picked)
    products = {"水果": ["新疆阿克苏冰糖心苹果 5斤装", "海南贵妃芒果 大果 3斤"],
                "平板": ["10.1英寸 平板电脑 64G WiFi版", "8英寸 学习平板 32G"]}
    skus = {"水果": ["5斤装", "10斤装", "特大果"], "平板": ["深空灰 64G", "银色 32G", "金色 64G"]}
    records = []
    for k, (cat, (label, text)) in enumerate(picked):
        when = BASE + dt.timedelta(hours=7 * k + rng.randint(0, 6), minutes=rng.randint(0, 59))
        fmt = k % 4
        date_cell: object = (when if fmt == 0 else when.strftime("%Y-%m-%d %H:%M:%S") if fmt == 1
                             else f"{when.year}/{when.month}/{when.day}" if fmt == 2
                             else f"{when.year}年{when.month}月{when.day}日")
        if label == 1:
            stars = rng.choice([5, 5, 4])
        else:
            stars = rng.choice([1, 1, 2, 3])
        rating = (("好评" if stars >= 4 else "中评" if stars == 3 else "差评") if k % 3
                  else "★" * stars + "☆" * (5 - stars))
        follow = ""
        if rng.random() < 0.15:
            follow = rng.choice(FOLLOWUPS_POS if label else FOLLOWUPS_NEG)
        reply = rng.choice(REPLIES[:1] + REPLIES[2:]) if label == 0 and rng.random() < 0.4 else (
            REPLIES[1] if rng.random() < 0.1 else "")
        records.append([f"{3800000000000000 + rng.randint(0, 10**15):d}", f"t**{rng.randint(1, 999)}",
                        rng.choice(products[cat]), rng.choice(skus[cat]), date_cell, rating, text, follow, reply])
    # Platform placeholders, empties, exact duplicates and PII, at fixed positions.
    for k in (5, 40, 77, 150, 201):
        records[k][6], records[k][5] = "此用户没有填写评价。", "好评"
    records[90][6] = "评价方未及时做出评价,系统默认好评!"
    for k in (12, 133):
        records[k][6] = ""
    for src, dst in ((3, 60), (3, 180), (21, 99), (44, 222)):
        records[dst][6] = records[src][6]
    for k, extra in zip((8, 64, 170), PII):
        records[k][6] = records[k][6].rstrip("。！!") + extra
    records.append(list(records[30]))  # a whole exact duplicate row

    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "说明"
    for line in ["淘宝/天猫 评价导出", "店铺：示例旗舰店（虚构）", f"共 {len(records)} 条评价，见工作表“评价数据”",
                 "评价文字来自公开数据集 online_shopping_10_cats（水果、平板），其余字段为生成。"]:
        cover.append([line])
    ws = wb.create_sheet("评价数据")
    header = ["订单编号", "买家昵称", "宝贝名称", "颜色分类", "评价时间", "评分", "评价内容", "追评内容", "商家回复"]
    ws.append(["淘宝/天猫 评价导出 导出时间: 2026-03-01 10:31:00"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    for r in records:
        ws.append(r)
    for row in ws.iter_rows(min_row=3, min_col=5, max_col=5):
        for c in row:
            if isinstance(c.value, dt.datetime):
                c.number_format = "yyyy-mm-dd hh:mm"
    ws.column_dimensions["G"].width = 60
    wb.save(out / "taobao_export.xlsx")


def make_jd(data: Path, out: Path) -> None:
    rng = random.Random(20260302)
    rows = zh_rows(data)
    picked = pick(rng, rows["平板"][400:], 100) + pick(rng, rows["水果"][400:], 100)
    rng.shuffle(picked)
    with open(out / "jd_export_gbk.csv", "w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["商品名称", "评价内容", "评分", "评价时间", "商家回复"])
        for k, (label, text) in enumerate(picked):
            when = BASE + dt.timedelta(hours=9 * k)
            score = rng.choice([4, 5, 5]) if label else rng.choice([1, 2, 2, 3])
            product = "京东自营 平板电脑" if k % 2 else "京东生鲜 进口水果礼盒"
            reply = "您好，给您带来不便非常抱歉" if label == 0 and k % 3 == 0 else ""
            w.writerow([product, text, score, f"{when.year}/{when.month}/{when.day}", reply])


def make_amazon(data: Path, out: Path) -> None:
    rng = random.Random(20180729)
    rows = pick(rng, en_rows(data), 200)
    names = ["Alex", "Sam", "Priya", "Chen", "Maria", "John", "Aisha", "Tom", "Lena", "Ravi"]
    with open(out / "amazon_export.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ASIN", "Product Title", "Rating", "Review Date", "Reviewer Name", "Review Title", "Review Text"])
        for k, (pol, text) in enumerate(rows):
            stars = {"Positive": rng.choice([4, 5]), "Negative": rng.choice([1, 2]), "Neutral": 3}.get(pol, 3)
            if k % 37 == 5:  # deliberate mismatches between stars and words
                stars = 6 - stars if stars != 3 else 5
            rating = f"{stars}.0 out of 5 stars" if k % 2 else str(stars)
            when = dt.date(2018, 7, 29) - dt.timedelta(days=3 * k)
            title = " ".join(text.split()[:4]).rstrip(".,!") + ("..." if len(text.split()) > 4 else "")
            w.writerow(["B07" + f"{k % 3:07d}", ["Men's Cotton T-Shirt Crew Neck", "Men's Slim Fit Tee",
                                                 "Men's Polo Shirt"][k % 3],
                        rating, when.strftime("%d-%b-%y"), rng.choice(names), title, text])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=HERE)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    make_taobao(a.data, a.out)
    make_jd(a.data, a.out)
    make_amazon(a.data, a.out)
    for f in sorted(a.out.glob("*.*")):
        if f.suffix in (".xlsx", ".csv"):
            print(f"{f.name}: {f.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
