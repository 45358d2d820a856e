"""core.text.pii.mask_pii on realistic Chinese and English review text: what must and must not be masked."""
from __future__ import annotations

import re

import pytest

from core.analysis.topics import _MASK_TOKEN
from core.text import mask_pii as reexported
from core.text.pii import mask_pii


@pytest.mark.parametrize("raw,masked", [
    ("有问题打我电话13812345678", "有问题打我电话[phone]"),
    ("手机：138 1234 5678，谢谢", "手机：[phone]，谢谢"),
    ("+86 139-1234-5678 联系我", "[phone] 联系我"),
    ("座机010-62345678或者0571 88889999", "座机[phone]或者[phone]"),
    ("邮箱 abc.def@qq.com 发票发这里", "邮箱 [email] 发票发这里"),
    ("订单号：3800123456789012 还没发货", "订单号：[order] 还没发货"),
    ("订单编号 4672646722271027，催一下", "订单编号 [order]，催一下"),
    ("单号123456789012345都三天了", "单号[order]都三天了"),
    ("快递单 773012345678901 不动了", "快递单 [order] 不动了"),
    ("身份证号110101199003071234要登记", "身份证号[id]要登记"),
    ("收货地址：浙江省杭州市西湖区文三路100号3单元501室，电话13812345678",
     "收货地址：[address]，电话[phone]"),
    ("地址北京朝阳区建国路88号，放门卫", "地址[address]，放门卫"),
    ("寄到广东省深圳市南山区科技园路1号就行", "寄到[address]就行"),
    ("收货人张三电话13912345678", "收货人[name]电话[phone]"),
    ("联系人：欧阳娜娜，放快递柜", "联系人：[name]，放快递柜"),
    ("姓名 李四 地址 上海市浦东新区世纪大道100号", "姓名 [name] 地址 [address]"),
    ("Call me at (555) 123-4567 or 555-123-4567.", "Call me at [phone] or [phone]."),
    ("Email me: jane.doe+shop@example.co.uk", "Email me: [email]"),
    ("Order #112-1234567-1234567 arrived late", "Order #[order] arrived late"),
    ("my order id: A1B2C3D4E5 never came", "my order id: [order] never came"),
    ("Ship it to 123 Main St, Apt 4 please", "Ship it to [address] please"),
    ("I live at 42 Elm Street.", "I live at [address]"),
    ("Name: John Smith, size L", "Name: [name], size L"),
])
def test_masks(raw: str, masked: str) -> None:
    assert mask_pii(raw) == masked


@pytest.mark.parametrize("s", [
    "价格99元，比超市便宜",
    "尺码XL 175/92A，穿着刚好",
    "iPhone 15 Pro Max 256G 很流畅",
    "2026-03-01收到的，2026年3月5日追评",
    "买了3件，第2次购买了，价格1299.00",
    "5斤装一共23个，最大的有350g",
    "10.1英寸屏幕，分辨率1920x1200，电池6000mAh",
    "买家秀很好看，和图片一样",
    "联系客服说三天内发货",
    "订单很快就到了，包装完好",
    "我在市区买的，区别不大",
    "Fits well, 5 stars, bought 2 for $19.99",
    "Size 42 regular, model number AB-1234, year 2018",
    "The order arrived on 07/29/2018 in 3 days",
    "My name is on the label lol",
    "Washed it 100 times, still fine",
    "2 Large Shirts in the box",
])
def test_leaves_ordinary_text_alone(s: str) -> None:
    assert mask_pii(s) == s


def test_reexported_from_text() -> None:
    assert reexported is mask_pii
    assert mask_pii("") == ""


@pytest.mark.parametrize("raw,masked", [
    ("Call me at +44 7700 900123 about the refund", "Call me at [phone] about the refund"),
    ("Contact me: 0412 345 678", "Contact me: [phone]"),
    # The whole number goes, not only the part after the country code.
    ("Ruf mich an: +49 151 23456789", "Ruf mich an: [phone]"),
    ("Ruf mich an: 0049 151 23456789", "Ruf mich an: [phone]"),
    ("Handy 0151 23456789 bitte", "Handy [phone] bitte"),
    ("Call +1 (555) 123-4567 today", "Call [phone] today"),
    ("text 555-123-4567", "text [phone]"),
    ("加我+86 138 1234 5678", "加我[phone]"),
    ("座机020-12345678", "座机[phone]"),
    ("ring me on 07700 900123!", "ring me on [phone]!"),
    ("office +44 (0)20 7946 0958", "office [phone]"),
    ("London 020 7946 0958.", "London [phone]."),
    ("appelez +33 6 12 34 56 78", "appelez [phone]"),
    ("mob 0412345678", "mob [phone]"),
])
def test_masks_international_and_national_phones(raw: str, masked: str) -> None:
    assert mask_pii(raw) == masked


