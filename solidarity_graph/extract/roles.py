"""People's roles in organizations and states: ``holds_role`` with the title (``roles.v1``).

Shapes read (P a person, O an organization or country, T a title):
``O T P`` ("UE General President Carl Rosen"), ``D T P`` ("South Korean President Moon Jae-in"),
``T of the O P`` ("Chairman of the Workers' Party of Korea Kim Jong-un"),
``P, T of O`` / ``P, T, O`` ("Lana Payne, the National President of Unifor"),
``P of O`` ("Elandria Williams of People's Hub"), ``P, O T`` ("Kim, KCTU president"),
and ``and T P`` after a role, where the organization is the document's author.
"""

from __future__ import annotations

import re

from solidarity_graph.extract.entities import title_re
from solidarity_graph.extract.places import Places
from solidarity_graph.model import Document, Mention, RelationFact, Span

__all__ = ["find_roles"]

EXTRACTOR = "roles.v1"
_TITLE_WORDS = r"(?:[A-Z][\w-]*|of|and|for|the|international|affairs)"


def _is_title(phrase: str) -> bool:
    return bool(phrase.strip()) and title_re().search(phrase) is not None and len(phrase.split()) <= 9


def _clean_title(t: str) -> str:
    t = re.sub(r"^(?:’s|'s)\s+", "", t.strip())
    t = re.sub(r"^(?:an?|the)\s+", "", t, flags=re.I)
    t = re.sub(r"^(?:right-wing|left-wing|former|then|new|current|longtime)\s+", "", t, flags=re.I)
    return t.strip(" ,")


def _rel(doc: Document, p: Mention, o: Mention, title: str | None, conf: float, shape: str) -> RelationFact:
    sent = doc.sentence_of(p.start)
    attrs: dict[str, object] = {"shape": shape}
    if title:
        attrs["title"] = _clean_title(title)
    return RelationFact(p, "holds_role", o, sent.start, sent.end, EXTRACTOR, conf, attrs)


_ROLE_AFTER = re.compile(r"\s*,\s*(?:an?\s+|the\s+)?(?:[A-Z][\w-]*\s+){0,3}(?:" + "|".join(
    ("President", "Secretary", "Director", "Chair", "Chairman", "Chairwoman", "Organizer", "Coordinator", "Treasurer", "Leader")) + r")\b")


def _retype_people(doc: Document) -> None:
    """spaCy's ORG that is a name followed by a title ("Lana Payne, the National President of") is a person."""
    from solidarity_graph.extract.patterns import _kind_of

    for m in doc.mentions:
        if m.type == "organization" and m.key is None and m.extractor == "mentions.v1":
            words = m.text.split()
            if 2 <= len(words) <= 3 and all(w[:1].isupper() and w[1:].islower() for w in words) and _kind_of(m.text) is None \
                    and _ROLE_AFTER.match(doc.text, m.end):
                m.type, m.canonical = "person", m.text


_AFTER_TITLE = re.compile(
    r"\s*,\s*((?:an?\s+|the\s+)?[A-Za-z][\w\s’'-]{0,80}?)\s*(?:\bof\b|\bat\b|\bwith\b|\bfor\b|\bin\b|,)\s*(?:the\s+)?"
)


def _country_code(places: Places, name: str) -> str | None:
    place = places.lookup(name)
    return place.country if place is not None and place.kind == "country" else None


def _union_back(doc: Document, before: int) -> Mention | None:
    """What "the union" points back to: the last union named before."""
    cands = [m for m in doc.mentions if m.type == "organization" and m.end <= before
             and m.attrs.get("kind") in ("union", "local", "union_federation")]
    return cands[-1] if cands else None


def _after_person(doc: Document, p: Mention, nxt: list[Mention], sent: Span) -> bool:
    """``P, T of O``, ``P of O``, ``P, O T``, ``P, O's T``, ``P, T of the union``."""
    text = doc.text
    for i, o in enumerate(nxt[:3]):
        after = text[p.end : o.start]
        # "UE Local 506" is two mentions, "UE" and "Local 506": the local is meant
        if i + 1 < len(nxt) and nxt[i + 1].attrs.get("kind") == "local" and nxt[i + 1].start - o.end <= 1:
            o = nxt[i + 1]
        am = _AFTER_TITLE.fullmatch(after)
        if am and _is_title(am.group(1)):
            if o.extractor == "mentions.v1" and o.key is None and re.match(r"\s+of\s", text[o.end : o.end + 5]):
                continue  # "Director of International Affairs of the KMWU": a department, then the union
            # "..., KCTU-Korean Public Service ... Union": the union, not the prefix
            if text[o.end : o.end + 1] == "-" and i + 1 < len(nxt) and nxt[i + 1].start == o.end + 1:
                o = nxt[i + 1]
            doc.relations.append(_rel(doc, p, o, am.group(1), 0.85, "P, T of O"))
            return True
        if re.fullmatch(r"\s+of\s+(?:the\s+)?", after):
            doc.relations.append(_rel(doc, p, o, None, 0.7, "P of O"))
            return True
        if re.fullmatch(r"\s*,\s*(?:the\s+)?", after):
            tail = text[o.end : min(sent.end, o.end + 50)]
            tm = re.match(r"(?:’s|'s)?\s+((?:[A-Za-z][\w-]*\s+){0,2}?(?:" + title_re().pattern[2:-2] + r"))\b", tail, re.I)
            if tm:
                doc.relations.append(_rel(doc, p, o, tm.group(1), 0.75, "P, O T"))
                return True
        break
    # "said Choi Eun-ha, policy director of the union"
    um = re.match(r"\s*,\s*((?:an?\s+|the\s+)?[A-Za-z][\w\s-]{0,50}?)\s+(?:of|at|with|in)\s+the\s+union\b", text[p.end : sent.end])
    if um and _is_title(um.group(1)):
        o2 = _union_back(doc, p.start)
        if o2 is not None:
            doc.relations.append(_rel(doc, p, o2, um.group(1), 0.65, "P, T of the union"))
            return True
    return False


