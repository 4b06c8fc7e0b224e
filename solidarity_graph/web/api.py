"""``/api/v1``: JSON for everything the pages show."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from solidarity_graph import query
from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.store import Store
from solidarity_graph.store.search import search_documents, search_names
from solidarity_graph.web.app import not_found
from solidarity_graph.web.auth import visibility
from solidarity_graph.web.common import store_of as _store
from solidarity_graph.web.program_protect import reveal_requested

router = APIRouter(prefix="/api/v1", tags=["api"])
PER_PAGE = 50  # relations and events an entity page shows at a time
MAX_PER_PAGE = 1000  # the most the API gives at a time


def search_data(store: Store, q: str, type_: str | None = None, country: str | None = None, limit: int = 30,
                event_type: str | None = None, since: str | None = None, until: str | None = None,
                reveal_protected: bool = False, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    """Names, documents and the events of the entities found, with facets by type, country, event type and year.

    Unless ``reveal_protected``, protected people are left out, a search for one of their names finds
    nothing (which documents name them is itself sensitive), and snippets are redacted. Only what
    ``visible`` lets through is found, and mention counts are of visible documents.
    """
    from solidarity_graph.program.protect import Redactor

    redactor = Redactor.load(store, reveal=reveal_protected)
    hidden = redactor.text(q) != q  # a protected name asked for: nothing found, and not echoed back
    q = redactor.text(q)
    extra = min(len(visible.hidden_documents), 500) if visible.active else 0  # room for the hidden hits dropped below
    with store.connect() as conn:
        names = search_names(conn, q, 200 + extra) if q.strip() and not hidden else []
        docs = search_documents(conn, q, limit + extra) if q.strip() and not hidden else []
        names, docs = _visible_hits(conn, visible, names, docs, limit)
    names = [n for n in names if not redactor.is_protected(n["id"])]
    docs = redactor.walk([{**d, "document": d["id"]} for d in docs])
    facets: dict[str, dict[str, int]] = {"type": {}, "country": {}}
    for n in names:
        facets["type"][n["type"]] = facets["type"].get(n["type"], 0) + 1
        if n["country"]:
            facets["country"][n["country"]] = facets["country"].get(n["country"], 0) + 1
    names = [n for n in names if (not type_ or n["type"] == type_) and (not country or n["country"] == country)]
    events = query.timeline(store, entity_ids=[n["id"] for n in names[:50]], since=since, limit=2000,
                            reveal_protected=reveal_protected, visible=visible) if names else []
    events = [e for e in events if not until or (e["date"] or "") <= until]
    facets["event_type"], facets["year"] = {}, {}
    for e in events:
        facets["event_type"][e["type"]] = facets["event_type"].get(e["type"], 0) + 1
        if e["date"]:
            facets["year"][e["date"][:4]] = facets["year"].get(e["date"][:4], 0) + 1
    events = [e for e in events if not event_type or e["type"] == event_type]
    return {"ok": True, "q": q, "entities": names[:limit], "documents": docs, "events": events[:limit], "facets": facets}


@router.get("/search")
def api_search(request: Request, q: str = Query("", max_length=500), type: str | None = None,
               country: str | None = None, limit: int = Query(30, ge=1, le=200), event_type: str | None = None,
               since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """Full-text search over names and documents, faceted by entity type, country, event type and date."""
    return search_data(_store(request), q, type, country, limit, event_type, since, until, reveal_requested(request), visibility(request))


@router.get("/entities/{entity_id}")
def api_entity(request: Request, entity_id: int, events_page: int = Query(1, ge=1), relations_page: int = Query(1, ge=1),
               per_page: int = Query(PER_PAGE, ge=1, le=MAX_PER_PAGE)) -> dict[str, Any]:
    """An entity with its aliases, roles, relations, events and the decisions that made it; relations and events
    newest first, ``per_page`` at a time (totals in ``relations_paging`` and ``events_paging``)."""
    try:
        return {"ok": True, **query.entity_page(_store(request), entity_id, reveal_protected=reveal_requested(request),
                                                visible=visibility(request), per_page=per_page, events_page=events_page,
                                                relations_page=relations_page)}
    except KeyError as e:
        raise not_found(f"entity {entity_id}") from e


@router.get("/documents/{doc_id}")
def api_document(request: Request, doc_id: str, hl: str | None = Query(None, pattern=r"^\d+-\d+$")) -> dict[str, Any]:
    """A document's text, its mentions and the facts taken from it (``hl``: a span to mark, given back as ``highlight``)."""
    span = (int(hl.split("-")[0]), int(hl.split("-")[1])) if hl else None
    try:
        return {"ok": True, **query.document_page(_store(request), doc_id, reveal_protected=reveal_requested(request), highlight=span,
                                                  visible=visibility(request))}
    except KeyError as e:
        raise not_found(f"document {doc_id}") from e


@router.get("/events")
def api_events(request: Request, type: str | None = None, since: str | None = None, entity: int | None = None,
               country: str | None = Query(None, min_length=2, max_length=2), limit: int = Query(500, ge=1, le=5000)) -> dict[str, Any]:
    """A timeline of events, filtered by type, start date, entity and country."""
    rows = query.timeline(_store(request), entity_ids=[entity] if entity else None, type_=type, since=since,
                          country=country, limit=limit, reveal_protected=reveal_requested(request), visible=visibility(request))
    return {"ok": True, "events": rows}


@router.get("/map")
def api_map(request: Request) -> dict[str, Any]:
    """Event counts per country and per place (with coordinates)."""
    return {"ok": True, **query.events_by_place(_store(request), visible=visibility(request))}


@router.get("/graph/{entity_id}")
def api_graph(request: Request, entity_id: int, depth: int = Query(1, ge=1, le=3),
              predicate: list[str] | None = Query(None)) -> dict[str, Any]:
    """The neighborhood of an entity (depth 1-3), optionally only some relation types."""
    try:
        return {"ok": True, **query.neighborhood(_store(request), entity_id, depth=depth, predicates=set(predicate or []) or None,
                                                 reveal_protected=reveal_requested(request), visible=visibility(request))}
    except KeyError as e:
        raise not_found(f"entity {entity_id}") from e


@router.get("/path")
def api_path(request: Request, source: int = Query(..., alias="from"), target: int = Query(..., alias="to")) -> dict[str, Any]:
    """The shortest chain of relations or shared events between two entities."""
    try:
        return {"ok": True, "steps": query.path(_store(request), source, target, reveal_protected=reveal_requested(request),
                                                visible=visibility(request))}
    except KeyError as e:
        raise not_found(f"entity {e.args[0]}") from e


def _visible_hits(conn: Any, visible: Visibility, names: list[dict[str, Any]], docs: list[dict[str, Any]],
                  limit: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Search hits without what ``visible`` hides; names shown as visible documents give them, counted in them."""
    if not visible.active:
        return names, docs
    from sqlalchemy import func, select

    from solidarity_graph.store import tables as t

    names = [{**n, "name": visible.name(n["id"], n["name"])} for n in names if visible.entity_ok(n["id"])]
    counts = dict(conn.execute(select(t.mentions.c.entity_id, func.count()).where(
        t.mentions.c.entity_id.in_([n["id"] for n in names]), visible.documents_clause(t.mentions.c.document_id))
        .group_by(t.mentions.c.entity_id)).all())
    names = sorted(({**n, "mentions": int(counts.get(n["id"], 0))} for n in names), key=lambda n: (-n["mentions"], n["id"]))
    return names, [d for d in docs if visible.document_ok(d["id"])][:limit]
