"""Japanese (``ja_core.v1``): sentences, SudachiPy words, people by name and title, dates, numbers.

spaCy's own Japanese pipelines are not on PyPI (GiNZA's ja-ginza is, with a model and a stack of
its own), so this path is built from parts, all from PyPI and offline: SudachiPy with its core
dictionary (sudachidict-core) cuts the text into words and tags proper nouns as person names
(姓/名) and place names (地名); the shared
gazetteer and place lists give organizations and places by their Japanese names (全労連, 連合,
厚生労働省, 東京, 韓国); a word run ending in 労働組合, 委員会, 審議会, 省, 県警... is an
organization the gazetteer does not know, one ending in 本店, 工場, 港... a site. People are a name
followed by a title ("芳野友子会長", "寺岡泰博中央執行委員長") or by 氏/さん, or a full name the
dictionary knows. Dates are read against the document's date, era years included ("令和5年7月28日",
"平成元年", "17日", "翌31日", "来月1日", "昨年7月"); numbers of people keep their hedges ("約2万5000人",
"のべ89人"). Japanese puts the verb last, so an event's status is read from the words after its
trigger ("決行すると表明" planned, "合意に至らず" failed, "恐れ" threatened).
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from solidarity_graph.extract.japanese_dates import japanese_dates
from solidarity_graph.extract.sentences import split_paragraphs
from solidarity_graph.model import Document, Mention, Quantity, RelationFact, Span

if TYPE_CHECKING:
    from solidarity_graph.extract.pipeline import Extractor

__all__ = ["extract", "japanese_sentences", "japanese_people", "japanese_names", "japanese_quantities",
           "japanese_status", "japanese_titles", "Word", "words_of", "find_names", "drop_inner_matches",
           "abbreviated_countries"]

EXTRACTOR = "ja_core.v1"
LANG_DIR = Path(__file__).parent / "lang" / "ja"
MAX_CHARS = 12_000  # Sudachi takes at most 49,149 bytes at once; a kana or kanji is 3 bytes in UTF-8
_KATAKANA = re.compile(r"[\u30a0-\u30ff]")
# full-width Latin letters, digits and signs ("ＵＡゼンセン", "ＩＬＯ") read as their ASCII forms, one for one
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_local = threading.local()


@dataclass(frozen=True)
class Word:
    """One word from Sudachi: offsets into the document and its part of speech."""

    start: int
    end: int
    text: str
    pos: tuple[str, ...]

    @property
    def proper(self) -> bool:
        """A proper noun (固有名詞)."""
        return self.pos[1] == "固有名詞"

    @property
    def person(self) -> bool:
        """Part of a person's name (人名: surname, given name or a whole foreign name)."""
        return self.proper and self.pos[2] == "人名"

    @property
    def nominal(self) -> bool:
        """A word that can be part of a compound name: a noun, a prefix, a suffix, or the ・ and & inside names."""
        return self.pos[0] in ("名詞", "接尾辞", "接頭辞") or self.text in ("・", "&", "＆")


@lru_cache(maxsize=1)
def _dictionary() -> Any:
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def _tokenizer() -> Any:
    """One Sudachi tokenizer per thread (a tokenizer is not safe to share)."""
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import SplitMode

        tok = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return tok


def words_of(doc: Document) -> list[Word]:
    """Sudachi's words of every sentence (computed once per document)."""
    cached: list[Word] | None = doc.meta.get("_ja_words")
    if cached is not None:
        return cached
    tok = _tokenizer()
    out: list[Word] = []
    for sent in doc.sentences:
        for lo in range(sent.start, sent.end, MAX_CHARS):
            hi = min(sent.end, lo + MAX_CHARS)
            piece = doc.text[lo:hi]
            if not piece.strip():
                continue
            for m in tok.tokenize(piece):
                if m.end() > m.begin():
                    out.append(Word(lo + m.begin(), lo + m.end(), m.surface(), tuple(m.part_of_speech())))
    doc.meta["_ja_words"] = out
    return out


@lru_cache(maxsize=1)
def japanese_titles() -> dict[str, str]:
    """Japanese title -> role category."""
    data = yaml.safe_load((LANG_DIR / "titles.yaml").read_text(encoding="utf-8"))
    return {t: cat for cat, names in data.items() for t in names}


