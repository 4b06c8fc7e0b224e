"""Korean (``ko_core.v1``): sentences from kiwipiepy, people by name and title, Korean dates and numbers.

Organizations and places come from the same gazetteer and place lists as English (their Korean
names: 민주노총, 전국금속노동조합, 주한미군, 서울); people are a Korean name followed by a title
("양경수 위원장", "정은보 대사"); dates are read against the document's date ("2020년 3월 20일",
"20일", "17일부터 19일까지", "다음 달 1일", "지난해"); numbers of people with their hedges
("약 9천 명", "절반").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from solidarity_graph.extract.dates import parse_doc_date
from solidarity_graph.model import Document, Mention, Quantity, RelationFact, Span

__all__ = ["load_kiwi", "korean_sentences", "korean_people", "korean_names", "korean_dates", "korean_quantities", "korean_titles"]

EXTRACTOR = "ko_core.v1"
LANG_DIR = Path(__file__).parent / "lang" / "ko"
SURNAMES = set("김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용예경봉사부")


@lru_cache(maxsize=1)
def load_kiwi() -> Any:
    """The Kiwi analyser (its model ships in the kiwipiepy_model package), with the gazetteer's
    Korean names as proper nouns of its dictionary, so "민주노총은" is cut as 민주노총 + 은."""
    from kiwipiepy import Kiwi

    from solidarity_graph.extract.gazetteer import load_gazetteer

    kiwi = Kiwi()
    seen: set[str] = set()
    for entry in load_gazetteer().entries.values():
        for name in entry.all_names:
            if re.fullmatch(r"[가-힣]{2,20}", name) and name not in seen:
                seen.add(name)
                kiwi.add_user_word(name, "NNP", 0.0)
    return kiwi


@lru_cache(maxsize=1)
def korean_titles() -> dict[str, str]:
    """Korean title -> role category."""
    data = yaml.safe_load((LANG_DIR / "titles.yaml").read_text(encoding="utf-8"))
    return {t: cat for cat, names in data.items() for t in names}


def korean_sentences(doc: Document) -> Document:
    """Paragraphs by line, sentences by Kiwi within each line."""
    from solidarity_graph.extract.sentences import split_paragraphs

    doc.paragraphs = split_paragraphs(doc.text)
    kiwi = load_kiwi()
    sents: list[Span] = []
    for para in doc.paragraphs:
        for s in kiwi.split_into_sents(doc.text[para.start : para.end]):
            sents.append(Span(para.start + s.start, para.start + s.end))
    doc.sentences = sents or [Span(0, len(doc.text))]
    return doc


def korean_people(doc: Document) -> Document:
    """People: a Korean name of two to four syllables followed by a title; holds_role to the body before."""
    titles = korean_titles()
    title_re = "|".join(sorted(map(re.escape, titles), key=len, reverse=True))
    for m in re.finditer(rf"(?<![가-힣])([가-힣]{{2,4}})\s?({title_re}|씨)(?![가-힣]{{2}})", doc.text):
        name = m.group(1)
        if name[0] not in SURNAMES or len(name) < 2:
            continue
        if len(name) == 4 and name[:2] not in ("남궁", "황보", "제갈", "선우", "독고"):
            name = name[1:]  # a particle or a letter of the word before crept in
        start = m.start(1) + (len(m.group(1)) - len(name))
        person = Mention(name, "person", start, start + len(name), EXTRACTOR, 0.75, canonical=name, attrs={"priority": 85})
        doc.mentions.append(person)
        title = m.group(2)
        if title == "씨":
            continue
        before = [x for x in doc.mentions if x.type in ("organization", "place") and x.end <= start and start - x.end <= 3]
        if before:
            sent = doc.sentence_of(start)
            doc.relations.append(RelationFact(person, "holds_role", before[-1], sent.start, sent.end, EXTRACTOR, 0.75,
                                              {"title": title, "category": titles[title]}))
    return doc


_OG_SUFFIX = ("경찰청", "경찰서", "경찰", "검찰", "법원", "지검", "청", "부", "처", "원", "위원회", "협회", "연합회", "노조", "노동조합",
              "조합", "공사", "공단", "은행", "그룹", "전자", "자동차", "건설", "증권", "보험", "재단", "연구소", "연구원", "대학교",
              "대학", "학교", "병원", "센터", "당", "시청", "구청", "군청", "도청", "의회", "회사", "방송", "일보", "신문", "협의회", "연맹")
_LC_SUFFIX = ("특별시", "광역시", "시", "도", "군", "구", "동", "읍", "면", "리", "로", "산", "강", "역", "공항", "항", "섬", "광장")


def korean_names(doc: Document) -> Document:
    """Organizations and places the gazetteer does not know, read from Kiwi's proper nouns and their endings."""
    kiwi = load_kiwi()
    taken = bytearray(len(doc.text) + 1)
    hard = bytearray(len(doc.text) + 1)  # what a longer organization name may not swallow (all but places)
    for m in doc.mentions:
        taken[m.start : m.end] = b"\x01" * (m.end - m.start)
        if m.type != "place":
            hard[m.start : m.end] = b"\x01" * (m.end - m.start)
    tokens = kiwi.tokenize(doc.text)
    title_at = _title_after()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.tag != "NNP":
            i += 1
            continue
        found = _foreign_person(doc, tokens, i, taken, title_at) or _korean_name(doc, tokens, i, taken)
        if found:
            i = found
            continue
        # a run of nouns that starts with a proper noun: "서울중앙지검", "현대자동차 노조"
        j, end = i, tok.start + tok.len
        while j + 1 < len(tokens) and tokens[j + 1].tag in ("NNP", "NNG", "XSN") and tokens[j + 1].start <= end + 1:
            j += 1
            end = tokens[j].start + tokens[j].len
        start = tok.start
        text = doc.text[start:end]
        i = j + 1
        if any(hard[start:end]) or len(text) < 2:
            continue
        kind = "organization" if text.endswith(_OG_SUFFIX) else "place" if text.endswith(_LC_SUFFIX) and len(text) <= 8 else None
        if kind is None or kind == "place" and any(taken[start:end]):
            continue
        if any(taken[start:end]):
            # "한국지질자원연구원", "미국 전기노조": a place at the head of an organization's name is part of the name
            inside = [m for m in doc.mentions if m.type == "place" and start <= m.start and m.end <= end]
            if not inside or any(m.start < start or m.end > end for m in doc.mentions if m.type == "place" and m.start < end and start < m.end):
                continue
            doc.mentions = [m for m in doc.mentions if not any(m is x for x in inside)]
        doc.mentions.append(Mention(text, kind, start, end, EXTRACTOR, 0.55, canonical=text, attrs={"priority": 50}))
        taken[start:end] = hard[start:end] = b"\x01" * (end - start)
    _institutions(doc, taken)
    _facilities(doc)
    return doc


