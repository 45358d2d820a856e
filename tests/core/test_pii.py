"""core.pii.mask_pii on realistic Chinese and English review text: what must and must not be masked."""
from __future__ import annotations

import pytest

from core.pii import mask_pii
from core.text import mask_pii as reexported


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