_OPEN, _CLOSE = "「『（(“", "」』）)”"


def japanese_sentences(doc: Document) -> Document:
    """Paragraphs by line; sentences end at 。！？ outside quotation brackets."""
    doc.paragraphs = split_paragraphs(doc.text)
    sents: list[Span] = []
    for para in doc.paragraphs:
        start, depth = para.start, 0
        for i in range(para.start, para.end):
            ch = doc.text[i]
            depth += (ch in _OPEN) - (ch in _CLOSE and depth > 0)
            if ch in "。！？!?" and depth == 0 and (i + 1 == para.end or doc.text[i + 1] not in "。！？!?"):
                end = i + 1
                while end < para.end and doc.text[end] in _CLOSE:
                    end += 1
                if doc.text[start:end].strip():
                    sents.append(Span(start, end))
                start = end
        if doc.text[start : para.end].strip():
            sents.append(Span(start, para.end))
    doc.sentences = sents or [Span(0, len(doc.text))]
    return doc


def find_names(extractor: Extractor, doc: Document) -> Document:
    """Places and gazetteer organizations, matched on the text with full-width Latin read as ASCII."""
    plain = doc.text.translate(_HALF_WIDTH)
    if plain == doc.text:
        extractor.places(doc)
        extractor.gazetteer(doc, extractor.places.countries_near)
        return doc
    shadow = Document(text=plain, source=doc.source, published=doc.published, language=doc.language,
                      doc_id=doc.doc_id, meta=doc.meta, sentences=doc.sentences, paragraphs=doc.paragraphs)
    extractor.places(shadow)
    extractor.gazetteer(shadow, extractor.places.countries_near)
    for m in shadow.mentions:
        m.text = doc.text[m.start : m.end]  # the document's own characters, offsets unchanged
    doc.mentions += shadow.mentions
    return doc


def drop_inner_matches(doc: Document) -> Document:
    """A place or organization matched inside a longer word is none ("タイ" in "ネクタイ", "中国" in "中国電力")."""
    words = words_of(doc)
    starts = [w.start for w in words]

    def inside_word(m: Mention) -> bool:
        # places sit inside common nouns ("東京都内"); names inside proper nouns, organizations inside any word, are none
        k = bisect.bisect_right(starts, m.start) - 1
        if k < 0:
            return False
        w = words[k]
        longer = w.start <= m.start and m.end <= w.end and (w.end - w.start) > (m.end - m.start)
        # "日本人", "韓国語", "日系": a people, a language, an origin, not the place
        return longer and (w.proper or m.type == "organization" or (m.end == w.end - 1 and w.text[-1] in "人語系製産"))

    def katakana_cut(m: Mention) -> bool:
        # "ソウル" in "ソウルフード": a katakana name running on into more katakana
        if not all(_KATAKANA.match(c) for c in m.text):
            return False
        before = doc.text[m.start - 1] if m.start > 0 else ""
        after = doc.text[m.end] if m.end < len(doc.text) else ""
        return bool(_KATAKANA.match(before) or _KATAKANA.match(after)) and "・" not in (before, after)

    def common_word(m: Mention) -> bool:
        # a city's name in kanji is also a word ("民主" is a city in China): a city needs a proper noun
        return m.type == "place" and m.attrs.get("place_kind") == "city" and not any(w.proper for w in _covering(words, starts, m))

    doc.mentions = [m for m in doc.mentions if not (m.type in ("place", "organization")
                                                    and (inside_word(m) or katakana_cut(m) or common_word(m)))]
    counts: dict[str, int] = {}
    for m in doc.mentions:
        if m.type == "place" and m.attrs.get("country"):
            counts[m.attrs["country"]] = counts.get(m.attrs["country"], 0) + 1
    doc.meta["country_counts"], doc.meta["countries"] = counts, sorted(counts)
    return doc


