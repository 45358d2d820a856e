"""Which language a review is written in, and its clauses.

``detect_language`` goes by script (Han, Latin, kana/hangul, others); ``split_clauses``
cuts on punctuation, line breaks and contrastive connectives ("但是", "but"), the unit
aspects are found and scored in.
"""
from __future__ import annotations

import re

from core.text.clean import clean_text

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
_OTHER_LETTER = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f]")


def detect_language(s: str) -> str:
    """'zh', 'en' or 'other', by script: one Han character weighs about as much as a Latin word."""
    if not s:
        return "other"
    sample = s[:5000]
    han = len(_HAN.findall(sample))
    latin = len(_LATIN.findall(sample))
    kana = len(_KANA_HANGUL.findall(sample))
    other = len(_OTHER_LETTER.findall(sample))
    if kana > max(han, 1) * 0.2 and kana >= 2:
        return "other"
    if han and han * 4 >= latin and han >= other:
        return "zh"
    if latin and latin >= 2 and latin > other and latin > han * 4:
        return "en"
    return "other"


_SEP = re.compile(r"[，。！？；、,!?;…～~\n\r]+|(?<!\d)\.+|\.+(?!\d)")
_CONNECTIVE = re.compile(
    r"(?=(?:但是|(?<!不)但(?!是|凡|愿)|不过|可是|然而|只不过)[^\s])"
    r"|(?<=\s)(?=(?:but|however|though|although|yet)\b)",
    re.I,
)


def _tiny(c: str) -> bool:
    han = len(_HAN.findall(c))
    words = len(re.findall(r"[A-Za-z0-9]+", c))
    return han + words < 2 and len(c) < 4 or (han < 2 and words < 2 and len(c) < 3)


def split_clauses(s: str) -> list[str]:
    """Split a review into clauses on punctuation, line breaks and contrastive connectives.

    The separating punctuation is dropped; the words are kept as written (a connective stays
    at the start of its clause). Fragments too small to mean anything join their neighbour.
    """
    s = clean_text(s)
    parts: list[str] = []
    for piece in _SEP.split(s):
        for sub in _CONNECTIVE.split(piece):
            sub = sub.strip()
            if sub:
                parts.append(sub)
    out: list[str] = []
    for p in parts:
        if out and _tiny(p):
            out[-1] = f"{out[-1]} {p}" if p[:1].isascii() and out[-1][-1:].isascii() else out[-1] + p
        elif out and _tiny(out[-1]):
            out[-1] = f"{out[-1]} {p}" if p[:1].isascii() and out[-1][-1:].isascii() else out[-1] + p
        else:
            out.append(p)
    return out
