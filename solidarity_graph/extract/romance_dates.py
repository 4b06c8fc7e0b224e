"""Dates and numbers of people in French, Spanish, Portuguese and Italian (``<lang>_dates.v1``, ``<lang>_quantities.v1``).

Dates are read by rules from the words of ``lang/<code>/words.yaml`` ("le 7 mars 2023",
"28 de abril de 2017", "il 15 ottobre", "du 17 au 19 mars", "mayo de 2020", "en 1992", "hier",
"la semana pasada", "lunedì") and normalized against the document's date: a day and month without
a year take the year of a date named before them in the sentence, else the tense of their clause
("appelle à la grève le 7 mars" is the next 7 March). Numbers of people keep their hedges and each
language's separators ("plus de 1,2 million de manifestants", "cerca de 5.000 operários",
"420 000 travailleurs", "decine di migliaia di persone").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from solidarity_graph.extract.dates import parse_doc_date
from solidarity_graph.model import Document, Mention, Quantity

__all__ = ["words", "romance_dates", "romance_quantities", "parse_romance_number"]

LANG_DIR = Path(__file__).parent / "lang"
_APOS = "'’"


@lru_cache(maxsize=8)
def words(lang: str) -> dict[str, Any]:
    """The words of ``lang/<code>/words.yaml``."""
    data: dict[str, Any] = yaml.safe_load((LANG_DIR / lang / "words.yaml").read_text(encoding="utf-8"))
    return data


def _alt(items: Any) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(str(w)) for w in sorted(items, key=len, reverse=True))


@dataclass(frozen=True)
class _DateRules:
    """The compiled date patterns of one language."""

    dmy: re.Pattern[str]
    dm: re.Pattern[str]
    my: re.Pattern[str]
    numeric: re.Pattern[str]
    holiday: re.Pattern[str]
    weekday: re.Pattern[str]
    relative: re.Pattern[str]
    year: re.Pattern[str]
    future: re.Pattern[str]


@lru_cache(maxsize=8)
def _rules(lang: str) -> _DateRules:
    w = words(lang)
    mon = _alt(w["months"])
    wd = _alt(w["weekdays"])
    link = rf"(?:\s+{w['day_link']})?\s+" if w["day_link"] else r"\s+"
    day = rf"(?:(?P<d1>\d{{1,2}}|{w['first']}))(?:\s*(?:{w['range_link']})\s*(?P<d2>\d{{1,2}}))?"
    lead = rf"(?:(?:{wd})(?:\s+|,\s*))?"
    return _DateRules(
        dmy=re.compile(rf"\b{lead}{day}{link}(?P<m>{mon}){link}(?P<y>\d{{4}})\b", re.I),
        dm=re.compile(rf"\b{lead}{day}{link}(?P<m>{mon})\b(?!{link}\d{{4}})", re.I),
        my=re.compile(rf"\b(?P<m>{mon})(?:\s+(?:de|del))?\s+(?P<y>\d{{4}})\b", re.I),
        numeric=re.compile(r"\b(?P<d1>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\b"),
        holiday=re.compile(rf"\b(?:{w['holidays']})\b", re.I),
        weekday=re.compile(rf"\b(?P<wd>{wd})\b(?:\s+(?P<dir>{w['next_word']}|{w['last_word']}))?", re.I),
        relative=re.compile(rf"(?<![\w{_APOS}])(?:{_alt(w['relative'])})(?!\w)", re.I),
        year=re.compile(rf"\b(?:{w['year_before']})\s+(?P<y>1[89]\d\d|20\d\d)\b(?![\d.,]\d)"
                        rf"(?:\s+(?:e|y|et|a|al|à)\s+(?P<y2>1[89]\d\d|20\d\d)\b(?![\d.,]\d))?", re.I),
        future=re.compile(str(w["future"]), re.I),
    )


def _safe(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _month_of(lang: str, name: str) -> int:
    return int(words(lang)["months"][name.lower()])


def _day_of(text: str | None) -> int:
    """"7" -> 7; "1er", "1º", "primo" -> 1."""
    if text is None:
        return 0
    digits = re.match(r"\d+", text)
    return int(digits.group()) if digits else 1


class _Dates:
    """Collects the date mentions of one document without overlaps."""

    def __init__(self, doc: Document, lang: str) -> None:
        self.doc, self.lang = doc, lang
        self.used = bytearray(len(doc.text) + 1)
        info = parse_doc_date(doc.published)
        self.base = info[0] if info else None
        self.found: list[Mention] = []

    def free(self, s: int, e: int) -> bool:
        return not any(self.used[s:e])

    def add(self, s: int, e: int, value: str | None, end: str | None, prec: str | None, rule: str) -> None:
        if not self.free(s, e):
            return
        self.used[s:e] = b"\x01" * (e - s)
        text = self.doc.text
        since = bool(re.search(r"(?:depuis|desde|dal|dall['’]|dès)\s*(?:le\s+|el\s+|il\s+|o\s+)?$", text[max(0, s - 12) : s], re.I))
        conf = 0.9 if value is not None else 0.6
        self.found.append(Mention(text[s:e], "date", s, e, f"{self.lang}_dates.v1", conf,
                                  attrs={"value": value, "end": end, "precision": prec, "rule": rule, "since": since}))

    def future(self, s: int, e: int) -> bool:
        """Whether the clause of a date speaks of the future ("convocó un paro para el 24 de enero")."""
        sent = self.doc.sentence_of(s)
        lo, hi = (sent.start, sent.end) if sent.end > sent.start else (max(0, s - 160), e + 160)
        seg = self.doc.text[lo:hi]
        cut = max([0] + [m.end() for m in re.finditer(r";|,\s+(?:et|y|e|mais|pero|ma)\b", seg[: s - lo])])
        return bool(_rules(self.lang).future.search(seg[cut:]))

    def year_before(self, s: int) -> int | None:
        """The year of a date named earlier in the same sentence ("Nel 2021 ... il 16 dicembre")."""
        sent = self.doc.sentence_of(s)
        years = [m for m in self.found if sent.start <= m.start < s and m.attrs.get("value")]
        return int(str(years[-1].attrs["value"])[:4]) if years else None


def romance_dates(doc: Document, lang: str) -> Document:
    """Add a ``date`` mention with its normalized value for each date in ``doc``."""
    r = _rules(lang)
    ds = _Dates(doc, lang)
    text = doc.text
    for m in r.dmy.finditer(text):
        y, mo = int(m["y"]), _month_of(lang, m["m"])
        a, b = _safe(y, mo, _day_of(m["d1"])), _safe(y, mo, _day_of(m["d2"])) if m["d2"] else None
        if a is not None:
            ds.add(m.start(), m.end(), a.isoformat(), b.isoformat() if b else None, "day", "dmy")
    for m in r.numeric.finditer(text):
        a = _safe(int(m["y"]), int(m["m"]), int(m["d1"]))
        if a is not None:
            ds.add(m.start(), m.end(), a.isoformat(), None, "day", "numeric")
    for m in r.my.finditer(text):
        ds.add(m.start(), m.end(), f"{int(m['y']):04d}-{_month_of(lang, m['m']):02d}", None, "month", "my")
    for m in r.year.finditer(text):
        ds.add(m.start("y"), m.end("y"), m["y"], None, "year", "year")
        if m["y2"]:  # "de 1979 e 1980", "de 2007 a 2010"
            ds.add(m.start("y2"), m.end("y2"), m["y2"], None, "year", "year")
    ds.found.sort(key=lambda x: x.start)
    for m in r.dm.finditer(text):
        if not ds.free(m.start(), m.end()):
            continue
        mo, d1 = _month_of(lang, m["m"]), _day_of(m["d1"])
        year = ds.year_before(m.start())
        if year is None and ds.base is not None:
            year = _year_for(mo, d1, ds.base, ds.future(m.start(), m.end()) or None)
        if year is None:
            ds.add(m.start(), m.end(), None, None, None, "dm")
            continue
        a, b = _safe(year, mo, d1), _safe(year, mo, _day_of(m["d2"])) if m["d2"] else None
        if a is not None:
            ds.add(m.start(), m.end(), a.isoformat(), b.isoformat() if b else None, "day", "dm")
    for m in r.holiday.finditer(text):
        year = ds.year_before(m.start()) or (ds.base.year if ds.base else None)
        ds.add(m.start(), m.end(), f"{year:04d}-05-01" if year else None, None, "day" if year else None, "holiday")
    if ds.base is not None:
        _relative_dates(ds, r, ds.base)
    doc.mentions.extend(ds.found)
    return doc


def _year_for(month: int, day: int, base: dt.date, future: bool | None) -> int:
    """The year of a day and month: the next one when the clause speaks of the future, else the
    nearest to the document's date (news tells of last week and next week, seldom of eleven months ago)."""
    def at(year: int) -> dt.date:
        return _safe(year, month, day) or dt.date(year, month, 28)

    if future:
        return base.year if at(base.year) >= base else base.year + 1
    return min((base.year - 1, base.year, base.year + 1), key=lambda y: abs((at(y) - base).days))


