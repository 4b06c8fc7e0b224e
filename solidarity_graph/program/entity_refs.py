"""What the exchanges and commitments modules share: entities named by a user, dates, the clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from solidarity_graph.errors import InputError
from solidarity_graph.ingest.dates import parse_published
from solidarity_graph.resolve import fold_name
from solidarity_graph.store import tables as t

__all__ = ["now", "check_date", "find_ref", "entity_ref", "names_of", "age_days"]


def now() -> str:
    """The time of a change, UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def check_date(value: str | None, field: str) -> str | None:
    """A user's date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (None stays None); else InputError on ``field``."""
    if value is None or not str(value).strip():
        return None
    try:
        return parse_published(str(value))
    except InputError as e:
        raise InputError(e.message, field=field) from e


def find_ref(conn: Connection, ref: str | int, types: tuple[str, ...]) -> int | None:
    """The entity a user means by ``ref``: an id, or a name or alias (the most mentioned of that name)."""
    if isinstance(ref, int) or str(ref).strip().isdigit():
        row = conn.execute(select(t.entities.c.id, t.entities.c.type).where(t.entities.c.id == int(ref))).first()
        if row is None:
            return None
        return int(row.id) if row.type in types else None
    norm = fold_name(str(ref))
    if not norm:
        return None
    counts = select(t.mentions.c.entity_id, func.count().label("n")).group_by(t.mentions.c.entity_id).subquery()
    row = conn.execute(
        select(t.entities.c.id).join(t.aliases, t.aliases.c.entity_id == t.entities.c.id)
        .outerjoin(counts, counts.c.entity_id == t.entities.c.id)
        .where(t.aliases.c.norm == norm, t.entities.c.type.in_(types))
        .order_by(func.coalesce(counts.c.n, 0).desc(), t.entities.c.id).limit(1)).first()
    return int(row.id) if row is not None else None


def entity_ref(conn: Connection, ref: str | int, types: tuple[str, ...], *, field: str, create: bool,
               who: str) -> tuple[int, bool]:
    """``find_ref``, or (``create``) a new entity of ``types[0]`` named ``ref``; returns (id, created).

    A name that is no entity yet is made one only when a curator types it for an exchange (a host the
    graph has never seen); an id that does not exist is always an error.
    """
    found = find_ref(conn, ref, types)
    if found is not None:
        return found, False
    name = str(ref).strip()
    if not create or not name or name.isdigit():
        raise InputError(f"no {' or '.join(types)} {name!r} in the graph", field=field)
    key = conn.execute(insert(t.entities).values(type=types[0], name=name, attributes={"created_by": who, "origin": "hand"},
                                                 created_at=now())).inserted_primary_key
    assert key is not None
    eid = int(key[0])
    conn.execute(insert(t.aliases).values(entity_id=eid, name=name, norm=fold_name(name)[:300], source="curator"))
    return eid, True


def names_of(conn: Connection, ids: set[int]) -> dict[int, dict[str, Any]]:
    """Id -> {"id", "name", "type", "kind", "country"} for the given entities."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = conn.execute(select(t.entities.c.id, t.entities.c.name, t.entities.c.type, t.entities.c.kind, t.entities.c.country)
                        .where(t.entities.c.id.in_(sorted(ids))))
    return {r.id: dict(r._mapping) for r in rows}


def age_days(since: str | None, today: dt.date | None = None) -> int | None:
    """Whole days from ``since`` (``YYYY[-MM[-DD]]`` or an ISO timestamp) to today."""
    if not since:
        return None
    parts = since[:10].split("-")
    try:
        day = dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except ValueError:
        return None
    return ((today or dt.date.today()) - day).days
