"""Commitments and demands: found in stored documents, tracked by curators (open, in progress, done, dropped).

``scan_documents(store, ids)`` runs after every ingest and re-extraction: it reads each document's
sentences again (the rules are in :mod:`commitment_rules`) and stores what it finds, one transaction
per document. A finding keeps its row, id and curator's status across re-extraction by its
fingerprint (document, kind, sentence, place in the sentence); a finding no longer made goes, unless a
curator has set its status. Commitments can also be entered by hand (no document, the curator's note
as the quote). Every hand change is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from solidarity_graph.accounts import records
from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.curation import log_change
from solidarity_graph.errors import InputError
from solidarity_graph.program.commitment_rules import (
    EXTRACTOR,
    LABOR_KINDS,
    Found,
    Mark,
    find_commitments,
    split_sentences,
)
from solidarity_graph.program.entity_refs import age_days, check_date, find_ref, names_of, now
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.store.writer import fingerprint

__all__ = ["KINDS", "STATUSES", "scan_documents", "list_commitments", "get_commitment", "set_status",
           "add_commitment", "link_exchange", "document_findings"]

KINDS = ("commitment", "demand")
STATUSES = ("open", "in_progress", "done", "dropped")
ACTIVE = ("open", "in_progress")
_EXTRACTED = ("text", "subject_id", "subject_text", "object_id", "object_text", "due", "start", "end", "quote",
              "extractor", "confidence")


# ---- reading documents ----------------------------------------------------------------------------

def document_findings(conn: Connection, doc_id: str) -> list[tuple[Found, str]]:
    """What the rules find in one stored document, each with its fingerprint."""
    d = conn.execute(select(t.documents.c.text, t.documents.c.published, t.documents.c.language)
                     .where(t.documents.c.id == doc_id)).first()
    if d is None:
        return []
    rows = conn.execute(select(t.mentions.c.start, t.mentions.c.end, t.mentions.c.entity_id, t.mentions.c.text,
                               t.mentions.c.sent_start, t.mentions.c.sent_end, t.entities.c.type, t.entities.c.kind)
                        .join(t.entities, t.entities.c.id == t.mentions.c.entity_id)
                        .where(t.mentions.c.document_id == doc_id).order_by(t.mentions.c.start)).all()
    marks = [Mark(r.start, r.end, r.entity_id, r.type, r.kind, r.text) for r in rows]
    sentences = split_sentences(d.text, [(r.sent_start, r.sent_end) for r in rows])
    found = find_commitments(d.text, sentences, marks, speaker=_speaker(marks), published=d.published, language=d.language)
    seen: Counter[tuple[str, int]] = Counter()
    out = []
    for f in found:
        seen[(f.kind, f.start)] += 1
        quote = d.text[f.start : f.end]
        out.append((f, fingerprint(doc_id, "commitment", f.kind, re.sub(r"\s+", " ", quote), seen[(f.kind, f.start)])))
    return out


def _speaker(marks: list[Mark]) -> int | None:
    """The document's "we": the labor organization it names most (the first named of equals)."""
    labor = [m.entity_id for m in marks if m.type == "organization" and m.kind in LABOR_KINDS]
    if not labor:
        return None
    counts = Counter(labor)
    top = max(counts.values())
    return next(e for e in labor if counts[e] == top)


def scan_documents(store: Store, document_ids: list[str]) -> dict[str, int]:
    """Find and store the commitments and demands of these documents (the ingest hook); idempotent."""
    totals = {"found": 0, "new": 0, "kept": 0, "removed": 0}
    for doc_id in document_ids:
        with store.engine.begin() as conn:
            for k, v in _scan_one(conn, doc_id).items():
                totals[k] += v
    return totals


def _scan_one(conn: Connection, doc_id: str) -> dict[str, int]:
    findings = document_findings(conn, doc_id)
    text = conn.execute(select(t.documents.c.text).where(t.documents.c.id == doc_id)).scalar_one_or_none()
    if text is None:
        return {}
    old = {r.fingerprint: r for r in conn.execute(select(t.commitments).where(t.commitments.c.origin_document == doc_id))}
    counts = {"found": len(findings), "new": 0, "kept": 0, "removed": 0}
    stamp = now()
    for f, fp in findings:
        values = {"kind": f.kind, "text": f.text, "subject_id": f.subject_id, "subject_text": f.subject_text,
                  "object_id": f.object_id, "object_text": f.object_text, "due": f.due, "start": f.start, "end": f.end,
                  "quote": text[f.start : f.end], "extractor": EXTRACTOR, "confidence": f.confidence, "document_id": doc_id}
        row = old.pop(fp, None)
        if row is None:
            conn.execute(insert(t.commitments).values(**values, origin_document=doc_id, fingerprint=fp, status="open",
                                                      created_at=stamp))
            counts["new"] += 1
        else:  # the same finding: its id, status, exchange and creation time stay
            conn.execute(update(t.commitments).where(t.commitments.c.id == row.id).values(**values))
            counts["kept"] += 1
    for row in old.values():
        if row.status_at is None:
            conn.execute(delete(t.commitments).where(t.commitments.c.id == row.id))
            counts["removed"] += 1
        else:  # a curator worked on it: it stays, with its quote, though the rules no longer find it
            conn.execute(update(t.commitments).where(t.commitments.c.id == row.id).values(document_id=doc_id))
    return counts


