"""CSV rows as documents: ids, dates, and bad rows named by row number."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from solidarity_graph.cli import main
from solidarity_graph.errors import InputError
from solidarity_graph.ingest.table import read_csv_documents
from solidarity_graph.model import Document


def _write(tmp_path: Path, body: bytes) -> Path:
    p = tmp_path / "sheet.csv"
    p.write_bytes(body)
    return p


def test_table_rows_become_documents(tmp_path: Path) -> None:
    p = _write(tmp_path, b"id,notes,date\n7,\"KCTU workers rallied in Seoul,\nthousands of them\",2019-05-01\n8,Teachers struck in Chile.,\n")
    docs = list(read_csv_documents(p, text_column="notes", id_column="id", date_column="date", published="2020"))
    assert [d.id for d in docs if isinstance(d, Document)] == ["7", "8"]
    assert [d.published for d in docs if isinstance(d, Document)] == ["2019-05-01", "2020"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"id,notes\n1,\n2,fine text\n", "no text"),
        (b"id,notes\n,some text\n2,fine text\n", "no id"),
        (b"id,notes\n1,caf\xe9 workers\n2,fine text\n", "UTF-8"),
    ],
)
def test_table_bad_rows_named_rest_go_on(tmp_path: Path, body: bytes, reason: str) -> None:
    out = list(read_csv_documents(_write(tmp_path, body), text_column="notes", id_column="id"))
    bad = [x for x in out if isinstance(x, tuple)]
    good = [x for x in out if isinstance(x, Document)]
    assert len(bad) == 1 and "row 2" in bad[0][0] and reason in bad[0][1]
    assert [d.id for d in good] == ["2"]


def test_table_unknown_column_names_field(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        list(read_csv_documents(_write(tmp_path, b"id,text\n1,a\n"), text_column="notes", id_column="id"))
    assert "notes" in str(err.value) and "sheet.csv" in str(err.value)


def test_table_cli_ingest_and_export_ids(tmp_path: Path) -> None:
    p = _write(tmp_path, b"id,notes\nmm-1,The Korean Metal Workers Union held a strike in Ulsan on May 3 2019.\nmm-2,\n")
    db = str(tmp_path / "t.db")
    res = CliRunner().invoke(main, ["ingest", "--db", db, "--csv", str(p), "--text-column", "notes", "--id-column", "id"])
    assert res.exit_code == 1  # one bad row
    assert "row 3" in res.output and "1 new" in res.output
    res = CliRunner().invoke(main, ["export", "--db", db])
    assert '"document": "mm-1"' in res.output
    res = CliRunner().invoke(main, ["ingest", "--db", db, "--csv", str(p), "--text-column", "notes", "--id-column", "id"])
    assert "0 new, 1 unchanged" in res.output
