"""The core types passed along the pipeline: a Document and the facts found in it.

Every stage is a callable ``Document -> Document`` (spaCy style) that adds mentions, events,
relations and quantities. Every fact keeps its character span, so the sentence it came from can
always be shown, and the name of the extractor that produced it.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Document",
    "EventFact",
    "Mention",
    "Quantity",
    "RelationFact",
    "Span",
    "content_hash",
    "normalize_text",
]


def normalize_text(text: str) -> str:
    """Normalize a document's text: NFC, unified newlines, no trailing spaces, no NULs."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\x00", "")
    text = re.sub(r"(?<![ \t])[ \t]+\n", "\n", text)  # from a run's start only: linear (issue 7)
    return text.strip()


def content_hash(text: str) -> str:
    """SHA-256 of a normalized text; the identity used to make re-ingest change nothing."""
    folded = re.sub(r"\s+", " ", normalize_text(text))
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Span:
    """A character range ``[start, end)`` in a document's text."""

    start: int
    end: int


@dataclass
class Mention:
    """A name found in a document: an organization, person, place, date or quantity."""

    text: str
    type: str  # entity type from schema/entities.yaml, or "date" / "quantity"
    start: int
    end: int
    extractor: str
    confidence: float
    attrs: dict[str, Any] = field(default_factory=dict)
    # The canonical name the extractor already knows (gazetteer entry, expanded acronym...).
    canonical: str | None = None
    key: str | None = None  # gazetteer id, when the mention came from the gazetteer


@dataclass
class EventFact:
    """An event: who did what, to whom, when, where, how many, with its evidence."""

    type: str
    status: str
    start: int  # evidence span (the sentence or clause)
    end: int
    trigger: str
    extractor: str
    confidence: float
    date: str | None = None
    date_end: str | None = None
    date_precision: str | None = None
    date_source: str | None = None  # "text", "context" or "document"
    place: Mention | None = None
    participants: list[Mention] = field(default_factory=list)
    targets: list[Mention] = field(default_factory=list)  # whom a strike or protest is aimed at
    size: float | None = None
    size_hedge: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class RelationFact:
    """A typed edge between two mentions, with attributes such as a role's title."""

    subject: Mention
    predicate: str
    object: Mention
    start: int
    end: int
    extractor: str
    confidence: float
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Quantity:
    """A number of workers or members, with its hedge ("about half of the 9,000")."""

    value: float
    of: str
    start: int
    end: int
    extractor: str
    confidence: float
    hedge: str | None = None
    unit: str = "people"
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Document:
    """A document and, after extraction, everything found in it."""

    text: str
    source: str
    title: str | None = None
    published: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    language: str = "en"
    doc_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    sentences: list[Span] = field(default_factory=list)
    paragraphs: list[Span] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    events: list[EventFact] = field(default_factory=list)
    relations: list[RelationFact] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text = normalize_text(self.text)
        self._hash: str | None = None

    @property
    def hash(self) -> str:
        """The content hash of the text (computed once)."""
        if self._hash is None:
            self._hash = content_hash(self.text)
        return self._hash

    @property
    def id(self) -> str:
        """The document id: the given one, else the first 16 hex digits of the hash."""
        return self.doc_id or self.hash[:16]

    def sentence_of(self, start: int, end: int | None = None) -> Span:
        """The sentence that holds the character offset ``start`` (or the span itself)."""
        i = bisect.bisect_right(self.sentences, start, key=lambda s: s.start) - 1
        if 0 <= i < len(self.sentences) and self.sentences[i].start <= start < self.sentences[i].end:
            return self.sentences[i]
        return Span(start, end if end is not None else start)

    def quote(self, start: int, end: int) -> str:
        """The text of a span, with runs of whitespace folded."""
        return re.sub(r"\s+", " ", self.text[start:end]).strip()
