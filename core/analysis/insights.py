"""Assemble every analysis over one ReviewTable: ``analyze_table(table, engine) -> Insights``.

Stages (one way, each over plain values):

1. skip: empty text ("empty"), platform default texts ("placeholder"), text with no
   letters or Han characters, e.g. "。。。" or "12345" ("non_text"). Skipped rows stay in
   the per-review table, in input order, with an empty sentiment.
   Duplicates (exact or near, ``core.text.duplicate_groups``) ARE analysed and counted
   (each is a customer's review; copy-paste spam is rarer than repeat buyers writing
   "很好"), and flagged with ``duplicate_of`` (the first row's number).
2. sentiment + embeddings: one engine pass over the unique analysed texts (cached by text).
3. aspects: clauses (``split_clauses``) with a lexicon term or an aspect the learnt clause
   classifier finds (``aspect_model.py``: "太薄了" is quality); a multi-clause review scores
   every clause (topics need each clause's own sentiment) in ONE batched engine call over
   all reviews; an aspect clause's probabilities are blended with the review's
   probabilities (``aspects.resolve_polarity``); a one-clause review reuses the review's
   prediction.
4. intents: rules OR seed-trained head over the embeddings, or rules OR the owner's
   trained intents model when one is active (``intents.py``); then one ``task:<name>``
   column per active custom-task model (``core.task_models``).
5. aggregates: keywords, topics, trends, products, mismatches, what-to-fix, requests
   (``summary.py``).

Memory: per unique text we keep 3 probabilities and a float16 embedding (768 bytes), so
100k reviews stay well under 1.5 GB.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.analysis import aspects as asp
from core.analysis.aspect_model import implicit_aspects, shipped_aspect_model
from core.analysis.intents import IntentClassifier, load_intent_classifier
from core.jobs import CancelToken, Progress, wrap_progress

if TYPE_CHECKING:
    from core.engine import Engine
    from core.importer import ReviewTable

SKIP_REASONS = ("empty", "placeholder", "non_text")
_HAS_WORD = re.compile(r"[^\W\d_]")  # any letter or Han character


@dataclass
class Insights:
    """Everything the report and the GUI show. ``reviews`` is in input order, one row per
    input data row; the other tables are aggregates (see ``summary.py``)."""

    reviews: pd.DataFrame
    mentions: pd.DataFrame
    aspects: pd.DataFrame = field(default_factory=pd.DataFrame)
    keywords: dict = field(default_factory=dict)  # sentiment -> [(term, score)]
    aspect_keywords: dict = field(default_factory=dict)  # aspect -> [(term, score)]
    topics: pd.DataFrame = field(default_factory=pd.DataFrame)
    trend_week: pd.DataFrame = field(default_factory=pd.DataFrame)
    trend_month: pd.DataFrame = field(default_factory=pd.DataFrame)
    aspect_trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    products: pd.DataFrame | None = None
    mismatches: pd.DataFrame = field(default_factory=pd.DataFrame)
    fix_list: pd.DataFrame = field(default_factory=pd.DataFrame)
    requests: pd.DataFrame = field(default_factory=pd.DataFrame)
    method: dict = field(default_factory=dict)
    aspect_names: dict = field(default_factory=dict)  # aspect -> {"zh":..., "en":...}

    @property
    def analysed(self) -> pd.DataFrame:
        return self.reviews[self.reviews["skipped"] == ""]

    def sentiment_counts(self) -> dict[str, int]:
        counts = self.analysed["sentiment"].value_counts()
        return {s: int(counts.get(s, 0)) for s in ("positive", "neutral", "negative")}

    def results_frame(self) -> pd.DataFrame:
        """The per-review table as exported to CSV (no embeddings, no internals)."""
        cols = ["row", "text", "sentiment", "sentiment_confidence", "aspects", "intents", "skipped", "language",
                "duplicate_of", "product", "date", "rating", "mismatch", "followup", "followup_sentiment", "reply"]
        tasks = [c for c in self.reviews.columns if str(c).startswith("task:")]
        last = ["topic"] if "topic" in self.reviews.columns else []  # issue 16: after every older column
        return self.reviews[[c for c in cols if c in self.reviews.columns] + tasks + last]


def skip_reason(text: str, *, placeholder) -> str:
    if not text.strip():
        return "empty"
    if placeholder(text):
        return "placeholder"
    if not _HAS_WORD.search(text):
        return "non_text"
    return ""


def _predict_unique(engine: Engine, texts: list[str], *, with_embeddings: bool, progress: Progress,
                    cancel: CancelToken | None) -> tuple[np.ndarray, np.ndarray | None]:
    probs = np.zeros((len(texts), len(engine.labels)), np.float32)
    emb = None
    pos = 0
    for part in engine.iter_predict(texts, with_embeddings=with_embeddings, progress=progress, cancel=cancel,
                                    total=len(texts)):
        n = len(part)
        probs[pos:pos + n] = part.probs
        if with_embeddings and part.embeddings is not None:
            if emb is None:
                emb = np.zeros((len(texts), part.embeddings.shape[1]), np.float16)
            emb[pos:pos + n] = part.embeddings
        pos += n
    return probs, emb


def _predict_list(engine: Engine, texts: list[str], progress: Progress, cancel: CancelToken | None) -> np.ndarray:
    if not texts:
        return np.zeros((0, len(engine.labels)), np.float32)
    return engine.predict(texts, progress=progress, cancel=cancel).probs


def _clause_voice_probs(engine: Engine, clauses: list[str]) -> np.ndarray | None:
    """Sentiment of the opinion clauses that carry no aspect, for the topics' complaint and
    praise pools: the n-gram voice alone (numpy, ~5,000 clauses/s), not the transformer.
    Why: scoring every clause with the transformer made analysis 5x slower (56k clauses for
    10k reviews); a clause's pool needs its polarity, not the blend's last point. The voice
    is the engine's own, else the bundled model's (fast mode, an owner's retrained model);
    None (the review's sentiment stands in) when neither exists."""
    if not clauses:
        return None
    blend = getattr(engine, "_blend", None)
    voice = blend[0] if blend is not None else _bundled_ngram()
    return voice.probs(clauses) if voice is not None and tuple(voice.labels) == tuple(engine.labels) else None


def _bundled_ngram():
    from core.engine import bundled_model_dir
    from core.ngram import load_ngram

    path = bundled_model_dir() / "ngram.npz"
    try:
        return load_ngram(path) if path.is_file() else None
    except (OSError, ValueError, KeyError):
        return None


def followup_sentiment(followups: pd.Series, engine: Engine, cancel: CancelToken | None) -> np.ndarray:
    """Sentiment of each follow-up review (追评), "" where there is none.

    A follow-up is written after days of use and often turns a first "很好" into a
    complaint, so it is judged on its own, not folded into the first review."""
    from core.text import is_placeholder

    texts = followups.fillna("").astype(str).str.strip().tolist()
    wanted = sorted({t for t in texts if t and not is_placeholder(t)})
    out = np.full(len(texts), "", dtype=object)
    if wanted:
        labels = np.array(engine.labels, dtype=object)[engine.predict(wanted, cancel=cancel).probs.argmax(1)]
        by_text = dict(zip(wanted, labels))
        out[:] = [by_text.get(t, "") for t in texts]
    return out


def analyze_table(table: ReviewTable, engine: Engine, *, progress: Progress | None = None,
                  cancel: CancelToken | None = None, lexicon: asp.Lexicon | None = None,
                  intents: IntentClassifier | None = None, widen: bool = False,
                  task_models: list | None = None, store=None, aspect_detector=None) -> Insights:
    """Analyse every review of ``table`` with ``engine``; see the module docstring for stages.

    ``store``: the project's model store (``ModelStore(project=...)``); its active custom-task,
    aspects and intents models join the analysis. None (no project): the bundled model and
    the seed intents head only: a model trained for one project is never used silently for
    another. ``task_models``: explicit custom-task models instead (``[]`` for none). An
    ``aspects`` model among them (the owner's retrained aspect-polarity model) gives the
    polarity of every aspect mention. ``aspect_detector``: the learnt clause-level aspect
    classifier (``aspect_model.py``) that finds aspects named without a lexicon term; None:
    the shipped one; False: the lexicon alone.

    Checks ``cancel`` between stages and once per engine batch (raises ``Cancelled``).
    """
    from core.analysis.clause_topics import worth_scoring
    from core.analysis.summary import summarise
    from core.text import detect_language, duplicate_groups, is_placeholder, split_clauses

    started = time.perf_counter()
    say = progress or (lambda f, m: None)
    lexicon = lexicon or asp.load_lexicon()
    frame = table.frame.reset_index(drop=True)
    n = len(frame)
    raw = frame["text"].fillna("").astype(str).tolist()
    say(0.0, "Checking texts")
    skipped = [skip_reason(t, placeholder=is_placeholder) for t in raw]
    dup = duplicate_groups([t if s == "" else "" for t, s in zip(raw, skipped)])
    rows = frame["row"].to_numpy()
    duplicate_of = [int(rows[d]) if d is not None else None for d in dup]

    # unique analysed texts (the cache by text: duplicates cost nothing)
    uid_of: dict[str, int] = {}
    review_uid = np.full(n, -1, np.int64)
    for i, (t, s) in enumerate(zip(raw, skipped)):
        if not s:
            review_uid[i] = uid_of.setdefault(t.strip(), len(uid_of))
    unique = list(uid_of)
    if cancel is not None:
        cancel.check()

    want_emb = bool(getattr(engine, "_has_embedding", True))
    probs, emb = _predict_unique(engine, unique, with_embeddings=want_emb,
                                 progress=wrap_progress(progress, 0.02, 0.6), cancel=cancel)
    labels = list(engine.labels)
    langs = [detect_language(t) for t in unique]

    # aspects: candidate mentions, then one batched call for all multi-clause windows; each
    # mention's polarity blends its clause with the whole review (resolve_polarity)
    say(0.6, "Finding aspects")
    candidates: list[tuple] = []
    clause_uid: dict[str, int] = {}  # aspect windows: scored by the engine
    topic_uid: dict[str, int] = {}  # other opinion clauses: scored by the n-gram voice alone
    all_clauses: list[list[str]] = []  # reused for keywords (tokens per clause)
    clause_lists = [split_clauses(t) or [t] for t in unique]
    detector = shipped_aspect_model() if aspect_detector is None else aspect_detector
    implicit = implicit_aspects(detector, clause_lists) if detector else [None] * len(unique)
    for t, lang, clauses, hits in zip(unique, langs, clause_lists, implicit):
        all_clauses.append(clauses)
        found = asp.find_review_mentions(t, clauses, lang, lexicon, widen=widen, implicit=hits)
        multi = len(clauses) > 1
        if multi:
            for m in found:
                clause_uid.setdefault(m[5], len(clause_uid))
            for c in clauses:  # topics group opinion clauses by each clause's own sentiment
                if worth_scoring(c, lang):
                    topic_uid.setdefault(c, len(topic_uid))
        candidates.append((found, multi, clauses if (multi and found) else None))
    if cancel is not None:
        cancel.check()
    clause_texts = list(clause_uid)
    clause_probs = _predict_list(engine, clause_texts, wrap_progress(progress, 0.6, 0.7), cancel)
    topic_probs = _clause_voice_probs(engine, [c for c in topic_uid])
    if task_models is None and store is None:
        task_models = []
    elif task_models is None:
        from core.task_models import active_task_models

        task_models = active_task_models(store=store, device=engine.device_name, threads=engine.config.threads,
                                         tasks=None) + active_task_models(
            store=store, device=engine.device_name, threads=engine.config.threads, tasks=["aspects"])
    aspect_model = next((m for m in task_models if m.task == "aspects"), None)
    task_models = [m for m in task_models if m.task != "aspects"]
    owner_polarity: dict[str, tuple[str, float]] = {}
    if aspect_model is not None:
        # the owner's aspect model judges each mention by the text it was trained on: the
        # mention's clause (the whole review when it has one clause), see mention_examples
        needed = sorted({(w if multi else unique[u]) for u, (found, multi, _c) in enumerate(candidates)
                         for *_x, w in found})
        logits = aspect_model.logits(needed, cancel=cancel)
        if len(needed):
            z = np.exp(logits - logits.max(1, keepdims=True))
            z /= z.sum(1, keepdims=True)
            owner_polarity = {t: (aspect_model.labels[int(k)], float(z[i, k]))
                              for i, (t, k) in enumerate(zip(needed, z.argmax(1)))}
    mentions_per_uid: list[list[asp.AspectMention]] = []
    for u, (found, multi, clauses) in enumerate(candidates):
        out = []
        for aspect, term, s, e, ci, window in found:
            if owner_polarity:
                polarity, conf = owner_polarity[window if multi else unique[u]]
            elif multi:
                polarity, conf = asp.resolve_polarity(labels, clause_probs[clause_uid[window]], probs[u])
            else:
                polarity, conf = asp.resolve_polarity(labels, probs[u], probs[u])
            out.append(asp.AspectMention(aspect, term, window, polarity, conf, s, e))
        mentions_per_uid.append(out)

    say(0.8, "Classifying intents")
    if cancel is not None:
        cancel.check()
    classifier = intents or load_intent_classifier(engine, store=store)
    intent_lists = classifier.classify(unique, langs, emb.astype(np.float32) if emb is not None else None,
                                       probs, labels)

    # per-review table in input order
    has = review_uid >= 0
    uid_safe = np.where(has, review_uid, 0)
    top = probs.argmax(axis=1) if len(unique) else np.zeros(0, np.int64)
    sentiment = np.where(has, np.array(labels, dtype=object)[top[uid_safe]] if len(unique) else "", "")
    confidence = np.where(has, probs.max(axis=1)[uid_safe] if len(unique) else 0.0, np.nan)
    aspect_col = [asp.format_mentions(mentions_per_uid[u]) if u >= 0 else "" for u in review_uid]
    intent_col = [";".join(intent_lists[u]) if u >= 0 else "" for u in review_uid]
    reviews = pd.DataFrame({
        "row": frame["row"].to_numpy(),
        "text": raw,
        "sentiment": sentiment,
        "sentiment_confidence": np.round(confidence.astype(float), 4),
        "aspects": aspect_col,
        "intents": intent_col,
        "skipped": skipped,
        "language": [langs[u] if u >= 0 else "" for u in review_uid],
        "duplicate_of": pd.array(duplicate_of, dtype="Int64"),
        "product": frame.get("product", pd.Series([""] * n)).fillna("").astype(str).to_numpy(),
        "date": pd.to_datetime(frame.get("date", pd.Series([pd.NaT] * n)), errors="coerce").to_numpy(),
        "rating": pd.to_numeric(frame.get("rating", pd.Series([np.nan] * n)), errors="coerce").to_numpy(),
    })
    for extra in ("sku", "followup", "reply", "author", "order_id", "source_row"):
        if extra in frame.columns:
            reviews[extra] = frame[extra].to_numpy()
    if "followup" in frame.columns:
        reviews["followup_sentiment"] = followup_sentiment(reviews["followup"], engine, cancel)
    reviews["mismatch"] = mismatch_flags(reviews["rating"], reviews["sentiment"], reviews["sentiment_confidence"])
    if task_models:
        from core.task_models import add_task_columns

        say(0.82, "Custom tasks")
        add_task_columns(reviews, unique, review_uid, task_models, cancel=cancel)

    mention_rows = []
    row_numbers = reviews["row"].tolist()
    for i in np.flatnonzero(has).tolist():
        for m in mentions_per_uid[review_uid[i]]:
            mention_rows.append((i, row_numbers[i], m.aspect, m.term, m.clause, m.polarity,
                                 round(m.confidence, 4), m.start, m.end))
    mentions = pd.DataFrame(mention_rows, columns=["index", "row", "aspect", "term", "clause", "polarity",
                                                   "confidence", "start", "end"])

    say(0.85, "Keywords, topics and trends")
    insights = Insights(reviews=reviews, mentions=mentions,
                        aspect_names={a: lexicon.names.get(a, {}) for a in lexicon.aspects})
    clause_p = [np.stack([clause_probs[clause_uid[c]] if c in clause_uid else
                          topic_probs[topic_uid[c]] if (topic_probs is not None and c in topic_uid) else probs[u]
                          for c in cl])
                if len(cl) > 1 else probs[u:u + 1] for u, cl in enumerate(all_clauses)]
    summarise(insights, unique_texts=unique, review_uid=review_uid, embeddings=emb, langs=langs, cancel=cancel,
              clauses=all_clauses, clause_probs=clause_p, labels=labels)
    del all_clauses
    counts = {r: skipped.count(r) for r in SKIP_REASONS}
    elapsed = time.perf_counter() - started
    insights.method = {
        "model_version": engine.version, "provider": engine.provider, "device": engine.device_name,
        "analysed_at": pd.Timestamp.now().isoformat(timespec="seconds"),
        "source": str(getattr(table, "source", "")), "sheet": getattr(table, "sheet", None),
        "header_row": getattr(table, "header_row", None), "columns": dict(getattr(table, "columns", {}) or {}),
        "rows": n, "analysed": int(has.sum()), "skipped": counts, "duplicates": int(sum(d is not None for d in dup)),
        "unique_texts": len(unique), "clauses_scored": len(clause_texts),
        "intent_head": classifier.head.metrics if classifier.head is not None else None,
        "intent_model": getattr(classifier.model, "version", None),
        "task_models": {m.task: m.version for m in (task_models or []) + ([aspect_model] if aspect_model else [])},
        "seconds": round(elapsed, 2),
    }
    say(1.0, f"Analysed {int(has.sum()):,} reviews")
    return insights


def mismatch_flags(rating: pd.Series, sentiment: pd.Series, confidence: pd.Series, *,
                   min_confidence: float = 0.7) -> list[str]:
    """"high_rating_negative_text" (rating >= 4, text negative) or "low_rating_positive_text"
    (rating <= 2, text positive), when the model is at least ``min_confidence`` sure."""
    out = []
    for r, s, c in zip(rating.to_numpy(), sentiment.to_numpy(), confidence.to_numpy()):
        if r != r or not s or c != c or c < min_confidence:  # NaN checks
            out.append("")
        elif r >= 4 and s == "negative":
            out.append("high_rating_negative_text")
        elif r <= 2 and s == "positive":
            out.append("low_rating_positive_text")
        else:
            out.append("")
    return out
