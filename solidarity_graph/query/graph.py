"""The graph around an entity and the paths between two: relations, and events as shared ground.

Edges are the stored relations; two entities that took part in one event are joined through it
(an ``event`` edge), so "how is UE connected to KCTU?" can answer "both joined the May Day rally".

The graph is read one frontier at a time, never whole: the relations of the entities one step out
(by the subject and object indexes) and the events they took part in (by the participants' entity
index), grouped in SQL. Parallel facts between two entities make one edge with a ``weight``: the
relations stating one predicate (shown by the first of them), and the events both took part in
(shown by the last one stored). A hub is followed to its ``max_neighbors`` strongest neighbours only
(KCTU has thousands on 100,000 documents); the answer names the entities cut so in ``capped``.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, union

from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.query import batch
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["neighborhood", "path", "MAX_NEIGHBORS"]

MAX_NEIGHBORS = 50  # neighbours followed from one entity; the strongest (most facts shared) first


@dataclass
class Link:
    """Everything of one kind that joins two entities: the relations stating one predicate, or their shared events."""

    source: int  # the subject of a relation; for events, the entity it was reached from
    target: int
    predicate: str  # a relation type, or "event"
    weight: int  # how many relations or events
    shown: int  # the relation (the first) or event (the last stored) that stands for them all

    def other(self, node: int) -> int:
        """The end that is not ``node``."""
        return self.target if node == self.source else self.source


Links = dict[int, dict[tuple[int, str], Link]]  # entity -> (neighbour, predicate) -> link


def _told_by_hidden(visible: Visibility) -> Any:
    """Events a hidden document tells (as its own or a further source): those whose participants are checked one by one."""
    hidden, e, s = visible.hidden_select(), t.events, t.event_sources
    return union(select(e.c.id).where(e.c.document_id.in_(hidden)), select(s.c.event_id).where(s.c.document_id.in_(hidden)))


def _add(links: Links, node: int, link: Link) -> None:
    """File ``link`` under ``node``, merged with one of the same kind to the same neighbour (weights add up)."""
    key = (link.other(node), link.predicate)
    have = links.setdefault(node, {}).get(key)
    if have is None:
        links[node][key] = link
    elif link.predicate == "event":
        links[node][key] = Link(have.source, have.target, "event", have.weight + link.weight, max(have.shown, link.shown))
    else:  # a relation stated both ways: shown by the first, in its direction
        first = have if have.shown <= link.shown else link
        links[node][key] = Link(first.source, first.target, first.predicate, have.weight + link.weight, first.shown)


def _relation_links(conn: Any, frontier: list[int], predicates: set[str] | None, visible: Visibility, links: Links) -> None:
    """The relations of the entities ``frontier``, grouped by their ends and predicate."""
    r = t.relations
    for end, node_col in (("subject", r.c.subject_id), ("object", r.c.object_id)):
        q = (select(r.c.subject_id, r.c.object_id, r.c.predicate, func.count().label("n"), func.min(r.c.id).label("first"))
             .where(node_col.in_(frontier), r.c.subject_id != r.c.object_id, visible.documents_clause(r.c.document_id, hand_made=True))
             .group_by(r.c.subject_id, r.c.object_id, r.c.predicate))
        if predicates:
            q = q.where(r.c.predicate.in_(sorted(predicates)))
        for subject, obj, predicate, n, first in conn.execute(q).all():
            if visible.entity_ok(subject) and visible.entity_ok(obj):
                _add(links, subject if end == "subject" else obj, Link(subject, obj, predicate, n, first))


def _event_links(conn: Any, frontier: list[int], visible: Visibility, links: Links) -> None:
    """The events the entities ``frontier`` took part in with others, grouped by the pair: how many, and the last."""
    p1, p2 = t.event_participants.alias("p1"), t.event_participants.alias("p2")
    q = (select(p1.c.entity_id.label("a"), p2.c.entity_id.label("b"), func.count().label("n"), func.max(p1.c.event_id).label("last"))
         .join(p2, (p2.c.event_id == p1.c.event_id) & (p2.c.entity_id != p1.c.entity_id))
         .where(p1.c.entity_id.in_(frontier), visible.events_clause(p1.c.event_id)).group_by(p1.c.entity_id, p2.c.entity_id))
    if visible.active:  # where a hidden document tells the event too, only the participants a visible one names count
        q = q.where(p1.c.event_id.not_in(_told_by_hidden(visible)))
        _mixed_event_links(conn, frontier, visible, links)
    for a, b, n, last in conn.execute(q).all():
        if visible.entity_ok(a) and visible.entity_ok(b):
            _add(links, a, Link(a, b, "event", n, last))


def _mixed_event_links(conn: Any, frontier: list[int], visible: Visibility, links: Links) -> None:
    """The shared events that a hidden document tells too, participant by participant as ``visible`` says."""
    ep = t.event_participants
    theirs = select(ep.c.event_id).where(ep.c.entity_id.in_(frontier), ep.c.event_id.in_(_told_by_hidden(visible)),
                                         visible.events_clause(ep.c.event_id))
    members: dict[int, list[int]] = {}
    for x in conn.execute(select(ep.c.event_id, ep.c.entity_id).where(ep.c.event_id.in_(theirs)).order_by(ep.c.event_id, ep.c.entity_id)):
        if visible.participant_ok(x.event_id, x.entity_id):
            members.setdefault(x.event_id, []).append(x.entity_id)
    inside = set(frontier)
    for ev_id, who in members.items():
        for a in who:
            for b in who:
                if a != b and a in inside:
                    _add(links, a, Link(a, b, "event", 1, ev_id))


def _links(conn: Any, frontier: list[int], predicates: set[str] | None, visible: Visibility) -> Links:
    """What joins each entity of ``frontier`` to others, read a chunk of entities at a time."""
    links: Links = {}
    for part in batch.chunks(frontier):
        _relation_links(conn, part, predicates, visible, links)
        if not predicates or "event" in predicates:
            _event_links(conn, part, visible, links)
    return links


def _weights(links: dict[tuple[int, str], Link]) -> dict[int, int]:
    """The neighbours of one entity, each with the number of facts they share."""
    weight: dict[int, int] = {}
    for (other, _), link in links.items():
        weight[other] = weight.get(other, 0) + link.weight
    return weight


def _strongest(weight: dict[int, int], n: int) -> list[int]:
    """The ``n`` neighbours that share the most facts (then by id)."""
    return heapq.nsmallest(n, weight, key=lambda other: (-weight[other], other))


def _edge_details(conn: Any, chosen: list[Link], visible: Visibility) -> dict[tuple[str, int], dict[str, Any]]:
    """The quote, document and the rest that each link shows, from its relation or event."""
    r, ev = t.relations, t.events
    out: dict[tuple[str, int], dict[str, Any]] = {}
    rel_ids = [x.shown for x in chosen if x.predicate != "event"]
    ev_ids = [x.shown for x in chosen if x.predicate == "event"]
    for part in batch.chunks(rel_ids):
        for x in conn.execute(select(r.c.id, r.c.predicate, r.c.quote, r.c.document_id).where(r.c.id.in_(part))):
            out["relation", x.id] = {"predicate": x.predicate, "quote": x.quote, "document": x.document_id, "relation_id": x.id}
    for part in batch.chunks(ev_ids):
        for x in conn.execute(select(ev.c.id, ev.c.type, ev.c.quote, ev.c.document_id, ev.c.date).where(ev.c.id.in_(part))):
            quote, doc = x.quote, x.document_id
            source = visible.event_source(x.id)
            if source is not None:  # told from a visible document where its own is hidden
                quote, doc = source["quote"], source["document"]
            out["event", x.id] = {"predicate": "event", "event_type": x.type, "event_id": x.id, "date": x.date, "quote": quote, "document": doc}
    return out


def _detail(details: dict[tuple[str, int], dict[str, Any]], link: Link) -> dict[str, Any]:
    return details["event" if link.predicate == "event" else "relation", link.shown]


def _nodes(conn: Any, ids: list[int], visible: Visibility) -> dict[int, dict[str, Any]]:
    """The entities ``ids`` that ``visible`` lets through, as graph nodes (id, name, type, kind, country)."""
    e = t.entities
    out = {}
    for part in batch.chunks(ids):
        for x in conn.execute(select(e.c.id, e.c.name, e.c.type, e.c.kind, e.c.country).where(e.c.id.in_(part))):
            if visible.entity_ok(x.id):
                out[x.id] = {"id": x.id, "name": visible.name(x.id, x.name), "type": x.type, "kind": x.kind, "country": x.country}
    return out


EXPAND = 10  # entities whose links are read at a time: the node limit is often reached within the first few hubs


def neighborhood(store: Store, entity_id: int, *, depth: int = 1, predicates: set[str] | None = None,
                 limit: int = 300, max_neighbors: int = MAX_NEIGHBORS, reveal_protected: bool = False,
                 visible: Visibility = EVERYTHING) -> dict[str, Any]:
    """Nodes and edges within ``depth`` steps (1-3) of an entity, at most ``limit`` nodes and ``max_neighbors`` followed
    from each (protected people redacted), of the relations and events ``visible`` lets through.

    Each edge has a ``weight``: the relations of its predicate, or the events both took part in. ``capped`` lists the
    entities with more neighbours than were followed (``neighbors``: how many they have); ``truncated`` says the
    node limit was reached (entities further out were not followed).
    """
    from solidarity_graph.program.protect import Redactor

    depth = max(1, min(3, depth))
    with store.connect() as conn:
        if not _nodes(conn, [entity_id], visible):
            raise KeyError(entity_id)
        seen, followed, capped = _spread(conn, entity_id, depth, predicates, limit, max_neighbors, visible)
        chosen: dict[tuple[int, int, str], Link] = {}
        for node, weight, mine in followed:  # the edges of every entity followed, to the entities shown, strongest first
            shown = sorted((key for key in mine if key[0] in seen), key=lambda key: (-weight[key[0]], key))
            for other, predicate in shown:
                chosen.setdefault((min(node, other), max(node, other), predicate), mine[other, predicate])
        details = _edge_details(conn, list(chosen.values()), visible)
        nodes = _nodes(conn, list(seen), visible)
    edges = [{"source": x.source, "target": x.target, **_detail(details, x), "weight": x.weight} for x in chosen.values()]
    out: dict[str, Any] = Redactor.load(store, reveal=reveal_protected).walk(
        {"center": entity_id, "depth": depth, "nodes": [{**nodes[n], "depth": d} for n, d in seen.items()], "edges": edges,
         "max_neighbors": max_neighbors, "capped": capped, "truncated": len(seen) >= limit})
    return out


Followed = list[tuple[int, dict[int, int], dict[tuple[int, str], Link]]]  # (entity, its neighbours' weights, its links)


def _spread(conn: Any, center: int, depth: int, predicates: set[str] | None, limit: int, max_neighbors: int,
            visible: Visibility) -> tuple[dict[int, int], Followed, list[dict[str, int]]]:
    """Breadth-first from ``center``, ``max_neighbors`` followed from each entity, until ``depth`` or ``limit`` entities:
    the entities reached (with their depth), those followed (with their links), and those capped."""
    seen, frontier = {center: 0}, [center]
    followed: Followed = []
    capped: list[dict[str, int]] = []
    for step in range(1, depth + 1):
        following: list[int] = []
        for i in range(0, len(frontier), EXPAND):
            part = frontier[i:i + EXPAND]
            found = _links(conn, part, predicates, visible) if len(seen) < limit else {}
            for node in part:
                if len(seen) >= limit:
                    break
                mine = found.get(node, {})
                weight = _weights(mine)
                if len(weight) > max_neighbors:
                    capped.append({"id": node, "neighbors": len(weight)})
                followed.append((node, weight, mine))
                for other in _strongest(weight, max_neighbors):
                    if other not in seen and len(seen) < limit:
                        seen[other] = step
                        following.append(other)
        frontier = following
        if not frontier or len(seen) >= limit:
            break
    return seen, followed, capped


def path(store: Store, source: int, target: int, *, max_depth: int = 4, reveal_protected: bool = False,
         visible: Visibility = EVERYTHING) -> list[dict[str, Any]]:
    """The shortest chain of relations or shared events from one entity to another ([] when none; protected people redacted),
    through what ``visible`` lets through.

    Searched from both ends at once, a step at a time from the end whose frontier is smaller, so that a hub
    (thousands of neighbours) is crossed at most once.
    """
    from solidarity_graph.program.protect import Redactor

    with store.connect() as conn:
        known = _nodes(conn, [source, target], visible)
        if source not in known or target not in known:
            raise KeyError(source if source not in known else target)
        middle, sides = _meet(conn, source, target, max_depth, visible)
        if middle is None:
            return []
        chain = _chain(sides, middle)
        details = _edge_details(conn, [link for _, _, link in chain], visible)
        nodes = _nodes(conn, sorted({n for a, b, _ in chain for n in (a, b)}), visible)
    steps = [{"from": nodes[a], "to": nodes[b], **_detail(details, link)} for a, b, link in chain]
    out: list[dict[str, Any]] = Redactor.load(store, reveal=reveal_protected).walk(steps)
    return out


Reached = dict[int, tuple[int, Link] | None]  # entity -> (the entity it was reached from, by what), None at the start


def _meet(conn: Any, source: int, target: int, max_depth: int, visible: Visibility) -> tuple[int | None, tuple[Reached, Reached]]:
    """Breadth-first from both ends until they meet within ``max_depth`` steps: the entity where they met (None if
    they do not), and how each side reached what it reached."""
    sides: tuple[Reached, Reached] = ({source: None}, {target: None})
    frontiers = [[source], [target]]
    if source == target:
        return source, sides
    for _ in range(max_depth):
        i = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        reached, other = sides[i], sides[1 - i]
        found = _links(conn, frontiers[i], None, visible)
        following: list[int] = []
        for node in frontiers[i]:
            for (nxt, _), link in sorted(found.get(node, {}).items(), key=lambda kv: (kv[0][0], kv[0][1] == "event", kv[0][1])):
                if nxt not in reached:
                    reached[nxt] = (node, link)
                    following.append(nxt)
        met = [n for n in following if n in other]
        if met:
            return met[0], sides
        if not following:
            break
        frontiers[i] = following
    return None, sides


def _chain(sides: tuple[Reached, Reached], middle: int) -> list[tuple[int, int, Link]]:
    """The steps (from, to, link) from the source to the target through ``middle``."""
    before: list[tuple[int, int, Link]] = []
    cur = middle
    while (back := sides[0][cur]) is not None:
        before.append((back[0], cur, back[1]))
        cur = back[0]
    after: list[tuple[int, int, Link]] = []
    cur = middle
    while (back := sides[1][cur]) is not None:
        after.append((cur, back[0], back[1]))
        cur = back[0]
    return list(reversed(before)) + after
