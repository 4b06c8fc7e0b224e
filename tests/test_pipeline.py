"""Ingest end to end: the sample corpus, re-ingest, bad files in a batch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from solidarity_graph.cli import main
from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.store import Store
from tests.engines import ENGINES, open_store


def test_pipeline_sample_corpus_gives_a_graph(store_any: Store, sample_dir: Path) -> None:
    store = store_any
    summary = ingest_paths([sample_dir], store)
    assert summary.failed == []
    assert summary.new == len(list(sample_dir.iterdir()))
    counts = store.counts()
    assert counts["entities"] > 30
    assert counts["events"] > 10
    assert counts["relations"] > 10


def test_pipeline_reingest_changes_nothing(store_any: Store, sample_dir: Path) -> None:
    store = store_any
    ingest_paths([sample_dir], store)
    before = store.counts()
    again = ingest_paths([sample_dir], store)
    assert again.new == 0
    assert again.unchanged == before["documents"]
    assert store.counts() == before


def test_pipeline_bad_files_reported_rest_stored(tmp_path: Path, store_any: Store) -> None:
    store = store_any
    good = tmp_path / "in" / "good.txt"
    good.parent.mkdir()
    good.write_text("UE General President Carl Rosen met KCTU leaders in Seoul on May 1, 2024.", encoding="utf-8")
    (tmp_path / "in" / "random.txt").write_bytes(os.urandom(2048))
    (tmp_path / "in" / "empty.md").write_bytes(b"")
    (tmp_path / "in" / "latin1.txt").write_bytes("Confédération générale du travail".encode("latin-1"))
    summary = ingest_paths([tmp_path / "in"], store)
    failed = {Path(p).name: reason for p, reason in summary.failed}
    assert set(failed) == {"random.txt", "empty.md", "latin1.txt"}
    assert "UTF-8" in failed["latin1.txt"]
    assert summary.new == 1
    assert store.counts()["documents"] == 1


def test_pipeline_cli_exit_code_and_summary(tmp_path: Path, db_any: str) -> None:
    (tmp_path / "ok.txt").write_text("The Korean Metal Workers' Union (KMWU) held a rally in Ulsan on May 1, 2024.", encoding="utf-8")
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    db = db_any
    res = CliRunner().invoke(main, ["ingest", "--db", db, str(tmp_path / "ok.txt"), str(tmp_path / "bad.pdf")])
    assert res.exit_code == 1
    assert "bad.pdf" in res.output
    assert "1 new, 0 unchanged, 1 failed" in res.output
    res = CliRunner().invoke(main, ["ingest", "--db", db, str(tmp_path / "ok.txt")])
    assert res.exit_code == 0
    assert "0 new, 1 unchanged, 0 failed" in res.output


def test_pipeline_cli_bad_published_names_field(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("A rally.", encoding="utf-8")
    res = CliRunner().invoke(main, ["ingest", "--db", str(tmp_path / "x.db"), "--published", "May 2018", str(tmp_path / "ok.txt")])
    assert res.exit_code != 0
    assert "published" in res.output


@pytest.mark.parametrize("engine", ENGINES)
def test_pipeline_several_processes_same_result(request: pytest.FixtureRequest, tmp_path: Path, sample_dir: Path,
                                                engine: str) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with open_store(request, engine, tmp_path / "one") as one, open_store(request, engine, tmp_path / "two") as two:
        ingest_paths([sample_dir], one, processes=1)
        ingest_paths([sample_dir], two, processes=2)
        assert one.counts() == two.counts()
