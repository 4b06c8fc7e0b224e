"""The orchestrator: a document goes ingest -> extract -> resolve -> store, and only this way.

Every entry point (the CLI, later the web upload, feed poller and cluster workers) calls
:func:`ingest_paths` or :func:`ingest_documents`. Extraction can run in several processes;
storing runs in this one, one transaction per document.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solidarity_graph.errors import InputError, SolidarityGraphError
from solidarity_graph.model import Document

__all__ = ["IngestSummary", "ingest_paths", "ingest_documents", "extract_document"]


@dataclass
class IngestSummary:
    """What an ingest did."""

    new: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=lambda: {"entities": 0, "events": 0, "relations": 0, "quantities": 0})
    words: int = 0
    warnings: list[str] = field(default_factory=list)
    stored_ids: list[str] = field(default_factory=list)  # the documents stored by this run
    program: dict[str, Any] = field(default_factory=dict)  # what the program's hooks reported (alerts raised...)

    def line(self) -> str:
        """One-line summary for people."""
        a = self.added
        return (f"documents: {self.new} new, {self.unchanged} unchanged, {len(self.failed)} failed; "
                f"added {a['entities']} entities, {a['events']} events, {a['relations']} relations, "
                f"{a['quantities']} quantities")


_EXTRACTOR: Any = None


def _worker_init() -> None:
    global _EXTRACTOR
    from solidarity_graph.extract.pipeline import Extractor

    _EXTRACTOR = Extractor()


def extract_document(doc: Document) -> Document:
    """Run extraction on one document in this process."""
    if _EXTRACTOR is None:
        _worker_init()
    return _EXTRACTOR(doc)  # type: ignore[no-any-return]


def _extract_safe(doc: Document) -> Document:
    try:
        return extract_document(doc)
    except Exception as e:  # reported per document; the batch goes on
        doc.errors.append(f"extraction failed: {type(e).__name__}: {e}")
        doc.meta["failed"] = True
        return doc


def ingest_documents(docs: Iterable[Document | tuple[str, str]], store: Any, *, processes: int = 1,
                     progress: Callable[[int], None] | None = None) -> IngestSummary:
    """Extract and store documents; items may be ``(path, reason)`` for files that failed to read."""
    from solidarity_graph.extract.entities import surname_key
    from solidarity_graph.extract.gazetteer import load_gazetteer
    from solidarity_graph.resolve import Resolver

    summary = IngestSummary()
    gazetteer = load_gazetteer()
    resolver = store.index(lambda idx: Resolver(idx, gazetteer, surname_key))
    seen_hashes: set[str] = set()

    def fresh() -> Iterator[Document]:
        for item in docs:
            if isinstance(item, tuple):
                summary.failed.append(item)
                if progress:
                    progress(1)
                continue
            h = item.hash
            if h in seen_hashes or store.has_hash(h) or (item.doc_id and store.has_id(item.doc_id)):
                summary.unchanged += 1
                if progress:
                    progress(1)
                continue
            seen_hashes.add(h)
            yield item

    if processes > 1:
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        pool = ctx.Pool(processes, initializer=_worker_init)
        results: Iterator[Document] = pool.imap(_extract_safe, fresh(), chunksize=4)
    else:
        pool = None
        results = (_extract_safe(d) for d in fresh())
    try:
        for doc in results:
            if doc.meta.get("failed"):
                summary.failed.append((doc.source, "; ".join(doc.errors)))
            else:
                try:
                    added = store.save(doc, resolver)
                except SolidarityGraphError as e:
                    summary.failed.append((doc.source, str(e)))
                    resolver = store.index(lambda idx: Resolver(idx, gazetteer, surname_key))
                else:
                    summary.new += 1
                    summary.stored_ids.append(doc.id)
                    summary.words += len(doc.text.split())
                    for k in summary.added:
                        summary.added[k] += added.get(k, 0)
                    summary.warnings += [f"{doc.source}: {e}" for e in doc.errors]
            if progress:
                progress(1)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    if summary.stored_ids:
        from solidarity_graph.program.hooks import after_ingest

        summary.program = after_ingest(store, summary.stored_ids)
    return summary


def reextract(store: Any, ids: list[str] | None = None, *, processes: int = 1) -> IngestSummary:
    """Extract stored documents again (after a better extractor or a curation) and replace their facts.

    Curators' work holds: reviews stick to fact fingerprints, merged names are aliases of the kept
    entity, hand-made facts belong to no document.
    """
    from solidarity_graph.extract.entities import surname_key
    from solidarity_graph.extract.gazetteer import load_gazetteer
    from solidarity_graph.resolve import Resolver

    summary = IngestSummary()
    docs = store.stored_documents(ids)
    gazetteer = load_gazetteer()
    resolver = store.index(lambda idx: Resolver(idx, gazetteer, surname_key))
    for doc in docs:
        doc.meta.pop("acronyms", None)
        doc.meta.pop("acronym_defs", None)
        extracted = _extract_safe(doc)
        if extracted.meta.get("failed"):
            summary.failed.append((doc.source, "; ".join(extracted.errors)))
            continue
        added = store.replace(extracted, resolver)
        summary.new += 1
        summary.stored_ids.append(doc.id)
        for k in summary.added:
            summary.added[k] += added.get(k, 0)
    if summary.stored_ids:
        from solidarity_graph.program.hooks import after_ingest

        summary.program = after_ingest(store, summary.stored_ids)
    return summary


def read_all(paths: Iterable[str | Path], *, published: str | None = None, source: str | None = None) -> Iterator[Document | tuple[str, str]]:
    """Documents read from files and folders; unreadable files as ``(path, reason)``."""
    from solidarity_graph.ingest import iter_paths, read_document

    for path in iter_paths(paths):
        try:
            yield read_document(path, published=published, source=source)
        except InputError as e:
            yield (str(path), e.message)


def ingest_paths(paths: Iterable[str | Path], store: Any, *, published: str | None = None,
                 source: str | None = None, processes: int = 1,
                 progress: Callable[[int], None] | None = None) -> IngestSummary:
    """Read, extract and store every supported file under ``paths``."""
    if published is not None:
        from solidarity_graph.ingest import parse_published

        published = parse_published(published)
    return ingest_documents(read_all(paths, published=published, source=source), store,
                            processes=processes, progress=progress)


def default_processes() -> int:
    """All cores, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))
