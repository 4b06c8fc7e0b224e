"""Schemathesis against the app's OpenAPI description (issue 7).

Every operation of the HTTP API is called with generated requests, in process over ASGI, on a
store holding the bundled sample corpus: no answer is a server error, and where the description
declares a response its body and content type conform. Feeds are fetched from a server on
loopback, never from the hosts the generator invents. A fuzzed upload that is refused leaves no
file in uploads/ and no row. ``SOLIDARITY_FUZZ_SCALE=10`` runs ten times as many examples.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.store import Store
from solidarity_graph.web.app import create_app
from tests.ingest.test_hostile_readers import SEED_RSS, SMALL_FILES, row_counts

SAMPLE = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data" / "sample"
SCALE = int(os.environ.get("SOLIDARITY_FUZZ_SCALE", "1"))
EXAMPLES_PER_OPERATION = 8 * SCALE
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
UPLOAD = {"X-Solidarity-Upload": "1"}


class _Feed(BaseHTTPRequestHandler):
    """A feed server on loopback: every path is the same small RSS feed."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(SEED_RSS)))
        self.end_headers()
        self.wfile.write(SEED_RSS)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def feed_host() -> Iterator[str]:
    """``127.0.0.1:PORT`` of the loopback feed server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A SQLite store with the bundled sample corpus ingested."""
    store = Store.open(str(tmp_path_factory.mktemp("fuzz") / "fuzz.db"))
    summary = ingest_paths([SAMPLE], store)
    assert summary.new == len(list(SAMPLE.iterdir())) and not summary.failed
    yield store
    store.engine.dispose()


@pytest.fixture(scope="module")
def api(sample_store: Store) -> Any:
    """The OpenAPI description, loaded from the app over ASGI."""
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(store=sample_store))


def on_loopback(url: Any, feed_host: str) -> Any:
    """A generated feed URL sent to the loopback feed server instead of the host it names.

    URLs that never reach a network (another scheme, no host, a port that is no number) stay as
    generated, so the route's own checks are fuzzed too.
    """
    if not isinstance(url, str):
        return url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is no number)
    except ValueError:
        return url
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    return urlunsplit(("http", feed_host, parts.path, parts.query, parts.fragment))


def call_and_check(case: Any, feed_host: str) -> None:
    """Send one generated request (feed URLs on loopback, the upload header set) and run the checks."""
    if case.path == "/api/v1/feeds" and case.method.upper() == "POST" and isinstance(case.body, dict):
        case.body["url"] = on_loopback(case.body.get("url"), feed_host)
    if case.path == "/api/v1/documents":
        case.headers = {**(case.headers or {}), **UPLOAD}
    case.call_and_validate(checks=CHECKS)


def fuzz_operation(operation: Any, mode: GenerationMode, feed_host: str) -> None:
    """EXAMPLES_PER_OPERATION generated requests to one operation."""

    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        call_and_check(case, feed_host)

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        # an operation without parameters or body has no invalid request to make


@pytest.mark.issue(7)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_schemathesis_every_operation(api: Any, feed_host: str, subtests: pytest.Subtests, mode: GenerationMode) -> None:
    # schemathesis' own pytest plugin (schema.parametrize) does not run on pytest 9, so each operation
    # is a subtest driven by its Hypothesis strategy
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 50  # the whole API, not an empty description
    for operation in operations:
        with subtests.test(msg=operation.label):
            fuzz_operation(operation, mode, feed_host)


# ---- uploads: a refused file leaves nothing behind ----------------------------------------------------
@pytest.fixture(scope="module")
def upload_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store, Path]]:
    folder = tmp_path_factory.mktemp("upload")
    store = Store.open(str(folder / "up.db"))
    with TestClient(create_app(store=store)) as client:
        yield client, store, folder / "uploads"
    store.engine.dispose()


