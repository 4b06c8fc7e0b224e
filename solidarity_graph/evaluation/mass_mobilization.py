"""Mass Mobilization (labor slice, dev rows): does the main event we extract match the coders' record?

Each dev row's ``notes`` (a lower-case narrative) is one document. Its publication date is the
first date found in the row's ``sources`` (the article date); where there is none, the label's own
``startyear`` is used, as a user who knows the year of the archive record would. Per row we pick
one main event and score its type, country, size, protester identity and start date against the
coders' labels. The helpers here (folding, picking, date and size checks, tables) are shared
with :mod:`solidarity_graph.evaluation.collective_action`.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pycountry

from solidarity_graph.evaluation.common import Section, extract_records, plain_spacy
from solidarity_graph.extract.places import load_places
from solidarity_graph.model import Document

__all__ = ["evaluate", "score_rows", "size_label", "country_codes", "names_organization"]

Event = dict[str, Any]
MOBILIZATION = frozenset({"protest", "rally", "march", "strike", "walkout", "picket", "sit_in",
                          "occupation", "hunger_strike", "boycott"})


def fold(text: str) -> str:
    """Lower-case ASCII words; accents, ``&'.`` and other punctuation dropped ("AT&T" -> "att")."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[\W_]+", " ", re.sub(r"[&'.]", "", text)).split())


def has_words(hay: str, needle: str) -> bool:
    """True when the folded ``needle`` is a whole-word sequence of the folded ``hay``."""
    return bool(needle) and f" {needle} " in f" {hay} "


class Graph:
    """The export's records indexed per document: events, place countries, names with aliases."""

    def __init__(self, records: Iterable[dict[str, Any]], same_text: dict[str, str]) -> None:
        self.events: dict[str, list[Event]] = defaultdict(list)
        self.country: dict[str, str] = {}
        self.names: dict[str, list[str]] = defaultdict(list)
        self.same_text = same_text  # row id -> id of the earlier row with the same text (deduplicated)
        for r in records:
            if r["kind"] == "event":
                self.events[str(r["document"])].append(r)
            elif r["kind"] == "entity":
                self.names[r["name"]] += [r["name"], *r["aliases"]]
                if r["type"] == "place" and r["attributes"].get("country"):
                    self.country.setdefault(r["name"], r["attributes"]["country"])

    def doc_events(self, doc_id: str) -> list[Event]:
        """Events of a row (of the earlier row with the same text, for a duplicate)."""
        return self.events.get(self.same_text.get(doc_id, doc_id), [])

    def main_event(self, doc_id: str, preferred: frozenset[str] | None = None) -> Event | None:
        """Preferred types first, then events dated by the text, then the highest confidence."""
        return max(self.doc_events(doc_id), default=None, key=lambda e: (
            preferred is None or e["type"] in preferred, e.get("date_source") == "text",
            e.get("confidence") or 0.0))

    def countries(self, doc_id: str, ev: Event | None) -> tuple[str | None, str | None]:
        """(the main event's place's country, else that of the first placed event of the row)."""
        own = self.country.get(ev["place"]) if ev and ev.get("place") else None
        places = [e["place"] for e in self.doc_events(doc_id) if e.get("place") in self.country]
        return own, own or (self.country[places[0]] if places else None)

    def folded_names(self, names: Iterable[str]) -> list[str]:
        """Folded names and aliases of the given entity names (3 characters or more)."""
        return [f for n in names for a in self.names.get(n, [n]) if len(f := fold(a)) >= 3]


def _bounds(date: str) -> tuple[dt.date, dt.date]:
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        lo = dt.date(parts[0], parts[1], 1)
        nxt = (lo + dt.timedelta(days=32)).replace(day=1)
        return lo, nxt - dt.timedelta(days=1)
    day = dt.date(parts[0], parts[1], parts[2])
    return day, day


def date_right(ev: Event | None, label: dt.date) -> bool:
    """True when the labelled date lies in our date at our precision (a week, a month, a range...)."""
    if not ev or not ev.get("date"):
        return False
    try:
        lo, hi = _bounds(ev["date"])
        if ev.get("date_precision") == "week":
            hi = lo + dt.timedelta(days=6)
        if ev.get("date_end"):
            hi = max(hi, _bounds(ev["date_end"])[1])
    except ValueError:
        return False
    return lo <= label <= hi


def size_right(ev: Event | None, bounds: tuple[float, float]) -> bool:
    """True when our event's size lies in the labelled range."""
    return bool(ev) and ev.get("size") is not None and bounds[0] <= float(ev["size"]) <= bounds[1]  # type: ignore[index]


def share(hits: Sequence[bool]) -> float:
    """The share of True (0 for none)."""
    return sum(hits) / len(hits) if hits else 0.0


