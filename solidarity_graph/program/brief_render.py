"""Briefing packs on paper and screen: one self-contained HTML file (CSS inline, nothing fetched), and a PDF.

The PDF is drawn by WeasyPrint from that HTML (A4, page numbers, fonts from the system's
fontconfig: Liberation or DejaVu for Latin, Noto CJK or Nanum for Korean and Japanese).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from solidarity_graph.errors import InputError, SolidarityGraphError

__all__ = ["render_body", "render_html", "render_pdf", "write_brief", "brief_css", "source_groups"]

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


@lru_cache(maxsize=1)
def brief_css() -> str:
    """The brief's stylesheet (print and screen)."""
    return (TEMPLATES / "brief.css").read_text(encoding="utf-8")


def _as_of_text(as_of: str) -> str:
    try:
        d = dt.date.fromisoformat(as_of)
    except ValueError:
        return as_of
    return f"{d.day} {d:%B %Y}"


def source_groups(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Footnotes gathered under their document (or record), documents in order of first citation."""
    groups: dict[tuple[str, str | None], dict[str, Any]] = {}
    for src in sources:
        key = (src.get("document") or src["title"], src.get("date"))
        group = groups.setdefault(key, {"title": src["title"], "date": src.get("date"), "document": src.get("document"), "items": []})
        group["items"].append(src)
    return list(groups.values())


def render_body(brief: dict[str, Any]) -> Markup:
    """The brief's content as an HTML fragment (an ``<article>``), escaped."""
    return Markup(_env().get_template("brief_body.html").render(**brief, as_of_text=_as_of_text(brief["as_of"]),
                                                                 source_groups=source_groups(brief["sources"])))


def _css_string(text: str) -> str:
    """A CSS string's content: no quote, backslash or markup can break out of it."""
    return "".join(c if c.isalnum() or c in " .,:;·()-–'" else f"\\{ord(c):x} " for c in text)


def render_html(brief: dict[str, Any]) -> str:
    """A standalone HTML document: CSS inline, print rules for A4, no external resource."""
    footer = f"Briefing: {brief['entity']['name']} · Solidarity Graph · {brief['as_of']}"
    if brief.get("revealed"):
        footer += " · NAMES PROTECTED PEOPLE"
    return _env().get_template("brief.html").render(entity=brief["entity"], css=Markup(brief_css()),
                                                    footer=Markup(_css_string(footer)), body=render_body(brief))


def _offline_fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=["data"])  # nothing from disk paths or the network


def render_pdf(brief: dict[str, Any]) -> bytes:
    """The brief as an A4 PDF (WeasyPrint needs the system's Pango: Debian's libpango-1.0-0 and libpangoft2-1.0-0)."""
    try:
        from weasyprint import HTML
    except OSError as e:  # the Python package is there but the system library is not
        raise SolidarityGraphError(f"cannot draw PDFs here ({e}); install Debian's libpango-1.0-0 and libpangoft2-1.0-0, "
                                   "or write .html") from e

    pdf: bytes = HTML(string=render_html(brief), url_fetcher=_offline_fetcher()).write_pdf()
    return pdf


def write_brief(brief: dict[str, Any], out: Path) -> Path:
    """Write the brief to ``out`` as PDF or HTML (by its suffix), whole or not at all."""
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise InputError(f"{out}: the output must end in .pdf or .html", field="out")
    data = render_pdf(brief) if suffix == ".pdf" else render_html(brief).encode("utf-8")
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    return out
