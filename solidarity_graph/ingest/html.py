"""HTML pages: the main text without navigation, banners and footers, plus title and date.

Main text comes from trafilatura, which drops boilerplate; title and date come from its
metadata extraction (``<title>``, Open Graph and ``article:published_time`` tags and the like).
Nothing is fetched over the network: trafilatura only ever sees the string read from disk. A
page too small for trafilatura falls back to the visible text of ``<body>`` via lxml.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.metadata import extract_metadata

from solidarity_graph.errors import UnreadableDocument
from solidarity_graph.ingest.dates import normalize_date
from solidarity_graph.ingest.text import Extracted, check_not_binary, first_line

__all__ = ["html_to_text", "read_html"]

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_DROPPED_TAGS = ("script", "style", "nav", "header", "footer", "noscript", "template", "svg")
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure form h1 h2 h3 h4 h5 h6 "
    "hr li main ol p pre section table td th tr ul".split()
)
# Removed before trafilatura looks at a page: on small pages its fallback keeps everything.
_PRUNE_XPATH = [
    "//nav",
    "//footer",
    "//body/header",
    "//*[contains(@class, 'cookie') or contains(@id, 'cookie')]",
    "//*[contains(@class, 'consent') or contains(@id, 'consent')]",
]
_QUIET_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # no XML text may hold these


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """Silence the chatty loggers of trafilatura and its helpers while extracting."""
    loggers = [logging.getLogger(name) for name in _QUIET_LOGGERS]
    saved = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, saved, strict=True):
            logger.setLevel(level)


def _decode_html(data: bytes, path: str) -> str:
    """Decode a page: BOM, else UTF-8, else the charset its ``<meta>`` declares."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    check_not_binary(data, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = _CHARSET.search(data[:4096])
        if declared is not None:
            try:
                return data.decode(declared[1].decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
        raise UnreadableDocument(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}) "
            "and no usable charset declared",
            path=path,
        ) from None


def _paragraphs(text: str) -> str:
    """One paragraph per non-empty line, whitespace folded, separated by blank lines."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _parse(html: str) -> Any:
    """An lxml tree of a page, or None when lxml cannot make one."""
    try:
        # lxml parses control characters into the tree but refuses them when text is set again
        # (drop_tree, block breaks): a ValueError out of the reader before (issue 7)
        return lxml.html.document_fromstring(_CONTROLS.sub("", html))
    except (etree.ParserError, ValueError):
        return None


def html_to_text(html: str) -> str:
    """The visible text of a page's ``<body>``, without script, style, nav, header and footer.

    Block elements become paragraphs separated by blank lines.
    """
    tree = _parse(html)
    if tree is None:
        return ""
    body = tree.find("body")
    root = body if body is not None else tree
    for element in list(root.iter(*_DROPPED_TAGS)):
        element.drop_tree()
    for comment in list(root.iter(etree.Comment)):
        comment.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    return _paragraphs(root.text_content())


def _page_title(html: str) -> str | None:
    tree = _parse(html)
    if tree is None:
        return None
    title = tree.findtext(".//title")
    return first_line(title) if title else None


def read_html(data: bytes, path: str) -> Extracted:
    """Read an HTML file: main text via trafilatura (lxml fallback), title and date."""
    html = _decode_html(data, path)
    if not html.strip():
        return Extracted(text="", meta={"format": "html"})
    meta: dict[str, Any] = {"format": "html"}
    with _quiet_logs():
        main = trafilatura.extract(
            html,
            favor_recall=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            deduplicate=False,
            with_metadata=False,
            prune_xpath=_PRUNE_XPATH,
        )
        try:
            found = extract_metadata(html, extensive=False)
        except (ValueError, TypeError, AttributeError):
            found = None
    if main and main.strip():
        text = _paragraphs(main)
        meta["extractor"] = "trafilatura"
    else:
        text = html_to_text(html)
        meta["extractor"] = "lxml"
    title = None
    published = None
    if found is not None:
        title = first_line(found.title) if found.title else None
        published = normalize_date(found.date) if found.date else None
        for key in ("author", "sitename", "url"):
            value = getattr(found, key, None)
            if value:
                meta[key] = value
    return Extracted(text=text, title=title or _page_title(html), published=published, meta=meta)
