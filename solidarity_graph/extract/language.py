"""The language of a document and of each of its paragraphs.

Hangul and kana are told by script; English by its function words (most of what comes in, and the
cheapest test); the others by lingua, built for the languages the project reads only (English,
Korean, Japanese, Spanish, French, Portuguese, Italian) in its low-accuracy mode, which is far
smaller in memory and, on paragraphs of a sentence or more, as accurate (docs/quality.md).

A paragraph too short to judge (a heading, a dateline, a name) takes the language of the paragraph
before it, or of the one after it at the start of a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["detect_language", "LANGUAGES", "Segment", "language_segments", "main_language", "blank_except",
           "paragraph_language"]

LANGUAGES = ("en", "ko", "ja", "es", "fr", "pt", "it")
_HANGUL = re.compile(r"[가-힣]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÿ'’]+")
_EN_WORDS = frozenset("the and of to with was were said is are has have that this from for by on which their its "
                      "will would been be after who workers union".split())
_LINE = re.compile(r"[^\n]+")


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.ENGLISH, Language.KOREAN, Language.JAPANESE, Language.SPANISH, Language.FRENCH,
        Language.PORTUGUESE, Language.ITALIAN).with_low_accuracy_mode().build()


def _lingua(text: str) -> str | None:
    found = _detector().detect_language_of(text[:1000])
    return None if found is None else str(found.iso_code_639_1.name).lower()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language most of ``text`` is written in (default "en")."""
    sample = text[:3000]
    letters = sum(ch.isalpha() for ch in sample) or 1
    if len(_HANGUL.findall(sample)) > 0.3 * letters:
        return "ko"
    if len(_KANA.findall(sample)) > 0.1 * letters:
        return "ja"
    if len(re.findall(r"[A-Za-zÀ-ÿ]", sample)) < 0.5 * letters:
        return "en"
    # English is most of what comes in: its function words settle it without a model
    if len(re.findall(r"\b(?:the|and|of|to|with|was|were|said)\b", sample[:1500], re.I)) >= 8:
        return "en"
    return _lingua(sample) or "en"


def paragraph_language(text: str) -> str | None:
    """The language of one paragraph, or None when it is too short to tell."""
    letters = sum(ch.isalpha() for ch in text)
    if letters == 0:
        return None
    hangul = len(_HANGUL.findall(text))
    kana = len(_KANA.findall(text))
    if hangul >= 2 and hangul > 0.3 * letters:
        return "ko"
    if kana >= 2 and kana > 0.1 * letters:
        return "ja"
    if len(_HAN.findall(text)) > 0.5 * letters:
        return "ja" if len(_HAN.findall(text)) >= 12 else None  # kanji alone: a name or a heading
    words = _LATIN_WORD.findall(text)
    if len(words) < 6:
        return None
    english = sum(w.lower() in _EN_WORDS for w in words)
    if english >= 2 and english >= 0.1 * len(words):
        return "en"
    return _lingua(text)


@dataclass(frozen=True)
class Segment:
    """A run of paragraphs ``[start, end)`` in one language."""

    start: int
    end: int
    language: str


def language_segments(text: str) -> list[Segment]:
    """The document cut into runs of paragraphs of one language each (empty for an empty text)."""
    paras = [(m.start(), m.end(), paragraph_language(m.group())) for m in _LINE.finditer(text) if m.group().strip()]
    known = [lang for *_, lang in paras if lang]
    if not known:
        return [Segment(paras[0][0], paras[-1][1], detect_language(text))] if paras else []
    current = known[0]
    runs: list[Segment] = []
    for start, end, lang in paras:
        current = lang or current
        if runs and runs[-1].language == current:
            runs[-1] = Segment(runs[-1].start, end, current)
        else:
            runs.append(Segment(start, end, current))
    return runs


def main_language(segments: list[Segment]) -> str:
    """The language of most characters."""
    size: dict[str, int] = {}
    for s in segments:
        size[s.language] = size.get(s.language, 0) + s.end - s.start
    return max(size, key=lambda lang: size[lang])


def blank_except(text: str, segments: list[Segment], language: str) -> str:
    """``text`` with every paragraph not in ``language`` blanked (same length, line breaks kept)."""
    out = list(text)
    for s in segments:
        if s.language != language:
            for i in range(s.start, s.end):
                if out[i] != "\n":
                    out[i] = " "
    return "".join(out)
