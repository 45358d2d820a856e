"""Start-up caches of the analysis, built ahead of time for the frozen app.

Two things are slow the first time an analysis runs and are the same for every user of a
given build:

* jieba's prefix dictionary, built from its 349k-word ``dict.txt`` (seconds) and then kept as
  a marshal cache (``core.text.jieba_cache``: in ``<user data dir>/cache``, not in the temp
  folder the OS empties, so it is built once per PC, not once per reboot).
* the intent head trained on the seed examples for the bundled model (an engine pass over
  the seeds plus cross-validated logistic regressions, which also import scikit-learn).

``build.spec`` runs ``python -m core.analysis.prebuild OUT --model DIR`` and ships OUT as ``cache/`` in
the bundle, so even the very first run of a fresh install loads both instead of building
them. The bundled files are read-only; a cache that does not match (another jieba or Python
version, a retrained model) is simply not found under its name and is built in the user
data dir as before.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.analysis.intents import load_intent_classifier
from core.model import load_engine
from core.text import jieba_cache_name


def prebuild(out: Path, *, model_dir: Path | None = None) -> list[Path]:
    """Write the jieba cache and (with ``model_dir``) the seed-trained intent head into ``out``."""
    import jieba

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tok = jieba.Tokenizer()
    tok.tmp_dir, tok.cache_file = str(out), jieba_cache_name()
    (out / tok.cache_file).unlink(missing_ok=True)  # always from the dict.txt of this environment
    tok.initialize()
    if model_dir is not None:
        for old in out.glob("intent_head_*.json"):
            old.unlink()
        # the seed head is the fallback when the shipped intent model cannot load: ship it warm too
        load_intent_classifier(load_engine(model_dir, device="cpu"), cache_dir=out, use_shipped=False)
    return sorted(p for p in out.iterdir() if p.is_file())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Prebuild start-up caches for the frozen app (used by build.spec).")
    ap.add_argument("out", type=Path, help="folder to write; build.spec ships it as cache/")
    ap.add_argument("--model", type=Path, help="model folder to train the seed intent head for")
    args = ap.parse_args(argv)
    for path in prebuild(args.out, model_dir=args.model):
        print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