def pct(value: float | None) -> str:
    """A share as a percentage, or n/a."""
    return "n/a" if value is None else f"{100 * value:.1f} %"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def calibration(items: Sequence[tuple[float, bool, bool | None]], prefix: str) -> tuple[str, dict[str, float]]:
    """Type and country right among main events with confidence >= 0.8 and below."""
    rows, figures = [], {}
    for name, keep in (("high", lambda c: c >= 0.8), ("low", lambda c: c < 0.8)):
        group = [i for i in items if keep(i[0])]
        typed = share([i[1] for i in group])
        placed = share([bool(i[2]) for i in group if i[2] is not None])
        figures.update({f"{prefix}_calib_{name}_n": float(len(group)), f"{prefix}_calib_{name}_type": typed,
                        f"{prefix}_calib_{name}_country": placed})
        rows.append(("≥ 0.8" if name == "high" else "< 0.8", str(len(group)), pct(typed), pct(placed)))
    return table(("main-event confidence", "rows", "type right", "country right"), rows), figures


def first_entities(texts: Sequence[str]) -> list[dict[str, str]]:
    """Plain spaCy: the text of the first GPE and the first ORG of each text."""
    nlp = plain_spacy()
    out = []
    for doc in nlp.pipe(texts, batch_size=64):
        found: dict[str, str] = {}
        for ent in doc.ents:
            found.setdefault(ent.label_, ent.text)
        out.append(found)
    return out


# --- Mass Mobilization labels ---------------------------------------------------------------

_COUNTRY_ALIASES: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "south korea": "KR", "north korea": "KP", "russia": "RU", "congo kinshasa": "CD",
    "congo brazzaville": "CG", "ivory coast": "CI", "bosnia": "BA", "kosovo": "XK", "macedonia": "MK",
    "swaziland": "SZ", "turkey": "TR", "timor leste": "TL", "united arab emirate": "AE",
    "germany east": "DE", "czechoslovakia": "CZ SK", "yugoslavia": "RS ME HR SI BA MK XK",
    "ussr": "RU UA BY MD EE LV LT GE AM AZ KZ KG TJ TM UZ"}.items()}


def country_codes(name: str) -> frozenset[str]:
    """ISO alpha-2 codes for an MM country name (several for USSR, Yugoslavia...)."""
    key = fold(name)
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    try:
        return frozenset({pycountry.countries.lookup(name).alpha_2})
    except LookupError:
        return frozenset()


_WORDS = [("hundreds of thousands", 1e5, 999_999.0), ("tens of thousands", 1e4, 99_999.0),
          ("several thousand", 2e3, 9_999.0), ("a few thousand", 2e3, 9_999.0), ("thousands", 1e3, 9_999.0),
          ("several hundred", 200.0, 999.0), ("a few hundred", 200.0, 999.0), ("hundreds", 100.0, 999.0),
          ("several dozen", 24.0, 99.0), ("a few dozen", 24.0, 99.0), ("dozens", 24.0, 99.0),
          ("millions", 1e6, 9_999_999.0), ("several 1000s", 2e3, 9_999.0)]
_QTY = re.compile(r"(?P<op>>=?|<=?|more than|over|at least|up to|less than)?\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<s>s\b|\+)?")
_CATEGORY = {"50-99": (50.0, 99.0), "100-999": (100.0, 999.0), "1000-1999": (1e3, 1999.0),
             "2000-4999": (2e3, 4999.0), "5000-10000": (5e3, 1e4), ">10000": (1e4, math.inf)}


def _one(text: str, margin: float) -> tuple[float, float] | None:
    for phrase, lo, hi in _WORDS:
        if text.startswith(phrase):
            return lo, hi
    m = _QTY.match(text)
    if m is None:
        return None
    n = float(m["n"])
    if m["s"] == "s":
        return n, 10 * n - 1
    if m["op"] in (">", ">=", "more than", "over", "at least") or m["s"] == "+":
        return n, math.inf
    if m["op"] in ("<", "<=", "up to", "less than"):
        return 50.0, n  # MM records protests of 50 people or more
    return n * (1 - margin), n * (1 + margin)


def size_label(participants: str, category: str = "") -> tuple[float, float] | None:
    """The labelled size as a range: "1000s" -> 1000-9999, "500" -> 400-600 (±20 %), ">50" -> 50-inf."""
    text = re.sub(r"^(about|around|approximately|nearly|almost|roughly|some|an estimated)\s+", "",
                  participants.lower().replace(",", "").strip())
    pair = re.fullmatch(r"(?:between\s+)?>?\s*(.+?)\s*(?:-|\bto\b|\band\b|&)\s*(.+)", text)
    if pair and (lo := _one(pair[1], 0.0)) and (hi := _one(pair[2], 0.0)):
        return lo[0], hi[1]
    return _one(text, 0.2) or _CATEGORY.get(category.strip())


