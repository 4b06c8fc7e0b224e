"""People, spaCy's entities, and choosing one mention where several overlap (``mentions.v1``).

spaCy's PERSON, ORG, GPE and LOC labels become mentions of lower priority than the gazetteer
and the patterns; titles are cut off people's names; Korean names in their romanizations
("Moon Jae-in", "Eun-Bo Jeong") are found by pattern, since the English model misses them.
Within a document, a surname alone ("Rosen", "Ambassador Chung") points back to the full name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from solidarity_graph.extract.places import Places
from solidarity_graph.extract.sentences import RawEnt
from solidarity_graph.model import Document, Mention

__all__ = ["spacy_mentions", "person_patterns", "merge_mentions", "link_people", "titles", "surname_key"]

EXTRACTOR = "mentions.v1"
LANG_DIR = Path(__file__).parent / "lang" / "en"

# Romanizations of one Korean surname share a key (Jeong/Chung/Jung, Lee/Yi/Rhee...).
_SURNAME_GROUPS = [
    "Kim Gim", "Lee Yi Rhee Ri Rhie I", "Park Pak Bak Bahk", "Choi Choe Chey", "Jeong Chung Jung Cheong",
    "Kang Gang", "Cho Jo Joe", "Yoon Yun Youn", "Jang Chang", "Lim Im Liem Rim", "Han Hahn",
    "Oh O", "Seo Suh Seoh", "Shin Sin Shinn", "Kwon Gwon", "Hwang Whang", "Ahn An", "Song",
    "Ryu Yoo Yu Ryoo", "Hong", "Jeon Chun Jun Chon Cheon", "Go Ko Koh", "Moon Mun", "Yang",
    "Son Sohn", "Bae Pae", "Baek Paik Paek", "Heo Hur Huh", "Nam", "Sim Shim", "Noh Roh No",
    "Ha", "Kwak Gwak", "Sung Seong", "Cha", "Joo Ju Chu", "Woo U", "Koo Ku Gu", "Min", "Na Ra",
    "Jin Chin", "Um Eom", "Chae Chai", "Won", "Bang Pang", "Kong Gong", "Hyun Hyeon", "Ham",
    "Byun Byeon Pyun", "Yeom Yum", "Yeo Yoh", "Choo Chu", "Do To", "Ma", "Gil Kil", "Ryoo",
]
_SURNAMES: dict[str, str] = {}
for _grp in _SURNAME_GROUPS:
    _names = _grp.split()
    for _n in _names:
        _SURNAMES.setdefault(_n, _names[0])

_KO_SYL = r"(?:[A-Z][a-z]{0,5})"
_SURNAME_RE = "|".join(sorted(_SURNAMES, key=len, reverse=True))
_KOREAN_NAME = re.compile(
    rf"\b(?:(?P<s1>{_SURNAME_RE})\s+(?P<g1>{_KO_SYL}-[A-Za-z][a-z]{{1,5}}|{_KO_SYL}\s+{_KO_SYL}(?=\b))"
    rf"|(?P<g2>{_KO_SYL}-[A-Za-z][a-z]{{1,5}})\s+(?P<s2>{_SURNAME_RE}))\b"
)
_KO_GIVEN_OK = re.compile(r"^(?:[A-Z][a-z]{1,5})(?:[- ](?:[A-Za-z][a-z]{1,5}))$")


_DOC_TYPES = r"\b(?:Agreement|Treaty|Accord|Memorandum|Declaration|Act|Law|Summit|Rally|Conference|Day)$"


# words spaCy labels as places that name no place of their own ("the South", "both Koreas")
_GENERIC_GEO = {
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "peninsula",
    "koreas", "the koreas", "region", "mainland", "interior", "coast", "capital", "homeland", "border",
    "city", "state", "country", "nation", "world", "globe", "abroad", "overseas", "downtown",
}


def surname_key(name: str) -> str:
    """Fold a surname's romanization variants to one key ("Chung" -> "Jeong")."""
    return _SURNAMES.get(name, name)


