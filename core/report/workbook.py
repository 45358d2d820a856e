"""The Excel insight report: ``write_report(insights, path) -> Path``.

openpyxl write-only mode, so 100k reviews stream row by row with bounded memory; charts
are native Excel charts (openpyxl.chart) over tables on the same sheet.

File rules: the workbook is written to a temporary file in the target folder and then
``os.replace``-d onto the final name, so a crash or a cancel never leaves a half-written
report under that name; temporary files that a killed writer left are removed by the next
write (``core.tempfiles``). Free text (reviews, quotes, clauses) is passed through
``core.text.mask_pii`` unless ``mask=False``, the follow-up review and the shop's reply
too; author and order id columns are never written. No cell is ever a formula (see ``cells.py``).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from core.analysis import Insights
from core.errors import UserError
from core.jobs import CancelToken, Progress
from core.report.cells import TEXT, make_cell
from core.tempfiles import sweep_stale, temp_path

SHEETS = ("overview", "reviews", "aspects", "topics", "trends", "products", "requests", "fix", "method")
_FILLS = {"negative": "F8CBAD", "neutral": "EDEDED", "positive": "C6EFCE"}
# wording of the clause topics and what-to-fix sheets (issue 16), on top of cells.TEXT
_TOPIC_TEXT = {
    "zh": {"topic_col": "话题", "complaint_topics": "差评话题（顾客抱怨什么）", "praise_topics": "好评话题（顾客称赞什么）",
           "reviews_hurt": "涉及评论数", "mentions_n": "提及次数", "share_reviews": "占已分析评论", "top_products": "主要涉及商品",
           "no_topics": "（没有话题：没有哪个具体说法被 3 条以上评论提到）", "rank": "排名", "problem": "问题",
           "score": "严重度得分", "low_rating": "低分(1-2星)", "refund": "要求退换", "trend": "趋势",
           "rising": "上升", "falling": "下降", "flat": "持平", "no_fix": "（没有发现需要改进的具体问题）",
           "fix_note": "得分 = 每条评论 1 + 低分 1 + 要求退换 1 + 负面置信度，相加；趋势比较最近几期与之前几期。"},
    "en": {"topic_col": "Topic", "complaint_topics": "Complaint topics (what customers complain about)",
           "praise_topics": "Praise topics (what customers praise)", "reviews_hurt": "Reviews",
           "mentions_n": "Mentions", "share_reviews": "Share of analysed reviews", "top_products": "Products most affected",
           "no_topics": "(no topics: no concrete phrase is used by 3 or more reviews)", "rank": "#",
           "problem": "Problem", "score": "Severity score", "low_rating": "Low ratings (1-2)",
           "refund": "Refund/return requests", "trend": "Trend", "rising": "rising", "falling": "falling",
           "flat": "flat", "no_fix": "(no concrete problem found)",
           "fix_note": "Score: per review 1 + 1 for a 1-2 star rating + 1 for a refund/return request + its negative "
                       "confidence, summed; the trend compares the last periods with the ones before."},
}


class _Writer:
    def __init__(self, insights: Insights, lang: str, mask: bool) -> None:
        from core.text import mask_pii

        self.ins, self.lang, self.t = insights, lang, {**TEXT[lang], **_TOPIC_TEXT[lang]}
        self.mask: Callable[[str], str] = mask_pii if mask else (lambda s: s)
        self.wb = Workbook(write_only=True)

    # helpers -----------------------------------------------------------------------
    def sheet(self, key: str, widths: Sequence[float] = (), freeze: bool = True):
        ws = self.wb.create_sheet(self.t[key])
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        if freeze:
            ws.freeze_panes = "A2"
        return ws

    def row(self, ws, values, *, header: bool = False, text_cols: Sequence[int] = (), formats: dict | None = None):
        cells = []
        for i, v in enumerate(values):
            if i in text_cols and isinstance(v, str):
                v = self.mask(v)
            if i in text_cols and isinstance(v, (list, tuple)):
                v = [self.mask(str(x)) for x in v]
            cells.append(make_cell(ws, v, header=header, wrap=i in text_cols,
                                   number_format=(formats or {}).get(i)))
        ws.append(cells)

    def label(self, sentiment: str) -> str:
        return self.t.get(sentiment, sentiment) if sentiment else ""

    def aspect_name(self, aspect: str) -> str:
        return self.ins.aspect_names.get(aspect, {}).get(self.lang) or aspect

    # sheets ------------------------------------------------------------------------
    def overview(self) -> None:
        ws = self.sheet("overview", (28, 14, 4, 16, 12, 12, 12), freeze=False)
        t, ins = self.t, self.ins
        counts = ins.sentiment_counts()
        analysed = sum(counts.values())
        rating = ins.analysed["rating"].mean() if len(ins.analysed) else float("nan")
        self.row(ws, [t["kpi"], t["value"]], header=True)
        kpis = [(t["total_rows"], len(ins.reviews)), (t["analysed"], analysed),
                (t["skipped_n"], len(ins.reviews) - analysed),
                (t["neg_share"], counts["negative"] / analysed if analysed else None),
                (t["avg_rating"], None if pd.isna(rating) else round(float(rating), 2)),
                (t["mismatches"], len(ins.mismatches))]
        if "followup_sentiment" in ins.reviews.columns:  # 追评: the verdict after days of use
            follow = ins.reviews["followup_sentiment"].fillna("")
            if follow.ne("").any():
                kpis += [(t["followups_n"], int(follow.ne("").sum())),
                         (t["followups_neg"], int((follow == "negative").sum()))]
        for name, value in kpis:
            self.row(ws, [name, value], formats={1: "0.0%"} if name == t["neg_share"] else None)
        self.row(ws, [])
        start = len(kpis) + 3
        self.row(ws, [t["sentiment_split"], t["count"]], header=True)
        for s in ("positive", "neutral", "negative"):
            self.row(ws, [self.label(s), counts[s]])
        pie = PieChart()
        pie.title = t["sentiment_split"]
        pie.add_data(Reference(ws, min_col=2, min_row=start, max_row=start + 3), titles_from_data=True)
        pie.set_categories(Reference(ws, min_col=1, min_row=start + 1, max_row=start + 3))
        pie.height, pie.width = 7, 9
        ws.add_chart(pie, "D2")
        self.row(ws, [])
        a_start = start + 5
        self.row(ws, [t["aspect"], self.label("positive"), self.label("negative")], header=True)
        top = ins.aspects.head(13)
        for _, a in top.iterrows():
            self.row(ws, [self.aspect_name(a["aspect"]), int(a["positive"]), int(a["negative"])])
        if len(top):
            bar = BarChart()
            bar.type, bar.grouping, bar.overlap = "bar", "stacked", 100
            bar.title = t["aspects"]
            bar.add_data(Reference(ws, min_col=2, max_col=3, min_row=a_start, max_row=a_start + len(top)),
                         titles_from_data=True)
            bar.set_categories(Reference(ws, min_col=1, min_row=a_start + 1, max_row=a_start + len(top)))
            bar.height, bar.width = 9, 16
            ws.add_chart(bar, "D18")
        self.row(ws, [])
        self.row(ws, [t["masked_note"] if self.mask.__name__ == "mask_pii" else ""])

    def reviews(self, progress: Progress | None, cancel: CancelToken | None) -> None:
        t, data = self.t, self.ins.reviews
        ws = self.sheet("reviews", (8, 60, 10, 10, 30, 26, 18, 12, 8, 22, 12, 10))
        tasks = [c for c in data.columns if str(c).startswith("task:")]  # the owner's custom-task models
        # follow-up (追评) and shop reply, when the file has them: customer text, masked like the review
        extra = [c for c in ("followup", "followup_sentiment", "reply") if c in data.columns
                 and data[c].fillna("").astype(str).str.strip().ne("").any()]
        headers = [t[k] for k in ("row", "text", "sentiment", "confidence", "aspect_col", "intents", "product",
                                  "date", "rating", "mismatch", "skipped", "duplicate_of")]
        topic = ["topic"] if "topic" in data.columns else []  # the review's main clause topic (issue 16)
        headers += [t["topic_col"]] * len(topic) + [c[5:] for c in tasks] + [t[c] for c in extra]
        first_extra = len(headers) - len(extra)
        extra_text = tuple(first_extra + i for i, c in enumerate(extra) if c != "followup_sentiment")
        extra_label = [first_extra + i for i, c in enumerate(extra) if c == "followup_sentiment"]
        self.row(ws, headers, header=True)
        n = len(data)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n + 1}"
        for s, color in _FILLS.items():
            ws.conditional_formatting.add(f"C2:C{n + 1}", CellIsRule(operator="equal", formula=[f'"{self.label(s)}"'],
                                                                   fill=PatternFill("solid", bgColor=color)))
        mism = {"high_rating_negative_text": t["mismatch_high"], "low_rating_positive_text": t["mismatch_low"]}
        # Python scalars (tolist), not numpy ones: make_cell's fast path takes str/int/float
        cols = [data[c].tolist() for c in ("row", "text", "sentiment", "sentiment_confidence", "aspects", "intents",
                                           "product", "date", "rating", "mismatch", "skipped", "duplicate_of",
                                           *topic, *tasks)]
        cols += [data[c].fillna("").astype(str).tolist() for c in extra]
        for i in range(n):
            if i % 5000 == 0:
                if cancel is not None:
                    cancel.check()
                if progress:
                    progress(i / max(n, 1), f"Writing reviews {i:,}/{n:,}")
            r = [c[i] for c in cols]
            r[2] = self.label(r[2])
            r[9] = mism.get(r[9], "")
            r[10] = t.get(r[10], r[10]) if r[10] else ""
            for k in extra_label:
                r[k] = self.label(r[k]) if r[k] else ""
            self.row(ws, r, text_cols=(1, *extra_text), formats={3: "0.00"})

    def aspects(self) -> None:
        t, ins = self.t, self.ins
        ws = self.sheet("aspects", (18, 10, 10, 10, 10, 12, 16, 60))
        self.row(ws, [t["aspect"], t["mentions"], self.label("positive"), self.label("neutral"), self.label("negative"),
                      t["negative_share"], t["share_of_negative"], t["keywords"]], header=True)
        for _, a in ins.aspects.iterrows():
            kws = ", ".join(w for w, _ in ins.aspect_keywords.get(a["aspect"], []))
            self.row(ws, [self.aspect_name(a["aspect"]), int(a["mentions"]), int(a["positive"]), int(a["neutral"]),
                          int(a["negative"]), float(a["negative_share"]), float(a["share_of_negative"]), kws],
                     text_cols=(7,), formats={5: "0.0%", 6: "0.0%"})

    def topics(self) -> None:
        t, ins = self.t, self.ins
        ws = self.sheet("topics", (8, 30, 10, 10, 12, 40, 70))
        head = [t["topic"], t["name"], t["reviews_hurt"], t["mentions_n"], t["share_reviews"], t["top_products"], t["quotes"]]
        topics = ins.topics
        for kind in ("complaint", "praise"):
            rows = topics[topics["kind"] == kind] if "kind" in topics.columns else topics.iloc[0:0]
            self.row(ws, [t[f"{kind}_topics"]], header=True)
            self.row(ws, head, header=True)
            if rows.empty:
                self.row(ws, ["", t["no_topics"]])
            for _, r in rows.iterrows():
                self.row(ws, [int(r["topic"]), r["name"], int(r["reviews"]), int(r["mentions"]), float(r["share"]),
                              r["products"], list(r["quotes"])], text_cols=(1, 5, 6), formats={4: "0.0%"})
            self.row(ws, [])
        self.row(ws, [t["keywords_by_sentiment"], "", t["keywords"]], header=True)
        for s in ("negative", "neutral", "positive"):
            self.row(ws, [self.label(s), "", ", ".join(w for w, _ in ins.keywords.get(s, []))], text_cols=(2,))

    def trends(self) -> None:
        t, ins = self.t, self.ins
        ws = self.sheet("trends", (14, 10, 10, 12, 14, 12, 4, 14, 10, 10, 12, 14, 12))
        week, month = ins.trend_week, ins.trend_month
        head = [t["period"], t["volume"], t["negative_n"], t["negative_share"], t["trailing"], t["flagged"]]
        self.row(ws, [t["month"], "", "", "", "", "", "", t["week"]], header=True)
        self.row(ws, head + [""] + head, header=True)
        rows = max(len(week), len(month))
        for i in range(rows):
            vals = []
            for frame in (month, week):
                if i < len(frame):
                    r = frame.iloc[i]
                    vals += [r["period"], int(r["reviews"]), int(r["negative"]), r["negative_share"],
                             r["trailing_share"], "▲" if bool(r["flagged"]) else ""]
                else:
                    vals += [None] * 6
                if frame is month:
                    vals.append(None)
            self.row(ws, vals, formats={3: "0.0%", 4: "0.0%", 10: "0.0%", 11: "0.0%"})
        if len(month) >= 2:
            line = LineChart()
            line.title = f"{t['negative_share']} ({t['month']})"
            line.add_data(Reference(ws, min_col=4, min_row=2, max_row=len(month) + 2), titles_from_data=True)
            line.set_categories(Reference(ws, min_col=1, min_row=3, max_row=len(month) + 2))
            line.y_axis.number_format = "0%"
            line.height, line.width = 8, 16
            ws.add_chart(line, "O2")
            vol = BarChart()
            vol.title = f"{t['volume']} ({t['month']})"
            vol.add_data(Reference(ws, min_col=2, min_row=2, max_row=len(month) + 2), titles_from_data=True)
            vol.set_categories(Reference(ws, min_col=1, min_row=3, max_row=len(month) + 2))
            vol.height, vol.width = 8, 16
            ws.add_chart(vol, "O20")
        if not ins.aspect_trend.empty:
            self.row(ws, [])
            self.row(ws, [t["aspect_trend"]], header=True)
            self.row(ws, [t["period"], t["aspect"], t["mentions"], t["negative_n"], t["negative_share"]], header=True)
            for _, r in ins.aspect_trend.iterrows():
                self.row(ws, [r["period"], self.aspect_name(r["aspect"]), int(r["mentions"]), int(r["negative"]),
                              float(r["negative_share"])], formats={4: "0.0%"})

    def products(self) -> None:
        t, p = self.t, self.ins.products
        ws = self.sheet("products", (30, 10, 12, 12, 12, 10, 40))
        self.row(ws, [t["product"], t["reviews_n"], t["positive_share"], t["neutral_share"], t["neg_share"],
                      t["avg_rating"], t["top_negative_aspects"]], header=True)
        if p is None or p.empty:
            self.row(ws, [t["none"]])
            return
        for _, r in p.iterrows():
            top = "; ".join(self.aspect_name(x.split(" (")[0]) + " (" + x.split(" (")[1]
                            for x in r["top_negative_aspects"].split("; ") if " (" in x)
            self.row(ws, [r["product"], int(r["reviews"]), r["positive_share"], r["neutral_share"],
                          r["negative_share"], r["avg_rating"], top], formats={2: "0.0%", 3: "0.0%", 4: "0.0%", 5: "0.00"})

    def requests(self) -> None:
        t, ins = self.t, self.ins
        ws = self.sheet("requests", (8, 26, 70, 18, 12, 8))
        self.row(ws, [t["row"], t["intents"], t["text"], t["product"], t["date"], t["rating"]], header=True)
        for _, r in ins.requests.iterrows():
            self.row(ws, [int(r["row"]), r["intents"], r["text"], r.get("product", ""), r.get("date"),
                          r.get("rating")], text_cols=(2,))
        if len(ins.mismatches):
            self.row(ws, [])
            self.row(ws, [t["row"], t["mismatch"], t["text"], t["product"], t["sentiment"], t["rating"]], header=True)
            names = {"high_rating_negative_text": t["mismatch_high"], "low_rating_positive_text": t["mismatch_low"]}
            for _, r in ins.mismatches.iterrows():
                self.row(ws, [int(r["row"]), names.get(r["mismatch"], r["mismatch"]), r["text"], r["product"],
                              self.label(r["sentiment"]), r["rating"]], text_cols=(2,))

    def fix(self) -> None:
        t, ins = self.t, self.ins
        ws = self.sheet("fix", (6, 28, 10, 14, 10, 10, 12, 12, 12, 40, 10, 70))
        self.row(ws, [t["rank"], t["problem"], t["kind"], t["aspect"], t["reviews_hurt"], t["score"], t["low_rating"],
                      t["refund"], t["share_reviews"], t["top_products"], t["trend"], t["quotes"]], header=True)
        fixes = ins.fix_list
        if fixes.empty or "reviews" not in fixes.columns:
            self.row(ws, ["", t["no_fix"]])
        for i, (_, r) in enumerate(fixes.iterrows() if "reviews" in fixes.columns else [], 1):
            kind = t["aspect_kind"] if r["kind"] == "aspect" else t["topic_kind"]
            name = self.aspect_name(r["name"]) if r["kind"] == "aspect" else r["name"]
            aspect = self.aspect_name(r["aspect"]) if r["aspect"] else ""
            self.row(ws, [i, name, kind, aspect, int(r["reviews"]), float(r["score"]), int(r["low_rating"]),
                          int(r["refund"]), float(r["share"]), r["products"], t.get(r["trend"], ""), list(r["quotes"])],
                     text_cols=(1, 9, 11), formats={5: "0.0", 8: "0.0%"})
        self.row(ws, [])
        self.row(ws, [t["fix_note"]])

    def method(self) -> None:
        t, m = self.t, self.ins.method
        ws = self.sheet("method", (30, 80), freeze=False)
        self.row(ws, [t["item"], t["value"]], header=True)
        for key in ("model_version", "provider", "device", "analysed_at", "source", "sheet", "header_row", "rows",
                    "analysed", "duplicates", "unique_texts", "clauses_scored", "seconds"):
            if key in m:
                self.row(ws, [key, str(m[key]) if m[key] is not None else ""])
        for role, column in (m.get("columns") or {}).items():
            self.row(ws, [f"column: {role}", column])
        for reason, count in (m.get("skipped") or {}).items():
            self.row(ws, [f"skipped: {t.get(reason, reason)}", int(count)])
        for intent, metrics in (m.get("intent_head") or {}).items():
            self.row(ws, [f"intent seed CV: {intent}", str(metrics)])
        self.row(ws, ["masking", t["masked_note"] if self.mask.__name__ == "mask_pii" else "off"])


def write_report(insights: Insights, path: Path | str, *, lang: str = "zh", mask: bool = True,
                 sheets: Sequence[str] | None = None, progress: Progress | None = None,
                 cancel: CancelToken | None = None) -> Path:
    """Write the insight workbook to ``path`` (atomically) and return the final path.

    ``sheets`` picks a subset of ``SHEETS`` (default: all, in that order).
    """
    if lang not in TEXT:
        raise UserError(f"Report language '{lang}' is not available: use zh or en.")
    wanted = list(sheets) if sheets else list(SHEETS)
    unknown = [s for s in wanted if s not in SHEETS]
    if unknown:
        raise UserError(f"Unknown report sheet(s) {', '.join(unknown)}: choose from {', '.join(SHEETS)}.")
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"Report file {path} must end in .xlsx: change the output name.")
    if not path.parent.exists():
        raise UserError(f"Folder {path.parent} does not exist: create it or choose another output path.")
    w = _Writer(insights, lang, mask)
    say = progress or (lambda f, m: None)
    for i, key in enumerate(s for s in SHEETS if s in wanted):
        if cancel is not None:
            cancel.check()
        say(i / len(wanted) * 0.9, f"Writing {w.t[key]}")
        if key == "reviews":
            span = 0.9 / len(wanted)
            w.reviews(lambda f, msg, b=i / len(wanted) * 0.9: say(b + f * span, msg), cancel)
        else:
            getattr(w, key)()
    sweep_stale(path)  # temp files of earlier writes that were killed before their rename
    tmp = temp_path(path)
    try:
        say(0.92, "Saving workbook")
        w.wb.save(tmp)
        os.replace(tmp, path)
    except PermissionError:
        raise UserError(f"Cannot write {path}: it is open in another program or the folder is read-only; "
                        "close it or choose another name.") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    say(1.0, f"Report written: {path.name}")
    return path
