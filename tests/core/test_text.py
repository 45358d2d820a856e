"""core.text: cleaning, placeholders, language, clauses, duplicates, hashing."""
from __future__ import annotations

import random

import pytest

import core.text.clean as text_mod
from core.text import (clean_text, detect_language, duplicate_groups, is_placeholder, normalize_for_match,
                       split_clauses, text_hash)


@pytest.mark.parametrize("raw,clean", [
    ("<p>质量<b>很好</b></p>", "质量很好"),
    ("good &amp; cheap &lt;3", "good & cheap <3"),
    ("a < b and c > d", "a < b and c > d"),
    ("line1<br/>line2", "line1\nline2"),
    ("很\u200b好\u200c用\u200e\u200f\ufeff\u2060", "很好用"),
    ("\u202a左\u202b右\u202c\u202d中\u202e\u2066隔\u2067离\u2068\u2069", "左右中隔离"),
    ("bad\x00\x07\x1b chars\x7f", "bad chars"),
    ("  lots   of\t\tspace\u3000here  ", "lots of space here"),
    ("a\r\n\r\n\n  b", "a\nb"),
    ("好吃😋👍🏻 ❤️", "好吃😋👍🏻 ❤️"),
    ("👩\u200d💻 coder", "👩\u200d💻 coder"),
    ("", ""),
])
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize("s", [
    "此用户没有填写评价", "此用户没有填写评价。", "此用户未填写评价内容", "系统默认好评", "评价方未及时做出评价,系统默认好评!",
    "评价方未及时做出评价，系统默认好评！", "用户默认好评", "该用户觉得商品较好", "买家未填写评价",
    "The customer did not leave a review", "the customer did not leave a review.", "No review text", "N/A", "n/a",
    "-", "—", "无", "", "   ", "。。。", "nan", "NaN", "#N/A", "undefined", "TRUE",
])
def test_placeholders(s: str) -> None:
    assert is_placeholder(s)


@pytest.mark.parametrize("s", ["好", "好评！质量不错", "无语，质量太差", "NA版本不错", "No problems at all, great shirt",
                               "系统默认好评这种事情我很反感，东西收到就坏了，客服不理人，必须差评"])
def test_not_placeholders(s: str) -> None:
    assert not is_placeholder(s)


def test_placeholders_file_is_user_extendable(tmp_path, monkeypatch) -> None:
    f = tmp_path / "placeholders.txt"
    f.write_text("# mine\n亲没有写评价哦\n", encoding="utf-8")
    monkeypatch.setattr(text_mod, "PLACEHOLDERS_FILE", f)
    assert is_placeholder("亲，没有写评价哦！")
    assert not is_placeholder("N/A 但是我很喜欢")


@pytest.mark.parametrize("s,lang", [
    ("质量很好，物流很快", "zh"), ("iPhone 15 很好用", "zh"), ("The shirt fits well", "en"),
    ("good 好", "zh"), ("This is a very long English sentence with one 字", "en"), ("😀👍", "other"),
    ("12345 !!!", "other"), ("", "other"), ("とても良い商品です", "other"), ("Отличная футболка", "other"),
    ("这个T-shirt的fabric很soft，推荐", "zh"),
])
def test_detect_language(s: str, lang: str) -> None:
    assert detect_language(s) == lang


@pytest.mark.parametrize("s,clauses", [
    ("质量很好，但是物流太慢了。总体还行！", ["质量很好", "但是物流太慢了", "总体还行"]),
    ("屏幕清晰但电池不耐用", ["屏幕清晰", "但电池不耐用"]),
    ("外观漂亮不过有点重", ["外观漂亮", "不过有点重"]),
    ("不但便宜而且好用", ["不但便宜而且好用"]),
    ("Great fabric but the size runs small. Would buy again!", ["Great fabric", "but the size runs small",
                                                                "Would buy again"]),
    ("Nice colour, however it shrank; so sad", ["Nice colour", "however it shrank", "so sad"]),
    ("Costs 3.5 dollars.", ["Costs 3.5 dollars"]),
    ("好，很好，非常好\n第二行", ["好很好", "非常好", "第二行"]),
    ("", []),
])
def test_split_clauses(s: str, clauses: list[str]) -> None:
    assert split_clauses(s) == clauses


def test_split_clauses_merges_tiny_fragments() -> None:
    out = split_clauses("嗯，东西收到了，好。")
    assert all(len(c) >= 2 for c in out)
    assert "".join(out) == "嗯东西收到了好"


def test_duplicates_exact_and_normalised() -> None:
    texts = ["质量很好，物流很快！", "质量很好 物流很快", "ＱＵＡＬＩＴＹ good", "quality GOOD!!", "different", "",
             "", "质量很好，物流很快"]
    assert duplicate_groups(texts) == [None, 0, None, 2, None, None, None, 0]


def test_near_duplicates() -> None:
    base = ("这款苹果非常甜，个头也大，包装很仔细，没有一个坏的，物流两天就到了，下次还会再来买，推荐给大家。"
            "之前在别家买过一次，酸得很，这家的明显好很多，老人孩子都爱吃，价格也合适")
    near = base.replace("两天", "两日")  # one character differs in ~80: Jaccard ~0.93
    far = "苹果很一般，有几个坏的，物流也慢，客服回复不及时，不推荐购买，失望"
    en = "The shirt fits perfectly and the fabric is soft, colour did not fade after washing it twice"
    en2 = en.replace("twice", "twice.")
    groups = duplicate_groups([base, far, near, en, en2, base + "，真的"])
    assert groups[:5] == [None, None, 0, None, 3]
    assert groups[5] in (None, 0)


def test_near_duplicates_scale() -> None:
    rng = random.Random(1)
    alphabet = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该由"
    texts = ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(3000)]
    texts += [t[:-1] + "好" for t in texts[:300]]  # near copies of the first 300
    groups = duplicate_groups(texts)
    assert sum(g is not None for g in groups[:3000]) == 0
    found = sum(groups[3000 + i] == i for i in range(300))
    assert found >= 290  # MinHash+LSH may miss a few near pairs, never invents one


def test_text_hash() -> None:
    assert text_hash("很好\u200b用") == text_hash("很好用")
    assert text_hash("<b>good</b>") == text_hash("good")
    assert text_hash("good") != text_hash("Good")
    assert len(text_hash("x")) == 40
    assert normalize_for_match("ＧＯＯＤ， good!") == "goodgood"
