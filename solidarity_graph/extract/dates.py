"""Dates, normalized against the document's date, with their precision (``dates.v1``).

Candidate spans come from rules here ("May 3, 2018", "in August", "on the 17th to 19th",
"the 1st of next month", "On Tuesday", "May Day", "early 2025") and from spaCy's DATE entities;
dateparser is called on the candidate spans our rules cannot read, never on whole texts.
A month or weekday without a year takes the tense of its clause: "will travel ... in November"
is the next November, "voted ... in December" the last one.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import warnings
from functools import lru_cache
from typing import Any

from solidarity_graph.extract.sentences import RawEnt
from solidarity_graph.model import Document, Mention

__all__ = ["find_dates", "parse_doc_date", "DateValue"]

EXTRACTOR = "dates.v1"
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_MON = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?(?!,?\d)"
_WORD_ORD = {"first": 1, "second": 2, "third": 3, "last": -1}
FUTURE = re.compile(r"\b(?:will|shall|plans? to|planned|planning|to be held|scheduled|upcoming|next|is set to|are set to|going to|intends? to|deadline)\b", re.I)

DateValue = tuple[str, str | None, str]  # value, end value, precision

_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("mdy_range", re.compile(rf"\b({_MON})\s+{_ORD}\s*(?:-|–|to|and)\s*{_ORD},?\s+(\d{{4}})\b")),
    ("mdy", re.compile(rf"\b({_MON})\s+{_ORD},?\s+(\d{{4}})\b")),
    ("dmy", re.compile(rf"\b{_ORD}\s+({_MON})\s*,?\s*(\d{{4}})\b")),
    ("my", re.compile(rf"\b(?:(early|late|mid|mid-)\s*)?({_MON})\s+(?:of\s+)?(\d{{4}})\b")),
    ("md", re.compile(rf"\b({_MON})\s+{_ORD}\b(?!\s*,?\s*\d{{4}})")),
    ("dm", re.compile(rf"\b{_ORD}\s+(?:of\s+)?({_MON})\b(?!\s*,?\s*\d{{4}})")),
    ("day_rel_month", re.compile(rf"\bthe\s+(?:{_ORD}|(first|second|third|last)\s+day)\s+of\s+(next|this|last)\s+month\b", re.I)),
    ("day_range", re.compile(rf"\b(?:on\s+)?the\s+{_ORD}\s*(?:-|–|to|and|through)\s*(?:the\s+)?{_ORD}\b(?!\s+(?:century|anniversary|round|meeting))", re.I)),
    ("day", re.compile(rf"\b(?:on|from|since|until|by|of)\s+the\s+{_ORD}\b(?!\s+(?:century|anniversary|round|meeting|convention|congress|of\s+(?:next|this|last)\s+month))", re.I)),
    ("weekday", re.compile(r"\b(?:on|last|this|next)\s+(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", re.I)),
    ("holiday", re.compile(r"\b(May Day|International Workers[’']? Day|Labou?r Day)\b")),
    ("rel", re.compile(r"\b(today|yesterday|this day|that day|this month|last month|next month|this year|last year|next year|this week|last week|next week)\b", re.I)),
    ("month_in", re.compile(rf"\b(?i:in|since|until|by|from|through|during|early|late|mid-?|last|next|this)\s+({_MON})\b(?!\s+\d)")),
    ("year_adj", re.compile(r"\b(?:the|its|our|their)\s+(\d{4})\s+(?=[A-Z])")),
    ("year", re.compile(r"\b(?:((?i:early|late|mid|mid-))\s*|(?i:in|since|of|until|by|from|during|before|after)\s+)(\d{4})\b(?!\d|,\d)")),
]


def parse_doc_date(value: str | None) -> tuple[dt.date, str] | None:
    """The document date as a date and its precision ("2025-08" -> 2025-08-01, "month")."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    prec = ("year", "month", "day")[len(parts) - 1]
    while len(parts) < 3:
        parts.append(1)
    try:
        return dt.date(parts[0], parts[1], parts[2]), prec
    except ValueError:
        return None


