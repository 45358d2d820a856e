"""Masking personal data in review text before it is shown, exported or shared.

Replaces phone numbers, e-mails, order numbers, ID card numbers, addresses and names with
neutral tokens: ``[phone] [email] [order] [id] [address] [name]``. Ordinary numbers
(prices "99元", dates, sizes "XL 175/92A", models "iPhone 15") are left alone: digit rules
need a phone/ID shape or at least 12 digits, and the others need a label ("地址:", "Name:").
"""
from __future__ import annotations

import re

_CJK = "\u4e00-\u9fff"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_ID18 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d){8}(?!\d)")
_LANDLINE = re.compile(r"(?<![\d\-])(?:\(0\d{2,3}\)|0\d{2,3})[\s\-]?[2-9]\d{6,7}(?:-\d{1,4})?(?!\d)")
_US_PHONE = re.compile(r"(?<![\d\w])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.\-])\d{3}[\s.\-]\d{4}(?!\d)")
_ORDER_LABEL = re.compile(
    r"(订单号|订单编号|订单id|订单|单号|order\s*(?:#|no\.?|number|id)|order)(\s*[:：#]?\s*#?\s*)([A-Za-z0-9][A-Za-z0-9\-]{5,})",
    re.I)
_LONG_DIGITS = re.compile(r"(?<![\d.])\d{12,}(?![\d.])")
_ADDR_LABEL = re.compile(
    r"(收货地址|收件地址|寄件地址|送货地址|家庭住址|详细地址|住址|地址|address)(\s*[:：]?\s*)([^，。！？；,!?;\n\[]{2,80})", re.I)
_PROVINCES = ("北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
              "四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门")
# Unlabelled addresses need a province name, or a city name standing at a word boundary,
# followed by district and street parts, so "我在市区买的" stays as it is.
_ADDR_BARE = re.compile(
    rf"(?:(?:{_PROVINCES})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?[{_CJK}]{{0,6}}?|(?<![{_CJK}])[{_CJK}]{{2,4}}市)"
    rf"[{_CJK}]{{0,7}}?(?:区|县|旗)[{_CJK}\d]{{0,20}}?"
    rf"(?:路|街|道|巷|弄|村|镇)(?:[{_CJK}\d\-]{{0,12}}?(?:号|栋|室|楼|单元))*")
_STREET = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\.?\s+){1,3}(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Ln|Lane|Dr|Drive|"
    r"Ct|Court|Way|Pl|Place|Ter|Terrace|Pkwy|Hwy)\b\.?(?:,?\s*(?:Apt|Suite|Unit|#)\s*[\w\-]+)?")
_NAME_CN = re.compile(
    rf"(收货人|联系人|收件人|姓名|买家[:：]|客户姓名)(\s*[:：]?\s*)([{_CJK}]{{2,4}}?)"
    rf"(?=电话|手机|地址|联系|收货|先生|女士|[^{_CJK}]|$)")
_NAME_EN = re.compile(r"\b(Name|Recipient|Contact|Ship to|Customer)(\s*:\s*)([A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+){0,2})")


def mask_pii(s: str) -> str:
    """Replace personal data in ``s`` with neutral tokens; everything else is unchanged."""
    if not s:
        return s or ""
    s = _EMAIL.sub("[email]", s)
    s = _ORDER_LABEL.sub(lambda m: m[1] + m[2] + ("[order]" if sum(c.isdigit() for c in m[3]) >= 4 else m[3]), s)
    s = _ID18.sub("[id]", s)
    s = _MOBILE.sub("[phone]", s)
    s = _LANDLINE.sub("[phone]", s)
    s = _US_PHONE.sub("[phone]", s)
    s = _LONG_DIGITS.sub("[order]", s)
    s = _ADDR_LABEL.sub(lambda m: m[1] + m[2] + "[address]", s)
    s = _ADDR_BARE.sub("[address]", s)
    s = _STREET.sub("[address]", s)
    s = _NAME_CN.sub(lambda m: m[1] + m[2] + "[name]", s)
    s = _NAME_EN.sub(lambda m: m[1] + m[2] + "[name]", s)
    return s
