"""Curation: merge, split an alias off, rename, set kind or country, accept or reject a fact, add one.

Every change is one transaction and one row of the audit log (who, when, before, after, note), and
survives re-extraction: merged names stay aliases of the kept entity (so the resolver sends them
there), a split alias belongs to its new entity, a review sticks to the fact's fingerprint, and a
hand-made fact belongs to no document.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from solidarity_graph.errors import InputError
from solidarity_graph.resolve import fold_name
from solidarity_graph.schema import load_schema
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["merge_entities", "split_alias", "rename_entity", "set_attribute", "review_fact", "add_fact", "audit_log"]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _entity(conn: Connection, eid: int) -> Any:
    row = conn.execute(select(t.entities).where(t.entities.c.id == eid)).first()
    if row is None:
        raise InputError(f"no entity {eid}", field="entity")
    return row


def _log(conn: Connection, who: str, action: str, target: str, before: Any, after: Any, note: str | None) -> int:
    result = conn.execute(insert(t.curations).values(at=_now(), who=who, action=action, target=target,
                                                     before=before, after=after, note=note))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


log_change = _log  # the audit log, for the program's modules: log_change(conn, who, action, target, before, after, note)


def _snapshot(conn: Connection, eid: int) -> dict[str, Any]:
    e = _entity(conn, eid)
    aliases = sorted(r[0] for r in conn.execute(select(t.aliases.c.name).where(t.aliases.c.entity_id == eid)))
    return {"id": e.id, "type": e.type, "name": e.name, "kind": e.kind, "country": e.country, "aliases": aliases}


def merge_entities(store: Store, keep: int, drop: int, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Fold entity ``drop`` into ``keep``: names, mentions, facts and children move; ``drop`` goes."""
    if keep == drop:
        raise InputError("an entity cannot be merged into itself", field="drop")
    with store.engine.begin() as conn:
        a, b = _snapshot(conn, keep), _snapshot(conn, drop)
        if a["type"] != b["type"]:
            raise InputError(f"cannot merge a {b['type']} into a {a['type']}", field="drop")
        have = {fold_name(n) for n in a["aliases"]}
        for row in conn.execute(select(t.aliases).where(t.aliases.c.entity_id == drop)).all():
            if row.norm in have:
                conn.execute(delete(t.aliases).where(t.aliases.c.id == row.id))
            else:
                conn.execute(update(t.aliases).where(t.aliases.c.id == row.id).values(entity_id=keep, source="curator_merge"))
        for table, col in ((t.mentions, "entity_id"), (t.relations, "subject_id"), (t.relations, "object_id"),
                           (t.events, "place_id"), (t.decisions, "entity_id"), (t.entities, "parent_id")):
            conn.execute(update(table).where(table.c[col] == drop).values({col: keep}))
        kept_events = {r[0] for r in conn.execute(select(t.event_participants.c.event_id).where(t.event_participants.c.entity_id == keep))}
        for r in conn.execute(select(t.event_participants).where(t.event_participants.c.entity_id == drop)).all():
            if r.event_id in kept_events:
                conn.execute(delete(t.event_participants).where(t.event_participants.c.event_id == r.event_id,
                                                                t.event_participants.c.entity_id == drop))
            else:
                conn.execute(update(t.event_participants).where(t.event_participants.c.event_id == r.event_id,
                                                                t.event_participants.c.entity_id == drop).values(entity_id=keep))
        _merge_program_rows(conn, keep, drop)
        conn.execute(delete(t.relations).where(t.relations.c.subject_id == t.relations.c.object_id))
        conn.execute(delete(t.entities).where(t.entities.c.id == drop))
        after = _snapshot(conn, keep)
        cid = _log(conn, who, "merge", f"entity {keep} <- {drop}", {"keep": a, "drop": b}, after, note)
        conn.execute(insert(t.decisions).values(entity_id=keep, document_id=None, mention=b["name"], rule="curator_merge",
                                                score=1.0, created_at=_now()))
    store.forget_index()
    return {"curation": cid, "entity": after}


# the core tables merge_entities moves itself; every other column that points at an entity is the program's
_CORE = {("mentions", "entity_id"), ("relations", "subject_id"), ("relations", "object_id"), ("events", "place_id"),
         ("decisions", "entity_id"), ("entities", "parent_id"), ("aliases", "entity_id"), ("event_participants", "entity_id")}


