"""Word (.docx) files: paragraphs and table cells in document order, title and date.

python-docx reads the body; paragraphs become blocks separated by blank lines, and each table
row becomes one line with its cells separated by `` | `` (merged cells once). Title and
creation date come from the core properties.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from solidarity_graph.errors import UnreadableDocument
from solidarity_graph.ingest.dates import normalize_date
from solidarity_graph.ingest.text import Extracted, first_line

__all__ = ["read_docx"]

# The creation time stored in python-docx's own template: a file that still carries it was
# made by a program, and the date says nothing about the document.
_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15, tzinfo=dt.UTC)

# A package is measured before python-docx unpacks it into memory (issue 7): a 300 KB zip bomb of
# empty paragraphs took gigabytes and minutes. Real documents stay far below both limits (an empty
# python-docx document holds about 24,000 tags, a simple paragraph about ten more).
_MAX_UNPACKED = 128 * 1024 * 1024
_MAX_TAGS = 1_000_000
_CHUNK = 1024 * 1024


def _corrupt(detail: str, path: str) -> UnreadableDocument:
    detail = " ".join(detail.split()) or "unreadable structure"
    return UnreadableDocument(f"corrupt DOCX ({detail})", path=path)


def _row_text(cells: list[Any]) -> str:
    """The text of a table row, cells separated by `` | ``, a merged cell counted once."""
    seen: set[int] = set()
    parts: list[str] = []
    for cell in cells:
        key = id(cell._tc)
        if key in seen:
            continue
        seen.add(key)
        text = " ".join(cell.text.split())
        if text:
            parts.append(text)
    return " | ".join(parts)


def _table_text(table: Table) -> str:
    rows = (_row_text(list(row.cells)) for row in table.rows)
    return "\n".join(row for row in rows if row)


def _blocks(document: Any) -> Iterator[str]:
    """The body's paragraphs and tables, in order, as text blocks."""
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
        elif isinstance(item, Table):
            text = _table_text(item)
        else:  # pragma: no cover - python-docx yields only these two
            continue
        if text:
            yield text


def _created(properties: Any) -> str | None:
    created = properties.created
    if not isinstance(created, dt.datetime):
        return None
    stamp = created if created.tzinfo else created.replace(tzinfo=dt.UTC)
    if stamp == _TEMPLATE_CREATED:
        return None
    return normalize_date(created)


def _too_big(detail: str, path: str) -> UnreadableDocument:
    return UnreadableDocument(f"DOCX too large when unpacked ({detail}); split the document", path=path)


def _check_unpacked(data: bytes, path: str) -> None:
    """Refuse a package whose parts unpack to over 128 MiB or whose XML holds over 1,000,000 tags.

    Sizes come from the ZIP directory (zipfile never unpacks a part past its declared size); tags
    are counted while streaming each XML part, so a zip bomb is refused in bounded memory.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            unpacked = sum(member.file_size for member in members)
            if unpacked > _MAX_UNPACKED:
                raise _too_big(f"{unpacked // (1024 * 1024)} MiB; the limit is 128 MiB", path)
            tags = 0
            for member in members:
                if not member.filename.lower().endswith((".xml", ".rels")):
                    continue
                with package.open(member) as part:
                    while chunk := part.read(_CHUNK):
                        tags += chunk.count(b"<")
                        if tags > _MAX_TAGS:
                            raise _too_big("over 1,000,000 XML tags", path)
    except UnreadableDocument:
        raise
    except Exception as exc:  # zipfile and zlib raise many kinds of error on damaged packages
        raise _corrupt(f"{type(exc).__name__}: {exc}", path) from None


def read_docx(data: bytes, path: str) -> Extracted:
    """Read a .docx file's body text, title and creation date.

    Raises :class:`UnreadableDocument` ("corrupt DOCX (...)") when the file is not a valid
    Word document package.
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _corrupt("not a ZIP package; old binary .doc files are not supported", path)
    _check_unpacked(data, path)
    try:
        document = docx.Document(io.BytesIO(data))
        text = "\n\n".join(_blocks(document))
        properties = document.core_properties
        title = first_line(properties.title) if properties.title else None
        published = _created(properties)
        author = properties.author
    except Exception as exc:  # python-docx, zipfile and lxml all raise on damaged packages
        raise _corrupt(f"{type(exc).__name__}: {exc}", path) from None
    meta: dict[str, Any] = {"format": "docx"}
    if author and author != "python-docx":
        meta["author"] = author
    return Extracted(text=text, title=title, published=published, meta=meta)
