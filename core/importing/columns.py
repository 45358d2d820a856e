"""Finding the header row and guessing which column holds what (no I/O).

Matching is by normalised header name (case, width, spaces, underscores, punctuation
removed) against synonym lists, with substring rules for names we have not seen, then
checked against the column's content. Columns that no name matches fall back to content:
the text column is the one that looks most like free text.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence

from core.importing.dates import date_share, rating_share

ROLES = ("text", "rating", "date", "product", "sku", "followup", "reply", "author", "order_id")


@dataclass
class ColumnGuess:
    """Which column plays a role, and how sure we are (0..1); shown in the import preview."""

    role: str
    column: str | None
    confidence: float


def norm_header(name: Any) -> str:
    s = unicodedata.normalize("NFKC", str(name or "")).lower()
    return re.sub(r"[\W_]+", "", s)


# Exact synonyms (already normalised form is computed at import) per role.
_EXACT: dict[str, tuple[str, ...]] = {
    "text": (
        "评价内容", "初评内容", "评论内容", "评价", "评论", "首评内容", "买家评价", "评价详情", "内容",
        "review text", "reviewtext", "review body", "review_body", "body", "text", "review",
        "review content", "content", "comment", "comments", "feedback", "message",
        "customer review", "review comment", "评价文字",
        "sentence", "sentences", "reviews", "review_text", "comment text", "opinion", "评语", "文本",
        "句子", "留言", "用户评价", "评价文本", "商品评价",
    ),
    "followup": (
        "追评内容", "追加评价", "追评", "追加评论", "追评内容追加评价", "追加评价内容",
        "additional review", "follow up review", "followup", "follow-up", "appended review",
    ),
    "reply": (
        "商家回复", "掌柜回复", "解释", "卖家回复", "商家回复内容", "回复", "掌柜解释", "客服回复",
        "reply", "seller reply", "merchant reply", "store reply", "response", "shop reply",
        "public reply", "owner response", "seller response",
    ),
    "rating": (
        "评分", "评价等级", "星级", "评价星级", "商品评分", "商品得分", "打分", "评价类型", "好中差评",
        "rating", "star rating", "star_rating", "stars", "overall", "score", "review score",
        "review rating", "rating value",
    ),
    "date": (
        "评价时间", "评论时间", "时间", "日期", "评价日期", "创建时间", "发布时间", "首评时间",
        "review date", "review_date", "date", "date reviewed", "created at", "created_at",
        "time", "reviewed at", "review time", "submitted at",
    ),
    "product": (
        "宝贝名称", "商品名称", "商品", "宝贝", "商品标题", "产品名称",
        "asin", "product", "product title", "product_title", "product name", "product handle",
        "product_handle", "listing", "item", "item title", "listing title", "product id",
    ),
    "sku": (
        "商品属性", "sku", "颜色分类", "商品规格", "规格", "sku信息", "款式", "销售属性",
        "variant", "variation", "size", "product variant", "options",
    ),
    "author": (
        "买家昵称", "会员名", "昵称", "用户名", "用户昵称", "买家", "评价人",
        "reviewer name", "reviewer_name", "reviewer", "author", "customer name", "name",
        "buyer", "user", "username", "profile name",
    ),
    "order_id": (
        "订单号", "订单编号", "订单id", "子订单号",
        "order id", "order number", "order", "order no", "order_id",
    ),
}
# Titles are text only when nothing better exists (Amazon "Review Title", Judge.me "title").
_TITLE_EXACT = ("title", "review title", "review_headline", "reviewheadline", "headline", "summary", "评价标题", "标题")

# Substring rules: (needle, score); a longer, more specific needle scores higher.
_SUB: dict[str, tuple[tuple[str, float], ...]] = {
    "followup": (("追评", 0.9), ("追加", 0.85), ("additional", 0.8), ("followup", 0.8), ("append", 0.7)),
    "reply": (("回复", 0.85), ("解释", 0.75), ("reply", 0.85), ("response", 0.75)),
    "rating": (("评分", 0.85), ("星级", 0.85), ("得分", 0.8), ("等级", 0.7), ("rating", 0.85),
               ("score", 0.8), ("stars", 0.8), ("star", 0.7)),
    "date": (("时间", 0.8), ("日期", 0.8), ("date", 0.8), ("time", 0.6), ("created", 0.6)),
    "product": (("宝贝", 0.75), ("商品名", 0.8), ("商品", 0.55), ("产品", 0.6), ("product", 0.7),
                ("asin", 0.8), ("listing", 0.7), ("item", 0.5)),
    "sku": (("sku", 0.85), ("属性", 0.7), ("规格", 0.75), ("颜色", 0.7), ("尺码", 0.7), ("variant", 0.8)),
    "author": (("昵称", 0.8), ("会员", 0.7), ("买家", 0.6), ("reviewer", 0.8), ("author", 0.8),
               ("name", 0.5), ("用户", 0.5)),
    "order_id": (("订单", 0.8), ("order", 0.7)),
    "text": (("评价内容", 0.9), ("评论内容", 0.9), ("内容", 0.6), ("评价", 0.5), ("评论", 0.55),
             ("body", 0.75), ("text", 0.7), ("content", 0.7), ("comment", 0.65), ("review", 0.45),
             ("feedback", 0.6), ("message", 0.5)),
}
_NOT_TEXT = ("追", "回复", "解释", "title", "headline", "标题", "reply", "response", "additional", "followup")

# Exact names that lose to a more readable column of the same role (an ASIN vs a product title).
_WEAK_EXACT = {"product": {"asin", "productid", "producthandle"}}
_EXACT_N = {role: {norm_header(x) for x in xs} for role, xs in _EXACT.items()}
_TITLE_N = {norm_header(x) for x in _TITLE_EXACT}
_ALL_KNOWN = set().union(*_EXACT_N.values()) | _TITLE_N


def name_score(role: str, header: str) -> float:
    """How much a header's name says it plays ``role`` (0..1)."""
    h = norm_header(header)
    if not h:
        return 0.0
    if h in _EXACT_N[role]:
        return 0.9 if h in _WEAK_EXACT.get(role, ()) else 1.0
    if role == "text" and h in _TITLE_N:
        return 0.3
    if role == "text" and any(x in h for x in _NOT_TEXT):
        return 0.0
    best = 0.0
    for needle, score in _SUB[role]:
        if needle in h:
            best = max(best, score)
    return best


