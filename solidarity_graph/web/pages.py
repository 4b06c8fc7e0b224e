"""The pages: home, search, entity, document, graph, path, timeline; each also as ``.json``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from solidarity_graph import query
from solidarity_graph.schema import load_schema
from solidarity_graph.web.api import (
    MAX_PER_PAGE,
    PER_PAGE,
    api_document,
    api_entity,
    api_events,
    api_graph,
    search_data,
)
from solidarity_graph.web.app import not_found
from solidarity_graph.web.auth import visibility
from solidarity_graph.web.program_protect import reveal_requested

router = APIRouter(include_in_schema=False)


def _render(request: Request, template: str, data: dict[str, Any]) -> HTMLResponse:
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, template, data)
    return response


def home_data(request: Request) -> dict[str, Any]:
    """Counts, the latest documents and events."""
    store = request.app.state.store
    reveal, visible = reveal_requested(request), visibility(request)
    events = query.timeline(store, limit=10, newest_first=True, reveal_protected=reveal, visible=visible)
    return {"ok": True, "counts": query.counts(store, visible=visible),
            "documents": query.recent_documents(store, reveal_protected=reveal, visible=visible), "events": events}


@router.get("/index.json")
def home_json(request: Request) -> dict[str, Any]:
    return home_data(request)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return _render(request, "home.html", home_data(request))


@router.get("/search.json")
def search_json(request: Request, q: str = Query("", max_length=500), type: str | None = None, country: str | None = None,
                event_type: str | None = None, since: str | None = None, until: str | None = None) -> dict[str, Any]:
    return search_data(request.app.state.store, q, type, country, 30, event_type, since, until, reveal_requested(request), visibility(request))


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = Query("", max_length=500), type: str | None = None, country: str | None = None,
           event_type: str | None = None, since: str | None = None, until: str | None = None) -> HTMLResponse:
    data = search_data(request.app.state.store, q, type, country, 30, event_type, since, until, reveal_requested(request), visibility(request))
    return _render(request, "search.html", {**data, "since": since, "until": until})


@router.get("/entity/{entity_id}.json")
def entity_json(request: Request, entity_id: int, events_page: int = Query(1, ge=1), relations_page: int = Query(1, ge=1),
                per_page: int = Query(PER_PAGE, ge=1, le=MAX_PER_PAGE)) -> dict[str, Any]:
    return api_entity(request, entity_id, events_page, relations_page, per_page)


@router.get("/entity/{entity_id}", response_class=HTMLResponse)
def entity(request: Request, entity_id: int, events_page: int = Query(1, ge=1), relations_page: int = Query(1, ge=1),
           per_page: int = Query(PER_PAGE, ge=1, le=MAX_PER_PAGE)) -> HTMLResponse:
    data = api_entity(request, entity_id, events_page, relations_page, per_page)
    return _render(request, "entity.html", {**data, "predicates": sorted(load_schema().relation_types)})


@router.get("/document/{doc_id}.json")
def document_json(request: Request, doc_id: str) -> dict[str, Any]:
    return api_document(request, doc_id, None)


@router.get("/document/{doc_id}", response_class=HTMLResponse)
def document(request: Request, doc_id: str, hl: str | None = Query(None, pattern=r"^\d+-\d+$")) -> HTMLResponse:
    data = api_document(request, doc_id, hl)  # the span comes back moved to the (redacted) text's offsets
    span = tuple(data["highlight"]) if data.get("highlight") else None
    return _render(request, "document.html", {**data, "pieces": _pieces(data["text"], data["mentions"], span)})


def _pieces(text: str, mentions: list[dict[str, Any]], hl: tuple[int, ...] | None = None) -> list[dict[str, Any]]:
    """The text cut into plain runs and linked mentions, the fact's sentence marked (the template escapes every piece)."""
    cuts = {0, len(text)}
    if hl and len(hl) == 2 and 0 <= hl[0] < hl[1] <= len(text):
        cuts |= {hl[0], hl[1]}
    for m in mentions:
        cuts |= {m["start"], m["end"]}
    by_start = {m["start"]: m for m in mentions}
    out: list[dict[str, Any]] = []
    points = sorted(cuts)
    covered_until = 0
    for a, b in zip(points, points[1:], strict=False):
        here = by_start.get(a)
        piece: dict[str, Any] = {"text": text[a:b], "hl": bool(hl and len(hl) == 2 and hl[0] <= a and b <= hl[1])}
        if here is not None and a >= covered_until and here["end"] == b:
            piece["mention"] = here
            covered_until = b
        piece["first_hl"] = piece["hl"] and bool(hl) and a == hl[0]  # type: ignore[index]
        out.append(piece)
    return out


