"""Aspect lexicon and aspect mentions (logistics, quality, price, ...).

The lexicon is data, not code: ``resources/aspects.json`` ships with the app and a user
file of the same shape (``aspects_user.json`` in the user data directory) is merged over
it, so a shop owner can add "面料" or "zipper" without touching code.

File format (``schema_version`` 1)::

    {"schema_version": 1,
     "aspects": {"logistics": {"name": {"zh": "物流", "en": "Shipping"},
                               "zh": ["物流", "快递"], "en": ["shipping", "delivery"]}}}

Merging adds terms (union, order kept) and new aspects; ``name`` entries override.

Polarity of a mention comes from the sentiment model run on the clause that contains the
term, blended with the whole review's (``resolve_polarity``); a review of one clause
reuses the review's prediction.
"""
from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from core.errors import UserError
from core.paths import resource_root

SCHEMA_VERSION = 1
LANGS = ("zh", "en")
USER_FILE = "aspects_user.json"
# Without a known term, a clause shorter than this (zh: Han characters, en: words) counts as
# bare: "做工" alone carries no opinion, "做工还行" does.
MIN_ZH_CHARS = 4
MIN_EN_WORDS = 3

_CJK = re.compile(r"[\u4e00-\u9fff]")
_ASCII_LETTER = re.compile(r"[a-z]", re.IGNORECASE).match  # what (?<![a-z]) means with IGNORECASE


def user_data_dir() -> Path:
    """Per-user data folder (REVIEWLENS_HOME overrides it)."""
    override = os.environ.get("REVIEWLENS_HOME")
    if override:
        return Path(override)
    if sys.platform.startswith("win"):
        return Path(os.environ.get("APPDATA", Path.home())) / "ReviewLens"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "ReviewLens"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "ReviewLens"


def shipped_lexicon_path() -> Path:
    return resource_root() / "resources" / "aspects.json"


def user_lexicon_path() -> Path:
    return user_data_dir() / USER_FILE


@dataclass(frozen=True)
class AspectMention:
    """One aspect term found in a review; start/end are character offsets in the review text."""

    aspect: str
    term: str
    clause: str
    polarity: str  # negative / neutral / positive
    confidence: float
    start: int
    end: int


