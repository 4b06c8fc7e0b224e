"""The orchestrator: a document goes ingest -> extract -> resolve -> store, and only this way.

Every entry point (the CLI, the web upload, the feed poller, a Dask cluster) calls
:func:`ingest_paths` or :func:`ingest_documents`. Extraction can run in several processes or on
the workers of a cluster (``extract_map``); storing runs in this one, one transaction per document.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solidarity_graph.errors import InputError, SolidarityGraphError, StoreError
from solidarity_graph.model import Document

__all__ = ["ExtractMap", "IngestSummary", "ingest_paths", "ingest_documents", "extract_document", "extract_here",
           "extract_in_pool"]


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
    resumed: int = 0  # stored documents of an interrupted run whose program work this run did

    def line(self) -> str:
        """One-line summary for people."""
        a = self.added
        return (f"documents: {self.new} new, {self.unchanged} unchanged, {len(self.failed)} failed; "
                f"added {a['entities']} entities, {a['events']} events, {a['relations']} relations, "
                f"{a['quantities']} quantities"
                + (f"; finished the program's work on {self.resumed} documents of an interrupted run" if self.resumed else ""))


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


# How extraction is spread: documents in, the same documents out in the same order, each extracted or
# marked failed (``meta["failed"]`` and a line in ``errors``). Closing the generator early frees what
# it holds.
ExtractMap = Callable[[Iterator[Document]], Generator[Document, None, None]]


def extract_here(docs: Iterator[Document]) -> Generator[Document, None, None]:
    """Extract in this process, one document at a time."""
    for doc in docs:
        yield _extract_safe(doc)


def extract_in_pool(processes: int) -> ExtractMap:
    """Extract in a pool of ``processes`` worker processes on this machine (the models load once in each)."""

    def run(docs: Iterator[Document]) -> Generator[Document, None, None]:
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        pool = ctx.Pool(processes, initializer=_worker_init)
        completed = False
        try:
            yield from pool.imap(_extract_safe, docs, chunksize=4)
            completed = True
        finally:
            if not completed:
                pool.terminate()  # stopped early: the documents not yet extracted are not wanted
            pool.close()
            pool.join()

    return run


def ingest_documents(docs: Iterable[Document | tuple[str, str]], store: Any, *, processes: int = 1,
                     progress: Callable[[int], None] | None = None,
                     extract_map: ExtractMap | None = None) -> IngestSummary:
    """Extract and store documents; items may be ``(path, reason)`` for files that failed to read.

    Extraction runs here, in a pool of ``processes``, or wherever ``extract_map`` sends it (the
    workers of a Dask cluster: :mod:`solidarity_graph.pipeline_cluster`); storing runs in this
    process either way, in the order the documents came.

    A full disk stops the batch with a :class:`StoreError` saying what is stored; what was stored is
    whole, and a re-run stores the rest and does the program's work the stopped run owed.
    """
    from solidarity_graph.extract.entities import surname_key
    from solidarity_graph.extract.gazetteer import load_gazetteer
    from solidarity_graph.resolve import Resolver
    from solidarity_graph.store.faults import mark_pending, store_failure

    summary = IngestSummary()
    _resume_program(store, summary)
    gazetteer = load_gazetteer()
    resolver = store.index(lambda idx: Resolver(idx, gazetteer, surname_key))
    seen_hashes: set[str] = set()
    marked: list[str] = []

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

    extract = extract_map or (extract_in_pool(processes) if processes > 1 else extract_here)
    with closing(extract(fresh())) as results:  # closing: an early stop frees the pool or the cluster's tasks
        for doc in results:
            if doc.meta.get("failed"):
                summary.failed.append((doc.source, "; ".join(doc.errors)))
            else:
                try:
                    mark_pending(store, doc.id)
                    marked.append(doc.id)
                    added = store.save(doc, resolver)
                except SolidarityGraphError as e:
                    if reason := store_failure(e):  # every further write would fail too: stop here
                        raise StoreError(f"{doc.source}: {reason}. {summary.new} documents of this run are stored, "
                                         "each whole, and the rest are not: make room and run the same command "
                                         "again to store the rest") from e
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
    summary.program = _run_program(store, summary.stored_ids, marked)
    return summary


def _run_program(store: Any, stored: list[str], marked: list[str]) -> dict[str, Any]:
    """The program's hooks over the stored documents; then their marks go (see store/faults.py)."""
    from sqlalchemy.exc import SQLAlchemyError

    from solidarity_graph.program.hooks import after_ingest
    from solidarity_graph.store.faults import clear_pending, store_failure

    try:
        out = after_ingest(store, stored) if stored else {}
    except SQLAlchemyError as e:
        if reason := store_failure(e):
            raise StoreError(f"{reason}: {len(stored)} documents are stored, but the program's work on them "
                             "(commitments, exchanges, alerts) is not done yet: make room and run the same "
                             "command again to finish it") from e
        raise
    clear_pending(store, marked)
    return out


def _resume_program(store: Any, summary: IngestSummary) -> None:
    """Do the program's work an interrupted run owes to documents it stored."""
    from solidarity_graph.store.faults import pending_documents

    owed = pending_documents(store)
    if owed:
        _run_program(store, owed, owed)
        summary.resumed = len(owed)


def reextract(store: Any, ids: list[str] | None = None, *, processes: int = 1) -> IngestSummary:
    """Extract stored documents again (after a better extractor or a curation) and replace their facts.

    Curators' work holds: reviews stick to fact fingerprints, merged names are aliases of the kept
    entity, hand-made facts belong to no document.
    """
    from solidarity_graph.extract.entities import surname_key
    from solidarity_graph.extract.gazetteer import load_gazetteer
    from solidarity_graph.resolve import Resolver
    from solidarity_graph.store.faults import mark_pending

    summary = IngestSummary()
    _resume_program(store, summary)
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
        mark_pending(store, doc.id)
        added = store.replace(extracted, resolver)
        summary.new += 1
        summary.stored_ids.append(doc.id)
        for k in summary.added:
            summary.added[k] += added.get(k, 0)
    summary.program = _run_program(store, summary.stored_ids, summary.stored_ids)
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