def _merge_program_rows(conn: Connection, keep: int, drop: int) -> None:
    """Exchanges, commitments, sites, contacts, ledger entries, watches, alerts and protections of ``drop``
    become ``keep``'s; where ``keep`` already has the same row (a membership, a watch, a protection) the
    duplicate goes (a watch's alerts move first)."""
    m = t.exchange_members
    for r in conn.execute(select(m).where(m.c.entity_id == drop)).all():
        dup = conn.execute(select(m.c.exchange_id).where(m.c.exchange_id == r.exchange_id, m.c.entity_id == keep,
                                                         m.c.role == r.role)).first()
        where = (m.c.exchange_id == r.exchange_id) & (m.c.entity_id == drop) & (m.c.role == r.role)
        conn.execute(delete(m).where(where) if dup else update(m).where(where).values(entity_id=keep))
    w, al = t.watches, t.alerts
    for r in conn.execute(select(w).where(w.c.entity_id == drop)).all():
        other = conn.execute(select(w.c.id).where(w.c.entity_id == keep, w.c.who == r.who)).scalar()
        if other is None:
            conn.execute(update(w).where(w.c.id == r.id).values(entity_id=keep))
            continue
        seen = {x[0] for x in conn.execute(select(al.c.event_fingerprint).where(al.c.watch_id == other))}
        for a in conn.execute(select(al.c.id, al.c.event_fingerprint).where(al.c.watch_id == r.id)).all():
            if a.event_fingerprint not in seen:
                conn.execute(update(al).where(al.c.id == a.id).values(watch_id=other))
        conn.execute(delete(w).where(w.c.id == r.id))
    p = t.protections
    if conn.execute(select(p.c.entity_id).where(p.c.entity_id == keep)).first():
        conn.execute(delete(p).where(p.c.entity_id == drop))
    else:  # a protected name stays protected under the name it is merged into
        conn.execute(update(p).where(p.c.entity_id == drop).values(entity_id=keep))
    special = {"exchange_members", "watches", "protections"}
    for table in t.metadata.sorted_tables:
        if table.name in special:
            continue
        for col in table.columns:
            if (table.name, col.name) in _CORE:
                continue
            if any(fk.column.table.name == "entities" and fk.column.name == "id" for fk in col.foreign_keys):
                conn.execute(update(table).where(col == drop).values({col.name: keep}))


