"""Name folding and the rules that say two names are one entity.

The organization threshold, 92 on rapidfuzz's ratio over folded names, was chosen on the name
pairs in ``tests/resolve/test_resolve.py``: it keeps "Korean Confederation of Trade Union" =
"... Unions" and "Chicago Teachers' Union" = "Chicago Teachers Union", and leaves
"Korean Metal Workers Union" and "Korean Teachers Union" apart (numbers must agree in any case,
so "UE Local 506" never meets "UE Local 610"). A larger labelled set of pairs would measure it better.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

__all__ = ["fold_name", "numbers_agree", "org_score", "person_key", "ORG_THRESHOLD", "PERSON_THRESHOLD"]

ORG_THRESHOLD = 92.0
PERSON_THRESHOLD = 94.0


def fold_name(name: str) -> str:
    """Case, accents, punctuation, possessives and a leading "the" folded away."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.lower().replace("’", "'")
    s = re.sub(r"^the\s+", "", s)
    s = re.sub(r"'s\b", "", s)
    s = re.sub(r"[^\w]+", " ", s)
    return " ".join(s.split())


def numbers_agree(a: str, b: str) -> bool:
    """Names with numbers ("Local 506") only match when the numbers are the same."""
    return re.findall(r"\d+", a) == re.findall(r"\d+", b)


def org_score(a: str, b: str) -> float:
    """Similarity of two folded organization names, 0-100."""
    if not numbers_agree(a, b):
        return 0.0
    return float(fuzz.ratio(a, b))


def person_key(name: str, surname_key: object = None) -> tuple[str, ...]:
    """A person's name as a sorted tuple of folded parts (order-free: "Moon Jae-in" = "Jae-in Moon").

    Hangul names are romanized first (정은보 -> Jeong Eun-bo). For Korean names the given name is reduced
    to its consonants, since romanizations differ in their vowels ("Jae-myung"/"Jae-myeong",
    "Suk-yeol"/"Seok-yeol", "Jong-un"/"Jeong-eun").
    """
    from solidarity_graph.resolve.romanize import is_hangul, romanize_name

    if is_hangul(name):
        name = romanize_name(name)
    raw = name.replace("-", "").split()
    parts = fold_name(" ".join(raw)).split()
    known: set[str] = getattr(surname_key, "known", set())
    if callable(surname_key) and len(raw) >= 2 and (raw[0].capitalize() in known or raw[-1].capitalize() in known):
        # a Korean name: the surname, and the given name's consonants however it is spelled and split
        at = 0 if raw[0].capitalize() in known else len(raw) - 1
        given = fold_name("".join(w for i, w in enumerate(raw) if i != at)).replace(" ", "")
        parts = [str(surname_key(raw[at].capitalize())).lower(), re.sub(r"[aeiouw]", "", given) or given]
    elif callable(surname_key):
        parts = [str(surname_key(p.capitalize())).lower() for p in parts]
    return tuple(sorted(parts))
