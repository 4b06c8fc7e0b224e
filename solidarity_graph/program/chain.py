"""Employer chains ("sister shops"): a multinational's sites, the union at each, and the gaps.

A chain joins the rows of the ``sites`` table, from three origins:

- ``extracted``: read from the stored documents and relations (:mod:`chain_infer`); kept up to date
  by :func:`refresh_sites`, which is idempotent (run twice, the second run changes nothing) and runs
  whenever a chain is read, so a chain is never behind the graph;
- ``csv``: imported from a spreadsheet (:func:`solidarity_graph.program.chain_sites.import_sites_csv`);
- ``hand``: added one at a time by a curator (audited).

Rows are grouped by country, then by city (or site name). A country-wide row with no union ("Wabtec
workers in Brazil") stands as a site of its own only where nothing more precise is known of that
country; a union's row without a city joins the union's site with a city in the same country.

Gaps: a site with no known union; a union with no row in ``contacts`` (we have no contact with it).

    >>> chain = employer_chain(store, wabtec_id)
    >>> [c["country"] for c in chain["countries"]], chain["gaps"]["unions_without_contact"]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import pycountry
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from solidarity_graph.accounts import records
from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.curation import log_change
from solidarity_graph.errors import InputError
from solidarity_graph.program.chain_infer import UNION_KINDS, infer_sites
from solidarity_graph.query import find_entity
from solidarity_graph.resolve import fold_name
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["employer_chain", "list_employers", "refresh_sites", "refresh_documents", "resolve_org",
           "country_code", "country_name", "add_contact", "list_contacts"]

_KEY = ("country", "city", "union_id", "document_id", "start", "end", "quote", "note")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_SINCE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# ---- names -----------------------------------------------------------------------------------
def resolve_org(store: Store, ref: str | int, *, field: str = "organization") -> dict[str, Any]:
    """The organization named ``ref`` (id, name or alias; the most mentioned when several share it)."""
    text = str(ref).strip()
    if not text:
        raise InputError("no organization given", field=field)
    found = [e for e in find_entity(store, text) if e["type"] == "organization"]
    if text.isdigit():
        found = [e for e in found if e["id"] == int(text)] or found
    if not found:
        raise InputError(f"no organization named {text!r}", field=field)
    return found[0]


def country_code(text: str, *, field: str = "country") -> str:
    """ISO 3166-1 alpha-2 code for a code ("GB", "GBR") or a name in one of many languages ("Brasil")."""
    value = text.strip()
    if not value:
        raise InputError("no country given", field=field)
    try:
        return str(pycountry.countries.lookup(value).alpha_2)
    except LookupError:
        pass
    from solidarity_graph.program.chain_infer import place_lookup

    place = place_lookup(value)
    if place is not None and place.kind == "country" and place.country:
        return str(place.country)
    raise InputError(f"unknown country {value!r} (an ISO code such as GB or a country's name)", field=field)


def country_name(code: str | None) -> str:
    """A country's common name ("United Kingdom" for GB); "country unknown" for None."""
    if not code:
        return "country unknown"
    c = pycountry.countries.get(alpha_2=code)
    return str(getattr(c, "common_name", None) or c.name) if c is not None else code


# ---- refreshing extracted sites ---------------------------------------------------------------
def _employer_ids(conn: Connection) -> list[int]:
    """Employers worth a chain: named employers, sides of union-employer relations, owners of sites."""
    named = select(t.entities.c.id).where(t.entities.c.kind == "employer",
                                          t.entities.c.id.in_(select(t.mentions.c.entity_id)))
    rel_obj = select(t.relations.c.object_id).where(t.relations.c.predicate == "represents_workers_at")
    rel_subj = select(t.relations.c.subject_id).where(t.relations.c.predicate == "employer_of")
    owners = select(t.sites.c.employer_id)
    ids: set[int] = set()
    for q in (named, rel_obj, rel_subj, owners):
        ids |= {int(r[0]) for r in conn.execute(q)}
    return sorted(ids)


