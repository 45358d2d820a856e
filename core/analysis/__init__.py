"""Analysis: ``analyze_table(table, engine) -> Insights``, a pipeline of named stages
(``pipeline.py``: check texts, deduplicate, sentiment, aspects, intents, custom tasks,
assemble, summarise) over the parts that do the work:

* ``aspects``: the aspect lexicon, mentions per clause, their polarity
* ``intents``: rules OR a head trained on seed examples (or the owner's intents model)
* ``topics``: tokens, c-TF-IDF keywords, topic clusters;  ``trends``: volume over time
* ``summary``: the aggregate tables;  ``insights``: the ``Insights`` result type
* ``prebuild``: the start-up caches the frozen app ships (``python -m core.analysis.prebuild``)
"""
from __future__ import annotations

from core.analysis.aspects import AspectMention, Lexicon, add_term, load_lexicon, mention_examples
from core.analysis.insights import Insights, mismatch_flags
from core.analysis.intents import INTENTS, IntentClassifier, load_intent_classifier, load_rules
from core.analysis.pipeline import analyze_table

__all__ = ["INTENTS", "AspectMention", "Insights", "IntentClassifier", "Lexicon", "add_term", "analyze_table",
           "load_intent_classifier", "load_lexicon", "load_rules", "mention_examples", "mismatch_flags"]
