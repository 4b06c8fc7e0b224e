"""A document's page: its text with the names found in it, and every fact taken from it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["document_page", "recent_documents", "counts"]


def document_page(store: Store, doc_id: str, *, reveal_protected: bool = False,
                  highlight: tuple[int, int] | None = None, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    """Text, metadata, mentions (with their entities) and the events and relations of one document.

    Protected people are redacted (offsets moved to the redacted text) unless ``reveal_protected``;
    ``highlight``, a span of the stored text, comes back as ``highlight`` in the returned text's offsets.
    A document ``visible`` hides is not there (KeyError), like one never stored.
    """
    from solidarity_graph.program.protect import redact_document_page

    if not visible.document_ok(doc_id):
        raise KeyError(doc_id)
    with store.connect() as conn:
        d = conn.execute(select(t.documents).where(t.documents.c.id == doc_id)).first()
        if d is None:
            raise KeyError(doc_id)
        kinds = {r.id: r.type for r in conn.execute(select(t.entities.c.id, t.entities.c.type))}
        shown = visible.names(conn.execute(select(t.entities.c.id, t.entities.c.name)))
        names = {i: (shown.get(i, "?"), kinds[i]) for i in kinds}
        mentions = [{"start": m.start, "end": m.end, "text": m.text, "entity_id": m.entity_id,
                     "entity": names[m.entity_id][0], "type": names[m.entity_id][1], "confidence": m.confidence}
                    for m in conn.execute(select(t.mentions).where(t.mentions.c.document_id == doc_id).order_by(t.mentions.c.start, t.mentions.c.id))]
        events = [{"id": e.id, "type": e.type, "status": e.status, "date": e.date, "place": names[e.place_id][0] if e.place_id else None,
                   "quote": e.quote, "start": e.start, "end": e.end, "confidence": e.confidence}
                  for e in conn.execute(select(t.events).where(t.events.c.document_id == doc_id).order_by(t.events.c.start, t.events.c.id))]
        rels = [{"subject": names[r.subject_id][0], "subject_id": r.subject_id, "predicate": r.predicate,
                 "object": names[r.object_id][0], "object_id": r.object_id, "attributes": r.attributes or {},
                 "quote": r.quote, "start": r.start, "end": r.end, "confidence": r.confidence}
                for r in conn.execute(select(t.relations).where(t.relations.c.document_id == doc_id).order_by(t.relations.c.start, t.relations.c.id))
                if visible.relation_ok(r.document_id, r.subject_id, r.object_id)]
    page = {"id": d.id, "title": d.title, "source": d.source, "published": d.published, "language": d.language,
            "text": d.text, "mentions": mentions, "events": events, "relations": rels}
    return redact_document_page(store, page, reveal=reveal_protected, highlight=highlight)


def recent_documents(store: Store, limit: int = 10, *, reveal_protected: bool = False,
                     visible: Visibility = EVERYTHING) -> list[dict[str, Any]]:
    """The documents ingested last that ``visible`` lets through (protected people's names out of their titles unless revealed)."""
    from solidarity_graph.program.protect import Redactor

    with store.connect() as conn:
        rows = conn.execute(select(t.documents.c.id, t.documents.c.title, t.documents.c.source, t.documents.c.published,
                                   t.documents.c.ingested_at).where(visible.documents_clause(t.documents.c.id))
                            .order_by(t.documents.c.ingested_at.desc(), t.documents.c.id).limit(limit))
        out: list[dict[str, Any]] = Redactor.load(conn, reveal=reveal_protected).walk([dict(r._mapping) for r in rows])
        return out


def counts(store: Store, *, visible: Visibility = EVERYTHING) -> dict[str, int]:
    """Rows per table, as ``Store.counts`` gives them, of what ``visible`` lets through."""
    if not visible.active:
        return store.counts()
    docs = visible.documents_clause
    with store.connect() as conn:
        def n(table: Any, *where: Any) -> int:
            return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

        rels = [r for r in conn.execute(select(t.relations.c.document_id, t.relations.c.subject_id, t.relations.c.object_id))
                if visible.relation_ok(r.document_id, r.subject_id, r.object_id)]
        return {"documents": n(t.documents, docs(t.documents.c.id)),
                "entities": n(t.entities) - len(visible.hidden_entities),
                "events": n(t.events) - len(visible.hidden_events),
                "relations": len(rels), "quantities": n(t.quantities, docs(t.quantities.c.document_id)),
                "mentions": n(t.mentions, docs(t.mentions.c.document_id))}
