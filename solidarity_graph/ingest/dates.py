"""Publication dates: checking the one a user gives, and normalising those found in metadata.

Dates are kept at the precision they are known to: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
A user-given date must be exactly one of these forms and a real calendar date; a date found in
a document's metadata is read leniently (ISO timestamps, PDF ``D:`` dates, ``datetime``
objects) and dropped when it cannot be made sense of.
"""

from __future__ import annotations

import datetime as dt
import re

from solidarity_graph.errors import InputError

__all__ = ["normalize_date", "parse_published"]

_USER_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# A leading ISO-like date: 2018, 2018-05, 2018-05-03, 2018/05/03, 2018-05-03T10:00:00+02:00...
_ISO_PREFIX = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?![\d])")
# A PDF date: D:YYYYMMDDHHmmSSOHH'mm' where everything after the year is optional.
_PDF_DATE = re.compile(r"D:\s*(\d{4})(\d{2})?(\d{2})?")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_WORDY_DATES = [
    re.compile(rf"{_DAY}\s+{_MONTH},?\s+(?P<year>\d{{4}})", re.IGNORECASE),  # 3 May 2018
    re.compile(rf"{_MONTH}\s+{_DAY},?\s+(?P<year>\d{{4}})", re.IGNORECASE),  # May 3, 2018
    re.compile(rf"{_MONTH},?\s+(?P<year>\d{{4}})", re.IGNORECASE),  # May 2018
]

_MIN_YEAR = 1000
_MAX_YEAR = 9999


def _format(year: int, month: int | None, day: int | None) -> str | None:
    """``YYYY[-MM[-DD]]`` when the parts make a real date, else None."""
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _int_or_none(part: str | None) -> int | None:
    return int(part) if part else None


def parse_published(value: str) -> str:
    """Check a user-given publication date and return it normalised.

    Accepts ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a real calendar date), with surrounding
    whitespace ignored. Raises :class:`InputError` with ``field='published'`` otherwise.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InputError("empty date; expected YYYY, YYYY-MM or YYYY-MM-DD", field="published")
    match = _USER_DATE.fullmatch(text)
    if match is None:
        raise InputError(
            f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD",
            field="published",
        )
    year, month, day = (int(match[1]), _int_or_none(match[2]), _int_or_none(match[3]))
    normalised = _format(year, month, day)
    if normalised is None:
        raise InputError(f"{value!r} is not a real calendar date", field="published")
    return normalised


def normalize_date(value: object) -> str | None:
    """Normalise a date found in document metadata to ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Accepts ``datetime``/``date`` objects, ISO-like strings (a time part is ignored), PDF
    date strings (``D:20180503120000+02'00'``) and English dates such as ``3 May 2018``,
    ``May 3, 2018`` or ``May 2018``. Returns None when nothing sensible is found.
    """
    if isinstance(value, dt.datetime | dt.date):
        return _format(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    pdf = _PDF_DATE.match(text)
    if pdf is not None:
        return _format(int(pdf[1]), _int_or_none(pdf[2]), _int_or_none(pdf[3]))
    iso = _ISO_PREFIX.match(text)
    if iso is not None:
        return _format(int(iso[1]), _int_or_none(iso[2]), _int_or_none(iso[3]))
    for pattern in _WORDY_DATES:
        wordy = pattern.fullmatch(text)
        if wordy is not None and wordy["month"].lower() in _MONTHS:
            day = wordy.groupdict().get("day")
            return _format(int(wordy["year"]), _MONTHS[wordy["month"].lower()], _int_or_none(day))
    compact = re.match(r"(\d{4})(\d{2})(\d{2})(?!\d)", text)
    if compact is not None:
        return _format(int(compact[1]), int(compact[2]), int(compact[3]))
    return None
