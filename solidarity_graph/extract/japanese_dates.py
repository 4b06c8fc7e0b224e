"""Japanese dates (``ja_dates.v1``), normalized against the document's date.

Gregorian and era years ("2023年3月17日", "令和5年7月28日", "平成元年"), fiscal years ("2023年度"),
months and days without a year ("3月17日", "17日", "17日から19日まで", "3～5日"), days told from the
date before them ("翌31日", "同日", "翌日"), and relative words ("昨日", "先月", "来月1日", "昨年7月").
A day or month without a year is read as the last such day before the document's date, or the next
one after it when the sentence tells of something to come ("開く予定", "入ると宣言").
"""

from __future__ import annotations

import datetime as dt
import re

from solidarity_graph.extract.dates import parse_doc_date
from solidarity_graph.model import Document, Mention

__all__ = ["japanese_dates", "ascii_digits", "ERA_START"]

EXTRACTOR = "ja_dates.v1"
ERA_START = {"令和": 2018, "平成": 1988, "昭和": 1925, "大正": 1911}  # year 1 of each era is START + 1
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_YEAR = r"(?:(?P<y>\d{4})|(?P<era>令和|平成|昭和|大正)\s?(?P<ey>元|\d{1,2}))\s?年"
_DAYS = (r"(?P<d>\d{1,2})(?:日(?:\s?(?:から|〜|～|~|－|-)\s?(?:(?P<m2>\d{1,2})月\s?)?(?P<d2>\d{1,2})日(?:まで)?)?"
         r"|[〜～~－-](?P<d3>\d{1,2})日(?:まで)?)")
_NOT_DAY_AFTER = r"(?!間|目|付|以内|分|連続|ぶり)"
# the sentence's last predicate gives its tense: "開く予定だ", "入る", "へ" tell of what is to come;
# "ている" and "である" are states, "た" and "だった" the past
_FUTURE = re.compile(r"(?:予定|方針|計画|構え|見通し|意向|見込み)(?:だ|です|である|となっている)?$|(?<!い|あ)[るうくすつむぶぐ]$|へ$")
_RELATIVE = {"昨日": ("day", -1), "きのう": ("day", -1), "一昨日": ("day", -2), "今日": ("day", 0), "本日": ("day", 0),
             "明日": ("day", 1), "あす": ("day", 1), "昨年": ("year", -1), "去年": ("year", -1), "今年": ("year", 0),
             "本年": ("year", 0), "来年": ("year", 1), "先月": ("month", -1), "今月": ("month", 0), "来月": ("month", 1)}


def ascii_digits(text: str) -> str:
    """``text`` with full-width digits as ASCII (same length, so offsets hold)."""
    return text.translate(_DIGITS)