@dataclass
class Lexicon:
    """Aspect → terms per language, with compiled matchers."""

    terms: dict[str, dict[str, list[str]]]
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    # lower-cased terms from the owner's file (or an extra file): never gated by the classifier
    owner_terms: frozenset[str] = frozenset()
    _matchers: dict[str, tuple[re.Pattern, dict[str, str]]] = field(default_factory=dict, repr=False)
    _indexes: dict[str, tuple[dict[str, str], dict[str, tuple[int, ...]]]] = field(default_factory=dict, repr=False)

    @property
    def aspects(self) -> list[str]:
        return list(self.terms)

    def display_name(self, aspect: str, lang: str = "zh") -> str:
        return self.names.get(aspect, {}).get(lang) or aspect

    def _matcher(self, lang: str) -> tuple[re.Pattern, dict[str, str]]:
        """The reference matcher (one regex alternation, longest term first); ``find`` uses
        ``_index`` instead and falls back to this for the rare text whose lower-casing changes
        its length (offsets would shift)."""
        if lang not in self._matchers:
            term_to_aspect: dict[str, str] = {}
            for aspect, per_lang in self.terms.items():
                for term in per_lang.get(lang, []):
                    term_to_aspect.setdefault(term.lower(), aspect)
            ordered = sorted(term_to_aspect, key=len, reverse=True)  # longest term wins at a position
            body = "|".join(re.escape(t) for t in ordered) or r"(?!x)x"
            pattern = rf"(?<![a-z])(?:{body})(?![a-z])" if lang == "en" else f"(?:{body})"
            self._matchers[lang] = (re.compile(pattern, re.IGNORECASE), term_to_aspect)
        return self._matchers[lang]

    def _index(self, lang: str) -> tuple[dict[str, str], dict[str, tuple[int, ...]]]:
        """(lower-cased term -> aspect, first character -> term lengths, longest first)."""
        if lang not in self._indexes:
            _, term_to_aspect = self._matcher(lang)
            lengths: dict[str, set[int]] = {}
            for term in term_to_aspect:
                if term:
                    lengths.setdefault(term[0], set()).add(len(term))
            self._indexes[lang] = (term_to_aspect, {c: tuple(sorted(ls, reverse=True)) for c, ls in lengths.items()})
        return self._indexes[lang]

    def _scan(self, low: str, lang: str) -> list[tuple[int, int, str]]:
        """Leftmost-longest, non-overlapping term matches: what the reference regex finds, in
        a dict lookup per candidate position instead of a 500-way alternation (10x faster)."""
        term_to_aspect, by_first = self._index(lang)
        out: list[tuple[int, int, str]] = []
        n, i = len(low), 0
        en = lang == "en"
        while i < n:
            lengths = by_first.get(low[i])
            if lengths is None or (en and i and _ASCII_LETTER(low[i - 1])):
                i += 1
                continue
            for ln in lengths:
                end = i + ln
                if end > n or low[i:end] not in term_to_aspect:
                    continue
                if en and end < n and _ASCII_LETTER(low[end]):
                    continue
                out.append((i, end, term_to_aspect[low[i:end]]))
                i = end
                break
            else:
                i += 1
        return out

    def find(self, text: str, lang: str) -> list[tuple[str, str, int, int]]:
        """(aspect, term, start, end) for each term in ``text``, left to right, non-overlapping.

        Chinese text is matched with both the Chinese and the English terms (brands and
        words like "logo" appear in Chinese reviews); other text with the English terms.
        Matching ignores case; an English term matches whole words only.
        """
        langs = ("zh", "en") if lang == "zh" or _CJK.search(text) else ("en",)
        low = text.lower()
        found: list[tuple[str, str, int, int]] = []
        taken: list[tuple[int, int]] = []
        for lg in langs:
            if len(low) == len(text):
                hits = self._scan(low, lg)
            else:  # rare: lower() changed the length ("İ"), so offsets need the regex
                pattern, term_to_aspect = self._matcher(lg)
                hits = [(m.start(), m.end(), term_to_aspect[m.group(0).lower()]) for m in pattern.finditer(text)]
            for s, e, aspect in hits:
                if any(s < te and ts < e for ts, te in taken):
                    continue
                taken.append((s, e))
                found.append((aspect, text[s:e], s, e))
        found.sort(key=lambda f: f[2])
        return found


def _read_lexicon_file(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"Aspect lexicon {path} does not exist: check the path.") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"Aspect lexicon {path} cannot be read ({exc}): fix the JSON or delete the file.") from None
    if not isinstance(data, dict) or not isinstance(data.get("aspects"), dict):
        raise UserError(f"Aspect lexicon {path} has no \"aspects\" object: see resources/aspects.json for the shape.")
    if int(data.get("schema_version", 1)) > SCHEMA_VERSION:
        raise UserError(f"Aspect lexicon {path} has schema_version {data['schema_version']}: update ReviewLens.")
    return data


def _merge(terms: dict, names: dict, data: dict, path: Path) -> set[str]:
    """Merge one lexicon file into ``terms``/``names``; returns its terms, lower-cased."""
    read: set[str] = set()
    for aspect, entry in data["aspects"].items():
        if not isinstance(entry, dict):
            raise UserError(f"Aspect lexicon {path}: aspect '{aspect}' must be an object with \"zh\"/\"en\" lists.")
        per_lang = terms.setdefault(str(aspect), {lg: [] for lg in LANGS})
        for lg in LANGS:
            for term in entry.get(lg, []) or []:
                term = str(term).strip()
                if not term:
                    continue
                read.add(term.lower())
                if term not in per_lang.setdefault(lg, []):
                    per_lang[lg].append(term)
        if isinstance(entry.get("name"), dict):
            names.setdefault(str(aspect), {}).update({k: str(v) for k, v in entry["name"].items()})
    return read


