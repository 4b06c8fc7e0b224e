"""Bad input: every unreadable file raises an error that names the path and the reason."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from solidarity_graph.errors import InputError, UnreadableDocument
from solidarity_graph.ingest import iter_paths, read_document, read_text
from solidarity_graph.ingest.dates import normalize_date, parse_published


def _pdf_bytes(draw: Callable[[canvas.Canvas], None]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    draw(pdf)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _text_pdf() -> bytes:
    return _pdf_bytes(lambda pdf: pdf.drawString(72, 720, "A secret resolution of the union."))


def _image_only_pdf() -> bytes:
    return _pdf_bytes(lambda pdf: pdf.rect(100, 100, 300, 200, fill=1))


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_text_pdf())))
    writer.encrypt("user-secret", owner_password="owner-secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _truncated_pdf() -> bytes:
    data = _text_pdf()
    return data[: len(data) // 2]


def _zip_garbage() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><not closed")
    return buffer.getvalue()


# (file name, bytes, the reason the message must name)
CASES: list[tuple[str, Callable[[], bytes], str]] = [
    ("random.txt", lambda: random.Random(7).randbytes(4096), "binary data, not text"),
    ("random.md", lambda: b"\x00\x01\x02 text" * 50, "binary data, not text"),
    ("random.html", lambda: random.Random(8).randbytes(2048), "binary data, not text"),
    ("empty.txt", lambda: b"", "empty file"),
    ("blank.md", lambda: b"  \n\t\n   \n", "no text found"),
    ("markup.html", lambda: b"<html><body><script>x()</script></body></html>", "no text found"),
    (
        "latin1.txt",
        lambda: "Grève générale".encode("latin-1"),
        "not valid UTF-8 (byte 0xe8 at offset 2)",
    ),
    ("encrypted.pdf", _encrypted_pdf, "encrypted PDF"),
    ("truncated.pdf", _truncated_pdf, "corrupt PDF"),
    ("garbage.pdf", lambda: b"%PDF-1.4\n" + b"nonsense " * 40 + b"\n%%EOF\n", "corrupt PDF"),
    ("notpdf.pdf", lambda: b"plain words, no PDF here", "corrupt PDF"),
    ("image.pdf", _image_only_pdf, "PDF has no text layer"),
    ("garbage.docx", _zip_garbage, "corrupt DOCX"),
    ("notzip.docx", lambda: random.Random(9).randbytes(512), "corrupt DOCX"),
    ("sheet.xlsx", lambda: b"a,b\n1,2\n", "unsupported file type '.xlsx'"),
    ("README", lambda: b"no suffix", "unsupported file type (no suffix)"),
]


@pytest.mark.parametrize(("name", "make", "reason"), CASES, ids=[c[0] for c in CASES])
def test_read_document_refuses_bad_file(
    tmp_path: Path, name: str, make: Callable[[], bytes], reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(UnreadableDocument) as info:
        read_document(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert reason in message
    assert info.value.path == str(path)
    assert info.value.message.startswith(reason.split(" (")[0])


@pytest.mark.parametrize(("size", "limit"), [(101, 100), (3 * 1024, 2 * 1024)])
def test_read_document_refuses_over_size_limit(tmp_path: Path, size: int, limit: int) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * size)
    with pytest.raises(UnreadableDocument, match="over the size limit of") as info:
        read_document(path, max_bytes=limit)
    assert str(path) in str(info.value)


def test_read_document_size_limit_message_in_mib(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(b"a" * (1024 * 1024 + 1))
    with pytest.raises(UnreadableDocument, match=r"over the size limit of 1 MiB"):
        read_document(path, max_bytes=1024 * 1024)


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_read_document_refuses_missing_path_and_folder(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "nowhere.txt"
    if kind == "directory":
        path.mkdir()
    with pytest.raises(InputError) as info:
        read_document(str(path))
    assert str(info.value).startswith(f"{path}: ")
    assert ("no such file" if kind == "missing" else "a directory") in str(info.value)


def test_read_document_bad_user_date_names_field(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("text", "utf-8")
    with pytest.raises(InputError, match="field 'published'"):
        read_document(path, published="May 2018")


def test_iter_paths_missing_path_raises(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(InputError) as info:
        list(iter_paths([missing]))
    assert info.value.path == str(missing)
    assert str(missing) in str(info.value)


def test_read_text_refuses_empty_text() -> None:
    with pytest.raises(UnreadableDocument, match="stdin: no text found"):
        read_text(" \n ", source="stdin")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2018", "2018"),
        ("2018-05", "2018-05"),
        ("2018-05-03", "2018-05-03"),
        (" 2024-02-29 ", "2024-02-29"),
    ],
)
def test_dates_parse_published_accepts(value: str, expected: str) -> None:
    assert parse_published(value) == expected


@pytest.mark.parametrize(
    "value", ["2018-13", "2018-02-30", "May 2018", "", "  ", "18", "2018-5-3", "2018-05-03T10:00"]
)
def test_dates_parse_published_rejects(value: str) -> None:
    with pytest.raises(InputError) as info:
        parse_published(value)
    assert info.value.field == "published"
    assert "field 'published'" in str(info.value)
    assert "YYYY" in str(info.value) or "calendar date" in str(info.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("D:20180503120000+02'00'", "2018-05-03"),
        ("2018-05-03T10:00:00Z", "2018-05-03"),
        ("3 May 2018", "2018-05-03"),
        ("May 2018", "2018-05"),
        ("garbage", None),
        ("2018-02-30", None),
        (None, None),
    ],
)
def test_dates_normalize_date_metadata(value: object, expected: str | None) -> None:
    assert normalize_date(value) == expected
