"""Analysis: ``analyze_table(table, engine) -> Insights``, a pipeline of named stages
(``pipeline.py``: check texts, deduplicate, sentiment, aspects, intents, custom tasks,
assemble, summarise) over the parts that do the work:

* ``aspects``: the aspect lexicon, mentions per clause, their polarity
* ``aspect_model``: the learnt clause-level aspect classifier (built by ``core.modelbuild.aspects``)
* ``clause_topics``: topics from the clauses' phrases;  ``fixes``: the what-to-fix list
* ``intents``: which intent classifier runs (the owner's model, the shipped one, rules OR a seed head)
* ``intent_model``: the shipped intent model (built by ``core.modelbuild.intents``)
* ``topics``: tokens, c-TF-IDF keywords, topic clusters;  ``trends``: volume over time
* ``summary``: the aggregate tables;  ``insights``: the ``Insights`` result type
* ``prebuild``: the start-up caches the frozen app ships (``python -m core.analysis.prebuild``)
"""
from __future__ import annotations

from core.analysis.aspect_model import (AspectClassifier, embedding_features, implicit_aspects, load_aspect_model,
                                        save_aspect_model, shipped_aspect_model)
from core.analysis.aspects import (AspectMention, Lexicon, add_term, clause_offsets, load_lexicon, mention_examples,
                                   shipped_lexicon_path)
from core.analysis.fixes import problem_filter
from core.analysis.insights import Insights, mismatch_flags, skip_reason
from core.analysis.intent_model import IntentModel, dense_features, sha256_of
from core.analysis.intents import INTENTS, IntentClassifier, load_intent_classifier, load_rules, load_seeds
from core.analysis.pipeline import analyze_table

__all__ = ["INTENTS", "AspectClassifier", "AspectMention", "Insights", "IntentClassifier", "IntentModel", "Lexicon",
           "add_term", "analyze_table", "clause_offsets", "dense_features", "embedding_features", "implicit_aspects", "load_aspect_model",
           "load_intent_classifier", "load_lexicon", "load_rules", "load_seeds", "mention_examples", "mismatch_flags",
           "problem_filter", "save_aspect_model", "shipped_aspect_model", "sha256_of", "shipped_lexicon_path",
           "skip_reason"]
