"""What every evaluation needs: a section of the report, P/R/F1, a throwaway store, plain spaCy."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solidarity_graph.model import Document

__all__ = ["Section", "prf", "extract_records", "plain_spacy"]


@dataclass
class Section:
    """One part of docs/quality.md: a title, Markdown (tables, notes) and the headline figures."""

    title: str
    markdown: str
    figures: dict[str, float] = field(default_factory=dict)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0 where undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def extract_records(docs: Iterable[Document | tuple[str, str]], *, processes: int = 2) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Ingest ``docs`` into a fresh temporary SQLite store, return the JSONL export's records and failures.

    The records are exactly what ``solidarity export --format jsonl`` writes: each event and relation
    has ``document`` = the document id (for CSV rows, the row id).
    """
    from solidarity_graph.export import iter_records
    from solidarity_graph.pipeline import ingest_documents
    from solidarity_graph.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(str(Path(tmp) / "eval.db"))
        summary = ingest_documents(docs, store, processes=processes)
        records = list(iter_records(store))
        store.close()
    return records, summary.failed


def plain_spacy() -> Any:
    """The baseline: plain en_core_web_sm with its full pipeline, as a user would load it."""
    import spacy

    from solidarity_graph.extract.nlp import MODEL_NAMES

    for name in MODEL_NAMES:
        try:
            return spacy.load(name)
        except OSError:
            continue
    raise RuntimeError("no English spaCy model installed")