def split_alias(store: Store, entity_id: int, alias: str, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Give ``alias`` an entity of its own; the mentions written that way go with it."""
    norm = fold_name(alias)
    with store.engine.begin() as conn:
        before = _snapshot(conn, entity_id)
        row = conn.execute(select(t.aliases).where(t.aliases.c.entity_id == entity_id, t.aliases.c.norm == norm)).first()
        if row is None:
            raise InputError(f"entity {entity_id} has no alias {alias!r}", field="alias")
        if fold_name(before["name"]) == norm:
            raise InputError("that is the entity's own name: rename it instead", field="alias")
        e = _entity(conn, entity_id)
        result = conn.execute(insert(t.entities).values(type=e.type, name=row.name, kind=e.kind, country=e.country,
                                                         attributes={"split_from": entity_id}, created_at=_now()))
        key = result.inserted_primary_key
        assert key is not None
        new_id = int(key[0])
        conn.execute(update(t.aliases).where(t.aliases.c.id == row.id).values(entity_id=new_id, source="curator_split"))
        for m in conn.execute(select(t.mentions.c.id, t.mentions.c.text).where(t.mentions.c.entity_id == entity_id)).all():
            if fold_name(m.text) == norm:
                conn.execute(update(t.mentions).where(t.mentions.c.id == m.id).values(entity_id=new_id))
        after = {"old": _snapshot(conn, entity_id), "new": _snapshot(conn, new_id)}
        cid = _log(conn, who, "split", f"entity {entity_id} -> {new_id}", before, after, note)
    store.forget_index()
    return {"curation": cid, "entity": after["new"]}


def rename_entity(store: Store, entity_id: int, name: str, *, who: str, note: str | None = None) -> dict[str, Any]:
    """A new canonical name; the old one stays an alias."""
    if not name.strip():
        raise InputError("the name is empty", field="name")
    with store.engine.begin() as conn:
        before = _snapshot(conn, entity_id)
        conn.execute(update(t.entities).where(t.entities.c.id == entity_id).values(name=name.strip()))
        if fold_name(name) not in {fold_name(a) for a in before["aliases"]}:
            conn.execute(insert(t.aliases).values(entity_id=entity_id, name=name.strip(), norm=fold_name(name)[:300], source="curator"))
        after = _snapshot(conn, entity_id)
        cid = _log(conn, who, "rename", f"entity {entity_id}", before, after, note)
    store.forget_index()
    return {"curation": cid, "entity": after}


def set_attribute(store: Store, entity_id: int, field: str, value: str | None, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Set an entity's ``kind`` or ``country`` (ISO 3166-1 alpha-2)."""
    if field not in ("kind", "country"):
        raise InputError("only kind and country can be set", field="field")
    with store.engine.begin() as conn:
        before = _snapshot(conn, entity_id)
        if field == "kind" and value and value not in load_schema().kinds.get(before["type"], set()):
            raise InputError(f"unknown {before['type']} kind {value!r}", field="kind")
        if field == "country" and value and (len(value) != 2 or not value.isalpha()):
            raise InputError("a country is a two-letter ISO code", field="country")
        conn.execute(update(t.entities).where(t.entities.c.id == entity_id).values({field: value.upper() if field == "country" and value else value}))
        after = _snapshot(conn, entity_id)
        cid = _log(conn, who, f"set_{field}", f"entity {entity_id}", before, after, note)
    return {"curation": cid, "entity": after}


def review_fact(store: Store, kind: str, fact_id: int, status: str, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Accept or reject an extracted relation or event; the verdict holds when it is extracted again."""
    table = {"relation": t.relations, "event": t.events}.get(kind)
    if table is None:
        raise InputError("a fact is a relation or an event", field="kind")
    if status not in ("accepted", "rejected"):
        raise InputError("status is accepted or rejected", field="status")
    with store.engine.begin() as conn:
        row = conn.execute(select(table).where(table.c.id == fact_id)).first()
        if row is None:
            raise InputError(f"no {kind} {fact_id}", field="id")
        cid = _log(conn, who, status[:-2] if status.endswith("ed") else status, f"{kind} {fact_id}",
                   {"review": row.review}, {"review": status}, note)
        conn.execute(update(table).where(table.c.id == fact_id).values(review=status))
        if row.fingerprint:
            conn.execute(delete(t.fact_reviews).where(t.fact_reviews.c.fingerprint == row.fingerprint))
            conn.execute(insert(t.fact_reviews).values(fingerprint=row.fingerprint, status=status, curation_id=cid))
    return {"curation": cid, "review": status}


def add_fact(store: Store, subject_id: int, predicate: str, object_id: int, *, who: str, note: str,
             attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A relation made by hand, with the curator's note as its quote; it belongs to no document."""
    rtype = load_schema().check_relation(predicate)
    if not note.strip():
        raise InputError("a hand-made fact needs a note saying where it comes from", field="note")
    with store.engine.begin() as conn:
        s, o = _entity(conn, subject_id), _entity(conn, object_id)
        if s.type not in rtype.subject or o.type not in rtype.object:
            raise InputError(f"{predicate} joins {'/'.join(rtype.subject)} to {'/'.join(rtype.object)}", field="predicate")
        result = conn.execute(insert(t.relations).values(
            document_id=None, subject_id=subject_id, predicate=predicate, object_id=object_id, attributes=attributes or None,
            start=0, end=0, quote=note.strip(), extractor=f"curator:{who}", confidence=1.0, review="accepted"))
        key = result.inserted_primary_key
        assert key is not None
        rel_id = int(key[0])
        cid = _log(conn, who, "add_fact", f"relation {rel_id}", None,
                   {"subject": s.name, "predicate": predicate, "object": o.name, "attributes": attributes}, note)
    return {"curation": cid, "relation": rel_id}


def audit_log(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    """The latest curations, newest first."""
    with store.connect() as conn:
        rows = conn.execute(select(t.curations).order_by(t.curations.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]
