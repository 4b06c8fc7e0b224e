"""The schema files check out, and every type the code uses is in them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from solidarity_graph.errors import SchemaError
from solidarity_graph.extract.events import load_triggers
from solidarity_graph.extract.gazetteer import load_gazetteer
from solidarity_graph.schema import SCHEMA_DIR, load_schema, load_schema_from

PKG = Path(__file__).resolve().parent.parent / "solidarity_graph"


def test_schema_loads_and_triggers_name_known_types() -> None:
    schema = load_schema()
    assert {t.type for t in load_triggers()} <= set(schema.event_types)


def test_schema_every_relation_the_code_writes_exists() -> None:
    schema = load_schema()
    used = set()
    for path in (PKG / "extract").glob("*.py"):
        used |= set(re.findall(r'"(ally_of|affiliated_with|part_of|represents_workers_at|employer_of|holds_role|negotiates_with|demands_from|located_in|[a-z]+_[a-z_]+)"\s*,\s*(?:acr_index|o|obj|before|target|b|m\.attrs|speaker|place|e)\b', path.read_text()))
    assert used <= set(schema.relation_types)
    assert {"ally_of", "holds_role", "part_of"} <= set(schema.relation_types)


def test_schema_bad_reference_names_file_and_key(tmp_path: Path) -> None:
    for f in SCHEMA_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    rel = tmp_path / "relations.yaml"
    rel.write_text(rel.read_text() + "\nfunds:\n  subject: [organisation]\n  object: [organization]\n")
    with pytest.raises(SchemaError) as err:
        load_schema_from(tmp_path)
    assert "relations.yaml" in str(err.value) and "funds" in str(err.value)


def test_schema_gazetteer_size_and_kinds() -> None:
    gaz = load_gazetteer()
    kinds = load_schema().kinds["organization"]
    assert all(e.kind in kinds for e in gaz.entries.values())
    labor = [e for e in gaz.entries.values() if e.kind not in {"employer", "government", "military", "embassy", "legislature", "party", "media", "intergovernmental", "fund"}]
    employers = [e for e in gaz.entries.values() if e.kind == "employer"]
    assert len(labor) >= 300
    assert len(employers) >= 50
    assert gaz.entries["kctu"].country == "KR"
