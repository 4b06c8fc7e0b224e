"""Briefing packs: what a delegation should know about an ally, on one to three pages, every line sourced.

``build_brief(store, "KCTU", us="UE")`` gathers, for an organization named by name, alias or id:
its names in every script, kind, country, federation and affiliates, size where a text states it,
people and their roles, our history together (exchanges, shared events, commitments, fund
transfers), recent events and open campaigns. Every line carries footnote numbers into
``sources``: the document's title and date with the quote, or the record a fact came from (the
bundled gazetteer, a curator's change, the fund ledger, an exchange record, our contacts list).

"Us" is ``us`` (a name or id) or else the ``home_org`` setting in the ``settings`` table.
Protected people are redacted unless ``reveal_protected``. ``brief_render`` turns the result into
HTML and PDF. The program tables (exchanges, commitments, ledger, contacts) are read directly, so
the brief shows whatever the other areas have stored.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from solidarity_graph.accounts import records
from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.errors import InputError
from solidarity_graph.program.brief_sources import (
    Sources,
    amount,
    country_name,
    display_names,
    kind_label,
    make_line,
    money,
    renumber,
)
from solidarity_graph.program.protect import Redactor
from solidarity_graph.schema import load_schema
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["build_brief", "find_organization", "home_org", "set_home_org"]

RECENT = 6  # recent events shown
UPCOMING = ("planned", "demanded", "threatened")
OPEN_COMMITMENTS = ("open", "in_progress")
ACRONYM = re.compile(r"[A-Z][A-Z0-9&-]{1,9}")
# what may stand between an organization's name and a number for the number to be its size:
# "KCTU, which has about 1.1 million members", "KCTU (1.1 million members)", "민주노총 조합원 110만 명"
MEMBER_LINK = re.compile(r"^\s*\)?\s*(\([^)]*\))?\s*,?\s*((which|that)\s+)?(now\s+)?(has|have|had|counts?|represents?|represented|"
                         r"organi[sz]es?|unites?|brings together|with)\b[^.;,]{0,25}$|^\s*\(\s*$|^\s*(조합원|組合員)\s*$", re.I)
MEMBERS = re.compile(r"member|worker|조합원|組合員|miembros|membres|membros|trabajador|travailleu", re.I)


def _not_rejected(table: Any) -> Any:
    return or_(table.c.review.is_(None), table.c.review != "rejected")


def find_organization(store: Store, name: str | int) -> Any:
    """The organization named by ``name`` (an alias in any language) or with id ``name`` (an int); a clear error otherwise."""
    from solidarity_graph.query import find_entity

    with store.connect() as conn:
        if isinstance(name, int):
            row = conn.execute(select(t.entities).where(t.entities.c.id == name)).first()
            if row is None or row.type != "organization":
                raise InputError(f"no organization with id {name}", field="name")
            return row
        found = [f for f in find_entity(store, name) if f["type"] == "organization"]
        if not found:
            raise InputError(f"no organization named {name!r} (try `solidarity search {name}`)", field="name")
        return conn.execute(select(t.entities).where(t.entities.c.id == found[0]["id"])).first()


def home_org(store: Store) -> Any | None:
    """The organization the ``home_org`` setting names (an id or a name), if any."""
    with store.connect() as conn:
        value = conn.execute(select(t.settings.c.value).where(t.settings.c.key == "home_org")).scalar()
    if value in (None, ""):
        return None
    return find_organization(store, value if isinstance(value, int) else str(value))


def _ally_terms(names: list[str]) -> re.Pattern[str]:
    words = sorted({n for n in names if len(n) >= 3}, key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words), re.I)


def _date(d: str | None) -> str:
    return d or ""


def set_home_org(store: Store, name: str | int, *, who: str) -> Any:
    """Remember which organization is "us" (the ``home_org`` setting), audited; returns it."""
    from sqlalchemy import delete, insert

    from solidarity_graph.curation import log_change

    org = find_organization(store, name)
    with store.engine.begin() as conn:
        before = conn.execute(select(t.settings.c.value).where(t.settings.c.key == "home_org")).scalar()
        conn.execute(delete(t.settings).where(t.settings.c.key == "home_org"))
        conn.execute(insert(t.settings).values(key="home_org", value=org.id))
        log_change(conn, who, "set_home_org", "setting home_org", {"home_org": before}, {"home_org": org.id}, org.name)
    return org


class _Gather:
    """Reads everything the brief needs about one organization over one connection."""

    def __init__(self, conn: Connection, ally: Any, us: Any | None, as_of: str, visible: Visibility = EVERYTHING) -> None:
        self.conn, self.ally, self.us, self.as_of, self.visible = conn, ally, us, as_of, visible
        self.src = Sources(conn)
        self.names = {r.id: SimpleNamespace(id=r.id, name=visible.name(r.id, r.name), type=r.type, attributes=r.attributes)
                      for r in conn.execute(select(t.entities.c.id, t.entities.c.name, t.entities.c.type, t.entities.c.attributes))
                      if visible.entity_ok(r.id)}
        self.aliases = sorted(set(visible.aliases(ally.id, [r[0] for r in conn.execute(
            select(t.aliases.c.name).where(t.aliases.c.entity_id == ally.id))])) - {ally.name})
        self.pattern = _ally_terms([ally.name, *self.aliases])
        self.schema = load_schema()
        self.acronyms: dict[int, str] = {}  # organization -> its shortest all-capital alias (UE, KMWU)
        for r in conn.execute(select(t.aliases.c.entity_id, t.aliases.c.name)):
            if ACRONYM.fullmatch(r.name) and len(r.name) < len(self.acronyms.get(r.entity_id, r.name + "?")):
                self.acronyms[r.entity_id] = r.name
        self.affiliates: dict[int, list[int]] = {}  # affiliate id -> refs

    def name(self, eid: int | None) -> str:
        return self.names[eid].name if eid in self.names else "?"

    def short(self, eid: int | None) -> str:
        """An organization's acronym where the gazetteer gives one (UE, KMWU), else its name."""
        row = self.names.get(eid) if eid is not None else None
        if row is None:
            return "?"
        if row.type != "organization":
            return str(row.name)
        return str((row.attributes or {}).get("acronym") or self.acronyms.get(row.id) or row.name)

    def full(self, eid: int | None) -> str:
        """Name and acronym: "Korean Metal Workers' Union (KMWU)"."""
        name, short = self.name(eid), self.short(eid)
        return name if short == name else f"{name} ({short})"

    def rels(self, *preds: str) -> list[Any]:
        a = self.ally.id
        return [r for r in self.conn.execute(select(t.relations).where(
            t.relations.c.predicate.in_(preds), or_(t.relations.c.subject_id == a, t.relations.c.object_id == a),
            _not_rejected(t.relations)).order_by(t.relations.c.id)) if self.visible.relation_ok(r.document_id, r.subject_id, r.object_id)]

    def rel_ref(self, r: Any) -> int:
        return self.src.document(r.document_id, r.quote, who=r.extractor.removeprefix("curator:"))

    # ---- who they are ----------------------------------------------------------------------
    def entity_refs(self) -> list[int]:
        """Where the record itself comes from: the gazetteer, curators' changes, else the first mention."""
        refs = []
        if self.ally.gazetteer_key:
            refs.append(self.src.record("gazetteer", f"Gazetteer of labor organizations bundled with Solidarity Graph, entry {self.ally.gazetteer_key}"))
        for c in self.conn.execute(select(t.curations).where(t.curations.c.target == f"entity {self.ally.id}",
                                                             t.curations.c.action.in_(("set_kind", "set_country", "rename")))):
            refs.append(self.src.record(f"curation {c.id}", f"Curator's change #{c.id} by {c.who}", c.at[:10], c.note or c.action))
        if not refs:
            m = self.conn.execute(select(t.mentions.c.document_id, t.mentions.c.sent_start, t.mentions.c.sent_end,
                                         t.documents.c.text.label("doc_text"))
                                  .join(t.documents, t.documents.c.id == t.mentions.c.document_id)
                                  .where(t.mentions.c.entity_id == self.ally.id, self.visible.documents_clause(t.mentions.c.document_id))
                                  .order_by(t.documents.c.published, t.mentions.c.start)).first()
            if m is not None:
                refs.append(self.src.document(m.document_id, m.doc_text[m.sent_start:m.sent_end]))
        return refs

    def who(self) -> list[dict[str, Any]]:
        e, out = self.ally, []
        refs = self.entity_refs()
        if e.kind:
            out.append(make_line(kind_label(e.kind), refs, label="Kind"))
        if e.country:
            out.append(make_line(country_name(e.country), refs, label="Country"))
        up: dict[int, list[int]] = {}
        if e.parent_id and self.visible.entity_ok(e.parent_id):
            up.setdefault(e.parent_id, []).extend(refs)
        for r in self.rels("affiliated_with", "part_of"):
            if r.subject_id == e.id:
                up.setdefault(r.object_id, []).append(self.rel_ref(r))
            else:
                self.affiliates.setdefault(r.subject_id, []).append(self.rel_ref(r))
        for c in self.conn.execute(select(t.entities.c.id).where(t.entities.c.parent_id == e.id)):
            if self.visible.entity_ok(c.id):
                self.affiliates.setdefault(c.id, []).extend(refs)
        if up:
            out.append(make_line("; ".join(self.full(i) for i in up), [n for v in up.values() for n in v], label="Federation"))
        if self.affiliates:
            out.append(make_line("; ".join(self.full(i) for i in self.affiliates), [n for v in self.affiliates.values() for n in v],
                             label="Affiliates"))
        out += self.size()
        return out

    def size(self) -> list[dict[str, Any]]:
        """Membership: an attribute that holds it, or a number of members or workers written right after the name."""
        attrs = self.ally.attributes or {}
        out = [make_line(f"{attrs[k]} members", self.entity_refs(), label="Size") for k in ("members", "membership") if attrs.get(k)]
        ends: dict[str, list[int]] = {}
        for m in self.conn.execute(select(t.mentions.c.document_id, t.mentions.c.end).where(
                t.mentions.c.entity_id == self.ally.id, self.visible.documents_clause(t.mentions.c.document_id))):
            ends.setdefault(m.document_id, []).append(m.end)
        texts: dict[str, str] = {}
        for q in self.conn.execute(select(t.quantities).where(t.quantities.c.unit == "people", t.quantities.c.document_id.in_(list(ends)))):
            if q.document_id not in texts:
                texts[q.document_id] = self.conn.execute(select(t.documents.c.text).where(t.documents.c.id == q.document_id)).scalar_one()
            end = max((e for e in ends[q.document_id] if e <= q.start), default=None)
            if end is None or not MEMBERS.search(q.of) or not MEMBER_LINK.match(texts[q.document_id][end:q.start]):
                continue
            hedge = f"{q.hedge} " if q.hedge else ""
            out.append(make_line(f"{hedge}{q.value:,.0f} {q.of}", [self.src.document(q.document_id, q.quote)], label="Size",
                             document=q.document_id))
        return out

    # ---- people ----------------------------------------------------------------------------
    def people(self) -> list[dict[str, Any]]:
        orgs = [self.ally.id, *self.affiliates]
        out = []
        for r in self.conn.execute(select(t.relations).where(t.relations.c.predicate == "holds_role", t.relations.c.object_id.in_(orgs),
                                                             _not_rejected(t.relations)).order_by(t.relations.c.id)):
            if not self.visible.relation_ok(r.document_id, r.subject_id, r.object_id):
                continue
            title = str((r.attributes or {}).get("title") or "role")
            title = title[:1].upper() + title[1:]
            at = "" if r.object_id == self.ally.id else f", {self.full(r.object_id)}"
            out.append(make_line(f"{self.name(r.subject_id)}{at}", [self.rel_ref(r)], label=title, document=r.document_id))
        k = t.contacts.c
        for c in self.conn.execute(select(k.id, k.person, k.email, k.phone, k.since, k.note, k.created_at)
                                   .where(k.entity_id == self.ally.id).order_by(k.id)):
            how = ", ".join(x for x in (c.email, c.phone) if x)
            text = (c.person or "contact") + (f" ({how})" if how else "") + (f"; since {c.since}" if c.since else "")
            ref = self.src.record(f"contact {c.id}", "Our contacts list", c.created_at[:10], c.note or "")
            out.append(make_line(text, [ref], label="Our contact"))
        return out

    # ---- events ----------------------------------------------------------------------------
    def events(self) -> list[dict[str, Any]]:
        """Every event involving the ally, newest first, with its participants."""
        ids = select(t.event_participants.c.event_id).where(t.event_participants.c.entity_id == self.ally.id)
        vis = self.visible
        rows = [self._told(r) for r in self.conn.execute(select(t.events).where(t.events.c.id.in_(ids), _not_rejected(t.events)))
                if vis.event_ok(r.id) and vis.participant_ok(r.id, self.ally.id)]
        parts: dict[int, list[int]] = {}
        for p in self.conn.execute(select(t.event_participants).where(t.event_participants.c.event_id.in_([r.id for r in rows]))):
            if vis.participant_ok(p.event_id, p.entity_id):
                parts.setdefault(p.event_id, []).append(p.entity_id)
        rows.sort(key=lambda r: (r.date or "", r.id), reverse=True)
        return [{"row": r, "participants": parts.get(r.id, [])} for r in rows]

    def _told(self, r: Any) -> Any:
        """An event row as a visible document tells it (its document, quote and place)."""
        if not self.visible.active:
            return r
        src = self.visible.event_source(r.id)
        place = r.place_id if self.visible.participant_ok(r.id, r.place_id) else None
        return SimpleNamespace(**{**r._asdict(), "place_id": place, **({"document_id": src["document"], "quote": src["quote"]} if src else {})})

    def eventline(self, ev: dict[str, Any]) -> dict[str, Any]:
        r = ev["row"]
        etype = self.schema.event_types.get(r.type)
        others = [self.short(i) for i in ev["participants"] if i != self.ally.id]
        text = (f"{r.status}: " if r.status != "happened" else "") + ("at " + self.name(r.place_id) if r.place_id else "")
        if others:
            text += ("; " if text else "") + "with " + ", ".join(others[:5]) + (" and others" if len(others) > 5 else "")
        if r.size:
            text += f"; {(r.size_hedge + ' ') if r.size_hedge else ''}{r.size:,.0f} people"
        date = r.date + (f" – {r.date_end}" if r.date_end else "") if r.date else None
        return make_line(text, [self.src.document(r.document_id, r.quote)], date=date, label=etype.label if etype else r.type,
                     document=r.document_id)

    # ---- program records -------------------------------------------------------------------
    def exchanges(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Exchanges the ally took part in, and their open follow-ups."""
        ids = [r[0] for r in self.conn.execute(select(t.exchange_members.c.exchange_id).where(t.exchange_members.c.entity_id == self.ally.id))]
        lines, follow = [], []
        c = t.exchanges.c
        for x in self.conn.execute(select(c.id, c.kind, c.title, c.status, c.date_start, c.date_end, c.event_id, c.event_fingerprint,
                                          c.produced, c.notes, c.created_at, c.created_by)
                                   .where(c.id.in_(ids), c.status != "rejected").order_by(c.date_start)):
            if not records.exchange_ok(self.conn, self.visible, x):
                continue
            members = [f"{self.short(m.entity_id)} ({m.role})" for m in self.conn.execute(
                select(t.exchange_members).where(t.exchange_members.c.exchange_id == x.id)) if self.visible.entity_ok(m.entity_id)]
            ref = self._exchange_ref(x)
            text = f"{x.title} ({x.status})" + (f"; {', '.join(members)}" if members else "") + (f"; produced: {x.produced}" if x.produced else "")
            date = (x.date_start or "") + (f" – {x.date_end}" if x.date_end else "")
            lines.append(make_line(text, [ref], date=date or None, label=x.kind.replace("_", " ").capitalize()))
            for item in self.conn.execute(select(t.exchange_items.c.description, t.exchange_items.c.date).where(t.exchange_items.c.exchange_id == x.id,
                                                                         t.exchange_items.c.kind == "follow_up", t.exchange_items.c.status == "open")):
                follow.append(make_line(f"{item.description} (from {x.title})", [ref], date=item.date, label="Follow-up"))
        return lines, follow

    def _exchange_ref(self, x: Any) -> int:
        if x.event_id is not None:
            ev = self.conn.execute(select(t.events.c.id, t.events.c.document_id, t.events.c.quote).where(t.events.c.id == x.event_id)).first()
            if ev is not None:
                ev = self._told(ev)
                return self.src.document(ev.document_id, ev.quote)
        return self.src.record(f"exchange {x.id}", f"Exchange record #{x.id} ({x.created_by})", x.created_at[:10], x.notes or x.title)

    def commitments(self) -> list[Any]:
        """Commitments and demands by, to or naming the ally."""
        c = t.commitments.c
        rows = self.conn.execute(select(c.id, c.kind, c.text, c.subject_id, c.object_id, c.object_text, c.subject_text, c.due,
                                        c.status, c.document_id, c.origin_document, c.quote, c.created_at).order_by(c.due, c.id))
        return [c for c in rows if (self.ally.id in (c.subject_id, c.object_id)
                or any(self.pattern.search(s or "") for s in (c.text, c.object_text)))  # not the quote: it may list many
                and records.commitment_ok(self.visible, c)]

    def commitmentline(self, c: Any) -> dict[str, Any]:
        who = None if c.subject_id == self.ally.id else self.short(c.subject_id) if c.subject_id else c.subject_text
        to = self.full(c.object_id) if c.object_id else c.object_text
        text = (f"{who}: " if who else "") + c.text + (f" (to {to})" if to and c.kind == "demand" else "")
        text += f"; due {c.due}" if c.due else ""
        doc = c.document_id or c.origin_document  # a re-extracted document keeps its id
        ref = (self.src.document(doc, c.quote or c.text) if doc
               else self.src.record(f"commitment {c.id}", f"Commitment #{c.id}, entered by hand", c.created_at[:10], c.text))
        return make_line(text, [ref], label=f"{c.kind.capitalize()} · {c.status.replace('_', ' ')}", document=doc)

    def ledger(self) -> list[dict[str, Any]]:
        """Fund transfers to or from the ally, reversed entries marked, with totals per currency."""
        funds = {f.id: f.name for f in self.conn.execute(select(t.funds.c.id, t.funds.c.name))}
        c = t.ledger_entries.c
        rows = [e for e in self.conn.execute(select(c.id, c.fund_id, c.date, c.kind, c.amount, c.currency, c.from_id, c.from_name, c.to_id,
                                                    c.to_name, c.purpose, c.reverses, c.created_at, c.created_by).order_by(c.date, c.id))
                if self.ally.id in (e.from_id, e.to_id) or any(self.pattern.search(s or "") for s in (e.from_name, e.to_name))]
        reversed_ids = {e.reverses for e in rows if e.reverses}
        reversed_ids |= {r[0] for r in self.conn.execute(select(t.ledger_entries.c.reverses).where(
            t.ledger_entries.c.reverses.in_([e.id for e in rows])))}
        out: list[dict[str, Any]] = []
        totals: dict[tuple[str, str], Decimal] = {}
        for e in rows:
            if e.kind == "reversal":
                continue
            value = amount(e.amount)
            src = self.visible.party(e.from_id, self.short(e.from_id) if e.from_id else e.from_name)
            dst = self.visible.party(e.to_id, self.short(e.to_id) if e.to_id else e.to_name)
            purpose = self.visible.party(None, e.purpose)
            text = (money(value, e.currency) + (f" from {src}" if src else "") + (f" to {dst}" if dst else "")
                    + f" ({funds.get(e.fund_id, 'fund')})" + (f": {purpose}" if purpose else ""))
            if e.id in reversed_ids:
                text += " (reversed)"
            else:
                to_them = e.to_id == self.ally.id or (e.to_id is None and bool(self.pattern.search(e.to_name or "")))
                key = ("received" if to_them else "given", e.currency)
                totals[key] = totals.get(key, Decimal(0)) + value
            ref = self.src.record(f"ledger {e.id}", f"Ledger of {funds.get(e.fund_id, 'the fund')}, entry #{e.id} ({e.created_by})",
                                  e.created_at[:10], purpose or e.kind)
            out.append(make_line(text, [ref], date=e.date, label=e.kind.capitalize()))
        for (way, cur), total in sorted(totals.items()):
            refs = sorted({n for line in out for n in line["refs"]})
            out.append(make_line(f"{money(total, cur)} {way} in all", refs, label="Total"))
        return out


def build_brief(store: Store, name: str | int, *, us: str | int | None = None, as_of: str | None = None,
                reveal_protected: bool = False, recent: int = RECENT, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    """Everything a delegation should know about one organization, every line with footnotes into ``sources``,
    from what ``visible`` lets through (an organization it hides is not found)."""
    ally = find_organization(store, name)
    if not visible.entity_ok(ally.id):
        raise InputError(f"no organization {name!r}", field="name")
    home = find_organization(store, us) if us not in (None, "") else home_org(store)
    home = home if home is None or visible.entity_ok(home.id) else None
    as_of = as_of or dt.date.today().isoformat()
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", as_of):
        raise InputError(f"{as_of!r} is not a date (YYYY-MM-DD)", field="as_of")
    with store.connect() as conn:
        g = _Gather(conn, ally, home if home is not None and home.id != ally.id else None, as_of, visible)
        sections, sources = renumber(_sections(g, recent), g.src.items)
    page = {
        "entity": {"id": ally.id, "name": visible.name(ally.id, ally.name), "kind": ally.kind, "country": ally.country},
        "us": {"id": g.us.id, "name": g.us.name, "short": g.short(g.us.id)} if g.us is not None else None,
        "as_of": as_of, "names": display_names(visible.name(ally.id, ally.name), g.aliases), "sections": sections, "sources": sources,
        "revealed": reveal_protected,
    }
    out: dict[str, Any] = Redactor.load(store, reveal=reveal_protected).walk(page)
    return out


def _sections(g: _Gather, recent: int) -> list[dict[str, Any]]:
    who = g.who()
    people = g.people()
    events = g.events()
    us_id = g.us.id if g.us is not None else None
    shared = [e for e in events if us_id in e["participants"]]
    exchanges, follow_ups = g.exchanges()
    commitments = g.commitments()
    history = list(exchanges)
    history += [g.eventline(e) for e in reversed(shared)]
    history += [g.commitmentline(c) for c in commitments if c.status not in OPEN_COMMITMENTS]
    history.sort(key=lambda line: (line["date"] is None, line["date"] or ""))  # oldest first, undated last
    if us_id is not None:
        allied = [r for r in g.rels("ally_of") if us_id in (r.subject_id, r.object_id)]
        if allied:
            history.insert(0, make_line(f"{g.short(us_id)} and {g.short(g.ally.id)} are allies", [g.rel_ref(r) for r in allied],
                                    label="Alliance"))
    history += g.ledger()  # money last, with its totals
    past = [e for e in events if _date(e["row"].date)[:10] <= g.as_of and e["row"].date]
    ahead = [e for e in events if e["row"].date and e["row"].date[:10] > g.as_of
             or not e["row"].date and e["row"].status in UPCOMING]
    campaigns = [g.commitmentline(c) for c in commitments if c.status in OPEN_COMMITMENTS]
    campaigns += [g.eventline(e) for e in reversed(ahead)]
    campaigns += [make_line(f"{g.short(r.subject_id)} demands from {g.full(r.object_id)}", [g.rel_ref(r)], label="Demand", document=r.document_id)
                  for r in g.rels("demands_from") if r.subject_id == g.ally.id]
    campaigns += follow_ups
    us_name = g.short(g.us.id) if g.us is not None else None
    return [
        {"key": "who", "title": "Who they are", "lines": who, "empty": "Nothing recorded beyond the name."},
        {"key": "people", "title": "People and roles", "lines": people, "empty": "No roles recorded in the documents."},
        {"key": "history", "title": f"Our history together{f' ({us_name})' if us_name else ''}", "lines": history,
         "empty": "Nothing recorded yet.",
         "note": None if us_name else "Shared events need to know who “us” is: --us NAME or the home_org setting."},
        {"key": "recent", "title": "Recent events", "lines": [g.eventline(e) for e in past[:recent] if e not in shared],
         "empty": "No other events recorded.", "note": f"Events with {us_name} are under “Our history together”." if shared else None},
        {"key": "open", "title": "Open campaigns and what lies ahead", "lines": campaigns,
         "empty": "No open commitments, demands or upcoming events."},
    ]
