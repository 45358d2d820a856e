"""Real (small) retraining runs on the bundled model: weights change, export, quantize, reload."""
from __future__ import annotations

import csv
import json
import random

import pytest

from core.errors import UserError
from core.jobs import Cancelled, CancelToken
from core.model import ModelStore, load_engine
from core.training import TrainConfig, TrainResult, should_activate, train_model, verdict
from tests.fixtures import fruit_rows

LABELS = ["negative", "neutral", "positive"]


def _fruit_reviews(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    rows = fruit_rows()
    random.Random(seed).shuffle(rows)
    rows = rows[:n]
    return [r["review"] for r in rows], ["positive" if r["label"] == "1" else "negative" for r in rows]


@pytest.fixture()
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    return ModelStore()


def test_quick_mode_trains_a_head_and_evaluates_both_models(tmp_path):
    texts, labels = _fruit_reviews(80)
    seen = []
    result = train_model(texts, labels, task="sentiment", label_names=LABELS, mode="quick",
                         staging_root=tmp_path, progress=lambda f, m: seen.append(f))
    assert result.evaluation == "held-out" and result.n_eval == 20
    assert result.metrics_current is not None and result.metrics_current["n"] == result.metrics_new["n"]
    assert 0.5 <= result.metrics_new["accuracy"] <= 1.0
    assert sum(map(sum, result.metrics_new["confusion"])) == 20
    assert seen[-1] == 1.0 and seen == sorted(seen)
    engine = load_engine(result.staging_dir, device="cpu")  # verified against its manifest
    assert (result.staging_dir / "head.json").exists()
    assert engine.predict(["太甜了，很新鲜，下次还买", "全烂了，臭的，差评"]).predicted == ["positive", "negative"]


def test_full_mode_changes_weights_exports_int8_and_reloads(tmp_path):
    from safetensors.torch import load_file

    from core.model import bundled_model_dir

    texts, labels = _fruit_reviews(48, seed=1)
    cfg = TrainConfig(mode="full", max_epochs=1, train_layers=1, batch_size=8, max_length=64, threads=2)
    result = train_model(texts, labels, task="sentiment", label_names=LABELS, mode="full", config=cfg,
                         staging_root=tmp_path)
    new = load_file(str(result.staging_dir / "student.safetensors"))
    old = load_file(str(bundled_model_dir() / "student.safetensors"))
    last = max(int(k.split(".")[3]) for k in old if k.startswith("bert.encoder.layer."))
    key = f"bert.encoder.layer.{last}.output.dense.weight"
    assert not (new[key] == old[key]).all()  # the top layer really trained
    assert (new["bert.embeddings.word_embeddings.weight"] == old["bert.embeddings.word_embeddings.weight"]).all()
    engine = load_engine(result.staging_dir, device="cpu")
    assert engine.predict(texts[:4]).probs.shape == (4, 3)
    import json

    manifest = json.loads((result.staging_dir / "manifest.json").read_text())
    assert manifest["metrics"]["int8_vs_fp32_agreement"] >= 0.8
    assert manifest["metrics"]["new"]["n"] == result.n_eval


def test_cancelled_training_leaves_the_store_untouched(tmp_path, store):
    texts, labels = _fruit_reviews(40, seed=2)
    token = CancelToken()

    def progress(fraction, message):
        if fraction > 0.3:
            token.cancel()

    before = (store.active_version(), [v.version for v in store.versions()])
    with pytest.raises(Cancelled):
        train_model(texts, labels, task="sentiment", label_names=LABELS, mode="full", staging_root=tmp_path,
                    config=TrainConfig(mode="full", max_epochs=2, train_layers=1, batch_size=8, max_length=64),
                    progress=progress, cancel=token)
    assert (store.active_version(), [v.version for v in store.versions()]) == before
    assert list(tmp_path.iterdir()) == []  # the staging folder was removed


def test_worse_model_is_not_activated_unless_forced(tmp_path):
    new = {"accuracy": 0.70, "macro_f1": 0.68}
    cur = {"accuracy": 0.90, "macro_f1": 0.89}
    text, better = verdict(new, cur, n_eval=120)
    assert not better and "worse" in text
    result = TrainResult(task="sentiment", mode="quick", labels=LABELS, metrics_new=new, metrics_current=cur,
                         verdict=text, better=better, staging_dir=tmp_path, n_train=300, n_eval=120, seconds=1.0,
                         evaluation="held-out")
    assert should_activate(result) is False
    assert should_activate(result, force=True) is True
    result.better = True
    assert should_activate(result, no_activate=True) is False


def test_bad_labels_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="at least two classes"):
        train_model(["好"] * 5, ["positive"] * 5, task="sentiment", label_names=LABELS, staging_root=tmp_path)
    with pytest.raises(UserError, match="not among"):
        train_model(["好", "差"], ["good", "bad"], task="sentiment", label_names=LABELS, staging_root=tmp_path)


# -- retraining you can trust (issue 17) ------------------------------------------------------
def test_twenty_labels_cannot_activate_and_say_how_many_more(tmp_path):
    texts, labels = _fruit_reviews(32, seed=5)
    texts += ["还没吃，先放着", "给我妈买的，还没收到"]  # two neutral labels: far too few
    labels += ["neutral", "neutral"]
    result = train_model(texts, labels, task="sentiment", label_names=LABELS, mode="quick", staging_root=tmp_path)
    assert not result.activatable
    assert result.missing["neutral"] == 18
    assert "18 more 'neutral'" in result.verdict
    assert not should_activate(result, force=True)  # not even when the owner insists


def test_held_out_reviews_are_stable_and_the_current_model_is_not_scored_on_its_training_set(tmp_path):
    from core.training.evaluation import hash_split, text_key

    texts, labels = _fruit_reviews(120, seed=2)
    tr1, held1 = hash_split(texts[:80], labels[:80], 0.25)
    tr2, held2 = hash_split(texts, labels, 0.25)
    first_held = {texts[i] for i in held1}
    # growing the label set keeps most earlier held-out reviews held out
    assert len(first_held & {texts[i] for i in held2}) >= 0.6 * len(first_held)
    first = train_model(texts[:80], labels[:80], task="sentiment", label_names=LABELS, mode="quick",
                        staging_root=tmp_path)
    manifest = json.loads((first.staging_dir / "manifest.json").read_text(encoding="utf-8"))
    trained_on = set(manifest["trained_on"])
    assert trained_on == {text_key(texts[i]) for i in tr1}
    second = train_model(texts, labels, task="sentiment", label_names=LABELS, mode="quick",
                         base_dir=first.staging_dir, staging_root=tmp_path)
    held_second = [texts[i] for i in held2]
    leaked = [t for t in held_second if text_key(t) in trained_on]
    assert second.n_compared == len(held_second) - len(leaked)
    assert second.metrics_current["n"] == second.n_compared
    if leaked:
        assert any("current model trained on them" in n for n in second.notes)


def test_a_small_difference_is_not_enough_evidence():
    from core.training import compare

    y = ["positive", "negative"] * 15
    current = list(y)
    new = list(y)
    new[0] = "negative"  # one review apart
    cmp = compare(y, new, current)
    assert cmp.outcome == "no_evidence" and cmp.low < 0 <= cmp.high
    text, better = verdict({"macro_f1": 0.97, "accuracy": 0.97}, {"macro_f1": 1.0, "accuracy": 1.0}, n_eval=30,
                           comparison=cmp)
    assert not better and text.startswith("Not enough evidence")
    clear = compare(y * 3, y * 3, ["positive"] * 90)
    assert clear.outcome == "better" and clear.low > 0
