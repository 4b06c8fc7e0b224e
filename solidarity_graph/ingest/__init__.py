"""Reading files into :class:`~solidarity_graph.model.Document` objects.

Supported: plain text (``.txt``), Markdown (``.md``, ``.markdown``), HTML (``.html``, ``.htm``),
PDF (``.pdf``, text layer only) and Word (``.docx``). Files over :data:`MAX_BYTES` are refused.
Every file that cannot be read raises :class:`~solidarity_graph.errors.UnreadableDocument`
naming the path and the reason, so a batch can report it and go on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from solidarity_graph.errors import InputError, UnreadableDocument
from solidarity_graph.ingest.dates import normalize_date, parse_published
from solidarity_graph.ingest.docx import read_docx
from solidarity_graph.ingest.html import read_html
from solidarity_graph.ingest.pdf import read_pdf
from solidarity_graph.ingest.text import (
    TITLE_MAX_CHARS,
    Extracted,
    first_line,
    read_markdown,
    read_plain,
)
from solidarity_graph.model import Document

__all__ = [
    "MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "iter_paths",
    "normalize_date",
    "parse_published",
    "read_document",
    "read_text",
]

MAX_BYTES: int = 20 * 1024 * 1024
"""The size limit: larger files are refused rather than read into memory."""

_READERS: dict[str, Callable[[bytes, str], Extracted]] = {
    ".txt": read_plain,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
}

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_READERS)


def _is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def _walk(folder: Path) -> list[Path]:
    """Supported files under a folder, hidden files and folders skipped, sorted by path parts."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            candidate = Path(root, name)
            if not name.startswith(".") and _is_supported(candidate):
                found.append(candidate)
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def iter_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand files and folders into the files to read, in a stable order.

    Folders are walked recursively; inside them hidden files and folders are skipped and only
    supported suffixes are yielded, sorted by path. A file named explicitly is yielded whatever
    its suffix (:func:`read_document` then reports an unsupported one). A path that does not
    exist raises :class:`InputError` naming it. A file reached twice is yielded once.
    """
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError("no such file or directory", path=str(given))
        candidates = _walk(path) if path.is_dir() else [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                yield candidate


def _human_size(size: int) -> str:
    """A byte count in words: ``20 MiB``, ``1.5 KiB``, ``100 bytes``."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            if unit == "bytes":
                return f"{size} bytes"
            return f"{value:.1f} {unit}".replace(".0 ", " ")
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _load(path: Path, where: str, max_bytes: int) -> bytes:
    """The bytes of a file, after the existence, type and size checks."""
    if not path.exists():
        raise UnreadableDocument("no such file", path=where)
    if path.is_dir():
        raise UnreadableDocument("a directory, not a file", path=where)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kind = f"'{path.suffix}'" if path.suffix else "(no suffix)"
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnreadableDocument(
            f"unsupported file type {kind}; supported: {supported}", path=where
        )
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableDocument(
                f"over the size limit of {_human_size(max_bytes)} "
                f"(the file is {_human_size(size)})",
                path=where,
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableDocument(
            f"cannot read the file ({exc.strerror or exc})", path=where
        ) from None
    if len(data) > max_bytes:  # grew while being read
        raise UnreadableDocument(f"over the size limit of {_human_size(max_bytes)}", path=where)
    if not data:
        raise UnreadableDocument("empty file", path=where)
    return data


def _no_nul(value: Any) -> Any:
    """A string without NUL characters (metadata can hold them; PostgreSQL text cannot; issue 7)."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def read_document(
    path: str | Path,
    *,
    published: str | None = None,
    source: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Document:
    """Read one file into a :class:`Document`.

    ``published`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), when given, wins over any date in
    the file's metadata; a malformed one raises :class:`InputError` (``field='published'``).
    ``source`` defaults to the path as given. The title comes from the file's metadata or
    first heading, else its first non-empty line (at most 200 characters).

    Raises :class:`UnreadableDocument` naming the path and the reason for a missing, empty,
    too big, binary, wrongly encoded, encrypted or corrupt file, a PDF without a text layer
    and an unsupported suffix.
    """
    user_date = parse_published(published) if published is not None else None
    where = str(path)
    file_path = Path(path)
    data = _load(file_path, where, max_bytes)
    extracted = _READERS[file_path.suffix.lower()](data, where)
    document = Document(
        text=extracted.text,
        source=source if source is not None else where,
        published=user_date or extracted.published,
        meta={key: _no_nul(value) for key, value in {**extracted.meta, "bytes": len(data)}.items()},
    )
    if not document.text:
        raise UnreadableDocument(
            "no text found (the file holds only markup or whitespace)", path=where
        )
    document.title = _no_nul(extracted.title) or first_line(document.text, TITLE_MAX_CHARS)
    document.errors.extend(extracted.errors)
    return document


def read_text(
    text: str,
    *,
    source: str,
    published: str | None = None,
    title: str | None = None,
) -> Document:
    """Make a :class:`Document` from a string (text pasted in, read from stdin...).

    ``title`` defaults to the first non-empty line (at most 200 characters). Raises
    :class:`UnreadableDocument` when the text is empty, and :class:`InputError` for a
    malformed ``published`` date.
    """
    user_date = parse_published(published) if published is not None else None
    document = Document(text=text, source=source, published=user_date, meta={"format": "text"})
    if not document.text:
        raise UnreadableDocument("no text found (empty or whitespace only)", path=source)
    document.title = title or first_line(document.text, TITLE_MAX_CHARS)
    return document
