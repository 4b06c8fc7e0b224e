"""Name patterns for organizations (``org_patterns.v1``).

- ``Long Name (ACR)``: ACR becomes an alias of Long Name (the acronym's letters must follow
  the initials of the name, after Schwartz and Hearst), kept in ``doc.meta["acronyms"]``.
- ``KCTU-Korean Public Service ... Union``: the prefix is the body the union is affiliated to;
  ``CCMM-CSN``: the suffix is the body the council is part of.
- ``UE Locals 506, 610 and 618``, ``Local 506``: locals of the union named nearby.
- Capitalized names with an organization head word: ``... Workers' Union``,
  ``Confederation of ...``, ``... Solidarity Fund``, ``the advocacy organization ...``.
"""

from __future__ import annotations

import re

from solidarity_graph.model import Document, Mention

__all__ = ["find_org_patterns", "acronym_matches", "ORG_HEADS"]

EXTRACTOR = "org_patterns.v1"

ORG_HEADS = {
    "union": "union", "unions": "union", "federation": "union_federation",
    "confederation": "union_federation", "congress": "union_federation",
    "association": "union", "guild": "union", "brotherhood": "union", "syndicate": "union",
    "council": "regional_council", "alliance": "coalition", "coalition": "coalition",
    "network": "coalition", "front": "union_federation", "party": "party", "fund": "fund",
    "committee": "coalition", "league": "coalition", "workers": "union", "employees": "union",
    "teachers": "union", "institute": "ngo", "center": "ngo", "centre": "ngo",
    "foundation": "ngo", "department": "government", "ministry": "government",
    "agency": "government", "embassy": "embassy", "hub": "ngo", "initiative": "union_federation",
    # heads that come first in Romance languages
    "alianza": "union", "frente": "union_federation", "sindicato": "union",
    "syndicat": "union", "confédération": "union_federation", "confederación": "union_federation",
    "federación": "union_federation", "central": "union_federation", "conseil": "regional_council",
    "centrale": "union_federation", "federazione": "union", "unión": "union", "união": "union",
}
_CONNECT = r"(?:of|the|and|for|in|de|du|des|del|de la|la|le|los|das|dos|da|di|y|et|e|&)"
_CAP = r"(?:[A-Z][\w’'.&-]*|[A-Z]{2,}(?:-[A-Z]{2,})?)"
_NAME = rf"{_CAP}(?:\s+(?:{_CONNECT}\s+)*{_CAP})*"
_ACR = re.compile(r"\(\s*([A-Z][A-Za-z&]*[A-Z](?:-[A-Z]{2,})?)\s*\)")
_LOCALS = re.compile(
    r"\b(?:(?P<pre>[A-Z][A-Z&-]{1,10})\s+)?Locals?\s+(?P<nums>\d{1,5}[A-Z]?(?:\s*(?:,|and|&)\s*\d{1,5}[A-Z]?)*)"
)
_HEAD_LAST = re.compile(
    rf"\b(?:[Tt]he\s+)?((?:{_CAP}\s+(?:{_CONNECT}\s+)*){{0,7}}(?:[A-Z][\w’'-]*\s+)?"
    r"(?:Union|Unions|Federation|Confederation|Association|Guild|Brotherhood|Alliance|Coalition|"
    r"Network|Council|Fund|Party|Committee|League|Congress|Front|Initiative|Hub))"
    rf"((?:\s+(?:of|for|in)\s+(?:the\s+)?{_CAP}(?:\s+{_CAP})*(?:\s+(?:and|&)\s+{_CAP})?)?)"
)
_ORG_APPOSITION = re.compile(
    r"\b(?:advocacy |non-?profit |community |human rights |labou?r |grassroots )?"
    r"(?:organi[sz]ation|group|NGO|network|coalition)\s+((?:[A-Z][\w’'-]*)(?:\s+(?:in|of|for|and|[A-Z][\w’'-]*))*)"
)
_GENERIC_PREFIX = {"and", "of", "the", "korean", "japanese", "american", "us", "u.s.", "local", "national", "independent",
                   "trade", "labor", "labour", "workers", "our", "their", "both", "two", "three", "many", "other"}
_STOP_FIRST = {"The", "A", "An", "This", "That", "Our", "Their", "His", "Her", "Its", "In", "On", "At", "And"}


