"""Sites entered by people: one by hand, or a spreadsheet of them (CSV); both audited.

The CSV file has a header row; column names are case-insensitive, in any order:

=========  ========  =====================================================================
column     needed    what it holds
=========  ========  =====================================================================
employer   see note  the employer's name, alias or id (may be left out when ``--employer``
                     names it; where both are given they must agree)
country    yes       ISO 3166-1 code (``GB``, ``GBR``) or the country's name (``Brasil``)
city       no        the city or town
site       no        the site's own name ("Erie plant", "Contagem works")
union      no        the union there: a name, alias or id; a name the graph does not know
                     becomes a new organization (kind ``union``), reported as created
workers    no        how many workers there (a whole number; ``1,700`` or ``1700``)
note       no        anything else (where the figure comes from...)
=========  ========  =====================================================================

All or nothing per file: every row is checked first; when any row is bad, every bad row is
reported with its line number and field and nothing is written. A row equal to one already imported
(same employer, country, city, site and union) changes nothing, or only its worker count.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from solidarity_graph.curation import log_change
from solidarity_graph.errors import InputError
from solidarity_graph.program.chain import country_code, resolve_org
from solidarity_graph.resolve import fold_name
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["COLUMNS", "BadRows", "add_site", "remove_site", "import_sites_csv", "import_sites_text"]

COLUMNS = ("employer", "country", "city", "site", "union", "workers", "note")
MAX_BYTES = 5 * 1024 * 1024
_WORKERS = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)$")


class BadRows(InputError):
    """A CSV file with bad rows: ``errors`` holds one InputError per bad row and field."""

    def __init__(self, path: str, errors: list[InputError]) -> None:
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:20]) + (f"; and {len(errors) - 20} more" if len(errors) > 20 else "")
        super().__init__(f"{len(errors)} bad row{'s' if len(errors) != 1 else ''}, nothing imported: {shown}",
                         path=path, line=errors[0].line, field=errors[0].field)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _clean(raw: Mapping[str, str | None], line: int | None) -> tuple[dict[str, Any], list[InputError]]:
    """One site's fields checked: country code, union reference, worker count; the errors found."""
    v = {k: (raw.get(k) or "").strip() or None for k in COLUMNS}
    errors: list[InputError] = []
    out: dict[str, Any] = {"city": v["city"], "name": v["site"], "union": v["union"], "note": v["note"], "workers": None}
    for k in ("city", "site", "union"):
        if v[k] and len(v[k] or "") > 300:
            errors.append(InputError("longer than 300 characters", line=line, field=k))
    try:
        out["country"] = country_code(v["country"] or "")
    except InputError as e:
        errors.append(InputError(e.message, line=line, field="country"))
    if v["workers"]:
        if not _WORKERS.match(v["workers"]) or int(v["workers"].replace(",", "")) > 10_000_000:
            errors.append(InputError(f"{v['workers']!r} is not a number of workers", line=line, field="workers"))
        else:
            out["workers"] = int(v["workers"].replace(",", ""))
    return out, errors


def _find_union(store: Store, name: str) -> int | None:
    try:
        return int(resolve_org(store, name, field="union")["id"])
    except InputError:
        return None


def _create_union(conn: Connection, name: str) -> int:
    key = conn.execute(insert(t.entities).values(type="organization", name=name, kind="union", created_at=_now(),
                                                 attributes={"created_by": "sites import"})).inserted_primary_key
    assert key is not None
    eid = int(key[0])
    conn.execute(insert(t.aliases).values(entity_id=eid, name=name, norm=fold_name(name)[:300], source="curator"))
    return eid


def add_site(store: Store, employer: str | int, *, who: str, country: str, city: str | None = None, name: str | None = None,
             union: str | int | None = None, workers: int | None = None, note: str | None = None) -> dict[str, Any]:
    """Add one site by hand (audited). ``union`` must be an organization the graph knows."""
    emp = resolve_org(store, employer, field="employer")
    raw = {"country": country, "city": city, "site": name, "note": note, "workers": None if workers is None else str(workers)}
    values, errors = _clean(raw, None)
    if errors:
        raise errors[0]
    union_id = int(resolve_org(store, union, field="union")["id"]) if union not in (None, "") else None
    row = {"employer_id": emp["id"], "country": values["country"], "city": values["city"], "name": values["name"],
           "union_id": union_id, "workers": values["workers"], "note": values["note"], "origin": "hand"}
    with store.engine.begin() as conn:
        key = conn.execute(insert(t.sites).values(created_at=_now(), **row)).inserted_primary_key
        assert key is not None
        sid = int(key[0])
        audit = log_change(conn, who, "site_add", f"site {sid}", None, {**row, "employer": emp["name"]}, note)
    return {"site": {"id": sid, **row}, "curation": audit}


