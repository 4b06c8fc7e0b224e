"""Protected people: activists whose names leave the system only when someone asks for them.

A curator marks a person protected (``solidarity protect PERSON --note ...``); from then on
exports, briefings, web pages and the API put :data:`PLACEHOLDER` wherever the person's name, an
alias of it, or a mention of them in a document appears: in entity names, event participants and
relation ends, and inside quotes, titles and document text. Revealing them takes an explicit
``reveal_protected=True`` (``--reveal-protected`` on the command line, ``?reveal=1`` on a server
started with ``--allow-reveal``; once accounts exist, a role will be required as well).

    >>> redactor = Redactor.load(store)            # reads the protections table once
    >>> redactor.walk({"quote": "Park Seong-min said", "document": "cc68"})
    {'quote': '[protected person] said', 'document': 'cc68'}
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from solidarity_graph.curation import log_change
from solidarity_graph.errors import InputError
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["PLACEHOLDER", "Redactor", "protect_person", "unprotect_person", "protected_people", "resolve_person"]

PLACEHOLDER = "[protected person]"
MIN_TERM = 2  # shorter aliases would blank out half the text


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def resolve_person(store: Store, person: int | str) -> Any:
    """The person entity named by id or by name/alias; a clear error when there is none or several."""
    from solidarity_graph.query import find_entity

    with store.connect() as conn:
        if isinstance(person, int) or str(person).isdigit():
            row = conn.execute(select(t.entities).where(t.entities.c.id == int(person))).first()
            if row is None:
                raise InputError(f"no entity {person}", field="person")
        else:
            found = [f for f in find_entity(store, str(person)) if f["type"] == "person"]
            if not found:
                raise InputError(f"no person named {person!r}", field="person")
            if len(found) > 1:
                ids = ", ".join(str(f["id"]) for f in found[:10])
                raise InputError(f"{person!r} names several people (ids {ids}): give the id", field="person")
            row = conn.execute(select(t.entities).where(t.entities.c.id == found[0]["id"])).one()
    if row.type != "person":
        raise InputError(f"entity {row.id} is a {row.type}: only people can be protected", field="person")
    return row


def protect_person(store: Store, person: int | str, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Mark a person protected (audited); marking one already protected changes nothing."""
    row = resolve_person(store, person)
    with store.engine.begin() as conn:
        before = conn.execute(select(t.protections).where(t.protections.c.entity_id == row.id)).first()
        if before is not None:
            return {"entity": row.id, "protected": True, "curation": None}
        conn.execute(insert(t.protections).values(entity_id=row.id, at=_now(), who=who, note=note))
        cid = log_change(conn, who, "protect", f"entity {row.id}", {"protected": False}, {"protected": True}, note)
    return {"entity": row.id, "protected": True, "curation": cid}


