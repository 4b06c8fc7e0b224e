"""SemEval-2015 Task 4 (TimeLine), corpus 2: are the events about the UAW and the car makers dated right?

The 30 Wikinews articles are rebuilt as plain text (title line, dateline line, then the body, each
gold sentence's character span kept), lightly detokenised, and ingested with the publication date
(the DCT). For every gold event mention with a known date, our events whose evidence span overlaps
the gold sentence are looked up, and their dates compared with the gold date at the gold's
precision. The baseline gives every event the document creation date.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solidarity_graph.evaluation.common import Section, extract_records
from solidarity_graph.model import Document

__all__ = ["Article", "GoldMention", "evaluate", "load_articles", "load_gold", "judge"]

CORPUS = ("eval", "semeval2015-timeline-auto", "corpus_2")
ORGS = ("United Automobile Workers", "General Motors", "Chrysler", "Daimler Chrysler", "Ford",
        "Fiat", "Toyota", "General Motors creditors")
SOURCES = ("text", "context", "document")
ALL = "all target entities"


@dataclass
class Article:
    """One article as plain text, with the character span of each gold sentence id."""

    doc_id: str
    dct: str
    title: str
    text: str
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class GoldMention:
    """A dated gold event mention: ``<doc>-<sentence>-<word>`` and its date (``YYYY[-MM[-DD]]``)."""

    doc_id: str
    sentence: int
    word: str
    date: str


def detokenize(s: str) -> str:
    """Undo the corpus's tokenisation within a sentence ("GM 's 45 % ," -> "GM's 45%,")."""
    s = s.replace("``", '"').replace("''", '"')
    s = re.sub(r" (?=[,.;:?!%)\]]|'s\b|'\s|n't\b|'re\b|'ve\b|'ll\b|'d\b|'m\b)", "", s)
    s = re.sub(r"(?<=[($\[]) ", "", s)
    s = re.sub(r'" ([^"]*?) "', r'"\1"', s)
    return s.strip()


def _dct(value: str) -> str:
    m = re.fullmatch(r"(\d{2})-(\d{2})-(\d{4})", value)  # one file writes DD-MM-YYYY
    return f"{m.group(3)}-{m.group(2)}-{m.group(1)}" if m else value


def load_articles(folder: Path, limit: int | None = None) -> list[Article]:
    """Parse ``corpus_trackA_TimeML/*.tml`` into articles (sorted by id, the first ``limit``)."""
    files = sorted(folder.glob("*.tml"), key=lambda p: int(p.name.split("_")[0]))
    out: list[Article] = []
    for path in files[:limit]:
        root = ET.parse(path).getroot()
        timex = root.find("DCT/TIMEX3")
        dct = _dct(timex.get("value", "") if timex is not None else "")
        art = Article(root.findtext("DOCID", "").strip(), dct, root.findtext("EXTRAINFO", "").strip(), "")
        parts: list[str] = []
        pos = 0
        for s in root.iter("s"):
            sid = int(s.get("id", "-1"))
            text = detokenize("".join(s.itertext()))
            sep = "" if not parts else ("\n\n" if sid <= 2 else " ")  # title, dateline, body paragraph
            pos += len(sep)
            art.spans[sid] = (pos, pos + len(text))
            parts.append(sep + text)
            pos += len(text)
        art.text = "".join(parts)
        out.append(art)
    return out


def _gold_date(raw: str) -> str | None:
    parts = (raw.split("-") + ["XX", "XX"])[:3]
    known: list[str] = []
    for p in parts:
        if "X" in p:
            break
        known.append(p)
    return "-".join(known) or None