def remove_site(store: Store, site_id: int, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Remove a site entered by hand or by CSV (audited). An extracted site goes by rejecting its fact."""
    with store.engine.begin() as conn:
        row = conn.execute(select(t.sites).where(t.sites.c.id == site_id)).first()
        if row is None:
            raise InputError(f"no site {site_id}", field="site")
        if row.origin == "extracted":
            raise InputError("an extracted site comes from a document: reject the fact it came from instead", field="site")
        before = {k: v for k, v in row._mapping.items() if k != "created_at"}
        conn.execute(t.sites.delete().where(t.sites.c.id == site_id))
        audit = log_change(conn, who, "site_remove", f"site {site_id}", before, None, note)
    return {"site": before, "curation": audit}


def import_sites_csv(store: Store, path: str | Path, employer: str | int | None = None, *, who: str) -> dict[str, Any]:
    """Import the sites listed in a CSV file (see the module's docstring for its columns); all or nothing."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror or e}", path=str(p)) from e
    if len(data) > MAX_BYTES:
        raise InputError(f"larger than {MAX_BYTES // (1024 * 1024)} MiB", path=str(p))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text (byte {e.start})", path=str(p)) from e
    return import_sites_text(store, text, employer, who=who, name=str(p))


def import_sites_text(store: Store, text: str, employer: str | int | None = None, *, who: str, name: str = "upload.csv") -> dict[str, Any]:
    """Import sites from CSV text (an upload); ``name`` names it in errors and in the audit log."""
    default = resolve_org(store, employer, field="employer") if employer not in (None, "") else None
    rows, errors = _read_rows(store, text, default, name)
    if errors:
        raise BadRows(name, errors)
    if not rows:
        raise InputError("no rows under the header", path=name)
    return _write_rows(store, rows, who=who, name=name)


def _read_rows(store: Store, text: str, default: dict[str, Any] | None, name: str) -> tuple[list[dict[str, Any]], list[InputError]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the file is empty", path=name) from None
    except csv.Error as e:
        raise InputError(f"not a CSV file: {e}", path=name, line=1) from e
    cols = [h.strip().lower() for h in header]
    unknown = [c for c in cols if c not in COLUMNS]
    if unknown:
        raise InputError(f"unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)})", path=name, line=1, field=unknown[0])
    if "country" not in cols:
        raise InputError("the header has no country column", path=name, line=1, field="country")
    if default is None and "employer" not in cols:
        raise InputError("no employer column and no employer given", path=name, line=1, field="employer")
    rows: list[dict[str, Any]] = []
    errors: list[InputError] = []
    line = 1
    employers: dict[str, int | None] = {}
    try:
        for record in reader:
            line, start = reader.line_num, line + 1
            if not any(x.strip() for x in record):
                continue
            if len(record) != len(cols):
                errors.append(InputError(f"{len(record)} fields where the header has {len(cols)}", line=start))
                continue
            raw = dict(zip(cols, record, strict=True))
            values, bad = _clean(raw, start)
            values["employer_id"] = _row_employer(store, raw.get("employer", ""), default, employers, start, bad)
            values["line"] = start
            errors += bad
            rows.append(values)
    except csv.Error as e:
        errors.append(InputError(f"not readable as CSV: {e}", line=reader.line_num))
    for r in rows:
        r["union_id"] = _find_union(store, r["union"]) if r["union"] else None
    return rows, errors


def _row_employer(store: Store, text: str, default: dict[str, Any] | None, cache: dict[str, int | None], line: int,
                  bad: list[InputError]) -> int | None:
    text = text.strip()
    if not text:
        if default is None:
            bad.append(InputError("no employer", line=line, field="employer"))
        return int(default["id"]) if default else None
    if text not in cache:
        try:
            cache[text] = int(resolve_org(store, text, field="employer")["id"])
        except InputError:
            cache[text] = None
    eid = cache[text]
    if eid is None:
        bad.append(InputError(f"no organization named {text!r}", line=line, field="employer"))
    elif default is not None and eid != default["id"]:
        bad.append(InputError(f"{text!r} is not {default['name']}, the employer given", line=line, field="employer"))
    return eid


def _write_rows(store: Store, rows: list[dict[str, Any]], *, who: str, name: str) -> dict[str, Any]:
    """Write checked rows in one transaction: new sites added, changed worker counts updated, one audit entry."""
    added: list[int] = []
    updated: list[dict[str, Any]] = []
    created: dict[str, int] = {}
    created_names: list[str] = []
    unchanged = 0
    with store.engine.begin() as conn:
        existing = {_key(r._mapping): r for r in conn.execute(select(t.sites).where(
            t.sites.c.employer_id.in_({r["employer_id"] for r in rows}), t.sites.c.origin.in_(("csv", "hand"))))}
        for r in rows:
            if r["union"] and r["union_id"] is None:
                folded = fold_name(r["union"])
                if folded not in created:
                    created[folded] = _create_union(conn, r["union"])
                    created_names.append(r["union"])
                r["union_id"] = created[folded]
            key = _key(r)
            old = existing.get(key)
            if old is not None:
                if r["workers"] is not None and r["workers"] != old.workers:
                    conn.execute(update(t.sites).where(t.sites.c.id == old.id).values(workers=r["workers"]))
                    updated.append({"site": old.id, "workers": [old.workers, r["workers"]]})
                else:
                    unchanged += 1
                continue
            note = f"{Path(name).name} line {r['line']}" + (f": {r['note']}" if r["note"] else "")
            values = {"employer_id": r["employer_id"], "country": r["country"], "city": r["city"], "name": r["name"],
                      "union_id": r["union_id"], "workers": r["workers"], "note": note, "origin": "csv"}
            pk = conn.execute(insert(t.sites).values(created_at=_now(), **values)).inserted_primary_key
            assert pk is not None
            added.append(int(pk[0]))
            existing[key] = conn.execute(select(t.sites).where(t.sites.c.id == added[-1])).one()
        summary = {"file": name, "rows": len(rows), "added": added, "updated": updated, "unchanged": unchanged,
                   "created_unions": created_names}
        audit = log_change(conn, who, "sites_import", f"sites from {Path(name).name}", None, summary, None)
    if created:
        store.forget_index()
    return {**summary, "curation": audit}


def _key(r: Any) -> tuple[Any, ...]:
    return (r["employer_id"], r["country"], fold_name(r["city"] or ""), fold_name(r["name"] or ""), r["union_id"])
