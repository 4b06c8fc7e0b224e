"""Due dates of commitments, as their words give them ("by 2025", "in 2026", "before the end of the
year", "within 30 days"), read against the document's date; None where they give none ("before the
next convention")."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from solidarity_graph.extract.dates import MONTHS, parse_doc_date

__all__ = ["due_date"]

_MON = "|".join(sorted((re.escape(k) for k in MONTHS if len(k) > 2), key=len, reverse=True))
_DUE_DATE = re.compile(rf"\b(?:by|before|until|no later than|in)\s+(?:the\s+end\s+of\s+)?(?:(?P<mon>{_MON})\.?\s+)?(?:(?P<day>\d{{1,2}}),?\s+)?(?P<year>\d{{4}})\b", re.I)
_DUE_MONTH = re.compile(rf"\b(?:by|before|until|no later than)\s+(?:the\s+end\s+of\s+)?(?P<mon>{_MON})\.?(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?)?\b(?!\s*,?\s*\d{{4}})", re.I)
_DUE_END = re.compile(r"\b(?:by|before|until)\s+the\s+end\s+of\s+(?P<which>the|this|next)\s+(?P<unit>year|month)\b", re.I)
_DUE_NEXT_YEAR = re.compile(r"\b(?:by|in|during|within)\s+(?:the\s+)?next\s+year\b", re.I)
_DUE_WITHIN = re.compile(r"\bwithin\s+(?P<n>\d{1,3}|one|two|three|four|six|twelve)\s+(?P<unit>days?|weeks?|months?)\b", re.I)
_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12}


def due_date(what: str, published: str | None) -> str | None:
    """The due date a commitment's words give (the first one they give), read against the
    document's date; None where they give none.

    >>> due_date("send delegations to Mexico and Japan in 2026", "2025-09-26")
    '2026'
    >>> due_date("meet again before the end of the year", "2024-05-03")
    '2024-12-31'
    >>> due_date("meet again before the next convention", "2024-05-03") is None
    True
    """
    base = parse_doc_date(published)
    today = base[0] if base else None
    found = [(m.start(), n, value) for n, (rx, read) in enumerate(_DUE_READERS) for m in rx.finditer(what)
             if (value := read(m, today)) is not None]
    return min(found)[2] if found else None  # the first in the text; at one place, the fullest reading


def _due_full(m: re.Match[str], today: dt.date | None) -> str | None:
    year = int(m.group("year"))
    if today is not None and year < today.year or not 1900 < year < 2200:
        return None
    end_of = "end of" in m.group(0).lower()
    if m.group("mon"):
        month = MONTHS[m.group("mon").lower().rstrip(".")]
        if m.group("day"):
            return _iso(year, month, int(m.group("day")))
        return _month_end(year, month) if end_of else f"{year:04d}-{month:02d}"
    return f"{year:04d}-12-31" if end_of else f"{year:04d}"


def _due_end(m: re.Match[str], today: dt.date | None) -> str | None:
    if today is None:
        return None
    nxt = m.group("which").lower() == "next"
    if m.group("unit").lower() == "year":
        return f"{today.year + nxt:04d}-12-31"
    y, mo = (today.year + (today.month == 12), today.month % 12 + 1) if nxt else (today.year, today.month)
    return _month_end(y, mo)


def _due_next_year(m: re.Match[str], today: dt.date | None) -> str | None:
    return f"{today.year + 1:04d}" if today is not None else None


def _due_within(m: re.Match[str], today: dt.date | None) -> str | None:
    if today is None:
        return None
    n = int(m.group("n")) if m.group("n").isdigit() else _NUM[m.group("n").lower()]
    unit = m.group("unit").lower()
    if unit.startswith("month"):
        y, mo = divmod(today.month - 1 + n, 12)
        return _iso(today.year + y, mo + 1, min(today.day, calendar.monthrange(today.year + y, mo + 1)[1]))
    return (today + dt.timedelta(days=n * (7 if unit.startswith("week") else 1))).isoformat()


def _due_month(m: re.Match[str], today: dt.date | None) -> str | None:
    if today is None:
        return None
    month = MONTHS[m.group("mon").lower().rstrip(".")]
    year = today.year + (month < today.month)
    if m.group("day"):
        return _iso(year, month, int(m.group("day")))
    return _month_end(year, month) if "end of" in m.group(0).lower() else f"{year:04d}-{month:02d}"


_DUE_READERS = [(_DUE_DATE, _due_full), (_DUE_END, _due_end), (_DUE_NEXT_YEAR, _due_next_year),
                (_DUE_WITHIN, _due_within), (_DUE_MONTH, _due_month)]


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _month_end(y: int, m: int) -> str:
    return dt.date(y, m, calendar.monthrange(y, m)[1]).isoformat()
