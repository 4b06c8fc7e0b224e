"""The gazetteer of labor organizations, employers and state bodies (``labor_orgs.v1``).

The YAML files in ``data/gazetteer/`` list each organization once, with its names in its own
languages and scripts, acronyms, country, kind and parent. All names go into one Aho-Corasick
automaton; acronyms match case-sensitively. Where an acronym belongs to several organizations
(CUT in Brazil, Chile and Colombia), the country named nearest to it decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from solidarity_graph.errors import SchemaError
from solidarity_graph.extract.matcher import NameMatcher
from solidarity_graph.model import Document, Mention

__all__ = ["GazEntry", "Gazetteer", "load_gazetteer", "GAZETTEER_DIR"]

GAZETTEER_DIR = Path(__file__).parent / "data" / "gazetteer"
EXTRACTOR = "labor_orgs.v1"
LABOR_KINDS = {
    "global_union_federation", "international_confederation", "regional_confederation",
    "union_federation", "union", "local", "regional_council",
}


@dataclass
class GazEntry:
    """One organization of the gazetteer."""

    id: str
    name: str
    kind: str
    country: str | None = None
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    located_in: str | None = None

    @property
    def all_names(self) -> list[str]:
        """Canonical name, aliases and acronyms (weak names excluded)."""
        return [self.name, *self.aliases, *self.acronyms]


def _exact(name: str) -> bool:
    # A name without lower-case letters (KCTU, UE, FIOM-CGIL) or a short one-word name
    # matches only as written, so "ue" or "fat" in running text never match.
    return not any(c.islower() for c in name) or (len(name) <= 4 and " " not in name)


class Gazetteer:
    """Organizations by id, and a matcher over all their names."""

    def __init__(self, entries: list[GazEntry]) -> None:
        self.entries = {e.id: e for e in entries}
        self.matcher = NameMatcher()
        for e in entries:
            for n in [e.name, *e.aliases]:
                self.matcher.add(n, (e.id, False), exact=_exact(n))
            for n in e.acronyms:
                self.matcher.add(n, (e.id, False), exact=True)
            for n in e.weak:
                self.matcher.add(n, (e.id, True), exact=True)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: str | None) -> GazEntry | None:
        """The entry with id ``key``."""
        return self.entries.get(key) if key else None

    def lineage(self, key: str) -> list[GazEntry]:
        """The entry and its parents, nearest first."""
        out: list[GazEntry] = []
        cur = self.entries.get(key)
        while cur is not None and cur not in out:
            out.append(cur)
            cur = self.entries.get(cur.parent) if cur.parent else None
        return out

    def __call__(self, doc: Document, countries_near: Any = None) -> Document:
        """Add a mention for every organization name found in ``doc``."""
        hits = self.matcher.finditer(doc.text)
        payloads = [[(str(p[0]), bool(p[1])) for p in h.payloads if isinstance(p, tuple)] for h in hits]
        strong_ids = {pid for cands in payloads for pid, weak in cands if not weak}
        doc_countries: set[str] = set(doc.meta.get("countries", ()))
        for h, cands in zip(hits, payloads, strict=True):
            if not cands:
                continue
            ids = list(dict.fromkeys(pid for pid, _ in cands))
            weak_only = all(w for _, w in cands)
            near = countries_near(doc, h.start, h.end) if countries_near else set()
            key = self._choose(ids, near, doc_countries, strong_ids)
            if key is None:
                continue
            entry = self.entries[key]
            if weak_only and key not in strong_ids and entry.country not in near:
                continue
            conf = 0.95 if len(ids) == 1 else 0.8
            if weak_only:
                conf = 0.7
            doc.mentions.append(
                Mention(
                    text=h.name,
                    type="organization",
                    start=h.start,
                    end=h.end,
                    extractor=EXTRACTOR,
                    confidence=conf,
                    canonical=entry.name,
                    key=entry.id,
                    attrs={"kind": entry.kind, "country": entry.country, "priority": 100},
                )
            )
        return doc

    def _choose(
        self, ids: list[str], near: set[str], doc_countries: set[str], strong: set[str]
    ) -> str | None:
        if len(ids) == 1:
            return ids[0]
        for pool in (near, doc_countries):
            hit = [i for i in ids if self.entries[i].country in pool]
            if len(hit) == 1:
                return hit[0]
        named = [i for i in ids if i in strong]
        if len(named) == 1:
            return named[0]
        # labor documents: a union beats a state body or an employer that shares its acronym
        labor = [i for i in ids if self.entries[i].kind in LABOR_KINDS]
        if len(labor) == 1:
            return labor[0]
        return None  # ambiguous with nothing to decide: better no fact than a wrong one


def _entry(raw: dict[str, Any], path: Path, known_kinds: set[str]) -> GazEntry:
    key = raw.get("id")
    if not key or not raw.get("name"):
        raise SchemaError("every entry needs `id` and `name`", path=path.name, key=str(key))
    kind = raw.get("kind", "union")
    if known_kinds and kind not in known_kinds:
        raise SchemaError(f"unknown kind {kind!r}", path=path.name, key=key)
    return GazEntry(
        id=key,
        name=str(raw["name"]),
        kind=kind,
        country=raw.get("country"),
        parent=raw.get("parent"),
        aliases=[str(a) for a in raw.get("aliases") or []],
        acronyms=[str(a) for a in raw.get("acronyms") or []],
        weak=[str(a) for a in raw.get("weak") or []],
        located_in=raw.get("located_in"),
    )


def load_gazetteer_from(folder: Path, known_kinds: set[str] | None = None) -> Gazetteer:
    """Read every ``*.yaml`` in ``folder``; check ids are unique and parents exist."""
    entries: list[GazEntry] = []
    where: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(data, list):
            raise SchemaError("expected a list of organizations", path=path.name)
        for raw in data:
            e = _entry(raw, path, known_kinds or set())
            if e.id in where:
                raise SchemaError(f"id also used in {where[e.id]}", path=path.name, key=e.id)
            where[e.id] = path.name
            entries.append(e)
    ids = set(where)
    for e in entries:
        if e.parent and e.parent not in ids:
            raise SchemaError(f"parent {e.parent!r} is not defined", path=where[e.id], key=e.id)
    return Gazetteer(entries)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The bundled gazetteer, read once per process."""
    from solidarity_graph.schema import load_schema

    return load_gazetteer_from(GAZETTEER_DIR, load_schema().kinds["organization"])
