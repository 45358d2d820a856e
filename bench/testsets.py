"""The sentiment test sets the accuracy benches share, drawn the same way in each of them
(bench_sentiment.py and bench_posneg.py must score the very same texts)."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from core.modelbuild.data import NEG, POS, Example, Splits


def posneg(probs: np.ndarray) -> np.ndarray:
    """The larger of the negative and positive scores: pos/neg only, never neutral."""
    return np.where(probs[:, POS] > probs[:, NEG], POS, NEG)


def teacher_folder(work: Path) -> Path | None:
    """A model build's final teacher stage folder (teacher2, else teacher), None without one."""
    return next((work / d for d in ("teacher2", "teacher") if (work / d / "student_config.json").exists()), None)


def load_teacher(work: Path, val: list[Example], max_length: int, *, threads: int = 2):
    """The build's fp32 teacher given the student's treatment: the same input cut and a
    neutral prior offset fitted on the validation split by the same procedure.
    Returns (folder, logits(texts) -> array, fitted neutral offset)."""
    import torch
    from tokenizers import Tokenizer

    from core.modelbuild.build import encode, fit_neutral_offset, predict_logits
    from core.modelbuild.net import load_classifier

    folder = teacher_folder(work)
    if folder is None:
        raise FileNotFoundError(f"{work} has no teacher2/ or teacher/ stage")
    torch.set_num_threads(threads)
    model, _ = load_classifier(folder)
    tok = Tokenizer.from_file(str(work / "vocab" / "tokenizer.json"))

    def logits(texts: list[str]) -> np.ndarray:
        return predict_logits(model, encode(tok, texts, max_length))[0]

    offset = fit_neutral_offset(logits([e.text for e in val]), np.asarray([e.label for e in val]))
    return folder, logits, offset


def teacher_probs(folder: Path, work: Path, texts: list[str], *, threads: int = 2) -> np.ndarray:
    """Probabilities of a torch teacher (a model-build stage folder) over ``texts``, read
    with the build's tokenizer at the student's input length (64)."""
    import torch
    from tokenizers import Tokenizer

    from core.modelbuild.build import encode, predict_logits
    from core.modelbuild.net import load_classifier

    torch.set_num_threads(threads)
    ids = encode(Tokenizer.from_file(str(work / "vocab" / "tokenizer.json")), texts, 64)
    logits = predict_logits(load_classifier(folder)[0], ids)[0]
    probs = np.exp(logits - logits.max(1, keepdims=True))
    return probs / probs.sum(1, keepdims=True)


def tfidf_baseline(train: list[Example]):
    """Character 1-3-gram TF-IDF + logistic regression on ``train`` (the baseline both
    bench_sentiment.py and bench_label_audit.py compare against)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True,
                                          max_features=400000),
                          LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced"))
    return model.fit([e.text for e in train], [e.label for e in train])


def sentiment_test_sets(splits: Splits, zh_sample: int) -> tuple[dict[str, list[Example]], random.Random]:
    """The held-out sets (水果 cut to ``zh_sample`` texts, the English pos/neg sets, and the
    mixed 3-way set in place of the neutral sentences), and the random generator after the
    draws: bench_sentiment.py draws its speed texts from it next."""
    rng = random.Random(7)
    tests = dict(splits.tests)
    zh = list(tests["zh_unseen_category"])  # a copy: ``splits`` keeps its order
    rng.shuffle(zh)
    tests["zh_unseen_category"] = zh[:zh_sample]
    neutral = tests.pop("neutral_3way")
    polar = [e for name in ("en_vader_amazon", "en_absa_tshirt") for e in tests[name]]
    rng.shuffle(polar)
    tests["mixed_3way"] = neutral + polar[: len(neutral)] + tests["zh_unseen_category"][: len(neutral)]
    return tests, rng
