"""Matching extracted events to labelled event records: shared by the event-set evaluations.

The JSON Lines export indexed per document (:class:`Graph`), the choice of a row's main event,
date checks at our precision, size ranges, name folding, Markdown tables and the confidence
calibration table; used by :mod:`~solidarity_graph.evaluation.mass_mobilization` and
:mod:`~solidarity_graph.evaluation.collective_action`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pycountry

from solidarity_graph.evaluation.common import extract_records, plain_spacy
from solidarity_graph.model import Document

__all__ = ["Graph", "calibration", "country_codes", "date_right", "extract_rows", "first_entities", "fold",
           "has_words", "pct", "share", "size_right", "table"]

Event = dict[str, Any]


def fold(text: str) -> str:
    """Lower-case ASCII words; accents, ``&'.`` and other punctuation dropped ("AT&T" -> "att")."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[\W_]+", " ", re.sub(r"[&'.]", "", text)).split())


def has_words(hay: str, needle: str) -> bool:
    """True when the folded ``needle`` is a whole-word sequence of the folded ``hay``."""
    return bool(needle) and f" {needle} " in f" {hay} "


class Graph:
    """The export's records indexed per document: events, place countries, names with aliases."""

    def __init__(self, records: Iterable[dict[str, Any]]) -> None:
        self.events: dict[str, list[Event]] = defaultdict(list)
        self.country: dict[str, str | None] = {}  # place name -> ISO code, in the store being read
        self.names: dict[str, list[str]] = defaultdict(list)
        for r in records:  # one store's entities come before its events; several stores may follow
            if r["kind"] == "event":
                self.events[str(r["document"])].append({**r, "_country": self.country.get(r["place"] or "")})
            elif r["kind"] == "entity":
                self.names[r["name"]] += [r["name"], *r["aliases"]]
                if r["type"] == "place":
                    self.country[r["name"]] = r["attributes"].get("country")

    def doc_events(self, doc_id: str) -> list[Event]:
        """Events of a document (a row)."""
        return self.events.get(doc_id, [])

    def main_event(self, doc_id: str, preferred: frozenset[str] | None = None) -> Event | None:
        """Preferred types first, then events dated by the text, then the highest confidence."""
        return max(self.doc_events(doc_id), default=None, key=lambda e: (
            preferred is None or e["type"] in preferred, e.get("date_source") == "text",
            e.get("confidence") or 0.0))

    def countries(self, doc_id: str, ev: Event | None) -> tuple[str | None, str | None]:
        """(the main event's place's country, else that of the first placed event of the row)."""
        own = ev["_country"] if ev else None
        return own, own or next((e["_country"] for e in self.doc_events(doc_id) if e["_country"]), None)

    def folded_names(self, names: Iterable[str]) -> list[str]:
        """Folded names and aliases of the given entity names (3 characters or more)."""
        return [f for n in names for a in self.names.get(n, [n]) if len(f := fold(a)) >= 3]


def extract_rows(docs: Sequence[Document], processes: int) -> tuple[Graph, int]:
    """Extract every row, each with its own date: rows repeating a text go to a later, fresh store.

    (The pipeline skips a text it has seen, so ``k``-th copies of a text are ingested in pass ``k``.)
    """
    passes: dict[int, list[Document]] = defaultdict(list)
    seen: dict[str, int] = defaultdict(int)
    for doc in docs:
        passes[seen[doc.hash]].append(doc)
        seen[doc.hash] += 1
    records: list[dict[str, Any]] = []
    failures = 0
    for batch in passes.values():
        recs, failed = extract_records(batch, processes=processes if len(batch) >= 50 else 1)
        records, failures = records + recs, failures + len(failed)
    return Graph(records), failures


def _bounds(date: str) -> tuple[dt.date, dt.date]:
    parts = [int(p) for p in date.split("-")]
    lo = dt.date(parts[0], *(parts[1:] + [1, 1])[:2])
    if len(parts) == 3:
        return lo, lo
    hi = dt.date(lo.year, 12, 31) if len(parts) == 1 else (lo + dt.timedelta(days=32)).replace(day=1)
    return lo, hi - dt.timedelta(days=len(parts) - 1)


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
    return ev is not None and ev.get("size") is not None and bounds[0] <= float(ev["size"]) <= bounds[1]


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
    bands: tuple[tuple[str, Callable[[float], bool]], ...] = (("high", lambda c: c >= 0.8), ("low", lambda c: c < 0.8))
    for name, keep in bands:
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


_COUNTRY_ALIASES: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "south korea": "KR", "north korea": "KP", "russia": "RU", "congo kinshasa": "CD",
    "congo brazzaville": "CG", "ivory coast": "CI", "bosnia": "BA", "kosovo": "XK", "macedonia": "MK",
    "swaziland": "SZ", "turkey": "TR", "timor leste": "TL", "united arab emirate": "AE",
    "germany east": "DE", "czechoslovakia": "CZ SK", "yugoslavia": "RS ME HR SI BA MK XK",
    "uk": "GB", "ussr": "RU UA BY MD EE LV LT GE AM AZ KZ KG TJ TM UZ"}.items()}


def country_codes(name: str) -> frozenset[str]:
    """ISO alpha-2 codes for a country name or slug ("South Korea", "usa"; several for USSR, Yugoslavia)."""
    key = fold(name)
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    try:
        return frozenset({pycountry.countries.lookup(name).alpha_2})
    except LookupError:
        return frozenset()
