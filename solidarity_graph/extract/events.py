"""Events by the codebook: type, status, date, place, participants, size (``events.v1``).

Triggers come from ``lang/en/events.yaml``. Arguments are read from the clause of the trigger,
then its sentence, then (marked as context, with lower confidence) the sentences before it in
the paragraph, and for the date last of all the document's date. Events of one type told in
several sentences of a document, with dates and places that agree, become one event.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from solidarity_graph.extract.places import Places
from solidarity_graph.model import Document, EventFact, Mention, Quantity, Span

__all__ = ["find_events", "Trigger", "load_triggers"]

EXTRACTOR = "events.v1"
LANG_DIR = Path(__file__).parent / "lang" / "en"
PLACE_RANK = {"site": 0, "village": 0, "base": 0, "city": 1, "district": 1, "province": 2,
              "state": 2, "prefecture": 2, "territory": 2, "region": 3, "country": 4}
PROTEST_TYPES = {"rally", "march", "protest", "strike", "walkout", "picket", "sit_in", "occupation",
                 "boycott", "hunger_strike", "press_conference", "petition", "open_letter", "campaign"}
TARGET_KINDS = {"employer", "government", "military", "embassy", "legislature"}
ACTOR_TYPES = {"negotiation_round", "agreement", "declaration", "repression", "political_change"}

_FAILED = re.compile(r"\b(?:not|never)\s+(?:\w+\s+)?(?:reached|agreed|held|signed)|\bno agreement\b|\bfailed\b|\bcollapsed\b|\bbroke down\b|\bcancell?ed\b|\bcalled off\b|\bdefeat of\b|\battempted\b", re.I)
_PLANNED = re.compile(r"\b(?:will|shall|plans? to|planning to|is to|are to|to be held|scheduled|upcoming|set to|going to|intends? to|would|ahead of|in the run-up to|before the)\b", re.I)
# the demand must govern the trigger: no "and", comma or semicolon between ("demanded X and called a rally")
_DEMANDED = re.compile(r"\b(?:demand(?:s|ed|ing)?|call(?:s|ed|ing)? (?:on|for)|urg(?:e|es|ed|ing)|must)\b(?:(?!\band\b)[^.,;]){0,60}$", re.I)
# "stop the layoffs", "against the lockout": the event is real, the demand is to end it
_OPPOSED = re.compile(r"\b(?:stop|end|halt|cancel|reverse|withdraw|against|oppose|opposing|protest(?:ing)?)\s+(?:the\s+|its\s+|their\s+)?(?:\w+\s+)?$", re.I)
_THREAT = re.compile(r"\b(?:threat(?:en|ens|ened)?|could|(?-i:may)|might|face|facing|at risk|if the|forced to|concerns? over|prevent|feared?)\b", re.I)


@dataclass(frozen=True)
class Trigger:
    """A compiled trigger of an event type."""

    type: str
    rx: re.Pattern[str]
    weight: float
    needs: re.Pattern[str] | None
    not_: re.Pattern[str] | None


@lru_cache(maxsize=4)
def load_triggers(lang: str = "en") -> list[Trigger]:
    """The triggers of a language (``lang/<code>/events.yaml``), checked against the codebook."""
    from solidarity_graph.schema import load_schema

    schema = load_schema()
    data = yaml.safe_load((LANG_DIR.parent / lang / "events.yaml").read_text(encoding="utf-8"))
    out: list[Trigger] = []
    for etype, items in data.items():
        schema.check_event_type(etype)
        for it in items:
            flags = 0 if it.get("case") else re.I
            out.append(Trigger(
                etype,
                re.compile(r"\b(?:" + it["re"] + r")\b" if lang == "en" else it["re"], flags),
                float(it.get("weight", 0.7)),
                re.compile(it["needs"], re.I) if it.get("needs") else None,
                re.compile((r"\b(?:" + it["not"] + r")\b") if lang == "en" else it["not"], re.I) if it.get("not") else None,
            ))
    return out


def _clauses(text: str, sent: Span) -> list[Span]:
    """Split a sentence at semicolons, at ", and" before a new time or subject, and at Korean connectives."""
    cuts = [sent.start]
    seg = text[sent.start : sent.end]
    # also between coordinated verbs: "participated in the rally, showed support to ..., and discussed ..."
    # Korean clauses end in a connective: "열렸지만", "결렬되면서", "밝혔고", "요구하며"
    for m in re.finditer(r";\s+|,\s+and\s+(?=(?:in|on|at|during|since|then|later|after)\b|[A-Z])|\.\s+|,\s+(?:and\s+)?(?=[a-z]+ed\s)"
                         r"|(?<=[가-힣])(?:면서|지만|는데|으나|으며|하며|되며|했고|됐고|였고|했으며|하고)\s+|…\s*"
                         r"|(?<=[가-힣])\s(?:뒤|후)(?:에)?\s+"
                         # Japanese: a comma after a verb's or particle's kana ("ストライキを行い、デモ行進した")
                         r"|(?<=[\u3040-\u309f])、", seg):
        cuts.append(sent.start + m.end())
    cuts.append(sent.end)
    return [Span(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _within(m: Mention | Quantity, span: Span) -> bool:
    return span.start <= m.start and m.end <= span.end


def _status(text: str, clause: Span, trig_start: int, trig_end: int) -> str:
    seg = text[clause.start : clause.end]
    before = text[clause.start : trig_start]
    near = text[max(clause.start, trig_start - 40) : min(clause.end, trig_end + 60)]
    if _FAILED.search(near):
        # "forced to take unpaid leave if the agreement is not agreed": a threat, not a failure
        return "threatened" if re.search(r"\bif\b", near, re.I) else "failed"
    if _DEMANDED.search(before[-80:]) and not _OPPOSED.search(before[-30:]):
        return "demanded"
    if _PLANNED.search(before[-60:]) or re.search(r"\bwill\b", seg[:200], re.I) and not re.search(r"\b(?:was|were|has|have|had|did)\b", before[-40:]):
        return "planned"
    if _THREAT.search(near):
        return "threatened"
    return "happened"


def _pick_place(cands: list[Mention], trig: int) -> Mention | None:
    if not cands:
        return None
    return min(cands, key=lambda m: (PLACE_RANK.get(str(m.attrs.get("place_kind")), 2), abs(m.start - trig)))


def _pick_date(cands: list[Mention], trig: int) -> Mention | None:
    if not cands:
        return None
    return min(cands, key=lambda m: (bool(m.attrs.get("since")), abs(m.start - trig)))


def find_events(doc: Document, places: Places, located: dict[str, str], triggers: list[Trigger] | None = None) -> Document:
    """Add an event for each trigger, with its arguments (English triggers unless others are given)."""
    text = doc.text
    triggers = triggers if triggers is not None else load_triggers()
    from solidarity_graph.schema import load_schema

    groups = {name: t.group for name, t in load_schema().event_types.items()}
    rm = re.search(r"\bRESOLVED\b", text)
    resolved_at = rm.start() if rm else None
    dates = [m for m in doc.mentions if m.type == "date"]
    named = [m for m in doc.mentions if m.type in ("organization", "person", "place")]
    sents = doc.sentences
    starts = [x.start for x in sents]
    pstarts = [p.start for p in doc.paragraphs]
    para_of: dict[int, Span | None] = {}
    for i, x in enumerate(sents):
        k = bisect.bisect_right(pstarts, x.start) - 1
        para_of[i] = doc.paragraphs[k] if k >= 0 and x.start < doc.paragraphs[k].end else None
    # each trigger runs once over the whole text; its matches are sorted into their sentences
    by_sent: dict[int, list[tuple[int, int, Trigger]]] = {}
    for trig in triggers:
        for m in trig.rx.finditer(text):
            si = bisect.bisect_right(starts, m.start()) - 1
            if si < 0 or m.end() > sents[si].end:
                continue
            sent = sents[si]
            if trig.needs and not trig.needs.search(text, sent.start, sent.end):
                continue
            if trig.not_ and trig.not_.search(text[max(sent.start, m.start() - 60) : min(sent.end, m.end() + 20)]):
                continue
            found = by_sent.setdefault(si, [])
            if any(m.start() < y and x < m.end() for x, y, _ in found):
                continue  # an earlier trigger already holds this text
            found.append((m.start(), m.end(), trig))
    for si, found in sorted(by_sent.items()):
        sent = sents[si]
        # one event per clause and codebook group: "rally and march" is one event, a rally;
        # "marches, demonstrations and strikes ... voted to impeach" is a protest and a political change
        best: dict[tuple[str, int], tuple[int, int, Trigger, Span]] = {}
        clauses = _clauses(text, sent)
        for a, b, trig in sorted(found):
            clause = next((c for c in clauses if c.start <= a < c.end), sent)
            if any(m.start <= a < m.end for m in named):
                # a trigger word inside a name ("Labor Notes Conference" counts; "UE-FAT Solidarity Fund" not)
                if trig.type not in ("conference", "convention", "declaration", "webinar", "negotiation_round"):
                    continue
            key = (groups.get(trig.type, trig.type), clause.start)
            if key not in best or trig.weight > best[key][2].weight:
                best[key] = (a, b, trig, clause)
        chosen = sorted(best.values(), key=lambda x: x[0])
        # "will travel to Australia to participate in the Congress": the congress is the event
        gathering = {c.start for _, _, t, c in chosen if groups.get(t.type) == "gathering"}
        chosen = [x for x in chosen if not (x[2].type == "delegation_visit" and x[3].start in gathering
                                            and re.search(r"travel", text[x[0] : x[1]], re.I))]
        # the items of a resolution ("- Condemns ...", "- Commits to ...") are its content, not events,
        # unless an item gives a date of its own
        if resolved_at is not None and sent.start > resolved_at and text[sent.start : sent.start + 1] in "-•*":
            chosen = [x for x in chosen if any(_within(d, x[3]) for d in dates)]
        for a, b, trig, clause in chosen:
            # a date, place or count in a later clause that tells another event of this sentence is that
            # event's ("협상이 결렬되면서 ... 다음 달 1일부터 무급휴직"); one in an earlier clause frames them all
            busy = [c for _, _, _, c in chosen if c.start >= clause.end]
            ev = _build(doc, places, located, trig, a, b, sent, clause, si, sents, para_of, dates, named, busy)
            # "The rally also highlighted...": the same event told again
            if re.search(r"\b(?:the|this|that)\s+(?:[\w’'-]+\s+){0,3}$", text[max(0, a - 40) : a], re.I) and \
                    not re.match(r"\s+of\s+[A-Z]", text[b : b + 6]) and \
                    any(e.type == trig.type for e in doc.events):
                ev.attrs["anaphoric"] = True
            doc.events.append(ev)
    doc.events = _merge(doc.events, places)
    return doc


def _build(doc: Document, places: Places, located: dict[str, str], trig: Trigger, a: int, b: int,
           sent: Span, clause: Span, si: int, sents: list[Span], para_of: dict[int, Span | None],
           dates: list[Mention], named: list[Mention], busy: list[Span] | None = None) -> EventFact:
    text = doc.text
    busy = busy or []
    conf = trig.weight
    ev = EventFact(trig.type, _status(text, clause, a, b), sent.start, sent.end, text[a:b], EXTRACTOR, conf)
    # date: clause, sentence, the sentences before in the paragraph, the document
    # a trigger inside quotation marks ("... giving unpaid leave ...") takes no date from outside them
    quoted = _quote_span(text, sent, a)
    usable = [d for d in dates if quoted is None or _within(d, quoted)]
    date = _pick_date([d for d in usable if _within(d, clause)], a)
    ev.attrs["date_from"] = "clause"
    if date is None:
        free = [d for d in usable if _within(d, sent) and not any(_within(d, c) for c in busy)]
        date, ev.attrs["date_from"] = _pick_date(free, a), "sentence"
    source = "text"
    para = para_of.get(si)
    ahead = ev.status in ("planned", "demanded")
    if date is None and not ahead and quoted is None:
        for back in range(1, 4):
            j = si - back
            if j < 0 or para_of.get(j) != para or para is None:
                break
            prev = [d for d in dates if _within(d, sents[j])]
            prev.sort(key=lambda d: (not d.attrs.get("since"), d.start))
            if prev:
                date, source = prev[-1], "context"
                break
    if date is not None:
        ev.date, ev.date_end = date.attrs["value"], date.attrs.get("end")
        ev.date_precision, ev.date_source = date.attrs["precision"], source
    elif doc.published and not ahead:
        # a past event with no date of its own: the publication date, marked as such
        ev.date, ev.date_precision, ev.date_source = doc.published, "document", "document"
        ev.confidence *= 0.85
    # place: the most specific place in the clause, else the sentence, else a located org
    in_clause = [m for m in named if m.type == "place" and _within(m, clause) and not _qualifier(text, m, named)
                 and not _origin(text, clause, m)]
    in_sent = [m for m in named if m.type == "place" and _within(m, sent) and not _qualifier(text, m, named)
               and not _origin(text, sent, m) and not any(_within(m, c) for c in busy)]
    # an embassy or base with a known site places the event there ("in front of the U.S. Embassy")
    for m in named:
        if m.type == "organization" and _within(m, sent) and (m.canonical or m.text) in located:
            p = places.lookup(located[m.canonical or m.text])
            if p is not None:
                site = places.mention(m.text, m.start, m.end, p, 0.7, 0)
                site.attrs["via"] = m.canonical or m.text
                (in_clause if _within(m, clause) else in_sent).append(site)
    ev.place = _pick_place(in_clause, a)
    ev.attrs["place_from"] = "clause"
    if ev.place is None:
        ev.place, ev.attrs["place_from"] = _pick_place(in_sent, a), "sentence"
    if ev.place is None:  # the most specific place of the sentences before, in the same paragraph
        prev_places = []
        for back in range(1, 4):
            j = si - back
            if j < 0 or para is None or para_of.get(j) != para:
                break
            prev_places += [m for m in named if m.type == "place" and _within(m, sents[j]) and not _qualifier(text, m, named)]
        if prev_places:
            ev.place = _pick_place(prev_places, a)
            ev.attrs["place_from"] = "context"
    if ev.place is None and trig.type in PROTEST_TYPES | {"delegation_visit", "exchange", "meeting"}:
        dm = re.search(r"\b([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s+(?:ally|allies|union|unions|workers|parliament|government)\b", text[clause.start : clause.end])
        code = places.demonym(dm.group(1)) if dm else None
        if dm is not None and code and code in places.countries:
            s = clause.start + dm.start(1)
            ev.place = places.mention(dm.group(1), s, s + len(dm.group(1)), places.countries[code], 0.6, 0)
            ev.attrs["place_from"] = "demonym"
    if ev.place is None and doc.meta.get("lower_case"):
        # notes without capitals: "chilean teachers marched" places the march in Chile
        hits = places.lower_demonyms.finditer(text[clause.start : clause.end]) or places.lower_demonyms.finditer(text[sent.start : sent.end])
        if hits and str(hits[0].payloads[0]) in places.countries:
            base = clause.start if places.lower_demonyms.finditer(text[clause.start : clause.end]) else sent.start
            ev.place = places.mention(hits[0].name, base + hits[0].start, base + hits[0].end,
                                      places.countries[str(hits[0].payloads[0])], 0.55, 0)
            ev.attrs["place_from"] = "demonym"
    if ev.place is None and doc.meta.get("country_counts"):
        # last resort: the country the document is about (named most), marked as such
        counts: dict[str, int] = doc.meta["country_counts"]
        code, n = max(counts.items(), key=lambda kv: kv[1])
        if code in places.countries and list(counts.values()).count(n) == 1:
            ev.place = places.mention(places.countries[code].name, sent.start, sent.start, places.countries[code], 0.5, 0)
            ev.attrs["place_from"] = "document"
    # participants: organizations and people in the clause, else the sentence, else context
    def actors(span: Span) -> list[Mention]:
        # an organization "in front of" which people gather is where, not who
        out = [m for m in named if _within(m, span) and m.type in ("organization", "person")
               and not re.search(r"(?:in front of|outside|at)\s+(?:the\s+)?$", text[max(0, m.start - 20) : m.start])]
        if trig.type in ACTOR_TYPES:
            out += [m for m in named if _within(m, span) and m.type == "place" and m.attrs.get("place_kind") == "country" and m is not ev.place and not _qualifier(text, m, named)]
        return out

    parts = actors(clause) or actors(sent)
    if trig.type in PROTEST_TYPES:
        # the employer or state a strike or rally is aimed at is its target, not a participant
        ev.targets = [m for m in parts if m.attrs.get("kind") in TARGET_KINDS]
        parts = [m for m in parts if m.attrs.get("kind") not in TARGET_KINDS]
    if not parts and trig.type not in ACTOR_TYPES:  # who negotiated or declared is never guessed
        conf *= 0.8
        for j in (si - 1, si + 1, si + 2, si - 2):
            if 0 <= j < len(sents) and para is not None and para_of.get(j) == para:
                parts = actors(sents[j])
                if parts:
                    ev.attrs["participants_from"] = "context"
                    break
    if not parts and re.search(r"\b[Tt]he union\b", text[clause.start : clause.end]):
        # "the union said ...": the union named last before
        earlier = [m for m in named if m.type == "organization" and m.end <= clause.start
                   and m.attrs.get("kind") in ("union", "local", "union_federation")]
        if earlier:
            parts = [earlier[-1]]
            ev.attrs["participants_from"] = "the union"
    # "Google employees", "workers at Amazon's Eastvale center": the employer the action is about
    for m in [m for m in named if m.type == "organization" and _within(m, sent)
              and m.attrs.get("kind") not in _LABOR_KINDS and m not in ev.targets]:
        after, before = text[m.end : m.end + 40], text[max(sent.start, m.start - 40) : m.start]
        if re.match(rf"(?:’s|'s)?\s+(?:[a-z-]+\s+){{0,2}}(?:{_WORKERS})\b", after) or \
                re.search(rf"\b(?:{_WORKERS})\s+(?:at|of|for|from)\s+(?:the\s+)?$", before):
            ev.targets.append(m)
            parts = [p for p in parts if p is not m]
    if trig.type in ("open_letter", "petition") and parts:
        # "sent an open letter to the US ambassador, Harry Harris, and to ...": whom it is addressed to
        to = re.search(r"\bto\b", text[b : clause.end])
        if to:
            addressed = [m for m in parts if m.start >= b + to.start()]
            ev.targets += [m for m in addressed if m not in ev.targets]
            parts = [m for m in parts if m not in addressed]
    ev.participants = parts
    # size: a count of people in the clause or the sentence
    qs = [q for q in doc.quantities if _within(q, clause)]
    if not qs and (clause.start, clause.end) == (sent.start, sent.end) or not qs and doc.language == "ko":
        qs = [q for q in doc.quantities if _within(q, sent) and not any(_within(q, c) for c in busy)]
    if not qs and trig.type in PROTEST_TYPES and para is not None:
        # "... marched to parliament. about 5,000 people took part.": the crowd of the same paragraph
        qs = [q for q in doc.quantities if _within(q, para) and q.unit == "people" and _CROWD_NOUN.search(q.of)]
        if qs:
            ev.attrs["size_from"] = "context"
    share = next((q for q in qs if q.unit == "share"), None)
    if share is not None:
        ev.size, ev.size_hedge = float(share.attrs.get("size", 0)) or None, share.hedge
    elif qs:
        q = min(qs, key=lambda q: abs(q.start - a))
        ev.size, ev.size_hedge = q.value, q.hedge
    crowd = _crowd(text, clause, a) or (_crowd(text, sent, a) if (clause.start, clause.end) != (sent.start, sent.end) else None)
    if crowd:
        ev.attrs["crowd"] = crowd
    # confidence falls with every argument that was borrowed rather than read in the event's own clause
    place_factor = {"clause": 1.0, "sentence": 0.95, "context": 0.85, "demonym": 0.8, "document": 0.7}.get(
        str(ev.attrs.get("place_from")), 0.9) if ev.place is not None else 0.9
    part_factor = 1.0 if ev.participants and not ev.attrs.get("participants_from") else 0.85 if ev.participants else 0.8
    date_factor = 1.0 if source == "text" else 0.9
    ev.confidence = round(min(0.99, conf * place_factor * part_factor * date_factor), 3)
    return ev


_LABOR_KINDS = {"union", "local", "union_federation", "regional_council", "global_union_federation",
                "international_confederation", "regional_confederation", "coalition", "ngo"}
_WORKERS = r"workers|employees|staff|drivers|engineers|contractors|couriers|riders|technicians|moderators|janitors|cleaners|nurses|teachers"
_GROUPS = (
    r"workers|employees|teachers|nurses|doctors|physicians|students|miners|farmers|peasants|drivers|dockers|"
    r"dockworkers|pensioners|retirees|civil servants|public servants|journalists|lawyers|residents|villagers|"
    r"citizens|protesters|protestors|demonstrators|unionists|union members|activists|strikers|staff|laborers|"
    r"labourers|truckers|pilots|academics|lecturers|professors|firefighters|veterans|women|youths?|people|"
    r"supporters|traders|vendors|shopkeepers|merchants|steelworkers|autoworkers|metalworkers|engineers|"
    r"programmers|developers|contractors|moderators|couriers|riders|cleaners|janitors|attendants|members"
)
_CROWD = re.compile(rf"\b((?:(?:[a-z]+|[A-Z][\w&'-]*)[ -]){{0,2}}(?:{_GROUPS}))\b")
_CROWD_NOUN = re.compile(rf"\b(?:{_GROUPS})\b", re.I)
_NOT_MODIFIER = {"the", "a", "an", "of", "and", "or", "to", "by", "for", "with", "some", "about", "many", "thousands",
                 "hundreds", "dozens", "several", "more", "than", "over", "other", "their", "its", "his", "her",
                 "were", "was", "had", "have", "who", "which", "that", "in", "on", "at", "as", "from"}


def _crowd(text: str, span: Span, trig: int) -> str | None:
    """Who took part, as the text names the group: "public sector workers", "Amazon warehouse workers"."""
    found = []
    for m in _CROWD.finditer(text, span.start, span.end):
        words = m.group(1).split()
        while len(words) > 1 and (words[0].lower() in _NOT_MODIFIER or words[0].isdigit()):
            words = words[1:]
        found.append((m.start(1) > trig, abs(m.start(1) - trig), " ".join(words)))
    return min(found)[2] if found else None


def _origin(text: str, span: Span, m: Mention) -> bool:
    """A place in "allies from Japan, Quebec and France" is where people came from, not where it happened."""
    return bool(re.search(r"\bfrom\s+(?:the\s+)?(?:[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*\s*,\s*(?:and\s+)?)*$",
                          text[span.start : m.start]))


def _quote_span(text: str, sent: Span, pos: int) -> Span | None:
    """The quotation (“...” or "...") around ``pos`` within its sentence, if any."""
    seg = text[sent.start : sent.end]
    for m in re.finditer(r"“[^”]*”?|\"[^\"]*\"?", seg):
        if sent.start + m.start() <= pos < sent.start + m.end():
            return Span(sent.start + m.start(), sent.start + m.end())
    return None


def _qualifier(text: str, m: Mention, named: list[Mention]) -> bool:
    """A place that only qualifies a place, organization or title ("Los Angeles, USA", "FAT of Mexico", "the US ambassador")."""
    if m.attrs.get("place_kind") == "country" and re.match(
            r"\s+(?:ambassador|president|government|military|embassy|forces|troops|official|officials|side|delegation|negotiator)s?\b",
            text[m.end : m.end + 16], re.I):
        return True
    before = text[max(0, m.start - 4) : m.start]
    if re.search(r"(?:,\s*|\bof\s+)$", before):
        prev = [n for n in named if n.end <= m.start and n.end >= m.start - 5]
        if prev and prev[-1].type in ("place", "organization"):
            return True
    return False


def _compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def _key(m: Mention) -> str:
    return (m.canonical or m.text).lower()


def _merge(events: list[EventFact], places: Places) -> list[EventFact]:
    out: list[EventFact] = []
    for ev in events:
        target = None
        if ev.attrs.pop("anaphoric", False):
            own_date = ev.date if ev.date_source == "text" and ev.attrs.get("date_from") == "clause" else None
            own_place = ev.place.canonical if ev.place is not None and ev.attrs.get("place_from") == "clause" else None
            same = [o for o in out if o.type == ev.type
                    and _compatible(o.date if o.date_source == "text" else None, own_date)
                    and (own_place is None or o.place is None or places.is_inside(own_place, o.place.canonical or o.place.text)
                         or places.is_inside(o.place.canonical or o.place.text, own_place))]
            target = same[-1] if same else None
            if target is not None:
                # "The rally also highlighted...": more evidence, but its sentence's place and date
                # belong to whatever else that sentence tells
                ev.place, ev.date_source = None, "anaphora"
        for o in out if target is None else ():
            if o.type != ev.type or {o.status, ev.status} & {"happened", "failed"} and {o.status, ev.status} & {"planned", "demanded"}:
                continue  # what took place and what is still to come are two events
            d1 = o.date if o.date_source == "text" else None
            d2 = ev.date if ev.date_source == "text" else None
            if not _compatible(d1, d2):
                continue
            if o.place and ev.place and "document" not in (o.attrs.get("place_from"), ev.attrs.get("place_from")):
                p1, p2 = o.place.canonical or o.place.text, ev.place.canonical or ev.place.text
                if not (places.is_inside(p1, p2) or places.is_inside(p2, p1)):
                    continue
            k1, k2 = {_key(m) for m in o.participants}, {_key(m) for m in ev.participants}
            if k1 and k2 and not (k1 & k2) and d1 and d2:
                continue  # two dated events with different actors are two events
            target = o
            break
        if target is None:
            out.append(ev)
            continue
        target.attrs.setdefault("evidence", []).append([ev.start, ev.end])
        if ev.date_source == "text" and (target.date_source != "text" or len(ev.date or "") > len(target.date or "")):
            target.date, target.date_end, target.date_precision, target.date_source = ev.date, ev.date_end, ev.date_precision, ev.date_source
        levels = {"clause": 0, "sentence": 1, "context": 2, "demonym": 2, "document": 3}
        new_level = levels.get(str(ev.attrs.get("place_from")), 3)
        old_level = levels.get(str(target.attrs.get("place_from")), 3)
        if ev.place and (target.place is None or (new_level == 0 < old_level) or (old_level == 3 > new_level) or (new_level == old_level and PLACE_RANK.get(
                str(ev.place.attrs.get("place_kind")), 2) < PLACE_RANK.get(str(target.place.attrs.get("place_kind")), 2))):
            target.place, target.attrs["place_from"] = ev.place, ev.attrs.get("place_from")
        have = {_key(m) for m in target.participants}
        target.participants += [m for m in ev.participants if _key(m) not in have]
        have = {_key(m) for m in target.targets}
        target.targets += [m for m in ev.targets if _key(m) not in have]
        if target.size is None and ev.size is not None:
            target.size, target.size_hedge = ev.size, ev.size_hedge
        target.confidence = round(min(0.99, max(target.confidence, ev.confidence) + 0.05), 3)
    return out
