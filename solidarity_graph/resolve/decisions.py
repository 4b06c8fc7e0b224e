"""Deciding which canonical entity a mention names, and saying why.

Rules, in order: the gazetteer id; an exact folded name or alias of the same type (acronyms
defined in any document are aliases, so they serve every later document); for people, the
same name parts in any order and romanization, then a surname alone when only one person in
the store carries it; for organizations, a fuzzy match above the measured threshold. Otherwise
a new entity. Every decision names its rule and score; curators can reverse them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from solidarity_graph.resolve.rules import ORG_THRESHOLD, fold_name, numbers_agree, person_key

__all__ = ["EntityIndex", "Resolution", "Resolver"]


@dataclass
class Resolution:
    """The outcome for one mention."""

    entity_id: int | None
    rule: str
    score: float
    new: dict[str, Any] | None = None  # what to create when entity_id is None
    aliases: list[str] = field(default_factory=list)


@dataclass
class EntityIndex:
    """What the resolver needs to know of the store, kept in memory and updated as it goes."""

    by_norm: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    by_gaz: dict[str, int] = field(default_factory=dict)
    by_person_key: dict[tuple[str, ...], int] = field(default_factory=dict)
    by_surname: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    org_norms: dict[str, int] = field(default_factory=dict)
    country_of: dict[int, str] = field(default_factory=dict)
    # (event type, place id, year) of stored events dated by their text: where another report may join
    event_keys: set[tuple[str, int, str]] = field(default_factory=set)

    def add(self, entity_id: int, type_: str, names: list[str], gaz_key: str | None, surname_key: Any,
            country: str | None = None) -> None:
        """Register an entity's names (and, for places, its country)."""
        if gaz_key:
            self.by_gaz[gaz_key] = entity_id
        if country:
            self.country_of.setdefault(entity_id, country)
        for n in names:
            norm = fold_name(n)
            if not norm:
                continue
            self.by_norm[(type_, norm)].add(entity_id)
            if type_ == "organization":
                self.org_norms.setdefault(norm, entity_id)
            if type_ == "person":
                key = person_key(n, surname_key)
                self.by_person_key.setdefault(key, entity_id)
                from solidarity_graph.resolve.romanize import is_hangul, romanize_name

                parts = (romanize_name(n) if is_hangul(n) else n).replace("-", " ").split()
                if len(parts) >= 2:
                    for p in (parts[0], parts[-1]):
                        self.by_surname[str(surname_key(p))].add(entity_id)


class Resolver:
    """Map mentions to entities with explainable rules."""

    def __init__(self, index: EntityIndex, gazetteer: Any, surname_key: Any) -> None:
        self.index = index
        self.gazetteer = gazetteer
        self.surname_key = surname_key

    def resolve(self, type_: str, name: str, gaz_key: str | None = None, country: str | None = None) -> Resolution:
        """Which entity ``name`` (already canonicalized by extraction) stands for.

        Places of one name in two countries (London, England and London, Ontario) stay apart.
        """
        idx = self.index
        if gaz_key:
            if gaz_key in idx.by_gaz:
                return Resolution(idx.by_gaz[gaz_key], "gazetteer", 1.0)
            entry = self.gazetteer.get(gaz_key)
            if entry is not None:
                norm_hits = set().union(*(idx.by_norm.get((type_, fold_name(n)), set()) for n in entry.all_names))
                if len(norm_hits) == 1:
                    return Resolution(next(iter(norm_hits)), "gazetteer_name", 0.95, aliases=entry.all_names)
                return Resolution(None, "gazetteer", 1.0, new=self._from_gazetteer(entry), aliases=entry.all_names)
        norm = fold_name(name)
        hits = idx.by_norm.get((type_, norm))
        if hits and type_ == "place" and country:
            hits = {h for h in hits if idx.country_of.get(h) in (None, country)}
        if hits:
            return Resolution(min(hits), "exact_name", 1.0)
        if type_ == "person":
            res = self._person(name)
            if res is not None:
                return res
        if type_ == "organization" and len(norm) >= 8 and idx.org_norms:
            best = process.extractOne(norm, idx.org_norms.keys(), scorer=fuzz.ratio, score_cutoff=ORG_THRESHOLD)
            if best is not None and numbers_agree(norm, best[0]):
                return Resolution(idx.org_norms[best[0]], "fuzzy_name", round(best[1] / 100, 3))
        return Resolution(None, "new", 1.0, new={"type": type_, "name": name})

    def _person(self, name: str) -> Resolution | None:
        from solidarity_graph.resolve.romanize import is_hangul, romanize_name

        idx = self.index
        if is_hangul(name):
            name = romanize_name(name)  # 정은보 is Jeong Eun-bo
        parts = name.replace("-", " ").split()
        if len(parts) >= 2:
            key = person_key(name, self.surname_key)
            if key in idx.by_person_key:
                return Resolution(idx.by_person_key[key], "person_name_parts", 0.95)
            return None
        cands = idx.by_surname.get(str(self.surname_key(parts[0])), set()) if parts else set()
        if len(cands) == 1:
            return Resolution(next(iter(cands)), "surname_unique", 0.75)
        return None

    @staticmethod
    def _from_gazetteer(entry: Any) -> dict[str, Any]:
        return {
            "type": "organization",
            "name": entry.name,
            "kind": entry.kind,
            "country": entry.country,
            "gazetteer_key": entry.id,
            "attributes": {"parent_key": entry.parent, "located_in": entry.located_in},
        }