@pytest.mark.parametrize("raw,masked", [
    ("QQ 123456789 联系", "QQ [id] 联系"),
    ("QQ号：123456789", "QQ号：[id]"),
    ("加我qq123456789", "加我qq[id]"),
    ("微信号 wxid_abc123", "微信号 [id]"),
    ("加微信 abc_123456", "加微信 [id]"),
    ("vx: abc123", "vx: [id]"),
    ("WeChat: abc123", "WeChat: [id]"),
])
def test_masks_messenger_accounts(raw: str, masked: str) -> None:
    assert mask_pii(raw) == masked


@pytest.mark.parametrize("raw,masked", [
    ("Order #1001 was missing a sock", "Order #[order] was missing a sock"),
    ("order no. 123-4567890-1234567", "order no. [order]"),
    ("订单号：1234567890123", "订单号：[order]"),
    ("Bestellnummer 12345 kam nie an", "Bestellnummer [order] kam nie an"),
    ("My order number is 12345.", "My order number is [order]."),
])
def test_masks_short_labelled_order_numbers(raw: str, masked: str) -> None:
    assert mask_pii(raw) == masked


@pytest.mark.parametrize("raw,masked", [
    ("I am John Smith", "I am [name]"),
    ("Hi, I'm John Smith and I love it", "Hi, I'm [name] and I love it"),
    ("My name is Anna Lee", "My name is [name]"),
    ("my name is Anna, size M fits", "my name is [name], size M fits"),
    ("Great kettle. Regards, Tom Baker", "Great kettle. Regards, [name]"),
    ("Thanks! - Anna Lee", "Thanks! - [name]"),
    ("Works fine.\nCheers,\nTom", "Works fine.\nCheers,\n[name]"),
    ("Best - Anna Lee.", "Best - [name]."),
    ("我叫张伟", "我叫[name]"),
    ("我是王小明，上周买的", "我是[name]，上周买的"),
    ("你好我是欧阳娜娜。", "你好我是[name]。"),
])
def test_masks_names_reviewers_give_themselves(raw: str, masked: str) -> None:
    assert mask_pii(raw) == masked


@pytest.mark.parametrize("s", [
    # prices, sizes, dates, models, quantities, ratings
    "¥1299 很值", "$12.99 on sale", "sold 12,000 units", "XL 180cm 75kg 刚好",
    "2024-03-05 到货", "2024/3/5 14:22 下单", "2024-03-05 10:22:33", "iPhone 15 Pro",
    "RTX 4090 runs hot", "SKU 12345 is the blue one", "Rated 4.5/5 by 12,345 buyers",
    "5/5 stars, 10/10", "UK sizes 08 10 12 14 all fit", "Model 0512 200 works", "since 03-2024",
    "+1 for fast shipping", "+10 points", "ISBN 0-306-40615-2", "Tested 00:12:45 runtime",
    # short or unlabelled order-like words
    "Order 2 arrived", "order #2 was fine", "Bought 3, order arrived in 2 days",
    # messenger words without an account
    "QQ音乐会员送的", "WeChat Pay works great", "WeChat: awesome",
    # capitalised words that are not the reviewer's name
    "Apple iPhone", "Nike Air", "I am very happy", "I Am Very Happy With This Product.",
    "I Am Pleasantly Surprised.", "I am British.", "I am Apple fan", "I'm Nike Air fan",
    "Thanks, Apple!", "Thanks to Nike Air", "Best product ever", "Thanks! Highly Recommend",
    "Cheers", "Regards to the Apple Store team, will buy again",
    # 我是 + a description, not a name
    "我是第一次买", "我是老客户", "我是江苏人", "我是高中生", "我是王者", "我是高手，", "我是金牌会员",
    "我是张伟的粉丝", "我叫了外卖",
])
def test_leaves_numbers_brands_and_self_descriptions_alone(s: str) -> None:
    assert mask_pii(s) == s


def test_every_token_is_one_topic_extraction_strips() -> None:
    # topics.py removes the mask tokens before counting words; a new token would become a topic.
    masked = mask_pii("QQ 123456789, vx: abc123, +44 7700 900123, Order #1001, a@b.com, "
                      "地址北京朝阳区建国路88号, 身份证110101199003071234. Regards, Tom Baker")
    tokens = re.findall(r"\[[a-z]+\]", masked)
    assert len(tokens) == 8
    assert all(_MASK_TOKEN.fullmatch(t) for t in tokens)
