"""Sites of an employer read from the stored graph: where its workers are and which union is there.

Read from each document that names the employer, sentence by sentence, and from its relations:

- places of the employer: "Wabtec plants in the United States, Brazil, Italy and France", "Wabtec
  workers in Great Britain, Brazil, and Italy", "It builds locomotives in Erie and in Contagem,
  Brazil" (the sentence before names the employer), "Wabtec's Mexican plants have no independent
  union" (a demonym; the statement that there is no union is kept in the note);
- a union at a place: "UE Locals 506 and 618, which together represent ... workers at the Erie
  plant", "FIOM-CGIL, which represents workers at Piossasco", "the CGT at the French site", taken
  when the sentence names the employer or the place is one of the employer's in the same document;
- ``represents_workers_at`` (union -> employer) and ``employer_of`` (employer -> union) relations
  that no curator rejected: a site of the union, in the union's country unless the sentence places it.

Nothing here is stated that the text does not say: a place with no union named stays without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from solidarity_graph.store import tables as t

__all__ = ["FoundSite", "infer_sites", "place_lookup", "UNION_KINDS"]

UNION_KINDS = {"union", "local", "union_federation", "regional_council"}
_SITE_NOUN = r"(?:plants?|factor(?:y|ies)|sites?|facilit(?:y|ies)|works|operations|workers|employees|workforce|subsidiar(?:y|ies)|shops?|depots?|yards?|mills?|locations?)"
_UNION_SITE_NOUN = r"(?:plants?|factor(?:y|ies)|sites?|facilit(?:y|ies)|works|shops?|depots?|yards?|mills?)"
# text just before a place that makes it one of the employer's: "plants in", "builds locomotives in"
_EMPLOYER_AT = re.compile(rf"(?:\b{_SITE_NOUN}|\b(?:builds?|makes?|produces?|manufactures?|assembles?|operates?)\b[^.;:]{{0,60}}?)\s+(?:in|at)\s+(?:the\s+)?$")
# text just before a place that puts the union before it there
_UNION_AT = re.compile(rf"(?:\brepresent(?:s|ing|ed)?\b[^.;]{{0,80}}?\b(?:workers|members|employees|staff)\s+(?:at|in)|\b{_UNION_SITE_NOUN}\s+(?:in|at)|\bat)\s+(?:the\s+|its\s+)?$")
_AFTER_BARE_AT = re.compile(rf"^\s+{_UNION_SITE_NOUN}\b")  # "at the Erie plant": a bare "at" needs the noun after
_DEMONYM_SITE = re.compile(rf"(?:\b[Ii]ts|(?:’|')s)\s+([A-Z][a-z]+)\s+{_SITE_NOUN}\b")
_UNION_DEMONYM = re.compile(rf"\bat\s+the\s+([A-Z][a-z]+)\s+{_UNION_SITE_NOUN}\b")
_LIST_JOIN = re.compile(r"^(?:\s*,\s*|\s+and\s+|\s*,\s+and\s+|\s+or\s+)(?:in\s+)?(?:the\s+)?$")
_GROUP_JOIN = re.compile(r"^(?:\s*,\s*|\s+and\s+|\s*,\s+and\s+|\s*\(\s*|\s*\)\s*|\s+)$")
_NO_UNION = re.compile(r"\b(?:ha(?:ve|s)\s+no|without(?:\s+an?)?|lacks?(?:\s+an?)?)\s+(?:independent\s+|recogni[sz]ed\s+|democratic\s+)?unions?\b", re.I)
_IT = re.compile(r"^\s*(?:It|The company|The firm|The group|The employer)\b")


@dataclass(frozen=True)
class FoundSite:
    """One place of the employer read from one sentence, with the union there if the text names one."""

    country: str | None
    city: str | None
    union_id: int | None
    document_id: str | None
    quote: str
    start: int | None
    end: int | None
    note: str


@dataclass(frozen=True)
class _M:
    """A mention with what the chain needs of its entity."""

    start: int
    end: int
    entity_id: int
    type: str
    kind: str | None
    country: str | None
    name: str
    parent_id: int | None


@lru_cache(maxsize=1)
def _places() -> Any:
    from solidarity_graph.extract.places import load_places

    return load_places()


def place_lookup(name: str) -> Any:
    """The known place called ``name`` (a country in any of its languages, a region, a city), or None."""
    return _places().lookup(name)


def _demonym(word: str) -> str | None:
    code: str | None = _places().demonym(word)
    return code


def infer_sites(conn: Connection, employer_id: int) -> list[FoundSite]:
    """Every site of ``employer_id`` the stored documents and relations give, without repeats."""
    rels = conn.execute(select(t.relations).where(
        or_(t.relations.c.review.is_(None), t.relations.c.review != "rejected"),
        or_((t.relations.c.predicate == "represents_workers_at") & (t.relations.c.object_id == employer_id),
            (t.relations.c.predicate == "employer_of") & (t.relations.c.subject_id == employer_id)))).all()
    docs = {r[0] for r in conn.execute(select(t.mentions.c.document_id).where(t.mentions.c.entity_id == employer_id).distinct())}
    docs |= {r.document_id for r in rels if r.document_id}
    found: list[FoundSite] = []
    for doc_id in sorted(docs):
        doc_rels = [(r.subject_id if r.predicate == "represents_workers_at" else r.object_id, r.start, r.end)
                    for r in rels if r.document_id == doc_id]
        found += _scan_document(conn, doc_id, employer_id, doc_rels)
    for r in rels:
        if r.document_id is None:  # a curator's fact: the union's country, the note as quote
            union = r.subject_id if r.predicate == "represents_workers_at" else r.object_id
            country = conn.execute(select(t.entities.c.country).where(t.entities.c.id == union)).scalar()
            found.append(FoundSite(country, None, union, None, r.quote, None, None, "a curator's fact"))
    out: dict[tuple[Any, ...], FoundSite] = {}
    for f in found:
        out.setdefault((f.country, f.city, f.union_id, f.document_id, f.start), f)
    return list(out.values())


def _scan_document(conn: Connection, doc_id: str, employer_id: int, doc_rels: list[tuple[int, int, int]]) -> list[FoundSite]:
    text = conn.execute(select(t.documents.c.text).where(t.documents.c.id == doc_id)).scalar()
    if text is None:
        return []
    rows = conn.execute(select(t.mentions.c.start, t.mentions.c.end, t.mentions.c.sent_start, t.mentions.c.sent_end,
                               t.entities.c.id, t.entities.c.type, t.entities.c.kind, t.entities.c.country,
                               t.entities.c.name, t.entities.c.parent_id)
                        .join(t.entities, t.entities.c.id == t.mentions.c.entity_id)
                        .where(t.mentions.c.document_id == doc_id).order_by(t.mentions.c.start)).all()
    sentences = sorted({(r.sent_start, r.sent_end) for r in rows})
    by_sent: dict[tuple[int, int], list[_M]] = {s: [] for s in sentences}
    for r in rows:
        by_sent[(r.sent_start, r.sent_end)].append(_M(r.start, r.end, r.id, r.type, r.kind, r.country, r.name, r.parent_id))
    scan = _DocScan(text, doc_id, employer_id)
    prev: tuple[int, int] | None = None
    for sent in sentences:
        implied = (prev is not None and not text[prev[1]:sent[0]].strip() and _IT.match(text[sent[0]:sent[1]]) is not None
                   and {m.entity_id for m in by_sent[prev] if m.kind == "employer"} == {employer_id})
        scan.employer_places(sent, by_sent[sent], implied)
        prev = sent
    for sent in sentences:
        scan.union_places(sent, by_sent[sent])
    for union_id, start, end in doc_rels:
        sent = next((s for s in sentences if s[0] <= start and end <= s[1]), (start, end))
        scan.relation_site(union_id, sent, by_sent.get(sent, []))
    return scan.found


class _DocScan:
    """The sites read from one document (the employer's places first, then the unions at them)."""

    def __init__(self, text: str, doc_id: str, employer_id: int) -> None:
        self.text, self.doc_id, self.employer_id = text, doc_id, employer_id
        self.found: list[FoundSite] = []
        self.place_ids: set[int] = set()  # the employer's places in this document
        self.place_names: dict[str, _M] = {}  # ... as written, to find them again where no mention was taken
        self.countries: set[str] = set()

    def _add(self, place: _M | None, country: str | None, union: int | None, sent: tuple[int, int], note: str) -> None:
        city = place.name if place is not None and place.kind in ("city", "site") else None
        country = place.country if place is not None and place.country else country
        self.found.append(FoundSite(country, city, union, self.doc_id, self.text[sent[0]:sent[1]].strip(), sent[0], sent[1], note))

    def employer_places(self, sent: tuple[int, int], ms: list[_M], implied: bool) -> None:
        """The employer's places named in one sentence (with a stated absence of a union, if any)."""
        text = self.text
        no_union = _NO_UNION.search(text[sent[0]:sent[1]]) is not None
        note = "the source says there is no (independent) union" if no_union else "a place of the employer's workers"
        taken: set[int] = set()
        for i, m in enumerate(ms):
            if m.type != "place" or m.start in taken:
                continue
            trigger = _EMPLOYER_AT.search(text[sent[0]:m.start])
            if trigger is None or not self._owns(ms, sent[0] + trigger.start(), implied):
                continue
            for p in _place_list(text, ms, i):
                taken.add(p.start)
                self.place_ids.add(p.entity_id)
                self.place_names[text[p.start:p.end]] = p
                if p.country:
                    self.countries.add(p.country)
                self._add(p, None, None, sent, note)
        for dm in _DEMONYM_SITE.finditer(text[sent[0]:sent[1]]):
            code = _demonym(dm.group(1))
            at = sent[0] + dm.start()
            owner = dm.group(0)[0] in "’'" and any(m.end == at and m.entity_id == self.employer_id for m in ms)
            if code and (owner or (dm.group(0).lower().startswith("its") and self._owns(ms, at, implied))):
                self.countries.add(code)
                self._add(None, code, None, sent, note)

    def _owns(self, ms: list[_M], at: int, implied: bool) -> bool:
        """True when the phrase at ``at`` speaks of the employer: it is the employer named last, close before."""
        before = [m for m in ms if m.end <= at and m.kind == "employer"]
        if not before:
            return implied
        last = before[-1]
        return last.entity_id == self.employer_id and len(self.text[last.end:at].split()) <= 6

    def union_places(self, sent: tuple[int, int], ms: list[_M]) -> None:
        """Unions said to be at one of the employer's places ("FIOM-CGIL, which represents workers at Piossasco")."""
        named = any(m.entity_id == self.employer_id for m in ms)
        for union_ids, place, country in self._union_phrases(sent, self._with_known_places(sent, ms)):
            if named or (place is not None and place.entity_id in self.place_ids) or (place is None and country in self.countries):
                for u in union_ids:
                    self._add(place, country, u, sent, "a union at a place of the employer")

    def _with_known_places(self, sent: tuple[int, int], ms: list[_M]) -> list[_M]:
        """The sentence's mentions plus the employer's places of this document written there but not taken as mentions."""
        extra = []
        for name, p in self.place_names.items():
            for hit in re.finditer(rf"\b{re.escape(name)}\b", self.text[sent[0]:sent[1]]):
                start, end = sent[0] + hit.start(), sent[0] + hit.end()
                if not any(m.start < end and start < m.end for m in ms):
                    extra.append(_M(start, end, p.entity_id, p.type, p.kind, p.country, p.name, p.parent_id))
        return sorted(ms + extra, key=lambda m: m.start) if extra else ms

    def relation_site(self, union_id: int, sent: tuple[int, int], ms: list[_M]) -> None:
        """A union said to represent the employer's workers: placed where the sentence puts it, else its country."""
        placed = [(p, c) for ids, p, c in self._union_phrases(sent, ms) if union_id in ids]
        for place, country in placed:
            self._add(place, country, union_id, sent, "a union that represents the employer's workers")
        if not placed:
            country = next((m.country for m in ms if m.entity_id == union_id), None)
            self._add(None, country, union_id, sent, "a union that represents the employer's workers")

    def _union_phrases(self, sent: tuple[int, int], ms: list[_M]) -> list[tuple[list[int], _M | None, str | None]]:
        """(unions, place, country) for each "union ... at place" phrase of the sentence."""
        text = self.text
        out: list[tuple[list[int], _M | None, str | None]] = []
        for m in ms:
            if m.type != "place":
                continue
            before = _UNION_AT.search(text[sent[0]:m.start])
            if before is None or (before.group(0).startswith("at") and not _AFTER_BARE_AT.match(text[m.end:sent[1]])):
                continue
            unions = self._group_before(ms, sent[0] + before.start())
            if unions:
                out.append((unions, m, m.country))
        for dm in _UNION_DEMONYM.finditer(text[sent[0]:sent[1]]):
            code = _demonym(dm.group(1))
            unions = self._group_before(ms, sent[0] + dm.start())
            if code and unions:
                out.append((unions, None, code))
        return out

    def _group_before(self, ms: list[_M], at: int) -> list[int]:
        """The unions named together just before ``at`` ("UE Locals 506 and 618, which ..."), locals before their parent."""
        # the employer itself may stand between ("Local 506, which represents workers at the Wabtec plant in Erie")
        before = [m for m in ms if m.end <= at and m.entity_id != self.employer_id]
        if not before or before[-1].kind not in UNION_KINDS or len(self.text[before[-1].end:at]) > 100:
            return []
        group = [before[-1]]
        for m in reversed(before[:-1]):
            if m.kind not in UNION_KINDS or not _GROUP_JOIN.match(self.text[m.end:group[-1].start]):
                break
            group.append(m)
        parents = {m.parent_id for m in group}
        ids = [m.entity_id for m in reversed(group) if m.entity_id not in parents]
        return list(dict.fromkeys(ids))


def _place_list(text: str, ms: list[_M], i: int) -> list[_M]:
    """The places listed from ``ms[i]`` on ("the United States, Brazil, Italy and France"); "Contagem, Brazil" is one."""
    out = [ms[i]]
    last = ms[i]
    for m in ms[i + 1:]:
        if m.type != "place":
            break
        gap = text[last.end:m.start]
        if gap.strip() == "," and last.kind == "city" and m.kind != "city":
            last = m  # "Contagem, Brazil", "Erie, Pennsylvania": the city's own country or region
            continue
        if not _LIST_JOIN.match(gap):
            break
        out.append(m)
        last = m
    return out
