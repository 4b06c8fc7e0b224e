"""Commitments and demands read from a document's sentences, by rule (``commitments.v1``).

English: commitments ("commits to", "pledge(s) to", "resolves to", "agrees to", "will continue to",
"reaffirms our commitment to", "said the two unions would", "RESOLVED that UE will / establishes")
and demands ("call(s) on X to", "urge(s) / ask(s) / encourage(s) X to", "demand(s) that", "demanding
the US end", "their demands for", "X should / must"). Korean: 요구했다 / 촉구했다 (demands),
약속했다 / 다짐했다 / -기로 했다 (commitments).

Each finding names who commits or demands (a mention in the clause; "we", "the union" and a bare
resolution line stand for the document's speaker, the labor organization it names most; "we" inside
a quotation for the person quoted), to or from whom (a mention, else the words as written), what,
and a due date only where the words give one ("by 2025", "in 2026", "before the end of the year").
The functions here are pure: :mod:`solidarity_graph.program.commitments` feeds them a stored
document and stores what they find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from solidarity_graph.program.commitment_dates import due_date

__all__ = ["EXTRACTOR", "Mark", "Found", "find_commitments", "split_sentences", "LABOR_KINDS"]

EXTRACTOR = "commitments.v1"
LABOR_KINDS = {"union", "local", "union_federation", "regional_council", "global_union_federation",
               "international_confederation", "regional_confederation", "coalition", "ngo"}


@dataclass(frozen=True)
class Mark:
    """A stored mention: where a named entity stands in the text."""

    start: int
    end: int
    entity_id: int
    type: str  # organization / person / place
    kind: str | None
    text: str

    @property
    def labor(self) -> bool:
        """A labor organization (or an allied NGO or coalition)."""
        return self.type == "organization" and self.kind in LABOR_KINDS

    @property
    def addressee(self) -> bool:
        """A body a demand is usually made of: a state, government, military, employer."""
        return (self.type == "organization" and self.kind not in LABOR_KINDS and self.kind is not None) or \
            (self.type == "place" and self.kind == "country")


@dataclass
class Found:
    """One commitment or demand, with the sentence it came from."""

    kind: str  # commitment / demand
    text: str  # what is committed to or demanded
    start: int  # the sentence
    end: int
    trigger: str
    subject_id: int | None = None
    subject_text: str | None = None
    object_id: int | None = None
    object_text: str | None = None
    due: str | None = None
    confidence: float = 0.7


@dataclass(frozen=True)
class _Rule:
    name: str
    kind: str
    rx: re.Pattern[str]
    confidence: float


_W = r"(?P<what>)(?=[\w\"“‘'])"
_CI = re.I
RULES = [
    _Rule("call_on", "demand", re.compile(r"\b(?:call(?:s|ed|ing)?|appeal(?:s|ed|ing)?)\s+(?:up)?on\s+(?P<obj>[^;:]{2,160}?)\s+to\s+" + _W, _CI), 0.8),
    _Rule("urge", "demand", re.compile(r"\b(?:urg(?:e|es|ed|ing)|ask(?:s|ed|ing)?|encourag(?:e|es|ed|ing))\s+(?P<obj>[^;:]{2,120}?)\s+to\s+" + _W, _CI), 0.75),
    _Rule("demand_that", "demand", re.compile(r"\b(?:demand(?:s|ed|ing)?|insist(?:s|ed|ing)?|urg(?:e|es|ed|ing))\s+that\s+" + _W, _CI), 0.75),
    _Rule("demands_are", "demand", re.compile(r"\bdemands?\s+(?:is|are|was|were|include[sd]?)\s+(?:that\s+)?" + _W, _CI), 0.7),
    _Rule("demanding", "demand", re.compile(r"\b(?:demanded|demanding)\s+(?!that\b|to\b|for\b)" + _W, _CI), 0.65),
    _Rule("we_demand", "demand", re.compile(r"\b(?:we|they|also|jointly)\s+demand\s+(?!that\b)" + _W, _CI), 0.7),
    _Rule("demands_for", "demand", re.compile(r"\bdemands?\s+for\s+" + _W, _CI), 0.6),
    _Rule("call_for", "demand", re.compile(r"\bcall(?:s|ed|ing)?\s+for\s+" + _W, _CI), 0.6),
    _Rule("modal", "demand", re.compile(r"\b(?:should|must)\s+(?:also\s+)?(?:be\s+ready\s+to\s+)?(?!be\b|not\b|have\s+been\b)" + _W), 0.6),
    _Rule("commit", "commitment", re.compile(r"\bcommit(?:s|ted|ting)?\s+(?:(?:ourselves|itself|themselves|myself)\s+)?to\s+" + _W, _CI), 0.8),
    _Rule("pledge", "commitment", re.compile(r"\bpledg(?:e|es|ed|ing)\s+(?:to\s+|that\s+)?" + _W, _CI), 0.8),
    _Rule("resolve_to", "commitment", re.compile(r"\bresolv(?:e|es|ed)\s+to\s+" + _W, _CI), 0.75),
    _Rule("agree", "commitment", re.compile(r"\bagree(?:s|d)?\s+to\s+(?!be\b)" + _W, _CI), 0.7),
    _Rule("continue", "commitment", re.compile(r"\b(?:will|shall)\s+continue\s+to\s+" + _W, _CI), 0.7),
    _Rule("reaffirm", "commitment", re.compile(r"\b(?:reaffirm|renew)(?:s|ed|ing)?\s+(?:our|its|their)\s+commitments?\s+to\s+" + _W, _CI), 0.75),
    _Rule("would", "commitment", re.compile(r"\bsaid\s+(?:that\s+)?(?P<subj>(?:the\s+)?(?:two\s+|three\s+|both\s+)?(?:unions|organi[sz]ations|sides|parties|federations)|they|we)\s+would\s+" + _W, _CI), 0.6),
]
# only in a resolution ("BE IT RESOLVED that UE will send ...", "- Establishes ...")
RESOLUTION_RULES = [
    _Rule("resolved_will", "commitment", re.compile(r"\b(?:will|shall)\s+(?!be\b|continue\b)" + _W, _CI), 0.75),
    _Rule("resolved_establish", "commitment", re.compile(r"\bestablish(?:es)?\s+" + _W, _CI), 0.7),
]
KO_RULES = [
    _Rule("ko_demand", "demand", re.compile(r"(?:요구|촉구)(?:했다|한다|하였다|했으며|했고|하며|하고\s*있다)"), 0.65),
    _Rule("ko_commit", "commitment", re.compile(r"(?:약속|다짐)(?:했다|한다|하였다|했으며|했고)|기로\s*(?:했다|합의했다|결의했다|약속했다)"), 0.65),
]

_NEGATED = re.compile(r"\b(?:not|never|no longer|refus\w*|reject\w*|declin\w*)\s+(?:\w+\s+){0,2}$|n[’']t\s+(?:\w+\s+){0,1}$", re.I)
_MODAL_BEFORE = re.compile(r"\b(?:must|should|ready to|need to|needs to|has to|have to|urg\w+|call\w* on|ask\w*)\s+(?:\w+\s+){0,3}$", re.I)
_BAD_OBJECT = re.compile(r"^(?:that|for|not)\b|\b(?:not|whether|if|would|will|when|is|are|was|were)\b", re.I)
_WE = re.compile(r"\b(?:we|our|us|this\s+(?:\w+\s+){0,2}convention|the\s+convention|the\s+resolution|the\s+declaration|the\s+delegation|the\s+statement"
                 r"|the\s+network|the\s+federation|union\s+(?:representatives|leaders|centers|centres)|delegates"
                 r"|the\s+(?:two\s+|three\s+)?unions?|both\s+unions|the\s+organi[sz]ations?)\b", re.I)
_THEY = re.compile(r"\b(?:they|it|he|she|which|who)\b", re.I)
_WE_ONLY = re.compile(r"\b(?:we|our|us|I)\b", re.I)
_PRONOUN_OBJECT = re.compile(r"^\s*(?:them|it|him|her)\s*$", re.I)
_ABBREV = re.compile(r"(?:\b[A-Z]|\bU\.S|\bU\.K|\bMr|\bMrs|\bMs|\bDr|\bSt|\bNo|\bJr|\bSr|\bInc|\bLtd|\bCo|\bGen|\bGov|\bSen|\bRep|\bvs|\be\.g|\bi\.e|\betc)\.$")
_END = re.compile(r"[.!?。](?:[\"”’)\]]+)?\s+(?=[\"“‘(\[]?[A-Z0-9가-힣])")


def split_sentences(text: str, known: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Sentences as ``(start, end)``: the extractor's own (``known``, from stored mentions) where it
    left them, a line-and-punctuation splitter for the rest. A sentence never crosses a line break."""
    spans = sorted({(a, b) for a, b in (known or []) if 0 <= a < b <= len(text)})
    out: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        a, b = line.start(), line.end()
        inside = [s for s in spans if a <= s[0] and s[1] <= b]
        pos = a
        for s in inside:
            if s[0] < pos:
                continue
            out.extend(_split_plain(text, pos, s[0]))
            out.append(s)
            pos = s[1]
        out.extend(_split_plain(text, pos, b))
    return out