def _relative_dates(ds: _Dates, r: _DateRules, base: dt.date) -> None:
    w = words(ds.lang)
    relative = {k.lower(): v for k, v in w["relative"].items()}
    for m in r.relative.finditer(ds.doc.text):
        unit, shift = relative[m.group().lower()]
        if unit == "day":
            ds.add(m.start(), m.end(), (base + dt.timedelta(days=shift)).isoformat(), None, "day", "relative")
        elif unit == "week":
            ds.add(m.start(), m.end(), (base + dt.timedelta(days=7 * shift)).isoformat(), None, "week", "relative")
        elif unit == "month":
            k = base.month - 1 + shift
            ds.add(m.start(), m.end(), f"{base.year + k // 12:04d}-{k % 12 + 1:02d}", None, "month", "relative")
        else:
            ds.add(m.start(), m.end(), str(base.year + shift), None, "year", "relative")
    nxt = re.compile(rf"^(?:{w['next_word']})$", re.I)
    for m in r.weekday.finditer(ds.doc.text):
        target = int(w["weekdays"][m["wd"].lower()])
        ahead = bool(m["dir"] and nxt.match(m["dir"])) or (not m["dir"] and ds.future(m.start(), m.end()))
        delta = (target - base.weekday()) % 7
        if delta == 0 and not m["dir"]:
            day = base  # "a annoncé mardi" in Tuesday's paper
        elif ahead:
            day = base + dt.timedelta(days=delta or 7)
        else:
            day = base - dt.timedelta(days=(base.weekday() - target) % 7 or 7)
        ds.add(m.start(), m.end(), day.isoformat(), None, "day", "weekday")