# ---- reading the store ----------------------------------------------------------------------------

def list_commitments(store: Store, *, status: str | None = None, kind: str | None = None, entity_id: int | None = None,
                     exchange_id: int | None = None, document_id: str | None = None, limit: int = 1000,
                     visible: Visibility = EVERYTHING) -> list[dict[str, Any]]:
    """Commitments and demands, open ones first and oldest first among them, each with its age in days
    (those ``visible`` lets through: none from a hidden document or naming a hidden party)."""
    if status is not None and status not in STATUSES:
        raise InputError(f"status is one of {', '.join(STATUSES)}", field="status")
    if kind is not None and kind not in KINDS:
        raise InputError("kind is commitment or demand", field="kind")
    q = select(t.commitments)
    if status:
        q = q.where(t.commitments.c.status == status)
    if kind:
        q = q.where(t.commitments.c.kind == kind)
    if entity_id is not None:
        q = q.where(or_(t.commitments.c.subject_id == entity_id, t.commitments.c.object_id == entity_id))
    if exchange_id is not None:
        q = q.where(t.commitments.c.exchange_id == exchange_id)
    if document_id is not None:
        q = q.where(t.commitments.c.document_id == document_id)
    with store.connect() as conn:
        rows = [r for r in conn.execute(q.order_by(t.commitments.c.id)) if records.commitment_ok(visible, r)]
        out = _dicts(conn, rows, visible)
    order = {s: i for i, s in enumerate(STATUSES)}
    out.sort(key=lambda c: (order[c["status"]], -(c["age_days"] or 0), c["id"]))
    return out[:limit]