def load_lexicon(extra_path: Path | str | None = None) -> Lexicon:
    """The shipped lexicon, with the user's file (if any) and ``extra_path`` merged over it."""
    terms: dict[str, dict[str, list[str]]] = {}
    names: dict[str, dict[str, str]] = {}
    sources = [shipped_lexicon_path()]
    if user_lexicon_path().is_file():
        sources.append(user_lexicon_path())
    if extra_path is not None:
        sources.append(Path(extra_path))
    owner: set[str] = set()
    for k, path in enumerate(sources):
        read = _merge(terms, names, _read_lexicon_file(path), path)
        if k > 0:  # every file after the shipped one is the owner's
            owner |= read
    return Lexicon(terms=terms, names=names, owner_terms=frozenset(owner))


def add_term(aspect: str, term: str, lang: str) -> Path:
    """Add ``term`` to ``aspect`` in the user's lexicon file (created if missing). Returns its path."""
    if lang not in LANGS:
        raise UserError(f"Language '{lang}' is not supported for aspect terms: use zh or en.")
    aspect, term = aspect.strip(), term.strip()
    if not aspect or not term:
        raise UserError("Aspect and term must not be empty: type both.")
    path = user_lexicon_path()
    data = _read_lexicon_file(path) if path.is_file() else {"schema_version": SCHEMA_VERSION, "aspects": {}}
    entry = data["aspects"].setdefault(aspect, {})
    bucket = entry.setdefault(lang, [])
    if term not in bucket:
        bucket.append(term)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".aspects_", suffix=".json", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
    os.replace(tmp, path)  # never a half-written lexicon
    return path


def clause_offsets(text: str, clauses: list[str]) -> list[int]:
    """Start offset of each clause in ``text`` (clauses come in order; -1 when not found verbatim)."""
    offsets, pos = [], 0
    for clause in clauses:
        at = text.find(clause, pos) if clause else -1
        offsets.append(at)
        if at >= 0:
            pos = at + len(clause)
    return offsets


def is_bare(clause: str, term: str | None = None) -> bool:
    """True when a clause holds (almost) nothing but the aspect term, so it carries no opinion
    of its own: "质量" in "质量，很好", "the fit" in "the fit, perfect"."""
    rest = clause.replace(term, " ", 1) if term and term in clause else clause
    if _CJK.search(clause):
        limit = 0 if term else MIN_ZH_CHARS - 1
        return len(_CJK.findall(rest)) <= limit
    words = re.findall(r"[A-Za-z']+", rest)
    return len(words) <= (1 if term else MIN_EN_WORDS - 1)


def mention_window(clauses: list[str], index: int, *, term: str | None = None, widen: bool = True) -> str:
    """The text whose sentiment decides a mention in ``clauses[index]``.

    With ``widen``, a bare clause (see ``is_bare``) is joined with the next clause (the
    previous one for the last clause): "质量，很好" splits into an aspect-only clause and
    an opinion.
    """
    clause = clauses[index]
    if not widen or len(clauses) < 2 or not is_bare(clause, term):
        return clause
    sep = "，" if _CJK.search(clause) else ", "
    if index + 1 < len(clauses):
        return clause + sep + clauses[index + 1]
    return clauses[index - 1] + sep + clause