def find_roles(doc: Document, places: Places, speaker: Mention | None) -> Document:
    """Add ``holds_role`` relations for people with their titles."""
    text = doc.text
    _retype_people(doc)
    named = [m for m in doc.mentions if m.type in ("organization", "person", "place")]
    bodies = [m for m in named if m.type == "organization" or (m.type == "place" and m.attrs.get("place_kind") == "country")]
    done: set[int] = set()
    for i, p in enumerate(named):
        if p.type != "person":
            continue
        sent = doc.sentence_of(p.start)
        prev = [m for m in bodies if m.end <= p.start and m.start >= sent.start]
        nxt = [m for m in bodies if m.start >= p.end and m.end <= sent.end]
        found = False
        # D T P: "South Korean President Moon Jae-in"
        head = text[max(sent.start, p.start - 60) : p.start]
        dm = re.search(r"((?:[A-Z][a-z]+\s+)?[A-Z][a-z]+)\s+((?:[A-Z][\w-]*\s+){0,2})$", head)
        if dm and _is_title(dm.group(2)) and places.demonym(dm.group(1)):
            country = places.countries.get(places.demonym(dm.group(1)) or "")
            if country is not None:
                s = p.start - len(dm.group(0))
                o = places.mention(dm.group(1), s, s + len(dm.group(1)), country, 0.8, 0)
                doc.relations.append(_rel(doc, p, o, dm.group(2), 0.8, "D T P"))
                found = True
        if prev and not found:
            o = prev[-1]
            between = text[o.end : p.start]
            # O T P: the title sits between the organization and the name
            possessive = between.startswith(("’s", "'s"))
            shape = r"(?:’s|'s)\s+(?:[a-z-]+\s+)?(?:[\w-]+\s+){1,4}" if possessive else r"\s+(?:" + _TITLE_WORDS + r"\s+){1,5}"
            if re.fullmatch(shape, between) and _is_title(between) and not re.search(r"\b(?:where|when|who|which|and|with)\b", between):
                doc.relations.append(_rel(doc, p, o, between, 0.85, "O T P"))
                found = True
            # T of the O P
            elif between.strip() == "" or between.strip() in (",",):
                head = text[max(sent.start, o.start - 60) : o.start]
                hm = re.search(r"((?:[A-Z][\w-]*\s+){0,3}[A-Z][\w-]*)\s+of\s+(?:the\s+)?$", head)
                if hm and _is_title(hm.group(1)):
                    doc.relations.append(_rel(doc, p, o, hm.group(1), 0.8, "T of O P"))
                    found = True
        if not found and nxt:
            found = _after_person(doc, p, nxt, sent)
        if not found:
            # "the US ambassador, Harry Harris": a country's title, then the name
            head = text[max(sent.start, p.start - 60) : p.start]
            dm = re.search(r"\b(?:the\s+)?((?:[A-Z][a-z]+\s+)?[A-Z][A-Za-z.]+)\s+([a-z][\w-]*(?:\s+[a-z][\w-]*)?),\s+$", head)
            code = places.demonym(dm.group(1)) or _country_code(places, dm.group(1)) if dm else None
            if dm is not None and code and _is_title(dm.group(2)) and code in places.countries:
                s = p.start - len(dm.group(0)) + dm.start(1)
                o = places.mention(dm.group(1), s, s + len(dm.group(1)), places.countries[code], 0.75, 0)
                doc.relations.append(_rel(doc, p, o, dm.group(2), 0.7, "D T, P"))
                found = True
        if not found and speaker is not None:
            # "... Business Agent Janet Gray and Staff Coordinator John Thompson"
            head = text[max(sent.start, p.start - 50) : p.start]
            am = re.search(r"\band\s+((?:[A-Z][\w-]*\s+){1,3})$", head)
            if am and _is_title(am.group(1)) and any(r.subject.end <= p.start and r.subject.start >= sent.start for r in doc.relations if r.predicate == "holds_role"):
                doc.relations.append(_rel(doc, p, speaker, am.group(1), 0.6, "and T P"))
                found = True
        if found:
            done.add(i)
    return doc
