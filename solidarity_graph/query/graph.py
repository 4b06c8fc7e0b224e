"""The graph around an entity and the paths between two: relations, and events as shared ground.

Edges are the stored relations; two entities that took part in one event are joined through it
(an ``event`` edge), so "how is UE connected to KCTU?" can answer "both joined the May Day rally".
"""

from __future__ import annotations

from collections import deque
from typing import Any

from sqlalchemy import select

from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["neighborhood", "path"]


def _edges(store: Store, predicates: set[str] | None = None, events: bool = True, visible: Visibility = EVERYTHING,
           ) -> tuple[dict[int, list[tuple[int, dict[str, Any]]]], dict[int, Any]]:
    adj: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    with store.connect() as conn:
        ents = {r.id: r for r in conn.execute(select(t.entities.c.id, t.entities.c.name, t.entities.c.type, t.entities.c.kind, t.entities.c.country))
                if visible.entity_ok(r.id)}
        for r in conn.execute(select(t.relations).order_by(t.relations.c.id)):
            if predicates and r.predicate not in predicates or not visible.relation_ok(r.document_id, r.subject_id, r.object_id):
                continue
            edge = {"predicate": r.predicate, "quote": r.quote, "document": r.document_id, "relation_id": r.id}
            adj.setdefault(r.subject_id, []).append((r.object_id, edge))
            adj.setdefault(r.object_id, []).append((r.subject_id, {**edge, "reverse": True}))
        if events and (not predicates or "event" in predicates):
            by_event: dict[int, list[int]] = {}
            for r in conn.execute(select(t.event_participants.c.event_id, t.event_participants.c.entity_id)
                                   .where(visible.events_clause(t.event_participants.c.event_id))
                                   .order_by(t.event_participants.c.event_id, t.event_participants.c.entity_id)):
                if visible.participant_ok(r.event_id, r.entity_id):
                    by_event.setdefault(r.event_id, []).append(r.entity_id)
            quotes = {r.id: (r.type, r.quote, r.document_id, r.date) for r in conn.execute(
                select(t.events.c.id, t.events.c.type, t.events.c.quote, t.events.c.document_id, t.events.c.date))}
            for ev_id, members in by_event.items():
                typ, quote, doc, date = quotes[ev_id]
                source = visible.event_source(ev_id)
                if source is not None:  # told from a visible document where its own is hidden
                    quote, doc = source["quote"], source["document"]
                for a in members:
                    for b in members:
                        if a != b:
                            adj.setdefault(a, []).append((b, {"predicate": "event", "event_type": typ, "event_id": ev_id,
                                                              "date": date, "quote": quote, "document": doc}))
    return adj, ents


def _node(ents: dict[int, Any], eid: int, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    e = ents[eid]
    return {"id": eid, "name": visible.name(eid, e.name), "type": e.type, "kind": e.kind, "country": e.country}


def neighborhood(store: Store, entity_id: int, *, depth: int = 1, predicates: set[str] | None = None,
                 limit: int = 300, reveal_protected: bool = False, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    """Nodes and edges within ``depth`` steps (1-3) of an entity, at most ``limit`` nodes (protected people redacted),
    of the relations and events ``visible`` lets through."""
    from solidarity_graph.program.protect import Redactor

    depth = max(1, min(3, depth))
    adj, ents = _edges(store, predicates, visible=visible)
    if entity_id not in ents:
        raise KeyError(entity_id)
    seen = {entity_id: 0}
    queue = deque([entity_id])
    edges: dict[tuple[int, int, str], dict[str, Any]] = {}
    while queue and len(seen) < limit:
        cur = queue.popleft()
        if seen[cur] >= depth:
            continue
        for nxt, edge in adj.get(cur, []):
            a, b = (nxt, cur) if edge.get("reverse") else (cur, nxt)
            key = (min(a, b), max(a, b), str(edge.get("event_id") or edge["predicate"]))
            if nxt not in seen:
                if len(seen) >= limit:
                    continue
                seen[nxt] = seen[cur] + 1
                queue.append(nxt)
            edges.setdefault(key, {"source": a, "target": b, **{k: v for k, v in edge.items() if k != "reverse"}})
    nodes = [{**_node(ents, n, visible), "depth": d} for n, d in seen.items()]
    out: dict[str, Any] = Redactor.load(store, reveal=reveal_protected).walk(
        {"center": entity_id, "depth": depth, "nodes": nodes, "edges": [e for e in edges.values() if e["source"] in seen and e["target"] in seen]})
    return out


def path(store: Store, source: int, target: int, *, max_depth: int = 4, reveal_protected: bool = False,
         visible: Visibility = EVERYTHING) -> list[dict[str, Any]]:
    """The shortest chain of relations or shared events from one entity to another ([] when none; protected people redacted),
    through what ``visible`` lets through."""
    from solidarity_graph.program.protect import Redactor

    adj, ents = _edges(store, visible=visible)
    if source not in ents or target not in ents:
        raise KeyError(source if source not in ents else target)
    prev: dict[int, tuple[int, dict[str, Any]] | None] = {source: None}
    queue = deque([(source, 0)])
    while queue:
        cur, d = queue.popleft()
        if cur == target:
            break
        if d >= max_depth:
            continue
        for nxt, edge in adj.get(cur, []):
            if nxt not in prev:
                prev[nxt] = (cur, edge)
                queue.append((nxt, d + 1))
    if target not in prev:
        return []
    steps = []
    cur = target
    while prev[cur] is not None:
        before, edge = prev[cur]  # type: ignore[misc]
        steps.append({"from": _node(ents, before, visible), "to": _node(ents, cur, visible), **{k: v for k, v in edge.items() if k != "reverse"}})
        cur = before
    out: list[dict[str, Any]] = Redactor.load(store, reveal=reveal_protected).walk(list(reversed(steps)))
    return out