# State bodies named by a common noun ("경찰은", "법원은"): organizations of the country the text is about
_INSTITUTIONS = re.compile(r"(?<![가-힣])(대법원|헌법재판소|법원|검찰|경찰|국회|정부)(?=은|는|이|가|을|를|의|에|과|와|도|\s)")


def _institutions(doc: Document, taken: bytearray) -> None:
    for m in _INSTITUTIONS.finditer(doc.text):
        if any(taken[m.start(1) : m.end(1)]):
            continue
        doc.mentions.append(Mention(m[1], "organization", m.start(1), m.end(1), EXTRACTOR, 0.6, canonical=m[1],
                                    attrs={"priority": 45, "kind": "government"}))
        taken[m.start(1) : m.end(1)] = b"\x01" * (m.end(1) - m.start(1))


def _facilities(doc: Document) -> None:
    """"김포공항", "울산공장": a place and the facility written with it are the more specific place."""
    for m in list(doc.mentions):
        if m.type != "place":
            continue
        tail = re.match(r"(공항|공장|역|항|광장|청사|캠퍼스)(?![가-힣])", doc.text[m.end : m.end + 4])
        if tail is None:
            continue
        end = m.end + tail.end()
        name = doc.text[m.start : end]
        doc.mentions.append(Mention(name, "place", m.start, end, EXTRACTOR, 0.7, canonical=name,
                                    attrs={"priority": 90, "place_kind": "site", "country": m.attrs.get("country"),
                                           "in": m.canonical or m.text}))


@lru_cache(maxsize=1)
def _title_after() -> re.Pattern[str]:
    """A title right after a name, maybe after "미국 측" ("제임스 드하트 미국 측 협상대표")."""
    titles = "|".join(sorted(map(re.escape, korean_titles()), key=len, reverse=True))
    return re.compile(rf"\s?(?:[가-힣]{{1,6}}\s?측\s?)?(?:{titles})(?![가-힣]{{2}})")


@lru_cache(maxsize=1)
def _title_after_word() -> re.Pattern[str]:
    """A title after one word: the body the person belongs to ("정두언 새누리당 의원")."""
    titles = "|".join(sorted(map(re.escape, korean_titles()), key=len, reverse=True))
    return re.compile(rf"\s[가-힣A-Za-z]{{2,10}}\s(?:{titles})(?![가-힣]{{2}})")