_ORG_END = ("労働組合", "労組", "組合", "ユニオン", "連合会", "総連合", "連合", "連盟", "協議会", "評議会", "委員会", "審議会",
            "協会", "支部", "本部", "分会", "株式会社", "ホールディングス", "銀行", "証券", "自動車", "電機", "航空", "運輸", "鉄道",
            "製作所", "工業", "商事", "新聞社", "新聞", "放送", "省", "庁", "県警", "府警", "道警", "警視庁", "警察署", "警察",
            "地検", "地裁", "高裁", "裁判所", "政府", "党", "財団", "機構", "大学", "病院", "大使館", "領事館", "会社")
_SUB_UNIT = ("支部", "本部", "分会", "地区本部", "地本", "青年部", "女性部")
_SITE_END = ("本店", "支店", "店", "本社", "工場", "事業所", "営業所", "港", "空港", "駅", "基地", "公園", "広場", "会館")
_NAMING_START = ("全国", "全日本", "全", "日本", "中央", "国際", "世界", "アジア", "首都圏", "東日本", "西日本")
_GENERIC_START = ("同", "各", "当", "本", "両", "我が", "その", "この", "大手", "地元", "市民", "労働者", "多く")
_PLACE_SUFFIX = {"都": "prefecture", "道": "prefecture", "府": "prefecture", "県": "prefecture", "市": "city", "区": "district",
                 "町": "village", "村": "village", "郡": "district", "州": "state", "省": "province"}


