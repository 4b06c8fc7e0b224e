"""Paragraphs, sentences and spaCy's named entities (``spacy_sents.v1``).

spaCy runs once per document over chunks of whole paragraphs (so huge files stay within its
limits); sentences never cross a line break, since reports put headings, datelines and
signatures on lines of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from solidarity_graph.model import Document, Span

__all__ = ["RawEnt", "split_paragraphs", "run_spacy", "CHUNK_CHARS"]

CHUNK_CHARS = 100_000
_PARA = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class RawEnt:
    """A named entity as spaCy labelled it, before our layers judge it."""

    label: str
    start: int
    end: int
    text: str


def split_paragraphs(text: str) -> list[Span]:
    """Every non-empty line is a paragraph (reports use one line per paragraph)."""
    return [Span(m.start(), m.end()) for m in _PARA.finditer(text) if m.group().strip()]


def _chunks(doc: Document) -> Iterator[tuple[int, str]]:
    start = None
    end = 0
    for para in doc.paragraphs:
        if start is None:
            start = para.start
        if para.end - start > CHUNK_CHARS and end > start:
            yield start, doc.text[start:end]
            start = para.start
        end = para.end
    if start is not None:
        yield start, doc.text[start:end]


def run_spacy(doc: Document, nlp: Any) -> list[RawEnt]:
    """Fill ``doc.paragraphs`` and ``doc.sentences``; return spaCy's entities with offsets."""
    doc.paragraphs = split_paragraphs(doc.text)
    chunks = list(_chunks(doc))
    ents: list[RawEnt] = []
    sents: list[Span] = []
    for (offset, _), sdoc in zip(chunks, nlp.pipe(t for _, t in chunks), strict=True):
        for s in sdoc.sents:
            sents.extend(_split_lines(doc.text, offset + s.start_char, offset + s.end_char))
        for e in sdoc.ents:
            ents.append(RawEnt(e.label_, offset + e.start_char, offset + e.end_char, e.text))
    doc.sentences = _join_fragments(doc.text, sents)
    return ents


def _join_fragments(text: str, sents: list[Span]) -> list[Span]:
    """Rejoin a sentence the statistical splitter cut after "(KCTU)" or a name: same line, no end mark."""
    out: list[Span] = []
    for s in sents:
        if out:
            prev = out[-1]
            gap = text[prev.end : s.start]
            if "\n" not in gap and text[prev.end - 1] not in ".!?\"”’:;" and s.start - prev.end <= 2:
                out[-1] = Span(prev.start, s.end)
                continue
        out.append(s)
    return out


def _split_lines(text: str, start: int, end: int) -> Iterator[Span]:
    pos = start
    for m in re.finditer(r"\n+", text[start:end]):
        a = start + m.start()
        if text[pos:a].strip():
            yield _trim(text, pos, a)
        pos = start + m.end()
    if text[pos:end].strip():
        yield _trim(text, pos, end)


def _trim(text: str, a: int, b: int) -> Span:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return Span(a, b)
