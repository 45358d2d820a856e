"""``analyze_table(table, engine) -> Insights`` as a pipeline of named stages.

Each stage is a plain function over plain values, testable alone::

    table ──check_texts──> CheckedTexts      skip reasons per row (empty, placeholder, non_text, garbled)
          ──deduplicate──> UniqueTexts       distinct analysed texts; each row's text and duplicate
          ──score_sentiment──> Sentiment     one engine pass over the distinct texts
          ──find_aspects──> Aspects          clauses, their sentiment, aspect mentions and polarity
          ──classify_intents──> intents      rules OR a head / the owner's intents model
          ──score_custom_tasks──> columns    one ``task:<name>`` column per custom-task model
          ──assemble──> reviews, mentions    the per-review table in input order (with each follow-up
                                             review's own sentiment), one row per mention
          ──summarise_reviews──> Insights    keywords, topics, trends, products, fix list (summary.py)

Rules every stage keeps:

* Skipped rows stay in the per-review table, in input order, with an empty sentiment.
  Duplicates (exact or near, ``core.text.duplicate_groups``) ARE analysed and counted (each
  is a customer's review; copy-paste spam is rarer than repeat buyers writing "很好") and
  flagged with ``duplicate_of`` (the first row's number); the model sees each text once.
* Aspects: clauses (``split_clauses``) with a lexicon term or an aspect the learnt clause
  classifier finds (``aspect_model.py``: "太薄了" is quality); a multi-clause review scores
  every clause (topics need each clause's own sentiment) in ONE batched engine call over
  all reviews; an aspect clause's probabilities are blended with the review's
  (``aspects.resolve_polarity``); a one-clause review reuses the review's prediction. The
  owner's aspects model, when the project has one, decides the polarity instead.
* ``cancel`` is checked between stages and once per engine batch (raises ``Cancelled``).

Memory: per unique text we keep 3 probabilities and a float16 embedding (768 bytes), so
100k reviews stay well under 1.5 GB.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd

from core.analysis import aspects as asp
from core.analysis.aspect_model import GATED_LANGUAGES, AspectClassifier, judge_clauses, shipped_aspect_model
from core.analysis.clause_topics import worth_scoring
from core.analysis.insights import SKIP_REASONS, Insights, followup_sentiment, mismatch_flags, skip_reason
from core.analysis.intents import IntentClassifier, load_intent_classifier
from core.analysis.summary import summarise
from core.jobs import CancelToken, Progress, wrap_progress
from core.model import COLUMN_PREFIX, NOT_A_COLUMN, TaskModel, active_task_models
from core.text import detect_language, duplicate_groups, is_placeholder, split_clauses

if TYPE_CHECKING:
    from core.importing import ReviewTable
    from core.model import Engine, ModelStore

# Columns of the input table copied as they are into the per-review table, when present.
PASSTHROUGH = ("sku", "followup", "reply", "author", "order_id", "source_row")
MENTION_COLUMNS = ["index", "row", "aspect", "term", "clause", "polarity", "confidence", "start", "end"]


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.check()


# -- 1. check texts -------------------------------------------------------------------
@dataclass
class CheckedTexts:
    """Every input row's number, text ("" for a missing cell) and skip reason ("" = analysed)."""

    rows: np.ndarray
    texts: list[str]
    skipped: list[str]


def check_texts(frame: pd.DataFrame) -> CheckedTexts:
    """Which rows are analysed: empty, placeholder ("此用户没有填写评价") and non-text rows
    ("。。。", "12345") are skipped (``insights.skip_reason``)."""
    texts = frame["text"].fillna("").astype(str).tolist()
    return CheckedTexts(rows=frame["row"].to_numpy(), texts=texts,
                        skipped=[skip_reason(t, placeholder=is_placeholder) for t in texts])


# -- 2. deduplicate -------------------------------------------------------------------
@dataclass
class UniqueTexts:
    """The distinct analysed texts (stripped, in first-seen order) and how rows map onto them."""

    texts: list[str]
    review_uid: np.ndarray  # per row: its text's index in ``texts``, -1 for a skipped row
    duplicate_of: list[int | None]  # per row: the row number of the first of its (near) duplicates

    @property
    def analysed(self) -> np.ndarray:
        return self.review_uid >= 0

    @property
    def n_duplicates(self) -> int:
        return sum(d is not None for d in self.duplicate_of)