def _foreign_person(doc: Document, tokens: list[Any], i: int, taken: bytearray, title_at: re.Pattern[str]) -> int:
    """A foreign name written in Hangul: proper nouns in a row, then a title ("아틀레 회이에 사무총장").

    Korean names are one word and found by ``korean_people``; a name of several words, or one
    word that does not start with a Korean surname, before a title is a foreign person. Returns
    the index of the token after the name, or 0.
    """
    j = i
    while j + 1 < len(tokens) and tokens[j + 1].tag == "NNP" and tokens[j + 1].start == tokens[j].start + tokens[j].len + 1 \
            and re.fullmatch(r"[가-힣]+", tokens[j + 1].form) and not any(taken[tokens[j + 1].start : tokens[j + 1].start + tokens[j + 1].len]):
        j += 1
    start = tokens[i].start
    while j >= i and not title_at.match(doc.text, tokens[j].start + tokens[j].len):
        j -= 1  # "제임스 드하트 미국 측 협상대표": the name ends where the title's words begin
    if j < i:
        return 0
    end = tokens[j].start + tokens[j].len
    name = doc.text[start:end]
    if any(taken[start:end]) or not re.fullmatch(r"[가-힣]+(?: [가-힣]+){0,2}", name):
        return 0
    first = tokens[i].form
    if name.endswith(_OG_SUFFIX) or j == i and (first[0] in SURNAMES and len(first) <= 3 or len(name) < 2):
        return 0  # a Korean name (one word: "정두언 새누리당 의원" is a name and a party) or an organization
    doc.mentions.append(Mention(name, "person", start, end, EXTRACTOR, 0.7, canonical=name,
                                attrs={"priority": 80, "foreign": True}))
    taken[start:end] = b"\x01" * (end - start)
    return j + 1


_OCCUPATION = re.compile(r"(?:배우|가수|감독|선수|작가|기자|교수|변호사|시인|화가|코치|투수|타자|앵커|개그맨|방송인|모델|아나운서|"
                         r"활동가|노동자|조합원|위원장|대표|회장|사장|의원|대통령|총리|장관)\s$")
_HONORIFIC = re.compile(r"\s?(?:씨|군|양|옹|여사|할머니|할아버지|선생|님)(?![가-힣])")


def _korean_name(doc: Document, tokens: list[Any], i: int, taken: bytearray) -> int:
    """A Korean name Kiwi marks as a proper noun, told by what is around it: an occupation or title
    before it ("배우 한혜진이", "위원장 양경수"), an honorific after it ("박소현 씨"), or a particle
    after a three-syllable name that starts with a surname ("안현수를")."""
    tok = tokens[i]
    name = tok.form
    start, end = tok.start, tok.start + tok.len
    if not re.fullmatch(r"[가-힣]{2,4}", name) or name[0] not in SURNAMES or any(taken[start:end]) \
            or name.endswith(_OG_SUFFIX) or name.endswith(_LC_SUFFIX) or doc.text[start:end] != name:
        return 0
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    glued = nxt is not None and nxt.start == end
    if len(name) == 2 and name.endswith("모"):
        return 0  # "김모 씨": a person the report does not name
    cue = _OCCUPATION.search(doc.text[max(0, start - 8) : start]) or _HONORIFIC.match(doc.text, end) \
        or _title_after_word().match(doc.text, end)
    if not cue and not (len(name) == 3 and glued and nxt is not None and nxt.tag.startswith("J")):
        return 0
    doc.mentions.append(Mention(name, "person", start, end, EXTRACTOR, 0.6 if cue else 0.5, canonical=name,
                                attrs={"priority": 60}))
    taken[start:end] = b"\x01" * (end - start)
    return i + 1


