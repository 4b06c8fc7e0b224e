"""PDF files: the text layer of every page, with title and creation date from the metadata.

pypdf does the reading. Its warnings and log messages are kept quiet (a damaged file is
reported once, as an :class:`UnreadableDocument`, not as a stream of warnings). Encrypted files
are read only when the empty password opens them; scanned files without a text layer are
refused with a hint to run OCR first.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from solidarity_graph.errors import UnreadableDocument
from solidarity_graph.ingest.dates import normalize_date
from solidarity_graph.ingest.text import Extracted, first_line, unwrap_lines

__all__ = ["read_pdf"]

# Titles that PDF producers write when nobody gave one.
_PLACEHOLDER_TITLES = frozenset({"untitled", "untitled document", "title", "document"})
_PLACEHOLDER_AUTHORS = frozenset({"anonymous", "unknown", "unspecified", "author"})
_WORD_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ", re.IGNORECASE)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Silence pypdf's warnings and log messages for the duration of a read."""
    logger = logging.getLogger("pypdf")
    saved = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(saved)


def _corrupt(detail: str, path: str) -> UnreadableDocument:
    detail = " ".join(str(detail).split()) or "unreadable structure"
    return UnreadableDocument(f"corrupt PDF ({detail})", path=path)


def _check_framing(data: bytes, path: str) -> None:
    """Refuse files without a ``%PDF-`` header or a ``%%EOF`` marker (truncated downloads)."""
    if b"%PDF-" not in data[:1024]:
        raise _corrupt("no %PDF- header; not a PDF file", path)
    if b"%%EOF" not in data:
        raise _corrupt("truncated: no %%EOF marker", path)


def _open(data: bytes, path: str) -> PdfReader:
    """Open a PDF, decrypting it with the empty password when it is encrypted."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception as exc:  # pypdf raises many kinds of error on damaged files
        raise _corrupt(str(exc) or type(exc).__name__, path) from None
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except DependencyError:
            raise UnreadableDocument(
                "encrypted PDF (its encryption needs the 'cryptography' package)", path=path
            ) from None
        except Exception as exc:
            raise UnreadableDocument(f"encrypted PDF ({exc})", path=path) from None
        if not opened:
            raise UnreadableDocument(
                "encrypted PDF (password protected; remove the password first)", path=path
            )
    return reader


def _metadata(reader: PdfReader) -> dict[str, Any]:
    """The document information dictionary as plain strings; empty when it is unreadable."""
    try:
        info = reader.metadata
        if info is None:
            return {}
        return {str(key): str(value) for key, value in info.items()}
    except Exception:
        return {}


def _title(info: dict[str, Any]) -> str | None:
    raw = info.get("/Title")
    if not raw:
        return None
    title = first_line(_WORD_PREFIX.sub("", str(raw)))
    if not title or title.strip().lower() in _PLACEHOLDER_TITLES:
        return None
    return title


def _page_texts(reader: PdfReader, path: str) -> tuple[list[str], list[str], int]:
    """The text of every page, the per-page errors, and the page count."""
    try:
        pages = list(reader.pages)
    except FileNotDecryptedError:
        raise UnreadableDocument("encrypted PDF (password protected)", path=path) from None
    except Exception as exc:
        raise _corrupt(str(exc) or type(exc).__name__, path) from None
    texts: list[str] = []
    errors: list[str] = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:
            errors.append(f"page {number}: text not extracted ({type(exc).__name__}: {exc})")
            texts.append("")
    if pages and len(errors) == len(pages):
        raise _corrupt(f"no page could be read; {errors[0]}", path)
    return texts, errors, len(pages)


def read_pdf(data: bytes, path: str) -> Extracted:
    """Read a PDF's text layer, pages separated by blank lines; title and date from metadata.

    Lines broken mid-sentence by the layout are joined again (see ``unwrap_lines``).

    Raises :class:`UnreadableDocument` for encrypted, corrupt or truncated files and for files
    without a text layer.
    """
    _check_framing(data, path)
    with _quiet_pypdf():
        reader = _open(data, path)
        texts, errors, page_count = _page_texts(reader, path)
        info = _metadata(reader)
    page_texts = [unwrap_lines(text).strip() for text in texts]
    text = "\n\n".join(chunk for chunk in page_texts if chunk)
    if not text.strip():
        raise UnreadableDocument(
            "PDF has no text layer (scanned or image-only; run OCR on it first)", path=path
        )
    meta: dict[str, Any] = {"format": "pdf", "pages": page_count}
    if reader.is_encrypted:
        meta["encrypted"] = True
    author = " ".join(str(info.get("/Author", "")).split())
    if author and author.lower() not in _PLACEHOLDER_AUTHORS:
        meta["author"] = author
    if info.get("/Producer"):
        meta["producer"] = info["/Producer"]
    return Extracted(
        text=text,
        title=_title(info),
        published=normalize_date(info.get("/CreationDate")),
        meta=meta,
        errors=errors,
    )
