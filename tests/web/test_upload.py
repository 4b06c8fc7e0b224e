"""Ingest by upload: limits, safe names, 4xx with a reason, nothing left behind."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from solidarity_graph.store import Store
from solidarity_graph.web.app import create_app
from solidarity_graph.web.upload import safe_name

H = {"X-Solidarity-Upload": "1"}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(store=Store.open(str(tmp_path / "up.db"))))


def test_upload_ingests_and_reingest_changes_nothing(client: TestClient, tmp_path: Path) -> None:
    body = b"UE General President Carl Rosen met KCTU leaders in Seoul on May 1, 2024."
    r = client.post("/api/v1/documents", files={"file": ("report.txt", body)}, headers=H)
    assert r.status_code == 201 and r.json()["new"] == 1
    again = client.post("/api/v1/documents", files={"file": ("report.txt", body)}, headers=H)
    assert again.json()["unchanged"] == 1
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["report.txt"]


@pytest.mark.parametrize(
    ("name", "body", "status", "reason"),
    [("x.txt", os.urandom(3000), 422, "binary"), ("x.exe", b"MZ", 415, "unsupported"),
     ("empty.txt", b"", 422, "empty"), ("x.pdf", b"%PDF-1.4 broken", 422, "PDF")],
)
def test_upload_bad_files_get_4xx(client: TestClient, tmp_path: Path, name: str, body: bytes, status: int, reason: str) -> None:
    r = client.post("/api/v1/documents", files={"file": (name, body)}, headers=H)
    assert r.status_code == status and reason in r.json()["error"]
    assert r.json()["ok"] is False
    assert not any((tmp_path / "uploads").glob("*")) if (tmp_path / "uploads").exists() else True
    assert client.get("/index.json").json()["counts"]["documents"] == 0


def test_upload_needs_header_and_names_are_safe(client: TestClient, tmp_path: Path) -> None:
    r = client.post("/api/v1/documents", files={"file": ("a.txt", b"text about a strike in Seoul")})
    assert r.status_code == 403
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\x y.md") == "x_y.md"
    ok = client.post("/api/v1/documents", files={"file": ("../../evil name.txt", b"A rally of the KCTU in Seoul on May 1, 2024.")}, headers=H)
    assert ok.status_code == 201
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == ["evil_name.txt"]
