"""PostgreSQL as a second engine (issue 7): the migrations, the same export and search answers as SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import insert, inspect, text

from solidarity_graph.cli import main
from solidarity_graph.errors import StoreError
from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.store import MIGRATIONS, Store, db_url
from solidarity_graph.store import tables as t
from solidarity_graph.store.search import search_documents, search_names
from tests.engines import PgServer, database

pytestmark = pytest.mark.postgresql

DATA = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data"
QUERIES = ["KCTU", "union", "solidarity fund", "Korean Metal", "rall", "Autentico", "unpaid leave", "employs 29,000", "Myanmar junta",
           "민주노총", "노총", "노동절 집회", "Zenroren"]


@pytest.fixture(scope="module")
def both(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The bundled samples (English and Korean) ingested from the command line into SQLite and PostgreSQL."""
    folder = tmp_path_factory.mktemp("engines")
    with database(request, "sqlite", folder) as lite, database(request, "postgresql", folder) as pg:
        for db in (lite, pg):
            res = CliRunner().invoke(main, ["ingest", "--db", db, "-q", str(DATA / "sample"), str(DATA / "sample_ko")])
            assert res.exit_code == 0, res.output
            assert "20 new, 0 unchanged, 0 failed" in res.output
        yield {"sqlite": lite, "postgresql": pg}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "graphml"])
def test_postgres_export_same_bytes_as_sqlite(both: dict[str, str], tmp_path: Path, fmt: str) -> None:
    out = {}
    for engine, db in both.items():
        path = tmp_path / f"{engine}.{fmt}"
        res = CliRunner().invoke(main, ["export", "--db", db, "--format", fmt, "--out", str(path)])
        assert res.exit_code == 0, res.output
        out[engine] = path.read_bytes()
    assert len(out["sqlite"]) > 10_000
    assert out["postgresql"] == out["sqlite"]


@pytest.mark.parametrize("q", QUERIES)
def test_postgres_search_finds_what_sqlite_finds(both: dict[str, str], q: str) -> None:
    found: dict[str, tuple[list[int], list[str], list[str]]] = {}
    for engine, db in both.items():
        store = Store.open(db)
        with store.connect() as conn:
            names = [n["id"] for n in search_names(conn, q, 200)]
            docs = search_documents(conn, q, 100)
        store.close()
        assert all("[" in d["snippet"] for d in docs), docs
        found[engine] = (names, sorted(d["id"] for d in docs), [d["id"] for d in docs[:1]])
    assert found["postgresql"][:2] == found["sqlite"][:2]  # the same entities in the same order, the same documents
    assert found["sqlite"][1], f"{q!r} should find something"


@pytest.mark.parametrize(("q", "best"), [("Myanmar junta", "05_repression_myanmar.txt"), ("O'Hare", "09_union_drive_ohare.html"),
                                          ("노동절", "02_kctu_mayday.txt")])
def test_postgres_ranks_the_obvious_document_first(both: dict[str, str], q: str, best: str) -> None:
    for db in both.values():
        store = Store.open(db)
        with store.connect() as conn:
            docs = search_documents(conn, q, 5)
        store.close()
        assert docs and Path(docs[0]["source"]).name == best, (db.split(":")[0], [d["source"] for d in docs])


def test_postgres_every_migration_on_an_empty_database(pg_server: PgServer) -> None:
    url = pg_server.create_database(migrated=False)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    store = Store.open(url)
    try:
        with store.connect() as conn:
            head = ScriptDirectory.from_config(cfg).get_current_head()
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
            assert set(t.metadata.tables) <= set(inspect(conn).get_table_names())
            assert {c["name"] for c in inspect(conn).get_columns("documents")} >= {"fts", "text", "title"}
            assert {i["name"] for i in inspect(conn).get_indexes("aliases")} >= {"ix_aliases_fts", "ix_aliases_name_trgm"}
        with store.engine.begin() as conn:  # 0005 and every later revision go down and up again cleanly
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0004")
            assert "fts" not in {c["name"] for c in inspect(conn).get_columns("documents")}
            command.upgrade(cfg, "head")
    finally:
        store.close()
        pg_server.drop_database(url)


def test_postgres_long_document_is_stored_and_found(pg_store: Store) -> None:
    # tsvector values stop at 1 MB: a long text of all-different words must still be stored (issue 7)
    body = "solidaridad " + " ".join(f"w{i:x}q" for i in range(400_000))
    with pg_store.engine.begin() as conn:
        conn.execute(insert(t.documents).values(id="long", content_hash="h", source="long.txt", title="A long one",
                                                language="en", text=body, ingested_at="2025-01-01T00:00:00+00:00"))
    with pg_store.connect() as conn:
        assert [d["id"] for d in search_documents(conn, "solidaridad")] == ["long"]
        assert [d["id"] for d in search_documents(conn, "long one")] == ["long"]


def test_postgres_unspaced_scripts_match_inside_words(store_any: Store, tmp_path: Path) -> None:
    (tmp_path / "ja.txt").write_text("全労連が東京で集会\nDate: 2025-05-02\n\n全労連は5月1日、東京の代々木公園でメーデー集会を開いた。",
                                     encoding="utf-8")
    (tmp_path / "ko.txt").write_text("민주노총 집회\nDate: 2025-05-02\n\n민주노총은 노동절에 서울에서 집회를 열었다.", encoding="utf-8")
    ingest_paths([tmp_path / "ja.txt", tmp_path / "ko.txt"], store_any)
    with store_any.connect() as conn:
        for q, source in [("代々木公園", "ja.txt"), ("노동절", "ko.txt"), ("노총", "ko.txt"), ("メーデー 東京", "ja.txt")]:
            docs = search_documents(conn, q)
            assert [Path(d["source"]).name for d in docs] == [source], q
            assert f"[{q.split()[0]}]" in docs[0]["snippet"]
        assert search_documents(conn, "100%") == []  # LIKE's wildcards are escaped


def test_postgres_urls_and_errors_keep_the_password(pg_server: PgServer) -> None:
    assert db_url("postgresql://ann@db.local/unions") == "postgresql+psycopg://ann@db.local/unions"
    assert db_url("postgres://ann@db.local/unions") == "postgresql+psycopg://ann@db.local/unions"
    bad = pg_server.url.replace("://solidarity:", "://solidarity:not-the-password-", 1)
    with pytest.raises(StoreError) as err:
        Store.open(bad)
    assert "not-the-password" not in str(err.value) and "***" in str(err.value)


def test_postgres_cli_names_a_server_that_is_not_there() -> None:
    res = CliRunner().invoke(main, ["ingest", "--db", "postgresql+psycopg://ann:secret@127.0.0.1:1/none", str(DATA / "sample")])
    assert res.exit_code == 1
    assert "cannot open the store at postgresql+psycopg://ann:***@127.0.0.1:1/none" in res.output
    assert "secret" not in res.output