def unprotect_person(store: Store, person: int | str, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Lift a protection (audited); an error when the person was not protected."""
    row = resolve_person(store, person)
    with store.engine.begin() as conn:
        before = conn.execute(select(t.protections).where(t.protections.c.entity_id == row.id)).first()
        if before is None:
            raise InputError(f"entity {row.id} is not protected", field="person")
        conn.execute(delete(t.protections).where(t.protections.c.entity_id == row.id))
        cid = log_change(conn, who, "unprotect", f"entity {row.id}",
                         {"protected": True, "since": before.at, "by": before.who, "note": before.note}, {"protected": False}, note)
    return {"entity": row.id, "protected": False, "curation": cid}


def protected_people(store: Store, *, reveal_protected: bool = False) -> list[dict[str, Any]]:
    """Everyone protected: id, since when, by whom, the note; the name only when revealed."""
    redactor = Redactor.load(store, reveal=reveal_protected)
    with store.connect() as conn:
        rows = conn.execute(select(t.protections, t.entities.c.name).join(t.entities, t.entities.c.id == t.protections.c.entity_id)
                            .order_by(t.protections.c.at, t.protections.c.entity_id)).all()
    return [redactor.walk({"entity_id": r.entity_id, "name": r.name, "at": r.at, "who": r.who, "note": r.note}) for r in rows]


# ---- redaction --------------------------------------------------------------------------------

def _boundary_free(ch: str) -> bool:
    """Scripts written without spaces (Hangul, kana, Han): a name may run straight into a particle."""
    return ord(ch) >= 0x1100 and unicodedata.category(ch).startswith("L")


def _term_pattern(term: str) -> str:
    body = r"[\s_]+".join(re.escape(w) for w in term.split())
    head = "" if _boundary_free(term[0]) or not term[0].isalnum() else r"(?<!\w)"
    tail = "" if _boundary_free(term[-1]) or not term[-1].isalnum() else r"(?!\w)"
    return head + body + tail


def _variants(name: str) -> set[str]:
    """A name as written and without its accents (Atle Høie / Atle Hoie)."""
    name = " ".join(name.split())
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return {v for v in (name, " ".join(plain.split())) if len(v) >= MIN_TERM}


def _compile(terms: set[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile("|".join(_term_pattern(x) for x in sorted(terms, key=lambda s: (-len(s), s))), re.IGNORECASE)


@dataclass
class Redactor:
    """Replaces protected people's names in data before it leaves: exports, briefings, pages.

    ``Redactor.load(store)`` reads the protections; with ``reveal=True`` (or nobody protected) it
    is inactive and returns everything unchanged.
    """

    ids: frozenset[int] = frozenset()
    terms: frozenset[str] = frozenset()  # names and aliases, matched anywhere
    doc_terms: dict[str, set[str]] = field(default_factory=dict)  # document -> mention texts there
    doc_spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # document -> mention spans
    _patterns: dict[str | None, re.Pattern[str] | None] = field(default_factory=dict, repr=False)

    @property
    def active(self) -> bool:
        """True when something is to be hidden."""
        return bool(self.ids)

    @classmethod
    def load(cls, store: Store | Connection, *, reveal: bool = False) -> Redactor:
        """The redactor for the store's protections (inactive when ``reveal``)."""
        if reveal:
            return cls()
        if isinstance(store, Connection):
            return cls._read(store)
        with store.connect() as conn:
            return cls._read(conn)

    @classmethod
    def _read(cls, conn: Connection) -> Redactor:
        ids = frozenset(r[0] for r in conn.execute(select(t.protections.c.entity_id)))
        if not ids:
            return cls()
        terms: set[str] = set()
        for r in conn.execute(select(t.entities.c.name).where(t.entities.c.id.in_(ids))):
            terms |= _variants(r.name)
        for r in conn.execute(select(t.aliases.c.name).where(t.aliases.c.entity_id.in_(ids))):
            terms |= _variants(r.name)
        doc_terms: dict[str, set[str]] = {}
        doc_spans: dict[str, list[tuple[int, int]]] = {}
        for m in conn.execute(select(t.mentions.c.document_id, t.mentions.c.start, t.mentions.c.end, t.mentions.c.text)
                              .where(t.mentions.c.entity_id.in_(ids))):
            doc_terms.setdefault(m.document_id, set()).update(_variants(m.text))
            doc_spans.setdefault(m.document_id, []).append((m.start, m.end))
        return cls(ids=ids, terms=frozenset(terms), doc_terms=doc_terms, doc_spans=doc_spans)

    def is_protected(self, entity_id: int | None) -> bool:
        """True for a protected entity."""
        return entity_id is not None and entity_id in self.ids

    def name(self, entity_id: int | None, name: str) -> str:
        """An entity's name, or the placeholder for a protected person."""
        return PLACEHOLDER if self.is_protected(entity_id) else self.text(name)

    def _pattern(self, document: str | None) -> re.Pattern[str] | None:
        key = document if document in self.doc_terms else None
        if key not in self._patterns:
            self._patterns[key] = _compile(set(self.terms) | self.doc_terms.get(key or "", set()))
        return self._patterns[key]

    def text(self, text: str, document: str | None = None) -> str:
        """A string with every protected name (and, for a document's quote, every mention there) replaced."""
        if not self.active or not text:
            return text
        pattern = self._pattern(document)
        return pattern.sub(PLACEHOLDER, text) if pattern else text

    def document_text(self, text: str, document: str) -> tuple[str, Callable[[int], int]]:
        """A whole document's text redacted by its mention spans and names, and the map from old offsets to new."""
        if not self.active:
            return text, lambda i: i
        spans = [(a, b) for a, b in self.doc_spans.get(document, []) if 0 <= a < b <= len(text)]
        pattern = self._pattern(document)
        if pattern:
            spans += [m.span() for m in pattern.finditer(text)]
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out, shifts, pos, delta = [], [], 0, 0
        for a, b in merged:
            out += [text[pos:a], PLACEHOLDER]
            shifts.append((a, b, delta))
            delta += len(PLACEHOLDER) - (b - a)
            pos = b
        out.append(text[pos:])

        def move(i: int) -> int:
            d = 0
            for a, b, before in shifts:
                if i <= a:
                    return i + before
                if i < b:  # inside a redacted name: the placeholder's start
                    return a + before
                d = before + len(PLACEHOLDER) - (b - a)
            return i + d

        return "".join(out), move

    def walk(self, data: Any, document: str | None = None) -> Any:
        """A copy of JSON-like data with every string redacted; a dict's ``document`` key scopes its quotes."""
        if not self.active:
            return data
        if isinstance(data, str):
            return self.text(data, document)
        if isinstance(data, list | tuple):
            return [self.walk(x, document) for x in data]
        if isinstance(data, dict):
            doc = data.get("document") if isinstance(data.get("document"), str) else document
            # a document id is kept as it is; a document given as a record (its title...) is walked
            return {k: v if k in ("document", "document_id") and not isinstance(v, dict | list) else self.walk(v, doc)
                    for k, v in data.items()}
        return data

    def record(self, rec: dict[str, Any]) -> dict[str, Any]:
        """One export record redacted: a protected person's entity record keeps only its id and type."""
        if not self.active:
            return rec
        if rec.get("kind") == "entity" and self.is_protected(int(str(rec["id"]).lstrip("e"))):
            return {**rec, "name": PLACEHOLDER, "aliases": [], "attributes": {}}
        out: dict[str, Any] = self.walk(rec)
        return out


def protected_ids(store: Store) -> frozenset[int]:
    """The ids of every protected person (whether or not the caller may see their names)."""
    with store.connect() as conn:
        return frozenset(r[0] for r in conn.execute(select(t.protections.c.entity_id)))


def redact_entity_page(store: Store, page: dict[str, Any], *, reveal: bool = False) -> dict[str, Any]:
    """An entity page (``query.entity_page``) redacted, with ``protected`` telling whether it is a protected person."""
    protected = page["id"] in protected_ids(store)
    redactor = Redactor.load(store, reveal=reveal)
    out: dict[str, Any] = redactor.walk(page)
    if protected and not reveal:
        out.update(name=PLACEHOLDER, aliases=[], decisions=[])
    out["protected"] = protected
    return out


def redact_document_page(store: Store, page: dict[str, Any], *, reveal: bool = False,
                         highlight: tuple[int, int] | None = None) -> dict[str, Any]:
    """A document page (``query.document_page``) redacted: text, title, facts, and every offset moved to match.

    ``highlight`` (a span in the stored text) comes back as ``page["highlight"]`` in the new text's offsets.
    """
    redactor = Redactor.load(store, reveal=reveal)
    text, move = redactor.document_text(page["text"], page["id"])
    out: dict[str, Any] = redactor.walk({k: v for k, v in page.items() if k != "text"}, document=page["id"])
    out["text"] = text
    for key in ("mentions", "events", "relations"):
        for item in out[key]:
            item["start"], item["end"] = move(item["start"]), move(item["end"])
    if highlight is not None:
        out["highlight"] = [move(highlight[0]), move(highlight[1])]
    return out
