"""Review text: cleaning, placeholders, language and clauses, duplicates, PII masking."""
from __future__ import annotations

from core.text.clean import (PLACEHOLDERS_FILE, clean_text, detect_language, duplicate_groups, is_placeholder,
                             normalize_for_match, split_clauses, text_hash)
from core.text.pii import mask_pii

__all__ = ["PLACEHOLDERS_FILE", "clean_text", "detect_language", "duplicate_groups", "is_placeholder", "mask_pii",
           "normalize_for_match", "split_clauses", "text_hash"]