def _runs(words: list[Word]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of runs of adjacent nominal words (a compound: "中央最低賃金審議会")."""
    out, i = [], 0
    while i < len(words):
        if not words[i].nominal or words[i].text in ("・", "&", "＆"):
            i += 1
            continue
        j = i + 1
        while j < len(words) and words[j].nominal and words[j].start == words[j - 1].end:
            j += 1
        while j - 1 > i and words[j - 1].text in ("・", "&", "＆"):
            j -= 1
        out.append((i, j))
        i = j
    return out


def japanese_names(doc: Document, places: Any) -> Document:
    """Organizations, sites and places that the gazetteer and place lists do not know, from word runs."""
    words = words_of(doc)
    taken = [m for m in doc.mentions if m.type in ("organization", "place", "person")]
    for i, j in _runs(words):
        # the run may end in a number or a date ("2023年"): look only at its longest nominal head
        while j > i and (words[j - 1].pos[1] in ("数詞", "助数詞可能") or words[j - 1].text[0].isdigit()):
            j -= 1
        if j <= i:
            continue
        start, end = words[i].start, words[j - 1].end
        text = doc.text[start:end]
        kind = _kind_of(text, words[i:j])
        if kind is None:
            if j - i == 1 and words[i].proper and words[i].pos[2] == "地名":
                _add_place(doc, places, words[i], taken)
            continue
        inner = [m for m in taken if start <= m.start and m.end <= end]
        if any(m.start < end and start < m.end and not (start <= m.start and m.end <= end) for m in taken):
            continue  # crosses a name already found
        if any(m.start == start and m.end == end for m in inner):
            continue
        gaz = [m for m in inner if m.type == "organization" and m.key]
        if gaz and not text.endswith(_SUB_UNIT):
            continue  # "連合の..." or a known body inside: the gazetteer's name stands
        etype = "place" if kind == "site" else "organization"
        attrs: dict[str, Any] = {"priority": 101 if gaz else 90 if inner else 50}
        if kind == "site":
            attrs.update(place_kind="site", country=next((m.attrs.get("country") for m in inner if m.type == "place"), None))
        elif gaz:
            attrs.update(kind="local", parent_mention=gaz[0], country=gaz[0].attrs.get("country"))
        m = Mention(text, etype, start, end, EXTRACTOR, 0.6, canonical=text, attrs=attrs)
        doc.mentions.append(m)
        taken.append(m)
    for w in words:  # place names the lists lack, alone in their run ("滋賀県", "豊島区")
        if w.proper and w.pos[2] == "地名" and not any(m.start < w.end and w.start < m.end for m in taken):
            _add_place(doc, places, w, taken)
    return doc


def _kind_of(text: str, words: list[Word]) -> str | None:
    if len(text) < 3 or text.startswith(_GENERIC_START):
        return None
    has_proper = any(w.proper for w in words)
    site = next((s for s in _SITE_END if text.endswith(s)), None)
    if site and has_proper and (len(words) >= 2 or len(text) > len(site) + 1):  # "西武池袋本店", "大阪港"
        return "site"
    end = next((s for s in _ORG_END if text.endswith(s)), None)
    if end is None or text == end or len(text) - len(end) < 1:
        return None
    if has_proper or text.startswith(_NAMING_START) or (len(text) >= 7 and len(end) >= 3):
        return "organization"
    if end in ("労組", "労働組合", "ユニオン") and len(text) - len(end) >= 2:
        return "organization"  # "金属労組", "鉄道労組": a union named by its trade
    return None


def _add_place(doc: Document, places: Any, w: Word, taken: list[Mention]) -> None:
    if any(m.start < w.end and w.start < m.end for m in taken) or len(w.text) < 2:
        return
    place = places.lookup(w.text)
    if place is not None:
        m = places.mention(w.text, w.start, w.end, place, 0.7, 60)
    else:
        kind = "country" if w.pos[3] == "国" else _PLACE_SUFFIX.get(w.text[-1], "place")
        m = Mention(w.text, "place", w.start, w.end, EXTRACTOR, 0.55, canonical=w.text,
                    attrs={"place_kind": kind, "country": "JP" if kind in ("prefecture", "city", "district", "village") else None,
                           "priority": 55})
    doc.mentions.append(m)
    taken.append(m)


def _covering(words: list[Word], starts: list[int], m: Mention | Span) -> list[Word]:
    """The words that overlap ``m``."""
    lo = max(0, bisect.bisect_right(starts, m.start) - 1)
    hi = bisect.bisect_left(starts, m.end)
    return [w for w in words[lo:hi] if w.start < m.end and m.start < w.end]


# Korean and Chinese surnames in kanji: names the dictionary lacks ("梁慶洙委員長") are read by them
_SURNAMES = set("金李朴崔鄭姜趙尹張林韓呉徐申権黄安宋柳洪高文梁孫裴白許劉南沈盧河郭成車朱禹具閔兪羅陳池厳元玄咸卞廉楊呂秋都"
                "蘇慎石宣薛馬吉魏表奇潘王琴玉陸孟卓秦殷片龍芮周胡何唐馮于董蕭程曹袁鄧傅曾彭蒋蔡賈丁葉閻余杜戴夏鐘汪任"
                "范方姚譚廖鄒熊郝孔康毛邱江史顧侯邵萬段雷錢湯黎易常喬賀頼龔")


def japanese_people(doc: Document) -> Document:
    """People: a name and a title or 氏/さん, or a full name the dictionary knows; holds_role to the body before."""
    titles = japanese_titles()
    words = words_of(doc)
    title_re = re.compile("|".join(sorted(map(re.escape, [*titles, "氏", "さん"]), key=len, reverse=True)))
    found: list[tuple[int, int, re.Match[str] | None]] = []
    i = 0
    while i < len(words):
        if not words[i].person:
            i += 1
            continue
        j = i + 1
        while j < len(words) and words[j].person and words[j].start == words[j - 1].end and j - i < 3:
            j += 1
        start, end = words[i].start, words[j - 1].end
        i = j
        title = title_re.match(doc.text, end)
        if title is not None or _full_name(words, start, end):
            found.append((start, end, title))
    starts = [w.start for w in words]
    for m in re.finditer(rf"(?<![\u4e00-\u9fff])([{''.join(sorted(_SURNAMES))}][\u4e00-\u9fff]{{1,2}}?)(?={title_re.pattern})", doc.text):
        span = Span(m.start(1), m.end(1))
        if any(s < span.end and span.start < e for s, e, _ in found):
            continue
        # only where the dictionary does not know these characters as words of their own ("全国", "高校")
        if all(len(w.text) == 1 or w.person for w in _covering(words, starts, span)):
            found.append((span.start, span.end, title_re.match(doc.text, span.end)))
    for start, end, title in sorted(found, key=lambda f: f[0]):
        name = doc.text[start:end]
        person = Mention(name, "person", start, end, EXTRACTOR, 0.8 if title else 0.6, canonical=name, attrs={"priority": 85})
        doc.mentions.append(person)
        if title is not None and title.group() not in ("氏", "さん"):
            _role(doc, person, title.group(), titles[title.group()])
    return doc


def _full_name(words: list[Word], start: int, end: int) -> bool:
    """A surname and a given name, or a foreign name of three characters or more, that Sudachi knows."""
    mine = [w for w in words if start <= w.start and w.end <= end]
    kinds = {w.pos[3] for w in mine}
    return ("姓" in kinds and "名" in kinds) or (kinds == {"一般"} and end - start >= 3)


def _role(doc: Document, person: Mention, title: str, category: str) -> None:
    """holds_role to the organization or country named just before ("連合の芳野友子会長", "韓国の尹錫悦大統領")."""
    before = [m for m in doc.mentions if m.type in ("organization", "place") and m.end <= person.start
              and re.fullmatch(r"[）)」]?の?\s?|・", doc.text[m.end : person.start])]
    if before:
        sent = doc.sentence_of(person.start)
        doc.relations.append(RelationFact(person, "holds_role", before[-1], sent.start, sent.end, EXTRACTOR, 0.75,
                                          {"title": title, "category": category}))


_UNITS = {"万": 10_000, "千": 1_000, "百": 100}
_HEDGE_BEFORE = {"約": "about", "およそ": "about", "最大": "up to", "最低": "at least", "少なくとも": "at least", "推定": "about"}
_HEDGE_AFTER = {"以上": "at least", "超": "more than", "余り": "more than", "あまり": "more than", "余": "more than",
                "近く": "nearly", "程度": "about", "前後": "about"}
_VAGUE = {"数十": (24, "dozens"), "数百": (200, "hundreds"), "数千": (2000, "thousands"), "数万": (20000, "tens of thousands")}
_NUM_RX = re.compile(r"(約|およそ|最大|最低|少なくとも|推定|計|のべ|延べ)?\s?(\d[\d,.]*)\s?(万|千|百)?(\d[\d,]*)?\s?(?:人|名)(?![古義])"
                     r"(以上|超|余り|あまり|近く|程度|前後)?")


def japanese_quantities(doc: Document) -> Document:
    """Numbers of people ("約2万5000人", "9千人", "のべ89人", "数百人") and shares ("半数")."""
    from solidarity_graph.extract.japanese_dates import ascii_digits

    text = ascii_digits(doc.text)
    for m in _NUM_RX.finditer(text):
        try:
            value = float(m[2].replace(",", "")) * _UNITS.get(m[3] or "", 1) + (float(m[4].replace(",", "")) if m[4] else 0)
        except ValueError:
            continue
        if value <= 0:
            continue
        hedge = _HEDGE_BEFORE.get(m[1] or "") or _HEDGE_AFTER.get(m[5] or "")
        attrs = {"cumulative": True} if m[1] in ("のべ", "延べ") else {}
        doc.quantities.append(Quantity(value, "people", m.start(), m.end(), EXTRACTOR, 0.8, hedge=hedge, attrs=attrs))
        share = re.match(r"\s?(?:の|のうち)\s?(約|およそ)?\s?半数", text[m.end() : m.end() + 12])
        if share:
            doc.quantities.append(Quantity(0.5, f"share of the {value:,.0f} people", m.start(), m.end() + share.end(),
                                           EXTRACTOR, 0.75, hedge="about" if share.group(1) else None, unit="share",
                                           attrs={"size": round(value / 2), "whole": value}))
    for m in re.finditer(r"(数十|数百|数千|数万)\s?(?:人|名)", text):
        value, hedge = _VAGUE[m[1]]
        doc.quantities.append(Quantity(float(value), "people", m.start(), m.end(), EXTRACTOR, 0.6, hedge=hedge))
    return doc


def abbreviated_countries(doc: Document, places: Any) -> Document:
    """米 and 英 standing for a country before a noun ("米投資ファンド", "米政府"), not inside a word ("日米", "訪米")."""
    rx = r"(?<![\u4e00-\u9fff])([米英])(?=国務省|政府|軍|側|大使館|大統領|企業|投資|ファンド|紙|メディア|当局|議会|首相|労組|労働組合)"
    for m in re.finditer(rx, doc.text):
        place = places.countries.get({"米": "US", "英": "GB"}[m[1]])
        if place is not None:
            doc.mentions.append(places.mention(m[1], m.start(1), m.end(1), place, 0.7, 70))
    return doc


_FAILED = re.compile(r"決裂|物別れ|不調に終わ|不成立|否決|廃案|合意に至らず|合意に至らなかった|合意できず|合意できなかった|妥結に至らず|失敗|頓挫|"
                     r"中止され|中止に追い込まれ|見送られ|見送った|阻止され|実現しなかった|実現せず")
_THREAT = re.compile(r"恐れ|おそれ|可能性|懸念|危機|回避|辞さない|かねない|危ぶまれ|迫られ|ざるを得ない")
_PLANNED = re.compile(r"予定|方針|計画|構え|見通し|意向|ことにし|ことを決め|ことで合意|準備を進め|"
                      r"(?:する|入る|行う|開く|開催する|始める|実施する|決行する|踏み切る|突入する)(?:と|こと|方針|予定|。|$)|"
                      # a verb not in the past closing a quotation: "ゼネストで答える」と述べた"
                      r"(?<![いあ])[るうくすつむぶぐ](?:。?[」』]|と(?:述べ|語っ|話し|表明|強調|宣言|発表|明らかに))")
_DEMANDED = re.compile(r"^(?:の(?:開催|実施|再開|即時実施))?(?:を|へ)?(?:\w{0,4}よう(?:に)?)?(?:求め|要求|要請|訴え|呼びかけ)")
_OPPOSED = re.compile(r"^の(?:中止|撤回|停止|廃止|撤廃|即時中止|解消|根絶)")
_FINAL_PLAN = re.compile(r"(?:予定|方針|計画|構え|見通し|意向)(?:だ|である|です|を明らかにした|を示した|を固めた)?[。」]?$")


def japanese_status(doc: Document) -> Document:
    """An event's status from the words after its trigger, up to the next comma (the verb comes last)."""
    for ev in doc.events:
        at = doc.text.find(ev.trigger, ev.start)
        if at < 0:
            continue
        after = doc.text[at + len(ev.trigger) : ev.end]
        scope = re.split(r"[、，,]", after, maxsplit=1)[0]
        status = ev.status
        if _OPPOSED.match(after):
            status = "happened"
        elif _FAILED.search(scope):
            status = "failed"
        elif _DEMANDED.match(after):
            status = "demanded"
        elif _THREAT.search(scope):
            status = "threatened"
        elif _PLANNED.search(scope) or _FINAL_PLAN.search(after.strip()):
            status = "planned"
        if status in ("planned", "demanded") and ev.date_source == "document":
            ev.date = ev.date_end = ev.date_precision = ev.date_source = None  # not yet held: no date of its own
        ev.status = status
    return doc


def extract(extractor: Extractor, doc: Document) -> Document:
    """The Japanese path: sentences, the shared gazetteer and places, Japanese names, people, dates, numbers, triggers."""
    from solidarity_graph.extract.entities import merge_mentions
    from solidarity_graph.extract.events import find_events, load_triggers
    from solidarity_graph.extract.pipeline import _dedupe_relations

    japanese_sentences(doc)
    steps: list[tuple[str, Callable[[], object]]] = [
        ("labor_orgs.v1", lambda: find_names(extractor, doc)),
        ("ja_words.v1", lambda: drop_inner_matches(doc)),
        ("ja_core.v1", lambda: abbreviated_countries(doc, extractor.places)),
        ("ja_people.v1", lambda: japanese_people(doc)),
        ("ja_names.v1", lambda: japanese_names(doc, extractor.places)),
        ("mentions.v1", lambda: merge_mentions(doc)),
        ("ja_dates.v1", lambda: japanese_dates(doc)),
        ("ja_quantities.v1", lambda: japanese_quantities(doc)),
        ("events.v1", lambda: find_events(doc, extractor.places, extractor.located, load_triggers("ja"))),
        ("ja_status.v1", lambda: japanese_status(doc)),
    ]
    for name, step in steps:
        extractor._run(doc, name, step)
    doc.meta.pop("_ja_words", None)
    doc.relations = _dedupe_relations(doc, extractor.gazetteer)
    return doc