def _split_plain(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out = []
    pos = a
    for m in _END.finditer(text, a, b):
        if _ABBREV.search(text[max(a, m.start() - 6) : m.start() + 1]):
            continue
        out.append((pos, m.end()))
        pos = m.end()
    out.append((pos, b))
    return [_trim(text, s, e) for s, e in out if text[s:e].strip()]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


@dataclass
class _Doc:
    text: str
    sentences: list[tuple[int, int]]
    marks: list[Mark]
    speaker: int | None
    published: str | None
    resolution: bool

    def marks_in(self, a: int, b: int) -> list[Mark]:
        return [m for m in self.marks if a <= m.start and m.end <= b]


def find_commitments(text: str, sentences: list[tuple[int, int]], marks: list[Mark], *, speaker: int | None,
                     published: str | None = None, language: str = "en") -> list[Found]:
    """Every commitment and demand in ``text``, in text order.

    >>> found = find_commitments("We pledge to support KCTU.", [(0, 26)], [Mark(20, 24, 7, "organization", "union_federation", "KCTU")], speaker=3)
    >>> [(f.kind, f.text, f.subject_id, f.object_id) for f in found]
    [('commitment', 'support KCTU', 3, 7)]
    """
    doc = _Doc(text, sorted(sentences), sorted(marks, key=lambda m: m.start), speaker, published,
               bool(re.search(r"\bRESOLVED\b", text)))
    out: list[Found] = []
    for i, (a, b) in enumerate(doc.sentences):
        if language == "ko" or re.search(r"[가-힣]", text[a:b]):
            out += _korean(doc, i, a, b)
        else:
            out += _english(doc, i, a, b)
    return out


def _english(doc: _Doc, i: int, a: int, b: int) -> list[Found]:
    seg = doc.text[a:b]
    rules = RULES + (RESOLUTION_RULES if doc.resolution and _in_resolution(doc.text, a, seg) else [])
    hits: list[tuple[int, _Rule, re.Match[str]]] = []
    taken: set[int] = set()
    for rule in rules:
        for m in rule.rx.finditer(seg):
            if m.start() in taken or not _acceptable(doc, a, seg, rule, m):
                continue
            taken.add(m.start())
            hits.append((m.start(), rule, m))
    hits.sort(key=lambda h: h[0])
    out = []
    for n, (_, rule, m) in enumerate(hits):
        stop = hits[n + 1][0] if n + 1 < len(hits) else len(seg)
        if _quoted(doc.text, a + m.start()):
            close = re.search(r"[”\"]", seg[m.start("what") : stop])
            stop = m.start("what") + close.start() if close else stop
        what = _clip(seg[m.start("what") : stop])
        if len(what) < 3:
            continue
        f = Found(rule.kind, what, a, b, m.group(0).strip(), confidence=rule.confidence)
        _who(doc, i, a, seg, rule, m, f)
        _whom(doc, a, seg, rule, m, f)
        f.due = due_date(what, doc.published)
        out.append(f)
    return out


def _in_resolution(text: str, a: int, seg: str) -> bool:
    """A resolving clause ("BE IT RESOLVED that UE will ..."), or a bullet line after one."""
    return "RESOLVED" in seg or (seg.lstrip().startswith(("-", "*", "•")) and "RESOLVED" in text[:a])


def _acceptable(doc: _Doc, a: int, seg: str, rule: _Rule, m: re.Match[str]) -> bool:
    before = seg[: m.start()]
    if _NEGATED.search(before):
        return False
    if rule.kind == "commitment" and _MODAL_BEFORE.search(before):
        return False  # "the United States must be ready to commit to": a demand, read by the modal rule
    if "obj" in m.groupdict() and m.group("obj") is not None:
        obj = m.group("obj")
        if _BAD_OBJECT.search(obj) or len(obj.split()) > 14:
            return False
    if rule.name == "modal":
        np = _clause_before(seg, m.start())
        marks = doc.marks_in(a + m.start() - len(np), a + m.start())
        if len(np.split()) > 7 or re.search(r"\b(?:we|I|you|our)\b", np, re.I) or not any(x.addressee for x in marks):
            return False
    if rule.name == "would" and m.group("subj").lower() in ("they", "we"):
        head = seg[: m.start()]
        if not (any(x.labor for x in doc.marks_in(a, a + m.start())) or _WE.search(head)):
            return False  # "Many of them ... said they would report for work": not an organization's word
    if rule.name in ("demands_for", "call_for", "we_demand"):
        head = _clause_before(seg, m.start())
        if not (doc.marks_in(a + m.start() - len(head), a + m.start()) or _WE.search(head) or _THEY.search(head)):
            return False  # "Workers Call for Peace" (a headline): nobody we can name
    return True


def _clause_before(seg: str, pos: int) -> str:
    """The words from the clause's start (the sentence, or after ; : or a comma) to ``pos``."""
    cut = max(seg.rfind(c, 0, pos) for c in ";:,")
    return seg[cut + 1 : pos] if cut >= 0 else seg[:pos]


def _clip(what: str) -> str:
    what = re.split(r";\s", what)[0]
    what = re.sub(r"(?:,?\s+(?:and|or|but|while))?[\s,;:.!?\"”’]*$", "", what.strip())
    return what.strip(" \"“”‘’")


def _who(doc: _Doc, i: int, a: int, seg: str, rule: _Rule, m: re.Match[str], f: Found) -> None:
    """Who commits or demands: the words just before the verb ("and we pledge", "UE members pledged"),
    else the first party the clause names ("The union also sent a letter to ..., asking")."""
    if rule.name == "would":
        f.subject_text = m.group("subj")
        f.subject_id = _look_back(doc, i, a + m.start(), labor_only=True) or doc.speaker
        return
    if rule.name == "modal":
        f.subject_id = doc.speaker
        return
    start = max(seg.rfind(";", 0, m.start()), seg.rfind(":", 0, m.start())) + 1
    res = re.search(r"RESOLVED,?\s+(?:that|THAT)\s+", seg[start : m.start()])
    if res:
        start += res.end()
    phrase = seg[start : m.start()]
    we = _WE_ONLY.search(phrase)
    if we is not None and _quoted(doc.text, a + m.start()):
        person = _quoted_person(doc, a + m.start())
        if person is not None:  # "“We are calling on ...,” said Aaron Goggans": the person quoted
            f.subject_id, f.subject_text = person.entity_id, we.group(0)
            return
    parties = _parties(doc, a + start, phrase, f.kind)
    tail_from = len(phrase.rstrip()) - len(" ".join(phrase.split()[-3:]))
    near = [p for p in parties if p[0] >= tail_from and p[1] in ("labor", "we", "they")]
    pick = near[-1] if near else min(parties, default=None, key=lambda p: (p[0], p[1] == "other"))
    if pick is None:
        f.subject_id = doc.speaker  # nobody named: the document's author
    elif pick[1] == "we":
        f.subject_id, f.subject_text = doc.speaker, pick[2]
    elif pick[1] == "they":
        f.subject_id = _look_back(doc, i, a + start, labor_only=f.kind == "demand") or doc.speaker
        f.subject_text = pick[2]
    else:
        f.subject_id, f.subject_text = pick[3], pick[2]


def _parties(doc: _Doc, at: int, phrase: str, kind: str) -> list[tuple[int, str, str, int | None]]:
    """Who a clause names, as (position, sort, words, entity): labor organizations, people, "we",
    "they", the clause's head ("The US delegation insisted"), and for commitments any state."""
    out: list[tuple[int, str, str, int | None]] = []
    for x in doc.marks_in(at, at + len(phrase)):
        pos = x.start - at
        modifier = re.match(r"\s+(?:workers|members|unionists|activists|citizens|people)\b", doc.text[x.end : x.end + 14])
        if x.labor:
            out.append((pos, "labor", x.text, x.entity_id))
        elif x.type == "person":
            out.append((pos, "person", x.text, x.entity_id))
        elif (pos <= 12 or kind == "commitment") and (x.addressee or x.type == "organization") and not modifier:
            out.append((pos, "head" if pos <= 12 else "other", x.text, x.entity_id))
    out += [(w.start(), "we", w.group(0), None) for w in _WE.finditer(phrase)]
    out += [(w.start(), "they", w.group(0), None) for w in _THEY.finditer(phrase)]
    return out


def _quoted(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    before = text[line_start:pos]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _quoted_person(doc: _Doc, pos: int) -> Mark | None:
    """The person a quotation is attributed to ("...," said Aaron Goggans / Jung said "...")."""
    line_start = doc.text.rfind("\n", 0, pos) + 1
    line_end = doc.text.find("\n", pos)
    line_end = len(doc.text) if line_end == -1 else line_end
    people = [x for x in doc.marks_in(line_start, line_end) if x.type == "person"]
    for p in people:
        around = doc.text[max(line_start, p.start - 12) : p.end + 10]
        if re.search(r"\b(?:said|says|stated|added)\b", around):
            return p
    return None


def _look_back(doc: _Doc, i: int, pos: int, *, labor_only: bool = False) -> int | None:
    """Whom "they" or "the two unions" stand for: the nearest organization named before, in this
    sentence or up to three sentences back (a labor organization first)."""
    a = doc.sentences[i][0]
    spans = [(a, pos)] + [doc.sentences[j] for j in range(i - 1, max(-1, i - 4), -1)]
    for s, e in spans:
        marks = doc.marks_in(s, e)
        labor = [x for x in marks if x.labor]
        if labor:
            return labor[-1].entity_id if s == a else labor[0].entity_id
        others = [x for x in marks if x.type in ("organization", "place") and (x.addressee or x.type == "organization")]
        if others and not labor_only:
            return others[0].entity_id
    return None


def _whom(doc: _Doc, a: int, seg: str, rule: _Rule, m: re.Match[str], f: Found) -> None:
    """To or from whom: the addressee of a demand, the partner of a commitment."""
    gd = m.groupdict()
    if gd.get("obj"):
        s, e = a + m.start("obj"), a + m.end("obj")
        f.object_text = m.group("obj").strip()
        marks = [x for x in doc.marks_in(s, e) if x.entity_id != f.subject_id and (
            x.type != "place" or not re.search(r"\b(?:from|in|at|near)\s+(?:the\s+)?$", doc.text[s : x.start]))]
        if marks:
            f.object_id = marks[0].entity_id
        elif _PRONOUN_OBJECT.match(f.object_text):
            sent = re.search(r"\b(?:letter|message|petition|appeal|statement)\s+to\s+(?P<to>.+?)[\s,]*$", seg[: m.start()])
            if sent:
                f.object_text = sent.group("to")
                named = [x for x in doc.marks_in(a + sent.start("to"), a + sent.end("to")) if x.type in ("organization", "person")]
                f.object_id = named[0].entity_id if named else None
        return
    if rule.name == "modal":
        np = _clause_before(seg, m.start())
        marks = [x for x in doc.marks_in(a + m.start() - len(np), a + m.start()) if x.addressee]
        f.object_id, f.object_text = marks[0].entity_id, np.strip()
        return
    w = a + m.start("what")
    if rule.name in ("demand_that", "demanding", "demands_are", "we_demand"):
        head = [x for x in doc.marks_in(w, w + 40) if x.start <= w + 12 and x.type in ("organization", "place", "person")]
        if head:
            f.object_id = head[0].entity_id
        return
    if rule.kind == "commitment":
        partners = [x for x in doc.marks_in(w, a + len(seg)) if x.type in ("organization", "person") and x.entity_id != f.subject_id
                    and x.kind not in ("employer", "fund")]
        if partners and partners[0].start < w + len(f.text):
            f.object_id = partners[0].entity_id


# ---- Korean ---------------------------------------------------------------------------------------

_KO_CONNECTORS = re.compile(r"(?:열고|내고|모여|하며|이며|라며|며|면서|,)\s+")
_KO_GROUP = re.compile(r"(?:노조|노동조합|두\s*조직|양측|참가자들|조합원들|이들)(?:은|는|이|가)\b")


def _korean(doc: _Doc, i: int, a: int, b: int) -> list[Found]:
    seg = doc.text[a:b]
    out = []
    for rule in KO_RULES:
        for m in rule.rx.finditer(seg):
            marks = doc.marks_in(a, a + m.start())
            subj = next((x for x in marks if doc.text[x.end : x.end + 1] in ("은", "는", "이", "가", "과", "와", "(")
                         and x.type in ("organization", "person")), None)
            cut = 0
            for c in _KO_CONNECTORS.finditer(seg, 0, m.start()):
                cut = c.end()
            group = _KO_GROUP.search(seg, 0, m.start())
            if subj is not None and subj.end - a + 2 > cut:
                cut = subj.end - a + 2
            if group is not None and group.end() > cut:
                cut = group.end()
            body = seg[cut : m.start() + (1 if rule.name == "ko_commit" and m.group(0).startswith("기로") else 0)]
            obj = next((x for x in doc.marks_in(a + cut, a + m.start()) if re.match(r"\s*(?:에게|에)\s", doc.text[x.end : x.end + 4])), None)
            if obj is None:
                obj = next((x for x in marks if x is not subj and re.match(r"\s*(?:에게|에)\s", doc.text[x.end : x.end + 4])), None)
            if obj is not None:
                body = re.sub(rf"^{re.escape(obj.text)}\s*(?:에게|에)\s+|\s+{re.escape(obj.text)}\s*(?:에게|에)\s*$", "", body.strip())
            body = re.sub(r"라고$", "라", body.strip(" ,"))
            if len(body) < 2:
                continue
            f = Found(rule.kind, body, a, b, m.group(0), confidence=rule.confidence)
            if subj is not None:
                f.subject_id, f.subject_text = subj.entity_id, subj.text
            else:
                f.subject_text = group.group(0)[:-1] if group else None
                f.subject_id = (_look_back(doc, i, a, labor_only=True) if group and "두" in group.group(0) else None) or doc.speaker
            if obj is not None:
                f.object_id, f.object_text = obj.entity_id, obj.text
            out.append(f)
    return out
