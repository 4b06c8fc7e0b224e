"""Reading real files of every supported format into Documents."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from solidarity_graph.ingest import (
    MAX_BYTES,
    SUPPORTED_SUFFIXES,
    iter_paths,
    read_document,
    read_text,
)
from solidarity_graph.ingest.html import html_to_text
from solidarity_graph.ingest.text import markdown_to_text, unwrap_lines

ARTICLE = [
    "About 2,000 dock workers walked out on Thursday at the Port of Antwerp, the union said, "
    "demanding a pay rise of five percent and safer working conditions on the quays.",
    "The strike, called by the transport union after talks with the employers' federation "
    "broke down, halted container traffic for twenty-four hours.",
    "Union leaders said further action would follow if the employers did not return to the "
    "negotiating table before the end of the month.",
]

PAGE_HTML = """<!DOCTYPE html>
<html lang="en"><head><title>Dockers strike at Port of Antwerp | Union News</title>
<meta property="article:published_time" content="2018-05-03T10:00:00+02:00">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">Latest news</a></li>
<li><a href="/join">Join the union today</a></li></ul></nav></header>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience.
Accept all cookies?</p><button>Accept</button></div>
<main><article><h1>Dockers strike at Port of Antwerp</h1>
<p>{0}</p>
<p>{1}</p>
<p>{2}</p>
</article></main>
<footer><p>Copyright Union News. All rights reserved.</p><p>Privacy policy and terms of use</p>
</footer><script>var tracking = "pixel";</script>
</body></html>
"""


def make_pdf(
    path: Path,
    pages: list[list[str]],
    *,
    title: str | None = None,
    created: str | None = None,
    user_password: str | None = None,
) -> Path:
    """Write a PDF with one text line per item on each page; metadata and encryption optional."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for lines in pages:
        y = 760
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    info: dict[str, str] = {}
    if title is not None:
        info["/Title"] = title
    if created is not None:
        info["/CreationDate"] = created
    if info:
        writer.add_metadata(info)
    if user_password is not None:
        writer.encrypt(user_password, owner_password="owner-secret")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def make_docx(path: Path, *, title: str = "", created: dt.datetime | None = None) -> Path:
    """Write a Word file with a heading, two paragraphs and a small table."""
    document = docx.Document()
    document.core_properties.title = title
    if created is not None:
        document.core_properties.created = created
    document.add_heading("Solidarity with the Antwerp dockers", level=1)
    document.add_paragraph(ARTICLE[0])
    document.add_paragraph(ARTICLE[1])
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Union"
    table.cell(0, 1).text = "Members"
    table.cell(1, 0).text = "BTB"
    table.cell(1, 1).text = "9,000"
    document.save(str(path))
    return path


