"""The extraction pipeline: a list of named, versioned components, each ``Document -> Document``.

>>> extractor = Extractor()
>>> doc = extractor(Document(text="UE General President Carl Rosen spoke.", source="x"))
>>> [(r.subject.text, r.predicate, r.object.text) for r in doc.relations]
[('Carl Rosen', 'holds_role', 'UE')]
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from solidarity_graph.extract.dates import find_dates
from solidarity_graph.extract.entities import (
    link_people,
    merge_mentions,
    person_patterns,
    spacy_mentions,
)
from solidarity_graph.extract.events import find_events
from solidarity_graph.extract.gazetteer import LABOR_KINDS, Gazetteer, load_gazetteer
from solidarity_graph.extract.language import (
    blank_except,
    detect_language,
    language_segments,
    main_language,
)
from solidarity_graph.extract.nlp import load_nlp
from solidarity_graph.extract.patterns import find_org_patterns
from solidarity_graph.extract.places import Places, load_places
from solidarity_graph.extract.quantities import find_quantities
from solidarity_graph.extract.relations import find_relations, speaker_of
from solidarity_graph.extract.roles import find_roles
from solidarity_graph.extract.sentences import RawEnt, run_spacy
from solidarity_graph.model import Document, Mention

__all__ = ["Extractor", "COMPONENTS"]

log = logging.getLogger(__name__)

COMPONENTS = [
    "spacy_sents.v1", "places.v1", "labor_orgs.v1", "org_patterns.v1", "mentions.v1",
    "dates.v1", "quantities.v1", "roles.v1", "events.v1", "relations.v1",
]


class Extractor:
    """Runs every component over a document; a failing component is reported, the rest go on."""

    def __init__(self, nlp: Any = None, gazetteer: Gazetteer | None = None, places: Places | None = None) -> None:
        self.nlp = nlp if nlp is not None else load_nlp()
        self.gazetteer = gazetteer or load_gazetteer()
        self.places = places or load_places()
        self.located = {e.name: e.located_in for e in self.gazetteer.entries.values() if e.located_in}

    def __call__(self, doc: Document) -> Document:
        """Extract everything from ``doc`` (in place) and return it.

        The language is found per paragraph: a document written in one language goes through that
        language's path; in a mixed document each language's path reads its own paragraphs (the
        others blanked, so every offset stays the document's own) and the facts are joined.
        """
        if doc.meta.get("language_given"):
            return self.extract_language(doc, doc.language)
        segments = language_segments(doc.text)
        doc.language = main_language(segments) if segments else detect_language(doc.text)
        langs = sorted({s.language for s in segments})
        if len(langs) <= 1:
            return self.extract_language(doc, doc.language)
        doc.meta["languages"] = [{"start": s.start, "end": s.end, "language": s.language} for s in segments]
        for lang in langs:
            part = Document(text="", source=doc.source, title=doc.title, published=doc.published,
                            language=lang, doc_id=doc.doc_id, meta=dict(doc.meta))
            part.text = blank_except(doc.text, segments, lang)  # same length: offsets are the document's
            self.extract_language(part, lang)
            doc.paragraphs += part.paragraphs
            doc.sentences += part.sentences
            doc.mentions += part.mentions
            doc.events += part.events
            doc.relations += part.relations
            doc.quantities += part.quantities
            doc.errors += part.errors
            for key, value in part.meta.items():
                if isinstance(value, dict) and isinstance(doc.meta.get(key), dict):
                    doc.meta[key] = {**doc.meta[key], **value}
                else:
                    doc.meta.setdefault(key, value)
        for spans in (doc.paragraphs, doc.sentences):
            spans.sort(key=lambda s: s.start)
        doc.mentions.sort(key=lambda m: (m.start, -m.end))
        doc.events.sort(key=lambda e: e.start)
        doc.relations.sort(key=lambda r: r.start)
        doc.quantities.sort(key=lambda q: q.start)
        return doc

    def extract_language(self, doc: Document, lang: str) -> Document:
        """Run the path of language ``lang`` over ``doc``."""
        doc.language = lang
        if lang == "ko":
            return self._korean(doc)
        if lang == "ja":
            from solidarity_graph.extract import japanese

            return japanese.extract(self, doc)
        if lang in ("fr", "es", "pt", "it"):
            from solidarity_graph.extract import romance

            return romance.extract(self, doc, lang)
        return self.english(doc)

    def english(self, doc: Document) -> Document:
        """The English path: spaCy, places, gazetteer, patterns, dates, numbers, roles, events, relations."""
        ents: list[RawEnt] = run_spacy(doc, self.nlp)
        steps: list[tuple[str, Callable[[], object]]] = [
            ("places.v1", lambda: self.places(doc)),
            ("labor_orgs.v1", lambda: self.gazetteer(doc, self.places.countries_near)),
            ("org_patterns.v1", lambda: find_org_patterns(doc)),
            ("mentions.v1", lambda: self._mentions(doc, ents)),
            ("dates.v1", lambda: find_dates(doc, ents)),
            ("quantities.v1", lambda: find_quantities(doc)),
        ]
        for name, step in steps:
            self._run(doc, name, step)
        speaker = speaker_of(doc)
        self._run(doc, "roles.v1", lambda: find_roles(doc, self.places, speaker))
        self._run(doc, "events.v1", lambda: find_events(doc, self.places, self.located))
        self._run(doc, "relations.v1", lambda: find_relations(doc, speaker))
        doc.relations = _dedupe_relations(doc, self.gazetteer)
        return doc

    def _korean(self, doc: Document) -> Document:
        """The Korean path: Kiwi sentences, the same gazetteer and places, Korean people, dates, numbers, triggers."""
        from solidarity_graph.extract import korean
        from solidarity_graph.extract.events import load_triggers

        korean.korean_sentences(doc)
        steps: list[tuple[str, Callable[[], object]]] = [
            ("places.v1", lambda: self.places(doc)),
            ("labor_orgs.v1", lambda: self.gazetteer(doc, self.places.countries_near)),
            ("ko_core.v1", lambda: korean.korean_people(doc)),
            ("ko_names.v1", lambda: korean.korean_names(doc)),
            ("mentions.v1", lambda: merge_mentions(doc)),
            ("ko_dates.v1", lambda: korean.korean_dates(doc)),
            ("ko_quantities.v1", lambda: korean.korean_quantities(doc)),
            ("events.v1", lambda: find_events(doc, self.places, self.located, load_triggers("ko"))),
        ]
        for name, step in steps:
            self._run(doc, name, step)
        for ev in doc.events:  # Korean puts the verb last: the cue follows the trigger
            at = doc.text.find(ev.trigger, ev.start)
            # the verb that ends the sentence may be another event's: "협상이 결렬되면서 ... 무급휴직에 들어갈 처지"
            # gives the talks "failed" and the furlough "threatened"
            others = [doc.text.find(e.trigger, e.start) for e in doc.events if e is not ev and e.start == ev.start]
            near = doc.text[at : min([x for x in others if x > at] or [ev.end])]
            before = doc.text[max(ev.start, at - 40) : at]
            said = ev.type in ("statement", "declaration", "press_conference")  # "성명에서 ... 행동하겠다고": the action is ahead, not the statement
            if re.search(r"결렬|무산|합의하지 못|합의에 이르지 못|실패|불발", near):
                ev.status = "failed"
            elif re.search(r"우려|위기|처지|처할|놓일", near) or \
                    re.search(r"(?:않으면|없으면|미루면|경우)\s", before) and re.search(r"겠|것", near):
                ev.status = "threatened"  # "회사가 답을 내놓지 않으면 ... 파업을 이어가겠다"
            elif re.search(r"예정|계획|할 것|하기로|방침" + ("" if said else r"|하겠다|겠다고|겠다며|갈 것|나설|통보|예고"), near):
                ev.status = "planned"
            elif re.search(r"촉구|요구하|요청", near[len(ev.trigger) : len(ev.trigger) + 30]):
                ev.status = "demanded"
        doc.relations = _dedupe_relations(doc, self.gazetteer)
        return doc

    @staticmethod
    def _run(doc: Document, name: str, step: Callable[[], object]) -> None:
        try:
            step()
        except Exception as e:  # one component failing must not lose the document
            log.warning("%s failed on %s: %s", name, doc.source, e)
            doc.errors.append(f"{name}: {type(e).__name__}: {e}")

    def _mentions(self, doc: Document, ents: list[RawEnt]) -> None:
        spacy_mentions(doc, ents, self.places)
        person_patterns(doc)
        merge_mentions(doc)
        self._canonical_orgs(doc)
        self._locals(doc)
        link_people(doc)

    def _canonical_orgs(self, doc: Document) -> None:
        """Acronyms defined in the text, and gazetteer names, give organizations their names."""
        acronyms: dict[str, str] = doc.meta.get("acronyms", {})
        for m in doc.mentions:
            if m.type != "organization":
                continue
            if m.key is None:
                hits = self.gazetteer.matcher.finditer(m.text)
                whole = [h for h in hits if h.start == 0 and h.end == len(m.text)]
                if whole:
                    ids = [p[0] for p in whole[0].payloads]  # type: ignore[index]
                    if len(set(ids)) == 1:
                        entry = self.gazetteer.entries[str(ids[0])]
                        m.key, m.canonical = entry.id, entry.name
                        m.attrs.update(kind=entry.kind, country=entry.country)
                        continue
                # "USFK Korean Workers' Union": the employer named at the head of a union's name
                if m.attrs.get("kind") in ("union", "local") and hits and hits[0].start == 0:
                    ids = [p[0] for p in hits[0].payloads]  # type: ignore[index]
                    entry = self.gazetteer.entries[str(ids[0])]
                    if entry.kind in ("employer", "military", "government") and hits[0].end < len(m.text):
                        m.attrs["employer_mention"] = Mention(
                            hits[0].name, "organization", m.start, m.start + hits[0].end, "labor_orgs.v1",
                            0.9, canonical=entry.name, key=entry.id, attrs={"kind": entry.kind, "country": entry.country},
                        )
            self._sub_unit(m)
            long = acronyms.get(m.text)
            if long and m.canonical is None:
                m.canonical = long
                m.attrs.setdefault("acronym", m.text)
            elif m.canonical is None:
                m.canonical = re.sub(r"(?:’s|'s)$", "", m.text)

    def _sub_unit(self, m: Mention) -> None:
        """"KMWU Hyundai Motor Branch": part of the union it starts with, at the employer it names."""
        if not re.search(r"\b(?:Branch|Chapter|Section|Region|Regional Council|District Council|Executive Board|Board|Committee|Local \d+)$", m.text):
            return
        hits = self.gazetteer.matcher.all_hits(m.text)
        labor = [h for h in hits if h.start == 0 and h.end < len(m.text)
                 and self.gazetteer.entries[str(h.payloads[0][0])].kind in LABOR_KINDS]  # type: ignore[index]
        if labor:
            e = self.gazetteer.entries[str(labor[0].payloads[0][0])]  # type: ignore[index]
            m.attrs["parent_mention"] = Mention(labor[0].name, "organization", m.start, m.start + labor[0].end, "labor_orgs.v1",
                                                0.9, canonical=e.name, key=e.id, attrs={"kind": e.kind, "country": e.country})
            m.attrs.setdefault("kind", "local")
        for h in hits:
            e = self.gazetteer.entries[str(h.payloads[0][0])]  # type: ignore[index]
            if h.start > 0 and e.kind == "employer":
                m.attrs["workplace_mention"] = Mention(h.name, "organization", m.start + h.start, m.start + h.end,
                                                       "labor_orgs.v1", 0.85, canonical=e.name, key=e.id,
                                                       attrs={"kind": e.kind, "country": e.country})

    def _locals(self, doc: Document) -> None:
        """``Local 506`` belongs to the union named with it, or nearest before it."""
        orgs = [m for m in doc.mentions if m.type == "organization"]
        # "UE Locals 506, 610" somewhere in the text says whose "Local 506" is meant elsewhere
        known: dict[str, str] = {}
        for m in orgs:
            if m.attrs.get("parent_hint") and "local_number" in m.attrs:
                known[str(m.attrs["local_number"])] = str(m.attrs["parent_hint"])
        for m in orgs:
            if m.attrs.get("kind") == "local" and "local_number" in m.attrs and not m.attrs.get("parent_hint"):
                m.attrs["parent_hint"] = known.get(str(m.attrs["local_number"]))
        for m in orgs:
            if m.attrs.get("kind") != "local" or "local_number" not in m.attrs:
                continue
            hint = m.attrs.get("parent_hint")
            parent = None
            if hint:
                parent = next((o for o in orgs if o.text == hint and o.key), None)
                if parent is None:
                    hits = self.gazetteer.matcher.finditer(str(hint))
                    if hits and len({p[0] for p in hits[0].payloads}) == 1:  # type: ignore[index]
                        e = self.gazetteer.entries[str(hits[0].payloads[0][0])]  # type: ignore[index]
                        at = doc.text.rfind(str(hint), 0, m.start)
                        at = at if at != -1 and m.start - at < 12 else m.start
                        parent = Mention(str(hint), "organization", at, at + len(str(hint)), "labor_orgs.v1",
                                         0.9, canonical=e.name, key=e.id, attrs={"kind": e.kind, "country": e.country})
            if parent is None:
                before = [o for o in orgs if o.end <= m.start and o.attrs.get("kind") == "union" and o is not m]
                unions = [o for o in orgs if o.attrs.get("kind") == "union" and o.key]
                parent = before[-1] if before else (unions[0] if unions else None)
            if parent is None:
                continue
            short = hint or (parent.text if parent.text.isupper() else None)
            if short is None and parent.key:
                entry = self.gazetteer.entries.get(parent.key)
                short = entry.acronyms[0] if entry and entry.acronyms else parent.canonical
            m.canonical = f"{short} Local {m.attrs['local_number']}"
            m.attrs["parent_mention"] = parent
            m.attrs["country"] = parent.attrs.get("country")


def _dedupe_relations(doc: Document, gazetteer: Gazetteer | None = None) -> list[Any]:
    def name(m: Mention) -> str:
        return (m.canonical or m.text).lower()

    # a union and the federation it belongs to are not "allies" (as the text or the gazetteer says)
    kin = {frozenset((name(r.subject), name(r.object))) for r in doc.relations if r.predicate in ("affiliated_with", "part_of")}
    if gazetteer is not None:
        for r in doc.relations:
            if r.predicate == "ally_of" and r.subject.key and r.object.key:
                up_s = {e.id for e in gazetteer.lineage(r.subject.key)}
                up_o = {e.id for e in gazetteer.lineage(r.object.key)}
                if r.object.key in up_s or r.subject.key in up_o:
                    kin.add(frozenset((name(r.subject), name(r.object))))
    seen: set[tuple[str, str, str]] = set()
    out = []
    for r in sorted(doc.relations, key=lambda r: -r.confidence):
        key = (name(r.subject), r.predicate, name(r.object))
        if key in seen or key[0] == key[2] or (r.predicate == "ally_of" and frozenset((key[0], key[2])) in kin):
            continue
        seen.add(key)
        out.append(r)
    return sorted(out, key=lambda r: r.start)
