"""A character n-gram linear sentiment model: the second voice of the default model.

Why it exists: on reviews of product categories nobody trained on, the 3-layer transformer
alone lost to a character 1-3-gram TF-IDF + logistic regression (issue 15): the linear
model reads every character of a long review and many exact phrases (假货, 漏水, 安装费,
"works great") the small transformer blurs, while the transformer reads word order and
negation the linear model cannot. The default model blends the two (``core.blend``).

Features, the same function at training and at run time: the text is NFKC-normalised,
lower-cased and whitespace-collapsed, padded with one space at each end; every character
1-, 2- and 3-gram is hashed (crc32) into ``2**bits`` buckets; a bucket's weight is
``(1 + log tf) * idf``, L2-normalised per text (sublinear TF-IDF, as scikit-learn's
``TfidfVectorizer(sublinear_tf=True)``). Inference is plain numpy: no scikit-learn, no torch.

With ``words`` (the sentiment voice since schema 2), the Latin words of the text are hashed
too, one and two at a time, a word within three words after a negator marked ("not ~flimsy",
"doesn't ~work"): character 3-grams say little about English, where "one star", "stay away"
and "not flimsy" are word-level facts (bench: short English reviews 0.80 -> 0.89, negation
0.56 -> 0.72 for the n-gram voice alone; Chinese unchanged, it has no Latin words).

File format (``ngram.npz``): ``schema_version`` (2), ``bits``, ``max_n``, ``words`` (0/1;
absent in schema 1: 0), ``idf`` (float32, 2**bits), ``weight`` (float16, labels x 2**bits),
``bias`` (float32, labels), ``labels`` (str).
"""
from __future__ import annotations

import math
import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

SCHEMA_VERSION = 2
MAX_CHARS = 1000  # long reviews: head and tail, as the transformer sees them


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = " ".join(text.split())
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS * 3 // 4] + " " + text[-MAX_CHARS // 4:]
    return f" {text} "


_LATIN_WORD = re.compile(r"[a-z][a-z0-9']*|[.,;:!?()\u3002\uff0c\uff01\uff1f\uff1b]")
_NEGATORS = frozenset("not no never nothing none nobody nowhere neither nor without hardly barely cannot "
                      "dont doesnt didnt isnt wasnt arent werent wont wouldnt cant couldnt shouldnt havent hasnt"
                      .split())
NEGATION_SCOPE = 3  # words after a negator that it governs ("not at all ~flimsy" needs three)
_WORD_SALT = zlib.crc32(b"w")  # word grams never share a hash with character grams on purpose


def word_grams(normalised: str) -> list[str]:
    """Latin words and adjacent word pairs of a ``normalise``-d text, negation-marked; a
    punctuation mark ends a negation's scope and is never inside a pair."""
    grams: list[str] = []
    prev = ""
    scope = 0
    for w in _LATIN_WORD.findall(normalised.replace("\u2019", "'")):
        if not w[0].isalpha():
            prev, scope = "", 0
            continue
        if w in _NEGATORS or w.endswith("n't") or w.replace("'", "") in _NEGATORS:
            scope = NEGATION_SCOPE + 1
        elif scope > 0:
            w = "~" + w
        scope -= 1
        grams.append(w)
        if prev:
            grams.append(f"{prev} {w}")
        prev = w
    return grams


def hashed_counts(text: str, *, bits: int, max_n: int = 3, words: bool = False) -> dict[int, int]:
    """Bucket -> count of the text's character 1..max_n-grams (and word grams with ``words``)."""
    s = normalise(text)
    mask = (1 << bits) - 1
    counts: dict[int, int] = {}
    crc = zlib.crc32
    if words:
        for gram in word_grams(s):
            b = crc(gram.encode("utf-8"), _WORD_SALT) & mask
            counts[b] = counts.get(b, 0) + 1
    for n in range(1, max_n + 1):
        salt = n.to_bytes(1, "little")  # a 1-gram and a 2-gram never share a hash on purpose
        for i in range(len(s) - n + 1):
            gram = s[i:i + n]
            if not gram.strip():  # spaces only: says nothing
                continue
            b = crc(gram.encode("utf-8"), crc(salt)) & mask
            counts[b] = counts.get(b, 0) + 1
    return counts


