"""What one account may see: the documents of collections it has no grant on, and every fact taken only from them, hidden.

A request is served with one :class:`Visibility`. :data:`EVERYTHING` (the default of every query
function, the CLI's and an admin's) hides nothing and costs nothing. For any other account the
hidden documents are read once (one query); the rest is worked out the first time it is needed:

- a **document** is hidden when it is in at least one collection and in none the account is granted;
- an **entity** is hidden when every document that speaks of it (its mentions, the resolver's
  decisions) is hidden; one also seen in a visible document stays, under a name a visible document
  gives it when only a hidden one gave the stored name;
- an **event** is hidden when its document and every further source are hidden; an event told by a
  hidden and a visible report is shown from the visible one, with only the participants named there;
- a **relation**, **quantity**, **mention**, **commitment**, **site** or **alert** goes with its
  document; a hand-made fact (no document) stays unless it names a hidden entity.

:meth:`Visibility.prune` is the safety net the web app runs over every JSON body and page context:
it drops any object whose ``document``/``document_id``/``origin_document`` is hidden, whose
``entity_id`` is a hidden entity, or which is a hidden entity's own record (``id`` and an entity ``type``).
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property
from typing import Any

from sqlalchemy import exists, or_, select, true, union
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from solidarity_graph.resolve import fold_name
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["Visibility", "EVERYTHING", "RESTRICTED"]

RESTRICTED = "[restricted]"  # in place of a name only hidden documents give, where a record must stay (a ledger entry)
_DOC_KEYS = ("document", "document_id", "origin_document")
_ENTITY_TYPES = ("organization", "person", "place")  # the types of named entities (the store's writer's NAMED)


class Visibility:
    """The documents, entities and events hidden from one account (nothing, for :data:`EVERYTHING`)."""

    def __init__(self, store: Store | None = None, user_id: int | None = None) -> None:
        self.store, self.user_id = store, user_id
        if store is None or user_id is None:
            self.hidden_documents: frozenset[str] = frozenset()
        else:
            with store.connect() as conn:
                self.hidden_documents = frozenset(r[0] for r in conn.execute(self.hidden_select()))

    @classmethod
    def for_user(cls, store: Store, user: Any) -> Visibility:
        """What ``user`` may see: everything for None (a server without accounts) and for an admin."""
        if user is None or user.can("admin"):
            return EVERYTHING
        vis = cls(store, int(user.id))
        return vis if vis.active else EVERYTHING

    @property
    def active(self) -> bool:
        """True when something is hidden."""
        return bool(self.hidden_documents)

    # ---- SQL ---------------------------------------------------------------------------------------
    def hidden_select(self) -> Select[Any]:
        """``SELECT document_id``: the documents of collections this account has no grant on (portable SQL)."""
        dc, g = t.document_collections, t.collection_grants
        granted = (select(dc.c.document_id).join(g, g.c.collection_id == dc.c.collection_id)
                   .where(g.c.user_id == (self.user_id if self.user_id is not None else -1)))
        return select(dc.c.document_id).where(dc.c.document_id.not_in(granted)).distinct()

    def documents_clause(self, column: Any, *, hand_made: bool = False) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose document ``column`` is visible (and NULL ones with ``hand_made``)."""
        if not self.active:
            return true()
        visible = column.not_in(self.hidden_select())
        return or_(column.is_(None), visible) if hand_made else visible

    # ---- what is hidden --------------------------------------------------------------------------------
    def _conn(self) -> Any:
        assert self.store is not None
        return self.store.connect()

    @cached_property
    def touched_entities(self) -> frozenset[int]:
        """Entities that some hidden document speaks of (hidden or not)."""
        if not self.active:
            return frozenset()
        with self._conn() as conn:
            return frozenset(int(r[0]) for r in conn.execute(self._touched_select()))

    def _touched_select(self) -> Any:
        hidden, m, d = self.hidden_select(), t.mentions, t.decisions
        return union(select(m.c.entity_id).where(m.c.document_id.in_(hidden)),
                     select(d.c.entity_id).where(d.c.document_id.in_(hidden)))

    @cached_property
    def hidden_entities(self) -> frozenset[int]:
        """Entities that only hidden documents speak of."""
        if not self.touched_entities:
            return frozenset()
        hidden, m, d = self.hidden_select(), t.mentions, t.decisions
        touched = self._touched_select().subquery()
        seen = union(select(m.c.entity_id).where(m.c.entity_id.in_(select(touched.c.entity_id)), m.c.document_id.not_in(hidden)),
                     select(d.c.entity_id).where(d.c.entity_id.in_(select(touched.c.entity_id)), d.c.document_id.is_not(None),
                                                 d.c.document_id.not_in(hidden)))
        with self._conn() as conn:
            visible = {int(r[0]) for r in conn.execute(seen)}
        return self.touched_entities - visible

    @cached_property
    def hidden_events(self) -> frozenset[int]:
        """Events whose document and every further source are hidden."""
        if not self.active:
            return frozenset()
        with self._conn() as conn:
            return frozenset(int(r[0]) for r in conn.execute(self._hidden_events_select()))

    def _hidden_events_select(self) -> Select[Any]:
        hidden, e, s = self.hidden_select(), t.events, t.event_sources
        elsewhere = exists().where(s.c.event_id == e.c.id, s.c.document_id.not_in(hidden))
        return select(e.c.id).where(e.c.document_id.in_(hidden), ~elsewhere)

    def events_clause(self, column: Any) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose event ``column`` some visible document tells."""
        if not self.active:
            return true()
        return column.not_in(self._hidden_events_select())  # type: ignore[no-any-return]

    @cached_property
    def _mixed(self) -> dict[int, dict[str, Any]]:
        """Events told by hidden and visible documents: the first visible source of those whose own document
        is hidden (``source``), and the entities the visible documents name (``named``)."""
        if not self.active:
            return {}
        hidden, e, s, m = self.hidden_select(), t.events, t.event_sources, t.mentions
        out: dict[int, dict[str, Any]] = {}
        with self._conn() as conn:
            rows = conn.execute(select(e.c.id, e.c.document_id.label("own"), s.c.document_id, s.c.start, s.c.end, s.c.quote)
                                .join(s, s.c.event_id == e.c.id)
                                .where(or_(e.c.document_id.in_(hidden), s.c.document_id.in_(hidden)))
                                .order_by(e.c.id, s.c.id)).all()
            for r in rows:
                item = out.setdefault(int(r.id), {"source": None, "docs": set()})
                if r.own not in self.hidden_documents:
                    item["docs"].add(r.own)
                if r.document_id not in self.hidden_documents:
                    item["docs"].add(r.document_id)
                    if r.own in self.hidden_documents and item["source"] is None:
                        item["source"] = {"document": r.document_id, "start": r.start, "end": r.end, "quote": r.quote}
            docs = sorted({d for v in out.values() for d in v["docs"]})
            by_doc: dict[str, set[int]] = {}
            for r in conn.execute(select(m.c.document_id, m.c.entity_id).where(m.c.document_id.in_(docs)).distinct()):
                by_doc.setdefault(r.document_id, set()).add(int(r.entity_id))
        for v in out.values():
            v["named"] = set().union(*(by_doc.get(d, set()) for d in v["docs"])) if v["docs"] else set()
        return {k: v for k, v in out.items() if k not in self.hidden_events}

    # ---- predicates ------------------------------------------------------------------------------------
    def document_ok(self, doc_id: Any) -> bool:
        """True for a visible document, and for None (a hand-made fact belongs to no document)."""
        return doc_id is None or doc_id not in self.hidden_documents

    def entity_ok(self, entity_id: Any) -> bool:
        """True for a visible entity, and for None."""
        return entity_id is None or not self.active or int(entity_id) not in self.hidden_entities

    def event_ok(self, event_id: Any) -> bool:
        """True for an event some visible document tells (and for None)."""
        return event_id is None or not self.active or int(event_id) not in self.hidden_events

    def relation_ok(self, document_id: Any, subject_id: Any, object_id: Any) -> bool:
        """True for a relation from a visible document (or hand-made) between two visible entities."""
        return self.document_ok(document_id) and self.entity_ok(subject_id) and self.entity_ok(object_id)

    def participant_ok(self, event_id: int, entity_id: Any) -> bool:
        """True when a visible document says that the entity took part in (or was the place of) the event."""
        if not self.entity_ok(entity_id):
            return False
        mixed = self._mixed.get(int(event_id)) if self.active else None
        return mixed is None or entity_id is None or int(entity_id) in mixed["named"]

    def event_source(self, event_id: int) -> dict[str, Any] | None:
        """For an event whose own document is hidden but which a visible one also tells: that document, the
        span and the quote to show instead (None when the event's own are fine)."""
        mixed = self._mixed.get(int(event_id)) if self.active else None
        return mixed["source"] if mixed else None

    def rehome_event(self, ev: dict[str, Any]) -> dict[str, Any]:
        """An event record (``id``, ``document``, ``quote``, ``span``) shown from a visible source where its own is hidden."""
        src = self.event_source(ev["id"])
        if src is None:
            return ev
        return {**ev, "document": src["document"], "quote": src["quote"], "span": [src["start"], src["end"]]}

    # ---- names ------------------------------------------------------------------------------------------
    @cached_property
    def renamed(self) -> dict[int, str]:
        """Visible entities whose stored name only a hidden document gave: the name visible documents use most."""
        if not self.touched_entities:
            return {}
        hidden, d, m, e = self.hidden_select(), t.decisions, t.mentions, t.entities
        made_here = select(d.c.entity_id).where(d.c.rule == "new", d.c.document_id.in_(hidden))
        with self._conn() as conn:
            made = {int(r.id): str(r.name) for r in conn.execute(
                select(e.c.id, e.c.name).where(e.c.gazetteer_key.is_(None), e.c.id.in_(made_here)))
                if int(r.id) not in self.hidden_entities}
            texts: dict[int, Counter[str]] = {}
            for r in conn.execute(select(m.c.entity_id, m.c.text).where(m.c.entity_id.in_(made_here), m.c.document_id.not_in(hidden))):
                texts.setdefault(int(r.entity_id), Counter())[str(r.text)] += 1
        out = {}
        for eid, name in made.items():
            said = texts.get(eid, Counter())
            if said and fold_name(name) not in {fold_name(x) for x in said}:
                out[eid] = sorted(said.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        return out

    @cached_property
    def hidden_terms(self) -> frozenset[str]:
        """The names and aliases of hidden entities (lower case, three characters or more), to find them in free text."""
        if not self.hidden_entities:
            return frozenset()
        ids = sorted(self.hidden_entities)
        with self._conn() as conn:
            found = {r[0] for r in conn.execute(select(t.entities.c.name).where(t.entities.c.id.in_(ids)))}
            found |= {r[0] for r in conn.execute(select(t.aliases.c.name).where(t.aliases.c.entity_id.in_(ids)))}
        return frozenset(x.lower() for x in found if len(x) >= 3)

    def names_hidden_in(self, text: str) -> bool:
        """True when free text (a log entry, a note) names a hidden entity."""
        low = text.lower()
        return any(term in low for term in self.hidden_terms)

    def party(self, entity_id: Any, text: str | None) -> str | None:
        """A name typed into a record (a ledger entry's payer), or :data:`RESTRICTED` where it names a hidden entity."""
        if not self.active or not text:
            return text
        return RESTRICTED if not self.entity_ok(entity_id) or self.names_hidden_in(text) else text

    def name(self, entity_id: int, stored: str) -> str:
        """The name to show for a visible entity."""
        return self.renamed.get(entity_id, stored) if self.active else stored

    def names(self, rows: Any) -> dict[int, str]:
        """``{id: name}`` of (id, name) rows, hidden entities left out and names shown as :meth:`name` says."""
        if not self.active:
            return {int(r[0]): r[1] for r in rows}
        return {int(r[0]): self.name(int(r[0]), r[1]) for r in rows if int(r[0]) not in self.hidden_entities}

    def aliases(self, entity_id: int, aliases: list[str]) -> list[str]:
        """The aliases of an entity that visible documents (or the bundled gazetteer) give it."""
        if not self.active or entity_id not in self.touched_entities:
            return aliases
        hidden, m, a = self.hidden_select(), t.mentions, t.aliases
        with self._conn() as conn:
            said = {fold_name(r[0]) for r in conn.execute(select(m.c.text).where(m.c.entity_id == entity_id, m.c.document_id.not_in(hidden)))}
            said |= {r[0] for r in conn.execute(select(a.c.norm).where(a.c.entity_id == entity_id, a.c.source == "gazetteer"))}
        return [x for x in aliases if fold_name(x) in said]

    # ---- the safety net -----------------------------------------------------------------------------------
    def hides(self, item: Any) -> bool:
        """True for a dict that stands for something hidden: its document (an id, or a record with an ``id``) or its entity."""
        if not isinstance(item, dict):
            return False
        for key in _DOC_KEYS:
            value = item.get(key)
            if isinstance(value, dict):
                value = value.get("id")
            if isinstance(value, str) and value in self.hidden_documents:
                return True
        eid = item.get("entity_id")
        if item.get("type") in _ENTITY_TYPES and "entity_id" not in item:  # an entity's own record: {"id", "name", "type", ...}
            eid = item.get("id")
        return isinstance(eid, int) and not isinstance(eid, bool) and not self.entity_ok(eid)

    def prune(self, data: Any) -> Any:
        """A copy of JSON-like data without the objects :meth:`hides` says are hidden (a hidden value becomes None)."""
        if not self.active:
            return data
        if isinstance(data, list | tuple):
            return [self.prune(x) for x in data if not self.hides(x)]
        if isinstance(data, dict):
            return {k: None if self.hides(v) else self.prune(v) for k, v in data.items()}
        return data


EVERYTHING = Visibility()  # the CLI's, an admin's, and a server's without accounts
