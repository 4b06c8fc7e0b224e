"""Relations between organizations, people and states (``relations.v1``).

- ``ally_of``: "our close ally Zenroren", "Unifor, a close UE ally", "solidarity with A; B; C",
  and the organizations of one joint event.
- ``affiliated_with`` / ``part_of``: "KCTU-Korean ... Union", "CCMM-CSN", locals of a union,
  "affiliated with", "our participation in ... IndustriALL".
- ``represents_workers_at``: a union and an employer in a sentence about workers or employers.
- ``employer_of``: "USFK Korean Workers' Union" (the employer named in the union's name).
- ``negotiates_with``: the sides of one negotiation round.
- ``demands_from``: "demanding the US end...", "we call on the U.S. ... to stop".
- ``located_in``: "the U.S. Embassy in Seoul".
"we" and "our" stand for the document's author: the organization it names most.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import combinations

from solidarity_graph.model import Document, EventFact, Mention, RelationFact, Span

__all__ = ["find_relations", "speaker_of"]

EXTRACTOR = "relations.v1"
SITED = {"embassy", "military", "government", "employer"}
UNIONISH = {"union", "local", "union_federation", "regional_council", "global_union_federation",
            "international_confederation", "regional_confederation", "coalition", None}


def _k(m: Mention) -> str:
    return (m.canonical or m.text).lower()


def speaker_of(doc: Document) -> Mention | None:
    """The organization that writes as "we": the labor organization named most."""
    orgs = [m for m in doc.mentions if m.type == "organization" and m.attrs.get("kind") in UNIONISH]
    if not orgs:
        return None
    counts = Counter(_k(m) for m in orgs)
    best = counts.most_common(1)[0][0]
    return next(m for m in orgs if _k(m) == best)


def _add(doc: Document, s: Mention, pred: str, o: Mention, span: Span, conf: float, **attrs: object) -> None:
    if _k(s) == _k(o):
        return
    doc.relations.append(RelationFact(s, pred, o, span.start, span.end, EXTRACTOR, conf, dict(attrs)))


def find_relations(doc: Document, speaker: Mention | None) -> Document:
    """Add relations read from patterns, lists and events."""
    text = doc.text
    named = [m for m in doc.mentions if m.type in ("organization", "person", "place")]
    orgs = [m for m in named if m.type == "organization"]
    acr_index = {m.text: m for m in orgs}
    for m in orgs:
        sent = doc.sentence_of(m.start)
        aff = m.attrs.get("affiliated_to")
        if aff and aff in acr_index and "long_name" not in m.attrs:
            _add(doc, m, "affiliated_with", acr_index[aff], sent, 0.85)
        part = m.attrs.get("part_of")
        if part and part in acr_index and "long_name" not in m.attrs:
            _add(doc, m, "part_of", acr_index[part], sent, 0.85)
        if m.attrs.get("parent_mention") is not None:
            _add(doc, m, "part_of", m.attrs["parent_mention"], sent, 0.9)
        if m.attrs.get("workplace_mention") is not None:
            _add(doc, m, "represents_workers_at", m.attrs["workplace_mention"], sent, 0.8)
        emp = m.attrs.get("employer_mention")
        if emp is not None:
            _add(doc, emp, "employer_of", m, sent, 0.75)
    for sent in doc.sentences:
        seg = text[sent.start : sent.end]
        inside = [m for m in named if sent.start <= m.start and m.end <= sent.end]
        s_orgs = [m for m in inside if m.type == "organization"]
        # "our close (Mexican) ally the FAT", "UE's close Quebec ally CSN"
        for am in re.finditer(r"\b(our|its|their|[A-Z][\w-]*(?:’s|'s))\s+(?:close\s+|longtime\s+|long-time\s+|strong\s+|international\s+)*(?:[A-Z][a-z]+\s+)?all(?:y|ies)\s+(?:the\s+|in\s+)?", seg):
            after = sent.start + am.end()
            obj = next((m for m in s_orgs if after <= m.start <= after + 3), None)
            subj = speaker if am.group(1).lower() in ("our", "its", "their") else _org_named(s_orgs, am.group(1)[:-2])
            if obj and subj and obj.attrs.get("kind") in UNIONISH:
                _add(doc, subj, "ally_of", obj, sent, 0.85)
        # "Unifor, a close UE ally"
        for am in re.finditer(r",\s+(?:a|an|our)\s+(?:close\s+|longtime\s+)?([A-Z][\w-]*)?\s*ally\b", seg):
            before = [m for m in s_orgs if m.end <= sent.start + am.start() and m.end >= sent.start + am.start() - 2]
            subj = _org_named(s_orgs, am.group(1)) if am.group(1) else speaker
            if before and subj:
                _add(doc, subj, "ally_of", before[-1], sent, 0.85)
        # "solidarity with A; B of C; D" — the list runs to the end of the line
        for am in re.finditer(r"\b(?:our\s+)?solidarity\s+with\b", seg):
            line_start = text.rfind("\n", 0, sent.start) + 1
            is_item = text[line_start : line_start + 2].strip() in ("-", "*", "•") or ";" in seg
            line_end = text.find("\n", sent.start + am.end()) if is_item else sent.end
            line_end = len(text) if line_end == -1 else line_end
            listed = [m for m in orgs if sent.start + am.end() <= m.start < line_end and m.attrs.get("kind") in UNIONISH
                      and m.attrs.get("kind") != "local"]
            if not listed or listed[0].start > sent.start + am.end() + 6:
                continue  # "solidarity with workers in ...": not a list of organizations
            subj = speaker if re.search(r"\b(?:our|we|us)\b", seg[: am.end()], re.I) or seg.lstrip("- ").lower().startswith(("reaffirm", "express")) else (s_orgs[0] if s_orgs and s_orgs[0].start < sent.start + am.start() else speaker)
            for o in listed:
                if subj is not None:
                    _add(doc, subj, "ally_of", o, Span(sent.start, max(sent.end, line_end)), 0.8)
        # affiliation stated
        for am in re.finditer(r"\b(?:affiliated (?:with|to)|affiliates? of|member (?:unions?|organi[sz]ations?) of|belongs to|(?:participation|membership) in(?: and support of)?(?: the global union federation)?)\s+(?:the\s+)?", seg):
            after = sent.start + am.end()
            obj = next((m for m in s_orgs if after <= m.start <= after + 40), None)
            subj_c = [m for m in s_orgs if m.end <= sent.start + am.start()]
            if re.search(r"\b(?:our|we)\b", seg[: am.start()], re.I):
                subj = speaker
            else:
                subj = subj_c[-1] if subj_c else None
            if obj and subj:
                _add(doc, subj, "affiliated_with", obj, sent, 0.8)
        # represents workers at an employer
        employers = [m for m in s_orgs if m.attrs.get("kind") == "employer"]
        unions = [m for m in s_orgs if m.attrs.get("kind") in ("union", "local")]
        if any(u.attrs.get("kind") == "local" for u in unions):
            unions = [u for u in unions if u.attrs.get("kind") == "local"]  # the locals are the bargaining agents
        if employers and unions and re.search(r"\b(?:employer|employs|workers (?:at|of|in)|represent(?:s|ing)?|plant|factory|site|bargaining unit|members at)\b", seg, re.I):
            for u in unions:
                for e in employers:
                    _add(doc, u, "represents_workers_at", e, sent, 0.7)
        _located(doc, text, sent, inside, s_orgs)
    _event_relations(doc, speaker)
    return doc


def _located(doc: Document, text: str, sent: Span, inside: list[Mention], s_orgs: list[Mention]) -> None:
    """``located_in`` from "the U.S. Embassy in Seoul", "a union based in Geneva", "Geneva-based ILO", "Erie, Pennsylvania"."""
    places = [p for p in inside if p.type == "place"]
    at = {p.start: p for p in places}
    for m in s_orgs:
        lm = re.match(r"\s+(?:(in)|(?:based|headquartered) in)\s+(?:the\s+)?", text[m.end : m.end + 22])
        if lm and (lm.group(1) is None or m.attrs.get("kind") in SITED):
            place = at.get(m.end + lm.end())
            if place is not None:
                _add(doc, m, "located_in", place, sent, 0.75)
        bm = re.search(r"([A-Z][\w-]*)-based\s+$", text[max(sent.start, m.start - 30) : m.start])
        if bm:
            place = next((p for p in places if p.text == bm.group(1)), None)
            if place is not None:
                _add(doc, m, "located_in", place, sent, 0.75)
    rank = {"country": 4, "region": 3, "province": 2, "state": 2, "prefecture": 2, "city": 1}
    for a in places:
        b = at.get(a.end + 2) if text[a.end : a.end + 2] == ", " else None
        if b is None or re.match(r",\s*[A-Z]", text[b.end : b.end + 3]) or re.search(r",\s*$", text[max(0, a.start - 3) : a.start]):
            continue  # a list of places, not "City, Region"
        if rank.get(str(b.attrs.get("place_kind")), 0) > rank.get(str(a.attrs.get("place_kind")), 1):
            _add(doc, a, "located_in", b, sent, 0.8)


def _trig_pos(ev: EventFact, text: str) -> int:
    start = ev.start
    pos = text.find(ev.trigger, start)
    return pos if pos != -1 else start


def _org_named(orgs: list[Mention], name: str) -> Mention | None:
    return next((m for m in orgs if m.text == name or (m.canonical or "") == name), None)


def _event_relations(doc: Document, speaker: Mention | None) -> None:
    text = doc.text
    role_orgs = {id(r.object) for r in doc.relations if r.predicate == "holds_role"}
    role_spans = {(r.object.start, r.object.end) for r in doc.relations if r.predicate == "holds_role"}
    for ev in doc.events:
        span = Span(ev.start, ev.end)
        seg = text[ev.start : ev.end]
        if ev.type in ("negotiation_round", "agreement"):
            # the sides named together in one sentence of the event (it may be told in several)
            for s_start, s_end in [(ev.start, ev.end), *ev.attrs.get("evidence", [])]:
                sides = [p for p in ev.participants if s_start <= p.start < s_end
                         and id(p) not in role_orgs and (p.start, p.end) not in role_spans]
                for a, b in combinations(sides, 2):
                    if _k(a) != _k(b) and a.type == b.type or {a.type, b.type} <= {"organization", "place"}:
                        _add(doc, a, "negotiates_with", b, Span(s_start, s_end), 0.7)
        if re.search(r"\bjoint\b", text[max(ev.start, _trig_pos(ev, text) - 30) : _trig_pos(ev, text) + len(ev.trigger)], re.I):
            orgs = [p for p in ev.participants if p.type == "organization" and p.attrs.get("kind") in UNIONISH]
            for a, b in combinations(orgs, 2):
                _add(doc, a, "ally_of", b, span, 0.6, via=ev.type)
        for dm in re.finditer(r"\b(?:demand(?:s|ed|ing)?(?: that)?|call(?:s|ed|ing)? on|urg(?:e|es|ed|ing))\s+(?:the\s+)?", seg):
            after = ev.start + dm.end()
            target = next((m for m in doc.mentions if m.type in ("organization", "place") and after <= m.start <= after + 2), None)
            if target is None:
                continue
            who = [p for p in ev.participants if p.type in ("organization",) and p is not target]
            for w in who:
                _add(doc, w, "demands_from", target, span, 0.7)
    # "we call on the U.S. ... to stop": the author demands
    if speaker is None:
        return
    for sent in doc.sentences:
        seg = text[sent.start : sent.end]
        for dm in re.finditer(r"\b(?:we|We)\s+(?:\w+\s+)?(?:call on|demand that|demand|urge)\s+(?:the\s+)?", seg):
            after = sent.start + dm.end()
            target = next((m for m in doc.mentions if m.type in ("organization", "place") and after <= m.start <= after + 2), None)
            if target is not None:
                _add(doc, speaker, "demands_from", target, sent, 0.65, demand=seg[dm.end() - dm.end() + dm.start():][:300])
