"""``solidarity eval``: every evaluation in one run, written to docs/quality.md."""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections.abc import Callable
from pathlib import Path

from solidarity_graph.evaluation.common import Section

__all__ = ["SETS", "TARGETS", "run_evaluation"]

# (module, what it measures) in report order
SETS = [
    ("seeds", "seeds/gold.yaml"),
    ("mass_mobilization", "mass-mobilization/dev.csv"),
    ("collective_action", "collective-action-tech/dev.csv"),
    ("wnut17", "wnut17/"),
    ("semeval_timeline", "semeval2015-timeline-auto/"),
    ("klue_ner", "klue-ner/"),
    ("languages", "tests/data/languages/"),
]

# issue 3's bars: (figure key, label, target)
TARGETS = [
    ("seeds_organization_f1", "seeds: organization F1", 0.95),
    ("seeds_person_f1", "seeds: person F1", 0.95),
    ("seeds_place_f1", "seeds: place F1", 0.95),
    ("seeds_events_f1", "seeds: events F1", 0.8),
    ("seeds_relations_f1", "seeds: relations F1", 0.8),
    ("mm_type", "mass-mobilization: event type right", 0.9),
    ("mm_country", "mass-mobilization: country right", 0.9),
    ("mm_size", "mass-mobilization: size right", 0.7),
    ("mm_identity", "mass-mobilization: protesters' identity right", 0.6),
    ("tech_type", "collective-action-tech: type right", 0.8),
    ("tech_employer", "collective-action-tech: employer right", 0.8),
    ("tech_workers", "collective-action-tech: worker count right", 0.7),
    ("klue_ps_f1", "KLUE-NER: people F1 (issue 5)", 0.75),
    ("klue_lc_f1", "KLUE-NER: places F1 (issue 5)", 0.75),
    ("klue_og_f1", "KLUE-NER: organizations F1 (issue 5)", 0.75),
]


def run_evaluation(shared: Path, out: Path | None, *, only: list[str] | None = None, limit: int | None = None,
                   processes: int = 2, echo: Callable[[str], None] = print) -> list[Section]:
    """Run the evaluations on ``shared/eval`` and write the report to ``out`` (if given)."""
    sections: list[Section] = []
    timings: dict[str, float] = {}
    for name, what in SETS:
        if only and name not in only:
            continue
        module = importlib.import_module(f"solidarity_graph.evaluation.{name}")
        echo(f"evaluating {what} ...")
        t0 = time.perf_counter()
        section: Section = module.evaluate(shared, limit=limit, processes=processes)
        timings[section.title] = time.perf_counter() - t0
        sections.append(section)
        echo("  " + ", ".join(f"{k}={v:.2f}" for k, v in section.figures.items()))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render(sections, timings, limit), encoding="utf-8")
        echo(f"wrote {out}")
    return sections


def render(sections: list[Section], timings: dict[str, float], limit: int | None) -> str:
    """The Markdown report: the targets first, then each data set's tables and notes."""
    from solidarity_graph.extract.nlp import load_nlp

    figures = {k: v for s in sections for k, v in s.figures.items()}
    nlp = load_nlp()
    lines = [
        "# Extraction quality",
        "",
        f"Written by `solidarity eval` on {dt.date.today().isoformat()} from `../shared/eval/` "
        f"(third-party labelled data; the `holdout_text.csv` files are never read). spaCy model: "
        f"`{nlp.meta.get('solidarity_model', nlp.meta.get('name'))}` {nlp.meta.get('version')}."
        + (f" **Quick run on the first {limit} items of each set: not the reported figures.**" if limit else ""),
        "",
        "## Targets",
        "",
        "| measure | target | measured | met |",
        "|---|---|---|---|",
    ]
    for key, label, target in TARGETS:
        if key in figures:
            v = figures[key]
            lines.append(f"| {label} | {target:.2f} | {v:.2f} | {'yes' if v >= target else 'no'} |")
    lines += ["", "Confidence is checked on the two event sets: each row's main event is split at confidence 0.8 and "
              "the share with the right type and country is given for both bands (the *main-event confidence* "
              "tables below). An event's confidence is its trigger's weight, lowered for every argument that was "
              "not read in the event's own clause (place from the sentence, the paragraph, a demonym or the "
              "document; participants from context; the publication date as its date)."]
    for s in sections:
        lines += ["", f"## {s.title}", "", s.markdown.strip()]
    lines += ["", "## Run time", "", "| set | seconds |", "|---|---|"]
    lines += [f"| {title} | {secs:.0f} |" for title, secs in timings.items()]
    return "\n".join(lines) + "\n"
