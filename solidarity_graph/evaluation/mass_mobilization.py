"""Mass Mobilization (labor slice, dev rows): does the main event we extract match the coders' record?

Each dev row's ``notes`` (a lower-case narrative) is one document. Its publication date is the
first date found in the row's ``sources`` (the article date); where there is none, the label's own
``startyear`` is used, as a user who knows the year of the archive record would. Per row we pick
one main event and score its type, country, size, protester identity and start date against the
coders' labels.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from solidarity_graph.evaluation.common import Section
from solidarity_graph.evaluation.event_match import (
    calibration,
    country_codes,
    date_right,
    extract_rows,
    first_entities,
    fold,
    has_words,
    pct,
    share,
    size_right,
    table,
)
from solidarity_graph.extract.places import load_places
from solidarity_graph.model import Document

__all__ = ["MOBILIZATION", "evaluate", "names_organization", "published_from_sources", "score_rows", "size_label"]

MOBILIZATION = frozenset({"protest", "rally", "march", "strike", "walkout", "picket", "sit_in",
                          "occupation", "hunger_strike", "boycott"})

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


_ORG = re.compile(r"\b(union(?! members| workers| leaders| activists)|confederation|federation|association|party|syndicate|council|alliance|front|"
                  r"movement|committee|league|congress|coalition|organi[sz]ation|guild|ladies in white|kctu|fktu|"
                  r"cgt|cfdt|sncf|udf|siptu|ino|pds|anc|awami|cob|adedy|gsee|usi|pna|npd)\b")


def _parts(label: str) -> list[str]:
    return [p for p in (fold(x) for x in re.split(r"[;,/]|\band\b", label)) if p]


def names_organization(label: str) -> bool:
    """True when a protester label names one organization (a singular union, party... or a known acronym)."""
    return any(_ORG.search(p) for p in _parts(label))


def identity_right(label: str, names: Sequence[str], *, allow_generic: bool) -> bool:
    """A name is in the label, or a part of the label (naming an organization, unless generic allowed) is in a name."""
    folded = fold(label)
    if any(has_words(folded, n) for n in names):
        return True
    parts = [p for p in _parts(label) if allow_generic or _ORG.search(p)]
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
    pubs = [published_from_sources(r["sources"]) for r in rows]
    graph, failures = extract_rows([Document(text=r["notes"], source=f"{path}#{r['id']}", doc_id=r["id"],
                                             published=pub or r["startyear"]) for r, pub in zip(rows, pubs, strict=True)], processes)
    places, out = load_places(), []
    for r, sp in zip(rows, first_entities([r["notes"] for r in rows]), strict=True):
        ev, codes, label = graph.main_event(r["id"], MOBILIZATION), country_codes(r["country"]), r["protesteridentity"]
        own, anywhere = graph.countries(r["id"], ev)
        bounds, org = size_label(r["participants"], r["participants_category"]), names_organization(label)
        gpe = places.lookup(sp["GPE"]) if "GPE" in sp else None
        start = dt.date(int(r["startyear"]), int(r["startmonth"]), int(r["startday"]))
        out.append({"id": r["id"], "row": r, "event": ev, "org": org, "size_label": bounds,
                    "type": ev is not None and ev["type"] in MOBILIZATION, "country": own in codes,
                    "country_any": anywhere in codes, "size": None if bounds is None else size_right(ev, bounds),
                    "identity": identity_right(label, graph.folded_names((ev or {}).get("participants", [])), allow_generic=not org),
                    # the protesters as the text names them: organizations, or the group ("public sector workers")
                    "identity_all": identity_right(label, graph.folded_names((ev or {}).get("participants", []))
                                                   + ([fold(ev["crowd"])] if ev and ev.get("crowd") else []), allow_generic=True),
                    "date": date_right(ev, start), "text_dated": ev is not None and ev.get("date_source") == "text",
                    "in_text": any(has_words(fold(r["notes"]), p) for p in _parts(label) if _ORG.search(p)),
                    "sp_country": gpe is not None and gpe.country in codes,
                    "sp_identity": "ORG" in sp and identity_right(label, [fold(sp["ORG"])], allow_generic=not org)})
    return out, {"rows": len(rows), "source_dates": sum(p is not None for p in pubs), "failures": failures}


LIMITS = """**What limits it** (read from the misses of this dev set; big-city names and demonyms in
lower-case text, the country a text names most as a last-resort venue (marked `place_from: document`),
crowd sizes from the same paragraph and the group the text names (`crowd`) were added after a first
reading). *Type*: nearly every miss is a row with no event: one-line notes without a protest word
("blocking highways", "police use tear gas & rubber bullets", "labor day", the typo "general stirke"); road
blockades have no codebook type. *Country*: about four notes in ten name neither a country, a big city nor a
demonym; smaller towns are not matched in lower case (only cities of 250,000 people or more, to keep common
words out). *Size*: the crowd count is often absent or is a count of the injured, arrested or of union
members; vague words get fixed values ("thousands" = 2,000 against labels like "10000s"). *Identity*: the
labelled organization is written in the notes in under half of the rows (see the ceiling line); many rows
repeat one text with a generic label, and the commonest organization label, "ladies in white", is not in the
gazetteer. *Date*: "today" in a wire report resolves to the article date, often the day after the coded
start; undated events take the article date."""


def evaluate(shared: Path, *, limit: int | None = None, processes: int = 2) -> Section:
    """Score the main event of each Mass Mobilization dev row against the coders' labels."""
    res, counts = score_rows(shared, limit=limit, processes=processes)
    n = len(res)
    sized = [r for r in res if r["size"] is not None]
    orgs, generic = [r for r in res if r["org"]], [r for r in res if not r["org"]]
    dated = [r for r in res if r["text_dated"]]
    fig = {f"mm_{k}": share([r[k] for r in res]) for k in ("type", "country", "country_any", "date")}
    fig |= {"mm_size": share([r["size"] for r in sized]), "mm_identity": share([r["identity_all"] for r in res]),
            "mm_identity_org": share([r["identity"] for r in orgs]),
            "mm_identity_generic": share([r["identity"] for r in generic]), "mm_identity_in_text": share([r["in_text"] for r in orgs]),
            "mm_date_text_share": len(dated) / n if n else 0.0, "mm_date_text_right": share([r["date"] for r in dated]),
            "mm_events_found": share([r["event"] is not None for r in res]), "spacy_mm_country": share([r["sp_country"] for r in res]),
            "spacy_mm_identity": share([r["sp_identity"] for r in orgs])}
    mapping = table(("MM category", "our types counted right"),
                    [("protest (every row: 50 or more people against a government)", ", ".join(sorted(MOBILIZATION)))])
    results = table(("field", "rows scored", "Solidarity Graph", "plain spaCy"), [
        ("event type", str(n), pct(fig["mm_type"]), "n/a"),
        ("country (the event's place)", str(n), pct(fig["mm_country"]), pct(fig["spacy_mm_country"]) + " (first GPE)"),
        ("country (any place in the text)", str(n), pct(fig["mm_country_any"]), "n/a"),
        ("size", f"{len(sized)} ({n - len(sized)} without a usable size)", pct(fig["mm_size"]), "n/a"),
        ("identity: all rows (organizations, or the group the text names)", str(n), pct(fig["mm_identity"]), "n/a"),
        ("identity: labels naming an organization", str(len(orgs)), pct(fig["mm_identity_org"]), pct(fig["spacy_mm_identity"]) + " (first ORG)"),
        ("… that organization named in the text (ceiling)", str(len(orgs)), pct(fig["mm_identity_in_text"]), "n/a"),
        ("identity: generic labels (workers, students...)", str(len(generic)), pct(fig["mm_identity_generic"]), "n/a"),
        ("start date", str(n), pct(fig["mm_date"]), "n/a"),
        ("… main event dated by the text", f"{len(dated)} ({pct(fig['mm_date_text_share'])})", pct(fig["mm_date_text_right"]), "n/a")])
    calib_md, calib = calibration([(float(r["event"]["confidence"] or 0.0), r["type"], r["country"])
                                   for r in res if r["event"] is not None], "mm")
    md = "\n\n".join([
        f"Dev rows: {n}, one document each (`notes`, lower case). Publication date: the first article date in "
        f"`sources` for {counts['source_dates']} rows, else the label's own `startyear` (as a user who knows the "
        "year of the archive record would give it). Rows repeating a text are extracted in a fresh store, each with "
        f"its own date; {counts['failures']} documents failed. Main event: the highest-confidence event of a "
        "mobilization type (else of any type), preferring events dated by the text. A row with no event is wrong "
        "for every field. Sizes are right inside the labelled range or within ±20 % of a labelled number. "
        "Identity is right when a participant's name or alias is in the label, or an organization named in the "
        "label is in a participant's name; labels naming an organization have a singular union, party, "
        "federation... or a known acronym.", mapping, results, calib_md, LIMITS])
    return Section(title="Mass Mobilization (labor slice): main event per record", markdown=md, figures=fig | calib)
