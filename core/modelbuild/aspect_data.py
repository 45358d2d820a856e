"""Aspect-detection data: the public ABSA/ACOS sets mapped to ReviewLens aspects, the team's
hand-written training clauses and the hand-labelled review sentences (data/aspects/).

Build and benchmark side only (never imported by analysis). One ``Item`` is a sentence (a
review) cut into clauses the way analysis cuts them (``core.text.split_clauses``), with the
set of our aspects each clause mentions. Gold for the public sets comes from their labelled
aspect terms through the hand-made ``data/aspects/aspect_term_map.tsv``; a sentence with a
term the map does not cover is left out (``Loaded.dropped``), so unknown terms are never
scored as "no aspect".
"""
from __future__ import annotations

import ast
import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.analysis import clause_offsets, shipped_lexicon_path
from core.text import split_clauses

ROOT = Path(__file__).resolve().parents[2]
ASPECT_DATA = ROOT / "data" / "aspects"
TERM_MAP = ASPECT_DATA / "aspect_term_map.tsv"
SHARED = ROOT.parent / "shared" / "data"
_NON_ASCII_GAP = re.compile(r"(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])")
ABSA_DOMAINS = ("hair", "car", "notebook")  # mooc (online courses) has none of our aspects


def aspect_names() -> list[str]:
    """Our aspects, in the shipped lexicon's order (the classifier's output order)."""
    return list(json.loads(shipped_lexicon_path().read_text(encoding="utf-8"))["aspects"])


@dataclass
class Item:
    source: str  # set name, e.g. "hair.test"
    text: str
    clauses: list[str]
    clause_aspects: list[set[str]]

    @property
    def aspects(self) -> set[str]:
        return set().union(*self.clause_aspects) if self.clause_aspects else set()


@dataclass
class Loaded:
    items: list[Item] = field(default_factory=list)
    dropped: int = 0  # sentences with a term the map does not cover


