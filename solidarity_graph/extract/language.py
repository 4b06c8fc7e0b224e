"""The language of a document: Hangul and kana by script, the others by lingua (low-accuracy mode).

lingua is built for the languages the project reads only (English, Korean, Japanese, Spanish, French,
Portuguese, Italian); its low-accuracy mode is used, being far smaller in memory and, on whole
documents, as accurate.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["detect_language", "LANGUAGES"]

LANGUAGES = ("en", "ko", "ja", "es", "fr", "pt", "it")


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.ENGLISH, Language.KOREAN, Language.JAPANESE, Language.SPANISH, Language.FRENCH,
        Language.PORTUGUESE, Language.ITALIAN).with_low_accuracy_mode().build()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language most of ``text`` is written in (default "en")."""
    sample = text[:3000]
    letters = sum(ch.isalpha() for ch in sample) or 1
    if len(re.findall(r"[가-힣]", sample)) > 0.3 * letters:
        return "ko"
    if len(re.findall(r"[\u3040-\u30ff]", sample)) > 0.1 * letters:
        return "ja"
    if len(re.findall(r"[A-Za-zÀ-ÿ]", sample)) < 0.5 * letters:
        return "en"
    # English is most of what comes in: its function words settle it without a model
    if len(re.findall(r"\b(?:the|and|of|to|with|was|were|said)\b", sample[:1500], re.I)) >= 8:
        return "en"
    found = _detector().detect_language_of(sample[:1000])
    if found is None:
        return "en"
    return str(found.iso_code_639_1.name).lower()
