"""The seeds against their hand annotation (``eval/seeds/gold.yaml``), by the rules at its top.

Precision, recall and F1 for organizations, people and places, events and relations; plain
spaCy ``en_core_web_sm`` beside it for the entities (it has no events or relations).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from solidarity_graph.evaluation.common import Section, extract_records, plain_spacy
from solidarity_graph.ingest import read_document

__all__ = ["evaluate", "fold"]

SYMMETRIC = {"ally_of", "negotiates_with"}
TYPES = ("organization", "person", "place")


def fold(s: object) -> str:
    """Names as the gold file's rules compare them (case, accents, punctuation, "the ", "'s")."""
    text = str(s)
    out = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower() or text.lower()
    out = out.replace("’", "'")
    out = re.sub(r"^the\s+", "", out)
    out = re.sub(r"'s\b", "", out)
    return re.sub(r"[^0-9a-z\u0080-\uffff]+", " ", out).strip()


class _Gold:
    def __init__(self, gold: dict[str, Any]) -> None:
        self.ents: list[dict[str, Any]] = []
        self.optional: set[str] = set()
        for d in gold["documents"]:
            self.optional |= {fold(n) for n in d.get("optional", [])}
            for e in d["entities"]:
                names = {fold(n) for n in [e["name"], *e.get("aliases", [])]}
                hit = next((g for g in self.ents if g["names"] & names), None)
                if hit is None:
                    hit = {"type": e["type"], "names": set(), "in": None}
                    self.ents.append(hit)
                hit["names"] |= names
                hit["in"] = hit["in"] or e.get("in")
        self.key: dict[str, int] = {}
        for i, g in enumerate(self.ents):
            for n in g["names"]:
                self.key.setdefault(n, i)
        self.events = [e for d in gold["documents"] for e in d["events"]]
        self.relations = {(self.id(s), p, self.id(o)) for d in gold["documents"] for s, p, o, *_ in d["relations"]}

    def id(self, name: object) -> int | None:
        return self.key.get(fold(name)) if name else None

    def inside(self, p: int | None, q: int) -> bool:
        seen: set[int] = set()
        while p is not None and p not in seen:
            if p == q:
                return True
            seen.add(p)
            p = self.id(self.ents[p]["in"])
        return False

    def event_matches(self, g: dict[str, Any], r: dict[str, Any]) -> bool:
        if r.get("type") not in {g["type"], *g.get("also", [])}:
            return False
        gd, pd = str(g.get("date", "")), str(r.get("date") or "")
        if gd and not (pd and (pd.startswith(gd) or gd.startswith(pd))):
            return False
        gpl = self.id(g.get("place"))
        if gpl is not None and not self.inside(self.id(r.get("place")), gpl):
            return False
        gpart = {self.id(p) for p in g.get("participants", [])} - {None}
        ppart = {self.id(p) for p in r.get("participants") or []} - {None}
        return not gpart or bool(gpart & ppart)


def _entity_scores(gold: _Gold, predicted: list[tuple[str, list[str]]]) -> dict[str, tuple[float, float, float]]:
    out = {}
    for t in TYPES:
        preds = [names for typ, names in predicted if typ == t]
        found = {gold.id(n) for names in preds for n in names} - {None}
        idx = [i for i, g in enumerate(gold.ents) if g["type"] == t]
        tp = sum(i in found for i in idx)
        correct = sum(any(gold.id(n) is not None or fold(n) in gold.optional for n in names) for names in preds)
        p = correct / len(preds) if preds else 0.0
        r = tp / len(idx) if idx else 0.0
        out[t] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return out


def evaluate(shared: Path, *, limit: int | None = None, processes: int = 1) -> Section:
    """Ingest the seeds with their publication dates, export, and score."""
    gold_data = yaml.safe_load((shared / "eval" / "seeds" / "gold.yaml").read_text(encoding="utf-8"))
    gold = _Gold(gold_data)
    docs = [read_document(shared / "corpus" / "seeds" / d["file"], published=str(d["published"])) for d in gold_data["documents"]]
    records, failed = extract_records(docs[:limit] if limit else docs, processes=processes)
    ents = [(r["type"], [r["name"], *r["aliases"]]) for r in records if r["kind"] == "entity"]
    ours = _entity_scores(gold, ents)
    nlp = plain_spacy()
    label = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place"}
    base_ents = {(label[e.label_], e.text) for d in docs for e in nlp(d.text).ents if e.label_ in label}
    base = _entity_scores(gold, [(t, [n]) for t, n in base_ents])

    evs = [r for r in records if r["kind"] == "event"]
    ev_tp = sum(any(gold.event_matches(g, r) for r in evs) for g in gold.events)
    ev_ok = sum(any(gold.event_matches(g, r) for g in gold.events) for r in evs)
    ev_p = ev_ok / len(evs) if evs else 0.0
    ev_r = ev_tp / len(gold.events)
    pset: set[tuple[int | None, str, int | None]] = set()
    for r in (r for r in records if r["kind"] == "relation"):
        pset.add((gold.id(r["subject"]), r["predicate"], gold.id(r["object"])))
    hits = {x for x in pset if x in gold.relations or (x[1] in SYMMETRIC and (x[2], x[1], x[0]) in gold.relations)}
    rel_p, rel_r, rel_f = len(hits) / len(pset) if pset else 0.0, 0.0, 0.0
    covered = {x if x in gold.relations else (x[2], x[1], x[0]) for x in hits}
    rel_r = len(covered) / len(gold.relations)
    rel_f = 2 * rel_p * rel_r / (rel_p + rel_r) if rel_p + rel_r else 0.0
    ev_f = 2 * ev_p * ev_r / (ev_p + ev_r) if ev_p + ev_r else 0.0

    rows = ["| kind | precision | recall | F1 | plain spaCy P / R / F1 |", "|---|---|---|---|---|"]
    figures: dict[str, float] = {}
    for t in TYPES:
        prec, rec, f1 = ours[t]
        bp, br, bf = base[t]
        rows.append(f"| {t} | {prec:.2f} | {rec:.2f} | **{f1:.2f}** | {bp:.2f} / {br:.2f} / {bf:.2f} |")
        figures[f"seeds_{t}_f1"] = f1
    rows.append(f"| events ({len(evs)} exported, {len(gold.events)} gold) | {ev_p:.2f} | {ev_r:.2f} | **{ev_f:.2f}** | n/a |")
    rows.append(f"| relations ({len(pset)} exported, {len(gold.relations)} gold) | {rel_p:.2f} | {rel_r:.2f} | **{rel_f:.2f}** | n/a |")
    figures.update(seeds_events_f1=ev_f, seeds_relations_f1=rel_f, seeds_events_p=ev_p, seeds_relations_p=rel_p)
    md = "\n".join(rows) + "\n\nMatching follows the rules at the top of `gold.yaml`: entity precision counts an exported " \
        "organization, person or place as right when one of its names is a gold name or an `optional` one; an exported " \
        "event is right when it matches some gold event by type (or `also`), date prefix, place (or a place inside it) " \
        "and a shared participant." + (f"\n\nFailed to ingest: {failed}" if failed else "")
    return Section("Seeds (hand annotation of the three seed documents)", md, figures)