def load_gold(folder: Path) -> dict[str, list[GoldMention]]:
    """Each target entity's dated gold mentions (``XXXX-XX-XX`` ones left out)."""
    out: dict[str, list[GoldMention]] = {}
    for path in sorted(folder.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        mentions: list[GoldMention] = []
        for line in lines[1:]:
            cols = line.strip().split("\t")
            date = _gold_date(cols[1]) if len(cols) > 2 else None
            if date is None:
                continue
            for ev in cols[2:]:
                doc, sent, word = ev.split("-", 2)
                mentions.append(GoldMention(doc, int(sent), word, date))
        out[lines[0].strip()] = mentions
    return out


def judge(gold: str, ours: str | None) -> str:
    """``right`` (same at the gold's precision), ``coarser`` (ours is a less precise prefix of it),
    ``year`` (same year only) or ``wrong``."""
    if not ours:
        return "wrong"
    if len(ours) >= len(gold) and ours.startswith(gold):
        return "right"
    if gold.startswith(ours):
        return "coarser"
    return "year" if ours[:4] == gold[:4] else "wrong"


RANK = {"right": 0, "coarser": 1, "year": 2, "wrong": 3}


@dataclass
class Outcome:
    """What we made of one gold mention: the best verdict among our events there, and its source."""

    covered: bool
    verdict: str = "wrong"
    source: str = ""
    dct_verdict: str = "wrong"


def _outcome(m: GoldMention, art: Article, events: list[dict[str, Any]]) -> Outcome:
    a, b = art.spans.get(m.sentence, (-1, -1))
    here = [e for e in events if e["span"][0] < b and a < e["span"][1]]
    out = Outcome(bool(here), dct_verdict=judge(m.date, art.dct))
    if here:
        best = min(here, key=lambda e: (RANK[judge(m.date, e.get("date"))], SOURCES.index(e.get("date_source") or "document")))
        out.verdict, out.source = judge(m.date, best.get("date")), best.get("date_source") or ""
    return out


@dataclass
class Tally:
    """Counts over a set of gold mentions."""

    n: int = 0
    covered: int = 0
    right: int = 0
    coarser: int = 0
    year: int = 0
    dct_right: int = 0
    dct_year: int = 0
    by_source: dict[str, int] = field(default_factory=dict)

    def add(self, o: Outcome) -> None:
        """Count one outcome."""
        self.n += 1
        self.covered += o.covered
        self.right += o.verdict == "right"
        self.coarser += o.verdict == "coarser"
        self.year += o.verdict != "wrong"
        self.dct_right += o.dct_verdict == "right"
        self.dct_year += o.dct_verdict != "wrong"
        if o.verdict == "right":
            self.by_source[o.source] = self.by_source.get(o.source, 0) + 1

    def share(self, k: int) -> float:
        """``k`` as a share of the mentions (0 when there are none)."""
        return k / self.n if self.n else 0.0


def _sentence_dating(arts: dict[str, Article], mentions: list[GoldMention]) -> tuple[int, int, int]:
    """Dating at the gold trigger, as if each had an event: our date mention in the gold sentence
    nearest the trigger word ("since 1992" last, as events.py does), else the DCT. Returns (sentences with a date of ours, right, right year)."""
    from solidarity_graph.extract.pipeline import Extractor

    extractor = Extractor()
    dates: dict[str, list[tuple[int, int, str, bool]]] = {}
    for art in arts.values():
        doc = extractor(Document(text=art.text, source="semeval2015-timeline", doc_id=art.doc_id, published=art.dct))
        dates[art.doc_id] = [(m.start, m.end, str(m.attrs.get("value")), bool(m.attrs.get("since")))
                             for m in doc.mentions if m.type == "date"]
    with_date = right = year = 0
    for m in mentions:
        art = arts[m.doc_id]
        a, b = art.spans.get(m.sentence, (-1, -1))
        here = [d for d in dates[m.doc_id] if a <= d[0] and d[1] <= b]
        trig = art.text.find(m.word.replace("_", " "), a, b)
        trig = trig if trig >= 0 else a
        value = min(here, key=lambda d: (d[3], abs(d[0] - trig)))[2] if here else art.dct
        with_date += bool(here)
        verdict = judge(m.date, value)
        right += verdict == "right"
        year += verdict != "wrong"
    return with_date, right, year


def _pct(k: int, n: int) -> str:
    return f"{k / n:.1%} ({k})" if n else "–"


def evaluate(shared: Path, *, limit: int | None = None, processes: int = 2) -> Section:
    """Ingest the articles (the first ``limit``), then score our event dates against the gold timelines."""
    root = shared.joinpath(*CORPUS)
    arts = {a.doc_id: a for a in load_articles(root / "corpus_trackA_TimeML", limit)}
    docs = [Document(text=a.text, source="semeval2015-timeline", doc_id=a.doc_id, published=a.dct, title=a.title)
            for a in arts.values()]
    for d, a in zip(docs, arts.values(), strict=True):
        if d.text != a.text:  # normalisation would shift the sentence spans
            raise ValueError(f"Document changed the text of {a.doc_id}")
    records, _ = extract_records(docs, processes=processes)
    events: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        if r["kind"] == "event":
            events.setdefault(str(r["document"]), []).append(r)
    gold = {e: [m for m in ms if m.doc_id in arts] for e, ms in load_gold(root / "TimeLines_Gold_Standard").items()}
    groups: dict[str, dict[tuple[str, int, str], GoldMention]] = {}
    for ent, ms in gold.items():
        for key in ([ent, "UAW and car makers"] if ent in ORGS else []) + [ALL]:
            for m in ms:  # a mention on several timelines counts once in a combined row
                groups.setdefault(key, {}).setdefault((m.doc_id, m.sentence, m.word), m)
    tallies: dict[str, Tally] = {}
    for key in [*ORGS, "UAW and car makers", ALL]:
        t = tallies[key] = Tally()
        for m in groups.get(key, {}).values():
            t.add(_outcome(m, arts[m.doc_id], events.get(m.doc_id, [])))
    rows = ["| target | gold dated mentions | event of ours in the sentence | date right | right, coarser | "
            "right at year | DCT baseline right | DCT baseline year |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key, t in tallies.items():
        rows.append(f"| {key} | {t.n} | {_pct(t.covered, t.n)} | {_pct(t.right, t.n)} | {_pct(t.coarser, t.n)} | "
                    f"{_pct(t.year, t.n)} | {_pct(t.dct_right, t.n)} | {_pct(t.dct_year, t.n)} |")
    src = ["| target | date right from the text | from the sentences before | from the document date |",
           "|---|---:|---:|---:|"]
    for key in ("UAW and car makers", ALL):
        t = tallies[key]
        src.append(f"| {key} | " + " | ".join(_pct(t.by_source.get(s, 0), t.n) for s in SOURCES) + " |")
    every = list(groups.get(ALL, {}).values())
    with_date, s_right, s_year = _sentence_dating(arts, every)
    n_all = len(every)
    allt = tallies[ALL]
    figures = {"timeline_date_right": allt.share(allt.right), "timeline_date_right_year": allt.share(allt.year),
               "timeline_coverage": allt.share(allt.covered), "timeline_dct_baseline": allt.share(allt.dct_right),
               "timeline_date_right_covered": allt.right / allt.covered if allt.covered else 0.0,
               "timeline_sentence_dating_right": s_right / n_all if n_all else 0.0}
    md = (f"{len(arts)} Wikinews articles (2006-2013) on GM, Chrysler, Ford and the UAW, ingested with their "
          "publication date. A gold event mention with a known date counts as covered when one of our events' "
          "evidence sentences overlaps its sentence, and as dated right when one of those events has the gold "
          "date at the gold's precision (gold 2008-12-XX: 2008-12 or 2008-12-05 is right, 2008 is right but "
          "coarser). Shares are of all gold dated mentions; XXXX-XX-XX mentions are left out.\n\n"
          + "\n".join(rows) + "\n\nWhere the right dates came from (our event's `date_source`):\n\n"
          + "\n".join(src) + "\n\n"
          "Dating at the gold triggers, as if we had found every event (our date mention in the gold sentence "
          "nearest the trigger word, else the publication date; the sentences before are not used): "
          f"{_pct(with_date, n_all)} of the gold sentences hold a date we found; right {_pct(s_right, n_all)}, "
          f"right at year {_pct(s_year, n_all)}, against the DCT baseline's {_pct(allt.dct_right, n_all)}.\n\n"
          + LIMITS.format(events=sum(map(len, events.values())), right=allt.right, covered=allt.covered,
                          nodate=n_all - with_date, n=n_all) + "\n")
    return Section("SemEval-2015 TimeLine: dates of the car makers' and the UAW's events", md, figures)


LIMITS = """\
**What limits it.** Event coverage first. Our event types are labor actions (strikes, layoffs,
conventions, statements), and the English triggers do not fire on the business news these timelines
follow: "cutting 30,000 jobs", "offer voluntary buyouts", "eliminate 789 dealerships", "file for
bankruptcy", "sales dropped 42%", "received loans" give no event (a layoff needs "job cuts",
"layoff(s)" or "laid off"), so the articles yield {events} events, and some are wrong in kind:
"pleaded before Congress" is a `convention` since "Congress" is a convention trigger. Where an event
is found its date is right for {right} of {covered} gold mentions, from the text ("June 1st" in the same sentence) or the
publication date. The "dating at the gold triggers" line above shows what better triggers would buy, and what limits
the dating then: (1) the gold dates reporting verbs ("Ford says", "announced") on the publication
day while the sentence's date is the period reported on ("For the final quarter of 2009, Ford
says..."), so the nearest date is wrong for them; (2) a month and day without a year are taken as
past unless the clause reads as future: "has a June 1 deadline" in an article of 2009-05-28 becomes
2008-06-01; (3) the opposite slip for weekdays: "Fiat announced on Friday that it intends to
purchase..." (article of Sunday 2011-05-29) becomes 2011-06-03, the next Friday, because "intends to"
makes the clause future; (4) quarters are dated to the year ("the fourth quarter of 2005" → 2005,
right only at coarser precision). Sentences with no date of ours ({nodate} of {n}) fall back on the
publication date, which is right at the gold's precision only for events of that very day or month:
hence the DCT baseline's strength here, and its misses on every event the text puts in another
month or year ("In 2005 it lost $1.6 billion")."""
