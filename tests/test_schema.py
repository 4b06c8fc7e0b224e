"""The schema files check out, and every type the code uses is in them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from solidarity_graph.errors import SchemaError
from solidarity_graph.extract.events import load_triggers
from solidarity_graph.extract.gazetteer import load_gazetteer
from solidarity_graph.schema import SCHEMA_DIR, load_schema, load_schema_from


def test_schema_loads_and_triggers_name_known_types() -> None:
    schema = load_schema()
    assert {t.type for t in load_triggers()} <= set(schema.event_types)


def test_schema_every_type_the_extractors_produce_exists(extractor, sample_dir: Path) -> None:
    from solidarity_graph.ingest import read_document

    schema = load_schema()
    preds, etypes, statuses = set(), set(), set()
    for path in sorted(sample_dir.iterdir()):
        doc = extractor(read_document(path))
        preds |= {r.predicate for r in doc.relations}
        etypes |= {e.type for e in doc.events}
        statuses |= {e.status for e in doc.events}
    assert preds and preds <= set(schema.relation_types)
    assert etypes and etypes <= set(schema.event_types)
    assert statuses <= set(schema.statuses)


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