def deduplicate(checked: CheckedTexts) -> UniqueTexts:
    """Flag exact and near duplicates (``duplicate_groups``) and keep each distinct text
    once: the model scores a text once however many rows hold it."""
    dup = duplicate_groups([t if s == "" else "" for t, s in zip(checked.texts, checked.skipped)])
    duplicate_of = [int(checked.rows[d]) if d is not None else None for d in dup]
    uid_of: dict[str, int] = {}
    review_uid = np.full(len(checked.texts), -1, np.int64)
    for i, (t, s) in enumerate(zip(checked.texts, checked.skipped)):
        if not s:
            review_uid[i] = uid_of.setdefault(t.strip(), len(uid_of))
    return UniqueTexts(texts=list(uid_of), review_uid=review_uid, duplicate_of=duplicate_of)


# -- 3. sentiment ---------------------------------------------------------------------
@dataclass
class Sentiment:
    """The engine's reading of every distinct text (rows follow ``UniqueTexts.texts``)."""

    labels: list[str]
    probs: np.ndarray  # [texts, labels] float32, calibrated
    embeddings: np.ndarray | None  # [texts, hidden] float16, when the model has an embedding output
    langs: list[str]  # "zh" / "en" / "other"


def _predict_unique(engine: Engine, texts: list[str], *, with_embeddings: bool, progress: Progress | None,
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


def score_sentiment(engine: Engine, texts: list[str], *, progress: Progress | None = None,
                    cancel: CancelToken | None = None) -> Sentiment:
    """One streamed engine pass over the distinct texts; embeddings kept as float16."""
    want_emb = bool(getattr(engine, "_has_embedding", True))
    probs, emb = _predict_unique(engine, texts, with_embeddings=want_emb, progress=progress, cancel=cancel)
    return Sentiment(labels=list(engine.labels), probs=probs, embeddings=emb,
                     langs=[detect_language(t) for t in texts])


# -- 4. aspects -----------------------------------------------------------------------
@dataclass
class Aspects:
    """Every distinct text's clauses (the keywords and topics reuse them), their sentiment,
    and its aspect mentions."""

    mentions: list[list[asp.AspectMention]]
    clauses: list[list[str]]
    clause_probs: list[np.ndarray]  # per text: [clauses, labels]; a one-clause text: its own probabilities
    clauses_scored: int  # clauses the engine scored on their own (multi-clause reviews)


@dataclass
class _Candidates:
    """Mentions found in each text before their polarity is known, and the clauses to score."""

    found: list[list[tuple]]  # per text: (aspect, term, start, end, clause index, window)
    multi: list[bool]  # per text: more than one clause (its mentions are judged by their window)
    clauses: list[list[str]]
    windows: list[str]  # mention windows to score with the engine, each once, in first-seen order
    topic_clauses: list[str]  # other opinion clauses: scored by the n-gram voice (_clause_voice_probs)


def _candidate_mentions(texts: Sequence[str], langs: Sequence[str], lexicon: asp.Lexicon, *, widen: bool,
                        detector: AspectClassifier | None) -> _Candidates:
    clause_lists = [split_clauses(t) or [t] for t in texts]
    judged = judge_clauses(detector, clause_lists) if detector else [None] * len(texts)
    cand = _Candidates([], [], clause_lists, [], [])
    window_ids: dict[str, int] = {}
    topic_ids: dict[str, int] = {}
    for t, lang, clauses, per_clause in zip(texts, langs, clause_lists, judged):
        hits, vetoed = zip(*per_clause) if per_clause else (None, None)
        vetoed = vetoed if lang in GATED_LANGUAGES else None
        found = asp.find_review_mentions(t, clauses, lang, lexicon, widen=widen, implicit=hits, ruled_out=vetoed)
        multi = len(clauses) > 1
        if multi:
            for m in found:
                window_ids.setdefault(m[5], len(window_ids))
            for c in clauses:  # topics group opinion clauses by each clause's own sentiment
                if worth_scoring(c, lang):
                    topic_ids.setdefault(c, len(topic_ids))
        cand.found.append(found)
        cand.multi.append(multi)
    cand.windows = list(window_ids)
    cand.topic_clauses = [c for c in topic_ids if c not in window_ids]
    return cand


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


@lru_cache(maxsize=1)
def _bundled_ngram():  # read once per process, not per analysis
    from core.model import bundled_model_dir
    from core.ngram import load_ngram

    path = bundled_model_dir() / "ngram.npz"
    try:
        return load_ngram(path) if path.is_file() else None
    except (OSError, ValueError, KeyError):
        return None


def _owner_polarity(model: TaskModel, texts: Sequence[str], cand: _Candidates,
                    cancel: CancelToken | None) -> dict[str, tuple[str, float]]:
    """The owner's aspect model judges each mention by the text it was trained on: the
    mention's clause (the whole review when it has one clause), see ``mention_examples``."""
    needed = sorted({(w if multi else texts[u]) for u, (found, multi) in enumerate(zip(cand.found, cand.multi))
                     for *_x, w in found})
    logits = model.logits(needed, cancel=cancel)
    if not len(needed):
        return {}
    z = np.exp(logits - logits.max(1, keepdims=True))
    z /= z.sum(1, keepdims=True)
    return {t: (model.labels[int(k)], float(z[i, k])) for i, (t, k) in enumerate(zip(needed, z.argmax(1)))}


def find_aspects(engine: Engine, texts: list[str], sentiment: Sentiment, lexicon: asp.Lexicon, *,
                 widen: bool = False, aspect_model: TaskModel | None = None,
                 aspect_detector: AspectClassifier | bool | None = None, progress: Progress | None = None,
                 cancel: CancelToken | None = None) -> Aspects:
    """Mentions per clause (a lexicon term, or an aspect the clause classifier ``aspect_detector``
    finds: None the shipped one, False none); each mention's polarity blends its clause's
    sentiment (every multi-clause window scored in ONE batched call; the other opinion clauses
    by the n-gram voice) with the
    whole review's (``resolve_polarity``), or comes from the owner's aspect model when there is one."""
    detector = shipped_aspect_model() if aspect_detector is None else aspect_detector
    cand = _candidate_mentions(texts, sentiment.langs, lexicon, widen=widen, detector=detector)
    _check(cancel)
    window_uid = {w: i for i, w in enumerate(cand.windows)}
    window_probs = (engine.predict(cand.windows, progress=progress, cancel=cancel).probs if cand.windows
                    else np.zeros((0, len(engine.labels)), np.float32))
    topic_probs = _clause_voice_probs(engine, cand.topic_clauses)
    topic_uid = {c: i for i, c in enumerate(cand.topic_clauses)} if topic_probs is not None else {}
    owner = _owner_polarity(aspect_model, texts, cand, cancel) if aspect_model is not None else {}
    labels, probs = sentiment.labels, sentiment.probs
    mentions = []
    for u, (found, multi) in enumerate(zip(cand.found, cand.multi)):
        out = []
        for aspect, term, s, e, _ci, window in found:
            if owner:
                polarity, conf = owner[window if multi else texts[u]]
            elif multi:
                polarity, conf = asp.resolve_polarity(labels, window_probs[window_uid[window]], probs[u])
            else:
                polarity, conf = asp.resolve_polarity(labels, probs[u], probs[u])
            out.append(asp.AspectMention(aspect, term, window, polarity, conf, s, e))
        mentions.append(out)
    clause_probs = [np.stack([window_probs[window_uid[c]] if c in window_uid else
                              topic_probs[topic_uid[c]] if c in topic_uid else probs[u] for c in cl])
                    if len(cl) > 1 else probs[u:u + 1] for u, cl in enumerate(cand.clauses)]
    return Aspects(mentions=mentions, clauses=cand.clauses, clause_probs=clause_probs,
                   clauses_scored=len(cand.windows))


# -- 5. intents -----------------------------------------------------------------------
def classify_intents(classifier: IntentClassifier, texts: list[str], sentiment: Sentiment) -> list[list[str]]:
    """Intents of every distinct text: rules OR the head over the embeddings (with a sentiment
    veto), or rules OR the owner's intents model (``intents.py``)."""
    emb = sentiment.embeddings.astype(np.float32) if sentiment.embeddings is not None else None
    return classifier.classify(texts, sentiment.langs, emb, sentiment.probs, sentiment.labels)


# -- 6. custom tasks ------------------------------------------------------------------
def resolve_task_models(engine: Engine, task_models: list[TaskModel] | None,
                        store: ModelStore | None) -> tuple[TaskModel | None, list[TaskModel]]:
    """(the owner's aspects model or None, the other task models). Explicit ``task_models``
    win; else the project's active ones (``store``); without a project, none: a model
    trained for one project is never used silently for another."""
    if task_models is None and store is None:
        task_models = []
    elif task_models is None:
        task_models = active_task_models(store=store, device=engine.device_name, threads=engine.config.threads,
                                         tasks=None) + active_task_models(
            store=store, device=engine.device_name, threads=engine.config.threads, tasks=["aspects"])
    aspect_model = next((m for m in task_models if m.task == "aspects"), None)
    return aspect_model, [m for m in task_models if m.task != "aspects"]


def score_custom_tasks(models: Sequence[TaskModel], texts: list[str], *,
                       cancel: CancelToken | None = None) -> dict[str, list[str]]:
    """``task:<name>`` -> each distinct text's answer (labels joined by ';'), one column per
    custom-task model (built-in tasks are not columns: ``NOT_A_COLUMN``)."""
    columns = {}
    for model in models:
        if model.task in NOT_A_COLUMN:
            continue
        answers = model.predict(list(texts), cancel=cancel)
        columns[COLUMN_PREFIX + model.task] = [";".join(a) for a in answers]
    return columns


# -- 7. assemble ----------------------------------------------------------------------
def review_table(frame: pd.DataFrame, checked: CheckedTexts, unique: UniqueTexts, sentiment: Sentiment,
                 aspects: Aspects, intents: list[list[str]]) -> pd.DataFrame:
    """The per-review table in input order: one row per input row, skipped ones included."""
    n, review_uid, probs = len(frame), unique.review_uid, sentiment.probs
    has = unique.analysed
    uid_safe = np.where(has, review_uid, 0)
    top = probs.argmax(axis=1) if len(unique.texts) else np.zeros(0, np.int64)
    label = np.where(has, np.array(sentiment.labels, dtype=object)[top[uid_safe]] if len(unique.texts) else "", "")
    confidence = np.where(has, probs.max(axis=1)[uid_safe] if len(unique.texts) else 0.0, np.nan)
    reviews = pd.DataFrame({
        "row": checked.rows,
        "text": checked.texts,
        "sentiment": label,
        "sentiment_confidence": np.round(confidence.astype(float), 4),
        "aspects": [asp.format_mentions(aspects.mentions[u]) if u >= 0 else "" for u in review_uid],
        "intents": [";".join(intents[u]) if u >= 0 else "" for u in review_uid],
        "skipped": checked.skipped,
        "language": [sentiment.langs[u] if u >= 0 else "" for u in review_uid],
        "duplicate_of": pd.array(unique.duplicate_of, dtype="Int64"),
        "product": frame.get("product", pd.Series([""] * n)).fillna("").astype(str).to_numpy(),
        "date": pd.to_datetime(frame.get("date", pd.Series([pd.NaT] * n)), errors="coerce").to_numpy(),
        "rating": pd.to_numeric(frame.get("rating", pd.Series([np.nan] * n)), errors="coerce").to_numpy(),
    })
    for extra in PASSTHROUGH:
        if extra in frame.columns:
            reviews[extra] = frame[extra].to_numpy()
    return reviews


def mention_table(reviews: pd.DataFrame, unique: UniqueTexts, aspects: Aspects) -> pd.DataFrame:
    """One row per aspect mention of every analysed row (duplicates repeat their text's mentions)."""
    rows = []
    row_numbers = reviews["row"].tolist()
    for i in np.flatnonzero(unique.analysed).tolist():
        for m in aspects.mentions[unique.review_uid[i]]:
            rows.append((i, row_numbers[i], m.aspect, m.term, m.clause, m.polarity, round(m.confidence, 4),
                         m.start, m.end))
    return pd.DataFrame(rows, columns=MENTION_COLUMNS)


def assemble(frame: pd.DataFrame, checked: CheckedTexts, unique: UniqueTexts, sentiment: Sentiment,
             aspects: Aspects, intents: list[list[str]], task_columns: dict[str, list[str]],
             followups: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reviews, mentions): the per-review table with the follow-up's sentiment, the
    rating/text mismatch flag and the custom-task columns; the per-mention table."""
    reviews = review_table(frame, checked, unique, sentiment, aspects, intents)
    if followups is not None:
        reviews["followup_sentiment"] = followups
    reviews["mismatch"] = mismatch_flags(reviews["rating"], reviews["sentiment"], reviews["sentiment_confidence"])
    for column, answers in task_columns.items():
        reviews[column] = [answers[u] if u >= 0 else "" for u in unique.review_uid]
    return reviews, mention_table(reviews, unique, aspects)


# -- 8. summarise ---------------------------------------------------------------------
def summarise_reviews(reviews: pd.DataFrame, mentions: pd.DataFrame, unique: UniqueTexts, sentiment: Sentiment,
                      aspects: Aspects, lexicon: asp.Lexicon, *, cancel: CancelToken | None = None) -> Insights:
    """The Insights with every aggregate filled: keywords, topics, trends, products, fix list
    and requests (``summary.summarise``)."""
    insights = Insights(reviews=reviews, mentions=mentions,
                        aspect_names={a: lexicon.names.get(a, {}) for a in lexicon.aspects})
    summarise(insights, unique_texts=unique.texts, review_uid=unique.review_uid, embeddings=sentiment.embeddings,
              langs=sentiment.langs, cancel=cancel, clauses=aspects.clauses, clause_probs=aspects.clause_probs,
              labels=sentiment.labels)
    return insights


def analysis_method(table: ReviewTable, engine: Engine, checked: CheckedTexts, unique: UniqueTexts,
                    aspects: Aspects, classifier: IntentClassifier, task_models: list[TaskModel], *,
                    seconds: float) -> dict:
    """What the report's method sheet and the dashboard say about this run."""
    return {
        "model_version": engine.version, "provider": engine.provider, "device": engine.device_name,
        "analysed_at": pd.Timestamp.now().isoformat(timespec="seconds"),
        "source": str(getattr(table, "source", "")), "sheet": getattr(table, "sheet", None),
        "header_row": getattr(table, "header_row", None), "columns": dict(getattr(table, "columns", {}) or {}),
        "rows": len(checked.texts), "analysed": int(unique.analysed.sum()),
        "skipped": {r: checked.skipped.count(r) for r in SKIP_REASONS}, "duplicates": unique.n_duplicates,
        "unique_texts": len(unique.texts), "clauses_scored": aspects.clauses_scored,
        "intent_head": classifier.head.metrics if classifier.head is not None else None,
        "intent_model": getattr(classifier.model, "version", None),
        "task_models": {m.task: m.version for m in task_models},
        "seconds": round(seconds, 2),
    }


# -- the pipeline ---------------------------------------------------------------------
def analyze_table(table: ReviewTable, engine: Engine, *, progress: Progress | None = None,
                  cancel: CancelToken | None = None, lexicon: asp.Lexicon | None = None,
                  intents: IntentClassifier | None = None, widen: bool = False,
                  task_models: list | None = None, store: ModelStore | None = None,
                  aspect_detector: AspectClassifier | bool | None = None) -> Insights:
    """Analyse every review of ``table`` with ``engine``: the stages above, in order.

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
    started = time.perf_counter()
    say = progress or (lambda f, m: None)
    lexicon = lexicon or asp.load_lexicon()
    frame = table.frame.reset_index(drop=True)
    say(0.0, "Checking texts")
    checked = check_texts(frame)
    unique = deduplicate(checked)
    _check(cancel)
    sentiment = score_sentiment(engine, unique.texts, progress=wrap_progress(progress, 0.02, 0.6), cancel=cancel)
    aspect_model, column_models = resolve_task_models(engine, task_models, store)
    say(0.6, "Finding aspects")
    aspects = find_aspects(engine, unique.texts, sentiment, lexicon, widen=widen, aspect_model=aspect_model,
                           aspect_detector=aspect_detector, progress=wrap_progress(progress, 0.6, 0.7), cancel=cancel)
    say(0.8, "Classifying intents")
    _check(cancel)
    classifier = intents or load_intent_classifier(engine, store=store)
    intent_lists = classify_intents(classifier, unique.texts, sentiment)
    followups = followup_sentiment(frame["followup"], engine, cancel) if "followup" in frame.columns else None
    if column_models:
        say(0.82, "Custom tasks")
    task_columns = score_custom_tasks(column_models, unique.texts, cancel=cancel)
    reviews, mentions = assemble(frame, checked, unique, sentiment, aspects, intent_lists, task_columns, followups)
    say(0.85, "Keywords, topics and trends")
    insights = summarise_reviews(reviews, mentions, unique, sentiment, aspects, lexicon, cancel=cancel)
    insights.method = analysis_method(table, engine, checked, unique, aspects, classifier,
                                      column_models + ([aspect_model] if aspect_model else []),
                                      seconds=time.perf_counter() - started)
    say(1.0, f"Analysed {int(unique.analysed.sum()):,} reviews")
    return insights