def refresh_sites(store: Store, employer_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Bring the ``extracted`` sites of these employers (default all) in line with the graph.

    Rows still supported keep their ids; rows no longer supported go; new ones come. One transaction.
    """
    added = removed = 0
    with store.engine.begin() as conn:
        ids = list(employer_ids) if employer_ids is not None else _employer_ids(conn)
        for eid in ids:
            want = {tuple(getattr(f, k) for k in _KEY): f for f in infer_sites(conn, eid)}
            have = {tuple(getattr(r, k) for k in _KEY): r.id for r in conn.execute(
                select(t.sites).where(t.sites.c.employer_id == eid, t.sites.c.origin == "extracted"))}
            gone = [sid for key, sid in have.items() if key not in want]
            if gone:
                conn.execute(delete(t.sites).where(t.sites.c.id.in_(gone)))
            new = [dict(zip(_KEY, key, strict=True)) for key in want if key not in have]
            for row in new:
                conn.execute(insert(t.sites).values(employer_id=eid, origin="extracted", created_at=_now(), **row))
            added, removed = added + len(new), removed + len(gone)
    return {"employers": len(ids), "added": added, "removed": removed}


def refresh_documents(store: Store, document_ids: list[str]) -> dict[str, int]:
    """After an ingest: refresh the chains of the employers these documents name or relate."""
    with store.connect() as conn:
        named = {int(r[0]) for r in conn.execute(
            select(t.mentions.c.entity_id).join(t.entities, t.entities.c.id == t.mentions.c.entity_id)
            .where(t.mentions.c.document_id.in_(document_ids), t.entities.c.kind == "employer").distinct())}
        for r in conn.execute(select(t.relations.c.subject_id, t.relations.c.predicate, t.relations.c.object_id)
                              .where(t.relations.c.document_id.in_(document_ids),
                                     t.relations.c.predicate.in_(("represents_workers_at", "employer_of")))):
            named.add(int(r.object_id if r.predicate == "represents_workers_at" else r.subject_id))
    return refresh_sites(store, sorted(named)) if named else {"employers": 0, "added": 0, "removed": 0}


# ---- reading a chain ---------------------------------------------------------------------------
def list_employers(store: Store, *, visible: Visibility = EVERYTHING) -> list[dict[str, Any]]:
    """Employers with at least one site: name, countries, sites, unions and gaps, most sites first
    (of the sites ``visible`` lets through)."""
    refresh_sites(store)
    with store.connect() as conn:
        ids = sorted({int(r.employer_id) for r in conn.execute(select(t.sites)) if records.site_ok(visible, r)})
    out = []
    for eid in ids:
        c = _chain(store, eid, visible)
        out.append({"id": eid, "name": c["employer"]["name"], "country": c["employer"]["country"],
                    "countries": [x["country"] for x in c["countries"]], "counts": c["counts"]})
    return sorted(out, key=lambda e: (-e["counts"]["sites"], e["name"]))


def employer_chain(store: Store, employer_id: int, *, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    """The employer's sites grouped by country, each with its unions and sources, and the gaps (of the sites
    ``visible`` lets through; KeyError for an employer it hides)."""
    with store.connect() as conn:
        if conn.execute(select(t.entities.c.id).where(t.entities.c.id == employer_id)).first() is None or not visible.entity_ok(employer_id):
            raise KeyError(employer_id)
    refresh_sites(store, [employer_id])
    return _chain(store, employer_id, visible)


def _chain(store: Store, employer_id: int, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    with store.connect() as conn:
        emp = conn.execute(select(t.entities).where(t.entities.c.id == employer_id)).one()
        rows = [dict(r._mapping) for r in conn.execute(select(t.sites).where(t.sites.c.employer_id == employer_id).order_by(t.sites.c.id))
                if records.site_ok(visible, r)]
        for r in rows:  # a union only a hidden document names is not said to be there
            r["union_id"] = r["union_id"] if visible.entity_ok(r["union_id"]) else None
        union_ids = {r["union_id"] for r in rows if r["union_id"]}
        unions = {r.id: {**dict(r._mapping), "name": visible.name(r.id, r.name)}
                  for r in conn.execute(select(t.entities).where(t.entities.c.id.in_(union_ids)))}
        contacts = _contact_counts(conn, union_ids | {u["parent_id"] for u in unions.values() if u["parent_id"]})
        parents = {r.id: visible.name(r.id, r.name) for r in conn.execute(select(t.entities.c.id, t.entities.c.name).where(
            t.entities.c.id.in_({u["parent_id"] for u in unions.values() if u["parent_id"]}))) if visible.entity_ok(r.id)}
        titles = {r.id: r.title or r.source for r in conn.execute(select(t.documents.c.id, t.documents.c.title, t.documents.c.source)
                                                                  .where(t.documents.c.id.in_({r["document_id"] for r in rows if r["document_id"]})))}
        countries = _group(rows, unions, contacts, titles)
        union_list = _unions(countries, unions, contacts, parents)
        gaps = {"sites_without_union": [], "unions_without_contact": [u for u in union_list if not u["contacts"]]}
        for c in countries:
            for s in c["sites"]:
                if not s["unions"]:
                    gaps["sites_without_union"].append({"country": c["country"], "country_name": c["name"], "city": s["city"],
                                                        "names": s["names"], "stated_no_union": s["stated_no_union"],
                                                        "sources": s["sources"],
                                                        "candidates": [x for x in _candidates(conn, c["country"], s["sources"])
                                                                       if visible.entity_ok(x["id"])]})
    n_sites = sum(len(c["sites"]) for c in countries)
    return {"employer": {"id": emp.id, "name": visible.name(emp.id, emp.name), "kind": emp.kind, "country": emp.country},
            "countries": countries, "unions": union_list, "gaps": gaps,
            "counts": {"sites": n_sites, "countries": len(countries), "unions": len(union_list),
                       "sites_without_union": len(gaps["sites_without_union"]),
                       "unions_without_contact": len(gaps["unions_without_contact"])}}


def _contact_counts(conn: Connection, ids: set[int]) -> dict[int, int]:
    q = select(t.contacts.c.entity_id, func.count()).where(t.contacts.c.entity_id.in_(ids)).group_by(t.contacts.c.entity_id)
    return {int(r[0]): int(r[1]) for r in conn.execute(q)}


def _source(r: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    span = [r["start"], r["end"]] if r["start"] is not None and r["end"] is not None else None
    return {"site_ids": [r["id"]], "origin": r["origin"], "document": r["document_id"], "title": titles.get(r["document_id"] or ""),
            "quote": r["quote"], "span": span, "note": r["note"], "union_ids": [r["union_id"]] if r["union_id"] else [],
            "workers": r["workers"]}


def _add_source(sources: list[dict[str, Any]], src: dict[str, Any]) -> None:
    """One entry per sentence (or CSV line): the rows it gave are listed in it."""
    same = next((s for s in sources if (s["origin"], s["document"], s["span"], s["quote"])
                 == (src["origin"], src["document"], src["span"], src["quote"])), None)
    if same is None:
        sources.append(src)
        return
    same["site_ids"] += src["site_ids"]
    same["union_ids"] += [u for u in src["union_ids"] if u not in same["union_ids"]]


def _group(rows: list[dict[str, Any]], unions: dict[int, dict[str, Any]], contacts: dict[int, int],
           titles: dict[str, str]) -> list[dict[str, Any]]:
    """Rows -> countries -> sites (see the module's docstring for how vague rows join precise ones)."""
    by_country: dict[str | None, list[dict[str, Any]]] = {}
    for r in rows:
        by_country.setdefault(r["country"], []).append(r)
    out = []
    for code, crows in by_country.items():
        sites: dict[str | None, dict[str, Any]] = {}
        evidence: list[dict[str, Any]] = []

        def site(key: str | None, sites: dict[str | None, dict[str, Any]] = sites) -> dict[str, Any]:
            return sites.setdefault(key, {"key": key, "city": None, "names": [], "unions": {}, "sources": [], "stated_no_union": False})

        def put(s: dict[str, Any], r: dict[str, Any]) -> None:
            s["city"] = s["city"] or r["city"]
            if r["name"] and r["name"] not in s["names"]:
                s["names"].append(r["name"])
            if r["union_id"] and r["union_id"] in unions:
                u = unions[r["union_id"]]
                entry = s["unions"].setdefault(u["id"], {"id": u["id"], "name": u["name"], "kind": u["kind"],
                                                         "contacts": contacts.get(u["id"], 0), "workers": None})
                entry["workers"] = entry["workers"] or r["workers"]
            s["stated_no_union"] |= r["origin"] == "extracted" and (r["note"] or "").startswith("the source says there is no")
            _add_source(s["sources"], _source(r, titles))

        placed = [r for r in crows if r["city"] or r["name"]]
        for r in placed:
            put(site(fold_name(r["city"] or r["name"])), r)
        union_home = {u: k for k, s in sites.items() for u in s["unions"]}
        loose = [r for r in crows if not (r["city"] or r["name"])]
        for r in [r for r in loose if r["union_id"]]:
            put(site(union_home.get(r["union_id"])), r)
        for r in [r for r in loose if not r["union_id"]]:
            stated = (r["note"] or "").startswith("the source says there is no")
            if sites and not stated:
                _add_source(evidence, _source(r, titles))
            else:
                put(site(None), r)
        ordered = sorted(sites.values(), key=lambda s: (s["key"] is None, s["city"] or ""))
        for s in ordered:
            s["unions"] = sorted(s["unions"].values(), key=lambda u: u["name"])
            s["gap"] = not s["unions"]
        out.append({"country": code, "name": country_name(code), "sites": ordered, "evidence": evidence,
                    "gap": any(s["gap"] for s in ordered)})
    return sorted(out, key=lambda c: (c["country"] is None, c["name"]))


def _unions(countries: list[dict[str, Any]], unions: dict[int, dict[str, Any]], contacts: dict[int, int],
            parents: dict[int, str]) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for c in countries:
        for s in c["sites"]:
            for u in s["unions"]:
                e = unions[u["id"]]
                parent = e["parent_id"]
                entry = seen.setdefault(u["id"], {"id": u["id"], "name": u["name"], "kind": u["kind"], "country": e["country"],
                                                  "contacts": contacts.get(u["id"], 0),
                                                  "via_parent": parents.get(parent) if parent and contacts.get(parent) else None,
                                                  "sites": []})
                entry["sites"].append(", ".join(x for x in (s["city"], c["name"]) if x))
    return sorted(seen.values(), key=lambda u: u["name"])


def _candidates(conn: Connection, country: str | None, sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unions of the site's country named in the same documents: whom to ask (not said to be there)."""
    docs = {s["document"] for s in sources if s["document"]}
    if not country or not docs:
        return []
    q = (select(t.entities.c.id, t.entities.c.name, t.entities.c.kind).join(t.mentions, t.mentions.c.entity_id == t.entities.c.id)
         .where(t.mentions.c.document_id.in_(docs), t.entities.c.country == country, t.entities.c.kind.in_(UNION_KINDS))
         .distinct().order_by(t.entities.c.name))
    return [dict(r._mapping) for r in conn.execute(q)]


# ---- contacts ------------------------------------------------------------------------------------
def add_contact(store: Store, org: str | int, *, who: str, person: str | None = None, email: str | None = None,
                phone: str | None = None, since: str | None = None, note: str | None = None) -> dict[str, Any]:
    """Record a contact of ours at an organization (audited); it closes that organization's contact gap."""
    person, email, phone, since, note = (x.strip() if x and x.strip() else None for x in (person, email, phone, since, note))
    if not (person or email or phone):
        raise InputError("a contact needs a person, an e-mail address or a phone number", field="person")
    if email and not _EMAIL.match(email):
        raise InputError(f"{email!r} is not an e-mail address", field="email")
    if phone and not re.fullmatch(r"[+0-9 ()./-]{3,40}", phone):
        raise InputError(f"{phone!r} is not a phone number", field="phone")
    if since:
        _check_since(since)
    entity = resolve_org(store, org)
    values = {"entity_id": entity["id"], "person": person, "email": email, "phone": phone, "since": since, "note": note}
    with store.engine.begin() as conn:
        key = conn.execute(insert(t.contacts).values(created_at=_now(), **values)).inserted_primary_key
        assert key is not None
        cid = int(key[0])
        audit = log_change(conn, who, "contact_add", f"contact {cid}", None, {**values, "organization": entity["name"]}, note)
    return {"contact": {"id": cid, **values, "organization": entity["name"]}, "curation": audit}


def _check_since(since: str) -> None:
    parts = since.split("-")
    try:
        if not _SINCE.match(since):
            raise ValueError(since)
        dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except ValueError as e:
        raise InputError(f"{since!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", field="since") from e


def list_contacts(store: Store, org: str | int | None = None, *, visible: Visibility = EVERYTHING) -> list[dict[str, Any]]:
    """Our contacts, at one organization (name, alias or id) or at all, with the organization's name
    (none at an organization ``visible`` hides)."""
    q = select(t.contacts, t.entities.c.name.label("organization")).join(t.entities, t.entities.c.id == t.contacts.c.entity_id)
    if org is not None:
        q = q.where(t.contacts.c.entity_id == resolve_org(store, org)["id"])
    with store.connect() as conn:
        return [{**dict(r._mapping), "organization": visible.name(r.entity_id, r.organization)}
                for r in conn.execute(q.order_by(t.entities.c.name, t.contacts.c.id)) if visible.entity_ok(r.entity_id)]