_GENERIC = set("""workers worker students student teachers teacher protesters protestors demonstrators
farmers miners soldiers taxi drivers civil servants university doctors nurses pensioners retirees fishermen
oil health police officers transportation transport public sector truckers school schools government state
employees trade labor labour union unions unionists members people journalists prisoners traders vendors
garment shipyard women activists agricultural residents migrant anti austerity corruption opposition
supporters citizens youth youths staff medical hospital bank railway rail dock port airline pilots bus
construction factory industrial steel textile municipal local national high secondary college young
unemployed poor rural villagers peasants indigenous unspecified various groups group many several other
others and of the in for to from with against on at by a an including led some former striking protesting
angry general private contract temporary professors lecturers academics judges lawyers postal telecom
electricity energy water cleaners coal mine auto car metal hotel street market small business owners shop
shopkeepers merchants truck motorcycle veterans army military retired pro democracy parents pupils
employees civilians opponents critics demonstration protest strikers personnel crowd mostly mainly
south north east west""".split())
_STRONG_ORG = re.compile(r"confedera|federa|associa|\bpart(y|ies)\b|syndica|council|alliance|front|movement|"
                         r"committee|league|congress|coalition|organi[sz]ation|guild|\bkctu\b|\bcgt\b")


def _generic(token: str) -> bool:
    places = load_places()
    place = places.lookup(token)
    return token in _GENERIC or places.demonym(token) is not None or (place is not None and place.kind == "country")


def _parts(label: str) -> list[str]:
    return [p for p in (fold(x) for x in re.split(r"[;,/]|\band\b", label)) if p]


def names_organization(label: str) -> bool:
    """True when a protester-identity label names an organization or a specific group, not "workers"."""
    for part in _parts(label):
        tokens = part.split()
        if _STRONG_ORG.search(part) or (any(not _generic(t) for t in tokens) and (len(tokens) <= 4 or "union" in part)):
            return True
    return False


def identity_right(label: str, names: Sequence[str], *, allow_generic: bool) -> bool:
    """A name is in the label, or a (specific, unless allowed generic) part of the label is in a name."""
    folded = fold(label)
    if any(has_words(folded, n) for n in names):
        return True
    parts = [p for p in _parts(label) if allow_generic or not all(_generic(t) for t in p.split())]
    return any(has_words(n, p) for p in parts for n in names)


_MONTH = r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_SOURCE_DATE = re.compile(rf"\b(?:(?P<m1>{_MONTH})[a-z]*\.?\s+(?P<d1>\d{{1,2}}),?\s*(?P<y1>\d{{4}})"
                          rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH})[a-z]*\.?,?\s+(?P<y2>\d{{4}})"
                          rf"|(?P<m3>{_MONTH})[a-z]*\.?,?\s+(?P<y3>\d{{4}}))\b")


def published_from_sources(sources: str) -> str | None:
    """The first article date in an MM ``sources`` cell, as YYYY-MM-DD (or YYYY-MM)."""
    for m in _SOURCE_DATE.finditer(sources.lower()):
        month = _MONTH.split("|").index(m["m1"] or m["m2"] or m["m3"]) + 1
        year, day = int(m["y1"] or m["y2"] or m["y3"]), m["d1"] or m["d2"]
        try:
            return dt.date(year, month, int(day)).isoformat() if day else f"{year:04d}-{month:02d}"
        except ValueError:
            continue
    return None


