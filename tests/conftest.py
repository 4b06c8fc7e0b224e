"""Shared fixtures: a fresh SQLite store, the extractor, the bundled sample and ../shared."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from solidarity_graph.store import Store
from tests import engines

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "solidarity_graph" / "data" / "sample"


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite file in tmp_path (test.db), migrated; with SOLIDARITY_TEST_ENGINE=postgresql a fresh
    PostgreSQL database instead."""
    with engines.open_store(request, os.environ.get(engines.ENGINE_ENV) or "sqlite", tmp_path) as s:
        yield s


# ---- PostgreSQL (issue 7): tests/engines.py starts a private server ----------------------------------
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs on the private PostgreSQL server (deselect with -m \"not postgresql\")")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[engines.PgServer]:
    """A private PostgreSQL server for the session, or SOLIDARITY_TEST_PG_URL's; skips, saying why, without one."""
    try:
        server = engines.start_server()
    except engines.PgUnavailable as e:
        pytest.skip(f"no PostgreSQL: {e}")
    yield server
    server.close()


@pytest.fixture
def pg_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated PostgreSQL database (dropped after)."""
    with engines.open_store(request, "postgresql", tmp_path) as s:
        yield s


@pytest.fixture(params=engines.ENGINES)
def store_any(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh store on SQLite, then on PostgreSQL: the store and query tests run on both engines."""
    with engines.open_store(request, request.param, tmp_path) as s:
        yield s


@pytest.fixture(params=engines.ENGINES)
def db_any(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """What ``--db`` takes for a fresh store on SQLite, then on PostgreSQL (a file path, a URL)."""
    with engines.database(request, request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def extractor():
    from solidarity_graph.extract.pipeline import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "eval" / "seeds" / "gold.yaml").exists():
        pytest.skip("../shared is absent (a user's clone has none; CI always has it)")
    return SHARED


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE
