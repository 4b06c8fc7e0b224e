"""Shared fixtures: a fresh SQLite store, the extractor, the bundled sample and ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from solidarity_graph.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "solidarity_graph" / "data" / "sample"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh SQLite file in tmp_path, migrated."""
    s = Store.open(str(tmp_path / "test.db"))
    yield s
    s.close()


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
