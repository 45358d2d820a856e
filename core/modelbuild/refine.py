"""Build stage ``refine``: teach the distilled student what the shared data lacks (issue 15).

``python -m core.modelbuild.refine --work ../build_refine --base models/default --out ../build_refine/model``

The 3-layer student was distilled from the 12-layer teacher on the shared review sets; it
reads "送货速度太给力了，没有坏果" as a complaint and "Works as described" as negative, and
never says neutral on a plain statement. This stage fine-tunes it on the team's
hand-written reviews (``data/handwritten``: negation and contrast, fake goods, allergy,
leaking, installation fees, price drops, neutral statements, short everyday reviews, 50
product categories) mixed with a sample of the shared training data. On the shared texts
the loss keeps the student close to its own distilled predictions (half cross-entropy on
the label, half KL to the frozen original: learning without forgetting), so what it learnt
from the teacher stays; the hand-written texts use their labels alone. Embeddings stay
frozen. Then the usual export: ONNX, int8 per-channel, fp32-vs-int8 check, neutral offset
and temperature on the build's validation split, a model folder with every sha256.

Resumable (``train_loop`` checkpoints under ``--work``); never touches ``--base``.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from core.modelbuild.data import LABELS, NEU, Example, build_splits, norm_key

ENGLISH = ("absa_en", "vader_amazon", "vader_movie", "vader_tweets")


def log(msg: str) -> None:
    print(f"[refine {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def shared_sample(pool: list[Example], *, n_zh: int, n_en: int, n_neutral: int, seed: int) -> list[Example]:
    rng = random.Random(seed)
    neutral = [e for e in pool if e.label == NEU]
    en = [e for e in pool if e.label != NEU and e.source in ENGLISH]
    zh = [e for e in pool if e.label != NEU and e.source not in ENGLISH]
    for part in (neutral, en, zh):
        rng.shuffle(part)
    return neutral[:n_neutral] + en[:n_en] + zh[:n_zh]


def refine(*, work: Path, base: Path, out: Path, epochs: float = 2.0, lr: float = 4e-5, seed: int = 17,
           n_zh: int = 8000, n_en: int = 3000, n_neutral: int = 1500, hand_repeat: int = 2, kl: float = 0.5,
           data_dir: Path | None = None, threads: int = 2, max_examples: int | None = None) -> Path:
    from core.modelbuild.blend import evaluation_keys, load_handwritten

    work.mkdir(parents=True, exist_ok=True)
    splits = build_splits(work, data_dir)
    banned = evaluation_keys()
    pool = [e for e in splits.train + splits.extra if norm_key(e.text) not in banned]
    shared = shared_sample(pool, n_zh=n_zh, n_en=n_en, n_neutral=n_neutral, seed=seed)
    hand = [e for e in load_handwritten() if norm_key(e.text) not in banned]
    examples = shared + hand * hand_repeat
    if max_examples:
        examples = examples[:max_examples]
    log(f"{len(shared):,} shared + {len(hand):,} hand-written x{hand_repeat} = {len(examples):,} examples")
    recipe = {"epochs": epochs, "lr": lr, "seed": seed, "shared": len(shared), "handwritten": len(hand),
              "hand_repeat": hand_repeat, "loss": f"hand-written: CE; shared: {1 - kl:.2f} CE + {kl:.2f} KL to "
                                                  "the original student", "frozen": "embeddings"}
    return refine_examples(examples, splits.val, work=work, base=base, out=out, epochs=epochs, lr=lr, seed=seed,
                           kl=kl, threads=threads, recipe=recipe)


def refine_examples(examples: list[Example], val: list[Example], *, work: Path, base: Path, out: Path,
                    epochs: float, lr: float, seed: int, kl: float, threads: int, recipe: dict) -> Path:
    """Fine-tune ``base``'s student on ``examples`` (sources starting with "handwritten" get
    plain cross-entropy, the rest keep close to the original), export with ``val``."""
    import torch
    import torch.nn.functional as F
    from tokenizers import Tokenizer

    from core.modelbuild.build import BuildConfig, encode, predict_logits, train_loop
    from core.modelbuild.net import load_classifier

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    work.mkdir(parents=True, exist_ok=True)
    model, labels = load_classifier(base)
    assert list(labels) == list(LABELS), labels
    manifest = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
    max_length = int(manifest.get("max_length", 64))
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    ids = encode(tokenizer, [e.text for e in examples], max_length)
    original = torch.tensor(predict_logits(model, ids)[0])  # the distilled student's own view
    y = torch.tensor([e.label for e in examples])
    is_hand = torch.tensor([e.source.startswith("handwritten") for e in examples])
    for name, p in model.named_parameters():
        p.requires_grad = not name.startswith("bert.embeddings.")

    kl_weight = kl

    def loss_fn(logits, rows, _hidden, _mask):
        rows_t = torch.tensor(rows)
        ce = F.cross_entropy(logits, y[rows_t], reduction="none")
        kl = F.kl_div(F.log_softmax(logits, -1), F.softmax(original[rows_t], -1), reduction="none").sum(-1)
        hand_rows = is_hand[rows_t].float()
        return (hand_rows * ce + (1 - hand_rows) * ((1 - kl_weight) * ce + kl_weight * kl)).mean()

    cfg = BuildConfig()
    cfg.batch_size, cfg.seed, cfg.head_lr = 32, seed, 1e-3
    train_loop(model, ids, None, cfg=cfg, epochs=epochs, lr=lr, ckpt=work / "refine_ckpt", loss_fn=loss_fn)
    recipe = {**recipe, "base_version": manifest.get("version")}
    return export(model, tokenizer, val, base_manifest=manifest, out=out, recipe=recipe, work=work)


def export(model, tokenizer, val: list[Example], *, base_manifest: dict, out: Path, recipe: dict, work: Path) -> Path:
    import torch

    from core.model import sha256_file
    from core.modelbuild.build import (ece, encode, fit_neutral_offset, fit_temperature, onnx_logits, predict_logits,
                                       replace_folder)
    from core.modelbuild.net import export_onnx, quantize_int8, save_classifier

    max_length = int(base_manifest.get("max_length", 64))
    val_ids = encode(tokenizer, [e.text for e in val], max_length)
    val_y = np.array([e.label for e in val])
    offset = fit_neutral_offset(predict_logits(model, val_ids)[0], val_y)
    with torch.no_grad():
        model.head.bias[NEU] += offset
    stage = work / "export"
    stage.mkdir(parents=True, exist_ok=True)
    fp32 = export_onnx(model, stage / "model.fp32.onnx")
    int8 = quantize_int8(fp32, stage / "model.onnx")

    fp32_logits, int8_logits = onnx_logits(fp32, val_ids), onnx_logits(int8, val_ids)
    temperature = fit_temperature(int8_logits, val_y)
    z = int8_logits / temperature
    probs = np.exp(z - z.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    checks = {"val_examples": int(len(val_y)),
              "fp32_vs_int8_max_abs_logit_diff": float(np.abs(fp32_logits - int8_logits).max()),
              "fp32_vs_int8_argmax_agreement": float((fp32_logits.argmax(1) == int8_logits.argmax(1)).mean()),
              "val_accuracy_int8": float((int8_logits.argmax(1) == val_y).mean()),
              "temperature": temperature, "neutral_logit_offset": offset, "val_ece_calibrated": ece(probs, val_y)}
    log(f"export checks: {checks}")
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    shutil.copy2(int8, tmp / "model.onnx")
    tokenizer.save(str(tmp / "tokenizer.json"))
    save_classifier(model, tmp, labels=list(LABELS), fp16=True)
    # a blended base names its own student; this folder is a new student, named by "version"
    manifest = {k: v for k, v in base_manifest.items() if k not in ("blend", "files", "checks", "student_version")}
    manifest.update({"version": time.strftime("student-%Y%m%d-%H%M"), "temperature": temperature, "checks": checks,
                     "refine": recipe, "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
    manifest["files"] = {p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size} for p in sorted(tmp.iterdir())}
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    replace_folder(tmp, out)
    log(f"wrote {out} ({manifest['version']})")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("../build_refine"))
    ap.add_argument("--base", type=Path, default=Path("models/default"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--hand-repeat", type=int, default=2)
    ap.add_argument("--kl", type=float, default=0.5, help="weight of the KL-to-itself term on shared texts")
    ap.add_argument("--n-zh", type=int, default=8000, help="shared Chinese pos/neg examples mixed in")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-examples", type=int, default=None, help="cut the data (smoke runs)")
    args = ap.parse_args(argv)
    refine(work=args.work, base=args.base, out=args.out, epochs=args.epochs, lr=args.lr,
           hand_repeat=args.hand_repeat, kl=args.kl, n_zh=args.n_zh, threads=args.threads,
           max_examples=args.max_examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