def acronym_matches(acr: str, long: str) -> int | None:
    """Where in ``long`` the name that ``acr`` abbreviates starts, or None (Schwartz-Hearst)."""
    letters = [c.lower() for c in acr if c.isalpha()]
    if len(letters) < 2:
        return None
    text = long.lower()
    li = len(letters) - 1
    i = len(text) - 1
    while li >= 0:
        ch = letters[li]
        # each letter must be found; the first letter must start a word
        while i >= 0 and (text[i] != ch or (li == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        li -= 1
        i -= 1
    start = i + 1
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    return start


def _strip_possessive(s: str) -> str:
    return re.sub(r"(?:’s|'s|’|')$", "", s.rstrip())


def _kind_of(name: str) -> str | None:
    words = re.findall(r"[\w’']+", name.lower())
    if not words:
        return None
    for w in (words[-1], words[0]):
        w = w.rstrip("’'s") if w.endswith(("’", "'")) else w
        if w in ORG_HEADS:
            return ORG_HEADS[w]
    for w in words:
        if w.rstrip("’'") in ("union", "workers", "confederation", "federation"):
            return ORG_HEADS[w.rstrip("’'")]
    return None


def _mention(doc: Document, start: int, end: int, conf: float, **attrs: object) -> Mention:
    return Mention(
        text=doc.text[start:end],
        type="organization",
        start=start,
        end=end,
        extractor=EXTRACTOR,
        confidence=conf,
        attrs={"priority": 90, **attrs},
    )


def find_org_patterns(doc: Document) -> Document:
    """Add organization mentions and acronym definitions found by pattern."""
    text = doc.text
    acronyms: dict[str, str] = doc.meta.setdefault("acronyms", {})
    for m in _ACR.finditer(text):
        acr = m.group(1)
        lo = max(0, text.rfind("\n", 0, m.start()) + 1, m.start() - 160)
        # a long form never runs over a clause mark
        lo = max([lo] + [text.rfind(c, lo, m.start()) + 1 for c in ";:()[]"])
        window = text[lo : m.start()].rstrip()
        window_stripped = _strip_possessive(window)
        rel = acronym_matches(acr.split("-")[0], window_stripped)
        if rel is None and window_stripped[-40:].islower():
            doc.meta.setdefault("acronym_defs", {})[acr] = window_stripped[-40:]
        if rel is None or len(window_stripped[rel:].split()) > len(acr) + 5:
            continue
        start = lo + rel
        end = lo + len(window_stripped)
        long = text[start:end]
        prefix = re.match(r"([A-Z]{2,})-(?=[A-Z][a-z])", text[max(lo, start - 12) : start + 1])
        doc.meta.setdefault("acronym_defs", {})[acr] = long
        if long[:1].islower() or len(long.split()) < 2:
            continue
        kind = _kind_of(long)
        acronyms[acr] = long
        if kind is None:
            continue
        attrs: dict[str, object] = {"kind": kind, "acronym": acr}
        # "KCTU-Korean Public Service ... Union": the union is affiliated to KCTU
        before = text[max(0, start - 8) : start]
        pm = re.search(r"\b([A-Z]{2,})-$", before)
        if pm:
            attrs["affiliated_to"] = pm.group(1)
        elif prefix:
            attrs["affiliated_to"] = prefix.group(1)
        if "-" in acr:  # CCMM-CSN: the council is part of CSN
            attrs["part_of"] = acr.split("-", 1)[1]
        long_mention = _mention(doc, start, end, 0.9, **attrs)
        long_mention.attrs["priority"] = 102  # a name defined in the text with its acronym is the best evidence
        doc.mentions.append(long_mention)
        doc.mentions.append(
            _mention(doc, m.start(1), m.end(1), 0.9, **attrs, long_name=long)
        )
    for m in _LOCALS.finditer(text):
        pre = m.group("pre")
        if pre and (pre in _STOP_FIRST or pre.lower() in {"its", "our", "and", "the"}):
            pre = None
        nums = re.findall(r"\d{1,5}[A-Z]?", m.group("nums"))
        pos = m.start("nums")
        for i, n in enumerate(nums):
            s = text.index(n, pos)
            pos = s + len(n)
            # the first local's span starts at "Local", so the union's own name stays a mention
            start = text.index("Local", m.start()) if i == 0 else s
            doc.mentions.append(
                _mention(doc, start, s + len(n), 0.85, kind="local", local_number=n, parent_hint=pre)
            )
    for m in _HEAD_LAST.finditer(text):
        name = m.group(1) + (m.group(2) or "")
        start = m.start(1)
        words = name.split()
        while words and words[0] in _STOP_FIRST:
            start += len(words[0]) + 1
            words = words[1:]
        if len(words) < 2:
            continue
        if all(w.lower() in _GENERIC_PREFIX or w.rstrip("’'s") in _GENERIC_PREFIX for w in words[:-1]) or \
                re.match(r"(?:[A-Z][a-z]+ )?(?:and|&) ", " ".join(words)) or \
                re.search(r"\b(?:Korean|Japanese|American|US|U\.S\.|Mexican|Brazilian|British|French|German|Italian|Canadian) and ", " ".join(words)):
            continue  # "Japanese and US Unions", "Korean Unions": a description, not a name
        end = start + len(" ".join(words))
        if text[start:end] != " ".join(words):
            end = m.end(2) if m.group(2) else m.end(1)
        kind = _kind_of(text[start:end]) or "union"
        # "the UE-FAT Solidarity Fund and UE Research and Education Fund": two names
        two = re.match(r"(.+?\b(?:Fund|Union|Federation|Confederation|Council|Network|Alliance|Party|Committee))\s+and\s+([A-Z].+)$", text[start:end])
        if two and _kind_of(two.group(2)) is not None:
            for a, b in ((start, start + len(two.group(1))), (end - len(two.group(2)), end)):
                doc.mentions.append(_mention(doc, a, b, 0.75, kind=_kind_of(text[a:b]) or "union",
                                             head_at=b - len(text[a:b].split()[-1])))
            continue
        heads = list(re.finditer(r"(?:Union|Unions|Federation|Confederation|Association|Guild|Brotherhood|Alliance|Coalition|Network|Council|Fund|Party|Committee|League|Congress|Front|Initiative|Hub)\b", text[start:end]))
        head_at = start + heads[-1].start() if heads else None
        doc.mentions.append(_mention(doc, start, end, 0.75, kind=kind, head_at=head_at))
    for m in _ORG_APPOSITION.finditer(text):
        name = re.sub(r"(?:\s+(?:in|of|for|and))+$", "", m.group(1))
        if len(name.split()) < 2 and not name.isupper():
            continue
        s = m.start(1)
        doc.mentions.append(_mention(doc, s, s + len(name), 0.7, kind="ngo"))
    return doc
