"""French, Spanish, Portuguese and Italian (being written)."""

from __future__ import annotations

from typing import Any

from solidarity_graph.model import Document


def extract(extractor: Any, doc: Document, lang: str) -> Document:
    """For now the English path (gazetteer, places and patterns are language-neutral)."""
    return extractor.english(doc)  # type: ignore[no-any-return]
