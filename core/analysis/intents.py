"""Review intents (multi-label): complaint, refund_return, question, suggestion, praise,
repurchase, logistics_problem.

Which classifier runs, first found first:

1. the owner's trained intents model, when the project has one active (``main.py train
   --task intents``, see ``core.training``): rules OR that model (its own per-label
   thresholds, no sentiment veto: it learnt from the owner's labels);
2. the shipped intent model (``intent_model.py``, ``resources/intents/intent_model.npz``,
   built by ``python -m core.modelbuild.intents`` from the hand-labelled intent reviews):
   character n-grams + the review's sentiment + the rule hits as features, per-intent
   thresholds; the rules are features there, not a final say (on held-out folds a rule
   deciding alone never beat the model);
3. the fallback when neither loads: rules (regex patterns per intent and language in
   ``resources/intents/rules.json``; a hit is final, minus the ``not`` patterns) OR a head,
   one-vs-rest logistic regression over the engine's sentence embeddings trained on the seed
   examples in ``resources/intents/seeds_{zh,en}.jsonl`` at load time (seconds), thresholds
   chosen by cross-validation on the seeds for the combined decision.

An ``IntentHead`` is saved as JSON (``schema_version`` 1), never pickled. The seed-trained
head is cached per model version and seed-file hash in the user data directory.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from core.analysis.intent_model import IntentModel, dense_features, load_intent_model
from core.errors import UserError
from core.paths import bundled_cache_dir, resource_root

INTENTS = ("complaint", "refund_return", "question", "suggestion", "praise", "repurchase", "logistics_problem")
SCHEMA_VERSION = 1
DEFAULT_THRESHOLD = 0.5
# A confident opposite sentiment vetoes the head (not the rules) for praise / complaint.
SENTIMENT_VETO = 0.8


def intents_dir() -> Path:
    return resource_root() / "resources" / "intents"


# -- rules ---------------------------------------------------------------------------
@dataclass
class IntentRules:
    """Compiled regex rules: intent -> lang -> patterns, plus ``not`` patterns that cancel a hit."""

    rules: dict[str, dict[str, list[re.Pattern]]]
    negations: dict[str, dict[str, list[re.Pattern]]] = field(default_factory=dict)

    def hits(self, text: str, lang: str) -> set[str]:
        lg = "zh" if lang == "zh" else "en"
        found = set()
        for intent, per_lang in self.rules.items():
            if any(p.search(text) for p in per_lang.get(lg, [])):
                if not any(p.search(text) for p in self.negations.get(intent, {}).get(lg, [])):
                    found.add(intent)
        return found


def load_rules(path: Path | None = None) -> IntentRules:
    path = path or intents_dir() / "rules.json"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"Intent rules {path} cannot be read ({exc}): fix the JSON or reinstall.") from None

    def compile_all(block: dict) -> dict[str, dict[str, list[re.Pattern]]]:
        out: dict[str, dict[str, list[re.Pattern]]] = {}
        for intent, per_lang in block.items():
            for lang, patterns in per_lang.items():
                try:
                    out.setdefault(intent, {})[lang] = [re.compile(p, re.IGNORECASE) for p in patterns]
                except re.error as exc:
                    raise UserError(f"Intent rules {path}: bad pattern for {intent}/{lang} ({exc}): fix it.") \
                        from None
        return out

    return IntentRules(rules=compile_all(data.get("rules", {})), negations=compile_all(data.get("not", {})))


def load_seeds(langs: Sequence[str] = ("zh", "en")) -> tuple[list[str], list[list[str]], list[str]]:
    """Seed examples: (texts, intent lists, language per text)."""
    texts, labels, languages = [], [], []
    for lang in langs:
        path = intents_dir() / f"seeds_{lang}.jsonl"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            item = json.loads(line)
            unknown = set(item["intents"]) - set(INTENTS)
            if unknown:
                raise UserError(f"Seed file {path} line {n}: unknown intent {sorted(unknown)}: use {INTENTS}.")
            texts.append(item["text"])
            labels.append(list(item["intents"]))
            languages.append(lang)
    return texts, labels, languages


def seeds_hash() -> str:
    digest = hashlib.sha256()
    for name in ("seeds_zh.jsonl", "seeds_en.jsonl", "rules.json"):
        digest.update((intents_dir() / name).read_bytes())
    return digest.hexdigest()[:16]


# -- head ----------------------------------------------------------------------------
def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-8)


@dataclass
class IntentHead:
    """One-vs-rest logistic regression over L2-normalised sentence embeddings."""

    intents: tuple[str, ...]
    coef: np.ndarray  # [k, hidden]
    intercept: np.ndarray  # [k]
    thresholds: np.ndarray  # [k]
    metrics: dict = field(default_factory=dict)

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        z = _normalise(embeddings) @ self.coef.T + self.intercept
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def to_dict(self) -> dict:
        return {"schema_version": SCHEMA_VERSION, "intents": list(self.intents),
                "coef": np.round(self.coef, 6).tolist(), "intercept": self.intercept.tolist(),
                "thresholds": self.thresholds.tolist(), "metrics": self.metrics}

    @classmethod
    def from_dict(cls, data: dict) -> IntentHead:
        if int(data.get("schema_version", 0)) > SCHEMA_VERSION:
            raise UserError(f"Intent head has schema_version {data.get('schema_version')}: update ReviewLens.")
        return cls(tuple(data["intents"]), np.asarray(data["coef"], np.float32),
                   np.asarray(data["intercept"], np.float32), np.asarray(data["thresholds"], np.float32),
                   dict(data.get("metrics", {})))

    def save(self, path: Path | str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".intent_head_", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: Path | str) -> IntentHead:
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            raise UserError(f"Intent head {path} cannot be read ({exc}): delete it to retrain.") from None


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float((y & pred).sum())
    denom = float(y.sum() + pred.sum())
    return 2 * tp / denom if denom else 1.0


def _fit_one(x: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(x, y)
    return model


def train_intent_head(texts: Sequence[str], label_sets: Sequence[Sequence[str]], embeddings: np.ndarray, *,
                      intents: Sequence[str] = INTENTS, langs: Sequence[str] | None = None,
                      rules: IntentRules | None = None, folds: int = 5, c: float = 4.0,
                      seed: int = 0) -> IntentHead:
    """Train the head and tune each intent's threshold by k-fold cross-validation.

    The threshold maximises out-of-fold F1 of the combined decision (rule hit OR prob >=
    threshold), so the head learns to add what the rules miss. ``metrics`` holds the
    out-of-fold F1 of rules alone, head alone (at 0.5) and the combination, per intent:
    cross-validation on the training examples, not a held-out test.
    """
    if len(texts) != len(label_sets) or len(texts) != len(embeddings):
        raise ValueError("texts, label_sets and embeddings must have the same length")
    x = _normalise(embeddings)
    langs = list(langs) if langs is not None else ["zh" if re.search(r"[\u4e00-\u9fff]", t) else "en" for t in texts]
    rules = rules or load_rules()
    rule_hits = [rules.hits(t, lg) for t, lg in zip(texts, langs)]
    rng = np.random.default_rng(seed)
    fold_of = rng.permutation(len(texts)) % max(2, folds)
    coef, intercept, thresholds, metrics = [], [], [], {}
    # 1.01 = "head off": where the rules alone do best, the head must not dilute them
    grid = np.append(np.round(np.arange(0.2, 0.95, 0.05), 2), 1.01)
    for intent in intents:
        y = np.array([intent in s for s in label_sets], dtype=bool)
        r = np.array([intent in h for h in rule_hits], dtype=bool)
        if y.sum() < 2 or (~y).sum() < 2:
            coef.append(np.zeros(x.shape[1], np.float32))
            intercept.append(-10.0)
            thresholds.append(1.0)
            metrics[intent] = {"support": int(y.sum()), "rules_f1": round(_f1(y, r), 3)}
            continue
        oof = np.zeros(len(texts), np.float32)
        for k in range(max(2, folds)):
            test = fold_of == k
            if y[~test].all() or not y[~test].any():
                continue
            oof[test] = _fit_one(x[~test], y[~test], c).predict_proba(x[test])[:, 1]
        scores = [_f1(y, r | (oof >= t)) for t in grid]
        best = float(grid[int(np.argmax(scores))])
        model = _fit_one(x, y, c)
        coef.append(model.coef_[0].astype(np.float32))
        intercept.append(float(model.intercept_[0]))
        thresholds.append(best)
        metrics[intent] = {"support": int(y.sum()), "threshold": best, "rules_f1": round(_f1(y, r), 3),
                           "head_f1": round(_f1(y, oof >= 0.5), 3), "combined_f1": round(max(scores), 3)}
    metrics["_note"] = f"{folds}-fold cross-validation on {len(texts)} training examples (not a held-out test)"
    return IntentHead(tuple(intents), np.vstack(coef), np.asarray(intercept, np.float32),
                      np.asarray(thresholds, np.float32), metrics)


# -- the classifier used by analysis --------------------------------------------------
@dataclass
class IntentClassifier:
    """The shipped intent model (``intent_model.py``: n-grams + sentiment + rule hits, learnt
    from hand-labelled reviews); or rules OR the owner's trained intents model (``model``, a
    ``core.model.TaskModel``); or, when neither loads, rules OR the seed head with a
    sentiment veto on the head for praise / complaint."""

    rules: IntentRules
    head: IntentHead | None
    model: object | None = None
    shipped: IntentModel | None = None

    def classify(self, texts: Sequence[str], langs: Sequence[str], embeddings: np.ndarray | None = None,
                 sentiment_probs: np.ndarray | None = None,
                 labels: Sequence[str] = ("negative", "neutral", "positive")) -> list[list[str]]:
        if self.shipped is not None and self.model is None and sentiment_probs is not None:
            return self._classify_shipped(texts, langs, sentiment_probs, labels)
        probs = self.head.predict_proba(embeddings) if (self.head is not None and embeddings is not None) else None
        trained = self.model.predict(list(texts)) if self.model is not None else None
        neg, pos = list(labels).index("negative"), list(labels).index("positive")
        out = []
        for i, (text, lang) in enumerate(zip(texts, langs)):
            found = self.rules.hits(text, lang)
            if trained is not None:
                found |= {intent for intent in trained[i] if intent in INTENTS}
            if probs is not None:
                for j, intent in enumerate(self.head.intents):
                    if intent in found or probs[i, j] < self.head.thresholds[j]:
                        continue
                    if sentiment_probs is not None:
                        if intent == "praise" and sentiment_probs[i, neg] >= SENTIMENT_VETO:
                            continue
                        if intent == "complaint" and sentiment_probs[i, pos] >= SENTIMENT_VETO:
                            continue
                        # "never buying again" sits close to "buying again" in embedding space;
                        # a rule still finds a real repurchase in a negative review ("第二次买了，这次很差")
                        if intent == "repurchase" and sentiment_probs[i, neg] >= SENTIMENT_VETO:
                            continue
                    found.add(intent)
            out.append([intent for intent in INTENTS if intent in found])
        return out

    def _classify_shipped(self, texts: Sequence[str], langs: Sequence[str], sentiment_probs: np.ndarray,
                          labels: Sequence[str]) -> list[list[str]]:
        hits = [self.rules.hits(t, lg) for t, lg in zip(texts, langs)]
        dense = dense_features(self.shipped.intents, sentiment_probs, labels, hits)
        found = self.shipped.decide(self.shipped.predict_proba(list(texts), dense), hits)
        return [[intent for intent in INTENTS if intent in f] for f in found]


def load_intent_classifier(engine=None, *, cache_dir: Path | None = None, use_trained: bool = True,
                           store=None, use_shipped: bool = True) -> IntentClassifier:
    """Rules plus the project's active intents model (``use_trained``; ``store`` is the
    project's model store, none without a project), else the shipped intent model
    (``use_shipped``), else rules plus the seed-trained head (cached per model version and
    seed hash).

    Without an engine (or a model without an embedding output) only the rules are used.
    """
    rules = load_rules()
    if use_trained:
        trained = _active_intents_model(engine, store)
        if trained is not None:
            return IntentClassifier(rules, None, trained)
    shipped = load_intent_model(intents_dir() / "intent_model.npz") if use_shipped else None
    if shipped is not None:
        return IntentClassifier(rules, None, shipped=shipped)
    if engine is None or not getattr(engine, "_has_embedding", True):
        return IntentClassifier(rules, None)
    from core.analysis.aspects import user_data_dir

    cache_dir = cache_dir or user_data_dir() / "cache"
    safe_version = re.sub(r"[^A-Za-z0-9_.-]", "_", engine.version)
    meta = (getattr(engine, "manifest", {}) or {}).get("files", {}).get("model.onnx", "")
    model_sha = (meta.get("sha256", "") if isinstance(meta, dict) else str(meta))[:8]
    path = Path(cache_dir) / f"intent_head_{safe_version}_{model_sha}_{seeds_hash()}.json"
    # the frozen build ships the head for its bundled model (same name: same model and seeds)
    for candidate in (path, bundled_cache_dir() / path.name):
        if candidate.is_file():
            try:
                return IntentClassifier(rules, IntentHead.load(candidate))
            except UserError:
                pass  # a broken cache is retrained below
    texts, labels, langs = load_seeds()
    emb = engine.predict(texts, with_embeddings=True).embeddings
    head = train_intent_head(texts, labels, emb, langs=langs, rules=rules)
    try:
        head.save(path)
    except OSError:
        pass  # read-only home: train again next time
    return IntentClassifier(rules, head)


def _active_intents_model(engine, store):
    """The project's active trained intents model, or None (no project, none trained, or it
    no longer loads)."""
    from core.model import load_task_model

    if store is None:
        return None
    try:
        path = store.active_dir("intents")
        if path is None:
            return None
        threads = getattr(getattr(engine, "config", None), "threads", None)
        model = load_task_model(path, device="cpu", threads=threads)
    except UserError:
        return None
    return model if model.multi_label and set(model.labels) <= set(INTENTS) else None


def format_intents(intents: Sequence[str]) -> str:
    return ";".join(intents)
