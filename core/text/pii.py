"""Masking personal data in review text before it is shown, exported or shared.

Replaces phone numbers, e-mails, order numbers, ID card numbers and messenger accounts (QQ,
WeChat), addresses and names with neutral tokens:
``[phone] [email] [order] [id] [address] [name]``. Ordinary numbers (prices "99元",
dates, sizes "XL 175/92A", models "iPhone 15") are left alone: digit rules need a phone/ID
shape, a "+"/"00"/"0" dialling prefix, or at least 12 digits, and the others need a label
("地址:", "Name:", "QQ", "Order #") or a self-introduction / sign-off cue ("I am", "我叫",
"Regards,").
"""
from __future__ import annotations

import re

_CJK = "\u4e00-\u9fff"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_ID18 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")

# --- phones -------------------------------------------------------------------------------
# International form: "+" or "00", a country code, then digits with single separators.
# Run before the national rules so "+49 151 23456789" goes whole, not as "+49 [phone]".
_INTL_PHONE = re.compile(r"(?<![\w+])(?:\+|00)[1-9](?:[ .\-]?(?:\(\d{1,4}\)|\d)){6,17}(?!\d)")
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d){8}(?!\d)")
# Chinese subscriber numbers may start with 1 when written after an area code ("020-12345678").
_LANDLINE = re.compile(r"(?<![\d\-])(?:\(0\d{2,3}\)|0\d{2,3})[\s\-]?[1-9]\d{6,7}(?:-\d{1,4})?(?!\d)")
# National form with a trunk "0" (UK "07700 900123", AU "0412 345 678", DE "0151 23456789").
# Groups after the prefix need 3+ digits so clothing sizes "08 10 12" and dates stay.
_NATIONAL_PHONE = re.compile(
    r"(?<![\w.,/+\-])(?:0[1-9]\d{1,4}(?:[ \-]\d{3,8}){1,3}|0[1-9]\d{8,9})(?![\w\-/]|[.,]\d)")
_US_PHONE = re.compile(r"(?<![\d\w])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.\-])\d{3}[\s.\-]\d{4}(?!\d)")

# --- messenger accounts -------------------------------------------------------------------
# Masked as "[id]": core.analysis.topics strips exactly the tokens listed above, so a new
# token would leak into topic words.
_QQ = re.compile(r"(?<![A-Za-z])(qq(?:号码|号)?)(\s*[:：]?\s*)([1-9]\d{4,10})(?!\d)", re.I)
# A Latin label must not run into letters ("wxabc" is a word, not "wx: abc").
_WECHAT = re.compile(
    r"(?<![A-Za-z])(微信号|微信|威信|薇信|v信|加v|vx|wx|wechat(?:\s*id)?|weixin)(?![A-Za-z])"
    r"(\s*[:：]?\s*)([A-Za-z][A-Za-z0-9_\-]{5,19})(?![A-Za-z0-9_\-])", re.I)

# --- order numbers ------------------------------------------------------------------------
_ORDER_LABEL = re.compile(
    r"(订单号|订单编号|订单id|订单|单号|bestellnummer|bestell-?nr\.?|auftragsnummer|"
    r"order\s*(?:#|no\.?|number|id)|order)(\s*(?:is\s+)?[:：#]?\s*#?\s*)([A-Za-z0-9][A-Za-z0-9\-]{3,})",
    re.I)
# A bare "order"/"订单" may be followed by any word, so it needs a longer id; an explicit
# "order #", "订单号" or "Bestellnummer" allows short shop ids such as Shopify's "#1001".
_WEAK_ORDER_LABEL = re.compile(r"order|订单|单号", re.I)
_LONG_DIGITS = re.compile(r"(?<![\d.])\d{12,}(?![\d.])")

# --- addresses ----------------------------------------------------------------------------
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

# --- names --------------------------------------------------------------------------------
_NAME_CN = re.compile(
    rf"(收货人|联系人|收件人|姓名|买家[:：]|客户姓名)(\s*[:：]?\s*)([{_CJK}]{{2,4}}?)"
    rf"(?=电话|手机|地址|联系|收货|先生|女士|[^{_CJK}]|$)")
_NAME_EN = re.compile(r"\b(Name|Recipient|Contact|Ship to|Customer)(\s*:\s*)([A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+){0,2})")

_EN_NAME = r"[A-Z][a-z'\-]+(?:[ \t]+[A-Z][a-z'\-]+){0,2}"
# Only capitalised words after a self-introduction count, and only where the name ends the
# clause, so "I'm Nike Air fan" and "My name is on the label" stay. "I am" is matched
# case-sensitively: Title Case reviews write "I Am Pleasantly Surprised", not a name.
_SELF_INTRO_EN = re.compile(
    rf"(?<![A-Za-z])((?i:my\s+name\s+is|my\s+name's)\s+|(?:I\s+am|I['’]m)\s+)({_EN_NAME})"
    r"(?=\s*(?:[,.!?;:)\-–—]|$)|\s+(?:and|from|here|speaking)\b)")
# A sign-off counts only at the very end, after a closing word and a comma, dash or line
# break ("Regards, Tom Baker", "Thanks! - Anna Lee").
_SIGN_OFF_EN = re.compile(
    r"((?:^|(?<=[.!?\n]))\s*(?i:best\s+regards|kind\s+regards|warm\s+regards|regards|many\s+thanks|"
    r"thanks|thank\s+you|cheers|best|sincerely|yours)[ \t]*[!.]?[ \t]*(?:,|[-–—]|\n)\s*)"
    rf"({_EN_NAME})(?=[ \t]*[.!]?\s*\Z)")
