"""Numbers of workers, members and people, with their hedges (``quantities.v1``).

"about half of the 9,000 Korean workers" gives 9,000 (Korean workers) and a share of 0.5 with
the hedge "about", and records 4,500 as the size the share stands for; "thousands", "hundreds of
U.S. unionists", "tens of thousands" and "126,000 teachers" give their numbers and hedges.
"""

from __future__ import annotations

import re

from solidarity_graph.model import Document, Quantity

__all__ = ["find_quantities", "parse_number"]

EXTRACTOR = "quantities.v1"
NOUNS = (
    r"workers?|members?|people|persons|unionists?|trade unionists|activists?|employees?|teachers?|"
    r"nurses?|protesters?|demonstrators?|strikers?|delegates?|participants?|students?|miners?|"
    r"drivers?|staff|citizens|residents|families|dockworkers?|farmworkers?|workers’|workers'|"
    r"organizers?|supporters?|marchers|union members|labou?rers?|contractors?|civil servants|"
    r"employees|metalworkers?|autoworkers?|steelworkers?"
)
WORDS = {
    "a dozen": 12, "dozens": 24, "hundreds": 200, "several hundred": 300, "thousands": 2000,
    "several thousand": 3000, "tens of thousands": 20000, "hundreds of thousands": 200000,
    "millions": 2000000, "a hundred": 100, "a thousand": 1000, "one hundred": 100,
    "hundred": 100,
}
_UNITS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
for _i, _w in enumerate(_UNITS, 1):
    WORDS.setdefault(_w, _i)
for _i, _w in enumerate(_TENS, 2):
    WORDS.setdefault(_w, _i * 10)
    for _j, _u in enumerate(_UNITS[:9], 1):
        WORDS.setdefault(f"{_w}-{_u}", _i * 10 + _j)
for _w, _v in list(WORDS.items()):
    if _v < 100 and " " not in _w:
        WORDS.setdefault(f"{_w} hundred", _v * 100)
        WORDS.setdefault(f"{_w} thousand", _v * 1000)
# Vague numbers are hedged by themselves ("thousands" means at least 2,000 or so).
VAGUE = {"dozens", "hundreds", "several hundred", "thousands", "several thousand", "tens of thousands", "hundreds of thousands", "millions"}
HEDGES = r"about|around|approximately|roughly|nearly|almost|some|over|more than|at least|up to|an estimated|estimated|close to|as many as|fewer than|less than|only"
SHARES = {"half": 0.5, "a third": 1 / 3, "one third": 1 / 3, "a quarter": 0.25, "one quarter": 0.25, "two thirds": 2 / 3, "three quarters": 0.75, "most": 0.6, "all": 1.0}
_NUM = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s*(?:million|thousand))?|" + "|".join(sorted(map(re.escape, WORDS), key=len, reverse=True))
_QTY = re.compile(
    rf"\b(?:(?P<hedge>{HEDGES})\s+)?(?:(?P<share>{'|'.join(SHARES)})\s+of\s+(?:the\s+|its\s+|their\s+)?)?"
    rf"(?P<num>{_NUM})\s+(?:of\s+)?(?P<mods>(?:[A-Z][\w.’'&-]*\s+|[a-z-]+\s+){{0,3}}?)(?P<noun>{NOUNS})\b",
    re.I,
)
_DELEGATION = re.compile(rf"\bdelegation\s+of\s+(?:(?P<hedge>{HEDGES})\s+)?(?P<num>{_NUM})\b", re.I)


def parse_number(text: str) -> float | None:
    """'9,000' -> 9000, '3.5 million' -> 3500000, 'thousands' -> 2000."""
    t = text.lower().strip()
    if t in WORDS:
        return float(WORDS[t])
    mult = 1.0
    if t.endswith("million"):
        mult, t = 1e6, t[: -len("million")].strip()
    elif t.endswith("thousand"):
        mult, t = 1e3, t[: -len("thousand")].strip()
    try:
        return float(t.replace(",", "")) * mult
    except ValueError:
        return None


def find_quantities(doc: Document) -> Document:
    """Add a quantity for each count of people in ``doc``."""
    text = doc.text
    for m in _QTY.finditer(text):
        num = m.group("num")
        if re.fullmatch(r"\d{4}", num) and 1900 <= int(num) <= 2100:
            continue  # a year ("in 2019 workers ...")
        value = parse_number(num)
        if value is None or value <= 0:
            continue
        hedge = (m.group("hedge") or "").lower() or None
        if num.lower() in VAGUE and hedge is None:
            hedge = num.lower()
        of = (m.group("mods") + m.group("noun")).strip()
        share = m.group("share")
        whole_start = m.start("num")
        doc.quantities.append(
            Quantity(value, of, whole_start, m.end(), EXTRACTOR, 0.85 if hedge is None else 0.75,
                     hedge=None if share else hedge)
        )
        if share:
            frac = SHARES[share.lower()]
            doc.quantities.append(
                Quantity(frac, f"share of the {value:,.0f} {of}", m.start(), m.end(), EXTRACTOR, 0.75,
                         hedge=hedge, unit="share")
            )
            doc.quantities[-1].attrs = {"size": round(frac * value), "whole": value}
    for m in _DELEGATION.finditer(text):
        value = parse_number(m.group("num"))
        if value and not any(q.start <= m.start("num") < q.end for q in doc.quantities):
            doc.quantities.append(
                Quantity(value, "members of the delegation", m.start(), m.end(), EXTRACTOR, 0.8,
                         hedge=(m.group("hedge") or None))
            )
    return doc