def _ymd(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


_RELATIVE = re.compile(
    r"(?:(?P<pre>지난(?![해달])|오는|이번(?!\s?달))\s?)?(?:(?P<yw>지난해|작년|올해|내년)\s?|(?P<y>\d{4})년\s?)?"
    r"(?:(?P<mw>지난달|이달|이번 달|다음 달|다음달)\s?|(?P<mo>\d{1,2})월\s?)?"
    r"(?:(?P<d>\d{1,2})(?:일)?(?:\s?[∼~-]\s?(?P<d2>\d{1,2}))?일)?")


def _relative_dates(text: str, base: dt.date, add: Any) -> None:
    """Dates written with their frame, as one span: "지난해 5월 17일", "지난달 30일", "오는 8월 3일",
    "지난 27∼28일", "2013년"; "지난"/"오는" say which way from the document's date."""
    for m in _RELATIVE.finditer(text):
        if not (m["d"] or m["mo"] or m["y"]) or not (m["pre"] or m["yw"] or m["mw"] or m["y"]) or m.end() - m.start() < 2:
            continue  # a bare "17일" is read by the rules that follow
        if m["y"] and not (m["mo"] or m["d"]) and not re.match(r"\s?(?:[가-힣]|$)", text[m.end() : m.end() + 1]):
            continue
        ahead = m["pre"] == "오는"
        year = int(m["y"]) if m["y"] else base.year + {"지난해": -1, "작년": -1, "올해": 0, "내년": 1}.get(m["yw"] or "", 0)
        if m["mw"]:
            k = base.month - 1 + {"지난달": -1, "이달": 0, "이번 달": 0, "다음 달": 1, "다음달": 1}[m["mw"]]
            year, month = base.year + k // 12, k % 12 + 1
        elif m["mo"]:
            month = int(m["mo"])
            if not 1 <= month <= 12:
                continue
            if not (m["y"] or m["yw"]):  # "지난 7월" is the last July; "오는 8월" the next
                year = base.year + (1 if ahead and month < base.month else -1 if not ahead and m["pre"] == "지난" and month > base.month else 0)
        elif m["d"]:
            month = base.month
            if m["pre"] == "지난" and int(m["d"]) > base.day:
                year, month = (base.year, base.month - 1) if base.month > 1 else (base.year - 1, 12)
            elif ahead and int(m["d"]) < base.day:
                year, month = (base.year, base.month + 1) if base.month < 12 else (base.year + 1, 1)
        else:
            month = 0
        end = m.start() + len(m.group().rstrip())
        if m["d"]:
            add(m.start(), end, _ymd(year, month, int(m["d"])), _ymd(year, month, int(m["d2"])) if m["d2"] else None, "day")
        elif month:
            add(m.start(), end, f"{year:04d}-{month:02d}", None, "month")
        else:
            add(m.start(), end, f"{year:04d}", None, "year")


def korean_dates(doc: Document) -> Document:
    """Date mentions with normalized values, read against the document's date."""
    info = parse_doc_date(doc.published)
    base = info[0] if info else None
    used = bytearray(len(doc.text) + 1)

    def add(s: int, e: int, value: str | None, end: str | None, prec: str) -> None:
        if value is None or any(used[s:e]):
            return
        used[s:e] = b"\x01" * (e - s)
        doc.mentions.append(Mention(doc.text[s:e], "date", s, e, EXTRACTOR, 0.9,
                                    attrs={"value": value, "end": end, "precision": prec, "rule": "ko"}))

    def span_only(s: int, e: int, value: str | None, end: str | None, prec: str) -> None:
        # no document date: a relative date is still a date, its value unknown
        if any(used[s:e]):
            return
        if value is not None and not re.match(r"\d{4}년", doc.text[s:e]):
            value = end = None
        used[s:e] = b"\x01" * (e - s)
        doc.mentions.append(Mention(doc.text[s:e], "date", s, e, EXTRACTOR, 0.9 if value else 0.6,
                                    attrs={"value": value, "end": end, "precision": prec if value else None, "rule": "ko"}))

    text = doc.text
    _relative_dates(text, base or dt.date(2000, 6, 15), add if base is not None else span_only)
    for m in re.finditer(r"(\d{4})년\s?(\d{1,2})월\s?(\d{1,2})일(?:\s?부터\s?(\d{1,2})일\s?까지)?", text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        add(m.start(), m.end(), _ymd(y, mo, d), _ymd(y, mo, int(m[4])) if m[4] else None, "day")
    for m in re.finditer(r"(\d{4})년\s?(\d{1,2})월(?!\s?\d{1,2}일)", text):
        add(m.start(), m.end(), f"{int(m[1]):04d}-{int(m[2]):02d}", None, "month")
    if base is None:
        # no document date: the spans are still dates, their values unknown
        for m in re.finditer(r"(?<!\d)(\d{1,2})월\s?(\d{1,2})일|(?<![\d월년])\d{1,2}일(?![\d가-힣]?간)|지난해|작년|올해|내년|지난달|이번 달|다음 달|오늘|이날|당일", text):
            if not any(used[m.start() : m.end()]):
                used[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
                doc.mentions.append(Mention(m.group(), "date", m.start(), m.end(), EXTRACTOR, 0.6,
                                            attrs={"value": None, "end": None, "precision": None, "rule": "ko"}))
    if base is not None:
        for m in re.finditer(r"(?<!\d)(\d{1,2})월\s?(\d{1,2})일(?:\s?부터\s?(\d{1,2})일\s?까지)?", text):
            mo, d = int(m[1]), int(m[2])
            y = base.year if mo <= base.month or re.search(r"예정|계획|할 것|하기로", text[m.end() : m.end() + 40]) else base.year - 1
            add(m.start(), m.end(), _ymd(y, mo, d), _ymd(y, mo, int(m[3])) if m[3] else None, "day")
        for m in re.finditer(r"(다음|지난|이번)\s?달\s?(\d{1,2})일", text):
            shift = {"다음": 1, "지난": -1, "이번": 0}[m[1]]
            k = base.month - 1 + shift
            add(m.start(), m.end(), _ymd(base.year + k // 12, k % 12 + 1, int(m[2])), None, "day")
        for m in re.finditer(r"(?<![\d월])(\d{1,2})일\s?(?:부터|∼|~|-)\s?(\d{1,2})일(?:\s?까지)?", text):
            add(m.start(), m.end(), _ymd(base.year, base.month, int(m[1])), _ymd(base.year, base.month, int(m[2])), "day")
        for m in re.finditer(r"(?<![\d월년])(\d{1,2})일\s?부터(?!\s?\d)", text):  # "12일부터": since then, not the day itself
            d = int(m[1])
            if d <= calendar.monthrange(base.year, base.month)[1]:
                add(m.start(), m.end(), _ymd(base.year, base.month, d), None, "day")
                doc.mentions[-1].attrs["since"] = True
        for m in re.finditer(r"(?<![\d월년])(\d{1,2})일(?![\d가-힣]?간)", text):
            d = int(m[1])
            if d <= calendar.monthrange(base.year, base.month)[1]:
                add(m.start(), m.end(), _ymd(base.year, base.month, d), None, "day")
        for m in re.finditer(r"(?<![\d년])(\d{1,2})월(?!\s?\d{1,2}일)", text):
            mo = int(m[1])
            if not 1 <= mo <= 12:
                continue
            # a month alone: this year's if it has come, else last year's, unless the text looks ahead
            ahead = re.search(r"예정|계획|나설|할 것|하기로|겠", text[m.end() : m.end() + 40])
            y = base.year if mo <= base.month or ahead else base.year - 1
            add(m.start(), m.end(), f"{y:04d}-{mo:02d}", None, "month")
        for m in re.finditer(r"지난해|작년|올해|내년|지난달|이번 달|다음 달|오늘", text):
            w = m.group()
            if w in ("지난해", "작년", "올해", "내년"):
                add(m.start(), m.end(), str(base.year + {"지난해": -1, "작년": -1, "올해": 0, "내년": 1}[w]), None, "year")
            elif w == "오늘":
                add(m.start(), m.end(), base.isoformat(), None, "day")
            else:
                k = base.month - 1 + {"지난달": -1, "이번 달": 0, "다음 달": 1}[w]
                add(m.start(), m.end(), f"{base.year + k // 12:04d}-{k % 12 + 1:02d}", None, "month")
    # "이날", "당일": in news, the day of the report's main event: the day of the dateline, else the first day named
    days = sorted((x for x in doc.mentions if x.type == "date" and x.attrs.get("precision") == "day" and x.attrs.get("value")),
                  key=lambda x: x.start)
    day = base.isoformat() if base is not None and info and info[1] == "day" else (str(days[0].attrs["value"]) if days else None)
    for m in re.finditer(r"이날|당일", text):
        if day is not None:
            add(m.start(), m.end(), day, None, "day")
    return doc


def korean_quantities(doc: Document) -> Document:
    """Numbers of people ("약 9천 명", "2만여 명") and shares ("절반")."""
    units = {"천": 1e3, "만": 1e4, "백": 1e2}
    for m in re.finditer(r"(약|무려|최소|최대)?\s?(\d[\d,.]*)\s?(천|만|백)?\s?(여)?\s?명", doc.text):
        value = float(m[2].replace(",", "")) * (units.get(m[3] or "", 1.0))
        hedge = {"약": "about", "무려": "as many as", "최소": "at least", "최대": "up to"}.get(m[1] or "") or ("more than" if m[4] else None)
        doc.quantities.append(Quantity(value, "people", m.start(), m.end(), EXTRACTOR, 0.8, hedge=hedge))
        share = re.search(r"(?:의|가운데|중)\s?(약\s?)?절반", doc.text[m.end() : m.end() + 20])
        if share:
            doc.quantities.append(Quantity(0.5, f"share of the {value:,.0f} people", m.start(), m.end() + share.end(), EXTRACTOR, 0.75,
                                           hedge="about" if share.group(1) else None, unit="share",
                                           attrs={"size": round(value / 2), "whole": value}))
    return doc
