from __future__ import annotations

import numpy as np
import pytest

from core.training.active import (DUPLICATE_COSINE, classes_in_use, rating_text_mismatch, select_for_labeling,
                                  uncertainty)


def _margin(probs: np.ndarray) -> np.ndarray:
    top2 = np.sort(probs, axis=1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


def _data(n=2000, k=3, d=16, seed=0):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(k, 0.6), size=n)
    emb = rng.normal(size=(n, d))
    return probs, emb


def test_uncertainty_orders_rows():
    probs = np.array([[1.0, 0.0, 0.0], [0.6, 0.3, 0.1], [1 / 3, 1 / 3, 1 / 3]])
    u = uncertainty(probs)
    assert u[0] < u[1] < u[2]
    assert u[0] == pytest.approx(0.0, abs=1e-9) and u[2] == pytest.approx(1.0)


def test_picks_are_more_uncertain_than_random():
    probs, emb = _data()
    picks = select_for_labeling(probs, emb, n=30)
    assert len(picks) == len(set(picks)) == 30
    rng = np.random.default_rng(1)
    random_margins = [_margin(probs[rng.choice(len(probs), 30, replace=False)]).mean() for _ in range(20)]
    assert _margin(probs[picks]).mean() < 0.5 * np.mean(random_margins)


def test_near_duplicates_are_not_picked_twice():
    probs, emb = _data(n=500)
    rng = np.random.default_rng(3)
    copies = np.arange(20)
    emb[copies] = emb[0] + rng.normal(scale=1e-3, size=(20, emb.shape[1]))
    probs[copies] = [0.34, 0.33, 0.33]  # the most uncertain rows of all
    picks = select_for_labeling(probs, emb, n=25)
    assert len(set(picks) & set(copies.tolist())) == 1
    unit = emb[picks] / np.linalg.norm(emb[picks], axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -1)
    assert sims.max() < DUPLICATE_COSINE
    # without embeddings there is no way to tell copies apart: they win on uncertainty
    assert len(set(select_for_labeling(probs, None, n=25)) & set(copies.tolist())) > 1


def test_rating_text_mismatches_are_included():
    probs, emb = _data(n=1000)
    ratings = np.full(1000, 4.0)
    polarity = np.array(["positive"] * 1000, dtype=object)
    confident = np.flatnonzero(probs.max(axis=1) > 0.95)[:3]
    assert len(confident) == 3
    ratings[confident[0]], polarity[confident[0]] = 5, "negative"
    ratings[confident[1]], polarity[confident[1]] = 1, "positive"
    ratings[confident[2]], polarity[confident[2]] = 2, "positive"
    ratings[confident[2] + 1], polarity[confident[2] + 1] = 4, "negative"  # 4 stars: not a clear mismatch
    picks = select_for_labeling(probs, emb, n=20, ratings=ratings, predicted_polarity=polarity)
    assert set(confident.tolist()) <= set(picks[:3])
    plain = select_for_labeling(probs, emb, n=20)
    assert not set(confident.tolist()) & set(plain)


def test_mismatch_numbers_and_nan():
    m = rating_text_mismatch(np.array([5, 1, np.nan, 3, 5]), np.array([-1, 1, -1, -1, 1]))
    assert m.tolist() == [True, True, False, False, False]
    assert rating_text_mismatch(None, None) is None


def test_mismatches_take_at_most_a_quarter():
    probs, emb = _data(n=300)
    ratings = np.full(300, 5.0)
    polarity = np.array(["negative"] * 300)
    picks = select_for_labeling(probs, emb, n=12, ratings=ratings, predicted_polarity=polarity)
    assert len(picks) == 12
    # the first quarter are mismatches chosen for diversity, the rest by uncertainty
    assert _margin(probs[picks[3:]]).mean() < 0.5 * _margin(probs).mean()


def test_labeled_rows_are_skipped_and_n_is_capped():
    probs, emb = _data(n=50)
    labeled = np.zeros(50, bool)
    labeled[:45] = True
    picks = select_for_labeling(probs, emb, n=20, labeled_mask=labeled)
    assert sorted(picks) == list(range(45, 50))
    assert select_for_labeling(probs, emb, n=5, labeled_mask=np.ones(50, bool)) == []
    assert select_for_labeling(probs, emb, n=0) == []


def test_class_balance_follows_the_labels_given():
    rng = np.random.default_rng(5)
    n = 900
    probs = np.zeros((n, 3))
    # rows predicted positive (class 2) are the most uncertain, yet the owner has few negatives
    probs[:300] = [0.3, 0.05, 0.65]
    probs[300:600] = [0.75, 0.05, 0.2]
    probs[600:] = [0.1, 0.8, 0.1]  # "neutral" rows: the owner never uses neutral
    probs += rng.uniform(0, 0.01, size=probs.shape)
    probs /= probs.sum(axis=1, keepdims=True)
    emb = rng.normal(size=(n, 8))
    labels = np.full(n, -1)
    labels[:6] = 2  # six positives labelled
    labels[300:302] = 0  # two negatives labelled
    picks = select_for_labeling(probs, emb, n=8, labels=labels)
    restricted_pred = np.where(probs[picks, 0] > probs[picks, 2], 0, 2)
    # 2 vs 6 labels: the negative side gets picks until it catches up, then they alternate
    assert restricted_pred.tolist() == [0, 0, 0, 0, 0, 2, 0, 2]
    assert not set(picks) & set(np.flatnonzero(labels >= 0).tolist())


def test_uncertainty_is_measured_among_the_classes_in_use():
    probs = np.array([[0.05, 0.9, 0.05], [0.45, 0.1, 0.45], [0.2, 0.1, 0.7], [0.6, 0.1, 0.3]] * 50)
    emb = np.random.default_rng(0).normal(size=(len(probs), 8))
    labels = np.full(len(probs), -1)
    labels[2], labels[3] = 2, 0  # the owner labels positive and negative only
    picks = select_for_labeling(probs, emb, n=20, labels=labels)
    # sure-neutral rows are a coin toss between negative and positive for this owner; rows
    # 0.7/0.3 are not: they come last
    assert all(i % 4 in (0, 1) for i in picks)
    assert (classes := classes_in_use(labels, 3)).tolist() == [0, 2], classes
    assert classes_in_use(None, 3).tolist() == [0, 1, 2]


def test_deterministic_with_seed_and_binary_input():
    probs, emb = _data(n=400)
    assert select_for_labeling(probs, emb, n=15, seed=7) == select_for_labeling(probs, emb, n=15, seed=7)
    p1 = np.random.default_rng(0).uniform(size=200)
    picks = select_for_labeling(p1, None, n=10)
    assert np.abs(p1[picks] - 0.5).mean() < 0.1 < np.abs(p1 - 0.5).mean()