def featurize(texts: Sequence[str], *, bits: int, max_n: int, idf: np.ndarray | None, words: bool = False
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR parts (indptr, indices, values) of the L2-normalised sublinear TF(-IDF) rows."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for text in texts:
        counts = hashed_counts(text, bits=bits, max_n=max_n, words=words)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        val = tf * idf[idx] if idf is not None else tf
        norm = math.sqrt(float(val @ val)) or 1.0
        indices.extend(idx.tolist())
        values.extend((val / norm).tolist())
        indptr.append(len(indices))
    return (np.asarray(indptr, np.int64), np.asarray(indices, np.int64), np.asarray(values, np.float32))


def add_sparse_scores(out: np.ndarray, weight: np.ndarray, rows: tuple[np.ndarray, np.ndarray, np.ndarray]
                      ) -> np.ndarray:
    """``out += X @ weight.T`` for the CSR rows of ``featurize`` (in place; returns ``out``)."""
    indptr, indices, values = rows
    if len(indices):
        contrib = weight[:, indices].astype(np.float32) * values  # (labels, nnz)
        starts = indptr[:-1]
        nonempty = indptr[1:] > starts
        sums = np.add.reduceat(contrib, starts[nonempty].clip(max=len(indices) - 1), axis=1)
        out[nonempty] += sums.T
    return out


@dataclass
class NgramModel:
    labels: tuple[str, ...]
    bits: int
    max_n: int
    idf: np.ndarray  # (2**bits,) float32
    weight: np.ndarray  # (labels, 2**bits) float16/32
    bias: np.ndarray  # (labels,) float32
    words: bool = False  # Latin word 1-2-grams too (schema 2)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        out = np.tile(self.bias.astype(np.float32), (len(texts), 1))
        rows = featurize(texts, bits=self.bits, max_n=self.max_n, idf=self.idf, words=self.words)
        return add_sparse_scores(out, self.weight, rows)

    def probs(self, texts: Sequence[str]) -> np.ndarray:
        z = self.logits(texts)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        np.savez_compressed(path, schema_version=np.int64(SCHEMA_VERSION), bits=np.int64(self.bits),
                            max_n=np.int64(self.max_n), words=np.int64(int(self.words)),
                            idf=self.idf.astype(np.float32),
                            weight=self.weight.astype(np.float16), bias=self.bias.astype(np.float32),
                            labels=np.asarray(self.labels))


def stack_features(p_student: np.ndarray, p_ngram: np.ndarray) -> np.ndarray:
    """The stacker's inputs: both voices' log-probabilities side by side."""
    eps = 1e-6
    return np.hstack([np.log(p_student + eps), np.log(p_ngram + eps)]).astype(np.float32)


def stacked_probs(p_student: np.ndarray, p_ngram: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The blend's probabilities: softmax(stack_features @ weight.T + bias) (core.modelbuild.blend fits it)."""
    z = stack_features(p_student, p_ngram) @ np.asarray(weight, np.float32).T + np.asarray(bias, np.float32)
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return (z / z.sum(axis=1, keepdims=True)).astype(np.float32)


def load_ngram(path: Path) -> NgramModel:
    with np.load(path, allow_pickle=False) as data:
        version = int(data["schema_version"])
        if version > SCHEMA_VERSION:
            raise ValueError(f"{path}: n-gram model schema {version} is newer than this ReviewLens reads")
        return NgramModel(labels=tuple(str(x) for x in data["labels"]), bits=int(data["bits"]),
                          max_n=int(data["max_n"]), idf=data["idf"].astype(np.float32),
                          weight=data["weight"], bias=data["bias"].astype(np.float32),
                          words=bool(int(data["words"])) if "words" in data.files else False)


def fit_idf(texts: Sequence[str], *, bits: int, max_n: int, min_df: int = 2, words: bool = False) -> np.ndarray:
    """Smoothed idf per bucket, ``log((1 + n) / (1 + df)) + 1``; 0 for buckets in fewer than
    ``min_df`` texts (rare buckets: noise, and they would only memorise the training set)."""
    df = np.zeros(1 << bits, np.float64)
    for t in texts:
        counts = hashed_counts(t, bits=bits, max_n=max_n, words=words)
        df[np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))] += 1
    idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
    idf[df < min_df] = 0.0
    return idf


def train_ngram(texts: Sequence[str], labels: Sequence[int], *, label_names: Sequence[str],
                weights: Sequence[float] | None = None, bits: int = 20, max_n: int = 3, c: float = 4.0,
                min_df: int = 2, words: bool = False) -> NgramModel:
    """Fit idf and a multinomial logistic regression (scikit-learn, training only)."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    size = 1 << bits
    n = len(texts)
    idf = fit_idf(texts, bits=bits, max_n=max_n, min_df=min_df, words=words)
    indptr, indices, values = featurize(texts, bits=bits, max_n=max_n, idf=idf, words=words)
    x = csr_matrix((values, indices, indptr), shape=(n, size))
    clf = LogisticRegression(max_iter=3000, C=c, class_weight="balanced")
    clf.fit(x, np.asarray(labels), sample_weight=None if weights is None else np.asarray(weights, np.float64))
    weight = np.zeros((len(label_names), size), np.float32)
    bias = np.zeros(len(label_names), np.float32)
    classes = list(clf.classes_)
    coef, intercept = clf.coef_, clf.intercept_
    if len(classes) == 2:  # binary: scikit-learn keeps one row for the second class
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.asarray([-intercept[0] / 2, intercept[0] / 2])
    for row, cls in enumerate(classes):
        weight[int(cls)] = coef[row]
        bias[int(cls)] = intercept[row]
    for cls in range(len(label_names)):  # a class never seen in training is never predicted
        if cls not in classes:
            bias[cls] = -30.0
    return NgramModel(labels=tuple(label_names), bits=bits, max_n=max_n, idf=idf.astype(np.float32),
                      weight=weight, bias=bias, words=words)