def test_text_reads_title_and_header_date(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("Dockers strike in Antwerp\nDate: 2018-05-03\n\n" + ARTICLE[0] + "\n", "utf-8")
    doc = read_document(path)
    assert doc.title == "Dockers strike in Antwerp"
    assert doc.published == "2018-05-03"
    assert ARTICLE[0] in doc.text
    assert doc.source == str(path)
    assert doc.meta["format"] == "text"


@pytest.mark.parametrize(
    ("published", "expected"), [(None, "2019-11"), ("2020-01-15", "2020-01-15"), ("2021", "2021")]
)
def test_text_front_matter_date_unless_user_date(
    tmp_path: Path, published: str | None, expected: str
) -> None:
    path = tmp_path / "note.txt"
    path.write_text("---\ntitle: 'Front title'\ndate: 2019-11\n---\nBody text here.\n", "utf-8")
    doc = read_document(path, published=published)
    assert doc.published == expected
    assert doc.title == "Front title"
    assert doc.text == "Body text here."


def test_text_korean_utf8_survives(tmp_path: Path) -> None:
    path = tmp_path / "kctu.txt"
    korean = "전국민주노동조합총연맹은 서울에서 총파업을 선언했다."
    path.write_text(korean + "\n\n두 번째 문단입니다.\n", "utf-8")
    doc = read_document(path)
    assert doc.text == korean + "\n\n두 번째 문단입니다."
    assert doc.title == korean


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_text_bom_encodings_decoded(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("Grève générale à Paris\n".encode(encoding))
    assert read_document(path).text == "Grève générale à Paris"


def test_text_source_override_and_long_title_cut(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("word " * 100 + "\n", "utf-8")
    doc = read_document(path, source="https://example.org/long")
    assert doc.source == "https://example.org/long"
    assert doc.title is not None and len(doc.title) <= 200


def test_text_soft_wrapped_lines_joined() -> None:
    wrapped = "The strike at the port of\nAntwerp was called by the\nunion.\nNew line here."
    assert unwrap_lines(wrapped) == (
        "The strike at the port of Antwerp was called by the union.\nNew line here."
    )
    unchanged = "Title Line\nDate: 2020\n- item\n- item\n```\ncode of\n```\nafter fence"
    assert unwrap_lines(unchanged) == unchanged


MARKDOWN = """---
title: Resolution on solidarity
date: 2025-09-26
---
# Resolution on International Solidarity

<!-- internal note: do not publish -->
![Delegates voting](images/vote.jpg)

**WHEREAS** the _corporations_ move work across borders, and workers answer by
organizing across the same borders;

## Further resolved

See the [UE website](http://example.org/ue) and *our allies* for `details`.
"""


def test_markdown_markup_removed(tmp_path: Path) -> None:
    path = tmp_path / "resolution.md"
    path.write_text(MARKDOWN, "utf-8")
    doc = read_document(path)
    assert doc.title == "Resolution on solidarity"
    assert doc.published == "2025-09-26"
    assert doc.meta["format"] == "markdown"
    for markup in ("#", "**", "](", "![", "<!--", "---", "`", "date:", "_corporations_"):
        assert markup not in doc.text
    assert "internal note" not in doc.text
    assert (
        "WHEREAS the corporations move work across borders, and workers answer by "
        "organizing across the same borders;" in doc.text
    )
    assert "See the UE website and our allies for details." in doc.text
    assert "\n\nFurther resolved\n\n" in doc.text


@pytest.mark.parametrize(
    ("markdown", "title"),
    [("# First heading\n\ntext", "First heading"), ("Plain start\n\n# Later\n", "Later")],
)
def test_markdown_title_from_first_heading(tmp_path: Path, markdown: str, title: str) -> None:
    path = tmp_path / "doc.markdown"
    path.write_text(markdown, "utf-8")
    assert read_document(path).title == title


def test_markdown_snake_case_lists_and_tables_kept() -> None:
    text = markdown_to_text(
        "Use file_name_here.\n\n* one\n* two\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert text == "Use file_name_here.\n\n- one\n- two\n\n| a | b |\n| 1 | 2 |"


@pytest.mark.parametrize(("published", "expected"), [(None, "2018-05-03"), ("2019", "2019")])
def test_html_boilerplate_dropped(tmp_path: Path, published: str | None, expected: str) -> None:
    path = tmp_path / "article.html"
    path.write_text(PAGE_HTML.format(*ARTICLE), "utf-8")
    doc = read_document(path, published=published)
    for paragraph in ARTICLE:
        assert paragraph in doc.text
    for boilerplate in ("Latest news", "Join the union today", "cookies", "All rights", "pixel"):
        assert boilerplate not in doc.text
    assert "\n\n".join(ARTICLE[:2]) in doc.text
    assert doc.title == "Dockers strike at Port of Antwerp"
    assert doc.published == expected
    assert doc.meta["format"] == "html"


def test_html_korean_tiny_page(tmp_path: Path) -> None:
    path = tmp_path / "tiny.htm"
    page = "<html><head><title>연대</title></head><body><nav>메뉴</nav><p>노동자 연대 만세.</p></body></html>"
    path.write_text(page, "utf-8")
    doc = read_document(path)
    assert "노동자 연대 만세." in doc.text
    assert "메뉴" not in doc.text
    assert doc.title == "연대"
    assert doc.published is None


def test_html_fallback_drops_scripts_and_navigation() -> None:
    page = (
        "<html><body><header>Site name</header><nav><a>Home</a></nav>"
        "<div>First block</div><p>Second <b>block</b></p><script>alert(1)</script>"
        "<style>p {}</style><footer>Footer text</footer></body></html>"
    )
    assert html_to_text(page) == "First block\n\nSecond block"


@pytest.mark.parametrize(("published", "expected"), [(None, "2018-05-03"), ("2018-06", "2018-06")])
def test_pdf_reads_pages_title_and_date(
    tmp_path: Path, published: str | None, expected: str
) -> None:
    path = make_pdf(
        tmp_path / "report.pdf",
        [
            ["Dockers strike in Antwerp", "About 2,000 dock workers walked out."],
            ["The union called further action."],
        ],
        title="Annual report 2018",
        created="D:20180503120000+02'00'",
    )
    doc = read_document(path, published=published)
    assert doc.title == "Annual report 2018"
    assert doc.published == expected
    assert doc.meta["format"] == "pdf"
    assert doc.meta["pages"] == 2
    assert "About 2,000 dock workers walked out.\n\nThe union called further action." in doc.text


def test_pdf_placeholder_title_falls_back_to_first_line(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "untitled.pdf", [["Statement of the union", "Text."]], title="untitled"
    )
    assert read_document(path).title == "Statement of the union"


def test_pdf_empty_user_password_is_read(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "open.pdf", [["Readable despite encryption."]], user_password="")
    doc = read_document(path)
    assert doc.text == "Readable despite encryption."
    assert doc.meta["encrypted"] is True


@pytest.mark.parametrize(("published", "expected"), [(None, "2017-09-21"), ("2017", "2017")])
def test_docx_reads_paragraphs_tables_title_and_date(
    tmp_path: Path, published: str | None, expected: str
) -> None:
    created = dt.datetime(2017, 9, 21, 8, 30, tzinfo=dt.UTC)
    path = make_docx(tmp_path / "letter.docx", title="Letter of solidarity", created=created)
    doc = read_document(path, published=published)
    assert doc.title == "Letter of solidarity"
    assert doc.published == expected
    assert doc.meta["format"] == "docx"
    assert doc.text.startswith(
        "Solidarity with the Antwerp dockers\n\n" + ARTICLE[0] + "\n\n" + ARTICLE[1]
    )
    assert "Union | Members\nBTB | 9,000" in doc.text


def test_docx_template_date_ignored_and_heading_title(tmp_path: Path) -> None:
    doc = read_document(make_docx(tmp_path / "plain.docx"))
    assert doc.published is None
    assert doc.title == "Solidarity with the Antwerp dockers"


def test_read_text_builds_document() -> None:
    doc = read_text("  First line\nsecond line  ", source="stdin", published="2018-05")
    assert (doc.text, doc.title, doc.published, doc.source) == (
        "First line\nsecond line",
        "First line",
        "2018-05",
        "stdin",
    )
    assert read_text("Body", source="x", title="Given").title == "Given"


def test_ingest_constants() -> None:
    assert {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"} == SUPPORTED_SUFFIXES
    assert MAX_BYTES == 20 * 1024 * 1024


def test_iter_paths_recursion_hidden_and_sorting(tmp_path: Path) -> None:
    for name in (
        "b.txt",
        "a.md",
        "sub/z.pdf",
        "sub/deeper/c.html",
        "a-b/x.docx",
        ".hidden.txt",
        ".git/config.txt",
        "sub/.cache/d.txt",
        "notes.csv",
        "IMG.PNG",
    ):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x", "utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_paths([tmp_path])]
    assert found == ["a-b/x.docx", "a.md", "b.txt", "sub/deeper/c.html", "sub/z.pdf"]


def test_iter_paths_explicit_files_and_duplicates(tmp_path: Path) -> None:
    csv = tmp_path / "data.csv"
    csv.write_text("x", "utf-8")
    text = tmp_path / "doc.txt"
    text.write_text("x", "utf-8")
    found = list(iter_paths([str(csv), text, tmp_path]))
    assert found == [csv, text]
