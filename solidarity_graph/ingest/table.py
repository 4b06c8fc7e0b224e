"""Spreadsheet rows as documents: ``solidarity ingest --csv FILE --text-column C --id-column C``.

Each row becomes one document whose id is the row's id (the export's ``document`` field), so
researchers can join the graph back to their sheet. A bad row (no id, no text, text that is not
UTF-8) is reported with its row number; the other rows go on.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from solidarity_graph.errors import InputError
from solidarity_graph.ingest.dates import normalize_date, parse_published
from solidarity_graph.model import Document, normalize_text

__all__ = ["read_csv_documents"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _columns(header: list[str], path: str, **wanted: str | None) -> dict[str, int]:
    idx: dict[str, int] = {}
    for role, name in wanted.items():
        if name is None:
            continue
        if name not in header:
            raise InputError(f"no column {name!r} (columns: {', '.join(h for h in header if h)})", path=path, field=role)
        idx[role] = header.index(name)
    return idx


def read_csv_documents(
    path: str | Path,
    *,
    text_column: str,
    id_column: str,
    date_column: str | None = None,
    published_column: str | None = None,
    published: str | None = None,
    source: str | None = None,
) -> Iterator[Document | tuple[str, str]]:
    """One Document per row; a row that cannot be read is yielded as ``(where, reason)``.

    ``date_column`` / ``published_column`` give the row's publication date (any of YYYY,
    YYYY-MM, YYYY-MM-DD or a written date); ``published`` is the fallback for every row.
    """
    path = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=path) from e
    if published is not None:
        published = parse_published(published)
    # Decode line by line so that one bad row does not lose the sheet.
    lines = raw.split(b"\n")
    text_lines: list[str] = []
    bad_lines: dict[int, str] = {}
    for n, line in enumerate(lines, 1):
        try:
            text_lines.append(line.decode("utf-8-sig" if n == 1 else "utf-8"))
        except UnicodeDecodeError as e:
            bad_lines[n] = f"not valid UTF-8 (byte 0x{line[e.start]:02x})"
            text_lines.append(line.decode("utf-8", errors="replace"))
    # newline="": csv sees a carriage return itself (old Mac sheets end rows with one; a lone one
    # inside a field raised csv.Error before, issue 7)
    reader = csv.reader(io.StringIO("\n".join(text_lines), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty CSV file", path=path) from None
    cols = _columns(header, path, text=text_column, id=id_column, date=date_column, published=published_column)
    for row in reader:
        end_line = reader.line_num
        where = f"{path}: row {end_line}"
        first_line = end_line - sum(cell.count("\n") for cell in row)
        bad = next((bad_lines[n] for n in range(first_line, end_line + 1) if n in bad_lines), None)
        if not any(cell.strip() for cell in row):
            continue
        if bad:
            yield (where, bad)
            continue
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        doc_id = row[cols["id"]].strip()
        text = normalize_text(row[cols["text"]])  # as the Document will hold it: "\x00" alone is no text (issue 7)
        if "\x00" in doc_id:
            yield (where, f"a NUL character in the id in column {id_column!r}")
            continue
        if not doc_id:
            yield (where, f"no id in column {id_column!r}")
            continue
        if not text or text in (".", "NA", "None"):
            yield (where, f"no text in column {text_column!r}")
            continue
        date = published
        for role in ("published", "date"):
            if role in cols and row[cols[role]].strip():
                date = normalize_date(row[cols[role]].strip()) or date
                break
        yield Document(text=text, source=source or f"{path}#{doc_id}", doc_id=doc_id, published=date,
                       meta={"format": "csv", "row": end_line})