def get_commitment(store: Store, commitment_id: int, *, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    """One commitment with its source, its exchange and its audit trail; KeyError when there is none (or ``visible`` hides it)."""
    with store.connect() as conn:
        row = conn.execute(select(t.commitments).where(t.commitments.c.id == commitment_id)).first()
        if row is None or not records.commitment_ok(visible, row):
            raise KeyError(commitment_id)
        out = _dicts(conn, [row], visible)[0]
        out["history"] = [dict(r._mapping) for r in conn.execute(
            select(t.curations).where(t.curations.c.target == f"commitment {commitment_id}").order_by(t.curations.c.id))]
    out["history"] = [h for h in out["history"] if records.curation_ok(store, visible, h)]
    return out


def _dicts(conn: Connection, rows: Sequence[Any], visible: Visibility = EVERYTHING) -> list[dict[str, Any]]:
    ents = records.shown(visible, names_of(conn, {r.subject_id for r in rows} | {r.object_id for r in rows}))
    docs = {r.id: r for r in conn.execute(select(t.documents.c.id, t.documents.c.title, t.documents.c.published)
                                          .where(t.documents.c.id.in_(sorted({r.document_id for r in rows if r.document_id}))))}
    exchanges = {r.id: r.title for r in conn.execute(select(t.exchanges).where(t.exchanges.c.id.in_(sorted({r.exchange_id for r in rows if r.exchange_id}))))
                 if records.exchange_ok(conn, visible, r)}
    today = dt.date.today()
    out = []
    for r in rows:
        doc = docs.get(r.document_id)
        since = (doc.published if doc is not None and doc.published else None) or r.created_at
        out.append({
            "id": r.id, "kind": r.kind, "text": r.text, "status": r.status, "status_at": r.status_at, "due": r.due,
            "subject": ents.get(r.subject_id), "subject_text": r.subject_text,
            "object": ents.get(r.object_id), "object_text": r.object_text,
            "document": {"id": doc.id, "title": doc.title, "published": doc.published} if doc is not None else None,
            "span": [r.start, r.end] if r.document_id and r.start is not None else None, "quote": r.quote,
            "exchange": {"id": r.exchange_id, "title": exchanges[r.exchange_id]} if r.exchange_id in exchanges else None,
            "extractor": r.extractor, "confidence": r.confidence, "created_at": r.created_at,
            "since": since[:10], "age_days": age_days(since, today),
            "overdue": bool(r.due and r.status in ACTIVE and r.due < today.isoformat()[: len(r.due)]),
        })
    return out


# ---- curators' changes ----------------------------------------------------------------------------

def set_status(store: Store, commitment_id: int, status: str, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Set a commitment's status (open, in_progress, done, dropped); audited, kept across re-extraction."""
    if status not in STATUSES:
        raise InputError(f"status is one of {', '.join(STATUSES)}", field="status")
    with store.engine.begin() as conn:
        row = _row(conn, commitment_id)
        stamp = now()
        conn.execute(update(t.commitments).where(t.commitments.c.id == commitment_id).values(status=status, status_at=stamp))
        cid = log_change(conn, who, "commitment_status", f"commitment {commitment_id}",
                         {"status": row.status, "status_at": row.status_at}, {"status": status, "status_at": stamp}, note)
    return {"curation": cid, "commitment": get_commitment(store, commitment_id)}


def link_exchange(store: Store, commitment_id: int, exchange_id: int | None, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Tie a commitment to the exchange or delegation it was made on (None unties it); audited."""
    with store.engine.begin() as conn:
        row = _row(conn, commitment_id)
        if exchange_id is not None and conn.execute(select(t.exchanges.c.id).where(t.exchanges.c.id == exchange_id)).first() is None:
            raise InputError(f"no exchange {exchange_id}", field="exchange")
        conn.execute(update(t.commitments).where(t.commitments.c.id == commitment_id).values(exchange_id=exchange_id))
        cid = log_change(conn, who, "commitment_exchange", f"commitment {commitment_id}",
                         {"exchange": row.exchange_id}, {"exchange": exchange_id}, note)
    return {"curation": cid, "commitment": get_commitment(store, commitment_id)}


def add_commitment(store: Store, kind: str, text: str, *, who: str, note: str, subject: str | int | None = None,
                   object_: str | int | None = None, due: str | None = None, exchange_id: int | None = None,
                   status: str = "open") -> dict[str, Any]:
    """A commitment or demand entered by hand: no document, the curator's note (where it comes from) as its quote.

    ``subject`` and ``object_`` are entity ids or names; a name that is no entity is kept as written.
    """
    if kind not in KINDS:
        raise InputError("kind is commitment or demand", field="kind")
    if not text or not text.strip():
        raise InputError("say what is committed to or demanded", field="text")
    if not note or not note.strip():
        raise InputError("a hand-made commitment needs a note saying where it comes from", field="note")
    if status not in STATUSES:
        raise InputError(f"status is one of {', '.join(STATUSES)}", field="status")
    due = check_date(due, "due")
    with store.engine.begin() as conn:
        sid, stext = _party(conn, subject)
        oid, otext = _party(conn, object_)
        if subject is not None and str(subject).strip().isdigit() and sid is None:
            raise InputError(f"no organization or person {subject}", field="subject")
        if exchange_id is not None and conn.execute(select(t.exchanges.c.id).where(t.exchanges.c.id == exchange_id)).first() is None:
            raise InputError(f"no exchange {exchange_id}", field="exchange")
        stamp = now()
        key = conn.execute(insert(t.commitments).values(
            kind=kind, text=text.strip(), subject_id=sid, subject_text=stext, object_id=oid, object_text=otext, due=due,
            status=status, status_at=stamp, document_id=None, quote=note.strip(), exchange_id=exchange_id,
            extractor=f"curator:{who}", confidence=1.0, created_at=stamp)).inserted_primary_key
        assert key is not None
        new_id = int(key[0])
        cid = log_change(conn, who, "add_commitment", f"commitment {new_id}", None,
                         {"kind": kind, "text": text.strip(), "subject": sid or stext, "object": oid or otext, "due": due,
                          "status": status, "exchange": exchange_id}, note)
    return {"curation": cid, "commitment": get_commitment(store, new_id)}


def _party(conn: Connection, ref: str | int | None) -> tuple[int | None, str | None]:
    if ref is None or not str(ref).strip():
        return None, None
    eid = find_ref(conn, ref, ("organization", "person", "place"))
    return (eid, None) if eid is not None else (None, str(ref).strip())


def _row(conn: Connection, commitment_id: int) -> Any:
    row = conn.execute(select(t.commitments).where(t.commitments.c.id == commitment_id)).first()
    if row is None:
        raise InputError(f"no commitment {commitment_id}", field="id")
    return row
