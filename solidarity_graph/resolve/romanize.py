"""Korean names in Latin letters (Revised Romanization, syllable by syllable, as names are written).

"정은보" -> "Jeong Eun-bo", so that 정은보 and "Eun-Bo Jeong" / "Jeong Eun-bo" / "Chung Eun-bo" are one
person: the resolver compares the romanized form by name parts, with surname variants folded.
"""

from __future__ import annotations

__all__ = ["romanize_name", "is_hangul"]

_INITIAL = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
_MEDIAL = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu",
           "eu", "ui", "i"]
_FINAL = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng",
          "t", "t", "k", "t", "p", "t"]
# surnames as they are usually spelled, not as the rules would (이 -> Lee, 박 -> Park)
_SURNAMES = {"이": "Lee", "박": "Park", "김": "Kim", "최": "Choi", "정": "Jeong", "조": "Cho", "윤": "Yoon", "임": "Lim",
             "오": "Oh", "강": "Kang", "장": "Jang", "한": "Han", "신": "Shin", "권": "Kwon", "황": "Hwang", "안": "Ahn",
             "송": "Song", "류": "Ryu", "유": "Yoo", "홍": "Hong", "고": "Ko", "문": "Moon", "양": "Yang", "손": "Son",
             "배": "Bae", "백": "Baek", "허": "Heo", "남": "Nam", "노": "Roh", "하": "Ha", "곽": "Kwak", "성": "Sung",
             "차": "Cha", "주": "Joo", "우": "Woo", "구": "Koo", "민": "Min", "진": "Jin", "전": "Jeon", "서": "Seo"}


def is_hangul(text: str) -> bool:
    """True when every letter of ``text`` is a Hangul syllable."""
    letters = [c for c in text if not c.isspace()]
    return bool(letters) and all("가" <= c <= "힣" for c in letters)


def _syllable(ch: str) -> str:
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return ch
    return _INITIAL[code // 588] + _MEDIAL[(code % 588) // 28] + _FINAL[code % 28]


def romanize_name(name: str) -> str:
    """A Korean personal name, surname first: "정은보" -> "Jeong Eun-bo"; other text unchanged."""
    name = name.replace(" ", "")
    if not is_hangul(name) or not 2 <= len(name) <= 4:
        return name
    two = name[:2] in ("남궁", "황보", "제갈", "선우", "독고")
    surname, given = (name[:2], name[2:]) if two else (name[:1], name[1:])
    family = _SURNAMES.get(surname) or "".join(_syllable(c) for c in surname).capitalize()
    parts = [_syllable(c) for c in given]
    return f"{family} {'-'.join(parts).capitalize()}" if parts else family
