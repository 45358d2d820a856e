"""Text-safe cells and the report's wording in Chinese and English (used by workbook.py).

Cell safety: a string that Excel could read as a formula (``=``, ``+``, ``-``, ``@``, tab,
CR at the start) is always stored as a text cell (data_type "s"), never a formula;
characters that are illegal in XML are dropped and over-long texts are cut to Excel's
32,767-character limit.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32_767
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
WRAP = Alignment(wrap_text=True, vertical="top")

TEXT = {
    "zh": {
        "overview": "概览", "reviews": "评论明细", "aspects": "方面", "topics": "话题与关键词", "trends": "趋势",
        "products": "商品对比", "requests": "诉求与建议", "fix": "优先改进", "method": "方法说明",
        "positive": "正面", "neutral": "中性", "negative": "负面",
        "row": "行号", "text": "评论内容", "sentiment": "情感", "confidence": "置信度", "aspect_col": "方面",
        "intents": "意图", "product": "商品", "date": "日期", "rating": "评分", "mismatch": "评分与内容不符",
        "skipped": "跳过原因", "language": "语言", "duplicate_of": "重复于行",
        "followup": "追评", "followup_sentiment": "追评情感", "reply": "商家回复", "followups_n": "追评数",
        "followups_neg": "负面追评数",
        "kpi": "指标", "value": "数值", "total_rows": "评论总数", "analysed": "已分析", "skipped_n": "已跳过",
        "neg_share": "负面占比", "avg_rating": "平均评分", "mismatches": "评分与内容不符条数",
        "sentiment_split": "情感分布", "count": "数量", "aspect": "方面", "mentions": "提及次数",
        "negative_share": "负面占比", "share_of_negative": "占全部负面提及", "keywords": "关键词",
        "topic": "话题", "name": "名称", "terms": "关键词", "size": "评论数", "quotes": "代表评论",
        "period": "时间段", "week": "按周", "month": "按月", "volume": "评论量", "flagged": "负面激增",
        "trailing": "前期平均负面占比", "reviews_n": "评论数", "kind": "类型", "share": "占全部负面",
        "negative_n": "负面数", "total": "总数", "quote": "原话", "top_negative_aspects": "主要负面方面",
        "item": "项目", "aspect_trend": "各方面负面占比（按月）", "keywords_by_sentiment": "各情感关键词",
        "keywords_by_aspect": "各方面关键词", "none": "（无数据）", "topic_kind": "话题", "aspect_kind": "方面",
        "positive_share": "正面占比", "neutral_share": "中性占比",
        "mismatch_high": "高分差评", "mismatch_low": "低分好评",
        "empty": "空内容", "placeholder": "默认评价", "non_text": "无文字", "garbled": "乱码",
        "masked_note": "个人信息（手机号、邮箱、订单号等）已打码",
    },
    "en": {
        "overview": "Overview", "reviews": "Reviews", "aspects": "Aspects", "topics": "Topics & keywords",
        "trends": "Trends", "products": "Products", "requests": "Requests & suggestions", "fix": "What to fix",
        "method": "Method", "positive": "positive", "neutral": "neutral", "negative": "negative",
        "row": "Row", "text": "Review", "sentiment": "Sentiment", "confidence": "Confidence", "aspect_col": "Aspects",
        "intents": "Intents", "product": "Product", "date": "Date", "rating": "Rating",
        "mismatch": "Rating/text mismatch", "skipped": "Skipped (why)", "language": "Language",
        "duplicate_of": "Duplicate of row", "followup": "Follow-up review", "followup_sentiment": "Follow-up sentiment",
        "reply": "Shop reply", "followups_n": "Follow-up reviews", "followups_neg": "Negative follow-ups",
        "kpi": "Measure", "value": "Value", "total_rows": "Reviews in file",
        "analysed": "Analysed", "skipped_n": "Skipped", "neg_share": "Negative share", "avg_rating": "Average rating",
        "mismatches": "Rating/text mismatches", "sentiment_split": "Sentiment split", "count": "Count",
        "aspect": "Aspect", "mentions": "Mentions", "negative_share": "Negative share",
        "share_of_negative": "Share of all negative mentions", "keywords": "Keywords", "topic": "Topic",
        "name": "Name", "terms": "Terms", "size": "Reviews", "quotes": "Representative quotes", "period": "Period",
        "week": "By week", "month": "By month", "volume": "Reviews", "flagged": "Negative spike",
        "trailing": "Trailing negative share", "reviews_n": "Reviews", "kind": "Kind", "share": "Share of negatives",
        "negative_n": "Negative", "total": "Total", "quote": "Quote", "top_negative_aspects": "Top negative aspects",
        "item": "Item", "aspect_trend": "Negative share per aspect (monthly)",
        "keywords_by_sentiment": "Keywords by sentiment", "keywords_by_aspect": "Keywords by aspect",
        "none": "(no data)", "topic_kind": "topic", "aspect_kind": "aspect", "positive_share": "Positive share",
        "neutral_share": "Neutral share", "mismatch_high": "high rating, negative text",
        "mismatch_low": "low rating, positive text", "empty": "empty", "placeholder": "placeholder",
        "non_text": "no text", "garbled": "garbled encoding",
        "masked_note": "Personal data (phone numbers, e-mails, order ids...) masked",
    },
}


def is_missing(value) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if np.isscalar(value) else False
    except (TypeError, ValueError):
        return False


def safe_text(value: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", value) if not value.isprintable() else value  # printable: nothing to drop
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"


def _plain(value):
    """A pandas/numpy value as the plain Python value openpyxl writes."""
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, (list, tuple)):
        value = "\n".join(str(v) for v in value)
    return value


def make_cell(ws, value, *, header: bool = False, wrap: bool = False, number_format: str | None = None):
    """A WriteOnlyCell that can never be a formula."""
    kind = type(value)
    if not (kind is str or kind is int or (kind is float and value == value)):  # common cells skip pandas checks
        value = _plain(value)
        if isinstance(value, (dt.datetime, dt.date)):
            number_format = number_format or "yyyy-mm-dd"
    is_text = isinstance(value, str)
    if is_text:
        value = safe_text(value)
    cell = WriteOnlyCell(ws, value=value)
    if is_text:
        cell.data_type = "s"  # "=1+1" stays the text "=1+1"
    if number_format:
        cell.number_format = number_format
    if header:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    elif wrap:
        cell.alignment = WRAP
    return cell