class TermMap:
    """``data/aspects/aspect_term_map.tsv``: exact rows first, then regex rows in file order."""

    def __init__(self, path: Path = TERM_MAP):
        self.exact: dict[tuple[str, str], str] = {}
        self.rules: dict[str, list[tuple[re.Pattern, str]]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            domain, kind, pattern, aspect = line.split("\t")
            if kind == "exact":
                self.exact[(domain, pattern.lower())] = aspect
            else:
                self.rules.setdefault(domain, []).append((re.compile(pattern, re.IGNORECASE), aspect))

    def lookup(self, domain: str, term: str) -> str | None:
        """An aspect, "-" (outside ours), "@opinion" or None (not covered)."""
        term = term.strip().lower()
        hit = self.exact.get((domain, term))
        if hit is not None:
            return hit
        return next((a for rx, a in self.rules.get(domain, []) if rx.search(term)), None)


def clause_at(text: str, clauses: list[str], at: int, term: str) -> int:
    """Index of the clause holding character offset ``at`` (else the first clause with ``term``)."""
    for k, start in enumerate(clause_offsets(text, clauses)):
        if 0 <= start <= at < start + len(clauses[k]):
            return k
    return next((k for k, c in enumerate(clauses) if term and term in c), -1)


def _item(source: str, text: str, hits: list[tuple[int, str, str]]) -> Item | None:
    """hits: (offset, term, aspect or "-"); None when a hit's clause cannot be found."""
    clauses = split_clauses(text) or [text]
    per = [set() for _ in clauses]
    for at, term, aspect in hits:
        k = clause_at(text, clauses, at, term)
        if k < 0:
            return None
        if aspect != "-":
            per[k].add(aspect)
    return Item(source, text, clauses, per)


def absa_items(path: Path, domain: str, source: str, tmap: TermMap, *, zh: bool = True) -> Loaded:
    """The 3-line APC format, grouped by sentence (one item per distinct sentence)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    by_text: dict[str, list[tuple[int, str, str | None]]] = {}
    for i in range(0, len(lines) - 2, 3):
        template, term = lines[i].strip(), lines[i + 1].strip()
        if zh:
            template, term = _NON_ASCII_GAP.sub("", template), _NON_ASCII_GAP.sub("", term)
        at = template.find("$T$")
        text = template.replace("$T$", term, 1)
        by_text.setdefault(text, []).append((at, term, tmap.lookup(domain, term)))
    out = Loaded()
    for text, hits in by_text.items():
        item = None if any(a in (None, "@opinion") for *_x, a in hits) else _item(source, text, hits)
        if item is None:
            out.dropped += 1
        else:
            out.items.append(item)
    return out


def _acos_aspect(tmap: TermMap, term: str | None, opinion: str) -> str | None:
    if term is None:  # implicit aspect: the opinion decides, a general verdict is outside ours
        return tmap.lookup("acos_opinion", opinion) or tmap.lookup("acos_implicit", opinion)
    aspect = tmap.lookup("acos", term)
    return tmap.lookup("acos_opinion", opinion) if aspect == "@opinion" else aspect


def acos_items(path: Path, source: str, tmap: TermMap, limit: int | None = None) -> Loaded:
    """acos_zh lines: space-separated characters, ``####``, ((aspect), (opinion), polarity) triples."""
    out = Loaded()
    for line in path.read_text(encoding="utf-8").splitlines()[:limit]:
        raw, _, triples = line.partition("####")
        chars = raw.split()
        text = "".join(chars)
        starts = np.cumsum([0] + [len(c) for c in chars])
        hits: list[tuple[int, str, str]] = []
        ok = True
        for (s, e), (os_, oe), _pol in ast.literal_eval(triples):
            term = "".join(chars[s:e + 1]) if s >= 0 else None
            opinion = "".join(chars[os_:oe + 1]) if os_ >= 0 else ""
            aspect = _acos_aspect(tmap, term, opinion)
            if aspect is None or aspect == "@opinion":
                ok = False
                break
            at = int(starts[s]) if s >= 0 else (int(starts[os_]) if os_ >= 0 else 0)
            hits.append((at, term or opinion, aspect))
        item = _item(source, text, hits) if ok and text else None
        if item is None:
            out.dropped += 1
        else:
            out.items.append(item)
    return out


def labelled_clauses(path: Path, source: str) -> Loaded:
    """data/aspects/*.tsv with columns text, aspects (``;``-joined, empty for none): one
    item per row; a row of several clauses carries its aspects on every clause (the
    hand-written training clauses are written one clause per row)."""
    out = Loaded()
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"):
            text = (row.get("text") or "").strip()
            if not text:
                continue
            aspects = {a.strip() for a in (row.get("aspects") or "").split(";") if a.strip()}
            clauses = split_clauses(text) or [text]
            if len(clauses) > 1:  # the aspects belong to the review, not to each clause
                out.items.append(Item(source, text, [text], [aspects]))
            else:
                out.items.append(Item(source, text, clauses, [aspects]))
    return out


def public_sets(split: str, tmap: TermMap | None = None) -> dict[str, Loaded]:
    """The mapped public sets of one split: "train" (absa *.train, acos train), "dev" (acos
    dev) or "test" (absa *.test / Test_Gold, acos test)."""
    tmap = tmap or TermMap()
    out: dict[str, Loaded] = {}
    if split in ("train", "test"):
        for d in ABSA_DOMAINS:
            out[f"{d}.{split}"] = absa_items(SHARED / "absa_zh" / f"{d}.{split}.txt", d, f"{d}.{split}", tmap)
        name = "Menstshirt_Train.xml.seg" if split == "train" else "Menstshirt_Test_Gold.xml.seg"
        out[f"tshirt_en.{split}"] = absa_items(SHARED / "absa_en" / name, "tshirt", f"tshirt_en.{split}", tmap,
                                               zh=False)
    out[f"acos.{split}"] = acos_items(SHARED / "acos_zh" / f"{split}.txt", f"acos.{split}", tmap)
    return out