@router.get("/graph/{entity_id}.json")
def graph_json(request: Request, entity_id: int, depth: int = Query(1, ge=1, le=3), predicate: list[str] | None = Query(None)) -> dict[str, Any]:
    return api_graph(request, entity_id, depth, predicate)


@router.get("/graph/{entity_id}", response_class=HTMLResponse)
def graph(request: Request, entity_id: int, depth: int = Query(1, ge=1, le=3), predicate: list[str] | None = Query(None)) -> HTMLResponse:
    data = api_graph(request, entity_id, depth, predicate)
    center = next(n for n in data["nodes"] if n["id"] == entity_id)
    return _render(request, "graph.html", {**data, "center_node": center, "predicates": sorted(load_schema().relation_types),
                                            "chosen": predicate or []})


@router.get("/path.json")
def path_json(request: Request, source: int = Query(..., alias="from"), target: int = Query(..., alias="to")) -> dict[str, Any]:
    try:
        return {"ok": True, "steps": query.path(request.app.state.store, source, target, reveal_protected=reveal_requested(request),
                                                visible=visibility(request))}
    except KeyError as e:
        raise not_found(f"entity {e.args[0]}") from e


@router.get("/path", response_class=HTMLResponse)
def path(request: Request, source: int = Query(..., alias="from"), target: int = Query(..., alias="to")) -> HTMLResponse:
    data = path_json(request, source, target)
    store = request.app.state.store
    names = {i: query.entity_page(store, i, reveal_protected=reveal_requested(request), visible=visibility(request), per_page=0)["name"]
             for i in (source, target)}
    return _render(request, "path.html", {**data, "source": source, "target": target, "names": names})


@router.get("/events.json")
def events_json(request: Request, type: str | None = None, since: str | None = None, entity: int | None = None,
                country: str | None = Query(None, min_length=2, max_length=2)) -> dict[str, Any]:
    return api_events(request, type, since, entity, country, 500)


@router.get("/events", response_class=HTMLResponse)
def events(request: Request, type: str | None = None, since: str | None = None, entity: int | None = None,
           country: str | None = Query(None, min_length=2, max_length=2)) -> HTMLResponse:
    data = api_events(request, type, since, entity, country, 500)
    return _render(request, "events.html", {**data, "types": sorted(load_schema().event_types), "type": type, "since": since,
                                             "country": country})


@lru_cache(maxsize=1)
def _world_svg() -> str:
    """The world map that the pygal_maps_world package ships (countries as ISO-coded groups)."""
    import pygal_maps_world

    svg = (Path(pygal_maps_world.__file__).parent / "worldmap.svg").read_text(encoding="utf-8")
    return svg[svg.index("<svg"):]


@router.get("/map.json")
def map_json(request: Request) -> dict[str, Any]:
    return {"ok": True, **query.events_by_place(request.app.state.store, visible=visibility(request))}


@router.get("/map", response_class=HTMLResponse)
def world_map(request: Request) -> HTMLResponse:
    data = query.events_by_place(request.app.state.store, visible=visibility(request))
    return _render(request, "map.html", {**data, "svg": Markup(_world_svg())})
