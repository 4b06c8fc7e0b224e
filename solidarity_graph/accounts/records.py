"""Whether one account may see a record of the international program, or a fact, named by its id.

The program's read functions filter with the ``*_ok`` predicates here (row in, yes or no out); the
web app's accounts layer answers 404 for a page or a change that names a record the account may
not see (:func:`record_ok`), before any route runs.

- an **exchange** proposed from an event goes with that event;
- a **commitment** goes with its document (and with a hidden subject or addressee);
- a **site** goes with its document and its employer; a hidden union at a site is left out;
- an **alert** goes with the document it quotes, its event and the entity that matched;
- a **watch** or a **contact** goes with its entity.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from solidarity_graph.accounts.visibility import Visibility
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["exchange_ok", "commitment_ok", "site_ok", "alert_ok", "record_ok", "fact_ok", "curation_ok", "shown"]

# what a curation's target names: "entity 3 <- 5", "exchange 2 member 7", "exchange 2 item 4", "relation 9"
_TARGET = re.compile(r"\b(entity|event|relation|exchange|commitment|site|contact|member|item|<-|->)\s+(\d+)")


def shown(vis: Visibility, ents: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Entity records (``names_of``'s ``{id: {"id", "name", ...}}``) without the hidden ones, names as visible documents give them."""
    if not vis.active:
        return ents
    return {i: {**e, "name": vis.name(i, e["name"])} for i, e in ents.items() if vis.entity_ok(i)}


def exchange_ok(conn: Connection, vis: Visibility, row: Any) -> bool:
    """An exchange proposed from an event (found again by fingerprint after re-extraction) only with that event."""
    if not vis.active or row.event_fingerprint is None:
        return True
    event_id = row.event_id
    if event_id is None:
        event_id = conn.execute(select(t.events.c.id).where(t.events.c.fingerprint == row.event_fingerprint).limit(1)).scalar()
    return vis.event_ok(event_id)


def commitment_ok(vis: Visibility, row: Any) -> bool:
    """A commitment from a visible document (or entered by hand) whose subject and addressee are visible."""
    return (vis.document_ok(row.document_id) and vis.document_ok(row.origin_document)
            and vis.entity_ok(row.subject_id) and vis.entity_ok(row.object_id))


def site_ok(vis: Visibility, row: Any) -> bool:
    """A site from a visible document (or entered by hand) of a visible employer."""
    return vis.document_ok(row.document_id) and vis.entity_ok(row.employer_id)


def alert_ok(vis: Visibility, row: Any) -> bool:
    """An alert whose quoted document, event and matched entity are visible."""
    snapshot = row.snapshot or {}
    return (vis.document_ok(snapshot.get("document")) and vis.event_ok(row.event_id)
            and vis.entity_ok(row.entity_id) and vis.entity_ok(getattr(row, "watched_id", None)))


def fact_ok(store: Store, vis: Visibility, kind: str, fact_id: int) -> bool:
    """True when the extracted event or relation ``fact_id`` is visible (or not there at all: the route says so)."""
    if not vis.active:
        return True
    if kind == "event":
        return vis.event_ok(fact_id)
    with store.connect() as conn:
        r = conn.execute(select(t.relations.c.document_id, t.relations.c.subject_id, t.relations.c.object_id)
                         .where(t.relations.c.id == fact_id)).first()
    return r is None or vis.relation_ok(r.document_id, r.subject_id, r.object_id)


def record_ok(store: Store, vis: Visibility, what: str, ref: str) -> bool:
    """True when the record ``what`` ("exchange", "commitment", "exchange item", "site", "entity", "document")
    numbered ``ref`` may be seen; a record that is not there counts as visible (its route answers 404 itself)."""
    if not vis.active:
        return True
    if what == "document":
        return vis.document_ok(ref)
    if not ref.isdigit():
        return True
    if what == "entity":
        return vis.entity_ok(int(ref))
    with store.connect() as conn:
        if what == "exchange item":
            item = conn.execute(select(t.exchange_items).where(t.exchange_items.c.id == int(ref))).first()
            if item is None:
                return True
            if not vis.event_ok(item.event_id):
                return False
            what, ref = "exchange", str(item.exchange_id)
        table = {"exchange": t.exchanges, "commitment": t.commitments, "site": t.sites}[what]
        row = conn.execute(select(table).where(table.c.id == int(ref))).first()
        if row is None:
            return True
        if what == "exchange":
            return exchange_ok(conn, vis, row)
    return commitment_ok(vis, row) if what == "commitment" else site_ok(vis, row)


def curation_ok(store: Store, vis: Visibility, entry: dict[str, Any]) -> bool:
    """True when an audit-log entry names nothing hidden: every record its target names is visible, and
    no hidden entity's name or hidden document's id appears anywhere in it."""
    if not vis.active:
        return True
    for kind, ref in _TARGET.findall(str(entry.get("target") or "")):
        what = {"member": "entity", "<-": "entity", "->": "entity", "item": "exchange item"}.get(kind, kind)
        if what in ("event", "relation"):
            ok = fact_ok(store, vis, what, int(ref))
        elif what == "contact":
            with store.connect() as conn:
                ok = vis.entity_ok(conn.execute(select(t.contacts.c.entity_id).where(t.contacts.c.id == int(ref))).scalar())
        else:
            ok = record_ok(store, vis, what, ref)
        if not ok:
            return False
    text = json.dumps(entry, ensure_ascii=False, default=str)
    return not vis.names_hidden_in(text) and not set(re.findall(r"[\w.:-]+", text)) & vis.hidden_documents
