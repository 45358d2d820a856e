"""The learnt clause-level aspect classifier: finds aspects a clause names without a lexicon
term ("太薄了" -> quality, "两天就到了" -> logistics, "洗完头发粘粘的" -> effect).

It sits next to the editable lexicon (``aspects.py``), never instead of it: analysis gives
a clause an aspect when the lexicon finds a term OR this classifier is confident
(``AspectClassifier.detect``). Multi-label, one-vs-rest logistic regression over the
clause's character 1-3-grams (hashed sublinear TF-IDF, the features of ``core.ngram``),
optionally plus the sentiment model's sentence embedding of the clause; a per-aspect
threshold tuned on validation data. Inference is plain numpy: no scikit-learn, no torch.

Files (``resources/aspect_model.npz`` + ``resources/aspect_model.json``), built by
``python -m core.modelbuild.aspects``:

* npz (``schema_version`` 1): ``aspects`` (str), ``bits``, ``max_n``, ``idf`` (float32,
  2**bits), ``w_ngram`` (float16, aspects x 2**bits), ``bias`` (float32), ``thresholds``
  (float32), and, when the model reads embeddings, ``w_emb`` (float32, aspects x hidden).
* json: ``schema_version``, ``sha256`` of the npz (checked at load), ``aspects``,
  ``thresholds``, ``embedding_model`` (the sentiment model version whose embeddings the
  weights were trained on, or null), data and metrics. A weights file that does not match
  its manifest is refused with a one-line ``UserError``.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from core.errors import UserError
from core.ngram import featurize
from core.paths import resource_root

SCHEMA_VERSION = 1
WEIGHTS = "aspect_model.npz"
MANIFEST = "aspect_model.json"


def shipped_model_path() -> Path:
    return resource_root() / "resources" / WEIGHTS


@dataclass
class AspectClassifier:
    aspects: tuple[str, ...]
    bits: int
    max_n: int
    idf: np.ndarray
    w_ngram: np.ndarray  # (aspects, 2**bits)
    bias: np.ndarray
    thresholds: np.ndarray
    w_emb: np.ndarray | None = None  # (aspects, hidden); None: n-grams only
    manifest: dict = field(default_factory=dict)

    @property
    def uses_embeddings(self) -> bool:
        return self.w_emb is not None

    def logits(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """(len(texts), aspects) scores; ``embeddings`` (the engine's, one row per text) is
        required when the model reads them and ignored otherwise."""
        indptr, indices, values = featurize(texts, bits=self.bits, max_n=self.max_n, idf=self.idf)
        out = np.tile(self.bias.astype(np.float32), (len(texts), 1))
        if len(indices):
            contrib = self.w_ngram[:, indices].astype(np.float32) * values
            starts = indptr[:-1]
            nonempty = indptr[1:] > starts
            sums = np.add.reduceat(contrib, starts[nonempty].clip(max=len(indices) - 1), axis=1)
            out[nonempty] += sums.T
        if self.w_emb is not None:
            if embeddings is None or len(embeddings) != len(texts):
                raise ValueError("this aspect model needs one embedding per clause")
            out += embedding_features(embeddings) @ self.w_emb.T
        return out

    def probs(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(texts, embeddings)))

    def detect(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> list[list[tuple[str, float]]]:
        """Per text, the (aspect, probability) pairs at or above the aspect's threshold."""
        if not len(texts):
            return []
        p = self.probs(texts, embeddings)
        hits = p >= self.thresholds[None, :]
        return [[(self.aspects[k], float(p[i, k])) for k in np.flatnonzero(hits[i])] for i in range(len(texts))]


def embedding_features(embeddings: np.ndarray) -> np.ndarray:
    e = np.asarray(embeddings, np.float32)
    return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_aspect_model(path: Path | str | None = None) -> AspectClassifier:
    """Read the weights (default: the shipped ones) and check them against their manifest."""
    path = Path(path) if path is not None else shipped_model_path()
    man_path = path.with_suffix(".json")
    try:
        manifest = json.loads(man_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"Aspect model manifest {man_path} cannot be read ({exc}): reinstall ReviewLens.") from None
    if int(manifest.get("schema_version", 0)) > SCHEMA_VERSION:
        raise UserError(f"Aspect model {man_path} has schema_version {manifest.get('schema_version')}: "
                        "update ReviewLens.")
    if not path.is_file() or _sha256(path) != manifest.get("sha256"):
        raise UserError(f"Aspect model file {path} is missing, corrupt or modified (sha256 mismatch): "
                        "reinstall ReviewLens or rebuild it (python -m core.modelbuild.aspects).")
    with np.load(path, allow_pickle=False) as data:
        aspects = tuple(str(a) for a in data["aspects"])
        model = AspectClassifier(
            aspects=aspects, bits=int(data["bits"]), max_n=int(data["max_n"]), idf=data["idf"].astype(np.float32),
            w_ngram=data["w_ngram"], bias=data["bias"].astype(np.float32),
            thresholds=data["thresholds"].astype(np.float32),
            w_emb=data["w_emb"].astype(np.float32) if "w_emb" in data.files else None, manifest=manifest)
    if list(aspects) != list(manifest.get("aspects", [])):
        raise UserError(f"Aspect model {path} does not match its manifest's aspects: rebuild it.")
    return model


def save_aspect_model(model: AspectClassifier, path: Path, manifest: dict) -> dict:
    """Write the npz and its manifest (with the npz's sha256); returns the manifest."""
    arrays = dict(schema_version=np.int64(SCHEMA_VERSION), aspects=np.asarray(model.aspects),
                  bits=np.int64(model.bits), max_n=np.int64(model.max_n), idf=model.idf.astype(np.float32),
                  w_ngram=model.w_ngram.astype(np.float16), bias=model.bias.astype(np.float32),
                  thresholds=model.thresholds.astype(np.float32))
    if model.w_emb is not None:
        arrays["w_emb"] = model.w_emb.astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    manifest = dict(manifest, schema_version=SCHEMA_VERSION, sha256=_sha256(path), aspects=list(model.aspects),
                    thresholds={a: round(float(t), 4) for a, t in zip(model.aspects, model.thresholds)})
    path.with_suffix(".json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


_SHIPPED: dict[str, AspectClassifier] = {}


def shipped_aspect_model() -> AspectClassifier:
    """The bundled classifier, read once per process."""
    key = str(shipped_model_path())
    if key not in _SHIPPED:
        _SHIPPED[key] = load_aspect_model()
    return _SHIPPED[key]


# A shipped lexicon term counts only where the classifier gives its aspect at least this
# share of the aspect's threshold: "味" in a shampoo review, "包" of a dumpling, "服务" of a
# course are lexicon hits the classifier knows are not that aspect. Chosen on the build's
# validation split (acos dev + a fifth of the absa train sentences; lexicon-OR-classifier F1
# 0.842 at 0, 0.858 at 0.05, 0.864 at 0.1, 0.868 at 0.2-0.3): the smallest gate within half a
# point of the best (BENCHMARKS.md, "aspect detection"). The owner's own terms are never gated,
# nor are English clauses (the classifier's English comes from T-shirt reviews alone: it gives
# "Shipping was slow" 0.002 logistics) or aspects whose threshold was not tuned on validation
# data (too few examples: installation, battery).
LEXICON_GATE = 0.1
GATED_LANGUAGES = ("zh",)


def implicit_aspects(model: AspectClassifier, clause_lists: Sequence[Sequence[str]],
                     embeddings: np.ndarray | None = None) -> list[list[list[str]]]:
    """Per review, per clause, the aspects the classifier finds (one batched call over every
    clause; ``embeddings``: one row per clause, in the same flat order, when the model reads
    them)."""
    return [[found for found, _out in review] for review in judge_clauses(model, clause_lists, embeddings)]


def judge_clauses(model: AspectClassifier, clause_lists: Sequence[Sequence[str]],
                  embeddings: np.ndarray | None = None) -> list[list[tuple[list[str], frozenset[str]]]]:
    """Per review, per clause: (the aspects the classifier finds, the aspects it rules out:
    probability below ``LEXICON_GATE`` x the aspect's tuned threshold). Callers apply the
    ruling to clauses in ``GATED_LANGUAGES`` only."""
    flat = [c for clauses in clause_lists for c in clauses]
    if not flat:
        return [[] for _ in clause_lists]
    p = model.probs(flat, embeddings)
    found = p >= model.thresholds[None, :]
    tuned = np.asarray([a in (model.manifest.get("validation") or {}) for a in model.aspects])
    ruled_out = (p < LEXICON_GATE * model.thresholds[None, :]) & tuned[None, :]
    names = np.asarray(model.aspects, dtype=object)
    out, pos = [], 0
    for clauses in clause_lists:
        out.append([(list(names[found[i]]), frozenset(names[ruled_out[i]]))
                    for i in range(pos, pos + len(clauses))])
        pos += len(clauses)
    return out