# ---------------------------------------------------------------- numbers of people


@lru_cache(maxsize=8)
def _qty_re(lang: str) -> re.Pattern[str]:
    w = words(lang)
    num = (r"\d{1,3}(?:[ .\u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?|" + _alt(w["number_words"]))
    return re.compile(
        rf"(?<![\w{_APOS}])(?:(?P<hedge>{_alt(w['hedges'])})\s+)?"
        rf"(?:(?P<vague>{_alt(w['vague'])})|(?P<num>{num})(?:\s+(?P<mult>{_alt(w['multipliers'])}))?)"
        rf"\s+(?:de\s+|d['’]|di\s+|dei\s+|degli\s+)?(?P<noun>{w['people']})\b",
        re.I,
    )


def parse_romance_number(text: str, lang: str, mult: str | None = None) -> float | None:
    """'5.000' -> 5000, '1,2' + 'million' -> 1200000, '420 000' -> 420000, 'deux' + 'millions' -> 2000000."""
    w = words(lang)
    t = text.strip().lower()
    if t in w["number_words"]:
        value = float(w["number_words"][t])
    else:
        t = re.sub(r"[ .\u00a0\u202f](?=\d{3}\b)", "", t).replace(",", ".")
        try:
            value = float(t)
        except ValueError:
            return None
    if mult:
        value *= float(w["multipliers"][mult.lower()])
    return value


def romance_quantities(doc: Document, lang: str) -> Document:
    """Add a quantity for each count of people ("plus de 1,2 million de manifestants", "miles de trabajadores")."""
    w = words(lang)
    hedges = {k.lower(): v for k, v in w["hedges"].items()}
    vague = {k.lower(): v for k, v in w["vague"].items()}
    for m in _qty_re(lang).finditer(doc.text):
        hedge = hedges.get((m["hedge"] or "").lower())
        if m["vague"]:
            value: float | None = float(vague[m["vague"].lower()])
            hedge = hedge or m["vague"].lower()
        else:
            if re.fullmatch(r"(?:19|20)\d\d", m["num"]) and not m["mult"]:
                continue  # a year ("en 2019 trabajadores ...")
            value = parse_romance_number(m["num"], lang, m["mult"])
        if not value:
            continue
        doc.quantities.append(Quantity(value, m["noun"], m.start(), m.end(), f"{lang}_quantities.v1",
                                       0.85 if hedge is None else 0.75, hedge=hedge))
    return doc
