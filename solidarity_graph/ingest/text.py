"""Plain text and Markdown: strict decoding, binary detection, front matter, markup removal.

Text is decoded as UTF-8 (a BOM is dropped) or, only when a BOM says so, UTF-16; anything else
is refused with the offset of the first bad byte, so a wrongly encoded file is never read as
mojibake. Markdown is turned into readable plain text: headings, emphasis, link and image
markup, HTML comments and front matter go; paragraph breaks stay.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Any

from solidarity_graph.errors import UnreadableDocument
from solidarity_graph.ingest.dates import normalize_date

__all__ = [
    "Extracted",
    "check_not_binary",
    "decode_text",
    "first_line",
    "markdown_to_text",
    "read_markdown",
    "read_plain",
    "split_front_matter",
    "unwrap_lines",
]

TITLE_MAX_CHARS = 200
_SNIFF_BYTES = 8192
_CONTROL_SHARE = 0.10
_ALLOWED_CONTROLS = frozenset(b"\n\r\t\f")


@dataclass
class Extracted:
    """What a format reader found in a file, before it becomes a Document."""

    text: str
    title: str | None = None
    published: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def check_not_binary(data: bytes, path: str) -> None:
    """Refuse bytes that look binary: NUL bytes or over 10% control characters in 8 KiB."""
    head = data[:_SNIFF_BYTES]
    if not head:
        return
    controls = sum(1 for b in head if (b < 0x20 and b not in _ALLOWED_CONTROLS) or b == 0x7F)
    if b"\x00" in head or controls > _CONTROL_SHARE * len(head):
        raise UnreadableDocument("binary data, not text", path=path)


def decode_text(data: bytes, path: str) -> str:
    """Decode UTF-8 (BOM dropped) or BOM-marked UTF-16, refusing anything else.

    Binary content is refused first (after a UTF-16 BOM, whose text holds NUL bytes).
    """
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom) and not data.startswith(codecs.BOM_UTF8):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise UnreadableDocument(
                    f"not valid UTF-16 (bytes at offset {exc.start + len(bom)})", path=path
                ) from None
    check_not_binary(data, path)
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(data) - len(body))
        raise UnreadableDocument(
            f"not valid UTF-8 (byte 0x{data[offset]:02x} at offset {offset}); "
            "save the file as UTF-8",
            path=path,
        ) from None


def first_line(text: str, limit: int = TITLE_MAX_CHARS) -> str | None:
    """The first non-empty line of a text, whitespace folded, at most ``limit`` characters."""
    for line in text.splitlines():
        folded = " ".join(line.split())
        if folded:
            return folded[:limit].rstrip()
    return None


_FRONT_MATTER = re.compile(
    r"\A(?P<fence>---|\+\+\+)[ \t]*\n(?P<body>.*?)\n(?P=fence)[ \t]*(?:\n|\Z)", re.DOTALL
)
_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*[:=][ \t]*(?P<value>.*)$", re.MULTILINE)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].strip()
    return value


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading ``---`` (YAML) or ``+++`` (TOML) block off a text.

    Returns the block's top-level ``key: value`` pairs (lower-cased keys, quotes removed) and
    the rest of the text. A block with no ``key:`` line is not front matter and is kept.
    """
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    pairs = {m["key"].lower(): _unquote(m["value"]) for m in _KEY_LINE.finditer(match["body"])}
    if not pairs:
        return {}, text
    return pairs, text[match.end() :]


# Lines that start a block of their own: list items, headings, table rows, quotes, fences.
_STRUCTURAL = re.compile(r"^\s*(?:[-*+\u2022][ \t]|\d{1,3}[.)][ \t]|#|\||>|```|~~~)")
_WRAP_WORDS = frozenset(
    "a an and as at but by for from in into of on or than that the to with".split()
)
_WORD_TAIL = 16  # longer than any wrap word: enough of a hyphen-joined last word to compare


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` continues the sentence that ``previous`` broke off (a soft wrap)."""
    if previous.endswith(("  ", "\\")) or previous.lstrip().startswith(("#", "|", "```", "~~~")):
        return False
    prev, nxt = previous.rstrip(), line.lstrip()
    if not prev or not nxt or _STRUCTURAL.match(nxt):
        return False
    if prev[-1] in ".!?:\"\u201d'\u2019)]":
        return False
    last_word = prev.rsplit(None, 1)[-1].lower()
    return nxt[0].islower() or prev[-1] in ",;(-\u2013\u2014" or last_word in _WRAP_WORDS


def unwrap_lines(text: str) -> str:
    """Join lines that a hard wrap broke mid-sentence, leaving structure and code alone.

    A line is joined to the one before when that one does not end a sentence and the line
    starts in lower case, or the one before ends with a comma, dash or a word such as "the"
    or "of". Headings, list items, table rows and fenced code are never joined.
    """
    # Each result line is kept as the pieces it is joined from and joined once at the end; ``tail``
    # stands in for it in _continues (same ending, same last word, no structural start).
    # Re-joining a growing line for every wrapped line was quadratic on long files (issue 7).
    out: list[list[str]] = []
    tail = ""
    in_fence = False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            out.append([line])
            tail = line
        elif not in_fence and out and _continues(tail, line):
            joiner = "" if tail.rstrip().endswith("-") else " "
            word = "" if joiner else tail.rstrip().rsplit(None, 1)[-1][-_WORD_TAIL:]
            out[-1][-1] = out[-1][-1].rstrip()
            out[-1] += [joiner, line.strip()]
            tail = f"x {word}{line.strip()}"
        else:
            out.append([line])
            tail = line
    return "\n".join("".join(pieces) for pieces in out)


