"""The schema as data: entity types, the event codebook, relation types and roles.

The YAML files beside this module are read once and cross-checked; a wrong reference raises
:class:`SchemaError` naming the file and the key (FollowTheMoney's ``InvalidModel`` habit).

>>> schema = load_schema()
>>> schema.event_types["rally"].group
'mobilization'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from solidarity_graph.errors import SchemaError

__all__ = ["EventType", "RelationType", "Schema", "load_schema", "SCHEMA_DIR"]

SCHEMA_DIR = Path(__file__).parent


@dataclass(frozen=True)
class EventType:
    """One entry of the event codebook."""

    name: str
    label: str
    group: str
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelationType:
    """One relation type with the entity types it joins."""

    name: str
    label: str
    subject: tuple[str, ...]
    object: tuple[str, ...]
    symmetric: bool = False
    properties: tuple[str, ...] = ()


@dataclass
class Schema:
    """Everything the YAML files define, checked."""

    entity_types: dict[str, dict[str, Any]]
    kinds: dict[str, set[str]]
    event_types: dict[str, EventType]
    statuses: dict[str, str]
    relation_types: dict[str, RelationType]
    roles: dict[str, dict[str, Any]]
    sources: dict[str, Path] = field(default_factory=dict)

    def check_event_type(self, name: str) -> EventType:
        """The event type called ``name``, or SchemaError."""
        try:
            return self.event_types[name]
        except KeyError:
            raise SchemaError(f"unknown event type {name!r}", path="events.yaml") from None

    def check_relation(self, name: str) -> RelationType:
        """The relation type called ``name``, or SchemaError."""
        try:
            return self.relation_types[name]
        except KeyError:
            raise SchemaError(f"unknown relation type {name!r}", path="relations.yaml") from None


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise SchemaError(f"not valid YAML: {e}", path=path.name) from e
    if not isinstance(data, dict):
        raise SchemaError("expected a mapping at the top", path=path.name)
    return data


def load_schema_from(folder: Path) -> Schema:
    """Read and cross-check the four schema files in ``folder``."""
    ents = _read(folder / "entities.yaml")
    evs = _read(folder / "events.yaml")
    rels = _read(folder / "relations.yaml")
    roles = _read(folder / "roles.yaml")

    kinds: dict[str, set[str]] = {}
    for name, spec in ents.items():
        if not isinstance(spec, dict) or "label" not in spec:
            raise SchemaError("each entity type needs a label", path="entities.yaml", key=name)
        kinds[name] = set((spec.get("kinds") or {}).keys())
        for prop, pspec in (spec.get("properties") or {}).items():
            rng = (pspec or {}).get("range")
            if rng not in {"kind", "country", *ents.keys()}:
                raise SchemaError(
                    f"property range {rng!r} is not an entity type",
                    path="entities.yaml",
                    key=f"{name}.{prop}",
                )

    types = evs.get("types") or {}
    statuses = evs.get("statuses") or {}
    if not types or not statuses:
        raise SchemaError("needs `types` and `statuses`", path="events.yaml")
    event_types: dict[str, EventType] = {}
    for name, spec in types.items():
        also = tuple(spec.get("also") or ())
        for other in also:
            if other not in types:
                raise SchemaError(
                    f"`also` names unknown type {other!r}", path="events.yaml", key=name
                )
        event_types[name] = EventType(name, spec.get("label", name), spec.get("group", ""), also)

    relation_types: dict[str, RelationType] = {}
    for name, spec in rels.items():
        for end in ("subject", "object"):
            for t in spec.get(end) or ():
                if t not in ents:
                    raise SchemaError(
                        f"{end} type {t!r} is not in entities.yaml",
                        path="relations.yaml",
                        key=name,
                    )
        relation_types[name] = RelationType(
            name,
            spec.get("label", name),
            tuple(spec.get("subject") or ()),
            tuple(spec.get("object") or ()),
            bool(spec.get("symmetric", False)),
            tuple(spec.get("properties") or ()),
        )
    return Schema(
        entity_types=ents,
        kinds=kinds,
        event_types=event_types,
        statuses=dict(statuses),
        relation_types=relation_types,
        roles=roles,
        sources={n: folder / f"{n}.yaml" for n in ("entities", "events", "relations", "roles")},
    )


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    """The bundled schema, read once per process."""
    return load_schema_from(SCHEMA_DIR)
