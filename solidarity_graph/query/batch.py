"""Batched look-ups the query functions share: names and event participants of the rows one page shows.

A page asks for what it shows, in a few ``IN`` queries, instead of one query per event or the
name of every entity in the store (issue 7: on 100,000 documents that made an entity page take seconds).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select

from solidarity_graph.accounts.visibility import Visibility
from solidarity_graph.store import tables as t

__all__ = ["chunks", "names", "participants", "event_record", "page_names"]

CHUNK = 900  # ids per IN list, well under SQLite's bound on bound parameters


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    """The distinct ``ids``, sorted, in lists of at most ``size``."""
    todo = sorted(set(ids))
    for i in range(0, len(todo), size):
        yield todo[i:i + size]


def names(conn: Any, ids: Iterable[int], visible: Visibility) -> dict[int, str]:
    """``{id: name}`` of the entities ``ids`` that ``visible`` lets through, named as it says."""
    out: dict[int, str] = {}
    for part in chunks(ids):
        out.update(visible.names(conn.execute(select(t.entities.c.id, t.entities.c.name).where(t.entities.c.id.in_(part)))))
    return out


def participants(conn: Any, event_ids: Iterable[int], visible: Visibility) -> dict[int, list[int]]:
    """``{event id: [entity id, ...]}``: the participants a visible document names, by entity id."""
    ep = t.event_participants
    out: dict[int, list[int]] = {}
    for part in chunks(event_ids):
        for r in conn.execute(select(ep.c.event_id, ep.c.entity_id).where(ep.c.event_id.in_(part)).order_by(ep.c.event_id, ep.c.entity_id)):
            if visible.participant_ok(r.event_id, r.entity_id):
                out.setdefault(r.event_id, []).append(r.entity_id)
    return out


def event_record(ev: Any, parts: dict[int, list[int]], named: dict[int, str], visible: Visibility, **extra: Any) -> dict[str, Any]:
    """The fields every event listing shows (and ``extra``): place and participants by their visible names
    (``named`` must hold them), quote and span from a visible source."""
    place = named.get(ev.place_id) if ev.place_id and visible.participant_ok(ev.id, ev.place_id) else None
    return visible.rehome_event({"id": ev.id, "type": ev.type, "status": ev.status, "date": ev.date, "date_end": ev.date_end,
                                 "place": place, "participants": [named[p] for p in parts.get(ev.id, [])], "size": ev.size,
                                 "quote": ev.quote, "document": ev.document_id, "span": [ev.start, ev.end], **extra})


def page_names(conn: Any, rows: list[Any], parts: dict[int, list[int]], visible: Visibility) -> dict[int, str]:
    """The visible names of the places and participants of events ``rows``."""
    return names(conn, [p for ps in parts.values() for p in ps] + [r.place_id for r in rows if r.place_id], visible)