surname_key.known = set(_SURNAMES)  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def titles() -> dict[str, str]:
    """Every known title (lower case) -> its role category."""
    data = yaml.safe_load((LANG_DIR / "titles.yaml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for cat, names in data.items():
        for n in names:
            out.setdefault(n.lower(), cat)
    return out


def _title_re() -> re.Pattern[str]:
    names = sorted((t for t in titles() if t[0].isalpha()), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.I)


_TITLE_RE = None


def title_re() -> re.Pattern[str]:
    """A pattern for any known title."""
    global _TITLE_RE
    if _TITLE_RE is None:
        _TITLE_RE = _title_re()
    return _TITLE_RE


def _strip_title(text: str, start: int, end: int) -> tuple[int, int]:
    span = text[start:end]
    m = re.match(r"^(?:(?:[A-Z][\w.-]*\s+)*?)(?:" + title_re().pattern + r")\s+", span, re.I)
    if m and end - (start + m.end()) >= 3:
        return start + m.end(), end
    return start, end


def _person_ok(text: str) -> bool:
    words = text.split()
    if not words or len(words) > 5:
        return False
    if any(not (w[0].isupper() or w in {"de", "da", "van", "von", "del", "bin", "al"}) for w in words):
        return False
    return not any(ch.isdigit() for ch in text)


def spacy_mentions(doc: Document, ents: list[RawEnt], places: Places) -> Document:
    """Turn spaCy's entities into mentions (lower priority than gazetteer and patterns)."""
    for e in ents:
        start, end = e.start, e.end
        t = doc.text[start:end]
        if "\n" in t:
            continue  # a name never runs over a line break; spaCy's do at headings and footers
        lead = re.match(r"^(?:the|The)\s+", t)
        if lead:
            start += lead.end()
        t = re.sub(r"(?:’s|'s)$", "", doc.text[start:end])
        end = start + len(t)
        if e.label == "PERSON":
            start, end = _strip_title(doc.text, start, end)
            t = doc.text[start:end]
            if not _person_ok(t) or re.search(_DOC_TYPES, t):
                continue
            doc.mentions.append(Mention(t, "person", start, end, EXTRACTOR, 0.75, attrs={"priority": 70}))
        elif e.label == "ORG":
            if not t[:1].isupper() or len(t) < 2 or title_re().fullmatch(t):
                continue
            if re.search(r"\b(?:" + title_re().pattern[2:-2] + r")\s+of\s+(?:the\s+)?$", doc.text[max(0, start - 40) : start], re.I) \
                    and re.match(r"\s+of\s", doc.text[end : end + 4]):
                continue  # "Director of International Affairs of the KMWU": a department, not an organization
            if places.lookup(t) is not None:
                place = places.lookup(t, doc.meta.get("countries", ()))
                assert place is not None
                doc.mentions.append(places.mention(t, start, end, place, 0.7, 55))
                continue
            doc.mentions.append(Mention(t, "organization", start, end, EXTRACTOR, 0.6, attrs={"priority": 60}))
        elif e.label in ("GPE", "LOC"):
            place = places.lookup(t, doc.meta.get("countries", ()))
            if place is None:
                if not t[:1].isupper() or t.lower() in _GENERIC_GEO or "-" in t and all(w.lower() in _GENERIC_GEO for w in t.split("-")):
                    continue
                doc.mentions.append(
                    Mention(t, "place", start, end, EXTRACTOR, 0.6, canonical=t, attrs={"priority": 55})
                )
            else:
                doc.mentions.append(places.mention(t, start, end, place, 0.8, 55))
    return doc


def person_patterns(doc: Document) -> Document:
    """People found by shape: Korean names, and a title followed by a capitalized name."""
    text = doc.text
    for m in _KOREAN_NAME.finditer(text):
        given = m.group("g1") or m.group("g2")
        if not _KO_GIVEN_OK.match(given):
            continue
        doc.mentions.append(
            Mention(m.group(), "person", m.start(), m.end(), EXTRACTOR, 0.8, attrs={"priority": 85})
        )
    trex = re.compile(
        r"\b(?:" + title_re().pattern[5:-3] + r")\s+((?:[A-Z][a-z’'-]+|[A-Z]\.)(?:\s+(?:[A-Z][a-z’'-]+|[A-Z]\.)){0,3})"
    )
    for m in trex.finditer(text):
        name = m.group(1)
        words = name.split()
        # "President Trump", "Ambassador Chung": a surname alone is kept for linking
        while words and (words[-1].lower() in titles() or words[-1] in {"The", "And", "Of"}):
            words = words[:-1]
        if not words:
            continue
        name = " ".join(words)
        if len(name) < 3:
            continue
        s = m.start(1)
        doc.mentions.append(Mention(name, "person", s, s + len(name), EXTRACTOR, 0.7, attrs={"priority": 68, "titled": True}))
    return doc


def merge_mentions(doc: Document) -> Document:
    """Keep one mention per stretch of text: higher priority first, then the longer."""
    named = [m for m in doc.mentions if m.type in ("organization", "person", "place")]
    other = [m for m in doc.mentions if m.type not in ("organization", "person", "place")]
    # "UE-FAT Solidarity Fund", "USFK Korean Workers' Union": a name built around other names
    gaz = [m for m in named if m.extractor == "labor_orgs.v1"]
    for m in named:
        head = m.attrs.get("head_at")
        inside = [g for g in gaz if m.start <= g.start and g.end <= m.end and (g.end - g.start) < (m.end - m.start) - 6]
        if head is not None and inside and all(g.end <= int(head) for g in inside) and inside[0].start == m.start:
            m.attrs["priority"] = 101
    # document types are not organizations ("Special Agreement", an acronym of "memorandum of understanding")
    defs = doc.meta.get("acronym_defs", {})
    named = [m for m in named if not (m.type == "organization" and m.extractor == "mentions.v1" and (
        re.search(_DOC_TYPES, m.text)
        or (m.text in defs and (defs[m.text][:1].islower() or re.search(_DOC_TYPES, defs[m.text])))))]
    # a listed place inside a longer person's name ("Michael Leon Guerrero") is no place
    people = [m for m in named if m.type == "person"]
    named = [m for m in named if not (m.type == "place" and any(
        p.start <= m.start and m.end <= p.end and (p.end - p.start) > (m.end - m.start) for p in people))]
    named.sort(key=lambda m: (-int(m.attrs.get("priority", 0)), -(m.end - m.start), m.start))
    used = bytearray(len(doc.text) + 1)
    kept: list[Mention] = []
    by_span: dict[tuple[int, int], Mention] = {}
    for m in named:
        if any(used[m.start : m.end]):
            same = by_span.get((m.start, m.end))
            if same is not None and same.type == m.type:
                # the loser on the same text still knows things ("CCMM-CSN": part of CSN)
                for k in ("affiliated_to", "part_of", "acronym", "long_name", "employer_mention"):
                    if k in m.attrs and k not in same.attrs:
                        same.attrs[k] = m.attrs[k]
            continue
        by_span[(m.start, m.end)] = m
        used[m.start : m.end] = b"\x01" * (m.end - m.start)
        kept.append(m)
    # a "place" spaCy could not place that is a person's name part ("Yoon") is that person
    name_parts = {w for m in kept if m.type == "person" for w in m.text.split() if len(m.text.split()) > 1}
    for m in kept:
        if m.type == "place" and m.attrs.get("country") is None and m.text in name_parts:
            m.type, m.canonical = "person", None
    doc.mentions = sorted(kept + other, key=lambda m: (m.start, m.end))
    return doc


def link_people(doc: Document) -> Document:
    """Point a surname alone, in any romanization, back to the full name in the document."""
    people = [m for m in doc.mentions if m.type == "person"]
    full = [m for m in people if len(m.text.split()) >= 2]
    for m in people:
        words = m.text.split()
        if len(words) != 1:
            if m.canonical is None:
                m.canonical = " ".join(words)
            continue
        key = surname_key(words[0])
        cands = [f for f in full if key in {surname_key(w.strip(".")) for w in (f.text.split()[0], f.text.split()[-1])}]
        if not cands:
            if not m.attrs.get("titled"):
                m.attrs["drop"] = True  # a lone capitalized word spaCy took for a name ("MeToo")
            continue
        before = [f for f in cands if f.start < m.start]
        best = before[-1] if before else cands[0]
        names = {f.canonical or f.text for f in cands}
        m.canonical = best.canonical or best.text
        m.confidence = min(m.confidence, 0.8 if len(names) == 1 else 0.55)
        m.attrs["linked_to"] = m.canonical
    doc.mentions = [m for m in doc.mentions if not m.attrs.get("drop")]
    return doc