def find_review_mentions(text: str, clauses: list[str], lang: str, lexicon: Lexicon, *,
                         widen: bool = False, implicit: Sequence[Sequence[str]] | None = None,
                         ruled_out: Sequence[frozenset[str]] | None = None,
                         ) -> list[tuple[str, str, int, int, int, str]]:
    """Candidate mentions before scoring: (aspect, term, start, end, clause index, window text).

    One mention per aspect per clause (the first term), so "物流快，快递小哥也好" counts
    logistics once for that clause. ``implicit`` (per clause, the aspects the learnt
    classifier found: ``aspect_model.AspectClassifier.detect``) adds an aspect the lexicon did
    not find in that clause as a mention without a term (``term`` is "", start/end span the
    whole clause: the clause is the evidence), so "太薄了" counts as quality. ``ruled_out``
    (per clause, the aspects the classifier gives almost no chance:
    ``aspect_model.judge_clauses``) drops a shipped lexicon term of such an aspect ("味" in
    "洗完头发没有味道" is not taste); the owner's own terms always count.
    """
    out = []
    offsets = clause_offsets(text, clauses)
    for i, clause in enumerate(clauses):
        seen: set[str] = set()
        base = offsets[i] if offsets[i] >= 0 else 0
        vetoed = ruled_out[i] if ruled_out is not None else frozenset()
        for aspect, term, s, e in lexicon.find(clause, lang):
            if aspect in seen or (aspect in vetoed and term.lower() not in lexicon.owner_terms):
                continue
            seen.add(aspect)
            out.append((aspect, term, base + s, base + e, i, mention_window(clauses, i, term=term, widen=widen)))
        for aspect in (implicit[i] if implicit is not None else ()):
            if aspect not in seen:
                seen.add(aspect)
                end = base + len(clause) if offsets[i] >= 0 else 0
                out.append((aspect, "", base, end, i, clause))
    return out


# Weight of the mention's clause against the whole review, chosen on the TRAIN files of
# absa_zh, acos_zh (dev) and absa_en by bench/tune_aspects.py (bench/bench_aspects.py prints
# the test figures): 0.4 beat clause-only, review-only and the older clause > next clause > review
# chain on average (train accuracy 0.858 vs 0.854 review-only, 0.818 chain).
CLAUSE_WEIGHT = 0.4


def resolve_polarity(labels: Sequence[str], clause_p: np.ndarray, review_p: np.ndarray,
                     clause_weight: float = CLAUSE_WEIGHT) -> tuple[str, float]:
    """Polarity of a mention: its clause's probabilities blended with the whole review's.

    The clause alone misreads Chinese reviews that name the aspect in one clause and judge
    it in the next ("巧克力千层这次终于有了，简直可爱"); the review alone misses mixed
    reviews ("物流很快，但是质量太差了"). The blend keeps both signals.
    """
    p = clause_weight * np.asarray(clause_p, dtype=np.float64) + (1 - clause_weight) * np.asarray(review_p)
    k = int(np.argmax(p))
    return labels[k], float(p[k])


def mention_examples(texts: Sequence[str], values: Sequence[str], lexicon: Lexicon | None = None,
                     ) -> tuple[list[str], list[str]]:
    """Training pairs for the aspect-polarity task from the owner's labels.

    Each label ``aspect:polarity`` on a review becomes (the text the model judges that
    mention by, polarity): the clause holding the aspect's first term, as analysis cuts it;
    the whole review when the lexicon finds no term of that aspect in it."""
    from core.text import detect_language, split_clauses

    lexicon = lexicon or load_lexicon()
    windows, polarities = [], []
    for text, value in zip(texts, values):
        aspect, _, polarity = str(value).rpartition(":")
        clauses = split_clauses(text) or [text]
        found = find_review_mentions(text, clauses, detect_language(text), lexicon) if len(clauses) > 1 else []
        windows.append(next((m[5] for m in found if m[0] == aspect), text))
        polarities.append(polarity)
    return windows, polarities


def format_mentions(mentions: list[AspectMention]) -> str:
    """"aspect:polarity;..." as written to the results table: each pair once, in the order
    first found (a review praising the quality in three clauses says quality:positive once)."""
    return ";".join(dict.fromkeys(f"{m.aspect}:{m.polarity}" for m in mentions))