# Title-case reviews ("I Am Very Happy") and brand sign-offs ("Thanks, Apple") put
# capitalised words where a name would stand; none of these is taken as a name.
_NOT_EN_NAME = frozenset("""
    a an the this that it so very really super quite totally extremely absolutely not no
    happy glad sad satisfied pleased disappointed impressed amazed excited thrilled sorry
    new old big small back here there also just still now again done good great bad fine
    ok okay sure in on at from with for of and or but much highly recommend recommended
    pleasantly pleasant surprised delighted amazing awesome excellent perfect
    love loving loved frustrated annoyed angry upset grateful thankful fan user customer
    buyer owner five star stars product item buy best
    chinese american british english german french japanese korean indian australian
    canadian mexican italian spanish russian
    apple iphone ipad mac google pixel samsung galaxy huawei xiaomi oppo vivo sony lg nike
    adidas puma amazon shopify ebay walmart target ikea lego dyson bose canon nikon dell hp
    lenovo asus acer microsoft xbox playstation nintendo tesla
    """.split())

_CN_SURNAME = ("欧阳|司马|上官|诸葛|东方|皇甫|慕容|令狐|司徒|夏侯|"
               "[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
               "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
               "郝龚邵万钱严覃武戴莫孔向汤]")
# A name after 我叫/我是 is a surname plus one or two characters ending the clause, so
# "我是第一次买" and "我是老客户" never look like names.
_SELF_INTRO_CN = re.compile(
    rf"(我叫|我名叫|我的名字叫|我的名字是|我是)((?:{_CN_SURNAME})[{_CJK}]{{1,2}})(?![{_CJK}])")
# Words that start with a surname character but describe the reviewer, not name them.
_NOT_CN_NAME = frozenset("王者 白领 金主 高管 高层 高手 江湖 黄牛 金牌 白银 黄金 马大哈 万能 石头 钟点工 龙套 史上".split())
_NOT_CN_NAME_END = frozenset("人生族者手员家户党迷粉友控姐哥妹弟们的了过吗呢吧啊呀哦嘛")


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def _mask_order(m: re.Match[str]) -> str:
    label, sep, value = m[1], m[2], m[3]
    weak = _WEAK_ORDER_LABEL.fullmatch(label.strip()) is not None and "#" not in sep
    long_enough = len(value) >= (6 if weak else 4)
    if long_enough and _digits(value) >= 4:
        return label + sep + "[order]"
    return m[0]


def _mask_intl_phone(m: re.Match[str]) -> str:
    # Fewer than 8 digits after "+" is a score or count ("+1 2 3"), not a phone.
    return "[phone]" if _digits(m[0]) >= 8 else m[0]


def _mask_national_phone(m: re.Match[str]) -> str:
    # National numbers have 9-12 digits; shorter runs are month-years ("03-2024") or codes.
    return "[phone]" if 9 <= _digits(m[0]) <= 12 else m[0]


def _mask_wechat(m: re.Match[str]) -> str:
    # WeChat ids may be plain words; demanding a digit or "_" keeps "WeChat: awesome" intact.
    if any(c.isdigit() or c == "_" for c in m[3]):
        return m[1] + m[2] + "[id]"
    return m[0]


def _is_en_name(words: str) -> bool:
    return not any(w.lower().strip("'-") in _NOT_EN_NAME for w in words.split())


def _mask_self_intro_en(m: re.Match[str]) -> str:
    cue, name = m[1], m[2]
    # "I am British." is a nationality; a lone word after "I am" is too weak to call a name.
    if not cue.lower().startswith("my") and len(name.split()) < 2:
        return m[0]
    return cue + "[name]" if _is_en_name(name) else m[0]


def _mask_sign_off_en(m: re.Match[str]) -> str:
    return m[1] + "[name]" if _is_en_name(m[2]) else m[0]


def _mask_self_intro_cn(m: re.Match[str]) -> str:
    name = m[2]
    if name in _NOT_CN_NAME or name[-1] in _NOT_CN_NAME_END:
        return m[0]
    return m[1] + "[name]"


def _mask_contacts(s: str) -> str:
    """E-mails, order numbers, messenger accounts, ID card and phone numbers."""
    s = _EMAIL.sub("[email]", s)
    s = _ORDER_LABEL.sub(_mask_order, s)
    s = _QQ.sub(lambda m: m[1] + m[2] + "[id]", s)
    s = _WECHAT.sub(_mask_wechat, s)
    s = _ID18.sub("[id]", s)
    s = _INTL_PHONE.sub(_mask_intl_phone, s)
    s = _MOBILE.sub("[phone]", s)
    s = _LANDLINE.sub("[phone]", s)
    s = _NATIONAL_PHONE.sub(_mask_national_phone, s)
    s = _US_PHONE.sub("[phone]", s)
    return _LONG_DIGITS.sub("[order]", s)


def _mask_addresses(s: str) -> str:
    s = _ADDR_LABEL.sub(lambda m: m[1] + m[2] + "[address]", s)
    s = _ADDR_BARE.sub("[address]", s)
    return _STREET.sub("[address]", s)


def _mask_names(s: str) -> str:
    s = _NAME_CN.sub(lambda m: m[1] + m[2] + "[name]", s)
    s = _NAME_EN.sub(lambda m: m[1] + m[2] + "[name]", s)
    s = _SELF_INTRO_EN.sub(_mask_self_intro_en, s)
    s = _SIGN_OFF_EN.sub(_mask_sign_off_en, s)
    return _SELF_INTRO_CN.sub(_mask_self_intro_cn, s)


def mask_pii(s: str) -> str:
    """Replace personal data in ``s`` with neutral tokens; everything else is unchanged."""
    if not s:
        return s or ""
    return _mask_names(_mask_addresses(_mask_contacts(s)))
