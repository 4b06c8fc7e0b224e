"""The pieces a brief is written with: footnotes, lines, names by script, kinds, countries, money.

``Sources`` numbers each distinct quote (or record of ours) once; ``renumber`` puts the numbers in
reading order once the brief is assembled.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from solidarity_graph.store import tables as t

__all__ = ["Sources", "make_line", "display_names", "kind_label", "country_name", "amount", "money", "renumber"]

QUOTE_MAX = 260  # characters of a quote in the sources list


class Sources:
    """Footnotes: one number per distinct (document, quote) or record, in order of first use."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.items: list[dict[str, Any]] = []
        self._index: dict[tuple[str | None, str], int] = {}
        self._docs: dict[str, Any] = {}

    def _add(self, key: tuple[str | None, str], item: dict[str, Any]) -> int:
        if key not in self._index:
            quote = " ".join((item.get("quote") or "").split())
            item["quote"] = quote if len(quote) <= QUOTE_MAX else quote[: QUOTE_MAX - 1].rstrip() + "…"
            self.items.append({"n": len(self.items) + 1, **item})
            self._index[key] = len(self.items)
        return self._index[key]

    def document(self, doc_id: str | None, quote: str, *, who: str | None = None) -> int:
        """A quote from a stored document (or, with no document, a curator's hand-made fact)."""
        if doc_id is None:
            return self._add((None, quote), {"title": f"Curator's note{f' ({who})' if who else ''}", "date": None, "quote": quote})
        if doc_id not in self._docs:
            self._docs[doc_id] = self.conn.execute(select(t.documents.c.title, t.documents.c.published, t.documents.c.source)
                                                   .where(t.documents.c.id == doc_id)).first()
        d = self._docs[doc_id]
        title = (d.title or d.source) if d else doc_id
        return self._add((doc_id, quote), {"title": title, "date": d.published if d else None, "quote": quote, "document": doc_id})

    def record(self, key: str, title: str, date: str | None = None, quote: str = "") -> int:
        """A record of ours rather than a document: the gazetteer, the ledger, a curator's change."""
        return self._add((None, key), {"title": title, "date": date, "quote": quote})


def make_line(text: str, refs: list[int], *, date: str | None = None, label: str | None = None,
              document: str | None = None) -> dict[str, Any]:
    """One line of a brief: its text, footnote numbers, date and label (``document`` scopes its redaction)."""
    return {"text": text, "refs": sorted(set(refs)), "date": date, "label": label, "document": document}


def script_of(name: str) -> tuple[str, str | None]:
    """The writing system of a name and an HTML lang for fonts: Hangul (ko), Japanese (ja), Han (zh), Latin..."""
    scripts = {unicodedata.name(c, "").split()[0] for c in name if c.isalpha()}
    if "HANGUL" in scripts:
        return "Hangul", "ko"
    if scripts & {"HIRAGANA", "KATAKANA"}:
        return "Japanese", "ja"
    if "CJK" in scripts:
        return "Han", "ja" if any(c in name for c in "労総組国") else "zh"
    for s in ("CYRILLIC", "ARABIC", "GREEK", "HEBREW", "THAI", "DEVANAGARI"):
        if s in scripts:
            return s.title(), None
    return "Latin", None


def display_names(name: str, aliases: list[str]) -> list[dict[str, Any]]:
    """The names to print: every script, near-duplicates of Latin names dropped (plural, "(KCTU)" suffix)."""
    from rapidfuzz.distance import Levenshtein

    from solidarity_graph.resolve import fold_name

    kept: list[str] = [name]
    for a in sorted(aliases, key=lambda s: (len(s), s)):
        folded = fold_name(a)
        if any(fold_name(k) == folded or (script_of(a)[0] == "Latin" and len(a) > 8 and Levenshtein.distance(fold_name(k), folded) <= 2)
               for k in kept):
            continue
        if re.fullmatch(r"(.+?)\s*\(([^)]+)\)", a) and all(p.strip() in kept for p in re.split(r"[()]", a) if p.strip()):
            continue
        kept.append(a)
    out = []
    for n in kept:
        script, lang = script_of(n)
        out.append({"name": n, "script": script, "lang": lang})
    return out


@lru_cache(maxsize=1)
def _kind_descriptions() -> dict[str, str]:
    """The schema's words for each kind of organization ("A national trade-union centre or federation (KCTU...)")."""
    import yaml

    from solidarity_graph import schema

    data = yaml.safe_load((Path(schema.__file__).parent / "entities.yaml").read_text(encoding="utf-8"))
    return {k: str(v) for k, v in (data.get("organization", {}).get("kinds") or {}).items()}


def kind_label(kind: str) -> str:
    """A kind of organization in words: union_federation -> "National trade-union centre or federation"."""
    desc = _kind_descriptions().get(kind)
    if not desc:
        return kind.replace("_", " ").capitalize()
    desc = re.sub(r"\s*\([^)]*\)", "", desc).rstrip(".")
    desc = re.sub(r"^(A|An)\s+", "", desc)
    return desc[0].upper() + desc[1:]


def amount(text: str) -> Decimal:
    """A ledger amount (decimal text) as a Decimal; 0 for text that is no number."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)


def money(value: Decimal, currency: str) -> str:
    """Money as a brief writes it: "USD 1,250.00"."""
    return f"{currency} {value:,.2f}"


def country_name(code: str) -> str:
    """A country as a brief writes it: "South Korea (KR)" for KR."""
    import pycountry

    c = pycountry.countries.get(alpha_2=code)
    return f"{getattr(c, 'common_name', None) or c.name} ({code})" if c else code


def renumber(sections: list[dict[str, Any]], sources: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Footnotes numbered in reading order (the first line's sources are [1], [2]...)."""
    new: dict[int, int] = {}
    for section in sections:
        for line in section["lines"]:
            for n in line["refs"]:
                new.setdefault(n, len(new) + 1)
    for section in sections:
        for line in section["lines"]:
            line["refs"] = sorted(new[n] for n in line["refs"])
    kept = sorted((src for src in sources if src["n"] in new), key=lambda src: new[src["n"]])
    return sections, [{**src, "n": new[src["n"]]} for src in kept]