# ---------------------------------------------------------------- header row

def _cell_str(v: Any) -> str:
    return "" if v is None else str(v).strip()


def header_score(row: Sequence[Any]) -> float:
    """How much a row looks like a header: many short, distinct, non-numeric, known names."""
    cells = [_cell_str(v) for v in row]
    filled = [c for c in cells if c]
    if not filled:
        return 0.0
    score = 0.0
    seen: set[str] = set()
    for c in filled:
        if not isinstance(c, str) or len(c) > 40 or c in seen:
            continue
        seen.add(c)
        if re.fullmatch(r"[\d\s.,:/\-+%]+", c):
            continue
        n = norm_header(c)
        score += 1.0
        if n in _ALL_KNOWN:
            score += 3.0
        elif _header_like(c) and any(name_score(role, c) >= 0.7 for role in ROLES):
            # Only short, label-like cells: a review "Nice body lotion" holds "body" too.
            score += 1.5
    # Header rows have few numbers and are not one lonely title cell.
    if len(filled) == 1:
        score *= 0.3
    return score


def _header_like(cell: str) -> bool:
    return len(cell) <= 24 and len(cell.split()) <= 3


def _known_cells(row: Sequence[Any]) -> int:
    return sum(1 for v in row if norm_header(_cell_str(v)) in _ALL_KNOWN)


def find_header_row(rows: Sequence[Sequence[Any]], *, scan: int = 15) -> int:
    """0-based index of the most header-like row among the first ``scan`` rows.

    A row above the best-scoring one that names at least as many columns by a known header
    name (``sentence``, ``评价``...) is the header instead: rows below a real header are
    data, and taking a data row as the header would silently drop every row above it.
    """
    best, best_i = -1.0, 0
    for i, row in enumerate(rows[:scan]):
        s = header_score(row)
        if s > best + 1e-9:
            best, best_i = s, i
    need = _known_cells(rows[best_i]) if rows else 0
    for i in range(best_i):
        known = _known_cells(rows[i])
        if known and known >= need:
            return i
    return best_i


# ---------------------------------------------------------------- content

def _is_number_like(s: str) -> bool:
    return bool(re.fullmatch(r"[\s\d.,:/\-+%★☆年月日TZ]*", s))