_MD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"<!--(?:(?!<!--).)*?-->", re.DOTALL), ""),  # HTML comments
    (re.compile(r"^[ \t]*(```|~~~).*$", re.MULTILINE), ""),  # code fences (content kept)
    (re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$", re.MULTILINE), ""),  # link definitions
    (re.compile(r"!\[[^\[\]\n]*\]\([^)\[\n]*\)"), ""),  # inline images
    (re.compile(r"!\[[^\[\]\n]*\]\[[^\[\]\n]*\]"), ""),  # reference images
    (re.compile(r"\[([^\[\]\n]*)\]\([^)\[\n]*\)"), r"\1"),  # inline links -> text
    (re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]"), r"\1"),  # reference links -> text
    (re.compile(r"<((?:https?|mailto):[^<>\s]+)>"), r"\1"),  # autolinks -> address
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+((?:[ \t]*+[^ \t\n])*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE), r"\1"),
    (re.compile(r"^[ \t]{0,3}(?:=+|-+)[ \t]*$", re.MULTILINE), ""),  # setext underlines, rules
    (re.compile(r"^[ \t]{0,3}(?:(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$", re.MULTILINE), ""),
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE), ""),  # blockquote markers
    (re.compile(r"^([ \t]*)[*+][ \t]+", re.MULTILINE), r"\1- "),  # bullets -> "- "
    (
        re.compile(
            r"^[ \t]*(?:\|[ \t]*)?:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*(?:\|[ \t]*)?$\n?",
            re.MULTILINE,
        ),
        "",
    ),  # table separator rows
    (re.compile(r"(\*\*|__)(?=\S)((?:(?!\1).)+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # *em*
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),  # _em_
    (re.compile(r"~~(?=\S)((?:(?!~~).)+?)(?<=\S)~~"), r"\1"),  # strikethrough
    (re.compile(r"(`+)(.+?)\1"), r"\2"),  # inline code
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),  # backslash escapes
]


def markdown_to_text(markdown: str) -> str:
    """Readable plain text from Markdown (front matter must already be split off)."""
    text = unwrap_lines(markdown.replace("\r\n", "\n").replace("\r", "\n"))
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    text = re.sub(r"(?<![ \t])[ \t]+$", "", text, flags=re.MULTILINE)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_ATX_H1 = re.compile(r"^[ \t]{0,3}#[ \t]+((?:[ \t]*+[^ \t\n])+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_SETEXT_H1 = re.compile(r"^[ \t]{0,3}(\S[^\n]*)\n[ \t]{0,3}=+[ \t]*$", re.MULTILINE)


def _markdown_title(markdown: str) -> str | None:
    """The text of the first level-one heading, with inline markup removed."""
    candidates = [m for m in (_ATX_H1.search(markdown), _SETEXT_H1.search(markdown)) if m]
    if not candidates:
        return None
    heading = min(candidates, key=lambda m: m.start())[1]
    return first_line(markdown_to_text(heading))


_DATE_LINE = re.compile(r"^\W*(?:date|dated|published)\W*[:\-]\W*(.+?)\W*$", re.IGNORECASE)
_HEADER_LINES = 5
_DATE_LINE_MAX = 200  # a longer line is no date line (and would make _DATE_LINE backtrack for long)


def _header_date(text: str) -> str | None:
    """A ``Date: 2024-05-03`` line among the first few non-empty lines of a text."""
    lines = [line for line in text.splitlines() if line.strip()][:_HEADER_LINES]
    for line in lines:
        match = _DATE_LINE.match(line.strip()) if len(line) <= _DATE_LINE_MAX else None
        if match is not None:
            return normalize_date(match[1])
    return None


def _front_matter_fields(pairs: dict[str, str]) -> tuple[str | None, str | None]:
    title = first_line(pairs["title"]) if pairs.get("title") else None
    published = None
    for key in ("date", "published", "pubdate"):
        if pairs.get(key):
            published = normalize_date(pairs[key])
            break
    return title, published


def read_plain(data: bytes, path: str) -> Extracted:
    """Read a plain-text file, joining soft-wrapped lines.

    A leading front-matter block gives title and date; else a ``Date:`` line near the top
    gives the date.
    """
    pairs, body = split_front_matter(decode_text(data, path))
    title, published = _front_matter_fields(pairs)
    meta: dict[str, Any] = {"format": "text"}
    if pairs:
        meta["front_matter"] = pairs
    text = unwrap_lines(body.replace("\r\n", "\n").replace("\r", "\n"))
    return Extracted(text=text, title=title, published=published or _header_date(text), meta=meta)


def read_markdown(data: bytes, path: str) -> Extracted:
    """Read a Markdown file as readable plain text.

    Title from front matter or the first ``# heading``; date from front matter or a
    ``Date:`` line near the top.
    """
    pairs, body = split_front_matter(decode_text(data, path))
    title, published = _front_matter_fields(pairs)
    meta: dict[str, Any] = {"format": "markdown"}
    if pairs:
        meta["front_matter"] = pairs
    text = markdown_to_text(body)
    return Extracted(
        text=text,
        title=title or _markdown_title(body),
        published=published or _header_date(text),
        meta=meta,
    )