def _fmt(d: dt.date, prec: str) -> str:
    return {"day": d.isoformat(), "month": d.strftime("%Y-%m"), "year": str(d.year)}[prec]


def _month_year(month: int, base: dt.date, future: bool) -> int:
    if future:
        return base.year if month >= base.month else base.year + 1
    return base.year if month <= base.month else base.year - 1


def _add_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def _safe(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _rule_value(kind: str, g: tuple[Any, ...], base: dt.date | None, future: bool) -> DateValue | None:
    def mon(s: str) -> int:
        return MONTHS[s.lower().rstrip(".")]

    if kind == "iso":
        d = _safe(int(g[0]), int(g[1]), int(g[2]))
        return (d.isoformat(), None, "day") if d else None
    if kind == "mdy_range":
        a, b = _safe(int(g[3]), mon(g[0]), int(g[1])), _safe(int(g[3]), mon(g[0]), int(g[2]))
        return (a.isoformat(), b.isoformat(), "day") if a and b else None
    if kind == "mdy":
        d = _safe(int(g[2]), mon(g[0]), int(g[1]))
        return (d.isoformat(), None, "day") if d else None
    if kind == "dmy":
        d = _safe(int(g[2]), mon(g[1]), int(g[0]))
        return (d.isoformat(), None, "day") if d else None
    if kind == "my":
        return (f"{int(g[2]):04d}-{mon(g[1]):02d}", None, "month")
    if kind in ("year", "year_adj"):
        y = int(g[-1])
        return (str(y), None, "year") if 1900 <= y <= 2100 else None
    if base is None:
        return None
    if kind in ("md", "dm"):
        month, day = (mon(g[0]), int(g[1])) if kind == "md" else (mon(g[1]), int(g[0]))
        d = _safe(_month_year(month, base, future), month, day)
        return (d.isoformat(), None, "day") if d else None
    if kind == "month_in":
        month = mon(g[0])
        return (f"{_month_year(month, base, future):04d}-{month:02d}", None, "month")
    if kind == "holiday":
        if g[0].lower().startswith("labo"):
            return None
        return (f"{base.year:04d}-05-01", None, "day")
    if kind == "day_rel_month":
        shift = {"next": 1, "this": 0, "last": -1}[g[2].lower()]
        first = _add_months(base, shift)
        n = int(g[0]) if g[0] else _WORD_ORD[g[1].lower()]
        if n == -1:
            n = calendar.monthrange(first.year, first.month)[1]
        d = _safe(first.year, first.month, n)
        return (d.isoformat(), None, "day") if d else None
    if kind == "day_range":
        a, b = _safe(base.year, base.month, int(g[0])), _safe(base.year, base.month, int(g[1]))
        if a and b and a <= b:
            return (a.isoformat(), b.isoformat(), "day")
        return None
    if kind == "day":
        d = _safe(base.year, base.month, int(g[0]))
        return (d.isoformat(), None, "day") if d else None
    if kind == "weekday":
        wd = WEEKDAYS[g[0].lower()]
        delta = (wd - base.weekday()) % 7
        if future:
            d = base + dt.timedelta(days=delta or 7)
        else:
            d = base - dt.timedelta(days=(base.weekday() - wd) % 7)
        return (d.isoformat(), None, "day")
    if kind == "rel":
        w = g[0].lower()
        if w in ("today", "this day", "that day"):
            return (base.isoformat(), None, "day")
        if w == "yesterday":
            return ((base - dt.timedelta(days=1)).isoformat(), None, "day")
        if w.endswith("month"):
            shift = {"this": 0, "last": -1, "next": 1}[w.split()[0]]
            return (_add_months(base, shift).strftime("%Y-%m"), None, "month")
        if w.endswith("year"):
            shift = {"this": 0, "last": -1, "next": 1}[w.split()[0]]
            return (str(base.year + shift), None, "year")
        if w.endswith("week"):
            shift = {"this": 0, "last": -7, "next": 7}[w.split()[0]]
            return ((base + dt.timedelta(days=shift)).isoformat(), None, "week")
    return None


@lru_cache(maxsize=4096)
def _dateparser(text: str, base: dt.date | None) -> DateValue | None:
    # only spans that name a month or a year; durations and ages ("70-year", "19 years") are no dates
    if not re.search(_MON + r"|\b(?:19|20)\d\d\b", text) or re.search(r"-year|\byears?\b|\bdecades?\b|\bold\b", text, re.I):
        return None
    if base is None and not re.search(r"\b(?:19|20)\d\d\b", text):
        return None  # no document date to read "May 1st" or "Thursday" against: better no date than today's
    import dateparser  # imported late: it takes a second to load

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = dt.datetime(base.year, base.month, base.day)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = dateparser.date.DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    if res is None or res.date_obj is None:
        return None
    prec = res.period if res.period in ("day", "month", "year") else "day"
    return _fmt(res.date_obj.date(), prec), None, prec


def _clause_future(doc: Document, start: int, end: int) -> bool:
    """Whether the clause around a date speaks of the future ("will travel ... in November")."""
    sent = doc.sentence_of(start)
    lo, hi = (sent.start, sent.end) if sent.end > sent.start else (max(0, start - 160), end + 160)
    seg = doc.text[lo:hi]
    rel = start - lo
    # the clause: from the last semicolon or ", and" before the date to the next one after it
    cuts = [0] + [m.end() for m in re.finditer(r";|,\s+and\b", seg[:rel])]
    nxt = [m.start() for m in re.finditer(r";|,\s+and\b", seg[rel:])]
    return bool(FUTURE.search(seg[cuts[-1] : rel + (nxt[0] if nxt else len(seg))]))


def find_dates(doc: Document, ents: list[RawEnt]) -> Document:
    """Add a ``date`` mention with its normalized value for each date in ``doc``."""
    base_info = parse_doc_date(doc.published)
    base = base_info[0] if base_info else None
    text = doc.text
    used = bytearray(len(text) + 1)
    found: list[Mention] = []
    for kind, rx in _RULES:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(used[s:e]):
                continue
            future = _clause_future(doc, s, e)
            if kind == "weekday" and re.search(r"\b(?:\w+ed|said|was|were|met|held|told|took|began)\s+(?:\w+\s+)?$", text[max(0, s - 30) : s]):
                future = False  # "announced on Friday that it intends to...": the weekday is past
            val = _rule_value(kind, m.groups(), base, future)
            if val is None:
                continue
            used[s:e] = b"\x01" * (e - s)
            found.append(_date_mention(text, s, e, val, kind, 0.9 if base or kind in ("iso", "mdy", "dmy", "my", "year") else 0.6))
    for ent in ents:
        if ent.label != "DATE" or any(used[ent.start : ent.end]):
            continue
        val = _dateparser(ent.text, base)
        if val is None:
            continue
        used[ent.start : ent.end] = b"\x01" * (ent.end - ent.start)
        found.append(_date_mention(text, ent.start, ent.end, val, "dateparser", 0.6))
    doc.mentions.extend(found)
    return doc


def _date_mention(text: str, s: int, e: int, val: DateValue, rule: str, conf: float) -> Mention:
    value, end_value, prec = val
    return Mention(
        text=text[s:e],
        type="date",
        start=s,
        end=e,
        extractor=EXTRACTOR,
        confidence=conf,
        attrs={"value": value, "end": end_value, "precision": prec, "rule": rule,
               "since": bool(re.match(r"(?i)since\b", text[s:e]) or text[max(0, s - 6):s].lower().strip().endswith("since"))},
    )
