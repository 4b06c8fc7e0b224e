"""Many-name matching with an Aho-Corasick automaton (pyahocorasick).

Names are matched in one pass over the text, case-folded or exact, on word boundaries; where
matches overlap, the longest wins. Used by the organization gazetteer and the place lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick

__all__ = ["NameMatcher", "Hit", "fold_keep_length", "is_word_char"]


def fold_keep_length(text: str) -> str:
    """Lower-case ``text`` character by character so that offsets stay the same."""
    low = text.lower()
    if len(low) == len(text):  # the common case: no character changes length when lowered
        return low.translate(_FOLD)
    out = []
    for ch in text:
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    s = "".join(out)
    # typographic apostrophes and dashes fold to ASCII, one character for one
    return s.translate(_FOLD)


_FOLD = str.maketrans({"’": "'", "‘": "'", "‐": "-", "‑": "-", "–": "-", "—": "-"})


def is_word_char(ch: str) -> bool:
    """True for letters and digits (any script)."""
    return ch.isalnum()


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x1100 <= o <= 0x11FF or 0x3040 <= o <= 0x30FF or 0x3400 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF


@dataclass(frozen=True)
class Hit:
    """One match: offsets into the text and the payloads registered for the name."""

    start: int
    end: int
    name: str
    payloads: tuple[object, ...]


class NameMatcher:
    """Match many names at once; ``add(name, payload, exact=...)`` then ``finditer(text)``."""

    def __init__(self) -> None:
        self._folded = ahocorasick.Automaton()
        self._exact = ahocorasick.Automaton()
        self._fold_payloads: dict[str, list[object]] = {}
        self._exact_payloads: dict[str, list[object]] = {}
        self._built = False

    def add(self, name: str, payload: object, *, exact: bool = False) -> None:
        """Register ``name``; exact names (acronyms) match case-sensitively."""
        name = name.strip()
        if len(name) < 2:
            return
        if exact:
            key = name.translate(_FOLD)
            self._exact_payloads.setdefault(key, []).append(payload)
        else:
            key = fold_keep_length(name)
            self._fold_payloads.setdefault(key, []).append(payload)
        self._built = False

    def _build(self) -> None:
        self._folded = ahocorasick.Automaton()
        self._exact = ahocorasick.Automaton()
        for key in self._fold_payloads:
            self._folded.add_word(key, key)
        for key in self._exact_payloads:
            self._exact.add_word(key, key)
        if self._fold_payloads:
            self._folded.make_automaton()
        if self._exact_payloads:
            self._exact.make_automaton()
        self._built = True

    def _raw(self, text: str) -> Iterator[Hit]:
        if not self._built:
            self._build()
        folded = fold_keep_length(text)
        exact = text.translate(_FOLD)
        sources: list[tuple[ahocorasick.Automaton, str, dict[str, list[object]]]] = []
        if self._fold_payloads:
            sources.append((self._folded, folded, self._fold_payloads))
        if self._exact_payloads:
            sources.append((self._exact, exact, self._exact_payloads))
        for automaton, hay, payloads in sources:
            for end_idx, key in automaton.iter(hay):
                start = end_idx - len(key) + 1
                end = end_idx + 1
                if not self._bounded(text, start, end):
                    continue
                yield Hit(start, end, text[start:end], tuple(payloads[key]))

    @staticmethod
    def _bounded(text: str, start: int, end: int) -> bool:
        first, last = text[start], text[end - 1]
        if start > 0 and is_word_char(text[start - 1]) and is_word_char(first):
            if not (_is_cjk(first) or _is_cjk(text[start - 1])):
                return False
        if end < len(text) and is_word_char(text[end]) and is_word_char(last):
            # Korean particles attach to names: 민주노총은, 민주노총의
            if not (_is_cjk(last) or _is_cjk(text[end])):
                return False
        return True

    def finditer(self, text: str) -> list[Hit]:
        """Non-overlapping matches, longest first, in text order."""
        hits = sorted(self._raw(text), key=lambda h: (-(h.end - h.start), h.start))
        taken: list[Hit] = []
        used = bytearray(len(text) + 1)
        for h in hits:
            if any(used[h.start : h.end]):
                continue
            used[h.start : h.end] = b"\x01" * (h.end - h.start)
            taken.append(h)
        return sorted(taken, key=lambda h: h.start)

    def all_hits(self, text: str) -> list[Hit]:
        """Every match, overlapping ones included, in text order."""
        return sorted(self._raw(text), key=lambda h: (h.start, -h.end))

    def names(self) -> Iterable[str]:
        """Every registered name (folded or exact)."""
        return [*self._fold_payloads, *self._exact_payloads]
