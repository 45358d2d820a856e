"""Review text: cleaning, placeholders, language and clauses, duplicates, PII masking, and
jieba with a lasting dictionary cache. Pure functions over strings (no files but the
placeholder list and jieba's cache).

* ``clean``: ``clean_text``, ``normalize_for_match``, ``is_placeholder``, ``text_hash``
* ``language``: ``detect_language``, ``split_clauses``
* ``duplicates``: ``duplicate_groups``
* ``pii``: ``mask_pii``
* ``jieba_cache``: ``jieba_tokenizer``, ``jieba_cache_name``
"""
from __future__ import annotations

from core.text.clean import PLACEHOLDERS_FILE, clean_text, is_placeholder, normalize_for_match, text_hash
from core.text.duplicates import duplicate_groups
from core.text.jieba_cache import jieba_cache_name, jieba_tokenizer
from core.text.language import detect_language, split_clauses
from core.text.pii import mask_pii

__all__ = ["PLACEHOLDERS_FILE", "clean_text", "detect_language", "duplicate_groups", "is_placeholder",
           "jieba_cache_name", "jieba_tokenizer", "mask_pii", "normalize_for_match", "split_clauses", "text_hash"]