def score_rows(shared: Path, *, limit: int | None = None, processes: int = 2) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Per dev row: the labels, our main event and what is right; plus counts about the run."""
    path = shared / "eval" / "mass-mobilization" / "dev.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:limit]
    docs, first, same = [], {}, {}
    counts = {"rows": len(rows), "source_dates": 0, "duplicate_texts": 0}
    for r in rows:
        pub = published_from_sources(r["sources"])
        counts["source_dates"] += pub is not None
        doc = Document(text=r["notes"], source=f"{path}#{r['id']}", doc_id=r["id"], published=pub or r["startyear"])
        if first.setdefault(doc.hash, r["id"]) != r["id"]:
            same[r["id"]] = first[doc.hash]
        docs.append(doc)
    counts["duplicate_texts"] = len(same)
    records, failures = extract_records(docs, processes=processes)
    counts["failures"] = len(failures)
    graph = Graph(records, same)
    baseline = first_entities([r["notes"] for r in rows])
    places = load_places()
    out = []
    for r, sp in zip(rows, baseline, strict=True):
        ev = graph.main_event(r["id"], MOBILIZATION)
        codes = country_codes(r["country"])
        own, anywhere = graph.countries(r["id"], ev)
        bounds = size_label(r["participants"], r["participants_category"])
        names = graph.folded_names((ev or {}).get("participants", []))
        org = names_organization(r["protesteridentity"])
        gpe = places.lookup(sp["GPE"]) if "GPE" in sp else None
        start = dt.date(int(r["startyear"]), int(r["startmonth"]), int(r["startday"]))
        out.append({"id": r["id"], "row": r, "event": ev, "org": org, "size_label": bounds,
                    "type": bool(ev) and ev["type"] in MOBILIZATION,  # type: ignore[index]
                    "country": own in codes, "country_any": anywhere in codes,
                    "size": None if bounds is None else size_right(ev, bounds),
                    "identity": identity_right(r["protesteridentity"], names, allow_generic=not org),
                    "date": date_right(ev, start), "text_dated": bool(ev) and ev.get("date_source") == "text",  # type: ignore[union-attr]
                    "sp_country": gpe is not None and gpe.country in codes,
                    "sp_identity": "ORG" in sp and identity_right(r["protesteridentity"], [fold(sp["ORG"])], allow_generic=not org)})
    return out, counts


_LIMITS = """**What limits it** (from reading misses on the full dev set): see the report of this module's
author in docs/quality.md."""


def evaluate(shared: Path, *, limit: int | None = None, processes: int = 2) -> Section:
    """Score the main event of each Mass Mobilization dev row against the coders' labels."""
    res, counts = score_rows(shared, limit=limit, processes=processes)
    n = len(res)
    sized = [r for r in res if r["size"] is not None]
    orgs, generic = [r for r in res if r["org"]], [r for r in res if not r["org"]]
    dated = [r for r in res if r["text_dated"]]
    fig = {"mm_type": share([r["type"] for r in res]), "mm_country": share([r["country"] for r in res]),
           "mm_country_any": share([r["country_any"] for r in res]), "mm_size": share([r["size"] for r in sized]),
           "mm_identity": share([r["identity"] for r in orgs]), "mm_identity_generic": share([r["identity"] for r in generic]),
           "mm_date": share([r["date"] for r in res]), "mm_date_text_share": len(dated) / n if n else 0.0,
           "mm_date_text_right": share([r["date"] for r in dated]), "mm_events_found": share([r["event"] is not None for r in res]),
           "spacy_mm_country": share([r["sp_country"] for r in res]), "spacy_mm_identity": share([r["sp_identity"] for r in orgs])}
    mapping = table(("MM category", "our types counted right"),
                    [("protest (every row: ≥ 50 people against a government)", ", ".join(sorted(MOBILIZATION)))])
    results = table(("field", "rows scored", "Solidarity Graph", "plain spaCy"), [
        ("event type", str(n), pct(fig["mm_type"]), "n/a"),
        ("country (the event's place)", str(n), pct(fig["mm_country"]), pct(fig["spacy_mm_country"]) + " (first GPE)"),
        ("country (any place in the text)", str(n), pct(fig["mm_country_any"]), "n/a"),
        ("size", f"{len(sized)} ({n - len(sized)} without a usable size)", pct(fig["mm_size"]), "n/a"),
        ("protester identity: labels naming an organization", str(len(orgs)), pct(fig["mm_identity"]),
         pct(fig["spacy_mm_identity"]) + " (first ORG)"),
        ("protester identity: generic labels (workers, students...)", str(len(generic)), pct(fig["mm_identity_generic"]), "n/a"),
        ("start date", str(n), pct(fig["mm_date"]), "n/a"),
        ("… main event dated by the text", f"{len(dated)} ({pct(fig['mm_date_text_share'])})", pct(fig["mm_date_text_right"]), "n/a")])
    calib_md, calib = calibration([(float(r["event"]["confidence"] or 0.0), r["type"], r["country"])
                                   for r in res if r["event"] is not None], "mm")
    fig.update(calib)
    md = "\n\n".join([
        f"Dev rows: {n}; one document per row (`notes`, lower case). Publication date: the first article "
        f"date in `sources` for {counts['source_dates']} rows, else the label's own `startyear` (the user "
        f"knows the year of the archive record). {counts['duplicate_texts']} rows repeat an earlier row's "
        f"text and are scored with that row's events; {counts['failures']} documents failed. Main event: "
        "the highest-confidence event of a mobilization type (else of any type), preferring events dated by "
        "the text. A row with no event is wrong for every field; sizes are right inside the labelled range "
        "or within ±20 % of a labelled number.", mapping, results, calib_md, _LIMITS])
    return Section(title="Mass Mobilization (labor slice): main event per record", markdown=md, figures=fig)