@pytest.mark.issue(7)
@settings(max_examples=12 * SCALE, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(file=SMALL_FILES, name=st.sampled_from(["report", "../../etc/x", "..", "a b\u202e", "\x00x", "ok.name"]))
def test_schemathesis_fuzzed_upload_leaves_nothing_when_refused(upload_client: tuple[TestClient, Store, Path],
                                                                api: Any, file: tuple[bytes, str], name: str) -> None:
    client, store, uploads = upload_client
    data, suffix = file
    files_before = sorted(uploads.iterdir()) if uploads.exists() else []
    before = row_counts(store)
    r = client.post("/api/v1/documents", files={"file": (name + suffix, data)}, headers=UPLOAD)
    # schemathesis sends no file name with a suffix (every upload it makes is a 415): the checks run here
    api["/api/v1/documents"]["POST"].Case(media_type="multipart/form-data").validate_response(r, checks=CHECKS)
    body = r.json()
    after = row_counts(store)
    files_after = sorted(uploads.iterdir()) if uploads.exists() else []
    if r.status_code != 201 or body["new"] == 0:
        assert after == before and files_after == files_before
        if r.status_code != 201:
            assert body["ok"] is False and body["error"]
        return
    assert after["documents"] == before["documents"] + 1
    assert len(files_after) == len(files_before) + 1


# ---- regressions: what the fuzzer found ---------------------------------------------------------------
@pytest.fixture(scope="module")
def client(sample_store: Store) -> TestClient:
    return TestClient(create_app(store=sample_store))


@pytest.mark.issue(7)
@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", "/api/v1/curate/log?limit=-9223372036854775809", None),
    ("GET", "/api/v1/entities/9223372036854775808", None),
    ("POST", "/api/v1/alerts/read", {"ids": [9223372036854775808]}),
    ("POST", "/api/v1/commitments/9223372036854775808/exchange", {}),
    ("POST", "/api/v1/employers/9223372036854775808/sites", {"country": "KR"}),
])
def test_schemathesis_number_past_64_bits_is_a_400(client: TestClient, method: str, url: str, body: Any) -> None:
    r = client.request(method, url, json=body)  # an OverflowError from SQLite: a 500 before
    assert r.status_code == 400
    assert r.json() == {"ok": False, "error": "a number in the request is out of range", "errors": [], "status": 400}


@pytest.mark.issue(7)
@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:1/a b", "http://127.0.0.1:1/\x00", "http://a\u2100b/"])
def test_schemathesis_bad_feed_url_is_a_400(client: TestClient, url: str) -> None:
    r = client.post("/api/v1/feeds", json={"url": url})  # ValueError, InvalidURL: 500s before
    assert r.status_code == 400 and r.json()["error"].startswith(url)


@pytest.mark.issue(7)
def test_schemathesis_exchange_edit_with_nothing_to_change_is_a_400(client: TestClient) -> None:
    r = client.post("/api/v1/exchanges/1", json={})  # an empty SQL UPDATE: a 500 before
    assert r.status_code == 400 and "nothing to change" in r.json()["error"]


FEED_URLS = st.builds(
    "{}://{}{}".format,
    st.sampled_from(["http", "https", "HTTP", "ftp", "file", ""]),
    # hosts that fail before any connection, or the loopback feed server (no other host is ever asked)
    st.sampled_from(["LOOPBACK", "user@LOOPBACK", "[::1", "a\u2100b", "127.0.0.1:port", "127.0.0.1:99999", ""]),
    st.text(max_size=30).map(lambda path: "/" + path),
)


@pytest.mark.issue(7)
@settings(max_examples=30 * SCALE, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(url=FEED_URLS)
def test_schemathesis_feed_urls_are_read_or_refused(client: TestClient, feed_host: str, url: str) -> None:
    url = url.replace("LOOPBACK", feed_host)
    r = client.post("/api/v1/feeds", json={"url": url})  # a bad IPv6 host, a space in the path...: 500s before
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert r.json()["ok"] is False and r.json()["error"]
        assert url not in [f["url"] for f in client.get("/api/v1/feeds").json()["feeds"]]