def _ymd(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _year(m: re.Match[str]) -> int:
    if m["y"]:
        return int(m["y"])
    return ERA_START[m["era"]] + (1 if m["ey"] == "元" else int(m["ey"]))


def _shift_month(y: int, mo: int, k: int) -> tuple[int, int]:
    n = y * 12 + mo - 1 + k
    return n // 12, n % 12 + 1


class _Dates:
    """The date mentions of one document, added without overlaps."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.text = ascii_digits(doc.text)
        info = parse_doc_date(doc.published)
        self.base = info[0] if info else None
        self.used = bytearray(len(doc.text) + 1)
        self.found: list[Mention] = []

    def free(self, s: int, e: int) -> bool:
        return not any(self.used[s:e])

    def add(self, s: int, e: int, value: str | None, end: str | None, prec: str | None) -> None:
        if not self.free(s, e) or (value is None and self.base is not None):
            return  # taken, or no such day ("2月30日")
        self.used[s:e] = b"\x01" * (e - s)
        m = Mention(self.doc.text[s:e], "date", s, e, EXTRACTOR, 0.9 if value else 0.6,
                    attrs={"value": value, "end": end, "precision": prec if value else None, "rule": "ja"})
        self.found.append(m)
        self.doc.mentions.append(m)

    def future(self, pos: int) -> bool:
        """Does the sentence around ``pos`` tell of something to come (by its last predicate)?"""
        sent = self.doc.sentence_of(pos)
        final = self.text[sent.start : sent.end].rstrip(" \n。．.！？!?」』）)")
        return bool(_FUTURE.search(final))

    def before(self, pos: int) -> dt.date | None:
        """The day of the last dated mention before ``pos`` (news tells "翌日" of the date told last)."""
        days = [m for m in self.found if m.start < pos and m.attrs["precision"] == "day" and m.attrs["value"]]
        if not days:
            return None
        last = max(days, key=lambda m: m.start)
        return dt.date.fromisoformat(str(last.attrs.get("end") or last.attrs["value"]))

    def day_range(self, m: re.Match[str], y: int, mo: int) -> tuple[str | None, str | None]:
        d2 = m["d2"] or m["d3"]
        mo2 = int(m["m2"]) if m["m2"] else mo
        return _ymd(y, mo, int(m["d"])), (_ymd(y, mo2, int(d2)) if d2 else None)


def japanese_dates(doc: Document) -> Document:
    """Date mentions with normalized values (``value``, ``end``, ``precision``)."""
    ds = _Dates(doc)
    _absolute(ds)
    if ds.base is None:
        # no document date: the spans are still dates, their values unknown
        rx = rf"(?<![\d年])\d{{1,2}}月(?:\s?\d{{1,2}}日)?|(?<![\d月年])\d{{1,2}}日{_NOT_DAY_AFTER}|" + "|".join(_RELATIVE)
        for m in re.finditer(rx, ds.text):
            ds.add(m.start(), m.end(), None, None, None)
    else:
        _relative(ds, ds.base)
    return doc


def _absolute(ds: _Dates) -> None:
    t = ds.text
    for m in re.finditer(rf"{_YEAR}\s?(?P<mo>\d{{1,2}})月\s?{_DAYS}{_NOT_DAY_AFTER}", t):
        ds.add(m.start(), m.end(), *ds.day_range(m, _year(m), int(m["mo"])), "day")
    for m in re.finditer(rf"{_YEAR}\s?(?P<mo>\d{{1,2}})月(?!\s?\d{{1,2}}日)", t):
        ds.add(m.start(), m.end(), f"{_year(m):04d}-{int(m['mo']):02d}", None, "month")
    for m in re.finditer(rf"{_YEAR}(?:度)?(?!\s?\d{{1,2}}月|間|代|前|後|ぶり|以上|目)", t):
        ds.add(m.start(), m.end(), str(_year(m)), None, "year")


def _relative(ds: _Dates, base: dt.date) -> None:
    t = ds.text
    # "昨年7月", "来年4月1日"
    for m in re.finditer(r"(昨年|去年|今年|本年|来年)(?:の)?\s?(\d{1,2})月(?:\s?(\d{1,2})日)?", t):
        y = base.year + _RELATIVE[m[1]][1]
        if m[3]:
            ds.add(m.start(), m.end(), _ymd(y, int(m[2]), int(m[3])), None, "day")
        else:
            ds.add(m.start(), m.end(), f"{y:04d}-{int(m[2]):02d}", None, "month")
    # "来月1日", "先月20日"
    for m in re.finditer(r"(先月|今月|来月)\s?(\d{1,2})日", t):
        y, mo = _shift_month(base.year, base.month, _RELATIVE[m[1]][1])
        ds.add(m.start(), m.end(), _ymd(y, mo, int(m[2])), None, "day")
    # "3月17日", "8月30日夜", "7月3日から15日まで"
    for m in re.finditer(rf"(?<![\d年])(?P<mo>\d{{1,2}})月\s?{_DAYS}{_NOT_DAY_AFTER}", t):
        mo, d = int(m["mo"]), int(m["d"])
        y = base.year
        if ds.future(m.end()):
            y += (mo, d) < (base.month, base.day)
        else:
            y -= (mo, d) > (base.month, base.day)
        ds.add(m.start(), m.end(), *ds.day_range(m, y, mo), "day")
    # "17日", "17日から19日まで": in the document's month, or the one before or after it
    for m in re.finditer(rf"(?<![\d月年翌同])(?:{_DAYS}){_NOT_DAY_AFTER}", t):
        y, mo = _month_of_day(ds, base, int(m["d"]), m.end())
        ds.add(m.start(), m.end(), *ds.day_range(m, y, mo), "day")
    # "7月" alone
    for m in re.finditer(r"(?<![\d年])(\d{1,2})月(?![\d間末]|\s?\d{1,2}日)", t):
        mo = int(m[1])
        if 1 <= mo <= 12:
            y = base.year - (mo > base.month and not ds.future(m.end()))
            ds.add(m.start(), m.end(), f"{y:04d}-{mo:02d}", None, "month")
    for m in re.finditer("|".join(_RELATIVE), t):
        unit, k = _RELATIVE[m.group()]
        if unit == "day":
            ds.add(m.start(), m.end(), (base + dt.timedelta(days=k)).isoformat(), None, "day")
        elif unit == "month":
            y, mo = _shift_month(base.year, base.month, k)
            ds.add(m.start(), m.end(), f"{y:04d}-{mo:02d}", None, "month")
        else:
            ds.add(m.start(), m.end(), str(base.year + k), None, "year")
    _told_before(ds, base)


def _month_of_day(ds: _Dates, base: dt.date, d: int, pos: int) -> tuple[int, int]:
    """The year and month of a day told without its month: this month, the last, or the next."""
    y, mo = base.year, base.month
    if ds.future(pos):
        if d < base.day:
            y, mo = _shift_month(y, mo, 1)
    elif d > base.day:
        y, mo = _shift_month(y, mo, -1)
    return y, mo


def _told_before(ds: _Dates, base: dt.date) -> None:
    """"翌31日", "同5日", "同日", "翌日", "前日": read from the date told last before them, in text order."""
    for m in re.finditer(r"(翌|同)(\d{1,2})日|同日|翌日|前日", ds.text):
        prev = ds.before(m.start())
        if m[2] is None:
            if prev is not None:
                day = prev + dt.timedelta(days={"同日": 0, "翌日": 1, "前日": -1}[m.group()])
                ds.add(m.start(), m.end(), day.isoformat(), None, "day")
            continue
        d = int(m[2])
        if prev is None:  # nothing told before: a plain day of the document's month
            y, mo = _month_of_day(ds, base, d, m.end())
        else:
            y, mo = prev.year, prev.month
            if m[1] == "翌" and d < prev.day:
                y, mo = _shift_month(y, mo, 1)
        ds.add(m.start(), m.end(), _ymd(y, mo, d), None, "day")
