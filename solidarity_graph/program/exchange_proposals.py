"""Exchanges proposed from extracted events, for a curator to confirm or reject.

Each new ``delegation_visit`` or ``exchange`` event (or a ``meeting`` whose sentence says a delegation
arrived, visited or stayed) becomes a *proposed* exchange. Events of one document that tell the same
trip (same tense, near dates, one country, a shared participant or "the delegation" again) make one
proposal. Who traveled and who hosted is read from the words around each name ("a USLAW delegation",
"a delegation from UE", "to meet members of KMWU", "with UE members") and, failing that, from the
countries of the organization and of the place. The other events of the document within the trip's
dates become its itinerary, its planned events sharing a member its follow-ups.

Proposals are idempotent: an event whose fingerprint an exchange or an itinerary item already holds
is never proposed again (rejected proposals included), and after re-extraction the exchange and its
items find their events again by fingerprint. Events a curator rejected are never proposed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Connection

from solidarity_graph.program.commitment_rules import LABOR_KINDS
from solidarity_graph.program.entity_refs import now
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["propose_from_documents", "ITEM_OF", "SOURCE_TYPES"]

SOURCE_TYPES = ("delegation_visit", "exchange")
# event type -> itinerary item kind
ITEM_OF = {"rally": "rally", "march": "rally", "protest": "rally", "picket": "rally", "sit_in": "rally",
           "press_conference": "press_conference", "meeting": "meeting", "conference": "meeting", "convention": "meeting",
           "webinar": "meeting", "negotiation_round": "meeting", "delegation_visit": "visit", "exchange": "visit",
           "declaration": "other", "statement": "other", "agreement": "other"}
FOLLOW_TYPES = {"delegation_visit", "exchange", "meeting", "conference", "convention", "webinar", "rally", "march",
                "press_conference"}
NOT_MEMBERS = {"government", "military", "employer", "embassy", "legislature", "party", "intergovernmental", "fund", "media"}
WINDOW_DAYS = 13  # a trip with one date: its itinerary runs two weeks from it
REPORT_OPENING = 400  # a trip told within this many characters is what the document is about

_TRIP_MEETING = re.compile(r"\b(?:delegation|delegates|exchange)\b.{0,80}\b(?:arriv|visit|travel|stay|stayed|tour)|대표단|방한|방일|방미", re.I | re.S)
_ANAPHORA = re.compile(r"^\W*(?:the|this|that|our)\s+(?:delegation|group|visitors|visit|delegates)\b|^\W*they\b|^\W*대표단", re.I)
_TRAVEL_AFTER = re.compile(r"^(?:[’']s)?\s+(?:[\w.’'-]+\s+){0,4}?(?:delegation|delegates|visitors|(?:sent|send|sends|plans\s+to\s+send|will\s+send|"
                           r"travel(?:l?ed|s|ling|ing)?|will\s+travel|visited|visits|arrived|arrives|went|flew|spent|toured))\b|^\s*(?:대표단|방문단)", re.I)
_TRAVEL_BEFORE = re.compile(r"\b(?:delegation|delegates|visitors|members|guests)\s+(?:from|of)\s+(?:the\s+)?$", re.I)
_HOST_BEFORE = re.compile(r"\b(?:meet|met|meeting|visit|visited|visiting|join|joined|hosted\s+by|guests\s+of|invited\s+by|with|welcomed\s+by)\b"
                          r"(?:\s+(?:with|members\s+of|leaders\s+of|the|our|close|longtime|[A-Z][a-z]+|ally|allies)){0,6}\s*$")


@dataclass
class _Event:
    id: int
    type: str
    status: str
    date: str | None
    date_end: str | None
    date_source: str | None
    place_id: int | None
    start: int
    end: int
    quote: str
    fingerprint: str | None
    parties: list[dict[str, Any]] = field(default_factory=list)  # entity rows with their event role

    @property
    def planned(self) -> bool:
        return self.status == "planned"


def propose_from_documents(store: Store, document_ids: list[str]) -> dict[str, int]:
    """Propose exchanges from the trips told in these documents (the ingest hook); idempotent."""
    totals = {"proposed": 0, "relinked": 0}
    for doc_id in document_ids:
        with store.engine.begin() as conn:
            for k, v in _propose_one(conn, doc_id).items():
                totals[k] += v
    return totals


def _propose_one(conn: Connection, doc_id: str) -> dict[str, int]:
    doc = conn.execute(select(t.documents.c.text).where(t.documents.c.id == doc_id)).first()
    if doc is None:
        return {}
    events = _events(conn, doc_id)
    relinked = _relink(conn, events)
    fps = [e.fingerprint for e in events if e.fingerprint]
    known = {r[0] for r in conn.execute(select(t.exchanges.c.event_fingerprint).where(t.exchanges.c.event_fingerprint.in_(fps)))}
    known |= {r[0] for r in conn.execute(select(t.exchange_items.c.event_fingerprint).where(t.exchange_items.c.event_fingerprint.in_(fps)))}
    places = _place_countries(conn, {e.place_id for e in events if e.place_id})
    trips = [e for e in events if _is_trip(e) and e.fingerprint not in known]
    groups = _group(trips, places)
    happened = [g for g in groups if not g[0].planned]
    made = 0
    trip_ids = {e.id for e in events if _is_trip(e)}
    for g in groups:
        if any(e.fingerprint in known for e in g):
            continue
        # a report about one trip (told in its opening lines): what it commits to was committed on that trip
        report = len(happened) == 1 and g is happened[0] and g[0].start < REPORT_OPENING
        _create(conn, doc.text, g, events, places, trip_ids, link_commitments=report, doc_id=doc_id)
        made += 1
    return {"proposed": made, "relinked": relinked}


def _events(conn: Connection, doc_id: str) -> list[_Event]:
    rows = conn.execute(select(t.events).where(t.events.c.document_id == doc_id,
                                               or_(t.events.c.review.is_(None), t.events.c.review != "rejected"))
                        .order_by(t.events.c.start, t.events.c.id)).all()
    out = [_Event(r.id, r.type, r.status, r.date, r.date_end, r.date_source, r.place_id, r.start, r.end, r.quote, r.fingerprint)
           for r in rows]
    by_id = {e.id: e for e in out}
    if by_id:
        parent = t.entities.alias("parent")
        for p in conn.execute(select(t.event_participants.c.event_id, t.event_participants.c.role, t.entities.c.id,
                                     t.entities.c.name, t.entities.c.type, t.entities.c.kind,
                                     func.coalesce(t.entities.c.country, parent.c.country).label("country"))
                              .join(t.entities, t.entities.c.id == t.event_participants.c.entity_id)
                              .outerjoin(parent, parent.c.id == t.entities.c.parent_id)
                              .where(t.event_participants.c.event_id.in_(list(by_id)))):
            by_id[p.event_id].parties.append(dict(p._mapping))  # a local without a country takes its union's
    return out


def _relink(conn: Connection, events: list[_Event]) -> int:
    """After re-extraction the events have new ids: exchanges and items find theirs by fingerprint."""
    n = 0
    for e in events:
        if not e.fingerprint:
            continue
        for table in (t.exchanges, t.exchange_items):
            n += conn.execute(update(table).where(table.c.event_fingerprint == e.fingerprint,
                                                  or_(table.c.event_id.is_(None), table.c.event_id != e.id))
                              .values(event_id=e.id)).rowcount or 0
    return n


def _place_countries(conn: Connection, ids: set[int]) -> dict[int, str | None]:
    if not ids:
        return {}
    return {r.id: r.country for r in conn.execute(select(t.entities.c.id, t.entities.c.country).where(t.entities.c.id.in_(sorted(ids))))}


def _is_trip(e: _Event) -> bool:
    trip = e.type in SOURCE_TYPES or (e.type == "meeting" and bool(_TRIP_MEETING.search(e.quote)))
    people = [p for p in e.parties if p["role"] != "target" and (p["type"] == "person" or p["kind"] in LABOR_KINDS)]
    return trip and bool(people)


def _group(trips: list[_Event], places: dict[int, str | None]) -> list[list[_Event]]:
    """Events of one document that tell one trip."""
    groups: list[list[_Event]] = []
    for e in trips:
        home = next((g for g in groups if _same_trip(g, e, places)), None)
        if home is None:
            groups.append([e])
        else:
            home.append(e)
    return groups


def _same_trip(group: list[_Event], e: _Event, places: dict[int, str | None]) -> bool:
    first = group[0]
    if first.planned != e.planned:
        return False
    ca, cb = places.get(first.place_id or -1), places.get(e.place_id or -1)
    if ca and cb and ca != cb:
        return False
    if any(g.start < e.end and e.start < g.end for g in group):
        return True  # told in the same sentence
    anaphora = bool(_ANAPHORA.search(e.quote))
    if not (anaphora or {p["id"] for g in group for p in g.parties} & {p["id"] for p in e.parties}):
        return False
    span = _range(group)
    if span is None or not e.date:
        return anaphora
    lo, hi = _bounds(e.date, e.date_end)
    return lo <= span[1] + dt.timedelta(days=WINDOW_DAYS) and hi >= span[0] - dt.timedelta(days=WINDOW_DAYS)


def _bounds(date: str, date_end: str | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day a date of any precision covers ("2024-05" -> May 1 to 31)."""
    def first(d: str) -> dt.date:
        p = [int(x) for x in d.split("-")]
        return dt.date(p[0], p[1] if len(p) > 1 else 1, p[2] if len(p) > 2 else 1)

    def last(d: str) -> dt.date:
        p = [int(x) for x in d.split("-")]
        if len(p) == 3:
            return dt.date(*p)
        if len(p) == 2:
            return (dt.date(p[0] + p[1] // 12, p[1] % 12 + 1, 1)) - dt.timedelta(days=1)
        return dt.date(p[0], 12, 31)

    return first(date), last(date_end or date)


def _dates(group: list[_Event]) -> tuple[str | None, str | None]:
    """The trip's first and last date: from the text where it gives them, else from the document."""
    told = [e for e in group if e.date and e.date_source in ("text", "context")] or [e for e in group if e.date]
    if not told:
        return None, None
    start = min(e.date for e in told if e.date)
    end = max((e.date_end or e.date) for e in told if e.date)
    return start, (end if end != start and end > start else None)


def _range(group: list[_Event]) -> tuple[dt.date, dt.date] | None:
    start, end = _dates(group)
    if start is None:
        return None
    lo, hi = _bounds(start, end)
    if len(start) == 10 and not any(e.date_end for e in group):  # one day told: the trip runs on from it
        hi = max(hi, lo + dt.timedelta(days=WINDOW_DAYS))
    return lo, hi


def _create(conn: Connection, text: str, group: list[_Event], events: list[_Event], places: dict[int, str | None],
            trip_ids: set[int], *, link_commitments: bool, doc_id: str) -> int:
    first = group[0]
    start, end = _dates(group)
    place_id = next((e.place_id for e in group if e.place_id), None)
    roles = _roles(conn, text, group, places)
    kind = "delegation" if first.type == "delegation_visit" or re.search(r"delegation|대표단", first.quote, re.I) else "exchange"
    title = _title(conn, kind, roles, place_id, start, first.planned)
    key = conn.execute(insert(t.exchanges).values(
        kind=kind, title=title, status="proposed", date_start=start, date_end=end, place_id=place_id, event_id=first.id,
        event_fingerprint=first.fingerprint, created_at=now(), created_by="extractor:exchanges.v1")).inserted_primary_key
    assert key is not None
    xid = int(key[0])
    for eid, role in roles.items():
        conn.execute(insert(t.exchange_members).values(exchange_id=xid, entity_id=eid, role=role))
    items = _itinerary(group, events, roles, trip_ids, follow_ups=link_commitments)
    for item in items:
        conn.execute(insert(t.exchange_items).values(exchange_id=xid, **item))
    for eid in _local_hosts(events, items, roles, places.get(place_id or -1)):
        conn.execute(insert(t.exchange_members).values(exchange_id=xid, entity_id=eid, role="host"))
    if link_commitments:
        conn.execute(update(t.commitments).where(t.commitments.c.origin_document == doc_id, t.commitments.c.exchange_id.is_(None))
                     .values(exchange_id=xid))
    return xid


def _roles(conn: Connection, text: str, group: list[_Event], places: dict[int, str | None]) -> dict[int, str]:
    """Traveler or host for each organization and person of the trip, by the words, else by country."""
    marks: dict[int, list[tuple[int, int]]] = {}
    spans = [(e.start, e.end) for e in group]
    for r in conn.execute(select(t.mentions.c.entity_id, t.mentions.c.start, t.mentions.c.end)
                          .where(t.mentions.c.document_id == _doc_of(conn, group[0].id))):
        if any(a <= r.start < b for a, b in spans):
            marks.setdefault(r.entity_id, []).append((r.start, r.end))
    out: dict[int, str] = {}
    for e in group:
        country = places.get(e.place_id or -1)
        for p in e.parties:
            if p["role"] == "target" or p["type"] == "place" or p["kind"] in NOT_MEMBERS or p["id"] in out:
                continue
            role = _cue(text, marks.get(p["id"], []))
            if role is None and country and p["country"]:
                role = "host" if p["country"] == country else "traveler"
            if role is None and (p["type"] == "person" or p["kind"] in LABOR_KINDS):
                role = "participant"
            if role is not None:
                out[p["id"]] = role
    return out


def _doc_of(conn: Connection, event_id: int) -> str:
    return str(conn.execute(select(t.events.c.document_id).where(t.events.c.id == event_id)).scalar_one())


def _cue(text: str, spans: list[tuple[int, int]]) -> str | None:
    votes = {"traveler": 0, "host": 0}
    for a, b in spans:
        before, after = text[max(0, a - 60) : a], text[b : b + 60]
        if _TRAVEL_AFTER.search(after):  # "UE members traveling", "KMWU plans to send": the strongest cue
            votes["traveler"] += 1
        elif _HOST_BEFORE.search(before):
            votes["host"] += 1
        elif _TRAVEL_BEFORE.search(before):
            votes["traveler"] += 1
    if votes["traveler"] == votes["host"]:
        return None
    return "traveler" if votes["traveler"] > votes["host"] else "host"


def _title(conn: Connection, kind: str, roles: dict[int, str], place_id: int | None, start: str | None, planned: bool) -> str:
    travelers = [e for e, r in roles.items() if r == "traveler"] or [e for e, r in roles.items() if r == "participant"][:1]
    hosts = [e for e, r in roles.items() if r == "host"]
    who = " and ".join(_short(conn, e) for e in travelers[:2])
    words = [("Planned " if planned else "") + (f"{who} {kind}" if who else kind.capitalize()).strip()]
    if place_id is not None:
        words.append(f"to {_short(conn, place_id)}")
    if hosts:
        words.append("with " + _short(conn, hosts[0]) + (" and others" if len(hosts) > 1 else ""))
    title = " ".join(words)
    return f"{title[0].upper()}{title[1:]}" + (f", {start}" if start else "")


def _short(conn: Connection, entity_id: int) -> str:
    """An organization's acronym where it has one ("UE", "KCTU"), else its name."""
    row = conn.execute(select(t.entities.c.name, t.entities.c.attributes).where(t.entities.c.id == entity_id)).first()
    if row is None:
        return "?"
    acronym = (row.attributes or {}).get("acronym")
    if acronym:
        return str(acronym)
    short = [r[0] for r in conn.execute(select(t.aliases.c.name).where(t.aliases.c.entity_id == entity_id))
             if re.fullmatch(r"[A-Z][A-Z0-9&-]{1,9}", r[0])]
    return min(short, key=len) if short else str(row.name)


def _local_hosts(events: list[_Event], items: list[dict[str, Any]], roles: dict[int, str], country: str | None) -> list[int]:
    """Labor organizations of the host country in the trip's itinerary events (KCTU of the May Day rally)."""
    if not country:
        return []
    ids = {i["event_id"] for i in items if i["kind"] != "follow_up"}
    found = {p["id"] for e in events if e.id in ids for p in e.parties
             if p["role"] != "target" and p["kind"] in LABOR_KINDS and p["country"] == country}
    return sorted(found - set(roles))


def _itinerary(group: list[_Event], events: list[_Event], roles: dict[int, str], trip_ids: set[int], *,
               follow_ups: bool) -> list[dict[str, Any]]:
    """The trip's other events (same document, within its dates; not trips proposed on their own) and, in a
    report about the trip, its follow-ups (planned events with a member in them, a planned trip included)."""
    items = [_item(e, "visit") for e in group[1:]]
    span = _range(group)
    start, _ = _dates(group)
    members = set(roles)
    for e in events:
        if e in group or e.type not in ITEM_OF:
            continue
        if e.status in ("demanded", "threatened", "failed"):
            continue
        if e.planned and not group[0].planned:
            if follow_ups and e.type in FOLLOW_TYPES and members & {p["id"] for p in e.parties} and (not e.date or not start or e.date >= start):
                items.append({**_item(e, "follow_up"), "status": "open"})
            continue
        if e.id in trip_ids or span is None or not e.date or start is None or len(e.date) < len(start) or e.planned != group[0].planned:
            continue
        lo, hi = _bounds(e.date, e.date_end)
        if lo <= span[1] and hi >= span[0]:
            items.append(_item(e, ITEM_OF[e.type]))
    return items


def _item(e: _Event, kind: str) -> dict[str, Any]:
    return {"kind": kind, "date": e.date, "place_id": e.place_id, "description": e.quote, "event_id": e.id,
            "event_fingerprint": e.fingerprint, "status": None}