def text_likeness(values: Sequence[Any]) -> float:
    """0..1: long, varied, mostly non-numeric strings look like review text."""
    strs = [_cell_str(v) for v in values if not isinstance(v, (int, float)) or isinstance(v, bool)]
    strs = [s for s in strs if s]
    total = sum(1 for v in values if _cell_str(v))
    if not strs or not total:
        return 0.0
    words = [s for s in strs if not _is_number_like(s)]
    if not words:
        return 0.0
    nonnum = len(words) / total
    mean_len = sum(min(len(s), 200) for s in words) / len(words)
    distinct = len(set(words)) / len(words)
    length = min(mean_len / 15.0, 1.0)
    # Short fields (names, sizes) repeat or stay short; reviews do neither.
    return round(nonnum * (0.55 * length + 0.45 * distinct) * (1.0 if mean_len >= 4 else 0.4), 3)


def content_score(role: str, values: Sequence[Any], *, named: bool = False) -> float:
    """How much a column's cells look like ``role``; ``named``: its header already names the role."""
    if role == "rating":
        return rating_share(values)
    if role == "date":
        # Old .xls and unformatted .xlsx/.csv cells hold dates as bare Excel serials
        # (45350.5); trusted only under a date-like header, since alone they may be prices.
        return date_share(values, serials=named)
    if role in ("text", "followup", "reply"):
        return text_likeness(values)
    filled = [str(v).strip() for v in values if _cell_str(v)]
    if role == "product" and filled and sum(s.isdigit() for s in filled) >= 0.9 * len(filled):
        return 0.0  # numeric ids ("product_id"): a readable name or handle column wins when there is one
    return 1.0 if filled else 0.5


def guess_columns(headers: Sequence[str], sample: Sequence[Sequence[Any]]) -> dict[str, ColumnGuess]:
    """Guess every role's column from header names and a sample of data rows."""
    cols = {h: [r[i] if i < len(r) else None for r in sample] for i, h in enumerate(headers)}
    content: dict[tuple[str, str], float] = {}

    def cscore(role: str, h: str) -> float:
        key = (role, h)
        if key not in content:
            content[key] = content_score(role, cols[h], named=True)
        return content[key]

    pairs: list[tuple[float, str, str]] = []
    for h in headers:
        for role in ROLES:
            ns = name_score(role, h)
            if ns <= 0:
                continue
            cs = cscore(role, h)
            if role in ("rating", "date") and cs < 0.5:
                continue  # a "评分" column full of prose is not a rating
            if role == "text" and cs < 0.15:
                continue
            conf = ns * (0.6 + 0.4 * cs) if role in ("rating", "date", "text") else ns * (0.85 + 0.15 * cs)
            pairs.append((conf, role, h))
    pairs.sort(key=lambda p: (-p[0], ROLES.index(p[1]), headers.index(p[2])))
    guesses: dict[str, ColumnGuess] = {}
    used: set[str] = set()
    for conf, role, h in pairs:
        if role in guesses or h in used:
            continue
        guesses[role] = ColumnGuess(role, h, round(min(conf, 1.0), 3))
        used.add(h)
    # Content fallbacks for the roles that matter most for analysis.
    free = [h for h in headers if h not in used]
    if "text" not in guesses or guesses["text"].confidence < 0.35:
        ranked = sorted(((text_likeness(cols[h]), h) for h in free), key=lambda p: -p[0])
        if ranked and ranked[0][0] >= 0.35:
            old = guesses.get("text")
            if old is None or ranked[0][0] * 0.8 > old.confidence:
                if old is not None:
                    used.discard(old.column)
                guesses["text"] = ColumnGuess("text", ranked[0][1], round(ranked[0][0] * 0.8, 3))
                used.add(ranked[0][1])
    free = [h for h in headers if h not in used]
    if "date" not in guesses:
        ranked = sorted(((date_share(cols[h]), h) for h in free), key=lambda p: -p[0])
        if ranked and ranked[0][0] >= 0.8:
            guesses["date"] = ColumnGuess("date", ranked[0][1], round(ranked[0][0] * 0.7, 3))
            used.add(ranked[0][1])
    free = [h for h in headers if h not in used]
    if "rating" not in guesses:
        best: tuple[float, str] | None = None
        for h in free:
            share = rating_share(cols[h])
            filled = [v for v in cols[h] if _cell_str(v)]
            # Small-range: few distinct values; ids and prices are excluded by that.
            if share >= 0.9 and filled and len({_cell_str(v) for v in filled}) <= 11:
                if best is None or share > best[0]:
                    best = (share, h)
        if best:
            guesses["rating"] = ColumnGuess("rating", best[1], round(best[0] * 0.6, 3))
    for role in ROLES:
        guesses.setdefault(role, ColumnGuess(role, None, 0.0))
    return {role: guesses[role] for role in ROLES}
